"""JSON shapes of NeoBanque's API and its opaque pagination cursors.

Amounts travel as strings ("-45.90") like on real bank APIs, so no float ever touches money;
cursors are opaque tokens so a scraper has to follow ``next_cursor`` rather than guess offsets.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sites.neobanque.data import Account, Transaction

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def money(amount: Any) -> str:
    return f"{amount:.2f}"


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "kind": account.kind,
        "iban": account.iban,
        "balance": {"amount": money(account.balance), "currency": account.currency},
    }


def transaction_json(tx: Transaction, currency: str) -> dict[str, Any]:
    return {
        "id": tx.id,
        "date": tx.date.isoformat(),
        "label": tx.label,
        "amount": money(tx.amount),
        "currency": currency,
    }


def encode_cursor(account_id: str, offset: int) -> str:
    raw = f"{account_id}:{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, account_id: str) -> int | None:
    """The offset a cursor stands for, or None if it is malformed or for another account."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        owner, _, offset = raw.rpartition(":")
        value = int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return value if owner == account_id and value >= 0 else None


def page(account: Account, offset: int, limit: int) -> dict[str, Any]:
    """One page of an account's history, newest first, with the cursor of the next one."""
    items = account.transactions[offset : offset + limit]
    end = offset + len(items)
    return {
        "items": [transaction_json(t, account.currency) for t in items],
        "next_cursor": encode_cursor(account.id, end) if end < len(account.transactions) else None,
    }
