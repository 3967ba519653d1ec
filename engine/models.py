"""The data a sync returns: accounts, transactions, holdings and the result envelope.

Amounts are ``Decimal`` (never float), currencies ISO 4217 codes, dates ``datetime.date``.
Models forbid unknown fields so a recipe cannot smuggle arbitrary data into the output, and
``SyncResult`` serializes to JSON for programs (``engine run --json``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from engine.errors import ErrorInfo


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    DEPOSIT = "deposit"
    CARD = "card"
    LOAN = "loan"
    MORTGAGE = "mortgage"
    CONSUMER_CREDIT = "consumer_credit"
    BROKERAGE = "brokerage"
    PEA = "pea"
    LIFE_INSURANCE = "life_insurance"
    PER = "per"
    UNKNOWN = "unknown"


INVESTMENT_TYPES = frozenset(
    {AccountType.BROKERAGE, AccountType.PEA, AccountType.LIFE_INSURANCE, AccountType.PER}
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(_Model):
    id: str
    label: str
    type: AccountType = AccountType.UNKNOWN
    balance: Decimal
    currency: str = "EUR"
    number_masked: str | None = None
    """Account number or IBAN with all but the last four characters hidden."""
    parent_id: str | None = None
    """For card accounts: the checking account they are debited from."""


class Transaction(_Model):
    id: str
    """Stable across syncs of the same data (see ``transaction_id``)."""
    account_id: str
    date: dt.date
    value_date: dt.date | None = None
    label: str
    raw_label: str
    amount: Decimal
    currency: str = "EUR"
    pending: bool = False


class Holding(_Model):
    account_id: str
    label: str
    code: str | None = None
    code_type: str | None = None
    """``isin`` when ``code`` is a valid ISIN."""
    quantity: Decimal
    unit_price: Decimal | None = None
    """Current price of one unit (cours)."""
    unit_value: Decimal | None = None
    """Average cost of one unit (prix de revient unitaire)."""
    valuation: Decimal
    currency: str = "EUR"


class AccountFailure(_Model):
    """One account whose pages failed while others succeeded (a partial result)."""

    account_id: str
    stage: str
    error: ErrorInfo


class SyncResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    accounts: list[Account] = Field(default_factory=list)
    transactions: list[Transaction] = Field(default_factory=list)
    holdings: list[Holding] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    account_failures: list[AccountFailure] = Field(default_factory=list)
    error: ErrorInfo | None = None
    session_state: str | None = Field(default=None, repr=False)
    """Opaque, encrypted trusted-device state to pass to the next sync (skips one-time codes)."""
    resume_state: str | None = Field(default=None, repr=False)
    """Opaque state to resume a sync stopped by ``challenge_required``, with the code."""
    drop_session_state: bool = False
    """The saved session state given to this sync led it astray: forget it (the engine
    already retried without it)."""

    @model_validator(mode="before")
    @classmethod
    def _derived_fields_are_not_input(cls, data: Any) -> Any:
        """``ok`` and ``partial`` are in the JSON for readers; reading it back ignores them."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("ok", "partial")}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """Everything came back."""
        return self.error is None and not self.account_failures

    @computed_field  # type: ignore[prop-decorator]
    @property
    def partial(self) -> bool:
        """Some data came back but not all of it (``account_failures`` or ``error`` say
        what is missing)."""
        return bool(self.account_failures) or (self.error is not None and bool(self.accounts))

    def transactions_of(self, account_id: str) -> list[Transaction]:
        return [t for t in self.transactions if t.account_id == account_id]

    def holdings_of(self, account_id: str) -> list[Holding]:
        return [h for h in self.holdings if h.account_id == account_id]


def transaction_id(
    institution: str, account_id: str, day: dt.date, amount: Decimal, raw_label: str,
    occurrence: int,
) -> str:
    """A stable id: same data, same id, on every sync.

    Banks rarely expose transaction ids on their pages, so the id hashes what identifies the
    row (as woob and most aggregators do). ``occurrence`` numbers identical rows of the same
    account, day, amount and label in page order, so two genuine identical purchases on one day
    stay two transactions instead of collapsing into one.
    """
    key = "|".join(
        (institution, account_id, day.isoformat(), format(amount.normalize(), "f"),
         " ".join(raw_label.split()).upper(), str(occurrence))
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]
