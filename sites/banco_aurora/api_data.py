"""Data endpoints: session, terms, customer, accounts, movements, positions and the Pix section.

Everything customer-specific lives under ``/v1/clientes/<clienteId>/…``, so a client needs
the customer id the login returned (the web app keeps it in ``sessionStorage``) as well as the
bearer token; lists are paginated by an opaque ``proximoCursor``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request

from sites.banco_aurora import faults
from sites.banco_aurora.api_state import authenticate, authorize_data, current_state
from sites.banco_aurora.auth import Session
from sites.banco_aurora.data import CUSTOMER, TERMS_VERSION
from sites.banco_aurora.documents import mask_cpf
from sites.banco_aurora.models import Account
from sites.banco_aurora.serialize import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    PIX_DEFAULT_LIMIT,
    account_json,
    decode_cursor,
    encode_cursor,
    holding_json,
    movement_json,
    parse_day,
    pix_json,
)

data_api = Blueprint("aurora_data", __name__, url_prefix="/v1")

T = TypeVar("T")

TERMS = {"versao": TERMS_VERSION, "titulo": "Termos e Condições Gerais de Uso",
         "vigencia": "2026-12-01",
         "resumo": ("Atualizamos os Termos e Condições Gerais de Uso e a Política de "
                    "Privacidade: novas regras para o Pix Automático e para o "
                    "compartilhamento de dados no Open Finance.")}


def _profile(session: Session) -> dict[str, Any]:
    return {"clienteId": session.customer_id, "nome": CUSTOMER.name,
            "primeiroNome": CUSTOMER.first_name, "cpf": session.cpf,
            "cpfMascarado": mask_cpf(session.cpf), "email": CUSTOMER.email}


def _account(account_id: str) -> Account | Response:
    account = current_state().bank.account(account_id)
    if account is None:
        return faults.error(404, "conta_inexistente", "Conta não encontrada.")
    return account


def _page(items: Sequence[T], resource: str,
          default_limit: int) -> tuple[Sequence[T], str | None] | Response:
    """One page of ``items`` (already filtered by the cursor's dates) and the next cursor."""
    try:
        limit = int(request.args.get("limite", default_limit))
    except ValueError:
        return faults.error(400, "limite_invalido", f"limite deve estar entre 1 e {MAX_LIMIT}.")
    if not 1 <= limit <= MAX_LIMIT:
        return faults.error(400, "limite_invalido", f"limite deve estar entre 1 e {MAX_LIMIT}.")
    offset = _offset(resource)
    if offset is None:
        return faults.error(400, "cursor_invalido", "Cursor inválido.")
    chunk = items[offset:offset + limit]
    end = offset + len(chunk)
    since, until = _date_filters(resource)
    return chunk, (encode_cursor(resource, end, since, until) if end < len(items) else None)


def _offset(resource: str) -> int | None:
    cursor = request.args.get("cursor")
    if not cursor:
        return 0
    decoded = decode_cursor(cursor, resource)
    return None if decoded is None else decoded[0]


def _date_filters(resource: str) -> tuple[str | None, str | None]:
    """``dataInicio``/``dataFim`` of the first request; later pages take them from the cursor."""
    cursor = request.args.get("cursor")
    if cursor:
        decoded = decode_cursor(cursor, resource)
        if decoded is not None:
            return decoded[1], decoded[2]
    return request.args.get("dataInicio") or None, request.args.get("dataFim") or None


@data_api.get("/sessao")
def session_info() -> Response:
    session = authorize_data()
    return session if isinstance(session, Response) else jsonify(_profile(session))


@data_api.get("/termos/pendentes")
def pending_terms() -> Response:
    """Not guarded by the terms themselves: it is how the app learns it must show them."""
    session = authenticate()
    if isinstance(session, Response):
        return session
    pending = current_state().auth.terms_pending(session)
    return jsonify({"pendentes": [TERMS] if pending else []})


@data_api.post("/termos/aceite")
def accept_terms() -> Response:
    session = authenticate()
    if isinstance(session, Response):
        return session
    body = request.get_json(silent=True)
    version = body.get("versao") if isinstance(body, dict) else None
    if not current_state().auth.accept_terms(session, str(version)):
        return faults.error(400, "versao_invalida", "Versão dos termos inválida.")
    return jsonify({"aceito": True, "versao": TERMS_VERSION})


@data_api.get("/clientes/<customer>")
def customer(customer: str) -> Response:
    session = authorize_data(customer)
    return session if isinstance(session, Response) else jsonify(_profile(session))


@data_api.get("/clientes/<customer>/contas")
def accounts(customer: str) -> Response:
    session = authorize_data(customer)
    if isinstance(session, Response):
        return session
    return jsonify({"contas": [account_json(a) for a in current_state().bank.accounts]})


@data_api.get("/clientes/<customer>/contas/<account_id>")
def account(customer: str, account_id: str) -> Response:
    session = authorize_data(customer)
    if isinstance(session, Response):
        return session
    found = _account(account_id)
    return found if isinstance(found, Response) else jsonify(account_json(found))


@data_api.get("/clientes/<customer>/contas/<account_id>/movimentacoes")
def movements(customer: str, account_id: str) -> Response:
    """Newest first, ``limite`` per page, optional ``dataInicio``/``dataFim`` (local dates)."""
    session = authorize_data(customer)
    if isinstance(session, Response):
        return session
    found = _account(account_id)
    if isinstance(found, Response):
        return found
    failure = faults.history_failure(session.scenario, found.kind)
    if failure is not None:
        return failure
    since_text, until_text = _date_filters(found.id)
    try:
        since, until = parse_day(since_text), parse_day(until_text)
    except ValueError:
        return faults.error(400, "data_invalida", "Datas no formato AAAA-MM-DD.")
    items = [m for m in found.movements if (since is None or m.local_date >= since)
             and (until is None or m.local_date <= until)]
    page = _page(items, found.id, DEFAULT_LIMIT)
    if isinstance(page, Response):
        return page
    chunk, next_cursor = page
    return jsonify({"itens": [movement_json(m) for m in chunk], "proximoCursor": next_cursor})


@data_api.get("/clientes/<customer>/contas/<account_id>/posicoes")
def positions(customer: str, account_id: str) -> Response:
    session = authorize_data(customer)
    if isinstance(session, Response):
        return session
    found = _account(account_id)
    if isinstance(found, Response):
        return found
    if found.api_type != "INVESTIMENTOS":
        return faults.error(404, "sem_posicoes", "Esta conta não tem investimentos.")
    return jsonify({"contaId": found.id, "saldoCentavos": found.balance_cents,
                    "posicoes": [holding_json(h) for h in found.holdings], "moeda": "BRL"})


@data_api.get("/clientes/<customer>/pix/transferencias")
def pix_transfers(customer: str) -> Response:
    """The Pix section: every Pix the customer sent or received, newest first."""
    session = authorize_data(customer)
    if isinstance(session, Response):
        return session
    resource = f"pix:{session.customer_id}"
    page = _page(current_state().bank.pix_transfers, resource, PIX_DEFAULT_LIMIT)
    if isinstance(page, Response):
        return page
    chunk, next_cursor = page
    return jsonify({"transferencias": [pix_json(p, session.cpf) for p in chunk],
                    "proximoCursor": next_cursor})
