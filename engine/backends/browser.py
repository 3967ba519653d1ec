"""The Playwright backend: one Chromium per engine, one isolated context per sync.

Two layers see a context's traffic. The **guard proxy** (``engine.backends.netguard``), one per
context, is the enforcement point: every connection the browser or Playwright's own fetch opens
goes through it, redirect hops, preconnects, prefetches and WebSocket handshakes included, and
it refuses every host outside ``allowed_domains``. The **route handler** sees the first request
of each chain: it refuses foreign hosts early (so a ``goto`` there fails at once), blocks heavy
resources nobody reads, and is the seam where recording and replay take over. Refusals from
both, and from ``fetch()``'s own redirect checks, are reported once each as ``refused``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from engine.backends.base import (
    BackendCrashed,
    Cookie,
    ElementMissing,
    FetchResponse,
    NavigationFailed,
    RequestRefused,
)
from engine.backends.browser_net import (
    REFUSED_MARKER,
    get_checking_hops,
    host_allowed,
    initiator,
    observe,
    offline_context,
    proxy_option,
)
from engine.backends.chromium import find_chromium, launch_args
from engine.backends.netguard import GuardProxy, Refusal, without_query
from engine.backends.netguard.ledger import RefusalLedger
from engine.errors import BrowserNotFound, EngineError

BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet"})

RouteHandler = Callable[[Route, Request], Awaitable[None]]
FetchHook = Callable[[str, float, Callable[[str, float], Awaitable[FetchResponse]]],
                     Awaitable[FetchResponse]]
"""Wraps ``fetch()``'s network call (url, timeout, the real GET): ``fetch`` uses
``context.request``, which no route sees, so recording and replay intercept it here."""


class BrowserHost:
    """Owns Playwright and one Chromium process; hands out isolated sessions."""

    def __init__(self, executable: str | None = None, *, headless: bool = True,
                 disable_features: Sequence[str] = (), extra_args: Sequence[str] = ()) -> None:
        self._executable = executable
        self._headless = headless
        self.disable_features = list(disable_features)
        """Chromium features to turn off besides the engine's, read at (re)launch (the
        containment tests turn the local-network checks off, so they cannot hide a leak)."""
        self.extra_args = list(extra_args)
        """More Chromium flags, read at (re)launch (diagnostics: a net-log, for instance)."""
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()

    @property
    def browser(self) -> Browser | None:
        return self._browser

    async def start(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            executable = self._executable or find_chromium()
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable, headless=self._headless,
                    args=[*launch_args(disable_features=self.disable_features),
                          *self.extra_args])
            except PlaywrightError as exc:
                raise BrowserNotFound(
                    f"could not launch {executable}: {str(exc).splitlines()[0]}",
                    reason="browser_launch_failed",
                ) from None
            return self._browser

    async def new_session(self, *, allowed_domains: list[str], block_resources: bool = True,
                          route_handler: RouteHandler | None = None,
                          fetch_hook: FetchHook | None = None,
                          load_resources: frozenset[str] = frozenset(),
                          offline: bool = False) -> BrowserSession:
        """A fresh context behind its own guard proxy. ``offline`` (replay): the proxy relays
        nothing at all, so only what the route handler serves reaches the page."""
        browser = await self.start()  # relaunches a browser that crashed
        guard = await self._guard(allowed_domains, offline)
        try:
            context = await browser.new_context(
                locale="fr-FR", timezone_id="Europe/Paris", service_workers="block",
                viewport={"width": 1280, "height": 900}, proxy=proxy_option(guard))
        except PlaywrightError as exc:
            if guard is not None:
                await guard.close()
            raise EngineError(f"browser context could not be created: {exc}",
                              reason="browser_crashed") from None
        blocked = BLOCKED_RESOURCES - load_resources if block_resources else frozenset()
        session = BrowserSession(context, allowed_domains, blocked, route_handler, guard=guard)
        session.fetch_hook = fetch_hook
        try:
            await session.open()
        except BaseException:
            await session.close()
            raise
        return session

    @contextlib.asynccontextmanager
    async def offline_context(self, **options: Any) -> AsyncIterator[BrowserContext]:
        """A bare context behind a guard that relays nothing (``browser_net``)."""
        async with offline_context(await self.start(), **options) as context:
            yield context

    async def _guard(self, allowed_domains: list[str], offline: bool) -> GuardProxy | None:
        """The context's enforcement point (the one seam a cost benchmark may replace)."""
        return await GuardProxy(allowed_domains, offline=offline).start()

    async def close(self) -> None:
        async with self._lock:
            if self._browser is not None:
                with contextlib.suppress(PlaywrightError):
                    await self._browser.close()
                self._browser = None
            if self._playwright is not None:
                await self._playwright.stop()
                self._playwright = None


class BrowserSession:
    """A ``Backend`` over one browser context and its single page."""

    def __init__(self, context: BrowserContext, allowed_domains: list[str],
                 blocked_resources: frozenset[str], route_handler: RouteHandler | None, *,
                 guard: GuardProxy | None = None) -> None:
        self._context = context
        self._allowed = allowed_domains
        self._blocked_resources = blocked_resources
        self._route_handler = route_handler
        self._guard = guard
        self._ledger = RefusalLedger(allowed_domains)
        if guard is not None:
            guard.on_refusal = self._ledger.on_proxy
        self.fetch_hook: FetchHook | None = None
        self._page: Page | None = None
        self._status: int | None = None
        self._headers: dict[str, str] = {}
        self._inflight: dict[Request, float] = {}
        self.escaped: list[str] = []
        """Foreign answers that did not come from the guard's refusal: a containment bug,
        never expected; the runner fails the sync with ``host_escaped`` if one appears."""
        self.requests_made = 0

    # -- set-up ---------------------------------------------------------------------------
    async def open(self) -> None:
        await self._context.route("**/*", self._route)
        self._context.on("request", self._observe)
        self._page = await self._context.new_page()
        self._page.on("response", self._on_response)
        self._page.on("request", self._on_request)
        self._page.on("requestfinished", self._on_request_done)
        self._page.on("requestfailed", self._on_request_done)
        self._page.on("websocket", lambda ws: self._ledger.observe(
            ws.url, initiator=self.url, redirected_from=None, main_navigation=False))

    def _on_request(self, request: Request) -> None:
        if request.resource_type in ("document", "xhr", "fetch"):
            self._inflight[request] = time.monotonic()

    def _on_request_done(self, request: Request) -> None:
        self._inflight.pop(request, None)

    def _observe(self, request: Request) -> None:
        """Every request of every page of the context, redirect hops included: who asked."""
        observe(self._ledger, request, self._page)

    async def _route(self, route: Route, request: Request) -> None:
        if not host_allowed(request.url, self._allowed):
            self._ledger.add(request.url, initiator=initiator(request), channel="request")
            await route.abort("blockedbyclient")
            return
        if _resource_type(request) in self._blocked_resources:
            await route.abort("blockedbyclient")
            return
        self.requests_made += 1
        if self._route_handler is not None:
            await self._route_handler(route, request)
        else:
            # Chromium fetches it through the guard proxy, which checks every redirect hop
            await route.continue_()

    def _on_response(self, response: Response) -> None:
        request = response.request
        if not host_allowed(response.url, self._allowed) and REFUSED_MARKER not in \
                response.headers:
            self.escaped.append(without_query(response.url))
        if request.resource_type == "document" and request.frame == self._page_or_none_frame():
            self._status = response.status
            self._headers = {k.lower(): v for k, v in response.headers.items()}

    def _page_or_none_frame(self) -> Any:
        return self._page.main_frame if self._page is not None else None

    @property
    def page(self) -> Page:
        if self._page is None:
            raise EngineError("browser session is not open")
        return self._page

    # -- Backend protocol -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self._page.url if self._page is not None else ""

    @property
    def status(self) -> int | None:
        return self._status

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    @property
    def pending_requests(self) -> list[str]:
        """Document and data requests still unanswered after a second: a page waiting on
        them has not finished loading, whatever its DOM looks like."""
        now = time.monotonic()
        return [r.url for r, started in self._inflight.items() if now - started > 1.0]

    @property
    def refused_hosts(self) -> list[str]:
        return self._ledger.hosts()

    @property
    def refused(self) -> list[Refusal]:
        """Every refused request or connection, once each, with the page that caused it."""
        return self._ledger.records

    @property
    def guard(self) -> GuardProxy | None:
        return self._guard

    def _raise_if_navigation_refused(self) -> None:
        """A main-frame navigation was refused (a redirect hop, a form action, a script's
        ``location``): fail now, not after waiting for a page that will never come."""
        refusal = self._ledger.take_navigation()
        if refusal is not None:
            raise RequestRefused(refusal.url, initiator=refusal.initiator)

    async def goto(self, url: str, *, timeout: float) -> None:
        if self._page is not None and _same_document(self._page.url, url):
            # A fragment-only change would not reload a single-page app: its previous view
            # could still be on screen when we read it. Load the document afresh instead, as
            # a person opening a bookmark would.
            await self._page.goto("about:blank")
        try:
            response = await self.page.goto(url, timeout=timeout * 1000, wait_until="load")
        except PlaywrightTimeout:
            raise NavigationFailed(url, "no response in time", timed_out=True) from None
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            self._raise_if_crashed(message)
            if "ERR_BLOCKED_BY_CLIENT" in message and not host_allowed(url, self._allowed):
                self._ledger.take_navigation()  # this raise reports it
                raise RequestRefused(without_query(url), initiator=self.url or None) from None
            raise NavigationFailed(url, _net_reason(message)) from None
        if response is not None:
            self._status = response.status
            self._headers = {k.lower(): v for k, v in (await response.all_headers()).items()}
        self._raise_if_navigation_refused()

    async def fill(self, selector: str, value: str, *, timeout: float) -> None:
        await self._act(selector, "fill", lambda loc: loc.fill(value, timeout=timeout * 1000),
                        timeout)

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None:
        await self._act(selector, "click",
                        lambda loc: loc.click(timeout=timeout * 1000), timeout, nth=nth)
        if settle:
            await self._settle(timeout)

    async def click_sequence(self, selector: str, indices: list[int], *,
                             timeout: float) -> None:
        """Real mouse clicks (trusted events, as a person's) at each key's centre, positions
        read in one round trip: six times faster than six actionability-checked clicks."""
        locator = self.page.locator(selector)
        try:
            await locator.first.wait_for(state="visible", timeout=timeout * 1000)
            centres = await locator.evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect();"
                " return [r.x + r.width / 2, r.y + r.height / 2, r.width > 0]; })")
        except PlaywrightTimeout:
            raise ElementMissing(selector, self.url, "click") from None
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            raise ElementMissing(selector, self.url, "click") from None
        for index in indices:
            if index >= len(centres) or not centres[index][2]:
                raise ElementMissing(selector, self.url, "click")
            x, y, _visible = centres[index]
            await self.page.mouse.click(x, y)

    async def press(self, selector: str, key: str, *, timeout: float) -> None:
        await self._act(selector, "press", lambda loc: loc.press(key, timeout=timeout * 1000),
                        timeout)
        await self._settle(timeout)

    async def select(self, selector: str, value: str, *, timeout: float) -> None:
        await self._act(selector, "select",
                        lambda loc: loc.select_option(value, timeout=timeout * 1000), timeout)

    async def content(self) -> str:
        self._raise_if_navigation_refused()
        for _ in range(20):
            try:
                return await self.page.content()
            except PlaywrightError as exc:
                self._raise_if_crashed(str(exc))
                # "page is navigating": ask again once the new document is there
                await asyncio.sleep(0.05)
        try:
            return await self.page.content()
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            raise

    async def screenshot(self) -> bytes | None:
        try:
            return await self.page.screenshot(full_page=True, timeout=5000)
        except PlaywrightError:
            return None

    async def fetch(self, url: str, *, timeout: float) -> FetchResponse:
        absolute = urljoin(self.url, url)
        if not host_allowed(absolute, self._allowed):
            refusal = self._ledger.add(absolute, initiator=self.url, channel="fetch")
            raise RequestRefused(refusal.url, initiator=refusal.initiator)
        try:
            if self.fetch_hook is not None:
                fetched = await self.fetch_hook(absolute, timeout, self._network_get)
            else:
                fetched = await self._network_get(absolute, timeout)
        except PlaywrightTimeout:
            raise NavigationFailed(absolute, "no response in time", timed_out=True) from None
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            raise NavigationFailed(absolute, _net_reason(str(exc))) from None
        self.requests_made += 1
        self._status, self._headers = fetched.status, dict(fetched.headers)
        return fetched

    async def _network_get(self, url: str, timeout: float) -> FetchResponse:
        return await get_checking_hops(self._context.request, url, timeout, self._allowed,
                                       self._ledger)

    async def cookies(self) -> list[Cookie]:
        return [
            Cookie(name=c.get("name", ""), value=c.get("value", ""), domain=c.get("domain", ""),
                   path=c.get("path", "/"), expires=c.get("expires", -1),
                   http_only=c.get("httpOnly", False), secure=c.get("secure", False))
            for c in await self._context.cookies()
        ]

    async def add_cookies(self, cookies: list[Cookie]) -> None:
        await self._context.add_cookies([
            {"name": c.name, "value": c.value, "domain": c.domain, "path": c.path,
             "expires": c.expires, "httpOnly": c.http_only, "secure": c.secure}
            for c in cookies
        ])

    async def close(self) -> None:
        try:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(self._context.close(), timeout=10)
        finally:
            if self._guard is not None:
                await self._guard.close()

    # -- helpers ----------------------------------------------------------------------------
    def _raise_if_crashed(self, message: str) -> None:
        browser = self._context.browser
        if (browser is not None and not browser.is_connected()) or "has been closed" in message:
            raise BackendCrashed("the browser closed or crashed during the sync")

    async def _act(self, selector: str, action: str, do: Callable[[Any], Awaitable[Any]],
                   timeout: float, nth: int | None = None) -> None:
        locator = self.page.locator(selector)
        locator = locator.nth(nth) if nth is not None else locator.first
        try:
            await do(locator)
        except PlaywrightTimeout as exc:
            if "action done" in str(exc) or "navigation" in str(exc):
                # the element was there and acted upon; the page it led to never loaded
                raise NavigationFailed(self.url, "the next page did not load in time",
                                       timed_out=True) from None
            raise ElementMissing(selector, self.url, action) from None
        except PlaywrightError as exc:
            message = str(exc).splitlines()[0]
            self._raise_if_crashed(message)
            if "net::" in message:
                raise NavigationFailed(self.url, _net_reason(message)) from None
            raise ElementMissing(selector, self.url, action) from None

    async def _settle(self, timeout: float) -> None:
        """Let a navigation the action started finish loading before anyone reads the page."""
        try:
            await self.page.wait_for_load_state("load", timeout=timeout * 1000)
        except PlaywrightTimeout:
            raise NavigationFailed(self.url, "page did not finish loading", timed_out=True) \
                from None
        except PlaywrightError:
            pass


def _resource_type(request: Request) -> str:
    """Chromium files favicon fetches under "other"; they are images all the same."""
    kind = request.resource_type
    if kind == "other" and request.headers.get("accept", "").startswith("image/"):
        return "image"
    return kind


def _same_document(current: str, target: str) -> bool:
    return urlsplit(current)._replace(fragment="") == urlsplit(target)._replace(fragment="")


def _net_reason(message: str) -> str:
    for token in message.split():
        if token.startswith("net::"):
            return token
    return message.split(" at ")[0][:200]


__all__ = ["REFUSED_MARKER", "BrowserHost", "BrowserSession", "FetchHook", "RouteHandler",
           "host_allowed"]
