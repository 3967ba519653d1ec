"""``engine audit``: fail when anything under the fixtures is a leaked secret or personal value.

The scrub is the first line of defence; this is the second, run in CI over every committed
file. It reads each file as what it is, and each part of a recording by its type, through
the same privacy module the scrubbers use (``engine.privacy``):

- **recordings** (``exchanges.json``, HAR files, vcrpy cassettes): URLs, headers (a
  ``Cookie``, ``Set-Cookie`` or ``Authorization`` header at all is a finding), form and JSON
  bodies, HTML pages; other JSON, YAML and HTML files (``expected.json``, snapshots) likewise.
  In all of them, every value under a personal-data or token key that is not masked, and every
  value a detector proves (IBAN, card, phone, e-mail, routing number, JWT, bearer token).
- **script bodies** (``.js`` files, JavaScript answers, inline ``<script>``): only known
  credentials and the tokens the recording itself issued (cookie and authorization values,
  token-keyed answers). A site's own code says ``token``, ``Authorization`` and
  ``localStorage`` without holding any; third-party bundles even ship public JWT keys.
- everywhere: the known credentials (``ENGINE_AUDIT_SECRETS``, comma-separated, plus the demo
  sites' own) and, outside scripts, known customer names (``ENGINE_AUDIT_NAMES``, the demo
  sites'), and redactions that stop inside a word (they show where the secret was).

What counts as masked is ``engine.privacy.masking.is_masked`` (the masks' fixed alphabet);
values a scenario's ``meta.json`` declares as its credential placeholders are not findings.
A reviewed allowlist (``engine.harness.audit_allowlist``) suppresses known-safe findings.
Findings name the file, the line and the rule, never the value: the output lands in CI logs.
"""

from __future__ import annotations

import bisect
import contextlib
import importlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from engine.harness.audit_allowlist import (
    ALLOWLIST_NAME,
    Allowlist,
    digest,
    find_allowlists,
    load_allowlist,
)
from engine.harness.audit_parts import Part, file_parts
from engine.privacy.detectors import is_jwt
from engine.privacy.documents import (
    Hit,
    authorization_token,
    cookie_values,
    looks_like_token,
    scan_body,
    scan_headers,
    scan_text,
    scan_url,
)
from engine.privacy.masking import CIVILITY, is_masked
from engine.privacy.text import encoded_forms
from engine.privacy.vocabulary import SENSITIVE_HEADERS, Kind
from engine.settings import EngineSettings

TEXT_SUFFIXES = frozenset({".json", ".html", ".htm", ".yaml", ".yml", ".txt", ".xml", ".js",
                           ".mjs", ".csv", ".har", ".md"})
HEADER_LINE = re.compile(r"(?im)^[ \t]*(set-cookie|cookie|authorization|proxy-authorization)"
                         r"[ \t]*:")
PARTIAL_REDACTION = re.compile(r"[A-Za-z0-9]\*\*\*(?!\*)|(?<!\*)\*\*\*[A-Za-z0-9]")
_SCRIPT_BLOCK = re.compile(r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>")
DEMO_SECRETS = (("sites.banque_demo.data", ("DEMO_PASSWORD",), ("CUSTOMER_NAME",)),
                ("sites.neobanque.data", ("DEMO_EMAIL", "DEMO_PASSWORD"), ("CUSTOMER_NAME",)),
                ("sites.psd2_demo.data", ("CLIENT_SECRET",), ("PSU_NAME",)),
                ("sites.harbour_cu.data", ("DEMO_PASSWORD",), ("CUSTOMER_NAME",)),
                ("sites.banka_sever.data", ("DEMO_PASSWORD",),
                 ("CUSTOMER_NAME", "CYRILLIC_CUSTOMER_NAME")))
MIN_LEARNED_TOKEN = 8


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str
    digest: str = field(default="", compare=False)
    """SHA-256 of the value found (for allowlist entries and tests; never printed)."""
    key: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def known_secrets() -> tuple[list[str], list[str]]:
    """(credentials, customer names) to look for: environment first, then the demo sites'."""
    env = EngineSettings.load()
    secrets, names = EngineSettings.split(env.audit_secrets), EngineSettings.split(env.audit_names)
    for module_name, secret_attrs, name_attrs in DEMO_SECRETS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        secrets += [str(getattr(module, a)) for a in secret_attrs if hasattr(module, a)]
        names += [str(getattr(module, a)) for a in name_attrs if hasattr(module, a)]
    return ([s for s in dict.fromkeys(secrets) if len(s) >= 4],
            [n for n in dict.fromkeys(CIVILITY.sub("", n) for n in names) if len(n) >= 4])


def _bounded(values: Iterable[str], *, ignore_case: bool = False) -> re.Pattern[str] | None:
    forms = sorted({f for v in values for f in encoded_forms(v) if f}, key=len, reverse=True)
    if not forms:
        return None
    pieces = [(r"(?<![A-Za-z0-9_-])" if f[0].isalnum() else "") + re.escape(f)
              + (r"(?![A-Za-z0-9_-])" if f[-1].isalnum() else "") for f in forms]
    return re.compile("|".join(pieces), re.IGNORECASE if ignore_case else 0)


class _Lines:
    """Line numbers of one file: by offset, or by finding a value's spelling in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, max(0, offset))

    def of(self, value: str, anchor: int = 0) -> int:
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        for form in dict.fromkeys((value, escaped, json.dumps(escaped)[1:-1])):
            found = self.text.find(form, anchor)
            if found >= 0:
                return self.at(found)
        return self.at(anchor)


class Auditor:
    """The rules, applied part by part; ``learn`` first, so scripts can be searched for the
    tokens the recording issued."""

    def __init__(self, secrets: Iterable[str] = (), names: Iterable[str] = (),
                 placeholders: Iterable[str] = ()) -> None:
        self._secrets = _bounded(secrets)
        self._names = _bounded(names, ignore_case=True)
        self.placeholders = set(placeholders)
        self.tokens: set[str] = set()
        self._issued: re.Pattern[str] | None = None

    def learn(self, part: Part) -> None:
        """Tokens issued during the recording: cookie and authorization values, and values
        under token keys that are not placeholders."""
        values: list[str] = []
        if part.doc == "headers":
            for name, value in part.headers.items():
                lower = name.lower()
                if lower in ("cookie", "set-cookie"):
                    values += cookie_values(lower, value)
                elif lower in ("authorization", "proxy-authorization"):
                    values.append(authorization_token(value))
        elif part.doc not in ("script", "css"):
            values += [h.value for h in self._hits(part) if h.kind is Kind.TOKEN]
        fresh = {v for v in values if len(v) >= MIN_LEARNED_TOKEN and self._real_token(v)}
        if fresh - self.tokens:
            self.tokens |= fresh
            self._issued = _bounded(self.tokens)

    def _real_token(self, value: str) -> bool:
        return value not in self.placeholders and (is_jwt(value) or looks_like_token(value))

    def findings(self, part: Part) -> Iterator[tuple[str, str, int | None, str | None]]:
        """(rule, value, offset in the part or None, key) of every finding in one part."""
        text = part.text
        for pattern, rule in ((self._secrets, "known credential"),
                              (self._issued, "token issued during the recording")):
            if pattern is not None:
                for match in pattern.finditer(text):
                    yield rule, match.group(0), match.start(), None
        if part.doc in ("script", "css"):
            return
        if part.doc == "headers":
            for name in part.headers:
                if name.lower() in SENSITIVE_HEADERS:
                    yield f"{name.lower()} header", part.headers[name], None, name
        if part.doc == "text":
            for match in HEADER_LINE.finditer(text):
                yield f"{match.group(1).lower()} header", match.group(0), match.start(), None
        visible = _SCRIPT_BLOCK.sub(lambda m: " " * len(m.group(0)), text) \
            if part.doc == "html" else text
        if self._names is not None and part.doc != "headers":
            for match in self._names.finditer(visible):
                yield "customer name", match.group(0), match.start(), None
        for match in PARTIAL_REDACTION.finditer(visible):
            yield ("redaction inside a word (it shows where the secret was)", match.group(0),
                   match.start(), None)
        for hit in self._hits(part):
            if hit.value in self.placeholders or is_masked(hit.value, hit.kind):
                continue
            yield hit.rule, hit.value, hit.offset, hit.key

    def _hits(self, part: Part) -> list[Hit]:
        if part.hits is None:
            part.hits = list(_scan(part))
        return part.hits


def _scan(part: Part) -> Iterator[Hit]:
    if part.doc == "url":
        yield from scan_url(part.text)
    elif part.doc == "headers":
        yield from scan_headers(part.headers)
        for name, value in part.headers.items():  # what a credential header holds
            if name.lower() in SENSITIVE_HEADERS:
                yield from scan_text(value)
    else:
        yield from scan_body(part.text, part.content_type, url=part.url)


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    """Findings an allowlist entry covers (with its reason, reviewed)."""
    allowlist: Allowlist = field(default_factory=Allowlist)


def audit(paths: Iterable[Path], *, secrets: Iterable[str] | None = None,
          names: Iterable[str] | None = None,
          allowlists: Iterable[Path] | None = None) -> AuditReport:
    """Audit the text files under ``paths`` (files or folders). ``allowlists`` defaults to
    the ``audit-allowlist.yaml`` found in or above each path."""
    paths = [Path(p) for p in paths]
    default_secrets, default_names = known_secrets()
    lists = list(allowlists) if allowlists is not None else find_allowlists(paths)
    allowlist = load_allowlist(lists)
    report = AuditReport(allowlist=allowlist)
    files = [f for f in _files(paths) if f.resolve() not in allowlist.files]
    parsed: list[tuple[Path, _Lines, list[Part]]] = []
    placeholders: set[str] = set()
    for path in files:
        with contextlib.suppress(UnicodeDecodeError, OSError):
            text = path.read_text(encoding="utf-8")
            parts = list(file_parts(path, text))
            parsed.append((path, _Lines(text), parts))
            placeholders |= {p for part in parts for p in part.placeholders}
    auditor = Auditor(default_secrets if secrets is None else secrets,
                      default_names if names is None else names, placeholders)
    for _path, _lines, parts in parsed:
        for part in parts:
            auditor.learn(part)
    for path, lines, parts in parsed:
        for part in parts:
            for rule, value, offset, key in auditor.findings(part):
                line = (lines.at(part.start + offset) if part.direct and offset is not None
                        else lines.of(value, part.start))
                finding = Finding(path, line, rule, digest(value), key)
                if allowlist.allows(path, rule, finding.digest, key):
                    report.suppressed.append(finding)
                else:
                    report.findings.append(finding)
    for file, line, problem in allowlist.problems:
        report.findings.append(Finding(file, line, problem))
    report.findings = list(dict.fromkeys(report.findings))
    return report


def audit_paths(paths: Iterable[Path], *, secrets: Iterable[str] | None = None,
                names: Iterable[str] | None = None,
                allowlists: Iterable[Path] | None = None) -> list[Finding]:
    """Every unallowed finding in the text files under ``paths`` (files or folders)."""
    return audit(paths, secrets=secrets, names=names, allowlists=allowlists).findings


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file()
                              and p.suffix.lower() in TEXT_SUFFIXES and p.name != ALLOWLIST_NAME)
        elif path.is_file():
            yield path


__all__ = ["AuditReport", "Auditor", "Finding", "audit", "audit_paths", "known_secrets"]
