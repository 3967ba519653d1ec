"""A browser recipe's session without a browser: plain HTTP with a page, for warm syncs.

Once the engine has seen that an institution's login and list pages read the same without
JavaScript (``runner.login_plan``, ``runner.paging``), a sync needs no browser context at all:
this session GETs and POSTs documents like the address bar and forms of a browser would —
redirects followed one checked hop at a time, the last document kept as *the page* (``url``,
``status``, ``content``), cookies in a jar of its own — while ``fetch`` reads list pages beside
the page without replacing it, exactly as the browser backend's ``fetch`` does.

It is ``HttpSession`` underneath, so the network rules are the same single door: every hop to
a host outside ``allowed_domains`` is refused before it is sent and reported in ``refused``,
nothing is read from the environment (no proxy, no ``.netrc``), replay's request hook sees
every request. One session per sync: its jar is never shared, so one customer's cookies never
reach another's sync.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from engine.backends.base import (
    Cookie,
    FetchResponse,
    NavigationFailed,
    PageTooLarge,
    ResponseSeen,
)
from engine.backends.http import HttpSession, _without_query

MAX_REDIRECTS = 20
"""Chromium's own limit: a chain longer than this is ``redirect_loop`` on both paths."""
PAGE_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "fr-FR",  # what the browser context sends (BrowserHost: locale fr-FR)
}


class PlainSession(HttpSession):
    """``Backend`` for a browser recipe, over HTTP only (see the module docstring)."""

    def __init__(self, *, allowed_domains: list[str], **options: Any) -> None:
        super().__init__(allowed_domains=allowed_domains, **options)
        self._documents: list[ResponseSeen] = []

    def __repr__(self) -> str:
        return f"PlainSession(allowed_domains={self._allowed!r}, requests={self.requests_made})"

    # -- the page ---------------------------------------------------------------------------
    async def navigate(self, method: str, url: str, *, timeout: float,
                       body: bytes | None = None,
                       headers: Mapping[str, str] | None = None) -> FetchResponse:
        """Load a document as a browser's navigation does (a form POST, a link, the address
        bar), following redirects hop by hop: it becomes the page."""
        answer = await self._follow(method, url, timeout=timeout, body=body,
                                    headers={**PAGE_HEADERS, **(headers or {})},
                                    document=True)
        self._url, self._status, self._headers, self._text = (
            answer.url, answer.status, answer.headers, answer.text)
        return answer

    async def goto(self, url: str, *, timeout: float) -> None:
        await self.navigate("GET", url, timeout=timeout)

    async def fetch(self, url: str, *, timeout: float,
                    headers: dict[str, str] | None = None,
                    max_bytes: int | None = None) -> FetchResponse:
        """GET beside the page (list pages): redirects followed, the page unchanged; a
        document larger than ``max_bytes`` is refused, as the HTTP backend refuses it."""
        answer = await self._follow("GET", url, timeout=timeout, body=None,
                                    headers={**PAGE_HEADERS, **(headers or {})},
                                    document=False)
        if max_bytes is not None and len(answer.text) > max_bytes:
            raise PageTooLarge(_without_query(answer.url), len(answer.text), max_bytes)
        return answer

    async def request(self, method: str, url: str, *, timeout: float,
                      params: Mapping[str, str] | None = None,
                      headers: Mapping[str, str] | None = None, json: Any = None,
                      data: Mapping[str, str] | None = None,
                      basic_auth: tuple[str, str] | None = None) -> FetchResponse:
        """One call beside the page, never following redirects."""
        answer, _ = await self._send(method, urljoin(self._url or url, url), timeout=timeout,
                                     params=params, headers=headers, json=json, data=data,
                                     basic_auth=basic_auth)
        return answer

    async def _follow(self, method: str, url: str, *, timeout: float, body: bytes | None,
                      headers: dict[str, str], document: bool) -> FetchResponse:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        current = urljoin(self._url or url, url)
        referer = self._url or None
        for _hop in range(MAX_REDIRECTS + 1):
            sent = dict(headers)
            if referer:
                sent["Referer"] = referer
            if method == "POST":
                sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
                parts = urlsplit(current)
                sent["Origin"] = f"{parts.scheme}://{parts.netloc}"
            left = deadline - loop.time()
            if left <= 0:
                raise NavigationFailed(_without_query(current), "no response in time",
                                       timed_out=True)
            try:
                answer, seen = await asyncio.wait_for(
                    self._send(method, current, timeout=left, headers=sent,
                               content=body if method == "POST" else None), left)
            except TimeoutError:
                raise NavigationFailed(_without_query(current), "no response in time",
                                       timed_out=True) from None
            location = answer.headers.get("location")
            if not (300 <= answer.status < 400 and location and answer.status != 304):
                if document:
                    self._documents.append(ResponseSeen(
                        url=seen.url, status=seen.status, resource_type="document",
                        method=method, headers=seen.headers))
                return answer
            current = urljoin(current, location)
            if answer.status == 303 or (answer.status in (301, 302) and method == "POST"):
                method, body = "GET", None
        raise NavigationFailed(_without_query(url), "the site redirects in a loop",
                               kind="redirect_loop")

    def response_mark(self) -> int:
        return len(self._documents)

    async def dom_version(self) -> str | None:
        return f"{self._url} {len(self._documents)}"  # a page changes only by navigating

    def responses_since(self, mark: int) -> list[ResponseSeen]:
        """The documents loaded as the page (what a browser's page would have received;
        ``fetch`` beside it is not the page's, as in the browser backend)."""
        return self._documents[mark:]

    # -- cookies ----------------------------------------------------------------------------
    async def add_cookies(self, cookies: list[Cookie]) -> None:
        """Kept with their expiry (a trusted-device cookie restored from session state must
        still be persistent when the next session state is written)."""
        jar = self._client.cookies.jar
        for c in cookies:
            expires = int(c.expires) if c.expires and c.expires > 0 else None
            jar.set_cookie(http.cookiejar.Cookie(
                version=0, name=c.name, value=c.value, port=None, port_specified=False,
                domain=c.domain, domain_specified=c.domain.startswith("."),
                domain_initial_dot=c.domain.startswith("."), path=c.path or "/",
                path_specified=True, secure=c.secure, expires=expires,
                discard=expires is None, comment=None, comment_url=None,
                rest={"HttpOnly": ""} if c.http_only else {}))

    async def clear_cookies(self) -> None:
        self._client.cookies.jar.clear()

    def cookie_names(self, url: str) -> set[str]:
        """Names of the cookies the jar would send to ``url`` (host and path match)."""
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        names = set()
        for c in self._client.cookies.jar:
            domain = c.domain.lower()
            host_ok = host == domain.lstrip(".") or (
                domain.startswith(".") and host.endswith(domain))
            if host_ok and path.startswith(c.path or "/") and not c.is_expired():
                names.add(c.name)
        return names


__all__ = ["MAX_REDIRECTS", "PlainSession"]
