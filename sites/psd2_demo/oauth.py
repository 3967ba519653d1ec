"""The authorization server: ``/oauth/authorize`` (simulated PSU approval) and ``/oauth/token``.

A real bank sends the PSU to its own login and SCA pages here; nobody can type a password into
this demo, so ``/oauth/authorize`` approves at once and redirects with a code. What stays real
is everything the client does: client authentication, exact redirect-URI matching, one-shot
codes, and rotating refresh tokens, since that is where aggregator clients get things wrong.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from .data import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI
from .errors import oauth_error
from .state import Consent, DemoState

blueprint = Blueprint("psd2_oauth", __name__)


def _state() -> DemoState:
    state: DemoState = current_app.extensions["psd2_demo"]
    return state


def _client_credentials() -> tuple[str | None, str | None, bool]:
    """(client_id, secret, via_basic): HTTP Basic first, then the form fields."""
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return auth.username, auth.password, True
    return request.form.get("client_id"), request.form.get("client_secret"), False


def _invalid_client(via_basic: bool, text: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="psd2-demo"'} if via_basic else None
    return oauth_error(401, "invalid_client", text, headers)


def _token_response(consent: Consent | None, origin: str) -> Response:
    state = _state()
    token, refresh = state.issue_token(CLIENT_ID, origin, consent)
    body: dict[str, Any] = {
        "access_token": token.value,
        "token_type": "Bearer",
        "expires_in": state.token_ttl,
    }
    if consent is not None and refresh is not None:
        body["refresh_token"] = refresh.value
        body["scope"] = f"AIS:{consent.consent_id}"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@blueprint.post("/oauth/token")
def token() -> Response:
    """Issue tokens for the three grants; the client must authenticate for every one."""
    state = _state()
    client_id, secret, via_basic = _client_credentials()
    if not client_id or not secret:
        return _invalid_client(via_basic, "Client authentication is required.")
    if client_id != CLIENT_ID or secret != CLIENT_SECRET:
        return _invalid_client(via_basic, "Unknown client or wrong secret.")
    if state.forced_scenario == "bad-client":
        return _invalid_client(via_basic, "This client has been revoked by the ASPSP.")

    grant = request.form.get("grant_type")
    if grant == "client_credentials":
        return _token_response(None, grant)
    if grant == "authorization_code":
        code, redirect_uri = request.form.get("code"), request.form.get("redirect_uri")
        if not code or not redirect_uri:
            return oauth_error(400, "invalid_request", "code and redirect_uri are required.")
        consent = state.redeem_code(code, client_id=client_id, redirect_uri=redirect_uri)
        if consent is None:
            return oauth_error(400, "invalid_grant", "Unknown, used or mismatched code.")
        return _granted(state, consent, grant, via_basic)
    if grant == "refresh_token":
        value = request.form.get("refresh_token")
        if not value:
            return oauth_error(400, "invalid_request", "refresh_token is required.")
        consent = state.rotate_refresh(value, client_id=client_id)
        if consent is None:
            return oauth_error(400, "invalid_grant", "Unknown or already used refresh token.")
        return _granted(state, consent, grant, via_basic)
    return oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported.")


def _granted(state: DemoState, consent: Consent, grant: str, via_basic: bool) -> Response:
    """User tokens for ``consent``, unless the PSU's scenario revokes the client."""
    if state.scenario_of(consent) == "bad-client":
        return _invalid_client(via_basic, "This client has been revoked by the ASPSP.")
    return _token_response(consent, grant)


@blueprint.get("/oauth/authorize")
def authorize() -> Response:
    """Simulate the PSU's approval: validate the request, then redirect with a code at once.

    Errors answer 400 rather than redirecting, because the redirect URI itself may be the
    thing that is wrong and must never receive a code it does not own.
    """
    state = _state()
    args = request.args
    if args.get("response_type") != "code":
        return oauth_error(400, "unsupported_response_type", "response_type must be code.")
    if args.get("client_id") != CLIENT_ID:
        return oauth_error(400, "invalid_request", "Unknown client_id.")
    redirect_uri = args.get("redirect_uri")
    if redirect_uri != REDIRECT_URI:
        return oauth_error(400, "invalid_request", "redirect_uri is not registered.")
    consent = state.consent(args.get("consent_id"))
    if consent is None or consent.client_id != CLIENT_ID:
        return oauth_error(400, "invalid_request", "Unknown consent_id.")
    if consent.status != "received":
        return oauth_error(400, "invalid_request",
                           f"Consent is {consent.status}; create a new one.")
    code = state.authorize(consent, psu_id=args.get("psu_id"), redirect_uri=redirect_uri)
    params = {"code": code}
    if "state" in args:
        params["state"] = args["state"]
    response = Response(status=302)
    response.headers["Location"] = f"{redirect_uri}?{urlencode(params)}"
    return response
