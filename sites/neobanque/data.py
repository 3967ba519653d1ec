"""NeoBanque's customer data, generated from a seed: the single source of truth.

The JSON API serves exactly these objects and tests compute the expected sync result from them,
so nothing here may depend on the real clock or on global randomness: everything flows from
``random.Random(seed)`` and the fixed ``REFERENCE_DATE``. The history deliberately contains what
trips scrapers up on real banks: accented and punctuated labels, a four-digit amount (thousands
separator), a refund on a card, and two genuinely identical purchases on the same day.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

DEMO_EMAIL = "demo@neobanque.test"
DEMO_PASSWORD = "correct-horse-42"
CUSTOMER_NAME = "Camille Martin-Lefèvre"
EMAIL_DOMAIN = "neobanque.test"
CURRENCY = "EUR"
REFERENCE_DATE = dt.date(2026, 11, 20)
"""'Today' for the bank: the newest transaction is dated this day, whatever the real date is."""

SCENARIOS: dict[str, str] = {
    "demo": "Normal customer: one-time code on a new device, trusted-device cookie skips it.",
    "locked": "Login refused: 403 account_locked.",
    "expired": "Login refused: 403 password_expired.",
    "secvalid": "Login refused: 403 security_validation_required.",
    "otp": "Always asks the one-time code, even on a trusted device (for wrong-code tests).",
    "maint": "After login, /api/accounts answers 200 {maintenance: true, message}.",
    "maint503": "After login, /api/accounts answers 503 service_unavailable.",
    "ratelimit": "After login, /api/accounts answers 429 with Retry-After: 120.",
    "captcha": "After login, /api/accounts answers 403 captcha_required.",
    "slow": "After login, /api/accounts answers only after slow_seconds.",
    "hang": "After login, /api/accounts never answers (the request blocks for an hour).",
    "brokenhistory": "The savings account's transactions answer 500; other accounts are fine.",
}
"""Scenario name (the local part of its login email) -> what the site does for it."""

SITE_WIDE_SCENARIOS = frozenset({"maint", "maint503", "ratelimit", "captcha"})
"""Scenarios that, forced at start-up, hit every API call including the login itself."""


def scenario_email(name: str) -> str:
    """The login email that selects scenario ``name`` (``demo`` is the normal customer)."""
    return f"{name}@{EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Transaction:
    id: str
    """Opaque, as real bank APIs make them: the scraper must not derive meaning from it."""
    date: dt.date
    label: str
    amount: Decimal
    category: str


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    kind: str
    """``checking``, ``savings`` or ``card``."""
    iban: str
    """Grouped by four, with valid RIB key and IBAN check digits."""
    balance: Decimal
    currency: str
    transactions: list[Transaction]
    """Newest first, the order the API pages through them."""


@dataclass(frozen=True)
class Bank:
    customer_name: str
    accounts: list[Account]

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)


def _cents(rng: random.Random, low: float, high: float) -> Decimal:
    """A random amount in [low, high] with exactly two decimals."""
    return Decimal(rng.randint(round(low * 100), round(high * 100))).scaleb(-2)


def _iban(account_number: str) -> str:
    """A French IBAN for NeoBanque's bank/branch codes, with correct RIB key and check digits.

    Valid numbers matter because an engine may validate or mask them; a fake with bad check
    digits would make such code look broken against our own demo.
    """
    bank, branch = "16958", "00001"
    rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account_number)) % 97
    bban = f"{bank}{branch}{account_number}{rib_key:02d}"
    check = 98 - int(f"{bban}152700") % 97  # "FR00" moved to the end, F=15 R=27
    raw = f"FR{check:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class _Ids:
    """Opaque, unique, seed-determined identifiers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def new(self, prefix: str, bits: int = 48) -> str:
        while True:
            value = f"{prefix}{self._rng.getrandbits(bits):0{bits // 4}x}"
            if value not in self._seen:
                self._seen.add(value)
                return value


_CHECKING_SHOPS: list[tuple[str, str, float, float]] = [
    ("CB CARREFOUR CITY PARIS 11", "groceries", 6, 85),
    ("CB MONOPRIX RÉPUBLIQUE", "groceries", 8, 120),
    ("CB L'ÉPICERIE D'ÉLISE & FILS", "groceries", 4, 38),
    ("CB BOULANGERIE DU CANAL", "groceries", 2, 14),
    ("CB SNCF CONNECT", "transport", 19, 140),
    ("CB UBER * TRIP", "transport", 7, 32),
    ("CB LE PETIT ZINC", "restaurant", 14, 68),
    ("CB DELIVEROO.FR", "restaurant", 15, 45),
    ("CB FNAC.COM", "shopping", 12, 190),
    ("CB DECATHLON", "shopping", 9, 110),
    ("CB PHARMACIE SAINT-MAUR", "health", 5, 42),
    ("RETRAIT DAB PARIS BASTILLE", "cash", 20, 100),
]


def _monthly(day: int, months: int) -> list[dt.date]:
    """The ``day`` of each of the last ``months`` months that is not after the reference date."""
    dates: list[dt.date] = []
    year, month = REFERENCE_DATE.year, REFERENCE_DATE.month
    while len(dates) < months:
        candidate = dt.date(year, month, day)
        if candidate <= REFERENCE_DATE:
            dates.append(candidate)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return dates


def _random_day(rng: random.Random, span_days: int) -> dt.date:
    return REFERENCE_DATE - dt.timedelta(days=rng.randint(0, span_days))


Row = tuple[dt.date, str, Decimal, str]


def _checking_rows(rng: random.Random, savings_days: list[dt.date]) -> list[Row]:
    rows: list[Row] = []
    for day in _monthly(27, 3):
        month = day.strftime("%m/%Y")
        rows.append((day, f"VIR SEPA ACME SAS SALAIRE {month}", Decimal("2650.00"), "salary"))
    for day in _monthly(5, 3):
        rows.append((day, "PRLV SEPA FONCIA LOYER", Decimal("-1080.00"), "rent"))
        edf, mobile = day + dt.timedelta(days=3), day + dt.timedelta(days=7)
        rows.append((edf, "PRLV SEPA EDF", _cents(rng, -95, -60), "utilities"))
        rows.append((mobile, "PRLV SEPA FREE MOBILE", Decimal("-19.99"), "telecom"))
    for day in savings_days:
        rows.append((day, "VIR VERS ÉPARGNE FLEX", Decimal("-200.00"), "transfer"))
    rows.append((REFERENCE_DATE, "CB BOULANGERIE DU CANAL", _cents(rng, -9, -2), "groceries"))
    twin_day = _random_day(rng, 40)  # two real, identical purchases on one day
    rows += [(twin_day, "CB RATP MÉTRO", Decimal("-2.15"), "transport")] * 2
    rows.append((_random_day(rng, 60), "VIR INST M. DUPONT REMBT WEEK-END", _cents(rng, 40, 160),
                 "transfer"))
    while len(rows) < 64:
        label, category, low, high = rng.choice(_CHECKING_SHOPS)
        rows.append((_random_day(rng, 88), label, -_cents(rng, low, high), category))
    return rows


def _savings_rows(rng: random.Random, transfer_days: list[dt.date]) -> list[Row]:
    rows: list[Row] = [(d, "VIR DEPUIS COMPTE COURANT", Decimal("200.00"), "transfer")
                       for d in transfer_days]
    rows.append((dt.date(2026, 1, 1), "INTÉRÊTS CRÉDITEURS 2025", _cents(rng, 80, 140), "interest"))
    rows.append((_random_day(rng, 200), "VIR VERS COMPTE COURANT", Decimal("-500.00"), "transfer"))
    while len(rows) < 9:
        rows.append((_random_day(rng, 280), "VIR PERMANENT ÉPARGNE", Decimal("150.00"), "transfer"))
    return rows


_CARD_SHOPS: list[tuple[str, str, float, float]] = [
    ("AMAZON EU SARL", "shopping", 9, 160),
    ("FRANPRIX 5128", "groceries", 5, 45),
    ("BISTROT « CHEZ PAULETTE »", "restaurant", 18, 72),
    ("APPLE.COM/BILL", "subscription", 0.99, 9.99),
    ("TOTALENERGIES STATION", "transport", 35, 90),
    ("CINÉMA MK2 BASTILLE", "leisure", 9, 24),
]


def _card_rows(rng: random.Random) -> list[Row]:
    rows: list[Row] = [(REFERENCE_DATE - dt.timedelta(days=9), "SPOTIFY P1A2B3C", Decimal("-10.99"),
                        "subscription")]
    while len(rows) < 26:
        label, category, low, high = rng.choice(_CARD_SHOPS)
        rows.append((_random_day(rng, 29), label, -_cents(rng, low, high), category))
    rows.append((_random_day(rng, 10), "REMBT AMAZON EU SARL", _cents(rng, 15, 60), "refund"))
    return rows


def _transactions(rows: list[Row], ids: _Ids) -> list[Transaction]:
    """Rows newest first; same-day rows keep a seed-determined order via their opaque id."""
    txs = [Transaction(ids.new("tx_"), day, label, amount, category)
           for day, label, amount, category in rows]
    return sorted(txs, key=lambda t: (t.date, t.id), reverse=True)


def build_bank(seed: int = 2026) -> Bank:
    """The whole bank for ``seed``; the same seed always gives byte-identical data."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    transfer_days = _monthly(12, 3)

    checking_tx = _transactions(_checking_rows(rng, transfer_days), ids)
    savings_tx = _transactions(_savings_rows(rng, transfer_days), ids)
    card_tx = _transactions(_card_rows(rng), ids)
    checking_opening = _cents(rng, 900, 2500)
    savings_opening = _cents(rng, 6000, 12000)

    def number() -> str:
        return f"{rng.randint(0, 10**11 - 1):011d}"

    accounts = [
        Account(ids.new("acc_", 32), "Compte Courant Neo", "checking", _iban(number()),
                checking_opening + sum((t.amount for t in checking_tx), Decimal(0)),
                CURRENCY, checking_tx),
        Account(ids.new("acc_", 32), "Épargne Flex", "savings", _iban(number()),
                savings_opening + sum((t.amount for t in savings_tx), Decimal(0)),
                CURRENCY, savings_tx),
        Account(ids.new("acc_", 32), "Carte Neo Black", "card", _iban(number()),
                sum((t.amount for t in card_tx), Decimal(0)), CURRENCY, card_tx),
    ]
    return Bank(CUSTOMER_NAME, accounts)
