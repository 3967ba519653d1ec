"""The protocol the runner drives, and the exceptions a backend may raise.

The runner never sees Playwright or httpx: it asks a backend to go somewhere, type, click, wait
and hand over the document, the background answers the page received and the requests that were
refused. Backends translate their library's exceptions into the ones below at the boundary, so
classification (``runner/``) stays independent of the transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.backends.netguard.policy import Refusal


class BackendFailure(Exception):
    """Base of what a backend raises; the runner classifies it into a ``SyncError``."""


NAVIGATION_KINDS = ("timeout", "network", "redirect_loop", "empty_page", "bad_response",
                    "tls", "dns")


class NavigationFailed(BackendFailure):
    """The page did not load. ``kind`` says why, from what the browser or client received:
    ``timeout``, ``network`` (refused, reset, closed), ``redirect_loop``, ``empty_page`` (an
    answer with nothing in it), ``bad_response`` (oversized headers, invalid answer), ``tls``,
    ``dns``. ``detail`` is the transport's own name for it (``net::ERR_EMPTY_RESPONSE``)."""

    def __init__(self, url: str, reason: str, *, timed_out: bool = False,
                 kind: str | None = None, detail: str | None = None) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.timed_out = timed_out
        self.kind = kind or ("timeout" if timed_out else "network")
        self.detail = detail


class ElementMissing(BackendFailure):
    """A loaded page has no usable element matching the selector within the time allowed.

    ``covered_by`` names the element in front of it when it exists but another one (a cookie
    banner, a modal) receives the clicks; ``hidden`` when it exists but is not visible."""

    def __init__(self, selector: str, url: str, action: str, *, covered_by: str | None = None,
                 hidden: bool = False) -> None:
        if covered_by:
            text = f"the element {selector!r} to {action} is covered by {covered_by} on {url}"
        elif hidden:
            text = f"the element {selector!r} to {action} is there but not visible on {url}"
        else:
            text = f"no element matches {selector!r} to {action} on {url}"
        super().__init__(text)
        self.selector = selector
        self.url = url
        self.action = action
        self.covered_by = covered_by
        self.hidden = hidden


class BackendCrashed(BackendFailure):
    """The browser (or its connection) died under us: our fault, not the site's."""


class RequestRefused(BackendFailure):
    """A request to a host outside ``allowed_domains`` was refused (``url`` without its
    query; ``initiator``: the page that asked for it, when known)."""

    def __init__(self, url: str, *, initiator: str | None = None) -> None:
        origin = f" (from {initiator})" if initiator else ""
        super().__init__(f"request to a host outside allowed_domains was refused: {url}"
                         f"{origin}")
        self.url = url
        self.initiator = initiator


class RequestVetoed(RequestRefused):
    """A request hook refused to let the request go (replay: no recording matches it).
    Not a foreign host: not a containment matter, a recording that lacks the request."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url)
        self.reason = reason
        self.args = (f"request refused ({reason}): {url}",)


class PageTooLarge(BackendFailure):
    """A document larger than the recipe allows: refused before anyone parses it."""

    def __init__(self, url: str, size: int, limit: int) -> None:
        super().__init__(f"document of {size} bytes exceeds the {limit} bytes allowed ({url})")
        self.url = url
        self.size = size
        self.limit = limit


@dataclass
class FetchResponse:
    url: str
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ResponseSeen:
    """An answer the page (or the client) received: the evidence detection classifies from.

    ``status`` 0 is a request that got no answer (``failure`` says why: connection refused,
    reset...). ``body`` is kept for small text and JSON answers only."""

    url: str
    status: int
    resource_type: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    failure: str | None = None


@dataclass
class Cookie:
    """A cookie as kept in session state (a plain mapping Playwright and httpx both accept)."""

    name: str
    value: str
    domain: str
    path: str = "/"
    expires: float = -1
    http_only: bool = False
    secure: bool = False


class Backend(Protocol):
    """One isolated session on one institution (a browser context, or an HTTP client)."""

    @property
    def url(self) -> str: ...

    @property
    def status(self) -> int | None:
        """HTTP status of the last document loaded (None before any)."""

    @property
    def headers(self) -> dict[str, str]:
        """Response headers of the last document loaded (lower-case names)."""

    @property
    def refused(self) -> list[Refusal]:
        """Each refused request or connection once: what (URL without query), from which
        page, by which channel. Empty when nothing was refused."""

    @property
    def escaped(self) -> list[str]:
        """Answers from a foreign host that the guard did not refuse: a containment bug, never
        expected; the runner fails the sync at once if one appears."""

    @property
    def pending_requests(self) -> list[str]:
        """Requests still waiting for an answer (a page that has not finished loading)."""

    @property
    def rendering(self) -> bool:
        """Whether this backend renders pages (runs their JavaScript)."""

    def responses_since(self, mark: int) -> list[ResponseSeen]:
        """Answers received after ``mark`` (a value of ``response_mark``), oldest first."""

    def response_mark(self) -> int: ...

    async def response_body(self, seen: ResponseSeen) -> str | None:
        """The text of a recorded answer (small text and JSON answers only)."""

    async def goto(self, url: str, *, timeout: float) -> None: ...

    async def fill(self, selector: str, value: str, *, timeout: float) -> None: ...

    async def input_value(self, selector: str, *, nth: int | None = None) -> str | None:
        """What an input holds now (None when there is no such input)."""

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None: ...

    async def click_sequence(self, selector: str, indices: list[int], *,
                             timeout: float) -> None:
        """Click the n-th matches of ``selector`` in this order (an on-screen keypad)."""

    async def press(self, selector: str, key: str, *, timeout: float) -> None: ...

    async def select(self, selector: str, *, value: str | None, label: str | None,
                     timeout: float) -> None: ...

    async def labels(self, selector: str, attribute: str) -> list[str]: ...

    async def count(self, selector: str) -> int: ...

    async def scroll(self, selector: str | None, *, timeout: float) -> None: ...

    async def storage(self, area: str, key: str) -> str | None:
        """A value of ``localStorage`` or ``sessionStorage`` (``area``: local / session)."""

    async def settle(self, *, timeout: float) -> bool:
        """Wait until the page is quiet (no data request in flight, no short timer pending,
        no DOM change for a moment); False when it kept changing until ``timeout``."""

    async def content(self, *, max_chars: int | None = None) -> str:
        """The document's HTML; ``PageTooLarge`` before transferring it when it is longer than
        ``max_chars`` (a 50 MB page must not stall the event loop being read)."""

    async def screenshot(self, *, mask_values: list[str] | None = None) -> bytes | None:
        """A picture of the page with every input emptied and every text holding one of
        ``mask_values`` hidden first."""

    async def fetch(self, url: str, *, timeout: float,
                    headers: dict[str, str] | None = None,
                    max_bytes: int | None = None) -> FetchResponse:
        """GET with the session's cookies and no rendering (pages that need no JavaScript);
        ``PageTooLarge`` when the answer announces or holds more than ``max_bytes``."""

    async def request(self, method: str, url: str, *, timeout: float,
                      params: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None, json: Any = None,
                      data: dict[str, str] | None = None,
                      basic_auth: tuple[str, str] | None = None) -> FetchResponse:
        """Any HTTP call, never following redirects (API flows, HTTP logins)."""

    async def cookies(self) -> list[Cookie]: ...

    async def add_cookies(self, cookies: list[Cookie]) -> None: ...

    async def close(self) -> None: ...
