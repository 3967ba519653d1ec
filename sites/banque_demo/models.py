"""The shape of Banque Démo's data, as plain frozen dataclasses (no Flask, no formatting).

They live apart from the generators so that ``data`` (the public entry point) and the
generators can both import them without a cycle. Amounts are ``Decimal`` so the expected
results other tests compute from these objects are exact to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Operation:
    """One booked line of an account's history, exactly as the pages show it."""

    date: date
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Holding:
    """One position of the PEA: ``unit_price`` is the cours, ``unit_cost`` the PRU."""

    label: str
    isin: str
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal
    valuation: Decimal


@dataclass(frozen=True)
class Account:
    """An account with its full history (newest first) and, for the PEA, its holdings."""

    id: str
    label: str
    kind: str
    type_label: str
    iban: str
    balance: Decimal
    currency: str
    operations: list[Operation] = field(default_factory=list)
    holdings: list[Holding] = field(default_factory=list)


@dataclass(frozen=True)
class Bank:
    """Everything the site renders for the single demo customer."""

    accounts: list[Account]

    def account(self, account_id: str) -> Account | None:
        """The account with this id, or ``None`` (the pages answer 404 then)."""
        return next((a for a in self.accounts if a.id == account_id), None)
