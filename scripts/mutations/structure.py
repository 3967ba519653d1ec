"""Structural edits: table columns (moved, added, swapped), XML and OFX elements, the JSON
state a page embeds.

Why a small scanner instead of regular expressions for tables: a column moves in the header
*and* in every row, and real grids nest tables (an ASP.NET pager is a table inside a cell of
the last row), so rows and cells are found by their nesting, never by the first ``</tr>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from scripts.mutations.edits import FILES, MARKUP, Doc, Edit, wanted

Cells = list[str]


def element_end(text: str, start: int, tag: str) -> int:
    """End of the element opening at ``start`` (nested elements of the same tag counted)."""
    depth = 0
    for match in re.finditer(rf"<(/?){tag}\b[^>]*>", text[start:], re.I):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return start + match.end()
    return len(text)


def _children(text: str, start: int, end: int, tags: str) -> list[tuple[int, int]]:
    """Spans of the elements named ``tags`` directly inside ``text[start:end]`` — not inside a
    nested table."""
    nested = [(m.start() + start, element_end(text, m.start() + start, "table"))
              for m in re.finditer(r"<table\b", text[start:end], re.I)]
    out: list[tuple[int, int]] = []
    position = start
    for match in re.finditer(rf"<({tags})\b", text[start:end], re.I):
        begin = match.start() + start
        if begin < position or any(a <= begin < b for a, b in nested):
            continue
        finish = element_end(text, begin, match.group(1))
        out.append((begin, finish))
        position = finish
    return out


def _rows(text: str, table: tuple[int, int]) -> list[tuple[int, int]]:
    open_end = text.index(">", table[0]) + 1
    return _children(text, open_end, table[1], "tr")


def _row_cells(text: str, row: tuple[int, int]) -> list[tuple[int, int]]:
    open_end = text.index(">", row[0]) + 1
    return _children(text, open_end, row[1], "td|th")


def _width(text: str, spans: list[tuple[int, int]]) -> int:
    total = 0
    for a, b in spans:
        span = re.match(r"<t[dh]\b[^>]*\bcolspan=\"(\d+)\"", text[a:b], re.I)
        total += int(span.group(1)) if span else 1
    return total


def columns(change: Callable[[Cells, bool], Cells], *, table: str,
            urls: str | None = None, widen: int = 0) -> Edit:
    """Every row of the tables whose opening tag matches ``table``: ``change(cells,
    is_header)`` rewrites rows as wide as the header; rows with spanning cells (headings,
    pagers, a description under its row) get their last spanning cell ``widen``-ed."""
    opening = re.compile(rf"<table\b[^>]*{table}[^>]*>", re.I)

    def rewrite(text: str) -> str:
        for match in reversed(list(opening.finditer(text))):
            span = (match.start(), element_end(text, match.start(), "table"))
            rows = _rows(text, span)
            header = next((r for r in rows if "<th" in text[r[0]:r[1]].lower()), None)
            width = _width(text, _row_cells(text, header)) if header else 0
            for row in reversed(rows):
                text = text[:row[0]] + _row(text[row[0]:row[1]], change, width, widen,
                                           row == header) + text[row[1]:]
        return text

    def edit(doc: Doc) -> str:
        return rewrite(doc.text) if wanted(doc, MARKUP, urls) else doc.text
    return edit


def _row(row: str, change: Callable[[Cells, bool], Cells], width: int, widen: int,
         is_header: bool) -> str:
    spans = _row_cells(row, (0, len(row)))
    if not spans:
        return row
    plain = _width(row, spans) == len(spans) == width
    if not plain:
        if not widen:
            return row
        last = spans[-1] if "colspan" in row[spans[-1][0]:spans[-1][1]] else next(
            (s for s in reversed(spans) if "colspan" in row[s[0]:s[1]]), None)
        if last is None:
            return row
        cell = re.sub(r'colspan="(\d+)"', lambda m: f'colspan="{int(m.group(1)) + widen}"',
                      row[last[0]:last[1]], count=1)
        return row[:last[0]] + cell + row[last[1]:]
    pieces = [row[a:b] for a, b in spans]
    gaps = [row[spans[i][1]:spans[i + 1][0]] for i in range(len(spans) - 1)]
    new = change(pieces, is_header)
    gap = gaps[0] if gaps else ""
    gaps = (gaps + [gap] * len(new))[:max(len(new) - 1, 0)]
    body = "".join(p + (gaps[i] if i < len(gaps) else "") for i, p in enumerate(new))
    return row[:spans[0][0]] + body + row[spans[-1][1]:]


def swap(i: int, j: int) -> Callable[[Cells, bool], Cells]:
    """Columns ``i`` and ``j`` (0-based) trade places, header included."""
    def change(cells: Cells, _header: bool) -> Cells:
        out = list(cells)
        out[i], out[j] = out[j], out[i]
        return out
    return change


def move(i: int, j: int) -> Callable[[Cells, bool], Cells]:
    """Column ``i`` moved to position ``j``, header included."""
    def change(cells: Cells, _header: bool) -> Cells:
        out = list(cells)
        out.insert(j, out.pop(i))
        return out
    return change


def add(at: int, header: str, cell: str | Callable[[Cells], str]) -> Callable[[Cells, bool],
                                                                              Cells]:
    """A new column at ``at``: its header cell, and each row's cell (text or from the row)."""
    def change(cells: Cells, is_header: bool) -> Cells:
        out = list(cells)
        out.insert(at, header if is_header else (cell(cells) if callable(cell) else cell))
        return out
    return change


def cells_only(change: Callable[[Cells], Cells]) -> Callable[[Cells, bool], Cells]:
    """Rows only, the header untouched (a template whose body changed, not its head)."""
    return lambda cells, is_header: cells if is_header else change(cells)


# ----------------------------------------------------------------------------- XML and OFX

def xml_sub(pattern: str, replacement: str | Callable[[re.Match[str]], str], *,
            urls: str | None = None, kinds: tuple[str, ...] = FILES, flags: int = re.S
            ) -> Edit:
    def edit(doc: Doc) -> str:
        if not wanted(doc, kinds, urls):
            return doc.text
        return re.sub(pattern, replacement, doc.text, flags=flags)
    return edit


def rename_element(old: str, new: str, *, urls: str | None = None,
                   kinds: tuple[str, ...] = FILES) -> Edit:
    """An XML or OFX element renamed (opening and closing tags, any namespace prefix)."""
    return xml_sub(rf"<(/?)((?:\w+:)?){re.escape(old)}(?=[\s>/])", rf"<\1\g<2>{new}",
                   urls=urls, kinds=kinds)


# ----------------------------------------------------------------------------- embedded state

def embedded_state(change: Callable[[Any], Any], *, variable: str = "__AURORA_STATE__",
                   urls: str | None = None) -> Edit:
    """The JSON a server page embeds for its app (``window.X = {...};``), changed."""
    pattern = re.compile(rf"(window\.{variable} = )(\{{.*?\}});(</script>)", re.S)

    def swap_state(match: re.Match[str]) -> str:
        data = change(json.loads(match.group(2)))
        return match.group(1) + json.dumps(data) + ";" + match.group(3)

    def edit(doc: Doc) -> str:
        if not wanted(doc, MARKUP, urls):
            return doc.text
        return pattern.sub(swap_state, doc.text)
    return edit


__all__ = ["add", "cells_only", "columns", "element_end", "embedded_state", "move",
           "rename_element", "swap", "xml_sub"]
