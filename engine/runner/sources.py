"""Where a list's pages come from: a rendered page, a plain fetch, or an API call.

The pagination loop (``paging``) asks a ``PageSource`` for each page and never cares which one
it is. Each source classifies what it received from its own evidence: a rendered page through
the detection rules after it has *settled* (no data call in flight, no short timer pending, the
DOM quiet: a page whose script fixes up balances after load is read after the fix-up; an
infinite virtualized list is read screen by screen, ``scrolling``); a plain JSON fetch through
the recipe's ``response:`` rules, then its own URL, status and ``WWW-Authenticate`` (a 401
from a data endpoint names that endpoint); an API answer through the recipe's ``api.detect``
rules.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

from engine.backends.base import FetchResponse, RequestRefused, ResponseSeen
from engine.errors import Blocked, RecipeBroken, SyncError, Unavailable
from engine.extraction.records import count_matches, count_rows, row_signature
from engine.recipe.lists import ListBlock
from engine.recipe.model import host_allowed
from engine.runner.context import SyncContext
from engine.runner.detection import (
    PageSnapshot,
    classify,
    classify_answers,
    retry_after_seconds,
)
from engine.runner.page_runtime import PageRuntime, following_expectation
from engine.runner.scrolling import read_virtualized

SETTLE_SECONDS = 5.0
"""Longest wait for a rendered page to stop changing before it is read anyway (with a
warning): a page animating forever must not cost the whole step timeout."""
SESSION_RETRY_SECONDS = 300
"""A session that expired mid-sync needs only a new login: retry soon, not in an hour."""


@dataclass(frozen=True)
class Loaded:
    """One page of a list, as text."""

    url: str
    text: str
    rendered: bool


class PageSource(Protocol):
    async def load(self, url: str, *, step: str, account: dict[str, Any] | None,
                   first: bool) -> Loaded: ...

    def extra_records(self, page: Loaded, account: dict[str, Any] | None,
                      step: str) -> list[dict[str, Any]]:
        """Records beyond the block's rows (an API's pending transactions)."""

    def next_url(self, page: Loaded, found: str) -> str:
        """The next page's URL from what the block's next_page found."""


class SourceBase:
    """Defaults every source shares: no extra records, next links relative to the page."""

    def extra_records(self, page: Loaded, account: dict[str, Any] | None,
                      step: str) -> list[dict[str, Any]]:
        return []

    def next_url(self, page: Loaded, found: str) -> str:
        return urljoin(page.url, found)


class RenderedPages(SourceBase):
    """Pages navigated to and rendered in the browser, then read once settled."""

    def __init__(self, ctx: SyncContext, name: str, block: ListBlock) -> None:
        self.ctx, self.name, self.block = ctx, name, block
        self._shown = ""

    async def load(self, url: str, *, step: str, account: dict[str, Any] | None,
                   first: bool) -> Loaded:
        ctx, block = self.ctx, self.block
        backend, timeout = ctx.backend, ctx.step_timeout
        ctx.response_mark = ctx.checked_upto
        if block.next_click and not first:
            await self._turn(step, account)  # it checked the new page while waiting for it
        else:
            # a page the session check has just loaded fresh is read as it is, even for a
            # block whose rows scripts draw (it is what a new load would show)
            fresh, ctx.fresh_page = first and ctx.fresh_page == url, None
            if backend.url != url or (block.rendered_only and not fresh) or not first:
                await backend.goto(url, timeout=timeout)
            # else: the login already landed on this very page; reading it again is free
            await ctx.check(step)
        if first and block.steps:
            await self._run_steps(step, account)
        if block.wait_for:
            from engine.recipe.conditions import Condition

            if await ctx.wait_any(step, [Condition(css=block.wait_for)], timeout) is None:
                raise ctx.not_found(step, block.wait_for,
                                    "the page never showed the element to wait for")
        if not await backend.settle(timeout=min(timeout, SETTLE_SECONDS)):
            ctx.warnings.append(f"{step}: the page was still changing after "
                                f"{min(timeout, SETTLE_SECONDS):g} s; read as it was")
        html = (await ctx.check(step)).html
        if block.scroll is not None and block.scroll.key is not None:
            html = await read_virtualized(ctx, block, step, html, account)
        elif block.load_more or block.scroll:
            html = await self._expand(step, html)
        if block.next_click:  # what the next turn must see replaced
            self._shown = row_signature(html, block, ctx.template_context(account))
        return Loaded(backend.url, html, rendered=True)

    async def _run_steps(self, step: str, account: dict[str, Any] | None) -> None:
        runtime = PageRuntime(self.ctx, account=account)
        for index, inner in enumerate(self.block.steps):
            where = f"{self.name}.steps[{index}]"
            name = f"{step}: " + inner.label(where)
            runtime.begin(name, inner.timeout or self.ctx.step_timeout, where,
                          following_expectation(self.block.steps, index))
            try:
                if inner.when is not None and not await runtime.holds(inner.when):
                    continue
                await inner.run(runtime)
            except Exception as exc:
                raise self.ctx.translate(exc, name) from exc

    async def _turn(self, step: str, account: dict[str, Any] | None) -> None:
        """Click ``next_click`` and wait until the rows are replaced. A postback keeps the URL,
        and the old document stays in place until the answer arrives, so neither the URL nor
        the load state says the next page is there: the rows changing does."""
        ctx, block, backend = self.ctx, self.block, self.ctx.backend
        assert block.next_click is not None
        timeout, context = ctx.step_timeout, ctx.template_context(account)
        await backend.click(block.next_click, timeout=timeout)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await backend.settle(timeout=min(1.0, timeout))
            if row_signature((await ctx.check(step)).html, block, context) != self._shown:
                return
            if loop.time() >= deadline:
                raise ctx.not_found(step, block.next_click, "the next-page control was "
                                    "clicked but the rows were never replaced")

    async def _expand(self, step: str, html: str) -> str:
        """Click "load more" or scroll until no new row appears (bounded)."""
        ctx, block, backend = self.ctx, self.block, self.ctx.backend
        timeout = ctx.step_timeout
        rows = count_rows(html, block, ctx.template_context())
        limit = block.scroll.max if block.scroll else block.max_pages
        for _ in range(limit):
            if block.load_more:
                if not count_matches(html, block.load_more):
                    break
                await backend.click(block.load_more, timeout=timeout)
            else:
                assert block.scroll is not None
                await backend.scroll(block.scroll.css, timeout=timeout)
            grown = False
            for _wait in range(int(timeout * 10)):
                await backend.settle(timeout=1.0)
                html = (await ctx.check(step)).html
                if count_rows(html, block, ctx.template_context()) != rows:
                    grown = True
                    break
                if block.load_more and not count_matches(html, block.load_more):
                    break
                if block.scroll and _wait >= 10:
                    break  # a second without new rows after scrolling: the end
            new_rows = count_rows(html, block, ctx.template_context())
            if not grown and new_rows == rows:
                break
            rows = new_rows
        else:
            ctx.warnings.append(f"{step}: still more rows after {limit} "
                                f"{'scrolls' if block.scroll else 'clicks'}; read what was "
                                "loaded")
        return html


class FetchedPages(SourceBase):
    """Pages fetched with the session's cookies, no rendering: plain HTML or JSON endpoints."""

    def __init__(self, ctx: SyncContext, name: str, block: ListBlock) -> None:
        self.ctx, self.name, self.block = ctx, name, block

    async def load(self, url: str, *, step: str, account: dict[str, Any] | None,
                   first: bool) -> Loaded:
        ctx, block = self.ctx, self.block
        headers = {name: ctx.render(value, account, reveal=True,
                                    where=f"{self.name}.headers.{name}")
                   for name, value in block.headers.items()}
        response = await ctx.backend.fetch(url, timeout=ctx.step_timeout,
                                           headers=headers or None,
                                           max_bytes=ctx.max_page_bytes)
        if not host_allowed(response.url, ctx.recipe.institution.allowed_domains):
            raise RequestRefused(response.url.split("?")[0])  # never parsed as data
        ctx.check_size(response.text, response.url)
        if block.format == "json":
            error = _answer_rules(ctx, response, step, account)
            if error is not None:
                raise error
            _check_json_answer(response, step, bearer=any(
                v.lower().startswith("bearer ") for k, v in headers.items()
                if k.lower() == "authorization"))
        else:
            page = PageSnapshot(url=response.url, status=response.status, html=response.text,
                                headers=response.headers)
            error = classify(ctx.recipe.rules(), page, step=step,
                             values=ctx.expression_context(account))
            if error is not None:
                raise error
        return Loaded(response.url, response.text, rendered=False)


def _answer_rules(ctx: SyncContext, response: FetchResponse, step: str,
                  account: dict[str, Any] | None) -> SyncError | None:
    """The recipe's ``response:`` detection rules on the answer itself: the author's word on
    what an API answer means (403 ``termos_pendentes`` is new terms to accept, not a broken
    recipe) outranks the built-in reading of its status, as it does for a page's own calls."""
    rules = ctx.recipe.rules()
    if not any(rule.response is not None for _, rule in rules):
        return None
    seen = ResponseSeen(url=response.url, status=response.status, resource_type="fetch",
                        headers=response.headers)
    answer = PageSnapshot(url=response.url, status=response.status, html="",
                          headers=response.headers, responses=[seen], bodies={0: response.text})
    return classify_answers(rules, answer, step=step, values=ctx.expression_context(account))


_INVALID_TOKEN = re.compile(r"""\berror\s*=\s*"?invalid_token\b""", re.IGNORECASE)


def _check_json_answer(response: FetchResponse, step: str, *, bearer: bool = False) -> None:
    """What a data endpoint's answer says, from its own URL and status."""
    url, status = response.url.split("?")[0], response.status
    details: dict[str, Any] = {"status": status, "response_url": url}
    is_json = _is_json(response.text)
    challenge = response.headers.get("www-authenticate", "")
    if status == 401 and bearer and _INVALID_TOKEN.search(challenge):
        # RFC 6750: the bearer token the login gave us is expired or revoked. The recipe did
        # authenticate; the session ended before the sync did, and a new login fixes it.
        raise Unavailable(f"the data endpoint no longer accepts the session's token (HTTP 401 "
                          f"invalid_token from {url}): the session expired during the sync",
                          reason="session_expired", step=step, url=url, details=details,
                          retry_after=SESSION_RETRY_SECONDS)
    if status == 429:
        raise Blocked(f"the data endpoint is rate limiting us (HTTP 429 from {url})",
                      reason="rate_limited", step=step, url=url, details=details,
                      retry_after=retry_after_seconds(response.headers))
    if status >= 500:
        raise Unavailable(f"the data endpoint answered HTTP {status} ({url})",
                          reason="server_error", step=step, url=url, details=details,
                          retry_after=retry_after_seconds(response.headers))
    if status == 401:
        raise RecipeBroken(f"the data endpoint refused the session (HTTP 401 from {url}): the "
                           "recipe did not authenticate to it (a missing token or header?)",
                           reason="api_unauthorized", step=step, url=url, details=details)
    if status == 403:
        if is_json or not response.text.strip():
            raise RecipeBroken(f"the data endpoint refused the request (HTTP 403 from {url})",
                               reason="api_forbidden", step=step, url=url, details=details)
        raise Blocked(f"access refused (HTTP 403 page from {url})", reason="http_403",
                      step=step, url=url, details=details)
    if status >= 400:
        raise RecipeBroken(f"the data endpoint answered HTTP {status} ({url})",
                           reason=f"http_{status}", step=step, url=url, details=details)
    if not is_json:
        raise RecipeBroken(f"expected a JSON document from {url}, got "
                           + ("an HTML page (a login page? the session may have expired)"
                              if response.text.lstrip().startswith("<") else "something else"),
                           reason="not_json", step=step, url=url, details=details)


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True

