"""Banco Aurora's data as plain values, with the exact results a correct sync must produce.

The API stores what a Brazilian bank API stores (integer cents, unsigned amounts, an origin
and a destination, instants with an offset); the ``expected_*``/``amount_for`` helpers give
what an aggregator must turn them into (signed ``Decimal`` amounts relative to the synced
account or to the customer, the *local* date in Brasília). Recipe tests compare against these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

BRASILIA = ZoneInfo("America/Sao_Paulo")
"""The bank's time zone: every local date is a date here (no daylight saving since 2019)."""

CURRENCY = "BRL"
CENT = Decimal("0.01")


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


@dataclass(frozen=True)
class Party:
    """One side of a Pix: a person (CPF, shown masked) or a company (CNPJ, shown in full)."""

    name: str
    document: str
    """Formatted CPF or CNPJ."""
    document_kind: str
    """``cpf`` or ``cnpj``."""
    institution: str
    ispb: str
    is_customer: bool = False


@dataclass(frozen=True)
class Movement:
    """One booked movement between two parties; an internal transfer belongs to both accounts."""

    id: str
    at: dt.datetime
    """Aware, in Brasília time, with milliseconds (the API shows seconds, Pix shows ms)."""
    description: str
    kind: str
    """``PIX``, ``TED``, ``BOLETO``, ``DEBITO_AUTOMATICO``, ``COMPRA_DEBITO``, ``SAQUE``,
    ``TRANSFERENCIA``, ``APLICACAO``, ``RESGATE``, ``RENDIMENTO``, ``COMPRA_CREDITO``,
    ``ESTORNO``, ``IOF``, ``PAGAMENTO_FATURA``."""
    cents: int
    """Always positive: the direction is given by ``origin`` and ``destination``."""
    origin: str
    destination: str
    counterparty: Party | None = None
    pix_id: str | None = None
    """The ``endToEndId`` when the movement is a Pix."""

    @property
    def local_date(self) -> dt.date:
        return self.at.astimezone(BRASILIA).date()

    def amount_for(self, account_id: str) -> Decimal:
        """Signed amount seen from ``account_id``: money leaving it is negative."""
        if self.origin == account_id:
            return -cents_to_decimal(self.cents)
        if self.destination == account_id:
            return cents_to_decimal(self.cents)
        raise ValueError(f"movement {self.id} does not involve account {account_id}")


@dataclass(frozen=True)
class Holding:
    """A position in the investment account, valued at ``quantity × unit price`` truncated."""

    id: str
    product: str
    kind: str
    """``CDB``, ``LCI``, ``TESOURO_DIRETO``, ``ETF``, ``FII`` or ``ACAO``."""
    isin: str
    ticker: str | None
    quantity: Decimal
    unit_price_cents: int
    average_price_cents: int
    maturity: dt.date | None = None

    @property
    def valuation_cents(self) -> int:
        """Truncated to the cent, as Tesouro Direto and brokers compute a fractional position."""
        return int((self.quantity * self.unit_price_cents).to_integral_value(ROUND_FLOOR))

    @property
    def unit_price(self) -> Decimal:
        return cents_to_decimal(self.unit_price_cents)

    @property
    def average_price(self) -> Decimal:
        return cents_to_decimal(self.average_price_cents)

    @property
    def valuation(self) -> Decimal:
        return cents_to_decimal(self.valuation_cents)


@dataclass(frozen=True)
class CardInvoice:
    """The open invoice (fatura) of the credit card, which is the card's balance."""

    closing: dt.date
    due: dt.date
    limit_cents: int
    last_digits: str


@dataclass(frozen=True)
class ExpectedTransaction:
    """A transaction as a correct sync returns it."""

    id: str
    account_id: str
    date: dt.date
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Account:
    id: str
    kind: str
    """The engine's account type: ``checking``, ``savings``, ``card`` or ``brokerage``."""
    api_type: str
    """What the API calls it: ``CONTA_CORRENTE``, ``POUPANCA``, ``CARTAO_CREDITO``,
    ``INVESTIMENTOS``."""
    name: str
    number: str
    """``0001 / 4832157-3`` for accounts, ``•••• 4821`` for the card."""
    balance_cents: int
    """Signed as an aggregator signs it: the card's open invoice is negative (money owed)."""
    movements: tuple[Movement, ...]
    """Newest first, the order the API pages through them."""
    holdings: tuple[Holding, ...] = ()
    invoice: CardInvoice | None = None

    @property
    def balance(self) -> Decimal:
        return cents_to_decimal(self.balance_cents)

    @property
    def currency(self) -> str:
        return CURRENCY

    def expected_transactions(self) -> list[ExpectedTransaction]:
        return [ExpectedTransaction(m.id, self.id, m.local_date, m.description,
                                    m.amount_for(self.id)) for m in self.movements]


@dataclass(frozen=True)
class PixTransfer:
    """A Pix in the customer's Pix section, where the sign is relative to the customer."""

    end_to_end_id: str
    at: dt.datetime
    cents: int
    payer: Party
    payee: Party
    message: str | None
    movement_id: str
    """The checking-account movement this Pix booked."""

    @property
    def local_date(self) -> dt.date:
        return self.at.astimezone(BRASILIA).date()

    @property
    def amount_for_customer(self) -> Decimal:
        value = cents_to_decimal(self.cents)
        return -value if self.payer.is_customer else value


@dataclass(frozen=True)
class Customer:
    name: str
    first_name: str
    email: str
    phone_device: str
    """The phone the approval notification goes to, as the app names it."""


@dataclass(frozen=True)
class Bank:
    customer: Customer
    accounts: tuple[Account, ...]
    pix_transfers: tuple[PixTransfer, ...]
    """Newest first."""
    opening_balances_cents: dict[str, int] = field(default_factory=dict)
    """Balance of an account just before its first movement, where balance = opening + history."""

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def account_of_kind(self, kind: str) -> Account:
        return next(a for a in self.accounts if a.kind == kind)
