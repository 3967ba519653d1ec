"""The failures NeoBanque can be told to show, as the HTTP answers a real bank would give.

Each scenario is one misbehaviour the engine must classify correctly (maintenance is not a bad
password, a rate limit is retryable, a captcha needs a human...). Keeping them in one place
makes the mapping scenario -> status code -> JSON body easy to audit against the engine's.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from sites.neobanque.state import SiteState

MAINTENANCE_MESSAGE = (
    "Service en maintenance : NeoBanque sera de retour vers 6 h 00. Merci de votre patience."
)
RETRY_AFTER_SECONDS = 120
HANG_SECONDS = 3600.0


def error(status: int, code: str, **extra: Any) -> Response:
    """The API's one error shape: ``{"error": code, ...}``."""
    response = jsonify({"error": code, **extra})
    response.status_code = status
    return response


def outage(scenario: str) -> Response | None:
    """The answer for an outage-type scenario (maintenance, 503, 429, captcha), else None."""
    if scenario == "maint":
        return jsonify({"maintenance": True, "message": MAINTENANCE_MESSAGE})
    if scenario == "maint503":
        return error(503, "service_unavailable")
    if scenario == "ratelimit":
        response = error(429, "rate_limited")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if scenario == "captcha":
        return error(403, "captcha_required")
    return None


def delay(scenario: str, state: SiteState) -> Response | None:
    """Block like an overloaded backend: 'slow' eventually answers, 'hang' practically never.

    Waiting on an Event (not ``time.sleep``) lets tests end the wait; the server's daemon
    threads mean a hung request never prevents shutting the site down.
    """
    if scenario == "slow":
        state.release.wait(state.slow_seconds)
    elif scenario == "hang":
        state.release.wait(HANG_SECONDS)
        return error(504, "gateway_timeout")
    return None


def broken_history(scenario: str, account_kind: str) -> Response | None:
    """'brokenhistory': only the savings account's history fails, to test partial results."""
    if scenario == "brokenhistory" and account_kind == "savings":
        return error(500, "internal_error")
    return None
