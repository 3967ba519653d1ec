"""What an API answer means: the recipe's ``api.detect`` rules first, then built-in statuses.

Kept apart from the flow (``api_flow``) because it is the taxonomy's contract for API
institutions: 429 → blocked with Retry-After, 5xx → unavailable, a rejected client →
invalid_credentials, a refused authorization → action_required, anything else 4xx →
recipe_broken. ``REFRESH`` is the one non-error verdict: refresh the token once and retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jmespath

from engine.backends.base import FetchResponse
from engine.errors import (
    ActionRequired,
    Blocked,
    InvalidCredentials,
    RecipeBroken,
    SyncError,
    Unavailable,
    error_for,
)
from engine.recipe.api import ApiSpec
from engine.runner.detection import retry_after_seconds

REFRESH = "refresh"


@dataclass(frozen=True)
class Answer:
    response: FetchResponse
    data: Any
    """The parsed JSON body, or None when the body is not JSON."""


def classify_answer(api: ApiSpec, answer: Answer, step: str, phase: str, *,
                    refresh_allowed: bool) -> SyncError | str | None:
    """What an answer means: the recipe's rules first, then the built-in status rules."""
    status, data = answer.response.status, answer.data
    code = _api_code(data)
    said = f"HTTP {status}" + (f" {code}" if code else "")
    retry = retry_after_seconds(answer.response.headers)
    kw: dict[str, Any] = {"step": step, "url": bare_url(answer.response.url),
                          "details": {"status": status} | ({"api_code": code} if code
                                                           else {})}
    matched = api.matching_rule(status, data, refresh=refresh_allowed)
    if matched is not None:
        kind, rule = matched
        return REFRESH if kind == REFRESH else error_for(
            kind, rule.message or f"the API answered {said}", reason=rule.reason,
            retry_after=retry, **kw)
    if status < 400:
        return None
    if status == 429:
        return Blocked(f"the institution is rate limiting us ({said})",
                       reason="rate_limited", retry_after=retry, **kw)
    if status >= 500:
        return Unavailable(f"the institution's API is failing ({said})",
                           reason="server_error", retry_after=retry, **kw)
    if phase in ("token", "refresh") and (status == 401 or code == "invalid_client"):
        return InvalidCredentials(f"the institution rejected the client credentials "
                                  f"({said})", reason="invalid_client", **kw)
    if phase == "refresh" or status == 401:
        return ActionRequired(
            f"the institution no longer accepts our authorization ({said}); the user must "
            "authorize again",
            reason="reauthorization_required" if phase == "refresh" else "unauthorized",
            **kw)
    if status == 403:
        return Blocked(f"access refused ({said})", reason="http_403", **kw)
    return RecipeBroken(f"the API rejected the request the recipe built ({said})",
                        reason=f"http_{status}", **kw)


def _api_code(data: Any) -> str | None:
    """The API's own error code: OAuth2 ``error`` or Berlin Group ``tppMessages[0].code``."""
    found = jmespath.search("error || tppMessages[0].code", data) if isinstance(
        data, dict) else None
    return str(found) if isinstance(found, str | int) else None


def bare_url(url: str) -> str:
    """A URL without its query: queries carry client ids, codes and states."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
