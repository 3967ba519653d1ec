"""The recording and replay seam of the browser backend, in plain Python.

Why here: only ``engine/backends/`` may import Playwright, yet the harness must see every
request a browser context makes (to record it) or answer each one itself (to replay). So the
backend turns Playwright's route and response objects into the values below and calls the
harness's plain callbacks; the harness never touches a ``Route`` or a ``Request``.

Two modes, one per context:

- **tap** (recording): every request is fetched for real (redirects not followed, so the
  browser sees and follows each hop itself), the answer is handed to the tap, then to the
  page. Redirect hops the browser follows on its own (no route sees them) are reported after
  the fact, body included.
- **serve** (replay): every request is answered by the callback, with a ``Reply`` or an
  ``Abort``; nothing reaches the network.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class InterceptedRequest:
    """A request of the browser context, as the harness needs to see it."""

    method: str
    url: str
    resource_type: str
    """document, script, xhr, fetch, image... (Chromium's names)."""
    headers: dict[str, str] = field(default_factory=dict)
    post_data: str | None = None
    main_navigation: bool = False
    """A navigation of the page's main frame (a new document, not a frame or a fetch)."""


@dataclass(frozen=True)
class Reply:
    """An answer: served at replay, or the one the site gave while recording."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Abort:
    """Refuse the request: ``failed`` (a network error, as an unrecorded request gets) or
    ``blockedbyclient`` (an asset the live engine blocks too)."""

    reason: str = "failed"


Done = Callable[[Reply | None], None]
"""Called once the real answer is in (None: the request failed on the network)."""


class RecordingTap(Protocol):
    """What a recorder implements; calls arrive in the order requests are made."""

    def request(self, request: InterceptedRequest) -> Done:
        """A request is about to be fetched; return what to call with its answer."""

    def redirect(self, request: InterceptedRequest, reply: Reply, previous: str) -> None:
        """A hop of a redirect chain the browser followed itself (``previous``: the URL that
        redirected here); ``reply.body`` is empty for redirects and skipped assets."""


ServeHook = Callable[[InterceptedRequest], Awaitable[Reply | Abort]]
"""Replay: the answer to every request of the context."""


__all__ = ["Abort", "Done", "InterceptedRequest", "RecordingTap", "Reply", "ServeHook"]
