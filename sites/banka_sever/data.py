"""Banka Sever's data: the single source of truth its pages render from.

Pure Python, no Flask: recipe tests import :func:`build_bank` to compute the exact result a
sync must return (accounts with ``Decimal`` balances, every operation with its signed amount,
date, label and running balance). The reference day is fixed (20 November 2026, never the
real today) and all randomness flows from one seed, so expected results never drift.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from . import generators as gen
from .generators import PERIOD_START, REFERENCE_DATE, Profile
from .models import Account, Customer, Operation
from .numbers import account_number

__all__ = [
    "CUSTOMER_NAME",
    "CYRILLIC_CUSTOMER_NAME",
    "CYRILLIC_USERNAME",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "OTP_CODE",
    "PAGE_SIZE",
    "PERIOD_START",
    "REFERENCE_DATE",
    "SCENARIOS",
    "Account",
    "Bank",
    "Customer",
    "Operation",
    "build_bank",
]

DEMO_USERNAME = "marko.petrovic"
CYRILLIC_USERNAME = "milica.jovanovic"
CUSTOMER_NAME = "Marko Petrović"
CYRILLIC_CUSTOMER_NAME = "Milica Jovanović"
"""The customers' names as the header shows them (what recordings must not contain)."""
DEMO_PASSWORD = "Sever2026"
OTP_CODE = "135790"
DEFAULT_SEED = 2026
PAGE_SIZE = 20
"""Records (not rows: a record is two rows, headings do not count) per statement page."""

SCENARIOS: dict[str, str] = {
    "normal": f"{DEMO_USERNAME} (Latin) or {CYRILLIC_USERNAME} (Cyrillic): everything works.",
    "blokiran": "demo.blokiran: correct password, then 'Vaš korisnički nalog je blokiran'.",
    "odrzavanje": "demo.odrzavanje: correct password, then the maintenance page (HTTP 200).",
}
"""Scenario → what happens. Wrong passwords always get the site's own error text."""

SCENARIO_USERS = {"demo.blokiran": "blokiran", "demo.odrzavanje": "odrzavanje"}

BANK_CODE = "265"


@dataclass(frozen=True)
class Bank:
    """Every customer of the demo (by username)."""

    customers: dict[str, Customer]

    def customer(self, username: str) -> Customer | None:
        return self.customers.get(username)


_TYPES = {  # key → (type label, engine type, currency, opening balance, limit)
    gen.CHECKING: ("Tekući račun", "checking", "RSD"),
    gen.SAVINGS: ("Štedni račun", "savings", "RSD"),
    gen.FX: ("Devizni račun", "checking", "EUR"),
    gen.CARD: ("Visa Classic", "card", "RSD"),
}


@dataclass(frozen=True)
class _Person:
    username: str
    name: str
    script: str
    phone_hint: str
    profile: Profile
    opening: dict[str, Decimal]
    limits: dict[str, Decimal]
    card_number: str
    stream: int


def _numbers(first: int) -> dict[str, str]:
    keys = (gen.CHECKING, gen.SAVINGS, gen.FX, gen.CARD)
    offsets = (0, 1, 2, 8_641_975)
    return {k: account_number(BANK_CODE, first + o) for k, o in zip(keys, offsets, strict=True)}


_MARKO = _numbers(1_234_567)
_MILICA = _numbers(3_865_210)
_PEOPLE = (
    _Person(
        DEMO_USERNAME, CUSTOMER_NAME, "sr-Latn", "+381 64 ••• ••67",
        Profile("Delta Soft d.o.o. Beograd", (50000, 55000), (70000, 78000),
                "Nenad Ilić", Decimal("48000.00"), "Dragan Petrović, Wien, Austrija",
                _MARKO, 70, 34),
        {gen.CHECKING: Decimal("84215.40"), gen.SAVINGS: Decimal("1148300.00"),
         gen.FX: Decimal("2450.00"), gen.CARD: Decimal("-18642.35")},
        {gen.CHECKING: Decimal("50000"), gen.CARD: Decimal("150000")},
        "4058 •••• •••• 4321", 1,
    ),
    _Person(
        CYRILLIC_USERNAME, CYRILLIC_CUSTOMER_NAME, "sr-Cyrl", "+381 63 ••• ••08",
        Profile("Republički zavod za statistiku", (42000, 46000), (61000, 66000),
                "Gordana Stanković", Decimal("35000.00"), "Ana Jovanović, Graz, Austrija",
                _MILICA, 62, 30),
        {gen.CHECKING: Decimal("91730.85"), gen.SAVINGS: Decimal("412950.00"),
         gen.FX: Decimal("1320.00"), gen.CARD: Decimal("-9874.10")},
        {gen.CHECKING: Decimal("40000"), gen.CARD: Decimal("100000")},
        "4058 •••• •••• 7715", 2,
    ),
)


def _account(key: str, person: _Person, rng: random.Random,
             entries: list[gen.Entry], used: set[str]) -> Account:
    type_label, engine_type, currency = _TYPES[key]
    opening = person.opening[key]
    balance = opening + sum((e[3] for e in entries), Decimal("0"))
    operations: list[Operation] = []
    running = balance
    for day, kind, label, value in entries:  # newest first: Stanje after each line
        operations.append(Operation(day, kind, label, value,
                                    None if key == gen.CARD else running,
                                    gen.reference(rng, day, used)))
        running -= value
    return Account(
        id=person.profile.numbers[key],
        type_label=type_label,
        engine_type=engine_type,
        currency=currency,
        balance=balance,
        opening_balance=opening,
        limit=person.limits.get(key, Decimal("0")),
        operations=operations,
        card_number=person.card_number if key == gen.CARD else None,
    )


def build_bank(seed: int = DEFAULT_SEED) -> Bank:
    """Both demo customers, deterministic for a given seed.

    Each customer draws from a ``Random`` derived from the seed and their own stream, so one
    customer's data does not move when the other's generation changes.
    """
    customers: dict[str, Customer] = {}
    for person in _PEOPLE:
        rng = random.Random(seed * 100 + person.stream)
        history = gen.histories(rng, person.profile)
        used: set[str] = set()
        accounts = [_account(key, person, rng, history[key], used)
                    for key in (gen.CHECKING, gen.SAVINGS, gen.FX, gen.CARD)]
        customers[person.username] = Customer(person.username, person.name, person.script,
                                              person.phone_hint, accounts)
    return Bank(customers)
