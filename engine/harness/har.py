"""The network part of a fixture as HAR 1.2, so a recording opens in a browser's DevTools
(Network panel → Import HAR) and in every other HTTP tool.

The harness works on *exchanges* (one dict per request: ``seq``, ``method``, ``url``
origin-relative for the institution's own origin, ``resource_type``, ``via``,
``request_headers``, ``post_data``, ``status``, ``headers``, ``body`` | ``body_b64`` |
``body_ref`` | ``skipped``, ``final_url``, ``redirected_from``). This module maps them to HAR
entries and back. What HAR has no field for goes under ``_`` keys, as the format allows and as
Chrome itself does (``_resourceType``):

=================  ==========================================================
``_seq``           order of the request in the sync
``_resourceType``  Chromium's resource type (document, script, xhr, fetch...)
``_via``           who asked: ``browser``, the engine's ``fetch``, or a ``redirect`` hop
``_redirectedFrom`` the URL whose redirect led here
``_finalUrl``      where a ``fetch`` ended after following redirects
``_bodyRef``       the body is the same as entry ``_seq`` N's (scripts on every page)
``_skipped``       an asset nobody reads (image, font, stylesheet): no body kept
``_error``         (response) why a request got no answer (status 0)
=================  ==========================================================

A HAR saved from DevTools has none of them; ``read_entries`` then derives what it can
(``_resourceType`` is Chrome's own; ``via`` is ``browser``).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from engine import __version__

HAR_FILE = "recording.har"
LEGACY_FILE = "exchanges.json"
STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 301: "Moved Permanently",
               302: "Found", 303: "See Other", 304: "Not Modified", 307: "Temporary Redirect",
               308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
               403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
               500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
Exchange = dict[str, Any]


def _pairs(headers: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"name": str(k), "value": str(v)} for k, v in (headers or {}).items()]


def _mapping(pairs: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        if isinstance(pair, dict) and "name" in pair:
            out[str(pair["name"])] = str(pair.get("value", ""))
    return out


def absolute(url: str, base: str) -> str:
    return url if urlsplit(url).scheme else base.rstrip("/") + (url if url.startswith("/")
                                                                 else "/" + url)


def relative(url: str, base: str) -> str:
    base = base.rstrip("/")
    if base and (url.startswith(base + "/") or url == base):
        return url[len(base):] or "/"
    return url


def to_entry(exchange: Exchange, base: str, started: str) -> dict[str, Any]:
    """One exchange as a HAR entry (URLs made absolute against the recording's origin)."""
    url = absolute(str(exchange["url"]), base)
    request_headers = dict(exchange.get("request_headers") or {})
    headers = dict(exchange.get("headers") or {})
    lower = {k.lower(): v for k, v in headers.items()}
    request: dict[str, Any] = {
        "method": exchange["method"], "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _pairs(request_headers),
        "queryString": [{"name": k, "value": v} for k, v in
                        parse_qsl(urlsplit(url).query, keep_blank_values=True)],
        "headersSize": -1, "bodySize": len(exchange.get("post_data") or "")}
    if exchange.get("post_data") is not None:
        ctype = next((v for k, v in request_headers.items() if k.lower() == "content-type"),
                     "application/x-www-form-urlencoded")
        request["postData"] = {"mimeType": ctype, "text": exchange["post_data"]}
    content: dict[str, Any] = {"size": 0, "mimeType": lower.get("content-type", "")}
    if exchange.get("body") is not None:
        content["text"] = exchange["body"]
        content["size"] = len(str(exchange["body"]).encode("utf-8"))
    elif exchange.get("body_b64"):
        content.update(text=exchange["body_b64"], encoding="base64")
        content["size"] = len(exchange["body_b64"]) * 3 // 4
    status = int(exchange.get("status") or 0)
    response: dict[str, Any] = {
        "status": status, "statusText": STATUS_TEXT.get(status, ""),
        "httpVersion": "HTTP/1.1", "cookies": [], "headers": _pairs(headers),
        "content": content, "redirectURL": lower.get("location", ""), "headersSize": -1,
        "bodySize": -1}
    if not status:
        response["_error"] = "net::ERR_FAILED"
    entry: dict[str, Any] = {
        "startedDateTime": started, "time": 0, "request": request, "response": response,
        "cache": {}, "timings": {"send": 0, "wait": 0, "receive": 0},
        "_seq": exchange.get("seq"), "_resourceType": exchange.get("resource_type", "other"),
        "_via": exchange.get("via", "browser")}
    for key, har_key in (("redirected_from", "_redirectedFrom"), ("final_url", "_finalUrl"),
                         ("body_ref", "_bodyRef"), ("skipped", "_skipped")):
        if exchange.get(key) is not None:
            value = exchange[key]
            entry[har_key] = absolute(value, base) if key in ("redirected_from",
                                                              "final_url") else value
    return entry


def har_document(exchanges: list[Exchange], base: str, started: str | None = None,
                 comment: str = "") -> dict[str, Any]:
    stamp = started or datetime.now(UTC).isoformat(timespec="milliseconds")
    return {"log": {
        "version": "1.2", "creator": {"name": "bank-sync-engine", "version": __version__},
        "comment": comment, "pages": [],
        "entries": [to_entry(e, base, stamp) for e in exchanges]}}


def write_har(path: Path, exchanges: list[Exchange], base: str, *, started: str | None = None,
              comment: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(har_document(exchanges, base, started, comment), indent=1,
                               ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def from_entry(entry: dict[str, Any], number: int, base: str) -> Exchange:
    """One HAR entry (ours or a browser's) as an exchange, URLs origin-relative to ``base``."""
    request, response = entry.get("request") or {}, entry.get("response") or {}
    content = response.get("content") or {}
    out: Exchange = {
        "seq": entry.get("_seq") or number, "method": str(request.get("method", "GET")).upper(),
        "url": relative(str(request.get("url", "")), base),
        "resource_type": entry.get("_resourceType") or "other",
        "via": entry.get("_via") or "browser",
        "request_headers": _mapping(request.get("headers")),
        "post_data": (request.get("postData") or {}).get("text"),
        "status": int(response.get("status") or 0),
        "headers": _mapping(response.get("headers"))}
    if "content-type" not in {k.lower() for k in out["headers"]} and content.get("mimeType"):
        out["headers"]["content-type"] = str(content["mimeType"])
    for har_key, key in (("_redirectedFrom", "redirected_from"), ("_finalUrl", "final_url")):
        if entry.get(har_key):
            out[key] = relative(str(entry[har_key]), base)
    if entry.get("_skipped"):
        out["skipped"] = True
    elif entry.get("_bodyRef") is not None:
        out["body_ref"] = entry["_bodyRef"]
    elif content.get("text") is not None:
        if content.get("encoding") == "base64":
            out["body_b64"] = str(content["text"])
        else:
            out["body"] = str(content["text"])
    return out


def exchange_html(exchange: Exchange) -> str | None:
    """The body of an HTML response, or None for anything else (JSON, images, redirects)."""
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    if "html" not in headers.get("content-type", ""):
        return None
    if exchange.get("body") is not None:
        return str(exchange["body"])
    if exchange.get("body_b64"):
        return base64.b64decode(exchange["body_b64"]).decode("utf-8", errors="replace")
    return None


def read_entries(document: Any, base: str = "") -> list[Exchange]:
    """Exchanges of a parsed HAR document; ``base`` is the origin made relative."""
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise ValueError("not a HAR file: no log.entries")
    return [from_entry(e, n, base) for n, e in enumerate(entries, 1) if isinstance(e, dict)]


def read_exchanges(folder: Path, base: str = "") -> list[Exchange]:
    """A fixture's exchanges, from ``recording.har`` (or a pre-HAR ``exchanges.json``)."""
    har = folder / HAR_FILE
    if har.exists():
        if not base:
            meta = folder / "meta.json"
            if meta.exists():
                base = str(json.loads(meta.read_text("utf-8")).get("base_url") or "")
        return read_entries(json.loads(har.read_text(encoding="utf-8")), base)
    legacy = folder / LEGACY_FILE
    if legacy.exists():
        data = json.loads(legacy.read_text(encoding="utf-8"))
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []
    return []


def write_exchanges(folder: Path, exchanges: list[Exchange], base: str) -> Path:
    """Replace a fixture's network part (tests and mutations edit exchanges, then save)."""
    legacy = folder / LEGACY_FILE
    if legacy.exists():
        legacy.unlink()
    return write_har(folder / HAR_FILE, exchanges, base)


__all__ = ["HAR_FILE", "LEGACY_FILE", "absolute", "exchange_html", "from_entry", "har_document",
           "read_entries", "read_exchanges", "relative", "to_entry", "write_exchanges",
           "write_har"]
