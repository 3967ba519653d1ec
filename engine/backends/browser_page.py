"""What the browser backend does on its page: navigate, act, wait until quiet, read, watch.

Split from ``browser.py`` (which owns the browser process, the context and the network guard)
because this half is about *reading the page right*: failures are mapped here from what
Chromium reports (a redirect loop, an empty answer, an element covered by a cookie banner) into
the backend exceptions the runner classifies, so a server fault is never mistaken for a site
change; and ``settle`` waits until scripts have finished drawing before anything is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from engine.backends.base import (
    NAVIGATION_KINDS,
    BackendCrashed,
    ElementMissing,
    NavigationFailed,
    PageTooLarge,
)
from engine.backends.browser_errors import (
    READABLE,
    covered_by,
    first_line,
    navigation_failure,
    route_error,
)
from engine.backends.browser_watch import PageWatch

QUIET_SECONDS = 0.15
"""How long the DOM must stay unchanged, with nothing in flight, to count as settled."""
SHORT_TIMER_MS = 3000
"""Timers up to this delay count as work the page still has to do (a script that fixes up the
balances 700 ms after load); longer ones (session keep-alives, polls) do not."""

# Installed before any page script runs: a MutationObserver dating the last DOM change, and a
# count of pending short setTimeout timers (the way Angular's testability or Cypress know a page
# is busy). Nothing is sent anywhere; the engine reads it with page.evaluate.
SETTLE_SCRIPT = """
(() => {
  if (window.__engineSettle) return;
  const state = window.__engineSettle = {last: performance.now(), timers: new Set()};
  const touch = () => { state.last = performance.now(); };
  const watch = () => new MutationObserver(touch).observe(document,
      {subtree: true, childList: true, characterData: true, attributes: true});
  watch();
  const setT = window.setTimeout, clearT = window.clearTimeout;
  window.setTimeout = function(fn, delay, ...args) {
    const ms = Number(delay) || 0;
    if (ms > SHORT_TIMER_MS || typeof fn !== 'function') {
      return setT.call(window, fn, delay, ...args);
    }
    let id;
    id = setT.call(window, function() { state.timers.delete(id); return fn.apply(this, args); },
                   ms);
    state.timers.add(id);
    return id;
  };
  window.clearTimeout = function(id) { state.timers.delete(id); return clearT.call(window, id); };
})();
""".replace("SHORT_TIMER_MS", str(SHORT_TIMER_MS))

class PageActions(PageWatch):
    """Mixed into ``BrowserSession``: everything done on its single page."""

    _context: BrowserContext
    _page: Page | None
    _status: int | None
    _headers: dict[str, str]

    # -- watching --------------------------------------------------------------------------
    async def _watch_page(self, page: Page) -> None:
        """Hooks every page of the session needs (called once the page exists)."""
        self._init_watch()
        await self._context.add_init_script(SETTLE_SCRIPT)
        page.on("response", self._on_any_response)
        page.on("requestfailed", self._on_any_failure)

    @property
    def rendering(self) -> bool:
        return True

    # -- navigation ------------------------------------------------------------------------
    @property
    def page(self) -> Page:
        if self._page is None:
            raise BackendCrashed("browser session is not open")
        return self._page

    async def goto(self, url: str, *, timeout: float) -> None:
        if self._page is not None and _same_document(self._page.url, url):
            # A fragment-only change would not reload a single-page app: its previous view
            # could still be on screen when we read it. Load the document afresh instead, as
            # a person opening a bookmark would.
            with contextlib.suppress(PlaywrightError):
                await self._page.goto("about:blank")
        self._nav_failure = None
        try:
            response = await self.page.goto(url, timeout=timeout * 1000, wait_until="load")
        except PlaywrightTimeout:
            self._after_navigation()
            raise NavigationFailed(url, "no response in time", timed_out=True) from None
        except PlaywrightError as exc:
            message = str(exc)
            self._raise_if_crashed(message)
            self._raise_if_refused(url, message)
            self._after_navigation()
            raise navigation_failure(url, message) from None
        if response is not None:
            self._status = response.status
            self._headers = {k.lower(): v for k, v in (await response.all_headers()).items()}
        self._after_navigation()

    def _raise_if_refused(self, url: str, message: str) -> None:
        """Hook for the network guard (``browser.py``): a navigation it refused."""

    def _after_navigation(self) -> None:
        """A main-frame navigation whose origin failed (as the guard proxy saw it), or that the
        guard refused (``browser.py``): say so at once."""
        oversized, self._oversized = self._oversized, None
        if oversized is not None and self.max_document_bytes is not None:
            raise PageTooLarge(oversized[0], oversized[1], self.max_document_bytes)
        failed, self._upstream_failure = self._upstream_failure, None
        if failed is not None:
            url, kind = failed
            raise NavigationFailed(url, READABLE.get(kind, "the site did not answer"),
                                   kind=kind if kind in NAVIGATION_KINDS else "network",
                                   timed_out=kind == "timeout", detail=f"proxy: {kind}")

    async def _check_error_page(self) -> None:
        """Chromium shows its own error page when a navigation an action started failed: say
        so at once, with the network error, instead of waiting for an element."""
        if self._page is None or not self._page.url.startswith("chrome-error://"):
            return
        for _ in range(10):  # the failure event may trail the error page by a few ms
            if self._nav_failure is not None:
                break
            await asyncio.sleep(0.02)
        failure = self._nav_failure or "net::ERR_FAILED"
        self._raise_if_refused(self._page.url, failure)
        raise navigation_failure(self._page.url, failure)

    def route_failure(self, message: str) -> str:
        """The Chromium error a failed fetch of ours stands for (``browser_errors``)."""
        return route_error(message)

    async def _settle_load(self, timeout: float) -> None:
        """Let a navigation the action started finish loading before anyone reads the page."""
        try:
            await self.page.wait_for_load_state("load", timeout=timeout * 1000)
        except PlaywrightTimeout:
            self._after_navigation()  # a stopped oversized page says so
            raise NavigationFailed(self.url, "page did not finish loading", timed_out=True) \
                from None
        except PlaywrightError:
            pass
        await self._check_error_page()
        self._after_navigation()

    async def settle(self, *, timeout: float) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                quiet_ms, timers = await self.page.evaluate(
                    "() => { const s = window.__engineSettle;"
                    " return s ? [performance.now() - s.last, s.timers.size] : [1e9, 0]; }")
            except PlaywrightError as exc:
                self._raise_if_crashed(str(exc))
                quiet_ms, timers = 0, 1  # navigating: not settled yet
            if (quiet_ms >= QUIET_SECONDS * 1000 and not timers
                    and not self._busy_requests()):
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.05)

    def _busy_requests(self) -> list[str]:
        return []  # overridden by BrowserSession (it tracks requests in flight)

    async def dom_version(self) -> str | None:
        """The document (its time origin: unique per document), its URL, the time of its
        last DOM mutation (``SETTLE_SCRIPT``'s observer) and the answers seen: equal tokens
        mean ``content()`` and the page check would read the same. None while navigating or
        on a page the settle script does not watch (error pages)."""
        try:
            token = await self.page.evaluate(
                "() => { const s = window.__engineSettle; return s ? [location.href,"
                " performance.timeOrigin, s.last] : null; }")
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            return None
        return None if token is None else f"{token} {len(self._seen)}"

    # -- acting ----------------------------------------------------------------------------
    async def fill(self, selector: str, value: str, *, timeout: float) -> None:
        await self._act(selector, "fill", lambda loc: loc.fill(value, timeout=timeout * 1000),
                        timeout)

    async def input_value(self, selector: str, *, nth: int | None = None) -> str | None:
        locator = self.page.locator(selector)
        locator = locator.nth(nth) if nth is not None else locator.first
        try:
            return await locator.input_value(timeout=2000)
        except PlaywrightError:
            return None

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None:
        await self._act(selector, "click",
                        lambda loc: loc.click(timeout=timeout * 1000), timeout, nth=nth)
        if settle:
            await self._settle_load(timeout)

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
            try:
                await self.page.mouse.click(x, y)
            except PlaywrightError as exc:
                self._raise_if_crashed(str(exc))
                raise ElementMissing(selector, self.url, "click") from None

    async def press(self, selector: str, key: str, *, timeout: float) -> None:
        await self._act(selector, "press", lambda loc: loc.press(key, timeout=timeout * 1000),
                        timeout)
        await self._settle_load(timeout)

    async def select(self, selector: str, *, value: str | None, label: str | None,
                     timeout: float) -> None:
        if label is not None:
            options = await self.labels(f"{selector} option", "text")
            wanted = label.casefold()
            index = next((i for i, text in enumerate(options) if wanted in text.casefold()),
                         None)
            if index is None:
                raise ElementMissing(f"{selector} option:has-text({label!r})", self.url,
                                     "select")
            await self._act(selector, "select", lambda loc: loc.select_option(
                index=index, timeout=timeout * 1000), timeout)
        else:
            await self._act(selector, "select", lambda loc: loc.select_option(
                value, timeout=timeout * 1000), timeout)
        await self._settle_load(timeout)  # a WebForms postback navigates on change

    async def labels(self, selector: str, attribute: str) -> list[str]:
        """Every match's label in one round trip: its text, or an attribute's value."""
        try:
            found: list[str] = await self.page.locator(selector).evaluate_all(
                "(els, attr) => els.map(e => attr === 'text' ? (e.innerText || e.textContent"
                " || '') : (e.getAttribute(attr) || ''))", attribute)
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            return []
        return [" ".join(text.split()) for text in found]

    async def count(self, selector: str) -> int:
        try:
            return await self.page.locator(selector).count()
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            return 0

    async def scroll(self, selector: str | None, *, timeout: float,
                     step: bool = False) -> bool:
        # A step waits two animation frames (or 200 ms) before returning: the list's scroll
        # handlers run in the next frame, and reading the DOM earlier would show the rows of
        # the previous position (two quick steps would then skip a screenful).
        script = ("async ([sel, step]) => { const e = sel ? document.querySelector(sel) : null;"
                  " if (sel && !e) return null;"
                  " const t = e || document.scrollingElement || document.body;"
                  " const before = t.scrollTop;"
                  " const view = e ? e.clientHeight : window.innerHeight;"
                  " const to = step ? before + Math.max(1, Math.floor(view * 0.8))"
                  " : t.scrollHeight;"
                  " t.scrollTop = to; if (!e) window.scrollTo(0, to);"
                  " const moved = t.scrollTop > before;"
                  " if (step) await new Promise(done => { setTimeout(done, 200);"
                  " requestAnimationFrame(() => requestAnimationFrame(done)); });"
                  " return moved; }")
        try:
            moved = await self.page.evaluate(script, [selector, step])
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            moved = None if selector else False
        if moved is None:
            raise ElementMissing(selector or "page", self.url, "scroll")
        if not step:
            with contextlib.suppress(PlaywrightError):
                await self.page.mouse.wheel(0, 10000)  # virtualized lists listen to wheel events
        return bool(moved)

    async def storage(self, area: str, key: str) -> str | None:
        name = "localStorage" if area == "local" else "sessionStorage"
        try:
            value: str | None = await self.page.evaluate(
                f"k => {{ try {{ return window.{name}.getItem(k); }} catch (e) {{ return null; }}"
                " }", key)
        except PlaywrightError as exc:
            self._raise_if_crashed(str(exc))
            return None
        return value

    async def content(self, *, max_chars: int | None = None) -> str:
        """The page's HTML. Navigation outcomes are checked after reading as well as before:
        a page that navigated meanwhile (a script's ``location``) may have landed on the guard's
        refusal or an error page, and that must be said, not parsed. A page longer than
        ``max_chars`` is refused after asking its length, before transferring it."""
        self._after_navigation()
        await self._check_error_page()
        if max_chars is not None:
            try:
                length = await self.page.evaluate(
                    "() => document.documentElement ? document.documentElement.outerHTML.length"
                    " : 0")
            except PlaywrightError as exc:
                self._raise_if_crashed(str(exc))
                length = 0
            if isinstance(length, int) and length > max_chars:
                raise PageTooLarge(self.url.split("?")[0], length, max_chars)
        html = await self._read_content()
        self._after_navigation()
        await self._check_error_page()
        return html

    async def _read_content(self) -> str:
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
            raise BackendCrashed(f"the page content cannot be read: {first_line(str(exc))}") \
                from None

    async def screenshot(self, *, mask_values: list[str] | None = None) -> bytes | None:
        """Inputs are emptied and every text node holding a value to mask is blanked before
        the picture is taken: a site that echoes what was typed must not put it in a PNG."""
        try:
            await self.page.evaluate(_MASK_SCRIPT, [v for v in (mask_values or []) if v])
            return await self.page.screenshot(full_page=True, timeout=5000)
        except PlaywrightError:
            return None

    # -- helpers ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self._page.url if self._page is not None else ""

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
            message = str(exc)
            await self._check_error_page()
            if "action done" in message or "navigation" in message:
                # the element was there and acted upon; the page it led to never loaded
                raise NavigationFailed(self.url, "the next page did not load in time",
                                       timed_out=True) from None
            raise ElementMissing(selector, self.url, action, covered_by=covered_by(message),
                                 hidden="element is not visible" in message) from None
        except PlaywrightError as exc:
            message = str(exc)
            self._raise_if_crashed(message)
            await self._check_error_page()
            if "net::" in message:
                raise navigation_failure(self.url, message) from None
            raise ElementMissing(selector, self.url, action) from None


_MASK_SCRIPT = """
values => {
  for (const input of document.querySelectorAll('input, textarea')) {
    if (input.type !== 'hidden' && input.type !== 'submit' && input.type !== 'button') {
      input.value = '';
    }
  }
  if (!values.length) return;
  const walker = document.createTreeWalker(document.body || document, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    if (values.some(v => node.nodeValue.includes(v))) node.nodeValue = '•••';
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attr of ['value', 'title', 'placeholder', 'aria-label']) {
      const v = el.getAttribute && el.getAttribute(attr);
      if (v && values.some(s => v.includes(s))) el.setAttribute(attr, '•••');
    }
  }
}
"""


def _same_document(current: str, target: str) -> bool:
    return urlsplit(current)._replace(fragment="") == urlsplit(target)._replace(fragment="")


def monotonic() -> float:
    return time.monotonic()
