"""What the browser backend's page sees go by: every document, XHR, fetch, event stream and
WebSocket answer, failures included, kept in order for the runner's detection.

Apart from the actions (``browser_page.py``) because this half never acts: it records what
the page received (what a classification is derived from), what the guard proxy saw an origin
do when Chromium only reports a generic error, and stops a main document announcing more
bytes than the recipe allows.
"""

from __future__ import annotations

import asyncio
import contextlib

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request, Response

from engine.backends.base import ResponseSeen
from engine.backends.netguard.policy import UPSTREAM_ERROR

WATCHED_TYPES = frozenset({"document", "xhr", "fetch", "eventsource", "websocket"})


class PageWatch:
    """Mixed into ``PageActions``: the record of the page's answers."""

    def _init_watch(self) -> None:
        self._seen: list[ResponseSeen] = []
        self._bodies: dict[int, Response] = {}
        self._nav_failure: str | None = None
        self._upstream_failures: dict[str, str] = {}
        """What the guard proxy saw an origin do (URL without query → failure kind)."""
        self._upstream_failure: tuple[str, str] | None = None
        self._oversized: tuple[str, int] | None = None
        self.max_document_bytes: int | None = None
        """Documents announcing more are stopped and refused (``PageTooLarge``)."""

    def _on_any_response(self, response: Response) -> None:
        request = response.request
        if request.resource_type not in WATCHED_TYPES:
            return
        try:
            headers = {k.lower(): v for k, v in response.headers.items()}
        except PlaywrightError:
            headers = {}
        self._check_announced_size(request, response, headers)
        failed = headers.get(UPSTREAM_ERROR)
        if failed:  # the guard proxy saw the origin fail: record it as the failure it was
            self._seen.append(ResponseSeen(url=response.url, status=0,
                                           resource_type=request.resource_type,
                                           method=request.method, failure=failed))
            with contextlib.suppress(PlaywrightError):
                if request.is_navigation_request() and request.frame.parent_frame is None:
                    self._upstream_failure = (response.url, failed)
            return
        self._bodies[len(self._seen)] = response
        self._seen.append(ResponseSeen(url=response.url, status=response.status,
                                       resource_type=request.resource_type,
                                       method=request.method, headers=headers))

    def _on_any_failure(self, request: Request) -> None:
        failure = request.failure or "failed"
        if request.resource_type not in WATCHED_TYPES or "ERR_BLOCKED_BY_CLIENT" in failure:
            return
        seen_by_guard = self._upstream_failures.get(request.url.split("?")[0].split("#")[0])
        if seen_by_guard is not None:  # a generic browser error for a precise origin failure
            failure = seen_by_guard
        if "ERR_ABORTED" in failure and request.resource_type == "document":
            return  # a navigation replaced by another one, not a failure of the site
        self._seen.append(ResponseSeen(url=request.url, status=0,
                                       resource_type=request.resource_type,
                                       method=request.method, failure=failure))
        with contextlib.suppress(PlaywrightError):
            if request.is_navigation_request() and request.frame.parent_frame is None and (
                    self._nav_failure is None or "ERR_FAILED" not in failure):
                self._nav_failure = failure

    def _check_announced_size(self, request: Request, response: Response,
                              headers: dict[str, str]) -> None:
        """A main document announcing more than the recipe allows is stopped while it loads:
        rendering 50 MB would outlast the step and cost every other sync its CPU."""
        limit, announced = self.max_document_bytes, headers.get("content-length", "")
        if limit is None or not announced.isdigit() or int(announced) <= limit:
            return
        with contextlib.suppress(PlaywrightError):
            if request.resource_type == "document" and request.frame.parent_frame is None:
                self._oversized = (response.url.split("?")[0], int(announced))
                stop = asyncio.ensure_future(request.frame.page.evaluate("() => window.stop()"))
                stop.add_done_callback(lambda task: task.exception())

    def response_mark(self) -> int:
        return len(self._seen)

    def responses_since(self, mark: int) -> list[ResponseSeen]:
        return self._seen[mark:]

    async def response_body(self, seen: ResponseSeen) -> str | None:
        """The text of a recorded answer (JSON and text only, at most 256 kB)."""
        try:
            index = self._seen.index(seen)
        except ValueError:
            return None
        response = self._bodies.get(index)
        kind = seen.headers.get("content-type", "")
        if response is None or not any(t in kind for t in ("json", "text", "javascript")):
            return None
        try:
            body = await response.body()
        except PlaywrightError:
            return None
        return body[:262144].decode("utf-8", "replace")


__all__ = ["WATCHED_TYPES", "PageWatch"]
