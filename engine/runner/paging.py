"""The one pagination loop: every list of every recipe (browser, hybrid, API) is read here.

It never returns a wrong list silently:

- a page whose URL, or whose rows, were already seen ends the list (a "next" link back to page
  1 gives no duplicates); an empty or falsy next link ends it;
- reaching ``max_pages`` is a failure of that list (the rows read are kept, the result is
  partial), not a warning: the history may be longer than what was read;
- when page 3 of 7 fails, pages 1–2 are kept and the failure names page 3.

For HTML blocks of browser recipes, ``BlockPages`` decides per block whether pages need
rendering: the first page is rendered and settled, the same URL is fetched plainly, and only if
the *records* extracted from both are identical are later pages (and later syncs) read over
plain HTTP. A page whose values are drawn by script therefore always stays in the browser. The
verdict remembers the page's scripts: when a plainly fetched page ships other scripts than the
page the verdict was made on (the site started fixing values up in JavaScript), it is rendered
and judged again rather than trusted.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import jmespath

from engine.errors import RecipeBroken, SyncError
from engine.extraction.records import Extraction, count_matches, extract_list, extract_next
from engine.recipe.lists import ListBlock
from engine.runner.context import LARGE_PAGE, DocumentSeen, SyncContext
from engine.runner.sources import FetchedPages, Loaded, PageSource, RenderedPages, SourceBase

Record = dict[str, Any]


@dataclass
class ListOutcome:
    """What a list gave: its records, and the failure that cut it short (if any)."""

    records: list[Record] = field(default_factory=list)
    pages: int = 0
    failure: SyncError | None = None


class BlockPages(SourceBase):
    """The source of an HTML block's pages in a browser recipe: rendered, or plain fetches
    once the engine has seen they read the same."""

    def __init__(self, ctx: SyncContext, name: str, block: ListBlock) -> None:
        self.ctx, self.name, self.block = ctx, name, block
        self.rendered = RenderedPages(ctx, name, block)
        self.fetched = FetchedPages(ctx, name, block)
        forced = ctx.options.render
        self.mode: str | None = forced or (None if block.render == "auto" else block.render)
        if block.rendered_only or not ctx.backend.rendering:
            self.mode = "browser" if ctx.backend.rendering else "http"
        self.memory_key = f"{ctx.recipe.institution.id}/{name}"
        self.scripts: str | None = None
        self.remembered = self.mode is None and self.memory_key in ctx.render_memory
        if self.remembered:
            self.mode, _, self.scripts = ctx.render_memory[self.memory_key].partition("|")

    async def load(self, url: str, *, step: str, account: Record | None,
                   first: bool) -> Loaded:
        if self.mode == "http":
            page = await self.fetched.load(url, step=step, account=account, first=first)
            if self.scripts is None or script_fingerprint(page.text) == self.scripts:
                return page
            self.distrust()  # other scripts than when judged: judge again
            self.mode = None
        page = await self.rendered.load(url, step=step, account=account, first=first)
        if self.mode is None:
            self.mode, plain = await self._probe(page, step, account)
            self.scripts = script_fingerprint(plain) if plain is not None else ""
            self.ctx.render_memory[self.memory_key] = f"{self.mode}|{self.scripts}"
        return page

    async def _probe(self, rendered: Loaded, step: str,
                     account: Record | None) -> tuple[str, str | None]:
        """Fetch the rendered URL plainly; plain HTTP from now on only when it yields the very
        same records, and at least one."""
        try:
            plain = await self.fetched.load(rendered.url, step=step, account=account,
                                            first=True)
        except Exception:
            return "browser", None
        context = self.ctx.template_context(account)
        reference = self.ctx.options.reference_date
        institution = self.ctx.recipe.institution
        seen = extract_list(rendered.text, self.block, context, reference=reference,
                            institution=institution)
        fetched = extract_list(plain.text, self.block, context, reference=reference,
                               institution=institution)
        same = seen.records == fetched.records and not fetched.problems
        return ("http" if same and seen.records else "browser"), plain.text

    def distrust(self) -> bool:
        """A remembered plain-HTTP verdict gave a suspicious page: render from now on.
        True when there was a verdict to drop (the page should be loaded again)."""
        if not (self.remembered and self.mode == "http"):
            return False
        self.ctx.render_memory.pop(self.memory_key, None)
        self.mode, self.remembered = "browser", False
        return True


async def read_list(ctx: SyncContext, name: str, block: ListBlock, source: PageSource,
                    url: str, account: Record | None = None, *,
                    since: date | None = None) -> ListOutcome:
    """Every page of one list, from ``url`` on."""
    outcome = ListOutcome()
    seen_urls: set[str] = set()
    seen_pages: set[str] = set()
    step = name + (f" (account {account.get('id')})" if account else "")
    for page_number in range(1, block.max_pages + 1):
        seen_urls.add(url)
        where = f"{step}, page {page_number}" if page_number > 1 else step
        try:
            page, extraction = await _page(ctx, block, source, url, where, account,
                                           first=page_number == 1)
            _require(ctx, block, extraction, where, page, account, first_page=page_number == 1)
        except SyncError as exc:
            if page_number == 1:
                raise
            exc.details.setdefault("page", page_number)
            exc.details.setdefault("rows_kept", len(outcome.records))
            outcome.failure = exc
            return outcome
        if ctx.options.observer is not None:
            ctx.options.observer(DocumentSeen(name, page.url, page.text,
                                              str(account.get("id")) if account else None,
                                              page_number))
        fingerprint = _fingerprint(extraction.records)
        if extraction.records and fingerprint in seen_pages:
            ctx.warnings.append(f"{step}: page {page_number} repeats an earlier page; the "
                                "list ends there")
            break
        seen_pages.add(fingerprint)
        outcome.records.extend(extraction.records)
        outcome.records.extend(source.extra_records(page, account, where))
        outcome.pages = page_number
        if since is not None and _all_older(extraction.records, since):
            break
        if block.next_click:  # the source clicks it in place: the URL may never change
            if not count_matches(page.text, block.next_click):
                break
            continue
        next_url = extract_next(page.text, block)
        if not next_url:
            break
        url = source.next_url(page, next_url)
        if url in seen_urls:
            ctx.warnings.append(f"{step}: the next link of page {page_number} leads back to "
                                "an earlier page; the list ends there")
            break
    else:
        outcome.failure = RecipeBroken(
            f"the list still had a next page after max_pages={block.max_pages}; "
            f"{len(outcome.records)} rows were read, the rest may be missing",
            reason="max_pages", step=step,
            selector=block.next_page or block.next_click or block.load_more,
            details={"pages": block.max_pages, "rows_kept": len(outcome.records)})
    return outcome


async def _page(ctx: SyncContext, block: ListBlock, source: PageSource, url: str, step: str,
                account: Record | None, *, first: bool) -> tuple[Loaded, Extraction]:
    try:
        page = await source.load(url, step=step, account=account, first=first)
        extraction = await _extract(ctx, block, page.text, account)
        if (isinstance(source, BlockPages) and (extraction.problems or not extraction.rows)
                and source.distrust()):
            # the remembered verdict no longer holds (the site changed): render again
            page = await source.load(url, step=step, account=account, first=first)
            extraction = await _extract(ctx, block, page.text, account)
    except SyncError:
        raise
    except Exception as exc:
        raise ctx.translate(exc, step) from exc
    return page, extraction


async def _extract(ctx: SyncContext, block: ListBlock, text: str,
                   account: Record | None) -> Extraction:
    """Pure extraction, off the event loop for large documents."""
    context = ctx.template_context(account)
    reference = ctx.options.reference_date
    institution = ctx.recipe.institution
    if len(text) > LARGE_PAGE:
        return await asyncio.to_thread(extract_list, text, block, context, reference=reference,
                                       institution=institution)
    return extract_list(text, block, context, reference=reference, institution=institution)


def _require(ctx: SyncContext, block: ListBlock, extraction: Extraction, step: str,
             page: Loaded, account: Record | None, *, first_page: bool) -> None:
    url = page.url
    if extraction.document_error is not None:
        raise RecipeBroken(f"the page cannot be read as the block expects: "
                           f"{extraction.document_error}", reason="document_invalid",
                           step=step, selector=block.each, url=url)
    if block.format == "json":
        _require_json_rows(ctx, block, extraction, step, page, account, first_page=first_page)
    elif extraction.rows == 0 and first_page and not extraction.empty_marker:
        raise RecipeBroken("no rows match the list selector", reason="no_rows", step=step,
                           selector=block.each, url=url,
                           details={"recipe": ctx.recipe.where(f"{_stage(step)}.each")})
    if extraction.problems:
        problem = extraction.problems[0]
        missing = block.format == "json" and problem.message.startswith("matched nothing")
        raise RecipeBroken(
            f"field '{problem.field}' of row {problem.row + 1}: "
            + (f"the answer has nothing at '{problem.selector}'" if missing
               else problem.message),
            reason="path_missing" if missing else "field_invalid", step=step,
            selector=problem.selector, url=url,
            details={"field": problem.field, "problems": len(extraction.problems)})


def _require_json_rows(ctx: SyncContext, block: ListBlock, extraction: Extraction, step: str,
                       page: Loaded, account: Record | None, *, first_page: bool) -> None:
    """JSON says "none" with an empty list; a path that finds nothing at all means the API
    changed. An ``empty`` expression, when given, must hold for an empty list to count."""
    if extraction.rows:
        return
    document = json.loads(page.text)
    each = ctx.render(block.each, account, where=f"{_stage(step)}.each")
    found = jmespath.search(each, document)
    url = page.url.split("?")[0]
    if found is None:
        raise RecipeBroken(f"the answer has nothing at '{each}'", reason="path_missing",
                           step=step, selector=each, url=url)
    if first_page and block.empty is not None and jmespath.search(block.empty, document) in (
            None, False, "", [], {}):
        raise RecipeBroken("the list is empty but the answer does not say so (empty: "
                           f"{block.empty})", reason="no_rows", step=step, selector=each,
                           url=url)


_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_SRC = re.compile(r"""\bsrc\s*=\s*["']?([^"'\s>?#]+)""", re.IGNORECASE)
_VOLATILE = re.compile(r"[A-Za-z0-9_+/=-]{16,}|\d+")


def script_fingerprint(html: str) -> str:
    """What scripts a page ships, insensitive to per-request tokens and numbers: the sources
    (without query strings) and inline bodies with long tokens and digits blanked."""
    parts = []
    for attrs, body in _SCRIPT.findall(html):
        src = _SRC.search(attrs)
        parts.append(src.group(1) if src else _VOLATILE.sub("~", " ".join(body.split())))
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def _stage(step: str) -> str:
    return step.split(" ")[0].split(",")[0]


def _fingerprint(records: list[Record]) -> str:
    return hashlib.sha256(repr(records).encode()).hexdigest()


def _all_older(records: list[Record], since: date) -> bool:
    dates = [d for d in (r.get("date") for r in records) if isinstance(d, date)]
    return bool(dates) and all(d < since for d in dates)
