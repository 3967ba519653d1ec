"""Turn one document (HTML or JSON text) into records, as a recipe block describes them.

Pure: no browser, no network. The live run feeds it ``page.content()``; ``engine check`` feeds
it saved snapshots; both get the same records and the same per-field statistics, which is what
makes fixture checks fast and trustworthy. Like parsel, an empty match never raises here: the
caller decides, from ``Extraction.problems``, whether a missing value breaks the sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jmespath
from parsel import Selector, SelectorList

from engine.extraction import transforms as tf
from engine.recipe.fields import DateParse, FieldSpec
from engine.recipe.lists import ListBlock
from engine.recipe.templates import Context, TemplateError, render


@dataclass
class FieldStat:
    """How one field fared over all rows: the figures ``engine check`` and drift compare."""

    matched: int = 0
    empty: int = 0
    unparsable: int = 0


@dataclass(frozen=True)
class FieldProblem:
    row: int
    field: str
    selector: str
    message: str


@dataclass
class Extraction:
    records: list[dict[str, Any]]
    row_selector: str
    rows: int
    fields: dict[str, FieldStat] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)
    empty_marker: bool = False
    """The block's ``empty`` selector matched: zero rows is the truth, not a breakage."""


def is_xpath(selector: str) -> bool:
    return selector.startswith(("/", "(", "./"))


def select(node: Selector, selector: str) -> SelectorList[Selector]:
    return node.xpath(selector) if is_xpath(selector) else node.css(selector)


def extract_list(document: str, block: ListBlock, context: Context | None = None,
                 *, reference: date | None = None) -> Extraction:
    """Every row of ``block.each`` in ``document`` as a dict of converted field values."""
    context = context or {}
    specs = block.field_specs()
    if block.format == "json":
        rows: list[Any] = _json_rows(document, block.each)
        empty = False
    else:
        root = Selector(text=document, type="html")
        rows = list(select(root, block.each))
        empty = bool(block.empty) and bool(select(root, block.empty or ""))
    result = Extraction(records=[], row_selector=block.each, rows=len(rows),
                        fields={name: FieldStat() for name in specs}, empty_marker=empty)
    for index, row in enumerate(rows):
        record: dict[str, Any] = {}
        for name, spec in specs.items():
            stat = result.fields[name]
            try:
                raw = _raw_value(row, spec, context)
            except (TemplateError, jmespath.exceptions.JMESPathError) as exc:
                result.problems.append(FieldProblem(index, name, spec.selector, str(exc)))
                record[name] = None
                continue
            if raw is None or raw == "":
                stat.empty += 1
                if spec.default is not None:
                    raw = spec.default
                else:
                    if spec.required:
                        result.problems.append(FieldProblem(
                            index, name, spec.selector, "matched nothing" if raw is None
                            else "matched an empty value"))
                    record[name] = None
                    continue
            else:
                stat.matched += 1
            try:
                record[name] = convert(raw, spec, reference=reference)
            except tf.TransformError as exc:
                stat.unparsable += 1
                result.problems.append(FieldProblem(index, name, spec.selector, str(exc)))
                record[name] = None
        result.records.append(record)
    return result


def extract_one(document: str, selector: str) -> str | None:
    """The first value a selector yields (next-page links, markers); None when absent."""
    if not selector:
        return None
    matches = select(Selector(text=document, type="html"), selector)
    if not matches:
        return None
    value = _node_text(matches[0], selector)
    return tf.clean_text(value) if value else None


def extract_next(document: str, block: ListBlock) -> str | None:
    """The next page's URL: a selector on HTML pages, a JMESPath (``_links.next.href``) on
    JSON ones."""
    if not block.next_page:
        return None
    if block.format == "json":
        try:
            found = jmespath.search(block.next_page, json.loads(document))
        except ValueError:
            return None
        if isinstance(found, bool) or not isinstance(found, str | int) or found == "":
            return None  # false, null, "" and non-scalars end the list
        return str(found)
    return extract_one(document, block.next_page)


def count_matches(document: str, selector: str) -> int:
    return len(select(Selector(text=document, type="html"), selector))


def _json_rows(document: str, expression: str) -> list[Any]:
    data = json.loads(document)
    found = jmespath.search(expression, data)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def _raw_value(row: Any, spec: FieldSpec, context: Context) -> str | None:
    if spec.const is not None:
        return str(spec.const)
    if spec.template is not None:
        return render(spec.template, context)
    if spec.path is not None:
        value = jmespath.search(spec.path, row) if isinstance(row, dict | list) else None
        if value is None:
            return None
        return json.dumps(value) if isinstance(value, dict | list) else str(value)
    assert isinstance(row, Selector)
    selector = spec.css or spec.xpath or ""
    matches = select(row, selector)
    if not matches:
        return None
    if spec.join:
        parts = [_node_text(m, selector, spec.attr) for m in matches]
        return " ".join(p for p in parts if p)
    return _node_text(matches[0], selector, spec.attr)


def _node_text(node: Selector, selector: str, attr: str | None = None) -> str:
    """Text of a match: attribute values and text nodes as they are, elements as all their text.

    Taking an element's whole text (not only its direct text nodes) keeps recipes short and
    survives a site wrapping a label in a ``<span>``.
    """
    del selector
    if attr is not None:
        return str(node.attrib.get(attr, ""))
    if isinstance(node.root, str):
        return node.root
    return str(node.xpath("string()").get() or "")


def convert(raw: str, spec: FieldSpec, *, reference: date | None = None) -> Any:
    """Apply a field's transforms in their fixed order: clean, regex, map, parse, mask."""
    value = tf.clean_text(raw)
    if spec.regex is not None:
        value = tf.apply_regex(value, spec.regex)
    if spec.map is not None:
        value = tf.map_value(value, spec.map)
    parsed: Any = value
    parse = spec.parse
    if isinstance(parse, DateParse):
        parsed = tf.parse_date(value, parse.formats, reference=reference)
    elif parse == "amount":
        parsed = tf.parse_amount(value)
    elif parse == "decimal":
        parsed = tf.parse_decimal(value)
    elif parse == "int":
        parsed = tf.parse_int(value)
    elif parse == "currency":
        parsed = tf.parse_currency(value)
        if parsed is None:
            raise tf.TransformError(f"no currency in {value[:80]!r}")
    if spec.mask:
        parsed = tf.mask_account_number(str(parsed))
    return parsed
