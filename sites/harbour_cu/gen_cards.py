"""Seeded histories of the two Visa credit cards.

The cards are paid in full from Everyday Access on the 10th (or the next business day): each
payment equals the balance owed at the end of the previous month, which is what a member with
a direct debit for the closing balance sees. So every ``PAYMENT RECEIVED`` on a card has its
twin ``TRANSFER TO VISA ...`` on Everyday Access, and a recipe that syncs both can be checked
against the other. The Platinum card has the one foreign-currency purchase (US$12.00 to Amazon
Web Services, converted at 1.5392) and its 3 % international transaction fee; the Low Rate
card ends in credit after a refund (``$24.10 CR``).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .ledger import CENT, Ledger, business_day, days_between, money, month_starts
from .models import Foreign

PLATINUM_COUNT = 58
PLATINUM_OPENING = Decimal("-612.40")
"""Owed on the Platinum card before its history starts (August purchases)."""
LOW_RATE_OPENING = Decimal("0.00")

FX_DAY = date(2026, 11, 3)
FX = Foreign("USD", Decimal("12.00"), Decimal("1.5392"))
FX_FEE_RATE = Decimal("0.03")

_MERCHANTS: tuple[tuple[str, float, float], ...] = (
    ("WOOLWORTHS 1234 ROZELLE NSW", 24, 186),
    ("COLES 0456 BIRKENHEAD POINT NSW", 18, 142),
    ("AMPOL FOODARY BALMAIN NSW", 48, 96),
    ("UBER *EATS HELP.UBER.COM NSW", 22, 58),
    ("KMART 1088 BROADWAY NSW", 12, 96),
    ("BUNNINGS 332000 RYDALMERE NSW", 15, 240),
    ("CHEMIST WAREHOUSE ROZELLE NSW", 8, 64),
    ("DAN MURPHY'S 1377 ROZELLE NSW", 25, 110),
    ("H&M 0841 SYDNEY NSW", 20, 130),
    ("AMAZON MKTPLC AU SYDNEY SOUTH", 15, 120),
    ("OFFICEWORKS 0312 RYDE NSW", 9, 180),
    ("HOYTS BROADWAY NSW", 19, 52),
    ("GUZMAN Y GOMEZ BALMAIN NSW", 14, 38),
    ("MYER SYDNEY CITY NSW", 35, 260),
)

PAYMENT_LABEL = "PAYMENT RECEIVED - THANK YOU"


def _pay_in_full(ledger: Ledger, opening: Decimal, start: date, today: date) -> None:
    """Add the monthly full payments (the 10th, or the next business day) to ``ledger``."""
    for first in month_starts(start, today)[1:]:
        day = business_day(first + timedelta(days=9))
        if day > today:
            break
        owed = ledger.balance_at_end_of(first - timedelta(days=1), opening)
        if owed < 0:
            ledger.add(day, PAYMENT_LABEL, -owed, "Payment", "card_payment")


def platinum(rng: random.Random, start: date, today: date) -> Ledger:
    """Visa Platinum: subscriptions, everyday purchases, a refund, a fee, one USD purchase."""
    ledger = Ledger("4821")
    for first in month_starts(start, today):
        for day_of_month, label, amount in (
            (2, "NETFLIX.COM MELBOURNE VIC", "18.99"),
            (12, "SPOTIFY P2F4A8C1 SYDNEY NSW", "13.99"),
        ):
            day = first.replace(day=day_of_month)
            if start <= day <= today:
                ledger.add(day, label, -Decimal(amount), "Purchase", "purchase")
    ledger.add(date(2026, 10, 1), "ANNUAL FEE", Decimal("-99.00"), "Fee", "fee")
    ledger.add(date(2026, 10, 9), "JB HI-FI BROADWAY NSW", Decimal("-149.00"), "Purchase",
               "purchase")
    ledger.add(date(2026, 10, 17), "REFUND JB HI-FI BROADWAY NSW", Decimal("149.00"), "Refund",
               "refund")
    aud = (FX.amount * FX.rate).quantize(CENT, ROUND_HALF_UP)
    ledger.add(FX_DAY, "AMAZON WEB SERVICES AWS.AMAZON.CO USA", -aud, "Purchase", "purchase",
               foreign=FX)
    fee = (aud * FX_FEE_RATE).quantize(CENT, ROUND_HALF_UP)
    ledger.add(FX_DAY, "INTERNATIONAL TRANSACTION FEE", -fee, "Fee", "fee")

    days = days_between(start, today)
    while len(ledger) < PLATINUM_COUNT - 3:  # room for three monthly payments
        merchant, low, high = rng.choice(_MERCHANTS)
        ledger.add(rng.choice(days), merchant, -money(rng, low, high), "Purchase", "purchase")
    _pay_in_full(ledger, PLATINUM_OPENING, start, today)
    return ledger


def low_rate(start: date, today: date) -> Ledger:
    """Visa Low Rate, kept for flights: two fares paid in full, then a partial refund."""
    ledger = Ledger("9032")
    ledger.add(date(2026, 9, 5), "VIRGIN AUSTRALIA AIRLINES BRISBANE QLD", Decimal("-389.00"),
               "Purchase", "purchase")
    ledger.add(date(2026, 10, 28), "QANTAS AIRWAYS MASCOT NSW", Decimal("-229.00"), "Purchase",
               "purchase")
    ledger.add(date(2026, 11, 14), "REFUND VIRGIN AUSTRALIA AIRLINES BRISBANE QLD",
               Decimal("24.10"), "Refund", "refund")
    _pay_in_full(ledger, LOW_RATE_OPENING, start, today)
    return ledger
