"""Table cells by header text or position: ``column: Iznos``, ``column: -1``.

A header name survives a site adding or reordering columns, which positional selectors
(``td:nth-child(4)``) do not. Names match case-, accent-, punctuation- and space-insensitively
("Iznos (RSD)" is "iznos rsd"); a list of names takes the first the header has, for sites
shown in two scripts or languages (``[Isplata, Исплата]``). Positions count logical columns,
so a ``colspan`` in the header or the row shifts nothing. The header row is the block's
``header`` selector, else the row's table's ``thead`` (its last row), else the table's first
row of ``th`` cells; it is read once per table.
"""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector

from engine.recipe.transforms.text import fold

__all__ = ["ColumnError", "Columns", "header_key"]


class ColumnError(ValueError):
    """The column cannot be found; the message lists the header's columns."""


_NON_WORD = re.compile(r"[^\w]+")


def header_key(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _logical_cells(row: Selector) -> list[Selector]:
    """The row's cells, a cell with colspan=N counted N times."""
    cells: list[Selector] = []
    for cell in row.xpath("./td|./th"):
        try:
            span = max(1, min(int(cell.attrib.get("colspan", "1")), 50))
        except ValueError:
            span = 1
        cells.extend([cell] * span)
    return cells


class Columns:
    """Header lookups for one document, cached per table."""

    def __init__(self, root: Selector | None, header: str | None,
                 select: Any) -> None:
        self.root = root
        self.header = header
        self._select = select
        self._by_table: dict[Any, tuple[dict[str, int], list[str]]] = {}
        self._fixed: tuple[dict[str, int], list[str]] | None = None

    def _header_cells(self, row: Selector) -> tuple[Any, list[Selector]]:
        if self.header is not None and self.root is not None:
            found = self._select(self.root, self.header)
            if not found:
                raise ColumnError(f"the header selector {self.header!r} matches nothing")
            if len(found) == 1 and found[0].xpath("./td|./th"):
                return "header", _logical_cells(found[0])
            return "header", list(found)
        table = row.xpath("ancestor::table[1]")
        if not table:
            raise ColumnError("the row is not inside a <table>: set the block's header")
        key = table[0].root
        for path in ("./thead/tr[last()]", "(./tr|./tbody/tr)[th][1]"):
            header_row = table[0].xpath(path)
            if header_row:
                return key, _logical_cells(header_row[0])
        raise ColumnError("the row's table has no <thead> and no row of <th> cells: set the "
                          "block's header")

    def _names(self, row: Selector) -> tuple[dict[str, int], list[str]]:
        key, cells = self._header_cells(row) if self._fixed is None else ("header", [])
        if key == "header" and self._fixed is not None:
            return self._fixed
        cached = self._by_table.get(key)
        if cached is not None:
            return cached
        shown = [" ".join(str(c.xpath("string()").get() or "").split()) for c in cells]
        names: dict[str, int] = {}
        for index, text in enumerate(shown):
            names.setdefault(header_key(text), index)
        result = (names, shown)
        if key == "header":
            self._fixed = result
        else:
            self._by_table[key] = result
        return result

    def cell(self, row: Selector, column: str | int | list[str]) -> Selector | None:
        """The row's cell at ``column`` (a list: the first of these names the header has);
        None when the row is too short for it."""
        cells = _logical_cells(row)
        if isinstance(column, int):
            index = column - 1 if column > 0 else len(cells) + column
            return cells[index] if 0 <= index < len(cells) else None
        names, shown = self._names(row)
        wanted = [column] if isinstance(column, str) else column
        found = next((names[k] for k in map(header_key, wanted) if k in names), None)
        if found is None:
            listed = ", ".join(repr(s) for s in dict.fromkeys(shown) if s)
            raise ColumnError(f"no column {' or '.join(map(repr, wanted))} in the header "
                              f"(columns: {listed})")
        return cells[found] if found < len(cells) else None
