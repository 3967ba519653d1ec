"""NeoBanque's JSON API: login with SMS code, customer, accounts, paginated history.

The single-page app only ever talks to these endpoints, so they are what makes NeoBanque a
different kind of target from a server-rendered bank: the data is never in the HTML.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from sites.neobanque import faults
from sites.neobanque.auth import (
    OTP_HINT,
    SESSION_COOKIE,
    TRUSTED_COOKIE,
    TRUSTED_MAX_AGE,
    OtpOutcome,
    Session,
)
from sites.neobanque.data import DEMO_PASSWORD, SCENARIOS, SITE_WIDE_SCENARIOS, scenario_email
from sites.neobanque.serialize import DEFAULT_LIMIT, MAX_LIMIT, account_json, decode_cursor, page
from sites.neobanque.state import current_state

api = Blueprint("neobanque_api", __name__, url_prefix="/api")

KNOWN_EMAILS = frozenset(scenario_email(name) for name in SCENARIOS)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _login(response: Response, email: str, scenario: str) -> Response:
    token = current_state().auth.open_session(email, scenario)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Lax")
    return response


def _session() -> Session | None:
    return current_state().auth.session(request.cookies.get(SESSION_COOKIE))


@api.before_request
def _site_wide_outage() -> Response | None:
    """A start-up scenario like maintenance hits every call, the login included."""
    scenario = current_state().forced_scenario
    return faults.outage(scenario) if scenario in SITE_WIDE_SCENARIOS else None


@api.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@api.post("/session")
def create_session() -> Response:
    state = current_state()
    body = _body()
    email = _text(body, "email").strip().lower()
    if email not in KNOWN_EMAILS or _text(body, "password") != DEMO_PASSWORD:
        return faults.error(401, "invalid_credentials")
    scenario = state.scenario_for(email)
    if scenario == "locked" or state.auth.is_locked(email):
        return faults.error(403, "account_locked")
    if scenario == "expired":
        return faults.error(403, "password_expired")
    if scenario == "secvalid":
        return faults.error(403, "security_validation_required")
    if scenario != "otp" and state.auth.is_trusted(request.cookies.get(TRUSTED_COOKIE), email):
        return _login(jsonify({"status": "ok"}), email, scenario)
    challenge = state.auth.issue_challenge(email, scenario)
    return jsonify(
        {"status": "otp_required", "challenge": challenge.id, "channel": "sms", "hint": OTP_HINT}
    )


@api.post("/session/otp")
def confirm_otp() -> Response:
    state = current_state()
    body = _body()
    result = state.auth.verify(_text(body, "challenge"), _text(body, "code"))
    if result.outcome is OtpOutcome.INVALID:
        return faults.error(401, "invalid_otp", attempts_left=result.attempts_left)
    if result.outcome is OtpOutcome.LOCKED:
        return faults.error(403, "account_locked")
    if result.outcome is not OtpOutcome.OK or result.challenge is None:
        return faults.error(401, result.outcome.value)
    email = result.challenge.email
    response = _login(jsonify({"status": "ok"}), email, result.challenge.scenario)
    response.set_cookie(TRUSTED_COOKIE, state.auth.trusted_token(email),
                        max_age=TRUSTED_MAX_AGE, httponly=True, samesite="Lax")
    return response


@api.delete("/session")
def delete_session() -> Response:
    """Log out; the device stays trusted, as on real banks."""
    current_state().auth.close_session(request.cookies.get(SESSION_COOKIE))
    response = jsonify({"status": "logged_out"})
    response.delete_cookie(SESSION_COOKIE)
    return response


@api.get("/me")
def me() -> Response:
    if _session() is None:
        return faults.error(401, "unauthenticated")
    return jsonify({"name": current_state().bank.customer_name})


@api.get("/accounts")
def accounts() -> Response:
    session = _session()
    if session is None:
        return faults.error(401, "unauthenticated")
    state = current_state()
    failure = faults.outage(session.scenario) or faults.delay(session.scenario, state)
    if failure is not None:
        return failure
    return jsonify([account_json(a) for a in state.bank.accounts])


@api.get("/accounts/<account_id>/transactions")
def transactions(account_id: str) -> Response:
    session = _session()
    if session is None:
        return faults.error(401, "unauthenticated")
    account = current_state().bank.account(account_id)
    if account is None:
        return faults.error(404, "not_found")
    failure = faults.broken_history(session.scenario, account.kind)
    if failure is not None:
        return failure
    try:
        limit = int(request.args.get("limit", DEFAULT_LIMIT))
    except ValueError:
        return faults.error(400, "invalid_limit")
    if not 1 <= limit <= MAX_LIMIT:
        return faults.error(400, "invalid_limit")
    cursor = request.args.get("cursor")
    offset = 0 if not cursor else decode_cursor(cursor, account.id)
    if offset is None:
        return faults.error(400, "invalid_cursor")
    return jsonify(page(account, offset, limit))
