"""What each list page gave at recording time and what it gives now, compared page by page
by identity — (stage, account, page number), never by position.

Why its own module: silent loss is the failure a recipe author fears most (the next link
renamed, so a history of 7 pages reads as 2; half the rows dropped by a row selector that
became too narrow) and the one a per-selector count misses, since every selector still
matches *something*. Check, replay and drift all have two page lists — the fixture's index,
and the pages read now (snapshots walked as the runner walks them, the documents a replay
extracted from, a fresh recording) — and ask the same questions of them here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.extraction.records import Extraction, count_matches, extract_next
from engine.harness.fixture import Fixture, SnapshotInfo
from engine.recipe.lists import ListBlock

ROW_THRESHOLD = 0.2
"""A page whose row count falls by more than this fraction of the recording is an alarm of
its own ("row count fell"), named as such rather than as a list of removed items."""
_PSEUDO = re.compile(r"::(text|attr\([^)]*\))\s*$")


@dataclass
class PageFacts:
    """One list page: where it sits, how many rows and records it gave, its next link."""

    stage: str
    account_id: str | None
    page_number: int
    url: str
    rows: int
    records: int | None = None
    fields: dict[str, int] = field(default_factory=dict)
    next: dict[str, Any] | None = None
    file: str | None = None
    keeps: str | None = None
    """The block's ``filter`` (the rows it keeps as records), when the page was read now."""

    @property
    def list_key(self) -> tuple[str, str | None]:
        return self.stage, self.account_id

    def where(self) -> str:
        """``transactions page 3 of account 40001234567`` (``accounts page 1``)."""
        owner = f" of account {self.account_id}" if self.account_id else ""
        return f"{self.stage} page {self.page_number}{owner}"


def recorded_facts(fixture: Fixture) -> list[PageFacts]:
    return [facts_of_info(info) for info in fixture.snapshots]


def facts_of_info(info: SnapshotInfo) -> PageFacts:
    return PageFacts(info.stage, info.account_id, info.page_number, info.url, info.rows,
                     info.records, dict(info.fields), info.next, info.file)


def next_facts(block: ListBlock, document: str) -> dict[str, Any] | None:
    """The next link of a page now: selector, nodes matched, the URL it yields (a postback
    control, ``next_click``, yields none: it is clicked in place)."""
    if block.next_click:
        matched = 0
        with contextlib.suppress(Exception):
            matched = count_matches(document, block.next_click)
        return {"selector": block.next_click, "matched": matched, "url": None, "click": True}
    if not block.next_page:
        return None
    url: str | None = None
    matched = 0
    with contextlib.suppress(Exception):
        url = extract_next(document, block)
        matched = (1 if url else 0) if block.format == "json" else count_matches(
            document, _PSEUDO.sub("", block.next_page))
    return {"selector": block.next_page, "matched": matched, "url": url}


def has_next(facts: PageFacts) -> bool:
    """Whether the runner goes on after this page: a next URL, or a control to click."""
    following = facts.next or {}
    return bool(following.get("url") or (following.get("click") and following.get("matched")))


def document_facts(block: ListBlock, stage: str, account_id: str | None, page_number: int,
                   url: str, document: str, extraction: Extraction,
                   file: str | None = None) -> PageFacts:
    return PageFacts(stage, account_id, page_number, url, extraction.rows,
                     len(extraction.records), {k: s.matched for k, s in
                                               extraction.fields.items()},
                     next_facts(block, document), file, block.filter)


@dataclass
class PageCause:
    """A page-level finding: a truncated list, a row count that fell, rows that appeared."""

    kind: str
    """truncated, rows_lost, rows_fell, rows_added, pages_added, list_missing, list_added."""
    stage: str
    account_id: str | None
    page_number: int | None
    selector: str | None
    message: str

    @property
    def loss(self) -> bool:
        return self.kind in ("truncated", "rows_lost", "rows_fell", "list_missing")


def _lists(pages: Iterable[PageFacts]) -> dict[tuple[str, str | None], list[PageFacts]]:
    out: dict[tuple[str, str | None], list[PageFacts]] = {}
    for page in pages:
        out.setdefault(page.list_key, []).append(page)
    for group in out.values():
        group.sort(key=lambda p: p.page_number)
    return out


def _owner(stage: str, account_id: str | None) -> str:
    return stage + (f" of account {account_id}" if account_id else "")


def compare_pages(recorded: list[PageFacts], now: list[PageFacts], *,
                  threshold: float = ROW_THRESHOLD) -> list[PageCause]:
    """Every page-level difference, lists in recorded order, pages matched by number."""
    before, after = _lists(recorded), _lists(now)
    out: list[PageCause] = []
    for key, pages in before.items():
        stage, account = key
        fresh = after.get(key, [])
        total = sum(p.rows for p in pages)
        if not fresh:
            out.append(PageCause("list_missing", stage, account, None, None,
                                 f"{_owner(stage, account)} not read now ({len(pages)} "
                                 f"page(s), {total} rows at recording)"))
            continue
        by_number = {p.page_number: p for p in fresh}
        for page in pages:
            current = by_number.get(page.page_number)
            if current is not None:
                out.extend(_compare_page(page, current, threshold))
        last = max(by_number)
        if last < pages[-1].page_number:
            out.append(_truncation(pages, by_number[last], total,
                                   sum(p.rows for p in fresh)))
        elif last > pages[-1].page_number:
            out.append(PageCause("pages_added", stage, account, pages[-1].page_number + 1,
                                 None, f"{_owner(stage, account)}: {len(fresh)} page(s) now, "
                                 f"{len(pages)} at recording"))
    for key, pages in after.items():
        if key not in before:
            out.append(PageCause("list_added", key[0], key[1], None, None,
                                 f"{_owner(*key)} read now ({len(pages)} page(s)), not at "
                                 "recording"))
    return out


def _compare_page(page: PageFacts, current: PageFacts, threshold: float) -> list[PageCause]:
    where = current.where()
    if page.rows and not current.rows:
        return [PageCause("rows_lost", page.stage, page.account_id, page.page_number, None,
                          f"{where}: {page.rows} rows at recording, 0 now")]
    if page.rows and current.rows < page.rows * (1 - threshold):
        fall = round(100 * (page.rows - current.rows) / page.rows)
        return [PageCause("rows_fell", page.stage, page.account_id, page.page_number, None,
                          f"row count fell on {where}: {page.rows} rows at recording, "
                          f"{current.rows} now (-{fall}%, threshold {round(threshold * 100)}%)")]
    if current.rows > page.rows:
        return [PageCause("rows_added", page.stage, page.account_id, page.page_number, None,
                          f"{where}: {current.rows - page.rows} row(s) added ({current.rows} "
                          f"now, {page.rows} at recording)")]
    if page.records and current.records is not None and \
            current.records < page.records * (1 - threshold):
        # the rows are all there, the block keeps fewer of them: its filter, or a record
        # spanning more rows than it did
        return [PageCause("rows_fell", page.stage, page.account_id, page.page_number, None,
                          f"records fell on {where}: {page.records} records from "
                          f"{page.rows} rows at recording, {current.records} from "
                          f"{current.rows} now (" + (f"its filter `{current.keeps}` keeps "
                                                     "fewer of them" if current.keeps else
                                                     "a record spans more rows") + ")")]
    return []


def _truncation(pages: list[PageFacts], last: PageFacts, total: int, now: int) -> PageCause:
    """"history truncated at page 3 of 7: next link `a.suivant` matched 1 at recording, 0
    now" — the one sentence that names both the symptom and the selector to fix."""
    recorded = next((p for p in pages if p.page_number == last.page_number), None)
    before = (recorded.next or {}) if recorded is not None else {}
    after = last.next or {}
    selector = str(after.get("selector") or before.get("selector") or "") or None
    matched_before = before.get("matched")
    matched_now = after.get("matched", 0)
    owner = _owner(last.stage, last.account_id)
    head = f"history truncated at page {last.page_number} of {pages[-1].page_number}"
    tail = f" ({owner}: {now} of {total} rows read)"
    if selector is None:
        detail = "the recipe has no next link now"
    elif matched_now and (after.get("url") or after.get("click")):
        detail = (f"next link `{selector}` still matched {matched_now}, but page "
                  f"{last.page_number + 1} was not read")
    else:
        before_text = (str(matched_before) if matched_before else
                       f"at least 1 (page {last.page_number + 1} was read)")
        detail = f"next link `{selector}` matched {before_text} at recording, {matched_now} now"
    return PageCause("truncated", last.stage, last.account_id, last.page_number, selector,
                     f"{head}: {detail}{tail}")


__all__ = ["ROW_THRESHOLD", "PageCause", "PageFacts", "compare_pages", "document_facts",
           "facts_of_info", "has_next", "next_facts", "recorded_facts"]
