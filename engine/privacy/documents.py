"""Read documents by type and say which values in them are personal data or secrets.

One reading serves both sides: the scrubbers learn every ``Hit`` and mask it, the audit
reports every ``Hit`` that is not masked. So what the audit would flag is, by construction,
what the scrubbers remove.

- **JSON**: every value by its key (``engine.privacy.vocabulary``; a bare ``name`` counts in a
  person's context), every string by the value detectors; strings holding HTML or JSON are
  read as such.
- **HTML**: text by the hints of its element and by detectors;
  attributes by their own name (``data-iban``), their element's hints (``<input name=email
  value=...>``) or detectors; links as URLs; ``<script type="application/json">`` as JSON.
  Script and style bodies are *not* read here: the site's code says ``token`` and
  ``Authorization`` without holding any (the audit looks there only for known credentials
  and tokens the recording issued).
- **URLs and form bodies**: parameters by name, values by detectors.
- **Headers**: values by the header's name and by detectors; the credential-bearing headers
  (``Cookie``, ``Authorization``...) are the recordings' concern (they are dropped whole).

JSON and HTML are read in this one module because each may hold the other (an HTML fragment
in a JSON string, a JSON data script in a page); the flat readers are in
``engine.privacy.values``. HTML is read with a small tokenizer rather than a parser, because
both users need *where* a value is in the source (the audit reports a line) and the
scrubbers replace values in place, never re-serialising a page (a re-serialised page would
no longer replay byte for byte, and every fixture would change). ``html.parser`` reports
positions only as (line, column) of events, lxml/parsel not at all. Values are read
entity-decoded; the scrubbers replace them in their raw and escaped forms (a name written
with named entities, ``Lef&egrave;vre``, is the one spelling they miss). The tokenizer is
tolerant the way browsers are: unknown or unclosed tags are fine, ``<script>``/``<style>``
bodies run to their closing tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from engine.privacy.values import (
    DETECTOR_RULES,
    DocType,
    Hit,
    authorization_token,
    cookie_values,
    document_type,
    loads,
    looks_like_token,
    rule_for,
    scan_headers,
    scan_keyed,
    scan_pairs,
    scan_text,
    scan_url,
)
from engine.privacy.vocabulary import (
    Kind,
    classify_hint,
    classify_key,
    normalize_key,
    person_object,
    plausible,
    profile_path,
)

_MAX_DEPTH = 4


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
        return scan_html(value, depth=depth + 1)
    return None


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
        yield from scan_html(text)
    elif kind == "form":
        yield from scan_pairs(parse_qsl(text, keep_blank_values=True))
    elif kind == "text":
        yield from scan_text(text)


# ----------------------------------------------------------------------------- HTML

_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>|<\?[^>]*>"
                  r"|<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATTR = re.compile(r"""([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_RAW = frozenset({"script", "style", "textarea", "title", "xmp", "noembed", "noframes"})
_DATA_SCRIPT = re.compile(r"(?i)json")
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "data", "poster", "cite",
                        "background", "ping"})
_TEXT_ATTRS = frozenset({"title", "alt", "placeholder", "aria-label", "label", "summary",
                         "aria-description", "content", "value"})
_HINT_ATTRS = ("id", "name", "itemprop", "data-testid", "data-test", "data-qa", "data-field")
_INPUT_TYPES = {"email": Kind.EMAIL, "tel": Kind.PHONE}
_SPACES = re.compile(r"\s+")


@dataclass
class _Open:
    tag: str
    kind: Kind | None
    hint: str
    texts: list[tuple[str, int]] = field(default_factory=list)


def attributes(tag_body: str, offset: int) -> Iterator[tuple[str, str, int]]:
    """(lower-cased name, raw value, offset of the value) of a start tag's attributes."""
    for match in _ATTR.finditer(tag_body):
        for group in (2, 3, 4):
            if match.group(group) is not None:
                yield match.group(1).lower(), match.group(group), offset + match.start(group)
                break
        else:
            yield match.group(1).lower(), "", offset + match.end()


def element_kind(attrs: dict[str, str], tag: str) -> tuple[Kind | None, str]:
    """What an element's own hints (class tokens, id, name, autocomplete...) say it holds."""
    hints = [attrs[a] for a in _HINT_ATTRS if attrs.get(a)]
    hints += attrs.get("class", "").split()
    hints += attrs.get("autocomplete", "").split()
    for hint in hints:
        kind = classify_hint(hint)
        if kind is not None:
            return kind, hint
    if tag == "input" and attrs.get("type", "").lower() in _INPUT_TYPES:
        return _INPUT_TYPES[attrs["type"].lower()], attrs["type"].lower()
    return None, ""


def scan_html(text: str, *, depth: int = 0) -> Iterator[Hit]:
    """Every personal value in an HTML document's text and attributes (code excluded)."""
    stack: list[_Open] = []
    position = 0
    while position < len(text):
        match = _TAG.search(text, position)
        end = match.start() if match else len(text)
        if end > position:
            yield from _text(text[position:end], position, stack)
        if match is None:
            break
        position = match.end()
        closing, name = match.group(1), (match.group(2) or "").lower()
        if not name:
            continue  # comment, doctype, processing instruction
        if closing:
            yield from _close(stack, name)
            continue
        body = match.group(3) or ""
        attrs_list = list(attributes(body, match.start(3) if match.group(3) else position))
        attrs = {n: html.unescape(v) for n, v, _o in attrs_list}
        kind, hint = element_kind(attrs, name)
        yield from _attributes(attrs_list, kind, hint)
        if name in _RAW:
            close = re.compile(rf"</{name}\s*>", re.I).search(text, position)
            stop = close.start() if close else len(text)
            content = text[position:stop]
            if name == "script" and _DATA_SCRIPT.search(attrs.get("type", "")):
                data = loads(html.unescape(content))
                for hit in scan_json(data) if data is not None else ():
                    yield Hit(hit.kind, hit.value, hit.rule, hit.key, position)
            elif name in ("title", "textarea"):
                own = _Open(name, kind, hint)
                yield from _text(content, position, [own])
                yield from _element_hits(own)
            position = close.end() if close else len(text)
            continue
        if name not in _VOID and not body.rstrip().endswith("/"):
            stack.append(_Open(name, kind, hint))


def _text(raw: str, offset: int, stack: list[_Open]) -> Iterator[Hit]:
    if not raw.strip():
        return
    for open_ in stack:
        if open_.kind is not None and not open_.kind.secret:
            open_.texts.append((raw, offset))
    for hit in scan_text(html.unescape(raw)):
        yield Hit(hit.kind, hit.value, hit.rule, offset=offset)


def _close(stack: list[_Open], name: str) -> Iterator[Hit]:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].tag == name:
            for open_ in reversed(stack[index:]):
                yield from _element_hits(open_)
            del stack[index:]
            return


def _element_hits(open_: _Open) -> Iterator[Hit]:
    """The text of an element whose hints name a kind: the whole of it, and each part.
    Not for secrets: a password or a token is never shown as text, so the text of a
    ``#code-secret`` keypad or an ``#otp`` form is its labels and instructions."""
    if open_.kind is None or open_.kind.secret or not open_.texts:
        return
    parts = [(_SPACES.sub(" ", html.unescape(raw)).strip(), offset)
             for raw, offset in open_.texts]
    parts = [(p, o) for p, o in parts if p]
    whole = " ".join(p for p, _o in parts)
    seen = set()
    for value, offset in [(whole, parts[0][1] if parts else None), *parts]:
        if value and value not in seen:
            seen.add(value)
            yield from scan_keyed(open_.hint, value, person=True, offset=offset,
                                  kind=open_.kind)


def _attributes(attrs: list[tuple[str, str, int]], kind: Kind | None,
                hint: str) -> Iterator[Hit]:
    for name, raw, offset in attrs:
        if not raw:
            continue
        value = html.unescape(raw)
        if name.startswith("data-") and classify_hint(name[5:]) is not None:
            found = scan_keyed(name[5:], value, offset=offset)
        elif name in ("value", "content") and kind is not None:
            found = scan_keyed(hint, value, person=True, offset=offset)
        elif name in _URL_ATTRS:
            found = (Hit(h.kind, h.value, h.rule, h.key, offset) for h in scan_url(value))
        elif name in _TEXT_ATTRS or name.startswith("data-"):
            found = scan_text(value, offset=offset)
        else:
            continue
        yield from found


__all__ = [
    "DETECTOR_RULES",
    "DocType",
    "Hit",
    "attributes",
    "authorization_token",
    "cookie_values",
    "document_type",
    "element_kind",
    "loads",
    "looks_like_token",
    "rule_for",
    "scan_body",
    "scan_headers",
    "scan_html",
    "scan_json",
    "scan_keyed",
    "scan_pairs",
    "scan_text",
    "scan_url",
]
