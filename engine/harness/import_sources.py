"""What ``engine import`` reads: pages saved from a browser and answers saved from anywhere.

- a page saved with "Save page as…" (HTML only, or "Webpage, complete" with its ``_files``
  folder): the page's address is in the ``<!-- saved from url=(0042)https://… -->`` comment
  browsers write, else ``<base href>``, ``<link rel=canonical>`` or ``og:url``;
- a page saved as a single file (``.mhtml``/``.mht``, Chrome's "Webpage, Single File"): the
  first HTML part and its ``Content-Location``;
- a folder of any of these (assets — scripts, stylesheets, images — are ignored);
- a HAR file exported from a browser's DevTools: every HTML, JSON, XML and OFX answer in it;
- a JSON answer, an OFX (1.x SGML or 2.x XML) or XML (camt.053) download.

Nothing is scrubbed here: ``importer.py`` scrubs everything before a byte is written.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.harness.har import read_entries

DOCUMENT_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".json": "json",
                     ".ofx": "ofx", ".qfx": "ofx", ".xml": "xml", ".har": "har",
                     ".mhtml": "mhtml", ".mht": "mhtml"}
MAX_BYTES = 20_000_000
SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.IGNORECASE)
URL_HINTS = (re.compile(r"<base\s[^>]*href=[\"']([^\"']+)", re.IGNORECASE),
             re.compile(r"<link\s[^>]*rel=[\"']canonical[\"'][^>]*href=[\"']([^\"']+)",
                        re.IGNORECASE),
             re.compile(r"<meta\s[^>]*property=[\"']og:url[\"'][^>]*content=[\"']([^\"']+)",
                        re.IGNORECASE))


class ImportError_(ValueError):
    """A source that cannot be read (the message names it and says why)."""


@dataclass
class Source:
    """One document to import."""

    name: str
    """Where it came from: a file, or ``file.har: GET https://…``."""
    url: str
    """The page's own address ('' when nothing says it)."""
    kind: str
    """html, json, xml or ofx."""
    text: str
    exchange: dict[str, Any] | None = None
    """The HAR exchange it was read from, if any."""
    notes: list[str] = field(default_factory=list)


def sniff(text: str) -> str:
    head = text.lstrip()[:400]
    if head.startswith(("{", "[")):
        return "json"
    if "OFXHEADER" in head or head.upper().startswith("<OFX>"):
        return "ofx"
    if head.startswith("<?xml") and "<html" not in head.lower():
        return "ofx" if "<OFX>" in text[:2000].upper() else "xml"
    return "html"


def page_url(html: str) -> str:
    """The address a saved page says it came from ('' when it does not say)."""
    found = SAVED_FROM.search(html[:4096])
    if found:
        return found.group(1)
    for pattern in URL_HINTS:
        found = pattern.search(html[:20000])
        if found:
            return found.group(1)
    return ""


def _read(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportError_(f"{path}: {size} bytes, more than the {MAX_BYTES} an import reads")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{path}: not text")  # pragma: no cover - latin-1 decodes anything


def from_mhtml(path: Path) -> list[Source]:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            text = part.get_content()
            url = str(part.get("Content-Location") or "") or page_url(str(text))
            return [Source(str(path), url, "html", str(text))]
    raise ImportError_(f"{path}: no HTML part in this MHTML file")


def from_har(path: Path) -> list[Source]:
    try:
        document = json.loads(_read(path))
        exchanges = read_entries(document)
    except ValueError as exc:
        raise ImportError_(f"{path}: not a HAR file ({exc})") from None
    out = []
    for exchange in exchanges:
        body = exchange.get("body")
        status = int(exchange.get("status") or 0)
        if not isinstance(body, str) or not 200 <= status < 300 or not body.strip():
            continue
        ctype = {k.lower(): v for k, v in exchange["headers"].items()}.get("content-type", "")
        kind = ("json" if "json" in ctype else "html" if "html" in ctype else
                "ofx" if "ofx" in ctype else "xml" if "xml" in ctype else "")
        if kind:
            out.append(Source(f"{path.name}: {exchange['method']} {exchange['url']}",
                              str(exchange["url"]), kind, body, exchange))
    if not out:
        raise ImportError_(f"{path}: the HAR holds no HTML, JSON, XML or OFX answer")
    return out


def from_file(path: Path) -> list[Source]:
    kind = DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if kind == "har":
        return from_har(path)
    if kind == "mhtml":
        return from_mhtml(path)
    text = _read(path)
    kind = kind if kind in ("json", "ofx", "xml") else sniff(text)
    return [Source(str(path), page_url(text) if kind == "html" else "", kind, text)]


def read_sources(paths: list[Path]) -> list[Source]:
    """Every document under ``paths`` (files and folders), in a stable order."""
    out: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file()
                           and p.suffix.lower() in DOCUMENT_SUFFIXES
                           and not any(part.endswith("_files") for part in p.parts))
            if not files:
                raise ImportError_(f"{path}: no saved page (.html, .mhtml), HAR, JSON, OFX "
                                   "or XML file in this folder")
            for file in files:
                out.extend(from_file(file))
        elif path.is_file():
            out.extend(from_file(path))
        else:
            raise ImportError_(f"{path}: no such file or folder")
    return out


__all__ = ["ImportError_", "Source", "page_url", "read_sources", "sniff"]
