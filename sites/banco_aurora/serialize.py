"""The JSON shapes of Banco Aurora's API and its opaque pagination cursors.

Money is integer cents (``saldoCentavos``, ``valorCentavos``), never a float and never signed
in a movement: the sign comes from ``origem``/``destino`` relative to the account being read
(and, in the Pix section, from whether the customer is ``pagador`` or ``recebedor``). A card's
``saldoCentavos`` is its open invoice, positive, as the app shows it ("Fatura atual") — money
owed, which an aggregator books as a negative balance. Movements carry Brasília instants with
their offset (``-03:00``); the Pix section, like the Banco Central's Pix API, carries UTC
(``…Z``) with milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from sites.banco_aurora.documents import mask_cpf
from sites.banco_aurora.models import CURRENCY, Account, Holding, Movement, Party, PixTransfer

DEFAULT_LIMIT = 25
PIX_DEFAULT_LIMIT = 20
MAX_LIMIT = 50


def account_json(account: Account) -> dict[str, Any]:
    body: dict[str, Any] = {"id": account.id, "tipo": account.api_type, "nome": account.name}
    if account.invoice is None:
        branch, _, number = account.number.partition(" / ")
        body |= {"agencia": branch, "numero": number, "saldoCentavos": account.balance_cents}
    else:
        invoice, owed = account.invoice, -account.balance_cents
        body |= {
            "final": invoice.last_digits,
            "saldoCentavos": owed,
            "fatura": {"status": "ABERTA", "valorCentavos": owed,
                       "fechamento": invoice.closing.isoformat(),
                       "vencimento": invoice.due.isoformat()},
            "limiteCentavos": invoice.limit_cents,
            "limiteDisponivelCentavos": invoice.limit_cents - owed,
        }
    body["moeda"] = CURRENCY
    return body


def party_json(party: Party, customer_cpf: str) -> dict[str, Any]:
    """A Pix side: CPFs masked as on receipts (the customer's as well), CNPJs in full."""
    document = customer_cpf if party.is_customer else party.document
    key = party.document_kind
    return {"nome": party.name,
            key: mask_cpf(document) if key == "cpf" else document,
            "instituicao": party.institution, "ispb": party.ispb}


def movement_json(movement: Movement) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": movement.id,
        "dataHora": movement.at.isoformat(timespec="seconds"),
        "descricao": movement.description,
        "tipo": movement.kind,
        "valorCentavos": movement.cents,
        "moeda": CURRENCY,
        "origem": movement.origin,
        "destino": movement.destination,
    }
    party = movement.counterparty
    if party is not None:
        document = mask_cpf(party.document) if party.document_kind == "cpf" else party.document
        body["contraparte"] = {"nome": party.name, "documento": document,
                               "instituicao": party.institution}
    if movement.pix_id:
        body["endToEndId"] = movement.pix_id
    return body


def holding_json(holding: Holding) -> dict[str, Any]:
    return {
        "id": holding.id,
        "produto": holding.product,
        "tipo": holding.kind,
        "isin": holding.isin,
        "codigoNegociacao": holding.ticker,
        "quantidade": str(holding.quantity),
        "precoUnitarioCentavos": holding.unit_price_cents,
        "precoMedioCentavos": holding.average_price_cents,
        "valorBrutoCentavos": holding.valuation_cents,
        "vencimento": holding.maturity.isoformat() if holding.maturity else None,
        "moeda": CURRENCY,
    }


def utc_instant(moment: dt.datetime) -> str:
    """``2026-11-20T02:30:00.000Z``: the Pix API's RFC 3339 UTC form, with milliseconds."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def pix_json(pix: PixTransfer, customer_cpf: str) -> dict[str, Any]:
    return {
        "endToEndId": pix.end_to_end_id,
        "horario": utc_instant(pix.at),
        "valorCentavos": pix.cents,
        "moeda": CURRENCY,
        "pagador": party_json(pix.payer, customer_cpf),
        "recebedor": party_json(pix.payee, customer_cpf),
        "infoPagador": pix.message,
    }


# -- cursors ---------------------------------------------------------------------------------
def encode_cursor(resource: str, offset: int, since: str | None, until: str | None) -> str:
    """An opaque token for the next page; it carries the date filters of the first request."""
    raw = json.dumps({"r": resource, "o": offset, "i": since, "f": until}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, resource: str) -> tuple[int, str | None, str | None] | None:
    """(offset, since, until) of a cursor, or None when it is malformed or for another list."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, since, until = int(data["o"]), data["i"], data["f"]
        owner = data["r"]
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None
    if owner != resource or offset < 0:
        return None
    return offset, since, until


def parse_day(value: str | None) -> dt.date | None:
    """An ISO date query parameter (``2026-11-01``); raises ValueError when malformed."""
    return None if value in (None, "") else dt.date.fromisoformat(str(value))
