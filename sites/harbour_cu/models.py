"""The shape of Harbour Credit Union's data: frozen dataclasses, no Flask, no formatting.

Amounts are signed ``Decimal`` in AUD from the member's point of view (money out is negative,
a credit card balance owed is negative), whatever sign convention a page or a download uses to
show them; tests compute the exact values a sync must return from these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

DEPOSIT_TYPES = ("Withdrawal", "Deposit", "Transfer in", "Transfer out")
"""The "Type" column of a deposit account's history (amounts there are unsigned)."""


@dataclass(frozen=True)
class Foreign:
    """The original amount of a transaction made in another currency.

    ``rate`` is AUD per unit of ``currency`` (the OFX ``CURRATE`` convention: the statement
    amount is ``amount × rate`` rounded to the cent).
    """

    currency: str
    amount: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Transaction:
    """One line of an account's history.

    ``type_label`` is the bank's own word (``Withdrawal``, ``Transfer in``... on deposit
    accounts; ``Purchase``, ``Payment``, ``Refund``, ``Fee`` on cards; ``Buy`` on the trading
    account); ``channel`` is how it happened (``pos``, ``atm``, ``bpay``, ``osko``...), which the
    downloads map to OFX ``TRNTYPE`` and ISO 20022 bank transaction codes. ``balance`` is the
    account balance just after this line (``None`` for pending lines).
    """

    date: date
    description: str
    amount: Decimal
    type_label: str
    channel: str
    reference: str
    balance: Decimal | None
    foreign: Foreign | None = None
    pending: bool = False


@dataclass(frozen=True)
class Holding:
    """A share-trading position: ``avg_price`` is the average purchase price per unit."""

    code: str
    isin: str
    name: str
    units: Decimal
    last_price: Decimal
    avg_price: Decimal
    market_value: Decimal

    @property
    def gain(self) -> Decimal:
        """Unrealised gain or loss: market value less units × average price."""
        return self.market_value - (self.units * self.avg_price).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Trade:
    """A buy order on the trading account; ``total`` is the signed cash movement."""

    trade_date: date
    settle_date: date
    code: str
    isin: str
    units: Decimal
    price: Decimal
    brokerage: Decimal
    reference: str

    @property
    def consideration(self) -> Decimal:
        return (self.units * self.price).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return -(self.consideration + self.brokerage)


@dataclass(frozen=True)
class Account:
    """Any account: deposit (checking, savings, term deposit), card or share trading.

    ``id`` is the account number as the downloads carry it (``20478815``, or a masked card
    number ``456471XXXXXX4821``); ``key`` is the opaque slug in the site's URLs; ``number`` is
    the number as the pages print it (with no-break spaces). ``transactions`` are booked lines,
    newest first; ``opening_balance`` is the balance before the oldest of them.
    """

    key: str
    id: str
    name: str
    kind: str
    product: str
    number: str
    bsb: str | None
    balance: Decimal
    available: Decimal
    opening_balance: Decimal
    transactions: list[Transaction] = field(default_factory=list)
    pending: list[Transaction] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)
    trades: list[Trade] = field(default_factory=list)
    currency: str = "AUD"
    credit_limit: Decimal | None = None
    interest_rate: Decimal | None = None
    opened: date | None = None
    maturity: date | None = None

    @property
    def last4(self) -> str:
        return self.id[-4:]

    def balance_on(self, day: date) -> Decimal:
        """The booked balance at the end of ``day`` (the opening balance before any line)."""
        for txn in self.transactions:  # newest first
            if txn.date <= day and txn.balance is not None:
                return txn.balance
        return self.opening_balance

    def between(self, start: date, end: date) -> list[Transaction]:
        """Booked lines dated ``start`` to ``end`` inclusive, newest first."""
        return [t for t in self.transactions if start <= t.date <= end]


@dataclass(frozen=True)
class Bank:
    """Everything the site shows the one demo member."""

    accounts: list[Account]

    def by_key(self, key: str) -> Account | None:
        return next((a for a in self.accounts if a.key == key), None)

    def by_id(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    @property
    def deposits(self) -> list[Account]:
        """The accounts on ``/accounts``."""
        return [a for a in self.accounts if a.kind in ("checking", "savings", "deposit")]

    @property
    def cards(self) -> list[Account]:
        """The accounts on ``/cards``."""
        return [a for a in self.accounts if a.kind == "card"]

    @property
    def investments(self) -> list[Account]:
        """The accounts on ``/investments``."""
        return [a for a in self.accounts if a.kind == "brokerage"]

    def activity(self) -> list[tuple[Account, Transaction]]:
        """Every booked cash line of every deposit and card account, newest first.

        Ties keep the accounts' order and each account's own order (a stable sort), so the
        "All activity" pages are deterministic.
        """
        rows = [(a, t) for a in self.deposits + self.cards for t in a.transactions]
        return sorted(rows, key=lambda pair: pair[1].date, reverse=True)
