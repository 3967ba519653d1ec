"""The Playwright backend: one Chromium per engine, one isolated context per sync.

Every request of a context goes through one route handler, which enforces ``allowed_domains``
(a recipe cannot send credentials to another host), blocks heavy resources nobody reads, and is
the seam where replay serves recorded responses instead of the network.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fnmatch
import time
from collections.abc import Awaitable, Callable
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
    Cookie,
    FetchResponse,
    NavigationFailed,
    Refusal,
    RequestRefused,
)
from engine.backends.browser_page import PageActions, navigation_failure
from engine.backends.chromium import LAUNCH_ARGS, find_chromium
from engine.errors import BrowserNotFound, EngineError

BLOCKED_RESOURCES = frozenset({"image", "font", "media", "stylesheet"})
CHECKED_REDIRECTS = frozenset({"document", "xhr", "fetch"})

RouteHandler = Callable[[Route, Request], Awaitable[None]]
FetchHook = Callable[[str, float, Callable[[str, float], Awaitable[FetchResponse]]],
                     Awaitable[FetchResponse]]
"""Wraps ``fetch()``'s network call (url, timeout, the real GET): ``fetch`` uses
``context.request``, which no route sees, so recording and replay intercept it here."""


def host_allowed(url: str, allowed: list[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    host = parts.hostname or ""
    return any(host == pattern or fnmatch.fnmatch(host, pattern) for pattern in allowed)


class BrowserHost:
    """Owns Playwright and one Chromium process; hands out isolated sessions."""

    def __init__(self, executable: str | None = None, *, headless: bool = True) -> None:
        self._executable = executable
        self._headless = headless
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
                    executable_path=executable, headless=self._headless, args=LAUNCH_ARGS
                )
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
                          proxy: str | None = None) -> BrowserSession:
        """``proxy``: where requests no route sees would go (replay points it nowhere, so
        Chromium's own preconnects and redirect hops cannot reach a real host)."""
        browser = await self.start()  # relaunches a browser that crashed
        try:
            context = await browser.new_context(
                locale="fr-FR", timezone_id="Europe/Paris", service_workers="block",
                viewport={"width": 1280, "height": 900},
                proxy={"server": proxy, "bypass": "<-loopback>"} if proxy else None,
            )
        except PlaywrightError as exc:
            raise EngineError(f"browser context could not be created: {exc}",
                              reason="browser_crashed") from None
        blocked = BLOCKED_RESOURCES - load_resources if block_resources else frozenset()
        session = BrowserSession(context, allowed_domains, blocked, route_handler)
        session.fetch_hook = fetch_hook
        await session.open()
        return session

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
                 blocked_resources: frozenset[str], route_handler: RouteHandler | None) -> None:
        self._context = context
        self._allowed = allowed_domains
        self._blocked_resources = blocked_resources
        self._route_handler = route_handler
        self.fetch_hook: FetchHook | None = None
        self._page: Page | None = None
        self._status: int | None = None
        self._headers: dict[str, str] = {}
        self._refused: list[str] = []
        self._inflight: dict[Request, float] = {}
        self.escaped: list[str] = []
        self.requests_made = 0

    # -- set-up ---------------------------------------------------------------------------
    async def open(self) -> None:
        await self._context.route("**/*", self._route)
        self._page = await self._context.new_page()
        await self._watch_page(self._page)
        self._page.on("response", self._on_response)
        self._page.on("request", self._on_request)
        self._page.on("requestfinished", self._on_request_done)
        self._page.on("requestfailed", self._on_request_done)

    def _on_request(self, request: Request) -> None:
        if request.resource_type in ("document", "xhr", "fetch"):
            self._inflight[request] = time.monotonic()

    def _on_request_done(self, request: Request) -> None:
        self._inflight.pop(request, None)

    async def _route(self, route: Route, request: Request) -> None:
        if not host_allowed(request.url, self._allowed):
            self._refused.append(request.url)
            await route.abort("blockedbyclient")
            return
        if _resource_type(request) in self._blocked_resources:
            await route.abort("blockedbyclient")
            return
        self.requests_made += 1
        if self._route_handler is not None:
            await self._route_handler(route, request)
        elif request.resource_type in CHECKED_REDIRECTS:
            await self._fetch_checking_redirect(route, request)
        else:
            await route.continue_()

    async def _fetch_checking_redirect(self, route: Route, request: Request) -> None:
        """Playwright never shows a route handler the target of a redirect: the browser would
        follow a 302 (or re-post a form with a 307) to any host. So documents and data calls
        are fetched here without following redirects, and a redirect to a host outside
        ``allowed_domains`` is refused before the browser sees it."""
        try:
            response = await route.fetch(max_redirects=0)
            location = response.headers.get("location")
            if 300 <= response.status < 400 and location:
                target = urljoin(request.url, location)
                if not host_allowed(target, self._allowed):
                    self._refused.append(target)
                    await route.abort("blockedbyclient")
                    return
            await route.fulfill(response=response)
        except PlaywrightError as exc:
            # the page or context went away meanwhile, or the network failed: let the
            # browser see a failed request, and remember what really failed (classified by
            # the runner as unavailable, with the reason)
            with contextlib.suppress(PlaywrightError):
                if request.is_navigation_request() and request.frame.parent_frame is None:
                    self._nav_failure = self.route_failure(str(exc))
                await route.abort("failed")

    def _on_response(self, response: Response) -> None:
        request = response.request
        if not host_allowed(response.url, self._allowed):
            # a refused request never answers; one that did went through a later hop of a
            # redirect chain, which Playwright does not route: not prevented, never silent
            self.escaped.append(response.url)
        if request.resource_type == "document" and request.frame == self._page_or_none_frame():
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

    def _busy_requests(self) -> list[str]:
        return [r.url for r in self._inflight]

    @property
    def refused_hosts(self) -> list[str]:
        return sorted({urlsplit(u).netloc for u in self._refused})

    @property
    def refused(self) -> list[Refusal]:
        seen: dict[str, Refusal] = {}
        for url in self._refused:
            seen.setdefault(url.split("?")[0], Refusal(url.split("?")[0]))
        return list(seen.values())

    def _raise_if_refused(self, url: str, message: str) -> None:
        if "ERR_BLOCKED_BY_CLIENT" in message and not host_allowed(url, self._allowed):
            raise RequestRefused(url)

    async def fetch(self, url: str, *, timeout: float,
                    headers: dict[str, str] | None = None) -> FetchResponse:
        return await self.request("GET", url, timeout=timeout, headers=headers,
                                  follow_redirects=True)

    async def request(self, method: str, url: str, *, timeout: float,
                      params: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None, json: Any = None,
                      data: dict[str, str] | None = None,
                      basic_auth: tuple[str, str] | None = None,
                      follow_redirects: bool = False) -> FetchResponse:
        """An HTTP call with the context's cookies, without rendering."""
        absolute = urljoin(self.url, url)
        if not host_allowed(absolute, self._allowed):
            self._refused.append(absolute)
            raise RequestRefused(absolute)
        try:
            if method == "GET" and not (params or json or data or basic_auth):
                async def get(target: str, seconds: float) -> FetchResponse:
                    return await self._network_get(target, seconds, headers or {},
                                                   follow_redirects)
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

    async def _network_get(self, url: str, timeout: float, headers: dict[str, str],
                           follow_redirects: bool) -> FetchResponse:
        response = await self._context.request.get(
            url, timeout=timeout * 1000, headers=headers or None,
            max_redirects=20 if follow_redirects else 0)
        text = await response.text()
        answer_headers = {k.lower(): v for k, v in response.headers.items()}
        return FetchResponse(url=response.url, status=response.status, text=text,
                             headers=answer_headers)

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
            form=dict(data) if data else None, timeout=timeout * 1000,
            max_redirects=0)
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

    async def close(self) -> None:
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(self._context.close(), timeout=10)

def _resource_type(request: Request) -> str:
    """Chromium files favicon fetches under "other"; they are images all the same."""
    kind = request.resource_type
    if kind == "other" and request.headers.get("accept", "").startswith("image/"):
        return "image"
    return kind
