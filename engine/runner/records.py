"""Extracted records → the output models (accounts, transactions, holdings), and the sanity
invariants the field relies on (woob's standard checks), as warnings."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from engine.errors import PER_ACCOUNT_KINDS, RecipeBroken, SyncError
from engine.extraction.transforms import is_valid_isin
from engine.models import (
    Account,
    AccountFailure,
    AccountType,
    Holding,
    SyncResult,
    Transaction,
    transaction_id,
)
from engine.runner.context import SyncContext

Record = dict[str, Any]
BEYOND_ONE_ACCOUNT = frozenset({"browser_crashed", "session_expired"})
"""Reasons of per-account kinds that still concern every account: the browser is gone, or
the institution ended the session (every later call would be refused the same way)."""
_TRUE = {"true", "yes", "1", "y", "oui", "sim", "ja", "si", "sí", "da", "tak"}
_FALSE = {"false", "no", "0", "n", "non", "não", "nao", "nein", "ne", "nie", ""}


def account_of(ctx: SyncContext, record: Record) -> Account:
    raw_type = record.get("type")
    try:
        account_type = AccountType(raw_type) if raw_type else AccountType.UNKNOWN
    except ValueError:
        ctx.warnings.append(f"account {record.get('id')}: unknown type {raw_type!r}")
        account_type = AccountType.UNKNOWN
    record["type"] = account_type.value
    account: Account = build(Account, "accounts", {
        "id": record["id"], "label": record["label"], "type": account_type,
        "balance": record["balance"],
        "currency": record.get("currency") or ctx.recipe.institution.currency,
        "number_masked": record.get("number_masked"), "parent_id": record.get("parent_id"),
    })
    return account


def transactions_of(ctx: SyncContext, account: Account,
                    rows: list[Record]) -> list[Transaction]:
    since = ctx.options.since
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for row in rows:
        day = row.get("date")
        if since is not None and isinstance(day, date) and day < since:
            continue
        raw_label = str(row.get("raw_label") or row.get("label") or "")
        amount = row.get("amount")
        key = (str(day), str(amount), raw_label)
        occurrence = seen[key]
        seen[key] += 1
        tid = (str(row["id"]) if row.get("id") else
               transaction_id(ctx.recipe.institution.id, account.id, day, amount, raw_label,
                              occurrence)) if isinstance(day, date) and isinstance(
                                  amount, Decimal) else ""
        out.append(build(Transaction, "transactions", {
            "id": tid, "account_id": account.id, "date": day,
            "value_date": row.get("value_date"), "label": row.get("label") or raw_label,
            "raw_label": raw_label, "amount": amount,
            "currency": row.get("currency") or account.currency,
            "pending": as_bool(row.get("pending"), "pending"),
        }))
    return out


def holdings_of(ctx: SyncContext, account: Account, rows: list[Record]) -> list[Holding]:
    out = []
    for row in rows:
        code = row.get("code")
        valid = bool(code) and is_valid_isin(str(code))
        if code and not valid:
            ctx.warnings.append(f"holding {row.get('label')!r}: {code!r} is not a valid ISIN")
        out.append(build(Holding, "holdings", {
            "account_id": account.id, "label": row.get("label"), "code": code,
            "code_type": "isin" if valid else None, "quantity": row.get("quantity"),
            "unit_price": row.get("unit_price"), "unit_value": row.get("unit_value"),
            "valuation": row.get("valuation"),
            "currency": row.get("currency") or account.currency,
        }))
    return out


def as_bool(value: Any, field: str) -> bool:
    """A flag read from a page: "false" is False (``bool("false")`` would be True)."""
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RecipeBroken(f"field '{field}' is {str(value)[:40]!r}, not a yes/no value",
                       reason="field_invalid", step="transactions", details={"field": field})


def build(model: Any, step: str, data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise RecipeBroken(f"extracted {step} record is invalid: {field}: {first['msg']}",
                           reason="field_invalid", step=step, details={"field": field}) \
            from None


def record_account_failure(exc: SyncError, account_id: str, stage: str,
                           result: SyncResult) -> None:
    """One account's failure joins the result; anything beyond that account (credentials,
    blocking, a crashed browser, a session that expired) stops the whole sync."""
    if exc.kind not in PER_ACCOUNT_KINDS or exc.reason in BEYOND_ONE_ACCOUNT:
        raise exc
    exc.account_id = account_id
    result.account_failures.append(
        AccountFailure(account_id=account_id, stage=stage, error=exc.info()))


def sanity_warnings(ctx: SyncContext, result: SyncResult) -> None:
    for account in result.accounts:
        holdings = result.holdings_of(account.id)
        if holdings:
            total = sum((h.valuation for h in holdings), Decimal(0))
            if abs(total - account.balance) > Decimal("0.01"):
                ctx.warnings.append(f"account {account.id}: holdings sum to {total}, balance is "
                                    f"{account.balance}")
        if account.type in (AccountType.LOAN, AccountType.MORTGAGE) and account.balance > 0:
            ctx.warnings.append(f"account {account.id}: loan with a positive balance")
        if account.parent_id and not any(a.id == account.parent_id for a in result.accounts):
            ctx.warnings.append(f"account {account.id}: parent account {account.parent_id} "
                                "is not among the accounts")
