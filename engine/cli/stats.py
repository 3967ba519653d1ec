"""``engine stats``: outcome and error-code counts per institution over a set of results.

What an operator asks first ("which banks fail, and how?"), answered from what the engine
already writes: ``SyncResult`` JSON files (``engine run --json > r.json``, one object or a
list), and JSON-lines logs (``--log-format json``: the ``sync_finished`` records, which carry
institution, outcome and error code). Folders are read recursively (``*.json``, ``*.jsonl``,
``*.log``); ``-`` reads stdin. A log line seen twice (same ``sync_id``) counts once.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from engine.cli.common import ExitCode, echo_json, json_option

SUFFIXES = (".json", ".jsonl", ".log")


@dataclass
class InstitutionStats:
    syncs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    """Error codes of failed and partial syncs, and of their failed accounts."""

    def as_dict(self) -> dict[str, Any]:
        return {"syncs": self.syncs, **{k: self.outcomes.get(k, 0)
                                        for k in ("ok", "partial", "failed")},
                "codes": dict(self.codes.most_common())}


@dataclass
class Stats:
    institutions: dict[str, InstitutionStats] = field(default_factory=dict)
    files: int = 0
    log_records: int = 0
    """JSON log records read that are not a sync's end (stage records and the like)."""
    skipped: int = 0
    """Lines or documents that are neither a result nor a JSON log record."""
    _seen: set[str] = field(default_factory=set)

    def add(self, institution: str, outcome: str, codes: Iterable[str]) -> None:
        entry = self.institutions.setdefault(institution, InstitutionStats())
        entry.syncs += 1
        entry.outcomes[outcome] += 1
        entry.codes.update(codes)

    def add_document(self, data: Any) -> None:
        """A ``SyncResult`` (dict), a list of them, or one JSON log record."""
        if isinstance(data, list):
            for item in data:
                self.add_document(item)
            return
        if not isinstance(data, dict):
            self.skipped += 1
            return
        if data.get("event") == "sync_finished" and data.get("institution"):
            key = str(data.get("sync_id") or "")
            if key and key in self._seen:
                return
            if key:
                self._seen.add(key)
            code = data.get("error_code")
            self.add(str(data["institution"]), str(data.get("outcome") or "unknown"),
                     [str(code)] if code else [])
        elif "institution" in data and "started_at" in data:
            self.add(str(data["institution"]), _outcome(data), _codes(data))
        elif "logger" in data and "level" in data:
            self.log_records += 1
        else:
            self.skipped += 1

    def as_dict(self) -> dict[str, Any]:
        return {"institutions": {k: v.as_dict() for k, v in sorted(self.institutions.items())},
                "files": self.files, "log_records": self.log_records, "skipped": self.skipped}


def _outcome(result: dict[str, Any]) -> str:
    error, accounts = result.get("error"), result.get("accounts") or []
    if error and not accounts:
        return "failed"
    return "partial" if error or result.get("account_failures") else "ok"


def _codes(result: dict[str, Any]) -> list[str]:
    codes = [str(result["error"]["code"])] if isinstance(result.get("error"), dict) else []
    for failure in result.get("account_failures") or []:
        error = failure.get("error") if isinstance(failure, dict) else None
        if isinstance(error, dict) and error.get("code"):
            codes.append(str(error["code"]))
    return codes


def _files(paths: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name in paths:
        if name == "-":
            yield "-", sys.stdin.read()
            continue
        path = Path(name)
        targets = (sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
                   if path.is_dir() else [path])
        for target in targets:
            yield str(target), target.read_text(encoding="utf-8", errors="replace")


def read_stats(paths: Iterable[str]) -> Stats:
    stats = Stats()
    for _name, text in _files(paths):
        stats.files += 1
        try:
            stats.add_document(json.loads(text))
            continue
        except json.JSONDecodeError:
            pass
        for line in text.splitlines():  # JSON lines (logs), other lines skipped
            line = line.strip()
            if not line:
                continue
            try:
                stats.add_document(json.loads(line))
            except json.JSONDecodeError:
                stats.skipped += 1
    return stats


@click.command()
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, allow_dash=True))
@json_option
def stats(paths: tuple[str, ...], as_json: bool) -> None:
    """Count outcomes and error codes per institution in result files (`engine run --json`)
    and JSON-lines logs (`--log-format json`); PATHS may be folders or `-` (stdin)."""
    found = read_stats(paths)
    if as_json:
        echo_json(found.as_dict())
    else:
        _print(found)
    raise SystemExit(ExitCode.OK if found.institutions else ExitCode.USAGE)


def _print(found: Stats) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)
    table = Table(title=f"{sum(s.syncs for s in found.institutions.values())} syncs in "
                  f"{found.files} file(s)", title_justify="left", box=box.SIMPLE)
    for column in ("institution", "syncs", "ok", "partial", "failed", "error codes"):
        table.add_column(column, justify="left" if column in ("institution", "error codes")
                         else "right")
    for name, entry in sorted(found.institutions.items()):
        codes = ", ".join(f"{code} {count}" for code, count in entry.codes.most_common())
        table.add_row(name, str(entry.syncs), *(str(entry.outcomes.get(k, 0))
                                                for k in ("ok", "partial", "failed")), codes)
    console.print(table)
    if found.skipped:
        console.print(f"{found.skipped} line(s) or document(s) were neither a result nor a "
                      "JSON log record", style="dim")


COMMANDS = (stats,)

__all__ = ["COMMANDS", "Stats", "read_stats", "stats"]
