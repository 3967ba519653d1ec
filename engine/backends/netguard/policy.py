"""Which hosts a sync may talk to, and how a refusal is written down.

One rule for every channel (browser requests, tunnels, plain fetches, the HTTP backend):
``allowed_domains`` holds host names or shell-style patterns (``*.example.com``) and is
matched against the host alone, never the port, the user-info or the path. A URL without a
host is never allowed on the network (the browser's own ``data:``/``blob:``/``about:`` pages
never reach the network, so the browser backend admits them separately).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome-error", "javascript"})


def host_matches(host: str, allowed: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """Exact host or shell-style pattern; case-insensitive, a trailing dot ignored."""
    host = host.lower().rstrip(".").strip("[]")
    if not host:
        return False
    return any(host == p.lower() or fnmatch.fnmatchcase(host, p.lower()) for p in allowed)


def url_allowed(url: str, allowed: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a network URL's host is allowed (a URL without a host never is)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host_matches(host, allowed)


def without_query(url: str) -> str:
    """The URL as a refusal reports it: no query, no fragment, no user-info (a query is where
    an exfiltrating page puts what it stole, and a report must not repeat it)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0].split("#", 1)[0]
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class Refusal:
    """One request or connection refused because its host is outside ``allowed_domains``.

    ``url`` is what was refused (without query; ``host:port`` for a tunnel whose scheme the
    proxy cannot see); ``initiator`` the page that caused it (the document whose script,
    element or redirect asked for it), when known; ``channel`` how it was attempted
    (``request``, ``redirect``, ``tunnel``, ``fetch``)."""

    url: str
    initiator: str | None
    channel: str

    @property
    def host(self) -> str:
        parts = urlsplit(self.url if "://" in self.url else f"//{self.url}")
        return parts.netloc.rsplit("@", 1)[-1]

    def __str__(self) -> str:
        origin = f" from {self.initiator}" if self.initiator else ""
        return f"{self.url}{origin}"


UPSTREAM_ERROR = "x-engine-upstream-error"
"""Header of the proxy's ``502`` when an allowed origin failed before answering; its value is
the kind of failure (``network``, ``empty_page``, ``bad_response``, ``timeout``)."""

__all__ = ["LOCAL_SCHEMES", "UPSTREAM_ERROR", "Refusal", "host_matches", "url_allowed",
           "without_query"]
