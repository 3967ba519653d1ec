"""The API's failure answers, as a Brazilian bank's API gives them, in one auditable place.

They are answers of the *API* (the JSON background requests), not pages: the web app draws
its own message afterwards, so an engine can classify a failure from the response it saw
(status, ``erro`` code, ``Retry-After``) without reading Portuguese prose.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

MAINTENANCE_RETRY_AFTER = 1800
RATE_LIMIT_RETRY_AFTER = 60
MAINTENANCE_MESSAGE = ("O Banco Aurora está em manutenção programada. Voltamos às 06h00 "
                       "(horário de Brasília).")
LOCKED_MESSAGE = ("Por segurança, seu acesso foi bloqueado. Ligue para a Central Aurora: "
                  "0800 725 2026.")


def error(status: int, code: str, message: str | None = None, **extra: Any) -> Response:
    """The one error shape: ``{"erro": code, "mensagem": text, ...}``."""
    body: dict[str, Any] = {"erro": code}
    if message is not None:
        body["mensagem"] = message
    response = jsonify(body | extra)
    response.status_code = status
    return response


def unauthenticated(expired: bool) -> Response:
    """401 with RFC 6750's ``WWW-Authenticate`` (``invalid_token`` when it has expired)."""
    if expired:
        response = error(401, "token_expirado", "Sua sessão expirou. Entre novamente.")
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="aurora", error="invalid_token", error_description="token expirado"')
    else:
        response = error(401, "nao_autenticado", "Autenticação necessária.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="aurora"'
    return response


def maintenance() -> Response:
    response = error(503, "manutencao", MAINTENANCE_MESSAGE)
    response.headers["Retry-After"] = str(MAINTENANCE_RETRY_AFTER)
    return response


def rate_limited() -> Response:
    response = error(429, "limite_de_requisicoes",
                     "Muitas requisições em pouco tempo. Aguarde um minuto.")
    response.headers["Retry-After"] = str(RATE_LIMIT_RETRY_AFTER)
    return response


def data_outage(scenario: str) -> Response | None:
    """What every data call answers in an outage scenario (the login itself still works)."""
    if scenario == "manutencao":
        return maintenance()
    if scenario == "limite":
        return rate_limited()
    return None


def history_failure(scenario: str, account_kind: str) -> Response | None:
    """'falha-extrato': only the savings account's movements fail, to test partial results."""
    if scenario == "falha-extrato" and account_kind == "savings":
        return error(500, "erro_interno", "Não foi possível concluir a operação.",
                     codigo="AUR-5031")
    return None
