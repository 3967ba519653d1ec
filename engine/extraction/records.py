"""Turn one document (HTML, JSON, XML, OFX text) into records, as a recipe block describes them.

Pure: no browser, no network. The live run feeds it ``page.content()``; ``engine check`` feeds
it saved snapshots; both get the same records and the same per-field statistics, which is what
makes fixture checks fast and trustworthy. Like parsel, an empty match never raises here: the
caller decides, from ``Extraction.problems``, whether a missing value breaks the sync.

A record is usually one row; with ``span: N`` it is N consecutive rows, with ``group`` it also
gets the fields of the heading above it, with ``lookups`` a field may read the record another
part of the document joins to it, and ``filter`` drops the records an expression rejects.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from parsel import Selector, SelectorList

from engine.extraction.columns import Columns
from engine.extraction.documents import Document, DocumentError, load_document
from engine.extraction.fields import RowReader, convert, expression_context, key_of, node_text
from engine.recipe.compile import render_selector, search
from engine.recipe.fields import FieldSpec
from engine.recipe.lists import ListBlock
from engine.recipe.rows import is_xpath, specs_of
from engine.recipe.templates import Context, TemplateError
from engine.recipe.transforms import FieldSettings, TransformError
from engine.recipe.transforms.text import clean_text

__all__ = ["Extraction", "FieldProblem", "FieldStat", "convert", "count_matches", "count_rows",
           "extract_list", "extract_next", "extract_one", "field_nodes", "is_xpath",
           "row_signature", "select"]

MAX_ROWS = 100_000
"""Rows one page may yield: far above any bank page, low enough to stop a runaway selector."""


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
    document_error: str | None = None
    """The document is not what the block reads (no embedded script, not OFX, not JSON)."""
    filtered: int = 0
    """Records the block's ``filter`` dropped."""


def select(node: Selector, selector: str) -> SelectorList[Selector]:
    """Block-level selectors (``each``, ``empty``, ``next_page``...): XPath when they start
    with ``/``, ``(`` or ``./``, CSS otherwise. Field ``xpath:`` never goes through here."""
    return node.xpath(selector) if is_xpath(selector) else node.css(selector)


def extract_list(document: str, block: ListBlock, context: Context | None = None,
                 *, reference: date | None = None, institution: Any = None) -> Extraction:
    """Every record of ``block`` in ``document`` as a dict of converted field values.

    ``institution`` (the recipe's ``Institution``) gives the defaults fields fall back on:
    ``decimal_separator``, ``country`` and ``currency`` (resolving ``$`` or ``kr``)."""
    context = context or {}
    specs = block.field_specs()
    result = Extraction(records=[], row_selector=block.each, rows=0,
                        fields={name: FieldStat() for name in specs})
    try:
        doc = load_document(document, block)
        each = render_selector(block.each, context)
    except (DocumentError, TemplateError) as exc:
        result.document_error = str(exc)
        return result
    try:
        units = _units(doc, block, each)
    except ValueError as exc:  # a JMESPath failing on this JSON
        result.document_error = str(exc)
        return result
    if doc.root is not None and block.empty:
        result.empty_marker = bool(select(doc.root, block.empty))
    result.rows = len(units)
    if len(units) > MAX_ROWS:
        result.document_error = f"{len(units)} rows match {each!r}: at most {MAX_ROWS}"
        return result
    reader = RowReader(settings=FieldSettings.of(institution), reference=reference,
                       context=context, columns=Columns(doc.root, block.header, select),
                       lookups=_lookups(doc, block, context))
    headings = _Headings(doc, block, reader)
    for index, (rows, heading) in enumerate(units):
        record = dict(headings.values(heading, result, index))
        for name, spec in specs.items():
            record[name] = _field(reader, rows, record, name, spec, result, index)
        if block.filter is not None and not _keep(block.filter, record, context, result, index):
            continue
        result.records.append(record)
    return result


def _field(reader: RowReader, rows: list[Any], record: dict[str, Any], name: str,
           spec: FieldSpec, result: Extraction, index: int) -> Any:
    stat = result.fields.setdefault(name, FieldStat())
    try:
        raw, direction = reader.raw(rows, spec, record)
    except (ValueError, TemplateError) as exc:
        result.problems.append(FieldProblem(index, name, spec.selector, str(exc)))
        return None
    if raw is None or raw.strip() == "":
        stat.empty += 1
    else:
        stat.matched += 1
    try:
        value = convert(raw, spec, reader.env(rows, record), direction=direction)
    except (TransformError, ValueError, TemplateError) as exc:  # expressions fail as ValueError
        stat.unparsable += 1
        result.problems.append(FieldProblem(index, name, spec.selector, str(exc)))
        return None
    if value is None or value == "":
        if spec.required:
            message = ("matched nothing" if raw is None else "matched an empty value"
                       if not raw.strip() else "is empty after its transforms")
            result.problems.append(FieldProblem(index, name, spec.selector, message))
        return None
    return value


def _keep(expression: str, record: dict[str, Any], context: Context, result: Extraction,
          index: int) -> bool:
    try:
        kept = search(render_selector(expression, context),
            expression_context(record, context))
    except (ValueError, TemplateError) as exc:
        result.problems.append(FieldProblem(index, "filter", expression, str(exc)))
        return True
    if kept in (None, False, "", [], {}):
        result.filtered += 1
        return False
    return True


# ----------------------------------------------------------------------------- rows → units

Unit = tuple[list[Any], Any]
"""The rows of one record (one, or ``span`` of them) and its heading node (or None)."""


def _rows(doc: Document, block: ListBlock, each: str) -> list[Any]:
    if doc.is_json:
        found = search(each, doc.data)
        if found is None:
            return []
        return found if isinstance(found, list) else [found]
    assert doc.root is not None
    return list(select(doc.root, each))


def _units(doc: Document, block: ListBlock, each: str) -> list[Unit]:
    rows = _rows(doc, block, each)
    headings: list[Any] = []
    if block.group is not None and doc.root is not None:
        headings = list(select(doc.root, block.group.heading))
    if headings:
        order = {el: i for i, el in enumerate(doc.root.root.iter())} if doc.root else {}
        marks = sorted((order.get(h.root, -1), i) for i, h in enumerate(headings))
        positions = [pos for pos, _ in marks]
        heading_nodes = {h.root for h in headings}
        placed: list[tuple[list[Any], Any]] = []
        for row in rows:
            if row.root in heading_nodes:
                continue
            above = bisect.bisect_left(positions, order.get(row.root, -1)) - 1
            placed.append(([row], headings[marks[above][1]] if above >= 0 else None))
        units = placed
    else:
        units = [([row], None) for row in rows]
    if block.span > 1:
        merged: list[Unit] = []
        for start in range(0, len(units), block.span):
            chunk = units[start:start + block.span]
            merged.append(([r for rs, _ in chunk for r in rs], chunk[0][1]))
        units = merged
    return units


class _Headings:
    """Field values of each heading node, converted once."""

    def __init__(self, doc: Document, block: ListBlock, reader: RowReader) -> None:
        self.specs = specs_of(block.group.fields) if block.group else {}
        self.reader = reader
        self.cache: dict[Any, dict[str, Any]] = {}

    def values(self, heading: Any, result: Extraction, index: int) -> dict[str, Any]:
        if heading is None:
            if self.specs:
                result.problems.append(FieldProblem(index, "group", "heading",
                                                    "the row has no heading above it"))
            return dict.fromkeys(self.specs)
        key = heading.root
        if key not in self.cache:
            record: dict[str, Any] = {}
            for name, spec in self.specs.items():
                record[name] = _field(self.reader, [heading], record, name, spec, result,
                                      index)
            self.cache[key] = record
        return self.cache[key]


def _lookups(doc: Document, block: ListBlock,
             context: Context) -> dict[str, tuple[str, dict[str, Any]]]:
    """For each lookup: the row's key selector, and key text -> the joined record."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, spec in (block.lookups or {}).items():
        table: dict[str, Any] = {}
        try:
            joined = _rows(doc, block, render_selector(spec.each, context))
        except (ValueError, TemplateError):
            joined = []  # the fields reading it report "matched nothing"
        for record in joined:
            try:
                key = key_of(record, spec.key)
            except ValueError:
                continue
            if key:
                table.setdefault(key, record)
        out[name] = (spec.row_key, table)
    return out


# ----------------------------------------------------------------------------- single values

def extract_one(document: str, selector: str) -> str | None:
    """The first value a selector yields (next-page links, markers); None when absent."""
    if not selector:
        return None
    matches = select(Selector(text=document, type="html"), selector)
    if not matches:
        return None
    value = node_text(matches[0])
    return clean_text(value) if value else None


def extract_next(document: str, block: ListBlock) -> str | None:
    """The next page's URL: a selector on HTML pages, a JMESPath (``_links.next.href``) on
    JSON ones. A falsy answer (false, null, "") ends the list."""
    if not block.next_page:
        return None
    if block.format == "json":
        import json

        try:
            found = search(block.next_page, json.loads(document))
        except ValueError:  # not JSON, or the expression failed on it: no next page
            return None
        if isinstance(found, bool) or not isinstance(found, str | int) or found == "":
            return None
        return str(found)
    return extract_one(document, block.next_page)


def field_nodes(row: Selector, spec: FieldSpec, *, root: Selector | None = None,
                header: str | None = None, context: Context | None = None) -> list[Selector]:
    """The nodes a field's source lands on in one row, by the same rules extraction uses
    (``xpath`` always XPath, ``column`` by header, templates rendered): what drift and the
    canary report should compare, instead of guessing XPath from a selector's first
    character. Empty for JSON sources, constants and templates; errors (an unknown column)
    count as no match."""
    if spec.css is None and spec.xpath is None and spec.column is None:
        return []
    reader = RowReader(settings=FieldSettings(), reference=None, context=context or {},
                       columns=Columns(root, header, select), lookups={})
    try:
        return reader.nodes(row, spec)
    except (ValueError, TemplateError):
        return []


def count_matches(document: str, selector: str) -> int:
    return len(select(Selector(text=document, type="html"), selector))


def count_rows(document: str, block: ListBlock, context: Context | None = None) -> int:
    """Rows ``block.each`` finds in ``document`` whatever its format (HTML, XML, JSON,
    embedded): what render probes and load-more loops should count."""
    try:
        each = render_selector(block.each, context or {})
        return len(_units(load_document(document, block), block, each))
    except (DocumentError, TemplateError, ValueError):
        return 0


def row_signature(document: str, block: ListBlock, context: Context | None = None) -> str:
    """The markup of the rows ``block.each`` finds, as one hash: tells a page whose rows were
    replaced in place (a postback that kept the URL) from the page before it."""
    try:
        each = render_selector(block.each, context or {})
        rows = _rows(load_document(document, block), block, each)
    except (DocumentError, TemplateError, ValueError):
        rows = []
    digest = hashlib.sha256()
    for row in rows:
        digest.update((row.get() if isinstance(row, Selector) else repr(row)).encode())
        digest.update(b"\0")
    return digest.hexdigest()
