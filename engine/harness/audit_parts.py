"""Split a fixture file into the parts the audit reads, each with its document type.

A recording is many documents in one file: each exchange's URL, request and response
headers, posted body and answer, each with its own type (an HTML page, a JSON answer, a
script). This module knows the containers: the harness's ``exchanges.json``, HAR 1.2 files
(``log.entries``, also inside ``.json``), vcrpy cassettes (``interactions``), and plain files
(``expected.json``, snapshots that are HTML or JSON, ``.js``, text). A part records where in
the file it starts, so a finding can name a line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from engine.privacy.documents import document_type, loads


@dataclass
class Part:
    doc: str
    """``url``, ``headers``, or a document type (``json``, ``html``, ``script``...)."""
    text: str
    start: int = 0
    """Where the part (or the record holding it) starts in the file."""
    direct: bool = False
    """The text is the file's own text from ``start``: offsets in it map to lines."""
    content_type: str = ""
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    placeholders: tuple[str, ...] = ()
    """Values this file declares as stand-ins (``meta.json`` credentials, one-time code)."""
    hits: list[Any] | None = None
    """What ``engine.privacy`` found in it, once computed (the audit reads each part twice)."""


def file_parts(path: Path, text: str) -> Iterator[Part]:
    suffix = path.suffix.lower()
    if suffix in (".js", ".mjs"):
        yield Part("script", text, direct=True)
        return
    if suffix in (".html", ".htm"):
        doc = "json" if text.lstrip()[:1] in "{[" and loads(text) is not None else "html"
        yield Part(doc, text, direct=True, content_type=f"application/{doc}")
        return
    if suffix in (".json", ".har"):
        data = loads(text)
        if data is None:
            yield Part("text", text, direct=True)
        elif _is_exchanges(data):
            yield from _exchanges(data, text)
        elif isinstance(data, dict) and isinstance(data.get("log"), dict):
            yield from _har(data["log"], text)
        else:
            yield Part("json", text, direct=True, content_type="application/json",
                       placeholders=_declared(data) if path.name == "meta.json" else ())
        return
    if suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("interactions"), list):
            yield from _cassette(data["interactions"], text)
        elif isinstance(data, dict | list):
            yield Part("json", json.dumps(data, ensure_ascii=False),
                       content_type="application/json")
        else:
            yield Part("text", text, direct=True)
        return
    yield Part("text", text, direct=True)


def _declared(meta: Any) -> tuple[str, ...]:
    if not isinstance(meta, dict):
        return ()
    values = [*(meta.get("credentials") or {}).values(), meta.get("otp_code")]
    return tuple(str(v) for v in values if isinstance(v, str) and v)


def _is_exchanges(data: Any) -> bool:
    return isinstance(data, list) and bool(data) and all(
        isinstance(e, dict) and "url" in e and "method" in e for e in data)


def _record(start: int, url: str, method_headers: Mapping[str, str], post: str | None,
            post_type: str, headers: Mapping[str, str], body: str | None,
            body_type: str) -> Iterator[Part]:
    """The parts of one request/response pair."""
    yield Part("url", url, start)
    yield _headers(method_headers, start)
    if post:
        ctype = post_type or ("application/json" if loads(post) is not None
                              else "application/x-www-form-urlencoded")
        yield Part(document_type(ctype, post), post, start, content_type=ctype, url=url)
    yield _headers(headers, start)
    if body:
        yield Part(document_type(body_type, body), body, start, content_type=body_type, url=url)


def _headers(headers: Mapping[str, str], start: int) -> Part:
    return Part("headers", "\n".join(f"{k}: {v}" for k, v in headers.items()), start,
                headers=dict(headers))


def _exchanges(data: list[dict[str, Any]], text: str) -> Iterator[Part]:
    anchor = 0
    for number, ex in enumerate(data, 1):
        found = text.find(f'"seq": {ex.get("seq", number)}', anchor)
        anchor = found if found >= 0 else anchor
        request_headers = _str_map(ex.get("request_headers"))
        headers = _str_map(ex.get("headers"))
        body = ex.get("body") if isinstance(ex.get("body"), str) else None
        if body is None and isinstance(ex.get("body_b64"), str):
            body = _b64_text(ex["body_b64"])
        yield from _record(anchor, str(ex.get("url", "")), request_headers,
                           ex.get("post_data") if isinstance(ex.get("post_data"), str) else None,
                           _ctype(request_headers), headers, body, _ctype(headers))
        for key in ("final_url", "redirected_from"):
            if isinstance(ex.get(key), str):
                yield Part("url", ex[key], anchor)


def _har(log: dict[str, Any], text: str) -> Iterator[Part]:
    anchor = 0
    for entry in log.get("entries") or []:
        if not isinstance(entry, dict):
            continue
        found = text.find('"request"', anchor + 1)
        anchor = found if found >= 0 else anchor
        request, response = entry.get("request") or {}, entry.get("response") or {}
        post = request.get("postData") or {}
        content = response.get("content") or {}
        body = content.get("text") if isinstance(content.get("text"), str) else None
        if body is not None and content.get("encoding") == "base64":
            body = _b64_text(body)
        yield from _record(anchor, str(request.get("url", "")), _har_headers(request),
                           post.get("text") if isinstance(post.get("text"), str) else None,
                           str(post.get("mimeType", "")), _har_headers(response), body,
                           str(content.get("mimeType", "")))


def _cassette(interactions: list[Any], text: str) -> Iterator[Part]:
    anchor = 0
    for item in interactions:
        if not isinstance(item, dict):
            continue
        found = text.find("request:", anchor + 1)
        anchor = found if found >= 0 else anchor
        request, response = item.get("request") or {}, item.get("response") or {}
        request_headers = _vcr_headers(request.get("headers"))
        headers = _vcr_headers(response.get("headers"))
        body = (response.get("body") or {}).get("string")
        yield from _record(anchor, str(request.get("uri", "")), request_headers,
                           _text(request.get("body")), _ctype(request_headers), headers,
                           _text(body), _ctype(headers))


def _str_map(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _har_headers(message: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for header in message.get("headers") or []:
        if isinstance(header, dict) and "name" in header:
            name = str(header["name"])
            value = str(header.get("value", ""))
            out[name] = f"{out[name]}\n{value}" if name in out else value
    return out


def _vcr_headers(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): "\n".join(map(str, v)) if isinstance(v, list) else str(v)
            for k, v in value.items()}


def _ctype(headers: Mapping[str, str]) -> str:
    return next((v for k, v in headers.items() if k.lower() == "content-type"), "")


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        with contextlib.suppress(UnicodeDecodeError):
            return value.decode("utf-8")
        return None
    return value if isinstance(value, str) else None


def _b64_text(value: str) -> str | None:
    with contextlib.suppress(binascii.Error, ValueError, UnicodeDecodeError):
        return base64.b64decode(value).decode("utf-8")
    return None


__all__ = ["Part", "file_parts"]
