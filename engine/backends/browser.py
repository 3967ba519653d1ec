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
import base64
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urljoin

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
    Cookie,
    FetchResponse,
    FormPost,
    NavigationFailed,
    RequestRefused,
)
from engine.backends.browser_errors import navigation_failure
from engine.backends.browser_net import (
    REFUSED_MARKER,
    get_checking_hops,
    host_allowed,
    initiator,
    observe,
    offline_context,
    proxy_option,
)
from engine.backends.browser_page import PageActions
from engine.backends.browser_tap import TapBridge, render_documents, serve_route
from engine.backends.chromium import find_chromium, launch_args
from engine.backends.interception import RecordingTap, ServeHook
from engine.backends.netguard import GuardProxy, Refusal, without_query
from engine.backends.netguard.ledger import RefusalLedger
from engine.errors import BrowserNotFound, EngineError

BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet"})

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
                          tap: RecordingTap | None = None, serve: ServeHook | None = None,
                          fetch_hook: FetchHook | None = None,
                          load_resources: frozenset[str] = frozenset(),
                          offline: bool = False) -> BrowserSession:
        """A fresh context behind its own guard proxy. ``tap`` (recording) sees every request
        and its real answer; ``serve`` (replay) answers every request itself, and with
        ``offline`` the proxy relays nothing at all, so only what it serves reaches the page
        (``engine.backends.interception``)."""
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
        session = BrowserSession(context, allowed_domains, blocked, guard=guard, tap=tap,
                                 serve=serve)
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

    async def render_documents(self, documents: Sequence[str],
                               viewport: dict[str, int]) -> list[bytes | None]:
        """Saved HTML rendered to pictures offline, JavaScript off (``browser_tap``)."""
        return await render_documents(await self.start(), documents, viewport)

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


class BrowserSession(PageActions):
    """A ``Backend`` over one browser context and its single page."""

    def __init__(self, context: BrowserContext, allowed_domains: list[str],
                 blocked_resources: frozenset[str], *, guard: GuardProxy | None = None,
                 tap: RecordingTap | None = None, serve: ServeHook | None = None) -> None:
        self._context = context
        self._allowed = allowed_domains
        self._blocked_resources = blocked_resources
        self._tap = TapBridge(tap) if tap is not None else None
        self._serve = serve
        self._guard = guard
        self._ledger = RefusalLedger(allowed_domains)
        if guard is not None:
            guard.on_refusal = self._ledger.on_proxy
        self.fetch_hook: FetchHook | None = None
        self._page: Page | None = None
        self._status: int | None = None
        self._headers: dict[str, str] = {}
        self._inflight: dict[Request, float] = {}
        self._escaped: list[str] = []
        """Foreign answers that did not come from the guard's refusal: a containment bug,
        never expected; the runner fails the sync with ``host_escaped`` if one appears."""
        self.requests_made = 0
        self._refused_document: str | None = None
        self._form_posts: list[FormPost] = []

    # -- set-up ---------------------------------------------------------------------------
    async def open(self) -> None:
        await self._context.route("**/*", self._route)
        self._context.on("request", self._observe)
        self._page = await self._context.new_page()
        await self._watch_page(self._page)
        if self._guard is not None:
            self._guard.on_upstream_failure = self._upstream_failures.__setitem__
        self._page.on("response", self._on_response)
        self._page.on("request", self._on_request)
        self._page.on("requestfinished", self._on_request_done)
        self._page.on("requestfailed", self._on_request_done)
        if self._tap is not None:
            self._page.on("response", self._tap.on_response)
        self._page.on("websocket", lambda ws: self._ledger.observe(
            ws.url, initiator=self.url, redirected_from=None, main_navigation=False))

    def _on_request(self, request: Request) -> None:
        if request.resource_type in ("document", "xhr", "fetch"):
            self._inflight[request] = time.monotonic()
        if request.method != "GET" and request.resource_type == "document":
            self._tap_form_post(request)

    def _tap_form_post(self, request: Request) -> None:
        """Keep what a main-frame form submission really sent (the HTTP login learns the
        form's fields from it). Kept in memory for this session only."""
        try:
            if not request.is_navigation_request() or request.frame != self._page_or_none_frame():
                return
            body = request.post_data
        except (PlaywrightError, UnicodeDecodeError):
            body = None
        self._form_posts.append(FormPost(url=request.url, method=request.method, body=body,
                                         content_type=request.headers.get("content-type", "")))

    def form_posts(self) -> list[FormPost]:
        return list(self._form_posts)

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
        if self._serve is not None:
            await serve_route(self._serve, route, request)
        elif self._tap is not None:
            await self._tap.route(route, request)
        else:
            # Chromium fetches it through the guard proxy, which checks every redirect hop
            await route.continue_()

    def _on_response(self, response: Response) -> None:
        request = response.request
        if not host_allowed(response.url, self._allowed) and REFUSED_MARKER not in \
                response.headers:
            self._escaped.append(without_query(response.url))
        if request.resource_type == "document" and request.frame == self._page_or_none_frame():
            if REFUSED_MARKER in response.headers:
                # the guard refused this navigation's last hop: the page shown is its refusal
                self._refused_document = without_query(response.url)
            self._status = response.status
            self._headers = {k.lower(): v for k, v in response.headers.items()}

    def _page_or_none_frame(self) -> Any:
        return self._page.main_frame if self._page is not None else None

    # -- Backend protocol -------------------------------------------------------------------
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
    def escaped(self) -> list[str]:
        return list(self._escaped)

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

    async def drain_tap(self, timeout: float = 3.0) -> None:
        """Wait (briefly) for redirect hops the recording tap is still reading."""
        if self._tap is not None:
            await self._tap.drain(timeout)

    def _busy_requests(self) -> list[str]:
        return [r.url for r in self._inflight]

    def _raise_if_refused(self, url: str, message: str) -> None:
        """A navigation the route handler or the guard proxy refused: say so at once."""
        if "ERR_BLOCKED_BY_CLIENT" in message and not host_allowed(url, self._allowed):
            self._ledger.take_navigation()  # this raise reports it
            raise RequestRefused(without_query(url), initiator=self.url or None)
        self._raise_if_navigation_refused()

    def _after_navigation(self) -> None:
        self._raise_if_navigation_refused()
        super()._after_navigation()

    def _raise_if_navigation_refused(self) -> None:
        """A main-frame navigation was refused (a redirect hop, a form action, a script's
        ``location``): fail now, not after waiting for a page that will never come."""
        refusal = self._ledger.take_navigation()
        document, self._refused_document = self._refused_document, None
        if refusal is not None:
            raise RequestRefused(refusal.url, initiator=refusal.initiator)
        if document is not None:
            # the ledger had not joined the refusal to this navigation yet: the refusal page
            # the browser shows says it all the same
            raise RequestRefused(document, initiator=None)

    async def fetch(self, url: str, *, timeout: float,
                    headers: dict[str, str] | None = None,
                    max_bytes: int | None = None) -> FetchResponse:
        """GET with the context's cookies, redirects followed one checked hop at a time."""
        answer = await self.request("GET", url, timeout=timeout, headers=headers,
                                    follow_redirects=True, max_bytes=max_bytes)
        return answer

    async def request(self, method: str, url: str, *, timeout: float,
                      params: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None, json: Any = None,
                      data: dict[str, str] | None = None,
                      basic_auth: tuple[str, str] | None = None,
                      follow_redirects: bool = False,
                      max_bytes: int | None = None) -> FetchResponse:
        """An HTTP call with the context's cookies, without rendering (through the guard)."""
        absolute = urljoin(self.url, url)
        if not host_allowed(absolute, self._allowed):
            refusal = self._ledger.add(absolute, initiator=self.url, channel="fetch")
            raise RequestRefused(refusal.url, initiator=refusal.initiator)
        try:
            if method == "GET" and not (params or json or data or basic_auth):
                async def get(target: str, seconds: float) -> FetchResponse:
                    return await get_checking_hops(
                        self._context.request, target, seconds, self._allowed, self._ledger,
                        headers=headers or {}, follow=follow_redirects, max_bytes=max_bytes)
                if self.fetch_hook is not None:
                    fetched = await self.fetch_hook(absolute, timeout, get)
                else:
                    fetched = await get(absolute, timeout)
            else:
                fetched = await self._network_call(method, absolute, timeout, params=params,
                                                   headers=headers, json=json, data=data,
                                                   basic_auth=basic_auth)
        except PlaywrightTimeout:
            raise NavigationFailed(absolute, "no response in time", timed_out=True) from None
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            raise navigation_failure(absolute, str(exc)) from None
        self.requests_made += 1
        self._status, self._headers = fetched.status, dict(fetched.headers)
        return fetched

    async def _network_call(self, method: str, url: str, timeout: float, *,
                            params: dict[str, str] | None, headers: dict[str, str] | None,
                            json: Any, data: dict[str, str] | None,
                            basic_auth: tuple[str, str] | None) -> FetchResponse:
        sent = dict(headers or {})
        if basic_auth is not None:
            token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {token}"
        response = await self._context.request.fetch(
            url, method=method, params=dict(params) if params else None,
            headers=sent or None, data=json if json is not None else None,
            form=dict(data) if data else None, timeout=timeout * 1000, max_redirects=0)
        text = await response.text()
        return FetchResponse(url=response.url, status=response.status, text=text,
                             headers={k.lower(): v for k, v in response.headers.items()})

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

    async def clear_cookies(self) -> None:
        await self._context.clear_cookies()

    async def close(self) -> None:
        try:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                await asyncio.wait_for(self._context.close(), timeout=10)
        finally:
            if self._guard is not None:
                await self._guard.close()

def _resource_type(request: Request) -> str:
    """Chromium files favicon fetches under "other"; they are images all the same."""
    kind = request.resource_type
    if kind == "other" and request.headers.get("accept", "").startswith("image/"):
        return "image"
    return kind


__all__ = ["REFUSED_MARKER", "BrowserHost", "BrowserSession", "FetchHook", "host_allowed"]
