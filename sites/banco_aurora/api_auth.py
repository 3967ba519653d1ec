"""Login endpoints: password, then the app's approval or an e-mail code, then a bearer token.

``POST /v1/auth/login`` answers one of ``autenticado`` (token), ``aprovacao_pendente`` (poll
``GET /v1/auth/approval/<id>``) or ``codigo_email`` (``POST /v1/auth/codigo``), or an error.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from sites.banco_aurora import faults
from sites.banco_aurora.api_state import authenticate, bearer_token, current_state
from sites.banco_aurora.auth import APPROVING_SCENARIOS, ApprovalStatus, CodeOutcome, Session
from sites.banco_aurora.data import CUSTOMER, DEMO_PASSWORD, user_by_cpf

auth_api = Blueprint("aurora_auth", __name__, url_prefix="/v1/auth")

INVALID_CREDENTIALS = "CPF ou senha incorretos."
POLL_INTERVAL_SECONDS = 1


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _masked_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}•••••{local[-1]}@{domain}"


def token_answer(session: Session) -> dict[str, Any]:
    return {"status": "autenticado", "token": session.token, "tipo": "Bearer",
            "clienteId": session.customer_id,
            "expiraEmSegundos": current_state().auth.remaining(session)}


@auth_api.post("/login")
def login() -> Response:
    state, body = current_state(), _body()
    typed_cpf, device = _text(body, "cpf"), _text(body, "dispositivoId") or None
    if len("".join(c for c in typed_cpf if c.isdigit())) != 11:
        return faults.error(400, "cpf_invalido", "Informe um CPF válido.")
    user = user_by_cpf(typed_cpf)
    if user is None or _text(body, "senha") != DEMO_PASSWORD:
        return faults.error(401, "credenciais_invalidas", INVALID_CREDENTIALS)
    scenario = state.scenario_for(user.scenario)
    if scenario == "bloqueado":
        return faults.error(403, "conta_bloqueada", faults.LOCKED_MESSAGE)
    if scenario == "email" and not state.auth.is_trusted(user.cpf, device):
        masked = _masked_email(CUSTOMER.email)
        challenge = state.auth.start_email_code(user.cpf, scenario, device, masked)
        return jsonify({"status": "codigo_email", "desafioId": challenge.id, "destino": masked,
                        "digitos": 6, "expiraEmSegundos": 600})
    if scenario in APPROVING_SCENARIOS and not state.auth.is_trusted(user.cpf, device):
        approval = state.auth.start_approval(user.cpf, scenario, device)
        return jsonify({"status": "aprovacao_pendente", "aprovacaoId": approval.id,
                        "dispositivo": CUSTOMER.phone_device,
                        "expiraEmSegundos": round(state.auth.approval_ttl),
                        "intervaloSegundos": POLL_INTERVAL_SECONDS})
    return jsonify(token_answer(state.auth.open_session(user.cpf, scenario)))


@auth_api.get("/approval/<approval_id>")
def approval(approval_id: str) -> Response:
    """Polled by the page: ``pendente`` until the customer answers in the app or time is up."""
    status, session, left = current_state().auth.poll_approval(approval_id)
    if status is ApprovalStatus.UNKNOWN:
        return faults.error(404, "aprovacao_inexistente", "Solicitação não encontrada.")
    if status is ApprovalStatus.APPROVED and session is not None:
        return jsonify(token_answer(session) | {"status": status.value})
    body: dict[str, Any] = {"status": status.value}
    if status is ApprovalStatus.PENDING:
        body["expiraEmSegundos"] = left
    return jsonify(body)


@auth_api.post("/codigo")
def email_code() -> Response:
    body = _body()
    outcome, attempts_left, session = current_state().auth.verify_email_code(
        _text(body, "desafioId"), _text(body, "codigo"))
    if outcome is CodeOutcome.OK and session is not None:
        return jsonify(token_answer(session))
    if outcome is CodeOutcome.INVALID:
        return faults.error(401, outcome.value, "Código inválido.",
                            tentativasRestantes=attempts_left)
    if outcome is CodeOutcome.BLOCKED:
        return faults.error(403, outcome.value, "Código bloqueado após 3 tentativas.")
    return faults.error(401, outcome.value, "Código expirado. Entre novamente.")


@auth_api.post("/logout")
def logout() -> Response:
    session = authenticate()
    if isinstance(session, Response):
        return session
    current_state().auth.revoke(bearer_token() or "")
    return Response(status=204)
