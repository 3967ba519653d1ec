"""The values half of ``engine check``: read the snapshots as the runner would, build the
output models, and compare them with ``expected.json`` per page and per field.

Why counts are not enough: a recipe that loses every expense's sign, a date format read
day-for-month, a currency symbol that changed, half the rows dropped by a narrower row
selector, a next link gone — every selector still matches, so a count check passes all of
them. Here each list is walked as ``runner/paging.py`` walks it (page 1, then a page only if
the previous one still has a next link; a page the runner would refuse ends the list), the
records become ``Account``/``Transaction``/``Holding`` through the runner's own conversion
(``runner/records.py``: ``pending: "false"`` is ``False`` there, not a truthy string), and the
result is compared with the recording's expectation by identity (``compare.py``). Every
difference is attributed to the page it came from, so the first line can say "field, page,
first differing value".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, cast

import jmespath

from engine.backends.base import Backend
from engine.errors import SyncError
from engine.extraction.records import Extraction, extract_list
from engine.harness.causes import Cause
from engine.harness.compare import Comparison, ItemChange, compare_results
from engine.harness.fixture import Fixture, SnapshotInfo, block_of
from engine.harness.pages import (
    PageFacts,
    compare_pages,
    document_facts,
    has_next,
    recorded_facts,
)
from engine.harness.snapshots import (
    account_records,
    reference_date,
    snapshot_path,
    template_context,
)
from engine.models import Account
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from engine.runner.context import SyncContext, SyncOptions
from engine.runner.records import account_of, holdings_of, transactions_of
from engine.secrets import Redactor

Record = dict[str, Any]


@dataclass
class PageRead:
    """One snapshot as the check read it."""

    info: SnapshotInfo
    facts: PageFacts
    extraction: Extraction
    refusal: Cause | None = None
    """What the runner would refuse on this page (no rows, an invalid field...)."""


@dataclass
class ValueCheck:
    pages: list[PageRead] = field(default_factory=list)
    view: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    comparison: Comparison | None = None
    causes: list[Cause] = field(default_factory=list)
    page_of: dict[int, PageFacts] = field(default_factory=dict)
    """``id()`` of an item (actual or expected) → the page it came from."""


def _where(facts: PageFacts) -> str:
    return f"{facts.where()} ({facts.url}{', ' + facts.file if facts.file else ''})"


def walk(recipe: Recipe, fixture: Fixture,
         done: dict[str, Extraction] | None = None) -> list[PageRead]:
    """Every list of the fixture, page by page, as far as the runner would read it
    (``done``: extractions already made, by snapshot file)."""
    accounts = account_records(recipe, fixture)
    reference = reference_date(fixture.meta)
    groups: dict[tuple[str, str | None], list[SnapshotInfo]] = {}
    for info in fixture.snapshots:
        groups.setdefault((info.stage, info.account_id), []).append(info)
    out: list[PageRead] = []
    for (stage, account_id), infos in groups.items():
        block = block_of(recipe, stage)
        if block is None:
            continue
        account = accounts.get(account_id or "") if account_id else None
        context = template_context(fixture.meta, account or (
            {"id": account_id} if account_id else None))
        for info in sorted(infos, key=lambda i: i.page_number):
            path = snapshot_path(fixture.path, info)
            if not path.exists():
                break
            text = path.read_text(encoding="utf-8")
            extraction = (done or {}).get(info.file) or extract_list(
                text, block, context, reference=reference, institution=recipe.institution)
            extraction = _with_pending(recipe, stage, block, text, extraction, context)
            facts = document_facts(block, stage, account_id, info.page_number, info.url, text,
                                   extraction, info.file)
            page = PageRead(info, facts, extraction, _refusal(block, stage, facts, text,
                                                              extraction, info.rows))
            out.append(page)
            if page.refusal is not None:
                break  # the runner stops this list here (page 1: the account fails)
            if (block.next_page or block.next_click) and not has_next(facts):
                break  # no next link (no control to click): the runner reads no further
    return out


def _with_pending(recipe: Recipe, stage: str, block: ListBlock, text: str,
                  extraction: Extraction, context: Any) -> Extraction:
    """An API recipe's transactions pages also hold pending rows (``api.pending``), read with
    the block's fields and marked pending, as the runner reads them."""
    pending = recipe.api.pending if recipe.api is not None else None
    if not pending or section_of(stage) != "transactions" or block.format != "json":
        return extraction
    try:
        if jmespath.search(pending, json.loads(text)) is None:
            return extraction
    except (ValueError, jmespath.exceptions.JMESPathError):
        return extraction
    extra = extract_list(text, block.model_copy(update={"each": pending}), context,
                         institution=recipe.institution)
    return replace(extraction, records=[*extraction.records,
                                        *({**r, "pending": True} for r in extra.records)])


def _refusal(block: ListBlock, stage: str, facts: PageFacts, text: str,
             extraction: Extraction, recorded_rows: int) -> Cause | None:
    """What ``runner/paging.py::_require`` raises on this page, as a cause (a list that was
    empty at recording too names its ``empty`` selector: that is what stopped proving it)."""
    where = _where(facts)
    each = f"{stage}.each"
    if extraction.document_error is not None:
        return Cause("runner", f"{each} `{block.each}`: the page cannot be read as the block "
                     f"expects on {where}: {extraction.document_error}", each, block.each,
                     facts.url)
    if extraction.rows == 0 and facts.page_number == 1:
        if block.format == "json":
            try:
                found = jmespath.search(block.each, json.loads(text))
            except (ValueError, jmespath.exceptions.JMESPathError):
                found = None
            if found is None:
                return Cause("runner", f"{each} `{block.each}`: the answer has nothing there "
                             f"on {where}", each, block.each, facts.url)
            if block.empty is not None and jmespath.search(block.empty, json.loads(text)) in (
                    None, False, "", [], {}):
                return Cause("runner", f"{stage}.empty `{block.empty}`: the list is empty but "
                             f"the answer does not say so on {where}", f"{stage}.empty",
                             block.empty, facts.url)
        elif not extraction.empty_marker:
            detail = (f"`{block.empty}` matches nothing either" if block.empty else
                      "and the block has no `empty` selector to prove the list is empty")
            marker = block.empty is not None and recorded_rows == 0
            return Cause("runner", f"{each} `{block.each}`: no rows on {where}, {detail}",
                         f"{stage}.empty" if marker else each,
                         block.empty if marker else block.each, facts.url,
                         snapshot=facts.file)
    if extraction.problems:
        problem = extraction.problems[0]
        name = f"{stage}.fields.{problem.field}"
        stat = extraction.fields.get(problem.field)
        count = (f"{stat.unparsable} unparsable" if stat and stat.unparsable
                 else f"{len(extraction.problems)} problem(s)")
        return Cause("runner", f"{name} `{problem.selector}`: {count} on {where}: row "
                     f"{problem.row + 1}: {problem.message}", name, problem.selector,
                     facts.url, problem.field, facts.file)
    return None


def _context(recipe: Recipe, fixture: Fixture) -> SyncContext:
    """The conversion rules need a sync's recipe, warnings and options, never its backend."""
    return SyncContext(recipe=recipe, backend=cast(Backend, None), options=SyncOptions(
        reference_date=reference_date(fixture.meta)), credentials={}, redactor=Redactor())


def build(recipe: Recipe, fixture: Fixture, pages: list[PageRead]) -> ValueCheck:
    """Records of every page read → output models (as JSON), each item tagged with its
    page; conversion failures become causes."""
    ctx = _context(recipe, fixture)
    out = ValueCheck(pages=pages, view={"accounts": [], "transactions": [], "holdings": []})
    known = {str(a["id"]): a for a in (fixture.expected or {}).get("accounts") or []
             if isinstance(a, dict) and a.get("id") is not None}
    models: dict[str, Account] = {}
    balances = {page.info.account_id: page.extraction.records[0] for page in pages
                if page.info.stage == "balances" and page.refusal is None
                and page.extraction.records}
    for page in pages:
        if page.refusal is not None or not page.info.stage.startswith("accounts"):
            continue
        for record in page.extraction.records:
            extra = balances.get(str(record.get("id")))
            if extra:  # an API recipe reads each account's balance from its own endpoint
                record = {**record, **{k: v for k, v in extra.items() if v is not None}}
            try:
                account = account_of(ctx, dict(record))
            except SyncError as exc:
                out.causes.append(_model_cause(page.facts, exc))
                break
            models[account.id] = account
            item = account.model_dump(mode="json")
            out.view["accounts"].append(item)
            out.page_of[id(item)] = page.facts
    lists: dict[tuple[str, str], list[PageRead]] = {}
    for page in sorted(pages, key=lambda p: _order(p.info.stage, p.info.page_number)):
        section = section_of(page.info.stage)
        if page.refusal is None and section in ("transactions", "holdings"):
            lists.setdefault((section, page.info.account_id or ""), []).append(page)
    for (stage, account_id), group in lists.items():
        owner = models.get(account_id) or _known(known, account_id) or _stand_in(
            recipe, account_id)
        if owner is not None:
            _convert(ctx, out, stage, owner, group)
    return out


def section_of(stage: str) -> str:
    """``transactions[1]`` → ``transactions``: the section a block's stage belongs to."""
    return stage.split("[", 1)[0]


def _order(stage: str, page_number: int) -> tuple[int, int]:
    """Blocks of a section in recipe order, each block's pages in order: the order the
    runner concatenates an account's rows in."""
    index = stage.partition("[")[2].rstrip("]")
    return (int(index) if index.isdigit() else 0), page_number


def _convert(ctx: SyncContext, out: ValueCheck, stage: str, account: Account,
             group: list[PageRead]) -> None:
    """One account's rows of every block of the section in one go, as the runner converts
    them (transaction ids number identical rows over all of them); a refused value is found
    page by page."""
    convert = transactions_of if stage == "transactions" else holdings_of
    records = [r for page in group for r in page.extraction.records]
    owners = [page.facts for page in group for _ in page.extraction.records]
    try:
        items = convert(ctx, account, records)
    except SyncError:
        for page in group:
            try:
                convert(ctx, account, page.extraction.records)
            except SyncError as exc:
                out.causes.append(_model_cause(page.facts, exc))
                return
        return
    for model, facts in zip(items, owners, strict=True):
        item = model.model_dump(mode="json")
        out.view[stage].append(item)
        out.page_of[id(item)] = facts


def _stand_in(recipe: Recipe, account_id: str) -> Account:
    """An account no page of the fixture describes (an imported history page alone): its
    rows are still converted, in the institution's currency."""
    return Account(id=account_id, label=account_id, balance=Decimal(0),
                   currency=recipe.institution.currency)


def _known(known: dict[str, dict[str, Any]], account_id: str) -> Account | None:
    data = known.get(account_id)
    if data is None:
        return None
    try:
        return Account(**data)
    except ValueError:
        return None


def _model_cause(facts: PageFacts, exc: SyncError) -> Cause:
    field_name = str(exc.details.get("field") or "") or None
    step = f"{facts.stage}.fields.{field_name}" if field_name else facts.stage
    return Cause("runner", f"{step}: the output model refuses a value on {_where(facts)}: "
                 f"{exc.message}", step, None, facts.url, field_name, facts.file)


def attribute_expected(fixture: Fixture, expected: dict[str, Any],
                       page_of: dict[int, PageFacts]) -> None:
    """Which recorded page each expected item came from: the index says how many records
    each page gave, and the expectation lists them in page order."""
    pages = recorded_facts(fixture)
    for collection in ("accounts", "transactions", "holdings"):
        items = [i for i in expected.get(collection) or [] if isinstance(i, dict)]
        for account, group in _groups(pages, collection).items():
            mine = [i for i in items if collection == "accounts"
                    or str(i.get("account_id")) == str(account)]
            start = 0
            for facts in group:
                count = facts.records if facts.records is not None else facts.rows
                for item in mine[start:start + count]:
                    page_of[id(item)] = facts
                start += count


def _groups(pages: list[PageFacts], collection: str) -> dict[str | None, list[PageFacts]]:
    """Per account (one list for accounts), the recorded pages of every block of the
    collection, in the order the runner concatenated their rows."""
    out: dict[str | None, list[PageFacts]] = {}
    for facts in sorted(pages, key=lambda f: _order(f.stage, f.page_number)):
        if section_of(facts.stage) == collection:
            # several account sources are one list, in block order
            out.setdefault(None if collection == "accounts" else facts.account_id,
                           []).append(facts)
    return out


def check_values(recipe: Recipe, fixture: Fixture, *, threshold: float,
                 done: dict[str, Extraction] | None = None) -> ValueCheck:
    """Walk, build, compare: the causes of every difference, located."""
    pages = walk(recipe, fixture, done)
    out = build(recipe, fixture, pages)
    out.causes[:0] = [p.refusal for p in pages if p.refusal is not None]
    now = [p.facts for p in pages]
    refused = {p.facts.list_key for p in pages if p.refusal is not None}
    for cause in compare_pages(recorded_facts(fixture), now, threshold=threshold):
        if (cause.stage, cause.account_id) in refused:
            continue  # the refusal is the cause; what it cut short only repeats it
        out.causes.append(Cause(cause.kind, cause.message, f"{cause.stage}.next_page"
                                if cause.kind == "truncated" else f"{cause.stage}.each",
                                cause.selector, None))
    expected = fixture.expected
    if expected is None:
        return out
    stages = {section_of(p.info.stage) for p in pages}
    wanted: dict[str, list[Any]] = {
        name: _scope(expected, name, pages) for name in ("accounts", "transactions",
                                                         "holdings") if name in stages}
    scoped = {**{k: v for k, v in expected.items() if k not in wanted}, **wanted}
    comparison = compare_results(scoped, {**scoped, **{k: out.view[k] for k in wanted}},
                                 tuple(wanted))
    out.comparison = comparison
    attribute_expected(fixture, scoped, out.page_of)
    out.causes.extend(_value_causes(comparison, out.page_of))
    return out


def _scope(expected: dict[str, Any], collection: str, pages: list[PageRead]) -> list[Any]:
    """The expected items the snapshots can speak for: accounts when an accounts page was
    recorded, an account's transactions when its pages were."""
    items = [i for i in expected.get(collection) or [] if isinstance(i, dict)]
    if collection == "accounts":
        return items
    read = {p.info.account_id for p in pages if section_of(p.info.stage) == collection}
    return [i for i in items if i.get("account_id") in read]


def _value_causes(comparison: Comparison, page_of: dict[int, PageFacts]) -> list[Cause]:
    out: list[Cause] = []
    for kind in ("changed", "added", "removed"):
        changes = [c for c in comparison.changes if c.kind == kind]
        if not changes:
            continue
        first = changes[0]
        facts = page_of.get(id(first.actual if first.actual is not None else first.expected))
        page = f" on {_where(facts)}" if facts is not None else ""
        total = f"; {len(changes)} {first.collection} {kind}" if len(changes) > 1 else ""
        if kind == "changed":
            diff = first.fields[0]
            name = f"{first.collection}.{diff.path}"
            out.append(Cause("values", f"{name}{page}: expected {_show(diff.expected)}, got "
                             f"{_show(diff.actual)} ({_label(first)}){total}",
                             f"{first.collection}.fields.{diff.path}", None,
                             facts.url if facts else None, diff.path,
                             facts.file if facts else None))
        else:
            out.append(Cause("rows_added" if kind == "added" else "values",
                             f"{first.describe()}{page}{total}", f"{first.collection}.each",
                             None, facts.url if facts else None,
                             snapshot=facts.file if facts else None))
    return out


def _label(change: ItemChange) -> str:
    item = change.expected or {}
    if change.collection == "transactions":
        return f"{item.get('date')} {item.get('label')!r}"
    return str(item.get("label") or item.get("id"))


def _show(value: Any) -> str:
    from engine.harness.compare import show

    return show(value)


__all__ = ["PageRead", "ValueCheck", "attribute_expected", "build", "check_values", "section_of",
           "walk"]
