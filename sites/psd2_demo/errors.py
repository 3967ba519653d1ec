"""Error bodies in the two dialects a PSD2 client must understand.

The AIS API (``/v1/``) speaks Berlin Group: ``{"tppMessages": [{category, code, text}]}``, and a
client is expected to branch on ``code`` (TOKEN_EXPIRED means refresh, CONSENT_EXPIRED means ask
the user again). The authorization server (``/oauth/``) speaks RFC 6749: ``{"error": ...}``.
Keeping both here makes the mapping from failure to wire format visible in one place.
"""

from __future__ import annotations

from flask import Response, jsonify

from .state import DemoState

RETRY_AFTER_SECONDS = 120


def tpp_error(status: int, code: str, text: str,
              headers: dict[str, str] | None = None) -> Response:
    """A Berlin Group error response."""
    response = jsonify({"tppMessages": [{"category": "ERROR", "code": code, "text": text}]})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def oauth_error(status: int, error: str, description: str | None = None,
                headers: dict[str, str] | None = None) -> Response:
    """An RFC 6749 error response; ``no-store`` because token endpoints must not be cached."""
    body = {"error": error}
    if description:
        body["error_description"] = description
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def token_invalid(text: str) -> Response:
    return tpp_error(401, "TOKEN_INVALID", text,
                     {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def token_expired() -> Response:
    return tpp_error(401, "TOKEN_EXPIRED", "The access token has expired; refresh it.",
                     {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def scenario_fault(scenario: str) -> Response | None:
    """The gateway-level failure a scenario imposes on every /v1/ call, if any."""
    if scenario == "unavailable":
        return tpp_error(503, "SERVICE_UNAVAILABLE", "The ASPSP service is temporarily down.")
    if scenario == "rate-limited":
        return tpp_error(429, "ACCESS_EXCEEDED",
                         "The access frequency for this consent has been exceeded.",
                         {"Retry-After": str(RETRY_AFTER_SECONDS)})
    return None


def forced_fault(state: DemoState) -> Response | None:
    """Faults a start-up scenario imposes before any credential is even looked at."""
    if state.forced_scenario is None:
        return None
    return scenario_fault(state.forced_scenario)
