"""The checks every ``/v1/`` call goes through, in the order a real ASPSP gateway applies them.

Order matters to clients because it decides which error they see when several things are
wrong: a gateway outage or throttle forced at start-up answers before credentials are read;
then the bearer token (TOKEN_INVALID / TOKEN_EXPIRED); then, for account data, the Consent-ID
(CONSENT_UNKNOWN); then the PSU's own scenario faults; and only then the consent's validity.
Each guard returns either the context the view needs or the error response to send.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, request

from .errors import forced_fault, scenario_fault, token_expired, token_invalid, tpp_error
from .state import AccessToken, Consent, DemoState


@dataclass
class AisContext:
    """What an account-data view needs once the request has passed every guard."""

    state: DemoState
    token: AccessToken
    consent: Consent
    scenario: str


def current_state() -> DemoState:
    state: DemoState = current_app.extensions["psd2_demo"]
    return state


def bearer_token(state: DemoState) -> AccessToken | Response:
    """The caller's live access token, or the 401 explaining why it is not acceptable."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return token_invalid("A Bearer access token is required.")
    token = state.token(value.strip())
    if token is None:
        return token_invalid("The access token is not known.")
    if state.token_expired(token):
        return token_expired()
    return token


def client_call() -> tuple[DemoState, AccessToken] | Response:
    """Guard for consent management: any valid token of the client will do."""
    state = current_state()
    fault = forced_fault(state)
    if fault is not None:
        return fault
    token = bearer_token(state)
    if isinstance(token, Response):
        return token
    return state, token


def ais_call(*, listing_accounts: bool = False) -> AisContext | Response:
    """Guard for account data: a user token bound to the valid consent named by Consent-ID.

    ``listing_accounts`` marks ``GET /v1/accounts``, the call the expired-token and slow
    scenarios act on, since it is the first data call every client makes.
    """
    state = current_state()
    fault = forced_fault(state)
    if fault is not None:
        return fault
    token = bearer_token(state)
    if isinstance(token, Response):
        return token
    if token.consent_id is None:
        return token_invalid("This token carries no AIS consent; use the authorization code.")
    consent = state.consent(request.headers.get("Consent-ID"))
    if consent is None:
        return tpp_error(400, "CONSENT_UNKNOWN", "The Consent-ID header is missing or unknown.")
    if consent.consent_id != token.consent_id:
        return tpp_error(401, "CONSENT_INVALID", "The token was not granted for this consent.")
    scenario = state.scenario_of(consent)
    fault = scenario_fault(scenario)
    if fault is not None:
        return fault
    if scenario == "expired-token" and listing_accounts and token.origin == "authorization_code":
        state.expire_token(token)
        return token_expired()
    status = state.consent_status(consent)
    if status == "expired":
        return tpp_error(401, "CONSENT_EXPIRED",
                         "The consent has expired; the PSU must authorize a new one.")
    if status != "valid":
        return tpp_error(401, "CONSENT_INVALID", f"The consent is {status}, not valid.")
    if scenario == "slow" and listing_accounts:
        state.release.wait(state.slow_seconds)
    return AisContext(state, token, consent, scenario)
