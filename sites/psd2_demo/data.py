"""The seeded bank behind "API Banque Ouverte": accounts, balances and transactions.

This module is pure (no Flask, no clock, no I/O) because it is the single source of truth twice
over: the API serves exactly these objects, and other tests call ``build_bank()`` to compute the
sync result they expect, to the cent. Everything is drawn from ``random.Random(seed)`` relative to
the fixed ``REFERENCE_DATE``, so a given seed always yields the same bank, whatever today is.

Balances are derived, never drawn: ``closingBooked`` is the opening balance plus every booked
amount, and ``expected`` adds the pending ones, so a client can check its own arithmetic. The
card is a deferred-debit card: each month-end its purchases are settled by one debit on the
current account and one matching credit on the card account.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

REFERENCE_DATE = date(2026, 11, 20)
HISTORY_START = date(2026, 5, 1)
CONSENT_MAX_DAYS = 90

BANK_NAME = "API Banque Ouverte"
CLIENT_ID = "aggregator-demo"
CLIENT_SECRET = "s3cr3t-client-demo"
PSU_ID = "psu-demo"
REDIRECT_URI = "http://127.0.0.1/callback"
PSU_NAME = "CAMILLE MARTIN"
CURRENCY = "EUR"

SCENARIOS: dict[str, str] = {
    "normal": "Everything works: consent, token, accounts, balances, paged transactions.",
    "expired-token": "The first /v1/accounts call with a token from an authorization code "
    "answers 401 TOKEN_EXPIRED; a token obtained by refresh works.",
    "expired-consent": "/v1/accounts answers 401 CONSENT_EXPIRED (the 90-day re-consent).",
    "rate-limited": "/v1/ calls answer 429 ACCESS_EXCEEDED with Retry-After: 120.",
    "unavailable": "/v1/ calls answer 503 SERVICE_UNAVAILABLE.",
    "slow": "/v1/accounts waits slow_seconds before answering.",
    "schema-change": "Transactions use renamed fields (amount, bookedAt), as after an API "
    "version change.",
    "bad-client": "/oauth/token rejects the client with 401 invalid_client.",
}

_CENT = Decimal("0.01")
_BANK_CODE = "17999"
_BRANCH_CODE = "00042"


@dataclass(frozen=True)
class Transaction:
    """One movement; ``amount`` is signed (debits negative), in the account's currency."""

    transaction_id: str
    booking_date: date
    value_date: date
    amount: Decimal
    currency: str
    remittance: str
    creditor_name: str | None = None
    debtor_name: str | None = None


@dataclass(frozen=True)
class Account:
    """An account as the API describes it; ``booked`` is newest first, like the API pages."""

    resource_id: str
    iban: str
    name: str
    product: str
    cash_account_type: str
    currency: str
    opening_balance: Decimal
    booked: tuple[Transaction, ...]
    pending: tuple[Transaction, ...]

    @property
    def closing_booked(self) -> Decimal:
        return self.opening_balance + sum((t.amount for t in self.booked), Decimal("0"))

    @property
    def expected(self) -> Decimal:
        return self.closing_booked + sum((t.amount for t in self.pending), Decimal("0"))

    @property
    def balances(self) -> dict[str, Decimal]:
        """Balances keyed by their Berlin Group ``balanceType``."""
        return {"closingBooked": self.closing_booked, "expected": self.expected}


@dataclass(frozen=True)
class Bank:
    """The whole institution as seen through one PSU's consent."""

    name: str
    psu_name: str
    reference_date: date
    accounts: tuple[Account, ...]

    def account(self, resource_id: str) -> Account | None:
        return next((a for a in self.accounts if a.resource_id == resource_id), None)


@dataclass
class _Ledger:
    """Raw movements of one account, in generation order, before ids and sorting."""

    prefix: str
    rows: list[tuple[date, Decimal, str, str | None, str | None, date]] = field(
        default_factory=list
    )

    def add(
        self,
        day: date,
        amount: Decimal,
        remittance: str,
        *,
        creditor: str | None = None,
        debtor: str | None = None,
        value_date: date | None = None,
    ) -> None:
        self.rows.append((day, amount.quantize(_CENT), remittance, creditor, debtor,
                          value_date or day))

    def transactions(self, id_prefix: str) -> tuple[Transaction, ...]:
        """Number per day in generation order, then return newest first (ties: highest id)."""
        ordered = sorted(enumerate(self.rows), key=lambda pair: (pair[1][0], pair[0]))
        seq: dict[date, int] = {}
        result = []
        for _, (day, amount, text, creditor, debtor, value_day) in ordered:
            seq[day] = seq.get(day, 0) + 1
            result.append(Transaction(
                transaction_id=f"{id_prefix}{self.prefix}{day:%Y%m%d}{seq[day]:03d}",
                booking_date=day, value_date=value_day, amount=amount, currency=CURRENCY,
                remittance=text, creditor_name=creditor, debtor_name=debtor,
            ))
        return tuple(reversed(result))


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(rng.uniform(low, high))).quantize(_CENT)


def _french_iban(account_number: str) -> str:
    """A syntactically valid French IBAN (RIB key and mod-97 check), so clients may validate."""
    rib_key = 97 - (89 * int(_BANK_CODE) + 15 * int(_BRANCH_CODE) + 3 * int(account_number)) % 97
    bban = f"{_BANK_CODE}{_BRANCH_CODE}{account_number}{rib_key:02d}"
    numeric = "".join(str(int(ch, 36)) for ch in f"{bban}FR00")
    return f"FR{98 - int(numeric) % 97:02d}{bban}"


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _month_starts() -> list[date]:
    months, day = [], HISTORY_START
    while day <= REFERENCE_DATE:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _month_end(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


_MERCHANTS: tuple[tuple[str, float, float], ...] = (
    ("CARREFOUR CITY", 6, 45), ("MONOPRIX", 8, 70), ("BOULANGERIE PAUL", 2, 12),
    ("SNCF CONNECT", 25, 110), ("FNAC", 15, 90), ("AMAZON EU SARL", 9, 80),
    ("UBER BV", 9, 35), ("DECATHLON", 12, 95), ("PHARMACIE DU CENTRE", 5, 30),
    ("TOTALENERGIES", 40, 75), ("CINEMA PATHE", 11, 24), ("LE COMPTOIR", 14, 60),
)
_FRIENDS = ("LEA DUBOIS", "HUGO BERNARD", "INES PETIT", "LUCAS MOREAU")


def _card_purchases(rng: random.Random, card: _Ledger) -> dict[date, Decimal]:
    """Deferred-debit purchases, booked the day after; returns each month's total to settle."""
    totals: dict[date, Decimal] = {}
    for day in _days(HISTORY_START, REFERENCE_DATE - timedelta(days=2)):
        for _ in range(rng.choice((0, 1, 1, 2))):
            merchant, low, high = rng.choice(_MERCHANTS)
            amount = -_money(rng, low, high)
            booked = day + timedelta(days=1)
            card.add(booked, amount, f"CB {merchant} {day:%d/%m}", creditor=merchant,
                     value_date=day)
            month = booked.replace(day=1)
            totals[month] = totals.get(month, Decimal("0")) + amount
    return totals


def _fixed_flows(rng: random.Random, current: _Ledger, savings: _Ledger,
                 card: _Ledger, card_totals: dict[date, Decimal]) -> None:
    """Salary, rent, bills, the standing order to savings and the card settlement, monthly."""
    for first in _month_starts():
        def on(day_of_month: int, first: date = first) -> date | None:
            day = _weekday_on_or_before(first.replace(day=day_of_month))
            return day if HISTORY_START <= day < REFERENCE_DATE else None

        bills: list[tuple[int, Decimal, str, str]] = [
            (5, Decimal("-890.00"), "PRLV SEPA LOYER", "SCI LES TILLEULS"),
            (8, Decimal("-47.32"), "PRLV SEPA ASSURANCE HABITATION", "MAIF"),
            (10, -_money(rng, 58, 112), "PRLV SEPA EDF ELECTRICITE", "EDF"),
            (15, Decimal("-19.99"), "PRLV SEPA FREE MOBILE", "FREE MOBILE"),
            (20, Decimal("-39.99"), "PRLV SEPA ORANGE LIVEBOX", "ORANGE SA"),
        ]
        for dom, amount, text, creditor in bills:
            if (day := on(dom)) is not None:
                current.add(day, amount, f"{text} {first:%m/%Y}", creditor=creditor)
        if (day := on(28)) is not None:
            current.add(day, _money(rng, 2850, 3150), f"VIR SEPA SALAIRE {first:%m/%Y}",
                        debtor="ATELIERS DU RHONE SAS")
        if (day := on(2)) is not None:
            text = f"VIR PERMANENT LIVRET A {first:%m/%Y}"
            current.add(day, Decimal("-200.00"), text, creditor=PSU_NAME)
            savings.add(day, Decimal("200.00"), text, debtor=PSU_NAME)
        settle = _month_end(first)
        total = card_totals.get(first)
        if total and settle < REFERENCE_DATE:
            text = f"RELEVE CARTE X4821 {first:%m/%Y}"
            current.add(settle, total, f"PRLV {text}", creditor=BANK_NAME.upper())
            card.add(settle, -total, text, debtor=PSU_NAME)


def _everyday_flows(rng: random.Random, current: _Ledger, savings: _Ledger) -> None:
    """Cash withdrawals, transfers with friends and online payments, about every other day."""
    for day in _days(HISTORY_START, REFERENCE_DATE - timedelta(days=1)):
        if rng.random() >= 0.5:
            continue
        kind = rng.randrange(4)
        friend = rng.choice(_FRIENDS)
        if kind == 0:
            amount = Decimal(rng.choice((20, 40, 60, 80, 100)))
            current.add(day, -amount, f"RETRAIT DAB {day:%d/%m} PARIS 11")
        elif kind == 1:
            current.add(day, -_money(rng, 10, 80), f"VIR INST {friend}", creditor=friend)
        elif kind == 2:
            current.add(day, _money(rng, 10, 60), f"VIR INST DE {friend}", debtor=friend)
        else:
            current.add(day, -_money(rng, 8, 120), "PRLV SEPA PAYPAL EUROPE",
                        creditor="PAYPAL EUROPE")
    withdrawal = date(2026, 8, 17)
    savings.add(withdrawal, Decimal("-1500.00"), "VIR LIVRET A VERS COMPTE COURANT",
                creditor=PSU_NAME)
    current.add(withdrawal, Decimal("1500.00"), "VIR LIVRET A VERS COMPTE COURANT",
                debtor=PSU_NAME)


def _pending(rng: random.Random, ledger: _Ledger,
             draw: Callable[[random.Random], tuple[Decimal, str, str | None, str | None]],
             ) -> tuple[Transaction, ...]:
    """3-5 not-yet-booked movements dated the last two days up to the reference date."""
    for _ in range(rng.randint(3, 5)):
        day = REFERENCE_DATE - timedelta(days=rng.randint(0, 1))
        amount, text, creditor, debtor = draw(rng)
        ledger.add(day, amount, text, creditor=creditor, debtor=debtor)
    return ledger.transactions("P")


def _pending_card(rng: random.Random) -> tuple[Decimal, str, str | None, str | None]:
    merchant, low, high = rng.choice(_MERCHANTS)
    return -_money(rng, low, high), f"CB {merchant}", merchant, None


def _pending_current(rng: random.Random) -> tuple[Decimal, str, str | None, str | None]:
    friend = rng.choice(_FRIENDS)
    if rng.random() < 0.5:
        return -_money(rng, 10, 80), f"VIR INST {friend}", friend, None
    return _money(rng, 10, 60), f"VIR INST DE {friend}", None, friend


def _pending_savings(rng: random.Random) -> tuple[Decimal, str, str | None, str | None]:
    return _money(rng, 20, 150), "VIR SEPA EPARGNE EN COURS", None, PSU_NAME


def build_bank(seed: int = 2026) -> Bank:
    """Build the demo bank for ``seed``; same seed, same bank, to the cent and the id."""
    rng = random.Random(seed)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(3)]
    numbers = [f"{rng.randrange(10**10, 10**11):011d}" for _ in range(3)]
    current, savings, card = _Ledger("CC"), _Ledger("LA"), _Ledger("CB")
    card_totals = _card_purchases(rng, card)
    _fixed_flows(rng, current, savings, card, card_totals)
    _everyday_flows(rng, current, savings)
    pending = [
        _pending(rng, _Ledger("CC"), _pending_current),
        _pending(rng, _Ledger("LA"), _pending_savings),
        _pending(rng, _Ledger("CB"), _pending_card),
    ]
    specs = (
        ("Compte courant", "Compte Chèques Essentiel", "CACC", _money(rng, 2200, 2800), current),
        ("Livret A", "Livret A", "SVGS", _money(rng, 9000, 12000), savings),
        ("Carte Visa Premier", "Visa Premier débit différé", "CARD", Decimal("0.00"), card),
    )
    accounts = tuple(
        Account(
            resource_id=ids[i], iban=_french_iban(numbers[i]), name=name, product=product,
            cash_account_type=kind, currency=CURRENCY, opening_balance=opening,
            booked=ledger.transactions(""), pending=pending[i],
        )
        for i, (name, product, kind, opening, ledger) in enumerate(specs)
    )
    return Bank(name=BANK_NAME, psu_name=PSU_NAME, reference_date=REFERENCE_DATE,
                accounts=accounts)
