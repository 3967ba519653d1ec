"""What Chromium and Playwright report, read as the backend's own failures.

Apart from the page actions (``browser_page.py``) because it is a table, not behaviour: a
``net::ERR_...`` code or a Playwright message becomes a ``NavigationFailed`` of a kind the
runner can classify (a redirect loop, an empty answer, a certificate) or names the element a
click hit instead. Plain text in, no browser needed: the runner reuses ``first_line`` too.
"""

from __future__ import annotations

import re

from engine.backends.base import NavigationFailed

NET_KINDS = [
    ("redirect_loop", ("ERR_TOO_MANY_REDIRECTS",)),
    ("empty_page", ("ERR_EMPTY_RESPONSE",)),
    ("bad_response", ("ERR_RESPONSE_HEADERS_TOO_BIG", "ERR_INVALID_RESPONSE",
                      "ERR_CONTENT_LENGTH_MISMATCH", "ERR_INCOMPLETE_CHUNKED_ENCODING",
                      "ERR_INVALID_HTTP_RESPONSE", "ERR_RESPONSE_HEADERS_MULTIPLE",
                      "ERR_HTTP2_PROTOCOL_ERROR", "ERR_INVALID_CHUNKED_ENCODING",
                      "ERR_UNEXPECTED_PROXY_AUTH", "ERR_INVALID_REDIRECT")),
    ("timeout", ("ERR_TIMED_OUT", "ERR_CONNECTION_TIMED_OUT")),
    ("dns", ("ERR_NAME_NOT_RESOLVED", "ERR_NAME_RESOLUTION_FAILED")),
    ("tls", ("ERR_CERT_", "ERR_SSL_", "ERR_BAD_SSL")),
]
ROUTE_ERRORS = [
    ("Header overflow", "net::ERR_RESPONSE_HEADERS_TOO_BIG"),
    ("socket hang up", "net::ERR_EMPTY_RESPONSE"),
    ("ECONNRESET", "net::ERR_CONNECTION_RESET"),
    ("ECONNREFUSED", "net::ERR_CONNECTION_REFUSED"),
    ("ENOTFOUND", "net::ERR_NAME_NOT_RESOLVED"),
    ("ETIMEDOUT", "net::ERR_TIMED_OUT"),
]
COVERED = re.compile(r"<(?P<tag>[a-z0-9-]+)(?P<attrs>[^>]*)>.*? intercepts pointer events")


def net_error(message: str) -> str | None:
    """The ``net::ERR_...`` code in a Playwright or Chromium message, if any."""
    found = re.search(r"net::ERR_[A-Z0-9_]+", message)
    return found.group(0) if found else None


def navigation_failure(url: str, message: str) -> NavigationFailed:
    """Map what Chromium reported into a kind the runner can classify at once."""
    code = net_error(message) or ""
    for kind, markers in NET_KINDS:
        if any(marker in code for marker in markers):
            return NavigationFailed(url, READABLE.get(kind, code), kind=kind, detail=code,
                                    timed_out=kind == "timeout")
    reason = code or first_line(message)[:200]
    return NavigationFailed(url, f"the page did not load ({reason})", kind="network",
                            detail=code or None)


READABLE = {
    "redirect_loop": "the site redirects in a loop",
    "empty_page": "the server closed the connection without an answer",
    "bad_response": "the server sent an invalid answer",
    "timeout": "no response in time",
    "network": "the connection to the site failed",
    "dns": "the host name does not resolve",
    "tls": "the TLS certificate or handshake failed",
}


def first_line(message: str) -> str:
    """A Playwright message without its call log (which can quote typed values)."""
    return message.split("\nCall log:")[0].splitlines()[0] if message else ""


def _describe(tag: str, attrs: str) -> str:
    element_id = re.search(r'\bid="([^"]+)"', attrs)
    classes = re.search(r'\bclass="([^"]+)"', attrs)
    if element_id:
        return f"{tag}#{element_id.group(1)}"
    if classes:
        return tag + "".join(f".{c}" for c in classes.group(1).split()[:3])
    return tag


def covered_by(message: str) -> str | None:
    found = COVERED.search(message)
    return _describe(found["tag"], found["attrs"]) if found else None


def route_error(message: str) -> str:
    """The Chromium error a failed fetch of ours stands for (a route that fetched the
    request itself hides the real one from the browser)."""
    for marker, code in ROUTE_ERRORS:
        if marker in message:
            return code
    return net_error(message) or "net::ERR_FAILED"


__all__ = ["READABLE", "covered_by", "first_line", "navigation_failure", "net_error",
           "route_error"]
