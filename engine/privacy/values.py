"""Single values and flat documents: free text, a key's value, URLs, form fields, headers.

The leaves of ``engine.privacy.documents``: nothing here reads a nested document, so the
structured readers (JSON and HTML, which contain each other) build on this module and this
module on nothing but the vocabulary, the detectors and the masks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from engine.privacy.detectors import find_all, is_jwt
from engine.privacy.masking import is_placeholder
from engine.privacy.vocabulary import (
    CONTEXT_NAME_KEYS,
    SENSITIVE_HEADERS,
    Kind,
    classify_key,
    normalize_key,
    plausible,
)

DocType = Literal["json", "html", "form", "script", "css", "text", "binary"]
_WORD = re.compile(r"[A-Za-z]+(?:[_-][A-Za-z]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")


@dataclass(frozen=True)
class Hit:
    """One personal or secret value found in a document (never printed by the audit)."""

    kind: Kind
    value: str
    rule: str
    """How it was recognised: ``"e-mail address"``, ``"name under 'firstName'"``."""
    key: str | None = None
    offset: int | None = None
    """Where it starts in the text that was scanned, when that is known."""
    number: bool = False
    """A JSON number (its mask must stay a number)."""


def looks_like_token(value: str) -> bool:
    """Could a value under a token key be one? Not a word (``"active"``), a date, a
    boolean or a placeholder; six characters at least, no spaces."""
    text = value.strip()
    if len(text) < 6 or any(c.isspace() for c in text) or is_placeholder(text):
        return False
    if _WORD.fullmatch(text) or _DATE.fullmatch(text):
        return False
    return text.lower() not in ("true", "false", "null", "undefined", "bearer")


def rule_for(kind: Kind, key: str) -> str:
    return f"{kind.value} under '{key[:40]}'"


DETECTOR_RULES = {Kind.IBAN: "unmasked IBAN", Kind.CARD: "card number (Luhn-valid)",
                  Kind.EMAIL: "e-mail address", Kind.PHONE: "phone number",
                  Kind.ROUTING: "routing number (ABA checksum)"}
"""How the audit names what a detector found (a key-based finding names its key instead)."""


def scan_text(text: str, *, offset: int = 0) -> Iterator[Hit]:
    """Value detectors alone (free text, a path, a header value)."""
    for span in find_all(text):
        value = text[span.start:span.end]
        rule = DETECTOR_RULES.get(span.kind) or (
            "JWT-looking token" if is_jwt(value) else "bearer token")
        yield Hit(span.kind, value, rule, offset=offset + span.start)


def scan_keyed(key: str, value: str, *, person: bool = False,
               offset: int | None = None, kind: Kind | None = None) -> Iterator[Hit]:
    """A value under a key: by the key when it names personal data or a secret (and the
    value has that kind's shape), else by detectors. ``kind``: what the caller already
    knows the key means (an HTML-only hint such as ``.username``, unknown to JSON keys)."""
    kind = kind or classify_key(key)
    if kind is None and person and normalize_key(key) in CONTEXT_NAME_KEYS:
        kind = Kind.NAME
    if kind is not None and _counts(kind, value, key):
        yield Hit(kind, value, rule_for(kind, key), key, offset)
    else:
        for hit in scan_text(value):
            yield Hit(hit.kind, hit.value, hit.rule, key,
                      None if offset is None or hit.offset is None else offset + hit.offset)


def _counts(kind: Kind, value: str, key: str) -> bool:
    """Is this value, under a key of this kind, really one (see ``plausible``)?"""
    if kind is Kind.TOKEN:
        return looks_like_token(value)
    if kind is Kind.CREDENTIAL:
        return bool(value.strip()) and not is_placeholder(value)
    return plausible(kind, value, key)


def scan_pairs(pairs: Iterable[tuple[str, str]]) -> Iterator[Hit]:
    """Query parameters or form fields: by name, or by detectors."""
    for key, value in pairs:
        yield from scan_keyed(key, value)


def scan_url(url: str) -> Iterator[Hit]:
    """A URL: its path (an e-mail or an account number in a path segment) and parameters;
    ``mailto:`` and ``tel:`` links are the address itself."""
    if url.lower().startswith(("mailto:", "tel:", "sms:")):
        scheme, _, rest = url.partition(":")
        target = unquote(rest.split("?", 1)[0])
        if scheme.lower() == "mailto":
            yield from scan_text(target)
        else:
            yield from scan_keyed("phone", target)
        return
    parts = urlsplit(url)
    yield from scan_text(unquote(parts.path))
    yield from scan_pairs(parse_qsl(parts.query, keep_blank_values=True))
    if "=" in parts.fragment:
        yield from scan_pairs(parse_qsl(parts.fragment, keep_blank_values=True))


def scan_headers(headers: Mapping[str, str]) -> Iterator[Hit]:
    """Header values: by name (``X-PSU-ID``), by detectors; credential headers excluded."""
    for name, value in headers.items():
        lower = name.lower()
        if lower in SENSITIVE_HEADERS:
            continue
        if lower in ("referer", "location", "content-location", "link"):
            yield from scan_url(value)
        else:
            yield from scan_keyed(lower.removeprefix("x-"), value)


def cookie_values(name: str, value: str) -> list[str]:
    """The values a ``Cookie`` or ``Set-Cookie`` header carries (attributes excluded)."""
    out: list[str] = []
    for line in value.splitlines():
        parts = line.split(";") if name.lower() == "cookie" else line.split(";")[:1]
        for part in parts:
            _key, _, found = part.strip().partition("=")
            if found.strip('"'):
                out.append(found.strip('"'))
    return out


def authorization_token(value: str) -> str:
    """The credential of an ``Authorization`` header, without its scheme."""
    scheme, _, rest = value.strip().partition(" ")
    return rest.strip() if rest else scheme


def document_type(content_type: str, text: str = "") -> DocType:
    """What a body is, from its content type, else from its first characters."""
    ctype = content_type.split(";", 1)[0].strip().lower()
    if "json" in ctype:
        return "json"
    if "html" in ctype or ctype.endswith("xhtml+xml"):
        return "html"
    if "javascript" in ctype or "ecmascript" in ctype:
        return "script"
    if ctype == "text/css":
        return "css"
    if ctype == "application/x-www-form-urlencoded":
        return "form"
    if ctype.startswith(("image/", "font/", "audio/", "video/")) or ctype in (
            "application/octet-stream", "application/pdf", "application/wasm"):
        return "binary"
    head = text.lstrip()[:1]
    if not ctype or ctype == "text/plain":
        if head in "{[" and loads(text) is not None:
            return "json"
        if head == "<":
            return "html"
    return "text"


def loads(text: str) -> Any:
    """JSON, or None."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


__all__ = [
    "DETECTOR_RULES",
    "DocType",
    "Hit",
    "authorization_token",
    "cookie_values",
    "document_type",
    "loads",
    "looks_like_token",
    "rule_for",
    "scan_headers",
    "scan_keyed",
    "scan_pairs",
    "scan_text",
    "scan_url",
]
