"""The Playwright side of network containment: wiring a context to its guard proxy, naming
the page behind each request, and ``fetch()``'s redirects checked hop by hop.

``netguard`` holds the policy and the proxy and knows nothing of Playwright; ``browser.py``
drives pages. This module is the glue between them, kept apart so each stays short.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import APIRequestContext, Browser, BrowserContext, ProxySettings, Request
from playwright.async_api import Error as PlaywrightError

from engine.backends.base import FetchResponse, NavigationFailed, PageTooLarge, RequestRefused
from engine.backends.netguard import LOCAL_SCHEMES, GuardProxy, url_allowed, without_query
from engine.backends.netguard.ledger import RefusalLedger

MAX_FETCH_REDIRECTS = 10
REFUSED_MARKER = "x-engine-refused"
"""Header of the guard's refusal page: a foreign answer without it would be a real escape."""


def host_allowed(url: str, allowed: list[str]) -> bool:
    """The netguard rule, plus the browser's own local documents (``data:``, ``blob:``,
    ``about:``), which never reach the network."""
    if urlsplit(url).scheme in LOCAL_SCHEMES:
        return True
    return url_allowed(url, allowed)


def proxy_option(guard: GuardProxy | None) -> ProxySettings | None:
    """``<-loopback>`` spelled out: Chromium bypasses a proxy for loopback unless told not to,
    and spelling it (rather than relying on Playwright adding it) keeps it whatever Playwright's
    environment switches say. Playwright's own fetch reads the same setting."""
    return {"server": guard.server, "bypass": "<-loopback>"} if guard is not None else None


@contextlib.asynccontextmanager
async def offline_context(browser: Browser, **options: Any) -> AsyncIterator[BrowserContext]:
    """A bare context whose proxy relays nothing (rendering saved HTML to a picture): even
    the HTML parser's preconnects and prefetches have nowhere to go."""
    guard = await GuardProxy([], offline=True).start()
    try:
        context = await browser.new_context(proxy=proxy_option(guard), **options)
        try:
            yield context
        finally:
            with contextlib.suppress(PlaywrightError):
                await context.close()
    finally:
        await guard.close()


def initiator(request: Request) -> str | None:
    """The page that asked: the frame's document (the parent's, for a frame being loaded),
    else the ``Referer`` the browser sent (a popup's opener, as an origin)."""
    try:
        frame = request.frame
        parent = frame.parent_frame if request.is_navigation_request() else None
        url = (parent or frame).url
    except PlaywrightError:
        url = ""
    if url.startswith(("http:", "https:")):
        return url
    return request.headers.get("referer")


def observe(ledger: RefusalLedger, request: Request, main_page: Any) -> None:
    """Tell the ledger about one request of the context (redirect hops included)."""
    previous = request.redirected_from
    try:
        frame = request.frame
        main = (request.is_navigation_request() and frame.parent_frame is None
                and frame.page == main_page)
    except PlaywrightError:  # a service worker's request, or a frame already gone
        main = False
    while previous is not None and previous.redirected_from is not None:
        previous = previous.redirected_from
    ledger.observe(request.url, initiator=initiator(request),
                   redirected_from=previous.url if previous else None, main_navigation=main)


async def get_checking_hops(client: APIRequestContext, url: str, timeout: float,
                            allowed: list[str], ledger: RefusalLedger, *,
                            headers: dict[str, str] | None = None,
                            follow: bool = True, max_bytes: int | None = None) -> FetchResponse:
    """GET through ``context.request`` (which goes through the guard proxy too), following
    redirects here, one hop at a time: a hop to a foreign host is refused before it is
    requested, so a foreign answer can never be handed back as a page's data."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    current = url
    for _hop in range(MAX_FETCH_REDIRECTS + 1):
        left = max(deadline - loop.time(), 0.001)
        response = await client.get(current, timeout=left * 1000, max_redirects=0,
                                    headers=headers or None)
        location = response.headers.get("location")
        if not (follow and 300 <= response.status < 400 and location):
            announced = response.headers.get("content-length", "")
            if max_bytes is not None and announced.isdigit() and int(announced) > max_bytes:
                await response.dispose()
                raise PageTooLarge(without_query(current), int(announced), max_bytes)
            body = await response.body()
            if max_bytes is not None and len(body) > max_bytes:
                raise PageTooLarge(without_query(current), len(body), max_bytes)
            text = body.decode(_charset(response.headers), "replace")
            headers = {k.lower(): v for k, v in response.headers.items()}
            return FetchResponse(url=current, status=response.status, text=text,
                                 headers=headers)
        await response.dispose()
        target = urljoin(current, location)
        if not host_allowed(target, allowed):
            refusal = ledger.add(target, initiator=current, channel="redirect")
            raise RequestRefused(refusal.url, initiator=refusal.initiator)
        current = target
    raise NavigationFailed(without_query(url), f"more than {MAX_FETCH_REDIRECTS} redirects",
                           kind="redirect_loop")


def _charset(headers: dict[str, str]) -> str:
    kind = headers.get("content-type", "")
    for part in kind.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            try:
                "".encode(value.strip('"'))
            except LookupError:
                break
            return value.strip('"')
    return "utf-8"


__all__ = ["MAX_FETCH_REDIRECTS", "REFUSED_MARKER", "get_checking_hops", "host_allowed",
           "initiator", "observe", "offline_context", "proxy_option"]
