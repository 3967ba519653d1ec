"""The HTTP backend: an httpx session for institutions that offer an API (PSD2 and the like).

It speaks the same small ``Backend`` protocol as the browser (``goto``, ``content``, ``fetch``,
cookies...) so the session runner can open, time and close it the same way, and adds the one
thing an API flow needs: ``request()``, an arbitrary method with headers, query parameters and a
JSON or form body. Like the browser's route handler it is the single door to the network:

- every request to a host outside ``allowed_domains`` is refused before it leaves, and
  reported (``refused``, ``refused_hosts``), so a recipe cannot send a token or a secret
  anywhere else; the rule is netguard's, the same the browser's guard proxy applies;
- redirects are never followed (``follow_redirects=False``, and nothing here follows one): an
  OAuth authorize answer is a 302 to the client's own redirect URI, whose ``code`` the runner
  reads from ``Location`` without ever calling that host. A caller that wants to follow a
  ``Location`` calls ``request()`` again, which checks that hop like any other request;
- httpx's exceptions are translated here, at the boundary, into ``NavigationFailed`` (timeouts,
  refused connections, broken answers) so the runner classifies them without knowing httpx.

``request_hook`` is the seam replay uses (``engine.harness.cassette``): a hook sees each request
before it is sent and may veto it (no recording for it), and sees each answer before the runner
does. It is a context variable, so a replay affects only the syncs run inside its ``with``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import ssl
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from engine.backends.base import (
    Cookie,
    FetchResponse,
    NavigationFailed,
    PageTooLarge,
    RequestRefused,
    RequestVetoed,
    ResponseSeen,
)
from engine.backends.netguard.policy import Refusal, url_allowed
from engine.errors import EngineError, SyncError

USER_AGENT = "bank-sync-engine/0.1 (+api)"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class OutgoingRequest:
    """A request about to be sent, as a hook sees it (body already encoded)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes


class RequestHook(Protocol):
    """Replay's view of the traffic: may refuse a request, may adjust an answer."""

    def before(self, request: OutgoingRequest) -> str | None:
        """A reason to refuse ``request`` (it is then never sent), or None to let it go."""

    def after(self, request: OutgoingRequest, response: FetchResponse) -> FetchResponse:
        """The answer the runner should see (usually ``response`` unchanged)."""


request_hook: ContextVar[RequestHook | None] = ContextVar("request_hook", default=None)


@contextlib.contextmanager
def use_request_hook(hook: RequestHook) -> Iterator[None]:
    """Install ``hook`` for the HTTP sessions used inside the ``with`` block."""
    token = request_hook.set(hook)
    try:
        yield
    finally:
        request_hook.reset(token)


class _LogScrub(logging.Filter):
    """httpx logs every request URL at INFO (queries may carry client or PSU ids) and httpcore
    logs response headers at DEBUG (``Location`` carries authorization codes, ``Set-Cookie``
    sessions): keep the records, drop those parts."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (str(record.msg).startswith("HTTP Request") and isinstance(record.args, tuple)
                and len(record.args) >= 2):
            args = list(record.args)
            args[1] = _without_query(str(args[1]))
            record.args = tuple(args)
        elif "response_headers.complete" in str(record.msg):
            record.msg, record.args = f"{str(record.msg).split()[0]} (headers not logged)", ()
        return True


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")) if parts.query else url


for _name in ("httpx", "httpcore.http11", "httpcore.http2"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _LogScrub) for f in _logger.filters):
        _logger.addFilter(_LogScrub())


class HttpSession:
    """A ``Backend`` over one ``httpx.AsyncClient``: cookie jar, timeouts, host allow-list."""

    def __init__(self, *, allowed_domains: list[str], timeout: float = DEFAULT_TIMEOUT,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._allowed = list(allowed_domains)
        # trust_env=False: no proxy or .netrc from the environment may see our traffic.
        self._client = httpx.AsyncClient(
            follow_redirects=False, timeout=timeout, trust_env=False, transport=transport,
            headers={"User-Agent": USER_AGENT}, verify=_tls_context(),
        )
        self._url = ""
        self._status: int | None = None
        self._headers: dict[str, str] = {}
        self._text = ""
        self._refused: list[Refusal] = []
        self._in_flight: list[str] = []
        self._seen: list[ResponseSeen] = []
        self.requests_made = 0

    def __repr__(self) -> str:
        return f"HttpSession(allowed_domains={self._allowed!r}, requests={self.requests_made})"

    # -- the API call ---------------------------------------------------------------------
    async def request(
        self, method: str, url: str, *, timeout: float, params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None, json: Any = None,
        data: Mapping[str, str] | None = None, basic_auth: tuple[str, str] | None = None,
    ) -> FetchResponse:
        """Send one request (never following redirects) and return its answer, whatever the
        status. Raises ``RequestRefused`` for other hosts and ``NavigationFailed`` when no
        usable answer came back."""
        absolute = urljoin(self._url or url, url)
        if not host_allowed(absolute, self._allowed):
            refusal = Refusal(_without_query(absolute),
                              _without_query(self._url) if self._url else None, "request")
            if refusal not in self._refused:
                self._refused.append(refusal)
            raise RequestRefused(refusal.url, initiator=refusal.initiator)
        try:
            request = self._client.build_request(
                method, absolute, params=params, headers=headers, json=json, data=data,
                timeout=timeout,
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise NavigationFailed(_without_query(absolute), f"invalid request: {exc}") from None
        auth = httpx.BasicAuth(*basic_auth) if basic_auth is not None else None
        hook = request_hook.get()
        outgoing = OutgoingRequest(request.method, str(request.url),
                                   {k.lower(): v for k, v in request.headers.items()},
                                   request.content)
        if hook is not None:
            veto = hook.before(outgoing)
            if veto is not None:  # not a foreign host: not in refused_hosts
                raise RequestVetoed(_without_query(outgoing.url), veto)
        shown = _without_query(outgoing.url)
        self._in_flight.append(shown)
        try:
            response = await self._client.send(request, auth=auth)
            await response.aread()
        except httpx.TimeoutException:
            raise NavigationFailed(shown, "no response in time", timed_out=True) from None
        except httpx.HTTPError as exc:
            raise NavigationFailed(shown, _reason(exc)) from None
        finally:
            self._in_flight.remove(shown)
        self.requests_made += 1
        self._seen.append(ResponseSeen(url=shown, status=response.status_code,
                                       resource_type="fetch", method=request.method,
                                       headers={k.lower(): v
                                                for k, v in response.headers.items()},
                                       body=response.text[:262144]))
        answer = FetchResponse(
            url=str(response.url), status=response.status_code,
            text=response.text,
            headers={k.lower(): v for k, v in response.headers.items()},
        )
        if hook is not None:
            answer = hook.after(outgoing, answer)
        self._url, self._status, self._headers, self._text = (
            answer.url, answer.status, answer.headers, answer.text)
        return answer

    # -- Backend protocol -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self._url

    @property
    def status(self) -> int | None:
        return self._status

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    @property
    def refused_hosts(self) -> list[str]:
        return sorted({r.host or r.url for r in self._refused})

    @property
    def refused(self) -> list[Refusal]:
        return list(self._refused)

    @property
    def rendering(self) -> bool:
        return False

    @property
    def escaped(self) -> list[str]:
        return []  # redirects are never followed: no foreign answer can arrive

    def response_mark(self) -> int:
        return len(self._seen)

    def responses_since(self, mark: int) -> list[ResponseSeen]:
        return self._seen[mark:]

    async def response_body(self, seen: ResponseSeen) -> str | None:
        return seen.body

    @property
    def pending_requests(self) -> list[str]:
        return list(self._in_flight)

    async def goto(self, url: str, *, timeout: float) -> None:
        await self.request("GET", url, timeout=timeout)

    async def fetch(self, url: str, *, timeout: float,
                    headers: dict[str, str] | None = None,
                    max_bytes: int | None = None) -> FetchResponse:
        answer = await self.request("GET", url, timeout=timeout, headers=headers)
        if max_bytes is not None and len(answer.text) > max_bytes:
            raise PageTooLarge(_without_query(answer.url), len(answer.text), max_bytes)
        return answer

    async def content(self, *, max_chars: int | None = None) -> str:
        """The body of the last answer (JSON text for an API): what evidence saves."""
        return self._text

    async def screenshot(self, *, mask_values: list[str] | None = None) -> bytes | None:
        return None

    async def settle(self, *, timeout: float) -> bool:
        return True

    async def input_value(self, selector: str, *, nth: int | None = None) -> str | None:
        raise _no_page("read", selector)

    async def labels(self, selector: str, attribute: str) -> list[str]:
        raise _no_page("read", selector)

    async def count(self, selector: str) -> int:
        raise _no_page("count", selector)

    async def scroll(self, selector: str | None, *, timeout: float) -> None:
        raise _no_page("scroll", selector or "page")

    async def storage(self, area: str, key: str) -> str | None:
        raise _no_page("read storage", key)

    async def fill(self, selector: str, value: str, *, timeout: float) -> None:
        raise _no_page("fill", selector)

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None:
        raise _no_page("click", selector)

    async def click_sequence(self, selector: str, indices: list[int], *,
                             timeout: float) -> None:
        raise _no_page("click", selector)

    async def press(self, selector: str, key: str, *, timeout: float) -> None:
        raise _no_page("press", selector)

    async def select(self, selector: str, *, value: str | None, label: str | None,
                     timeout: float) -> None:
        raise _no_page("select", selector)

    async def cookies(self) -> list[Cookie]:
        return [
            Cookie(name=c.name, value=c.value or "", domain=c.domain, path=c.path,
                   expires=float(c.expires) if c.expires is not None else -1,
                   http_only=c.has_nonstandard_attr("HttpOnly"), secure=c.secure)
            for c in self._client.cookies.jar
        ]

    async def add_cookies(self, cookies: list[Cookie]) -> None:
        for c in cookies:
            self._client.cookies.set(c.name, c.value, domain=c.domain, path=c.path)

    async def close(self) -> None:
        await self._client.aclose()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every session: loading the CA bundle costs tens of
    milliseconds, far more than a small API sync's own work, and a context is shareable."""
    return httpx.create_ssl_context()


def host_allowed(url: str, allowed: list[str]) -> bool:
    """Exact host or shell-style pattern (``*.example.com``); a URL without a host never is.
    netguard's rule (Playwright-free, so an API-only deployment does not need Playwright)."""
    return url_allowed(url, allowed)


def _no_page(action: str, selector: str) -> SyncError:
    return EngineError(f"the HTTP backend has no page to {action} ({selector!r}); "
                       "browser steps need institution.backend: browser",
                       reason="unsupported_step")


def _reason(exc: httpx.HTTPError) -> str:
    kind = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{kind}: {text}"[:200] if text else kind
