"""One field of one record: read its source on the row, then run its transforms.

Sources: ``css`` (templates rendered first), ``xpath`` (always XPath), ``path`` (JMESPath on a
JSON row), ``column`` (a cell by header or index, optionally with css/xpath inside it),
``const``, ``template``, ``debit``/``credit``; ``lookup`` reads the source in a joined record.
The transforms run in the registry's one order (``engine.recipe.transforms``); what they need
from the row — another cell for ``sign``, the expression context — comes through ``RowEnv``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from parsel import Selector

from engine.extraction.columns import Columns
from engine.recipe.compile import render_selector, search
from engine.recipe.fields import FieldSpec
from engine.recipe.templates import Context, render
from engine.recipe.transforms import FieldSettings, TransformError, ordered_transforms
from engine.recipe.transforms.text import clean_text

__all__ = ["MAX_VALUE", "RowEnv", "RowReader", "convert", "expression_context", "key_of",
           "node_text"]

MAX_VALUE = 20_000
"""Characters of one field's raw text: a label or amount is short; a whole page is a bug."""

_EMPTY_SIDE = {"", "-", "–", "—"}


def _jsonable(value: Any) -> Any:
    """Values as JMESPath compares them: numbers as numbers, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def expression_context(row: Mapping[str, Any], context: Context) -> dict[str, Any]:
    """The document expressions read: ``{row, account, vars, options}`` (never credentials)."""
    return {"row": _jsonable(row), "account": _jsonable(context.get("account", {})),
            "vars": _jsonable(context.get("vars", {})),
            "options": _jsonable(context.get("options", {}))}


def node_text(node: Selector, attr: str | None = None) -> str:
    """Text of a match: attribute values and text nodes as they are, elements as all their text.

    Taking an element's whole text (not only its direct text nodes) keeps recipes short and
    survives a site wrapping a label in a ``<span>``.
    """
    if attr is not None:
        return str(node.attrib.get(attr, ""))
    if isinstance(node.root, str):
        return node.root
    return str(node.xpath("string()").get() or "")


@dataclass
class RowEnv:
    """``FieldEnv`` for one field of one record."""

    reader: RowReader
    rows: list[Any]
    record: Mapping[str, Any]

    @property
    def settings(self) -> FieldSettings:
        return self.reader.settings

    @property
    def reference(self) -> date | None:
        return self.reader.reference

    @property
    def row(self) -> Mapping[str, Any]:
        return self.record

    def read(self, source: Any) -> str | None:
        return self.reader.read(self.rows, source)

    def evaluate(self, expression: str) -> Any:
        rendered = render_selector(expression, self.reader.context)
        return search(rendered, expression_context(self.record,
                                                                     self.reader.context))


@dataclass
class RowReader:
    settings: FieldSettings
    reference: date | None
    context: Context
    columns: Columns
    lookups: dict[str, tuple[str, dict[str, Any]]]
    """Lookup name -> (the row's key selector, joined records by key)."""

    def env(self, rows: list[Any], record: Mapping[str, Any]) -> RowEnv:
        return RowEnv(self, rows, record)

    def raw(self, rows: list[Any], spec: FieldSpec,
            record: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """The field's raw text and, for debit/credit fields, which side it came from."""
        if spec.const is not None:
            return str(spec.const), None
        if spec.template is not None:
            return render(spec.template, self.context), None
        if spec.lookup is not None:
            rows = self._joined(rows, spec)
            if not rows:
                return None, None
        if spec.debit is not None and spec.credit is not None:
            debit, credit = self.read(rows, spec.debit), self.read(rows, spec.credit)
            sides = [(side, text) for side, text in (("debit", debit), ("credit", credit))
                     if text is not None and clean_text(text) not in _EMPTY_SIDE]
            if len(sides) > 1:
                raise ValueError(f"both debit ({clean_text(debit or '')!r}) and credit "
                                 f"({clean_text(credit or '')!r}) have a value")
            return (sides[0][1], sides[0][0]) if sides else (None, None)
        if spec.span_row is not None:
            rows = rows[spec.span_row - 1:spec.span_row]
        return self.read(rows, spec, join=spec.join), None

    def _joined(self, rows: list[Any], spec: FieldSpec) -> list[Any]:
        row_key, table = self.lookups[spec.lookup or ""]
        key = next((k for k in (key_of(row, row_key) for row in rows) if k), None)
        joined = table.get(key) if key else None
        return [joined] if joined is not None else []

    def read(self, rows: list[Any], source: Any, *, join: bool = False) -> str | None:
        """First row (of a span) where ``source`` matches; None when none does."""
        for row in rows:
            text = self._read_one(row, source, join)
            if text is not None:
                if len(text) > MAX_VALUE:
                    raise ValueError(f"value of {len(text)} characters at {source.selector}: "
                                     f"at most {MAX_VALUE}")
                return text
        return None

    def nodes(self, row: Selector, source: Any) -> list[Selector]:
        """The nodes an HTML/XML source lands on in ``row`` (cell, then css/xpath inside)."""
        node: Selector = row
        if source.column is not None:
            cell = self.columns.cell(row, source.column)
            if cell is None:
                return []
            if source.css is None and source.xpath is None:
                return [cell]
            node = cell
        if source.css is not None:
            return list(node.css(render_selector(source.css, self.context)))
        if source.xpath is not None:
            return list(node.xpath(render_selector(source.xpath, self.context)))
        return []

    def _read_one(self, row: Any, source: Any, join: bool) -> str | None:
        if source.path is not None:
            if not isinstance(row, dict | list):
                return None
            value = search(render_selector(source.path, self.context), row)
            if value is None:
                return None
            return json.dumps(value) if isinstance(value, dict | list) else str(value)
        if not isinstance(row, Selector):
            return None
        matches = self.nodes(row, source)
        if not matches:
            return None
        if join:
            parts = [node_text(m, source.attr) for m in matches]
            return " ".join(p for p in parts if p)
        return node_text(matches[0], source.attr)


def key_of(node: Any, selector: str) -> str | None:
    """A join key: the cleaned text a selector (or a JMESPath, on JSON) finds in ``node``."""
    if isinstance(node, Selector):
        found = node.xpath(selector) if selector.startswith(("/", "(", "./")) else \
            node.css(selector)
        return clean_text(node_text(found[0])) or None if found else None
    if not isinstance(node, dict | list):
        return None
    value = search(selector, node)
    return None if value is None else clean_text(str(value)) or None


def convert(raw: str | None, spec: FieldSpec, env: Any = None, *,
            reference: date | None = None, direction: str | None = None) -> Any:
    """Apply a field's transforms in their registered order to its raw text.

    Each transform runs on a non-empty value, except those marked ``on_empty`` (``default``),
    which run only on a missing or empty one. ``direction`` ("debit"/"credit") then signs the
    number for debit/credit fields."""
    if env is None:
        from engine.recipe.transforms import PlainEnv

        env = PlainEnv(reference=reference)
    value: Any = None if raw is None else clean_text(raw)
    for entry in ordered_transforms():
        options = getattr(spec, entry.name, None)
        if options is None or options is False:
            continue
        if entry.on_empty != (value is None or value == ""):
            continue
        value = entry.function(value, options, env)
    if direction is not None and value not in (None, ""):
        if not isinstance(value, Decimal | int | float) or isinstance(value, bool):
            raise TransformError(f"debit/credit give a sign to numbers, not {value!r}: add "
                                 "parse: amount")
        magnitude: Any = abs(value)
        value = -magnitude if direction == "debit" else magnitude
    return value
