"""The small protocol the runner drives, and the exceptions a backend may raise.

The runner never sees Playwright or httpx: it asks a backend to go somewhere, type, click, wait
and hand over the document. Backends translate their library's exceptions into the three below
at the boundary, so classification (``runner/``) stays independent of the transport.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from engine.backends.netguard.policy import Refusal


class BackendFailure(Exception):
    """Base of what a backend raises; the runner classifies it into a ``SyncError``."""


class NavigationFailed(BackendFailure):
    """The page did not load: connection refused or reset, DNS, TLS, or no response in time."""

    def __init__(self, url: str, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(f"{reason} ({url})")
        self.url = url
        self.reason = reason
        self.timed_out = timed_out


class ElementMissing(BackendFailure):
    """A loaded page has no element matching the selector within the time allowed."""

    def __init__(self, selector: str, url: str, action: str) -> None:
        super().__init__(f"no element matches {selector!r} to {action} on {url}")
        self.selector = selector
        self.url = url
        self.action = action


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


@dataclass
class FetchResponse:
    url: str
    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)


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
    def refused_hosts(self) -> list[str]: ...

    @property
    def refused(self) -> list[Refusal]:
        """Each refused request or connection once: what (URL without query), from which
        page, by which channel. Empty when nothing was refused."""

    @property
    def pending_requests(self) -> list[str]:
        """Requests still waiting for an answer (a page that has not finished loading)."""

    async def goto(self, url: str, *, timeout: float) -> None: ...

    async def fill(self, selector: str, value: str, *, timeout: float) -> None: ...

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None: ...

    async def click_sequence(self, selector: str, indices: list[int], *,
                             timeout: float) -> None:
        """Click the n-th matches of ``selector`` in this order (an on-screen keypad)."""

    async def press(self, selector: str, key: str, *, timeout: float) -> None: ...

    async def select(self, selector: str, value: str, *, timeout: float) -> None: ...

    async def content(self) -> str: ...

    async def screenshot(self) -> bytes | None: ...

    async def fetch(self, url: str, *, timeout: float) -> FetchResponse:
        """GET with the session's cookies and no rendering (pages that need no JavaScript)."""

    async def cookies(self) -> list[Cookie]: ...

    async def add_cookies(self, cookies: list[Cookie]) -> None: ...

    async def close(self) -> None: ...
