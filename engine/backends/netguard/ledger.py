"""One session's refusals, each reported once, with the page that caused it.

Refusals arrive from three places that each know half the story: the guard proxy knows *what*
it refused (but a tunnel shows only ``host:port``, and the browser sends at most an origin as
``Referer``); the browser's request events know *who* asked (the frame's document, the redirect
hop before) but not whether the proxy let it through; the backend's own checks (route handler,
``fetch()`` redirects) know both. The ledger joins them when asked, so its answer does not
depend on which event arrived first. It holds no Playwright object: plain strings in, plain
``Refusal`` records out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.backends.netguard.policy import Refusal, url_allowed, without_query
from engine.backends.netguard.proxy import ProxyRefusal

DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}


@dataclass(frozen=True)
class _Seen:
    url: str
    initiator: str | None
    redirected: bool


def endpoint(url: str) -> str:
    """``host:port`` of a URL (or of a tunnel target), default ports made explicit."""
    if "://" not in url:
        return url.lower()
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
    host = parts.hostname or ""
    return f"{host}:{port}".lower()


class RefusalLedger:
    """Collects what one session refused; ``records`` is the deduplicated, joined view."""

    def __init__(self, allowed_domains: list[str]) -> None:
        self._allowed = list(allowed_domains)
        self._direct: list[Refusal] = []
        self._proxy: list[ProxyRefusal] = []
        self._by_url: dict[str, _Seen] = {}
        self._by_endpoint: dict[str, _Seen] = {}
        self._navigation: Refusal | None = None
        self._navigation_reported = False
        self.unserved: list[str] = []
        """Offline (replay) only: allowed hosts the proxy refused because nothing is live."""

    # -- what came in -----------------------------------------------------------------------
    def observe(self, url: str, *, initiator: str | None, redirected_from: str | None,
                main_navigation: bool) -> None:
        """A request the browser announced (any host). Foreign ones are remembered, to name
        the page behind a refusal; a foreign main-frame navigation is one the proxy or the
        route handler refuses, so the sync can fail at once instead of waiting for a page."""
        if url_allowed(url, self._allowed) or urlsplit(url).scheme not in DEFAULT_PORTS:
            return
        page = _page(initiator) or (_page(redirected_from) if redirected_from else None)
        seen = _Seen(without_query(url), page, redirected_from is not None)
        self._by_url.setdefault(seen.url, seen)
        self._by_endpoint.setdefault(endpoint(url), seen)
        if main_navigation and self._navigation is None and not self._navigation_reported:
            self._navigation = Refusal(seen.url, page,
                                       "redirect" if seen.redirected else "navigation")

    def add(self, url: str, *, initiator: str | None, channel: str) -> Refusal:
        """A refusal the backend made itself (it knows who asked)."""
        refusal = Refusal(without_query(url), _page(initiator), channel)
        self._direct.append(refusal)
        return refusal

    def on_proxy(self, refusal: ProxyRefusal) -> None:
        """The guard proxy's callback."""
        if refusal.host_allowed:
            self.unserved.append(refusal.url)
        else:
            self._proxy.append(refusal)

    # -- what goes out ----------------------------------------------------------------------
    @property
    def records(self) -> list[Refusal]:
        out: dict[tuple[str, str | None], Refusal] = {}
        for refusal in [*self._direct, *map(self._join, self._proxy)]:
            out.setdefault((refusal.url, refusal.initiator), refusal)
        return list(out.values())

    def hosts(self) -> list[str]:
        return sorted({r.host for r in self.records})

    def take_navigation(self) -> Refusal | None:
        """The refused main-frame navigation not yet raised, once: later ones are only
        reported (the sync is already failing, and its evidence must still be readable)."""
        refusal, self._navigation = self._navigation, None
        if refusal is not None:
            self._navigation_reported = True
        return refusal

    def _join(self, refusal: ProxyRefusal) -> Refusal:
        seen = (self._by_url.get(refusal.url) if refusal.channel == "request"
                else self._by_endpoint.get(endpoint(refusal.url)))
        if seen is None:
            return Refusal(refusal.url, _page(refusal.referer), refusal.channel)
        channel = "redirect" if seen.redirected else refusal.channel
        return Refusal(seen.url, seen.initiator or _page(refusal.referer), channel)


def _page(url: str | None) -> str | None:
    """A page worth naming: a network document, without its query."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return None
    return without_query(url)


__all__ = ["RefusalLedger", "endpoint"]
