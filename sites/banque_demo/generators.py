"""Seeded generators of each account's history and holdings.

Everything derives from one ``random.Random`` and a fixed reference date, so two runs with the
same seed produce byte-identical pages (recordings and expected sync results never drift).
The labels and amounts imitate a real French checking account: monthly salary, rent, direct
debits, a deferred-card statement, card payments and cash withdrawals.

Only one pair of identical rows (same day, label and amount) exists, on the checking account,
on purpose: an aggregator must keep both. Every other row is unique, so that pair is the only
duplicate a test has to reason about.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .formats import quantity
from .models import Holding, Operation

CENT = Decimal("0.01")
CHECKING_COUNT = 137
CARD_COUNT = 31

# (merchant, min, max): card payments seen on the checking account (immediate-debit card).
_MERCHANTS: tuple[tuple[str, float, float], ...] = (
    ("CARREFOUR MARKET", 14.0, 128.0),
    ("MONOPRIX", 6.0, 64.0),
    ("BOULANGERIE PAUL", 2.5, 14.0),
    ("SNCF INTERNET", 19.0, 142.0),
    ("TOTAL ACCESS", 42.0, 88.0),
    ("AMAZON PAYMENTS", 9.0, 94.0),
    ("FNAC", 15.0, 249.0),
    ("PHARMACIE DU CENTRE", 4.0, 38.0),
    ("LEROY MERLIN", 12.0, 312.0),
    ("DECATHLON", 10.0, 156.0),
    ("UBER EATS", 14.0, 41.0),
    ("CINEMA UGC", 9.0, 24.0),
    ("PICARD", 11.0, 57.0),
    ("LIDL", 8.0, 86.0),
)

# Labels as a card statement prints them (merchant and town), for the deferred card.
_CARD_MERCHANTS: tuple[tuple[str, float, float], ...] = (
    ("AMAZON PAYMENTS LUXEMBOURG", 9.0, 89.0),
    ("SNCF INTERNET PARIS", 24.0, 138.0),
    ("CARREFOUR CITY PARIS 11", 4.0, 46.0),
    ("TOTAL ACCESS LYON", 48.0, 86.0),
    ("RESTAURANT LE PETIT ZINC", 22.0, 94.0),
    ("FNAC PARIS", 15.0, 210.0),
    ("APPLE.COM/BILL", 0.99, 14.99),
    ("DECATHLON VILLENEUVE", 12.0, 140.0),
    ("IKEA PARIS NORD", 25.0, 280.0),
    ("PHARMACIE DE LA GARE", 5.0, 36.0),
    ("UBER BV", 9.0, 32.0),
    ("MONOPRIX PARIS 11", 6.0, 58.0),
)

_CASH = (Decimal(20), Decimal(40), Decimal(50), Decimal(60), Decimal(80), Decimal(100))


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    """A random amount in [low, high] with cents."""
    return Decimal(rng.randint(round(low * 100), round(high * 100))) / 100


def _business_day(day: date) -> date:
    """The same day, or the Friday before when it falls on a weekend (bookings are weekdays)."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _months(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) pairs from ``start``'s month to ``end``'s month inclusive."""
    out: list[tuple[int, int]] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class _Ledger:
    """Collects operations and refuses accidental duplicates (see the module docstring)."""

    def __init__(self) -> None:
        self.operations: list[Operation] = []
        self._seen: set[tuple[date, str, Decimal]] = set()

    def add(self, day: date, label: str, amount: Decimal, *, allow_duplicate: bool = False) -> bool:
        key = (day, label, amount)
        if key in self._seen and not allow_duplicate:
            return False
        self._seen.add(key)
        self.operations.append(Operation(day, label, amount))
        return True

    def newest_first(self) -> list[Operation]:
        """Sorted by date descending; the sort is stable so same-day rows keep their order."""
        return sorted(self.operations, key=lambda op: op.date, reverse=True)


def savings_transfer_day(year: int, month: int) -> date:
    """The day the monthly standing order moves 200 € from checking to the Livret A."""
    return _business_day(date(year, month, 5))


SAVINGS_WITHDRAWAL_DAY = date(2026, 8, 18)
"""The one day money came back from the Livret A to the checking account (500 €)."""


def checking_operations(rng: random.Random, today: date) -> list[Operation]:
    """137 rows over the six months before ``today``, newest first."""
    start = today - timedelta(days=179)
    ledger = _Ledger()

    def add_if_in_window(day: date, label: str, amount: Decimal) -> None:
        if start <= day <= today:
            ledger.add(day, label, amount)

    # The genuine duplicate: two identical baguettes bought the same morning.
    dup_day = _business_day(today - timedelta(days=7))
    dup_label = f"CB BOULANGERIE PAUL {(dup_day - timedelta(days=1)):%d/%m}"
    ledger.add(dup_day, dup_label, Decimal("-4.20"))
    ledger.add(dup_day, dup_label, Decimal("-4.20"), allow_duplicate=True)

    for year, month in _months(start, today):
        first = date(year, month, 1)
        prev_end = first - timedelta(days=1)
        salary = Decimal("3184.56") if month == 7 else Decimal("2874.12")
        add_if_in_window(_business_day(date(year, month, 28)), "VIR SEPA SALAIRE ACME", salary)
        add_if_in_window(_business_day(first), "FRAIS TENUE DE COMPTE", Decimal("-2.50"))
        add_if_in_window(_business_day(date(year, month, 3)), f"FACTURE CARTE DU {prev_end:%d/%m}",
                         -_money(rng, 480, 1380))
        add_if_in_window(_business_day(date(year, month, 4)),
                         "VIR PERMANENT LOYER SCI LES TILLEULS", Decimal("-845.00"))
        add_if_in_window(savings_transfer_day(year, month), "VIR SEPA VERS LIVRET A",
                         Decimal("-200.00"))
        add_if_in_window(_business_day(date(year, month, 8)), "PRLV SEPA EDF",
                         -_money(rng, 58, 112))
        add_if_in_window(_business_day(date(year, month, 10)), "PRLV SEPA FREE MOBILE",
                         Decimal("-19.99"))
        add_if_in_window(_business_day(date(year, month, 12)), "PRLV SEPA MAIF ASSURANCES",
                         Decimal("-54.37"))
        add_if_in_window(_business_day(date(year, month, 15)), "PRLV SEPA NAVIGO",
                         Decimal("-86.40"))
        add_if_in_window(_business_day(date(year, month, 19)), "PRLV SEPA NETFLIX.COM",
                         Decimal("-13.49"))

    cheque = rng.randint(1_000_000, 8_999_000)
    for offset, amount in ((150, "-45.00"), (96, "-1350.00"), (23, "-120.00")):
        add_if_in_window(_business_day(today - timedelta(days=offset)), f"CHQ {cheque}",
                         Decimal(amount))
        cheque += 1
    add_if_in_window(_business_day(date(2026, 7, 16)), "VIR SEPA AGENCE VOYAGES SOLEIL",
                     Decimal("-2390.00"))
    add_if_in_window(_business_day(date(2026, 9, 14)), "COTISATION CARTE VISA PREMIER",
                     Decimal("-134.00"))
    add_if_in_window(SAVINGS_WITHDRAWAL_DAY, "VIR SEPA DEPUIS LIVRET A", Decimal("500.00"))
    add_if_in_window(_business_day(today - timedelta(days=61)), "VIR SEPA REMBOURSEMENT CPAM",
                     Decimal("23.50"))
    add_if_in_window(_business_day(today - timedelta(days=12)), "VIR SEPA REMBOURSEMENT CPAM",
                     Decimal("17.25"))
    add_if_in_window(_business_day(today - timedelta(days=40)),
                     "VIR INST DE M. PAUL DUPONT", Decimal("150.00"))

    business_days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    business_days = [d for d in business_days if d.weekday() < 5]
    while len(ledger.operations) < CHECKING_COUNT:
        day = rng.choice(business_days)
        spent_on = day - timedelta(days=rng.choice((0, 1, 1, 2)))
        if rng.random() < 0.2:
            ledger.add(day, f"RETRAIT DAB {spent_on:%d/%m}", -rng.choice(_CASH))
        else:
            merchant, low, high = rng.choice(_MERCHANTS)
            ledger.add(day, f"CB {merchant} {spent_on:%d/%m}", -_money(rng, low, high))
    return ledger.newest_first()


def savings_operations(rng: random.Random, today: date) -> list[Operation]:
    """Twelve rows: ten monthly top-ups, last year's interest and one withdrawal."""
    ledger = _Ledger()
    for year, month in _months(today - timedelta(days=280), today)[-10:]:
        ledger.add(savings_transfer_day(year, month), "VIR SEPA DEPUIS COMPTE COURANT",
                   Decimal("200.00"))
    ledger.add(date(today.year - 1, 12, 31), f"INTERETS CREDITEURS {today.year - 1}",
               _money(rng, 140, 210))
    ledger.add(SAVINGS_WITHDRAWAL_DAY, "VIR SEPA VERS COMPTE COURANT", Decimal("-500.00"))
    return ledger.newest_first()


def card_operations(rng: random.Random, today: date) -> list[Operation]:
    """The current month's deferred card payments: 31 debits and one refund among them."""
    ledger = _Ledger()
    days = [date(today.year, today.month, d) for d in range(1, today.day + 1)]
    refund_day = rng.choice(days)
    ledger.add(refund_day, "AVOIR DECATHLON VILLENEUVE", _money(rng, 19, 59))
    while len(ledger.operations) < CARD_COUNT:
        merchant, low, high = rng.choice(_CARD_MERCHANTS)
        ledger.add(rng.choice(days), merchant, -_money(rng, low, high))
    return ledger.newest_first()


# (label, ISIN, quantity, reference cours, reference PRU, purchase day)
_PEA_LINES: tuple[tuple[str, str, str, str, str, date], ...] = (
    ("TotalEnergies SE", "FR0000120271", "40", "58.40", "54.10", date(2026, 1, 14)),
    ("BNP Paribas", "FR0000131104", "25", "64.10", "58.73", date(2026, 3, 9)),
    ("Air Liquide", "FR0000120073", "15", "172.36", "161.20", date(2026, 5, 20)),
    ("LVMH", "FR0000121014", "4", "612.80", "688.45", date(2026, 7, 7)),
    ("iShares Core MSCI World UCITS ETF", "IE00B4L5Y983", "12.5", "98.57", "87.31",
     date(2026, 9, 22)),
)


def _jitter(rng: random.Random, reference: str, spread: float) -> Decimal:
    """``reference`` moved by up to ±``spread`` (relative), rounded to the cent."""
    factor = Decimal(str(round(1 + rng.uniform(-spread, spread), 4)))
    return (Decimal(reference) * factor).quantize(CENT, ROUND_HALF_UP)


def pea_holdings_and_operations(rng: random.Random) -> tuple[list[Holding], list[Operation]]:
    """Five positions (valuation = quantity × cours to the cent) and the five buy orders."""
    holdings: list[Holding] = []
    ledger = _Ledger()
    for label, isin, qty_text, cours, pru, bought_on in _PEA_LINES:
        qty = Decimal(qty_text)
        unit_price = _jitter(rng, cours, 0.04)
        unit_cost = _jitter(rng, pru, 0.03)
        valuation = (qty * unit_price).quantize(CENT, ROUND_HALF_UP)
        holdings.append(Holding(label, isin, qty, unit_price, unit_cost, valuation))
        cost = (qty * unit_cost).quantize(CENT, ROUND_HALF_UP)
        ledger.add(bought_on, f"ACHAT {quantity(qty)} {label.upper()}", -cost)
    return holdings, ledger.newest_first()
