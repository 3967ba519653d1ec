"""Playwright's side of the recording and replay seam (``engine.backends.interception``).

Routes, requests and responses are turned into plain values here, so the harness records and
replays with ordinary callbacks. Also here: rendering saved HTML to pictures offline (the
recording's screenshots are taken of the *scrubbed* pages, never of the live ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Sequence
from typing import Any

from playwright.async_api import Browser, Request, Response, Route
from playwright.async_api import Error as PlaywrightError

from engine.backends.browser_net import REFUSED_MARKER, offline_context
from engine.backends.interception import (
    Abort,
    InterceptedRequest,
    RecordingTap,
    Reply,
    ServeHook,
)


def intercepted(request: Request) -> InterceptedRequest:
    """The plain view of a Playwright request (a body that is not text is left out)."""
    try:
        post_data = request.post_data
    except (PlaywrightError, UnicodeDecodeError):
        post_data = None
    try:
        main = request.is_navigation_request() and request.frame.parent_frame is None
    except PlaywrightError:  # a service worker's request, or a frame already gone
        main = False
    return InterceptedRequest(method=request.method, url=request.url,
                              resource_type=request.resource_type,
                              headers=dict(request.headers), post_data=post_data,
                              main_navigation=main)


async def serve_route(serve: ServeHook, route: Route, request: Request) -> None:
    """Replay: answer with what the callback gives; never continue to the network."""
    answer = await serve(intercepted(request))
    with contextlib.suppress(PlaywrightError):  # the sync may be over (context closed)
        if isinstance(answer, Abort):
            await route.abort(answer.reason)
        else:
            await route.fulfill(status=answer.status, headers=answer.headers,
                                body=answer.body)


class TapBridge:
    """Recording: fetch each request for real, show the answer to the tap, then the page."""

    def __init__(self, tap: RecordingTap) -> None:
        self.tap = tap
        self._pending: set[asyncio.Task[None]] = set()

    async def route(self, route: Route, request: Request) -> None:
        done = self.tap.request(intercepted(request))
        try:
            # max_redirects=0: the browser must see (and follow) redirects itself, or the page
            # would show the final document under the first URL
            response = await route.fetch(max_redirects=0)
            body = await response.body()
        except PlaywrightError:
            done(None)
            with contextlib.suppress(PlaywrightError):  # the sync may be over already
                await route.abort("failed")  # status 0: replay fails it the same way
            return
        done(Reply(status=response.status, headers=dict(response.headers), body=body))
        with contextlib.suppress(PlaywrightError):
            await route.fulfill(response=response)

    def on_response(self, response: Response) -> None:
        """Redirect hops: the browser follows a redirect without asking any route (a
        Playwright rule), so the hop is only visible here, after the fact."""
        previous = response.request.redirected_from
        if previous is not None and REFUSED_MARKER not in response.headers:  # not the guard's
            task = asyncio.ensure_future(self._capture(response, previous.url))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _capture(self, response: Response, previous: str) -> None:
        body = b""
        if not 300 <= response.status < 400:
            with contextlib.suppress(PlaywrightError):
                body = await response.body()
        self.tap.redirect(intercepted(response.request),
                          Reply(status=response.status, headers=dict(response.headers),
                                body=body), previous)

    async def drain(self, timeout: float) -> None:
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)


async def render_documents(browser: Browser, documents: Sequence[str],
                           viewport: dict[str, int]) -> list[bytes | None]:
    """Each HTML document rendered to a viewport PNG with JavaScript and the network off
    (None for one that would not render)."""
    out: list[bytes | None] = []
    if not documents:
        return out

    async def refuse(route: Route) -> None:
        await route.abort()

    options: dict[str, Any] = {"java_script_enabled": False, "viewport": viewport}
    # offline: the HTML parser's preconnects and prefetches, which no route sees, go nowhere
    async with offline_context(browser, **options) as context:
        await context.route("**/*", refuse)
        page = await context.new_page()
        for html in documents:
            picture = None
            with contextlib.suppress(PlaywrightError):
                html = re.sub(r"(?is)<noscript\b.*?</noscript>", "", html)  # JS is off here
                await page.set_content(html, wait_until="domcontentloaded", timeout=5000)
                picture = await page.screenshot(full_page=False, timeout=5000)
            out.append(picture)
    return out


__all__ = ["TapBridge", "intercepted", "render_documents", "serve_route"]
