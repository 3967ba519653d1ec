"""Read documents by type and say which values in them are personal data or secrets.

One reading serves both sides: the scrubbers learn every ``Hit`` and mask it, the audit
reports every ``Hit`` that is not masked. So what the audit would flag is, by construction,
what the scrubbers remove.

- **JSON**: every value by its key (``engine.privacy.vocabulary``; a bare ``name`` counts in a
  person's context), every string by the value detectors; strings holding HTML or JSON are
  read as such.
- **HTML** (``engine.privacy.html``): text by the hints of its element and by detectors;
  attributes by their own name (``data-iban``), their element's hints (``<input name=email
  value=...>``) or detectors; links as URLs; ``<script type="application/json">`` as JSON.
  Script and style bodies are *not* read here: the site's code says ``token`` and
  ``Authorization`` without holding any (the audit looks there only for known credentials
  and tokens the recording issued).
- **URLs and form bodies**: parameters by name, values by detectors.
- **Headers**: values by the header's name and by detectors; the credential-bearing headers
  (``Cookie``, ``Authorization``...) are the recordings' concern (they are dropped whole).
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
    person_object,
    plausible,
    profile_path,
)

DocType = Literal["json", "html", "form", "script", "css", "text", "binary"]
_WORD = re.compile(r"[A-Za-z]+(?:[_-][A-Za-z]+)*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
_MAX_DEPTH = 4


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


def scan_json(data: Any, *, path: str = "", depth: int = 0) -> Iterator[Hit]:
    """Every personal value of a parsed JSON document (``path``: the URL it answered)."""
    yield from _walk_json(data, "", profile_path(path) if path else False, depth)


def _walk_json(node: Any, key: str, person: bool, depth: int) -> Iterator[Hit]:
    if isinstance(node, dict):
        here = person or person_object(node)
        joined = _full_name(node)
        if joined:
            yield Hit(Kind.NAME, joined, "name (first and last)")
        for k, v in node.items():
            yield from scan_text(str(k))
            yield from _walk_json(v, str(k), here, depth)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_json(item, key, person, depth)
    elif isinstance(node, str):
        nested = _nested(node, depth)
        if nested is not None:
            yield from nested
        elif key:
            yield from scan_keyed(key, node, person=person)
        else:
            yield from scan_text(node)
    elif isinstance(node, int) and not isinstance(node, bool) and key:
        kind = classify_key(key)
        if kind is not None and not kind.secret and plausible(kind, str(node), key):
            yield Hit(kind, str(node), rule_for(kind, key), key, number=True)


def _full_name(obj: Mapping[str, Any]) -> str | None:
    """"First Last" of an object holding both parts: sites print the two joined."""
    first = last = None
    for key, value in obj.items():
        norm = normalize_key(str(key))
        if isinstance(value, str) and value.strip():
            if norm in ("firstname", "givenname", "prenom", "forename"):
                first = value.strip()
            elif norm in ("lastname", "surname", "familyname", "nom"):
                last = value.strip()
    return f"{first} {last}" if first and last else None


def _nested(value: str, depth: int) -> Iterator[Hit] | None:
    """A string that is itself a document (an HTML fragment, a JSON string) is read as one."""
    if depth >= _MAX_DEPTH or len(value) < 2:
        return None
    head = value.lstrip()[:1]
    if head in "{[":
        parsed = loads(value)
        if isinstance(parsed, dict | list):
            return _walk_json(parsed, "", False, depth + 1)
    if head == "<" and ">" in value:
        from engine.privacy.html import scan_html

        return scan_html(value, depth=depth + 1)
    return None


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


def scan_body(text: str, content_type: str = "", *, url: str = "") -> Iterator[Hit]:
    """A request or response body, read as what it is."""
    kind = document_type(content_type, text)
    if kind == "json":
        data = loads(text)
        if data is not None:
            yield from scan_json(data, path=urlsplit(url).path if url else "")
            return
        kind = "text"
    if kind == "html":
        from engine.privacy.html import scan_html

        yield from scan_html(text)
    elif kind == "form":
        yield from scan_pairs(parse_qsl(text, keep_blank_values=True))
    elif kind == "text":
        yield from scan_text(text)


def loads(text: str) -> Any:
    """JSON, or None."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


__all__ = [
    "DocType",
    "Hit",
    "authorization_token",
    "cookie_values",
    "document_type",
    "loads",
    "looks_like_token",
    "rule_for",
    "scan_body",
    "scan_headers",
    "scan_json",
    "scan_keyed",
    "scan_pairs",
    "scan_text",
    "scan_url",
]
