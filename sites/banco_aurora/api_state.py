"""The API's per-app state and the bearer-token guard every data endpoint goes through.

One object per ``create_api_app`` call (not module globals), so tests can run several Banco
Aurora instances side by side, each with its own sessions, scenario and clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Response, current_app, request

from sites.banco_aurora import faults
from sites.banco_aurora.auth import AuthStore, Session
from sites.banco_aurora.models import Bank

EXTENSION_KEY = "banco_aurora_api"


@dataclass
class ApiState:
    bank: Bank
    auth: AuthStore
    forced_scenario: str | None
    """The ``scenario=`` given at start-up; overrides the one chosen by the login CPF."""

    def scenario_for(self, chosen_by_login: str) -> str:
        return self.forced_scenario or chosen_by_login


def install(app: Flask, state: ApiState) -> None:
    app.extensions[EXTENSION_KEY] = state


def current_state() -> ApiState:
    state = current_app.extensions[EXTENSION_KEY]
    assert isinstance(state, ApiState)
    return state


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def authenticate() -> Session | Response:
    """The caller's live session, or the 401 to answer (missing, unknown or expired token)."""
    state = current_state()
    session = state.auth.session(bearer_token())
    if session is None:
        return faults.unauthenticated(expired=False)
    if state.auth.is_expired(session):
        return faults.unauthenticated(expired=True)
    return session


def authorize_data(customer: str | None = None) -> Session | Response:
    """``authenticate`` plus what guards customer data: ownership, outages, pending terms."""
    session = authenticate()
    if isinstance(session, Response):
        return session
    if customer is not None and customer != session.customer_id:
        return faults.error(403, "acesso_negado", "Este recurso não pertence ao cliente.")
    outage = faults.data_outage(session.scenario)
    if outage is not None:
        return outage
    if current_state().auth.terms_pending(session):
        return faults.error(403, "termos_pendentes", "Aceite os novos termos para continuar.")
    return session
