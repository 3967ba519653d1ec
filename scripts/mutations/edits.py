"""What a mutation is, and the edits mutations are made of.

A mutation edits every document of a scenario the same way — the saved snapshots (the pages
as the recipe read them) *and* the recording's answers (HTML pages and fragments, JSON and
XML answers, OFX files, the single-page app's JavaScript) — so the check (snapshots, no
browser) and the replay (the real browser on the recording) see the same site change. An
edit is a function of one document (``Doc``) returning its new text; documents it does not
concern come back unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Doc:
    """One document of a scenario, as a mutation sees it."""

    kind: str
    """html (a server page or fragment), shell (a single-page app's HTML), json (an answer),
    js (a script), xml (camt.053, OFX 2), ofx (OFX 1 SGML)."""
    url: str
    text: str
    stage: str | None = None
    page: int | None = None


Edit = Callable[[Doc], str]
MARKUP = ("html", "shell")
FILES = ("xml", "ofx")


@dataclass(frozen=True)
class Mutation:
    name: str
    fixture: str
    """``<institution>/<scenario>`` under fixtures/."""
    category: str
    """breaking, innocuous or data."""
    kind: str
    """rename, move, format, rows, next, json_key, xml, sign, noise..."""
    edit: Edit
    expect: tuple[str, ...] = ()
    """For breaking and data mutations: one of these must be in the first line."""
    recipe: str | None = None
    """The recipe (default: the fixture's institution)."""

    @property
    def repairable(self) -> bool:
        """A renamed or moved element, key or header: ``--suggest`` should repair it."""
        return self.kind in ("rename", "move")

    @property
    def site(self) -> str:
        return self.fixture.split("/")[0]


def wanted(doc: Doc, kinds: tuple[str, ...], urls: str | None,
           stage: str | None = None) -> bool:
    """Whether an edit concerns this document: its kind, its URL, its stage."""
    return doc.kind in kinds and (urls is None or re.search(urls, doc.url) is not None) and (
        stage is None or doc.stage in (None, stage))


def both(*edits: Edit) -> Edit:
    """Several edits of one site change, applied in order."""
    def edit(doc: Doc) -> str:
        for one in edits:
            doc = Doc(doc.kind, doc.url, one(doc), doc.stage, doc.page)
        return doc.text
    return edit


# ----------------------------------------------------------------------------- markup

def _class_token(text: str, old: str, new: str) -> str:
    def swap(match: re.Match[str]) -> str:
        tokens = [new if t == old else t for t in match.group(2).split()]
        return f'{match.group(1)}"{" ".join(tokens)}"'
    return re.sub(r'(class=)"([^"]*)"', swap, text)


_JS_CLASS = re.compile(r"""(class: )('[^']*'|`[^`]*`)""")


def _js_class_token(text: str, old: str, new: str) -> str:
    """A class renamed in a script's view code (``class: 'mov-valor'``, ``class: `mov ${…}```),
    whole tokens only (``mov`` is not ``mov-valor``)."""
    token = re.compile(rf"(?<![\w$-]){re.escape(old)}(?![\w-])")
    return _JS_CLASS.sub(lambda m: m.group(1) + token.sub(new, m.group(2)), text)


def rename_class(old: str, new: str, *, stage: str | None = None,
                 urls: str | None = None) -> Edit:
    """A class renamed in the pages and in a single-page app's view code."""
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return _js_class_token(doc.text, old, new)
        if not wanted(doc, MARKUP, urls, stage):
            return doc.text
        return _class_token(doc.text, old, new)
    return edit


def rename_id(old: str, new: str) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return doc.text.replace(f"id: '{old}'", f"id: '{new}'")
        if doc.kind not in MARKUP:
            return doc.text
        return re.sub(rf'\bid="{re.escape(old)}"', f'id="{new}"', doc.text)
    return edit


def rename_attr(attr: str, old: str, new: str, *, urls: str | None = None) -> Edit:
    """An attribute value renamed (``data-testid="txn-row"``) in the pages and wherever a
    script looks the element up by it (``[data-testid="recent-rows"]``)."""
    pattern = re.compile(rf'({re.escape(attr)}=)(["\']){re.escape(old)}\2')

    def edit(doc: Doc) -> str:
        if doc.kind == "js" or wanted(doc, MARKUP, urls):
            return pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{new}{m.group(2)}",
                               doc.text)
        return doc.text
    return edit


def rename_name(old: str, new: str) -> Edit:
    """An input's ``name`` renamed (a single-page app's field table)."""
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return re.sub(rf"\b(email|password|otp): '{re.escape(old)}'", rf"\1: '{new}'",
                          doc.text, count=1)
        if doc.kind == "html":
            return re.sub(rf'\bname="{re.escape(old)}"', f'name="{new}"', doc.text)
        return doc.text
    return edit


def html_sub(pattern: str, replacement: str | Callable[[re.Match[str]], str], *,
             urls: str | None = None, flags: int = re.S, count: int = 0,
             kinds: tuple[str, ...] = MARKUP) -> Edit:
    def edit(doc: Doc) -> str:
        if not wanted(doc, kinds, urls):
            return doc.text
        return re.sub(pattern, replacement, doc.text, flags=flags, count=count)
    return edit


def js_sub(pattern: str, replacement: str | Callable[[re.Match[str]], str], *,
           urls: str | None = None) -> Edit:
    """The same site change in the app's scripts (``urls``: which script files)."""
    return html_sub(pattern, replacement, urls=urls, kinds=("js",))


def cells(css_class: str, change: Callable[[str], str], *, urls: str | None = None,
          tag: str = "td") -> Edit:
    """Rewrite the text of every ``<td class="css_class">`` (values in a new format); the
    class may be one of several the cell has."""
    return html_sub(rf'(<{tag} class="(?:[^"]* )?{css_class}(?: [^"]*)?"[^>]*>)(.*?)(</{tag}>)',
                    lambda m: m.group(1) + change(m.group(2)) + m.group(3), urls=urls)


def attr_text(attr: str, value: str, change: Callable[[str], str], *,
              urls: str | None = None) -> Edit:
    """Rewrite the text of every element carrying ``attr="value"`` (no nested element of the
    same tag inside)."""
    return html_sub(rf'(<(\w+)\b[^>]*\b{attr}="{re.escape(value)}"[^>]*>)(.*?)(</\2>)',
                    lambda m: m.group(1) + change(m.group(3)) + m.group(4), urls=urls)


def drop_rows(row: str, *, every: int = 2, urls: str | None = None, first: bool = False,
              attr: str = "class", start: int = 0) -> Edit:
    """Drop every ``every``-th row from ``start`` (``first``: only the first row) of the
    matching pages; ``row`` is the row's class (or ``attr``'s value) as written first in the
    attribute."""
    pattern = re.compile(rf'<tr {attr}="{row}[" ][^>]*>.*?</tr>', re.S) if attr == "class" \
        else re.compile(rf'<tr\b[^>]*\b{attr}="{row}"[^>]*>.*?</tr>', re.S)

    def edit(doc: Doc) -> str:
        if doc.kind != "html" or (urls and not re.search(urls, doc.url)):
            return doc.text
        rows = list(pattern.finditer(doc.text))
        doomed = rows[:1] if first else rows[start::every]
        text = doc.text
        for match in reversed(doomed):
            text = text[:match.start()] + text[match.end():]
        return text
    return edit


def inject(snippet: str, *, after: str = r"<body[^>]*>", urls: str | None = None,
           kinds: tuple[str, ...] = MARKUP) -> Edit:
    def edit(doc: Doc) -> str:
        if not wanted(doc, kinds, urls):
            return doc.text
        return re.sub(f"({after})", lambda m: m.group(1) + snippet, doc.text, count=1)
    return edit


def rename_header(old: str, new: str, *, urls: str | None = None) -> Edit:
    """A table's column header reworded, in the pages and in a script that draws it."""
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return re.sub(rf"'{re.escape(old)}'", f"'{new}'", doc.text) \
                if re.search(r"h\('th'|'th'", doc.text) else doc.text
        if not wanted(doc, MARKUP, urls):
            return doc.text
        return re.sub(rf"(<th\b[^>]*>)\s*{re.escape(old)}\s*(</th>)", rf"\g<1>{new}\g<2>",
                      doc.text)
    return edit


# ----------------------------------------------------------------------------- JSON

def json_edit(change: Callable[[Any], Any], *, urls: str) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind != "json" or not re.search(urls, doc.url):
            return doc.text
        try:
            data = json.loads(doc.text)
        except ValueError:
            return doc.text
        return json.dumps(change(data), ensure_ascii=False, separators=(",", ":"))
    return edit


def walk_keys(old: str, new: str, inside: str | None = None) -> Callable[[Any], Any]:
    """``old`` renamed ``new`` in every mapping under the key ``inside`` (or at any depth)."""
    def walk(value: Any, within: bool) -> Any:
        if isinstance(value, dict):
            return {(new if k == old and within else k):
                    walk(v, within or k == inside) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, within) for v in value]
        return value
    return lambda data: walk(data, inside is None)


def rename_key(old: str, new: str, *, urls: str, inside: str | None = None) -> Edit:
    """A JSON key renamed everywhere under ``inside`` (or at every depth)."""
    return json_edit(walk_keys(old, new, inside), urls=urls)


def each_item(change: Callable[[dict[str, Any]], dict[str, Any] | None], *, urls: str,
              key: str | None = "items") -> Edit:
    def apply(data: Any) -> Any:
        items = data.get(key) if key and isinstance(data, dict) else data
        if not isinstance(items, list):
            return data
        kept = [c for c in (change(dict(i)) for i in items) if c is not None]
        if key and isinstance(data, dict):
            return {**data, key: kept}
        return kept
    return json_edit(apply, urls=urls)


def halve(counter: list[int]) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """Every other item dropped (the counter runs over the whole scenario)."""
    def change(item: dict[str, Any]) -> dict[str, Any] | None:
        counter[0] += 1
        return None if counter[0] % 2 else item
    return change


__all__ = [
    "FILES",
    "MARKUP",
    "Doc",
    "Edit",
    "Mutation",
    "attr_text",
    "both",
    "cells",
    "drop_rows",
    "each_item",
    "halve",
    "html_sub",
    "inject",
    "js_sub",
    "json_edit",
    "rename_attr",
    "rename_class",
    "rename_header",
    "rename_id",
    "rename_key",
    "rename_name",
    "walk_keys",
    "wanted",
]
