"""Candidates for one broken selector, scored against what the recording expects.

Every candidate (``selector_repair``) is tried in the recipe's block on every snapshot of its
stage and kept only if it yields exactly what must come out: the expected values of every
row of every page for a row selector, a field or a column; the recorded next URL of every
page for a next link; an element on every page the step acted on for a control; as many
login elements as at recording for a login step. Survivors are ranked nearest to the recipe
first (a substituted name before an enumerated one, the closest name first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from parsel import Selector

from engine.extraction.records import extract_list, extract_next
from engine.harness.check_controls import served_pages
from engine.harness.check_values import attribute_expected
from engine.harness.fixture import Fixture, block_of
from engine.harness.har import read_exchanges
from engine.harness.login_pages import fixture_documents, safe_count
from engine.harness.repair_targets import Target
from engine.harness.selector_repair import (
    Candidate,
    attribute_substitutions,
    css_substitutions,
    header_texts,
    jmes_substitutions,
    row_descendants,
    rows_of,
    split_pseudo,
    xpath_substitutions,
)
from engine.harness.snapshots import account_records, snapshot_path, template_context
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe


@dataclass
class Pages:
    """The snapshots of one stage, read once: (info, text, context, expected items)."""

    items: list[tuple[Any, str, Any, list[dict[str, Any]]]]

    @property
    def documents(self) -> list[str]:
        return [text for _i, text, _c, _e in self.items]


def stage_pages(recipe: Recipe, fixture: Fixture, stage: str) -> Pages:
    expected = fixture.expected or {}
    page_of: dict[int, Any] = {}
    attribute_expected(fixture, expected, page_of)
    collection = "accounts" if stage.startswith("accounts") else stage.split("[")[0]
    accounts = account_records(recipe, fixture)
    out = []
    for info in fixture.snapshots:
        if info.stage != stage:
            continue
        path = snapshot_path(fixture.path, info)
        if not path.exists():
            continue
        mine = [i for i in expected.get(collection) or [] if isinstance(i, dict)
                and (facts := page_of.get(id(i))) is not None
                and (facts.stage, facts.account_id, facts.page_number) ==
                (info.stage, info.account_id, info.page_number)]
        account = accounts.get(info.account_id or "") if info.account_id else None
        context = template_context(fixture.meta, account or (
            {"id": info.account_id} if info.account_id else None))
        out.append((info, path.read_text(encoding="utf-8"), context, mine))
    return Pages(out)


def _same(value: Any, expected: Any) -> bool:
    if value is None or expected is None:
        return value is expected
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    if isinstance(value, date):
        return value.isoformat() == str(expected)
    if isinstance(value, bool):
        return bool(value == expected)
    return str(value).strip() == str(expected).strip()


def score_block(recipe: Recipe, block: ListBlock, pages: Pages, names: list[str]) -> float:
    """Share of expected (row, field) values the block yields, over every page; -1 when
    the pages hold no expectation to score against."""
    good = total = 0
    for _info, text, context, expected in pages.items:
        try:
            extraction = extract_list(text, block, context, institution=recipe.institution)
        except Exception:
            return 0.0
        if len(extraction.records) != len(expected):
            total += max(len(expected), 1) * max(len(names), 1)
            continue
        for record, item in zip(extraction.records, expected, strict=True):
            for name in names:
                if name in item:
                    total += 1
                    good += _same(record.get(name), item[name])
    return good / total if total else -1.0


def renamed(selector: str, old: str, new: str) -> str:
    """``selector`` with the name ``old`` (an id, a class, an attribute value or name)
    renamed ``new`` — whole names only."""
    return re.sub(rf"(?<=[#.=\"'(\[]){re.escape(old)}(?![\w-])", new, selector)


def following(block: ListBlock, candidate: Candidate) -> ListBlock:
    """The block with a renamed name renamed in the selectors that shape its rows too (the
    header its columns are read from, the headings its rows are grouped under): a site that
    renames its grid's id renames it there as well."""
    if candidate.how != "substitution" or not candidate.old_name or not candidate.new_name:
        return block
    update: dict[str, Any] = {}
    if block.header:
        update["header"] = renamed(block.header, candidate.old_name, candidate.new_name)
    if block.group is not None and block.group.heading:
        update["group"] = block.group.model_copy(update={"heading": renamed(
            block.group.heading, candidate.old_name, candidate.new_name)})
    try:
        return block.model_copy(update=update) if update else block
    except Exception:
        return block


def _key_of(spec: Any) -> str:
    return next((k for k in ("css", "path", "xpath") if getattr(spec, k, None)), "css")


def with_field(block: ListBlock, name: str, selector: str) -> ListBlock | None:
    spec = block.field_specs()[name]
    try:
        patched = spec.model_copy(update={_key_of(spec): selector})
    except Exception:
        return None
    return block.model_copy(update={"fields": {**block.field_specs(), name: patched}})


def _moved(source: Any, old: str, header: str) -> Any:
    """``source`` reading ``header`` where it read ``old`` (other alternatives kept)."""
    names = source.column if isinstance(source.column, list) else [source.column]
    if old not in names:
        return source
    column = [header if n == old else n for n in names] if len(names) > 1 else header
    return source.model_copy(update={"column": column})


def with_column(block: ListBlock, target: Target, header: str) -> ListBlock | None:
    """The block with every field reading the column ``target.selector`` (itself, or its
    debit or credit part) reading ``header`` instead: the fields sharing a renamed header
    (an account's name and its last digits, in one cell) move together."""
    fields: dict[str, Any] = {}
    try:
        for name, spec in block.field_specs().items():
            update = {sub: _moved(getattr(spec, sub), target.selector, header)
                      for sub in ("debit", "credit") if getattr(spec, sub) is not None}
            patched = spec.model_copy(update=update) if update else spec
            fields[name] = _moved(patched, target.selector, header) \
                if patched.column is not None else patched
    except Exception:
        return None
    return block.model_copy(update={"fields": fields})


def _field_candidates(block: ListBlock, target: Target, pages: Pages) -> list[Candidate]:
    documents = pages.documents
    if block.format == "json":
        return jmes_substitutions(target.selector, documents)
    spec = block.field_specs()[target.field or ""]
    if spec.xpath is not None or block.format in ("xml", "ofx"):
        return xpath_substitutions(target.selector, documents)
    found = attribute_substitutions(target.selector, documents)
    found += css_substitutions(target.selector, documents)
    rows = [r for text in documents[:2] for r in rows_of(text, block.each)]
    _base, pseudo = split_pseudo(target.selector)
    found += [Candidate(c.selector + pseudo, c.how) for c in row_descendants(rows)]
    return found


def _rows_candidates(block: ListBlock, selector: str, documents: list[str]) -> list[Candidate]:
    if block.format == "json":
        return jmes_substitutions(selector, documents)
    if block.format in ("xml", "ofx"):
        return xpath_substitutions(selector, documents)
    return css_substitutions(selector, documents)


def rank(candidates: list[tuple[float, Candidate]]) -> list[Candidate]:
    order = {"substitution": 0, "enumeration": 1, "dropped": 2}
    good = [(s, c) for s, c in candidates if s == 1.0]
    good.sort(key=lambda sc: (order.get(sc[1].how, 3), -sc[1].closeness(),
                              len(sc[1].selector)))
    return [c for _s, c in good]


def solve(recipe: Recipe, fixture: Fixture, target: Target) -> list[Candidate]:
    """Candidates for one target that yield what the recording expects, best first."""
    if target.kind == "login":
        return _solve_login(fixture, target)
    assert target.stage is not None
    block = block_of(recipe, target.stage)
    if block is None:
        return []
    pages = stage_pages(recipe, fixture, target.stage)
    scored: list[tuple[float, Candidate]] = []
    if target.kind == "field" and target.field is not None:
        for candidate in _field_candidates(block, target, pages):
            patched = with_field(following(block, candidate), target.field,
                                 candidate.selector)
            if patched is not None:
                score = score_block(recipe, patched, pages, [target.field])
                scored.append((1.0 if score == -1.0 and candidate.how == "substitution"
                               and _fills(recipe, patched, pages, target.field) else score,
                               candidate))
    elif target.kind == "column" and target.field is not None:
        names = list(block.field_specs())
        for header in header_texts(pages.documents):
            patched = with_column(block, target, header)
            if patched is not None:
                scored.append((score_block(recipe, patched, pages, names),
                               Candidate(header, "substitution", target.selector, header)))
    elif target.kind == "each":
        names = list(block.field_specs())
        for candidate in _rows_candidates(block, target.selector, pages.documents):
            patched = following(block, candidate).model_copy(update={"each":
                                                                     candidate.selector})
            scored.append((score_block(recipe, patched, pages, names), candidate))
    elif target.kind == "next":
        for candidate in _rows_candidates(block, target.selector, pages.documents):
            scored.append((_score_next(block, candidate.selector, pages), candidate))
    elif target.kind == "control":
        scored = _solve_control(fixture, target, pages)
    elif target.kind == "embedded" and block.embedded is not None:
        names = list(block.field_specs())
        for candidate in _assigned(target.selector, pages.documents):
            patched = block.model_copy(update={"embedded": block.embedded.model_copy(
                update={"script": candidate.selector})})
            scored.append((score_block(recipe, patched, pages, names), candidate))
    return rank(scored)


ASSIGNED = re.compile(r"(?<![\w$.])((?:window\.)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
                      r"\s*(?:=(?!=)\s*(?:JSON\.parse\(|[{\[])|\(\s*\{)")


def _assigned(old: str, documents: list[str]) -> list[Candidate]:
    """The JavaScript names the pages' inline scripts assign an object to (or call with
    one): where embedded data may have moved."""
    names: dict[str, None] = {}
    for document in documents:
        for script in Selector(text=document, type="html").xpath("//script/text()").getall():
            for match in ASSIGNED.finditer(script):
                names.setdefault(match.group(1), None)
    return [Candidate(name, "substitution", old, name) for name in names if name != old]


def _solve_control(fixture: Fixture, target: Target, pages: Pages
                   ) -> list[tuple[float, Candidate]]:
    """A step's element, ``wait_for``, ``empty`` or ``next_click``: on every page where the
    runner needed it (``empty``: the pages that were empty; ``next_click``: every page but
    each list's last, and not on the last)."""
    served = served_pages(read_exchanges(fixture.path))
    last: dict[tuple[str, str | None], int] = {}
    for info, _t, _c, _e in pages.items:
        key = (info.stage, info.account_id)
        last[key] = max(last.get(key, 0), info.page_number)
    rest = target.path.rsplit(".", 1)[-1]
    verb = target.step.rsplit(" ", 1)[-1] if ".steps[" in target.step else rest
    documents = pages.documents + [d for info, _t, _c, _e in pages.items
                                   for d in served.get(info.url.split("?")[0], [])]
    out = []
    for candidate in css_substitutions(target.selector, documents):
        if not all(_fits(verb, d, candidate.selector) for d in documents):
            continue
        good = total = 0
        for info, text, _c, _e in pages.items:
            found = safe_count(text, candidate.selector)
            if rest == "next_click":
                wanted = info.page_number < last[(info.stage, info.account_id)]
                total += 1
                good += bool(found) == wanted
            elif rest == "empty":
                if info.rows == 0:
                    total += 1
                    good += bool(found)
            else:
                total += 1
                good += bool(found or any(safe_count(d, candidate.selector)
                                          for d in served.get(info.url.split("?")[0], [])))
        out.append((good / total if total else 0.0, candidate))
    return out


ACTS_ON = {
    "click": ("//a | //button | //input | //label | //summary | //*[@role='button' or "
              "@role='tab' or @role='link' or @role='menuitem' or @role='option'] | "
              "//*[@onclick]"),
    "select": "//select", "fill": "//input | //textarea", "press": "//input | //textarea",
}
"""What a step's element must be: a tab or button to click, a drop-down to choose in."""


def _fits(verb: str, document: str, selector: str) -> bool:
    """Every element ``selector`` finds in ``document`` is one the step's verb acts on."""
    kinds = ACTS_ON.get(verb)
    if kinds is None:
        return True
    root = Selector(text=document, type="html")
    tree = root.root.getroottree()
    try:
        found = {tree.getpath(n.root) for n in root.css(split_pseudo(selector)[0])}
    except Exception:
        return False
    return found <= {tree.getpath(n.root) for n in root.xpath(kinds)}


def _fills(recipe: Recipe, block: ListBlock, pages: Pages, name: str) -> bool:
    """A field the expectation does not hold (a link): it must yield a value in every row."""
    for _info, text, context, _expected in pages.items:
        extraction = extract_list(text, block, context, institution=recipe.institution)
        if not extraction.records or any(not r.get(name) for r in extraction.records):
            return False
    return True


def _score_next(block: ListBlock, selector: str, pages: Pages) -> float:
    try:
        patched = block.model_copy(update={"next_page": selector})
    except Exception:
        return 0.0
    good = total = 0
    for info, text, _context, _expected in pages.items:
        wanted = (info.next or {}).get("url") if info.next else None
        if info.next is None:
            continue
        total += 1
        got = extract_next(text, patched)
        good += (got or None) == (wanted or None) or bool(
            got and wanted and str(wanted).endswith(str(got)))
    return good / total if total else 0.0


def _solve_login(fixture: Fixture, target: Target) -> list[Candidate]:
    pages = fixture_documents(fixture.path, fixture.meta, read_exchanges(fixture.path))
    documents = pages.get(target.page or "", [])
    if not documents:
        return []
    scored = []
    for candidate in css_substitutions(target.selector, documents):
        count = max(safe_count(d, candidate.selector) for d in documents)
        scored.append((1.0 if count == target.matched else 0.0, candidate))
    return rank(scored)


__all__ = ["Pages", "following", "rank", "renamed", "score_block", "solve", "stage_pages",
           "with_column", "with_field"]
