"""``engine audit``: fail when anything under the fixtures looks like a leaked secret.

The scrub is the first line of defence; this is the second, run in CI over every committed
file, and it knows nothing of how the scrub works: it looks for known credentials and customer
names (``ENGINE_AUDIT_SECRETS`` / ``ENGINE_AUDIT_NAMES``, comma-separated, plus the demo sites'
own when they can be imported), cookie and authorization headers, bearer and JWT tokens,
token-named values that were not replaced, valid IBANs and Luhn-valid card numbers. Findings
name the file, the line and the rule, never the secret itself: the audit's output lands in CI
logs.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import importlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.harness.scrub import BEARER, CIVILITY, JWT, encoded_forms, find_cards, find_ibans

TEXT_SUFFIXES = frozenset({".json", ".html", ".htm", ".yaml", ".yml", ".txt", ".xml", ".js",
                           ".csv", ".har", ".md"})
STRUCTURED_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".har", ".txt"})
HEADER_KEY = re.compile(r"""(?i)(?:^|[\s{,"'-])["']?(set-cookie|cookie|authorization|"""
                        r"""proxy-authorization)["']?\s*:""")
TOKEN_VALUE = re.compile(r"""(?i)["']?([a-z_.-]*(?:sess|sid|token|csrf|xsrf|secret|auth|jwt)"""
                         r"""[a-z_.-]*)"""
                         r"""["']?\s*[=:]\s*["']?([A-Za-z0-9%._~+/-]{16,}=*)""")
PARTIAL_REDACTION = re.compile(r"[A-Za-z0-9]\*\*\*(?!\*)|(?<!\*)\*\*\*[A-Za-z0-9]")
B64_FIELD = re.compile(r'"body_b64"\s*:\s*"([A-Za-z0-9+/=]+)"')
DEMO_SECRETS = (("sites.banque_demo.data", ("DEMO_PASSWORD",), ("CUSTOMER_NAME",)),
                ("sites.neobanque.data", ("DEMO_EMAIL", "DEMO_PASSWORD"), ("CUSTOMER_NAME",)),
                ("sites.psd2_demo.data", ("CLIENT_SECRET",), ("PSU_NAME",)))


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def known_secrets() -> tuple[list[str], list[str]]:
    """(credentials, customer names) to look for: environment first, then the demo sites'."""
    secrets = [s.strip() for s in os.environ.get("ENGINE_AUDIT_SECRETS", "").split(",")]
    names = [s.strip() for s in os.environ.get("ENGINE_AUDIT_NAMES", "").split(",")]
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


class Auditor:
    def __init__(self, secrets: Iterable[str] = (), names: Iterable[str] = ()) -> None:
        self._secrets = _bounded(secrets)
        self._names = _bounded(names, ignore_case=True)

    def scan_text(self, text: str, structured: bool) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(text.splitlines(), 1):
            for rule in self._line_rules(line, structured):
                yield number, rule
            for match in B64_FIELD.finditer(line):
                with contextlib.suppress(binascii.Error, ValueError):
                    decoded = base64.b64decode(match.group(1)).decode("utf-8", "ignore")
                    for decoded_line in decoded.splitlines():
                        for rule in self._line_rules(decoded_line, structured=False):
                            yield number, f"{rule} (inside body_b64)"

    def _line_rules(self, line: str, structured: bool) -> Iterator[str]:
        if self._secrets is not None and self._secrets.search(line):
            yield "known credential"
        if self._names is not None and self._names.search(line):
            yield "customer name"
        if structured:
            for match in HEADER_KEY.finditer(line):
                yield f"{match.group(1).lower()} header"
        if JWT.search(line):
            yield "JWT-looking token"
        if BEARER.search(line):
            yield "bearer token"
        for match in TOKEN_VALUE.finditer(line):
            value = match.group(2)
            placeholder = "scrubbed" in value or (value.startswith("__") and value.endswith("__"))
            if not placeholder and not value.isdigit():
                yield f"unscrubbed value of '{match.group(1)[:40]}'"
        if PARTIAL_REDACTION.search(line):
            yield "redaction inside a word (it shows where the secret was)"
        if next(find_ibans(line), None) is not None:
            yield "unmasked IBAN"
        if next(find_cards(line), None) is not None:
            yield "card number (Luhn-valid)"


def audit_paths(paths: Iterable[Path], *, secrets: Iterable[str] | None = None,
                names: Iterable[str] | None = None) -> list[Finding]:
    """Every finding in the text files under ``paths`` (files or folders)."""
    default_secrets, default_names = known_secrets()
    auditor = Auditor(default_secrets if secrets is None else secrets,
                      default_names if names is None else names)
    findings: list[Finding] = []
    for path in _files(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        structured = path.suffix.lower() in STRUCTURED_SUFFIXES
        for line, rule in dict.fromkeys(auditor.scan_text(text, structured)):
            findings.append(Finding(path, line, rule))
        if path.suffix == ".json":
            findings += _json_header_findings(path, text)
    return list(dict.fromkeys(findings))


def _json_header_findings(path: Path, text: str) -> list[Finding]:
    """Header names hidden from the line regex (a JSON document on one line, say)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found: list[Finding] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if str(key).lower() in ("set-cookie", "cookie", "authorization",
                                        "proxy-authorization"):
                    line = next((i for i, t in enumerate(text.splitlines(), 1)
                                 if f'"{key}"' in t), 1)
                    found.append(Finding(path, line, f"{str(key).lower()} header"))
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        elif path.is_file():
            yield path


__all__ = ["Auditor", "Finding", "audit_paths", "known_secrets"]
