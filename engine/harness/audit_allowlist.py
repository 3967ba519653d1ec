"""The audit's reviewed allowlist: known-safe findings, each with the reason it is safe.

``fixtures/audit-allowlist.yaml`` (any ``audit-allowlist.yaml`` in an audited folder or above
it) is a list of entries::

    - path: banque-demo/*/snapshots/*.html   # glob, relative to the allowlist's folder
      rule: phone number                       # the rule as the audit prints it (glob allowed)
      value: "01 23 45 67 89"                  # optional: only this value (public values only)
      sha256: 3f0a...                          # optional: or the value's SHA-256 (names a value
                                               #   without writing it)
      reason: the bank's customer-service number, printed on every page; not the customer's

Every entry needs ``path``, ``rule`` and a ``reason``: an entry without one is itself reported
(``engine audit`` fails, naming the allowlist's line), so nothing is suppressed unreviewed.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ALLOWLIST_NAME = "audit-allowlist.yaml"
_KEYS = frozenset({"path", "rule", "value", "sha256", "reason", "key"})


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass
class Entry:
    base: Path
    path: str
    rule: str
    reason: str
    line: int
    sha256: str | None = None
    key: str | None = None
    used: int = 0

    def matches(self, path: Path, rule: str, value_digest: str, key: str | None) -> bool:
        try:
            relative = path.resolve().relative_to(self.base.resolve()).as_posix()
        except ValueError:
            return False
        return (fnmatch.fnmatchcase(relative, self.path)
                and fnmatch.fnmatchcase(rule, self.rule)
                and (self.sha256 is None or self.sha256 == value_digest)
                and (self.key is None or self.key == key))


@dataclass
class Allowlist:
    entries: list[Entry] = field(default_factory=list)
    problems: list[tuple[Path, int, str]] = field(default_factory=list)
    """(allowlist file, line, what is wrong): reported as findings."""
    files: set[Path] = field(default_factory=set)

    def allows(self, path: Path, rule: str, value_digest: str, key: str | None) -> bool:
        for entry in self.entries:
            if entry.matches(path, rule, value_digest, key):
                entry.used += 1
                return True
        return False

    def unused(self) -> list[Entry]:
        return [e for e in self.entries if not e.used]


def find_allowlists(paths: Iterable[Path]) -> list[Path]:
    """The allowlist of each audited path: in it (a folder), or in the nearest folder above."""
    found: list[Path] = []
    for path in paths:
        folder = Path(path).resolve()
        folder = folder if folder.is_dir() else folder.parent
        for candidate in (folder, *folder.parents):
            if (candidate / ALLOWLIST_NAME).is_file():
                if candidate / ALLOWLIST_NAME not in found:
                    found.append(candidate / ALLOWLIST_NAME)
                break
    return found


def load_allowlist(files: Iterable[Path]) -> Allowlist:
    allowlist = Allowlist()
    for file in files:
        allowlist.files.add(file.resolve())
        try:
            nodes = yaml.compose(file.read_text(encoding="utf-8"))
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            allowlist.problems.append((file, 1, f"allowlist unreadable ({type(exc).__name__})"))
            continue
        if data is None:
            continue
        if not isinstance(data, list) or nodes is None or not isinstance(nodes, yaml.SequenceNode):
            allowlist.problems.append((file, 1, "allowlist must be a list of entries"))
            continue
        for item, node in zip(data, nodes.value, strict=True):
            _entry(allowlist, file, item, node.start_mark.line + 1)
    return allowlist


def _entry(allowlist: Allowlist, file: Path, item: Any, line: int) -> None:
    if not isinstance(item, dict):
        allowlist.problems.append((file, line, "allowlist entry must be a mapping"))
        return
    unknown = sorted(set(map(str, item)) - _KEYS)
    missing = [k for k in ("path", "rule", "reason") if not str(item.get(k) or "").strip()]
    if unknown or missing:
        what = (f"unknown key(s) {', '.join(unknown)}" if unknown else
                f"allowlist entry without {', '.join(missing)}")
        allowlist.problems.append((file, line, what))
        return
    sha = item.get("sha256")
    if item.get("value") is not None:
        sha = digest(str(item["value"]))
    allowlist.entries.append(Entry(
        base=file.parent, path=str(item["path"]), rule=str(item["rule"]),
        reason=str(item["reason"]), line=line, sha256=str(sha).lower() if sha else None,
        key=str(item["key"]) if item.get("key") is not None else None))


__all__ = ["ALLOWLIST_NAME", "Allowlist", "Entry", "digest", "find_allowlists",
           "load_allowlist"]
