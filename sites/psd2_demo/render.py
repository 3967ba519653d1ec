"""JSON shapes of accounts, balances and transactions, including the schema-change variant.

Rendering is separate from routing so the two transaction shapes sit side by side: the
Berlin Group one a client is written against, and the renamed one (``amount``, ``bookedAt``)
that the ``schema-change`` scenario serves to show what a silent API version bump looks like.
Amounts are strings with two decimals, as Berlin Group mandates, so no float ever rounds them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from .data import Account, Bank, Transaction

PAGE_SIZE = 50


def amount_json(amount: Decimal, currency: str) -> dict[str, str]:
    return {"currency": currency, "amount": f"{amount:.2f}"}


def account_json(account: Account) -> dict[str, Any]:
    base = f"/v1/accounts/{account.resource_id}"
    return {
        "resourceId": account.resource_id,
        "iban": account.iban,
        "currency": account.currency,
        "name": account.name,
        "product": account.product,
        "cashAccountType": account.cash_account_type,
        "_links": {
            "balances": {"href": f"{base}/balances"},
            "transactions": {"href": f"{base}/transactions"},
        },
    }


def balances_json(bank: Bank, account: Account) -> dict[str, Any]:
    return {
        "account": {"iban": account.iban},
        "balances": [
            {
                "balanceAmount": amount_json(value, account.currency),
                "balanceType": kind,
                "referenceDate": bank.reference_date.isoformat(),
            }
            for kind, value in account.balances.items()
        ],
    }


def transaction_json(tx: Transaction, *, schema_change: bool = False) -> dict[str, Any]:
    """One transaction; counterparty names only when known, as in real Berlin Group payloads."""
    amount_key, booking_key = ("amount", "bookedAt") if schema_change else (
        "transactionAmount", "bookingDate")
    body: dict[str, Any] = {
        "transactionId": tx.transaction_id,
        booking_key: tx.booking_date.isoformat(),
        "valueDate": tx.value_date.isoformat(),
        amount_key: amount_json(tx.amount, tx.currency),
    }
    if tx.creditor_name:
        body["creditorName"] = tx.creditor_name
    if tx.debtor_name:
        body["debtorName"] = tx.debtor_name
    body["remittanceInformationUnstructured"] = tx.remittance
    return body


def transactions_json(
    account: Account,
    booked: list[Transaction],
    pending: list[Transaction] | None,
    *,
    page: int,
    query: dict[str, str],
    schema_change: bool,
) -> dict[str, Any]:
    """One page of ``booked`` (already filtered) plus ``pending`` on page 1 only.

    ``query`` holds the filters to carry into the ``next`` link so page 2 is the same listing.
    """
    base = f"/v1/accounts/{account.resource_id}"
    window = booked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    links: dict[str, Any] = {"account": {"href": base}}
    if page * PAGE_SIZE < len(booked):
        links["next"] = {"href": f"{base}/transactions?{urlencode({**query, 'page': page + 1})}"}
    listing: dict[str, Any] = {
        "booked": [transaction_json(t, schema_change=schema_change) for t in window],
    }
    if pending is not None:
        listing["pending"] = (
            [transaction_json(t, schema_change=schema_change) for t in pending]
            if page == 1 else []
        )
    listing["_links"] = links
    return {"account": {"iban": account.iban}, "transactions": listing}
