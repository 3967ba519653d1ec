"""HTML read by part: text nodes, attribute values, links, data scripts; code skipped.

A small tokenizer rather than an HTML parser, because both users need *where* a value is in
the source (the audit reports a line) and the scrubbers replace values in place, never
re-serialising a page (a re-serialised page would no longer replay byte for byte, and every
fixture would change). ``html.parser`` reports positions only as (line, column) of events,
lxml/parsel not at all. Values are read entity-decoded; the scrubbers replace them in their
raw and escaped forms (a name written with named entities, ``Lef&egrave;vre``, is the one
spelling they miss). The tokenizer is tolerant the way browsers are: unknown or unclosed
tags are fine, ``<script>``/``<style>`` bodies run to their closing tag.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from engine.privacy.documents import (
    Hit,
    loads,
    scan_json,
    scan_keyed,
    scan_text,
    scan_url,
)
from engine.privacy.vocabulary import Kind, classify_hint

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


__all__ = ["attributes", "element_kind", "scan_html"]
