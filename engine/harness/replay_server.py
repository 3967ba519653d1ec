"""Serving a recording to the browser: the request → recorded answer matching of replay.

Matching: method, origin-relative path and query, with volatile parameters ignored (cache
busters, timestamps; opaque tokens as a fallback); a GET repeated more often than recorded gets
the last answer again; other methods (POST...) are matched by method and path in recorded
order, since their bodies were scrubbed. A request with no recording is aborted and reported,
never sent (icons and fonts fetched this time only are refused without a report, as the live
engine blocks such assets). A redirect the browser would follow by itself is answered with the
end of its recorded chain (the address bar moved to the final URL), since no route would see
the hop.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from engine.backends.base import FetchResponse, NavigationFailed
from engine.backends.interception import Abort, InterceptedRequest, Reply

VOLATILE_PARAMS = frozenset({"_", "t", "ts", "_t", "_ts", "timestamp", "time", "cb",
                             "cachebuster", "cache_buster", "nocache", "no_cache", "rnd", "rand",
                             "random", "nonce", "bust"})
EPOCH = re.compile(r"1[0-9]{9}(?:[0-9]{3})?")
TOKEN_LIKE = re.compile(r"(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-.~%]{16,}|[0-9a-fA-F]{8,}")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ASSET_SUFFIXES = (".ico", ".png", ".svg", ".gif", ".jpg", ".jpeg", ".webp", ".woff", ".woff2",
                  ".ttf", ".otf", ".css", ".map")
Key = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class Replayer:
    """Serves one recording; remembers what it could not serve."""

    exchanges: list[dict[str, Any]]
    base_url: str
    unmatched: list[str] = field(default_factory=list)
    served: int = 0
    _pools: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    _used: Counter[Key] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._by_seq = {e.get("seq"): e for e in self.exchanges}
        for exchange in self.exchanges:
            key = self.key(str(exchange["method"]), str(exchange["url"]))
            self._pools.setdefault(key, []).append(exchange)

    def key(self, method: str, url: str) -> Key:
        parts = urlsplit(self._relative(url))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        method = method.upper()
        if method not in SAFE_METHODS:
            return method, origin + parts.path, ()
        params = tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                              if k.lower() not in VOLATILE_PARAMS and not EPOCH.fullmatch(v)))
        return method, origin + parts.path, params

    def take(self, method: str, url: str, *, report: bool = True) -> dict[str, Any] | None:
        """The recorded answer for this request, or None (then it is reported)."""
        key = self.key(method, url)
        pool = self._pools.get(key)
        if pool is None and key[0] in SAFE_METHODS:
            key = next((k for k in self._pools if _same_but_tokens(k, key)), key)
            pool = self._pools.get(key)
        used = self._used[key]
        if not pool or (used >= len(pool) and key[0] not in SAFE_METHODS):
            if report:
                self.unmatched.append(f"{method.upper()} {self._relative(url)}")
            return None
        self._used[key] += 1
        self.served += 1
        return pool[min(used, len(pool) - 1)]

    async def serve(self, request: InterceptedRequest) -> Reply | Abort:
        """The answer to one request of the browser context (the backend's serve hook)."""
        # an icon or font the browser fetched this time only is refused but not a difference
        asset = urlsplit(request.url).path.lower().endswith(ASSET_SUFFIXES)
        exchange = self.take(request.method, request.url, report=not asset)
        url, body = request.url, b""
        if exchange is not None and _location(exchange):
            # A redirect the browser followed itself would bypass every route and reach the
            # network: answer with where the recorded chain ends instead (see _collapse).
            exchange, url = self._follow(request.method, url, exchange)
            if exchange is not None:
                body = _collapse(request, url, exchange, self.body(exchange))
        elif exchange is not None:
            body = self.body(exchange)
        if exchange is None or not exchange.get("status"):
            return Abort("failed")
        if exchange.get("skipped"):
            return Abort("blockedbyclient")  # an asset the live engine blocks too
        status = int(exchange["status"])
        headers = {str(k): str(v) for k, v in (exchange.get("headers") or {}).items()
                   if str(k).lower() != "location"}
        if body.startswith(_INTERSTITIAL):
            status, headers = 200, {"content-type": "text/html; charset=utf-8"}
        return Reply(status=status, headers=headers, body=body)

    def _follow(self, method: str, url: str, exchange: dict[str, Any]
                ) -> tuple[dict[str, Any] | None, str]:
        """The recorded end of a redirect chain (and its URL), each hop counted as served."""
        for _hop in range(10):
            location = _location(exchange)
            if not location:
                return exchange, url
            status = int(exchange.get("status") or 0)
            url = urljoin(url, location)
            if status == 303 or (status in (301, 302) and method == "POST"):
                method = "GET"
            found = self.take(method, url)
            if found is None:
                return None, url
            exchange = found
        return None, url

    async def fetch(self, url: str, timeout: float,
                    real: Callable[[str, float], Awaitable[FetchResponse]]) -> FetchResponse:
        del timeout, real  # never touches the network
        exchange = self.take("GET", url)
        if exchange is None or not exchange.get("status") or exchange.get("skipped"):
            raise NavigationFailed(url, "net::ERR_FAILED (not in the recording)")
        final = exchange.get("final_url")
        return FetchResponse(url=urljoin(self.base_url + "/", final) if final else url,
                             status=int(exchange["status"]),
                             text=self.body(exchange).decode("utf-8", errors="replace"),
                             headers={str(k).lower(): str(v) for k, v in
                                      (exchange.get("headers") or {}).items()})

    def _relative(self, url: str) -> str:
        base = self.base_url.rstrip("/")
        return url[len(base):] or "/" if url.startswith(base + "/") or url == base else url


    def body(self, exchange: dict[str, Any]) -> bytes:
        if "body_ref" in exchange:
            exchange = self._by_seq.get(exchange["body_ref"], {})
        return _body(exchange)


_INTERSTITIAL = b"<!-- replay: cross-origin redirect -->"


def _location(exchange: dict[str, Any]) -> str | None:
    if int(exchange.get("status") or 0) not in (301, 302, 303, 307, 308):
        return None
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    return headers.get("location") or None


def _collapse(request: InterceptedRequest, final_url: str, exchange: dict[str, Any],
              body: bytes) -> bytes:
    """Serve a redirect chain's last answer to its first request. A document also gets a
    one-line script that moves the address bar to the final URL (history.replaceState, then
    the script removes itself), so page.url, relative links and URL rules are as recorded; a
    cross-origin end gets a meta refresh instead, whose navigation the routes do see."""
    if request.resource_type != "document":
        return body
    if urlsplit(final_url)[:2] != urlsplit(request.url)[:2]:
        target = json.dumps(final_url).replace("<", "\\u003c")
        return (_INTERSTITIAL + b'<meta http-equiv="refresh" content="0;url='
                + html.escape(final_url).encode() + b'"><script>location.replace('
                + target.encode() + b")</script>")
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    if "html" not in headers.get("content-type", "text/html"):
        return body
    shim = ('<script>history.replaceState(history.state,"",' + json.dumps(final_url)
            .replace("<", "\\u003c") + ");document.currentScript.remove()</script>")
    return shim.encode() + body


def _body(exchange: dict[str, Any]) -> bytes:
    if exchange.get("body") is not None:
        return str(exchange["body"]).encode("utf-8")
    if exchange.get("body_b64"):
        return base64.b64decode(exchange["body_b64"])
    return b""


def _same_but_tokens(recorded: Key, wanted: Key) -> bool:
    """Same method, path and parameter names; differing values are all opaque tokens (a value
    the page generated, or one the recording itself issued and scrubbed)."""
    if recorded[:2] != wanted[:2] or [k for k, _ in recorded[2]] != [k for k, _ in wanted[2]]:
        return False
    return all(a == b or (TOKEN_LIKE.fullmatch(a) and TOKEN_LIKE.fullmatch(b))
               or "scrubbed" in a for (_, a), (_, b) in zip(recorded[2], wanted[2], strict=True))



__all__ = ["Replayer"]
