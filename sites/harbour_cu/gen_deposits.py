"""Seeded histories of the deposit accounts: Everyday Access, Bonus Saver, Term Deposit.

Modelled on a Sydney member's transaction account: a fortnightly salary on Thursdays, rent
paid fortnightly by Osko, BPAY bills, direct debits, Visa debit and EFTPOS purchases, ATM
withdrawals, monthly interest of a few cents, dividends, share-trade settlements, and transfers
to the member's own accounts. Every transfer between two of the member's accounts appears on
both, on the same day, with opposite signs (Everyday → Bonus Saver monthly, Bonus Saver → Term
Deposit once, Everyday → each card's full monthly payment).

One deliberate duplicate exists: two identical coffees bought the same morning on Everyday
Access. An aggregator must keep both.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .gen_trading import DIVIDENDS, settlement_label
from .ledger import CENT, Ledger, business_day, days_between, money, month_starts
from .models import Account, Trade

EVERYDAY_COUNT = 164
EVERYDAY_OPENING = Decimal("3918.44")
BONUS_OPENING = Decimal("38412.90")
SAVER_TRANSFER = Decimal("500.00")
TERM_DEPOSIT_DAY = date(2026, 9, 11)
TERM_DEPOSIT_PRINCIPAL = Decimal("25000.00")

EVERYDAY_RATE = Decimal("0.01")  # % p.a.
BONUS_BASE_RATE = Decimal("0.35")
BONUS_EXTRA_RATE = Decimal("4.65")
"""Bonus interest is paid for a month with a deposit of $200+ and no withdrawal."""

COFFEE = "VISA PURCHASE THE COFFEE ALCHEMY MARRICKVILLE NSW"

# (description, min, max)
_PURCHASES: tuple[tuple[str, float, float], ...] = (
    ("VISA PURCHASE WOOLWORTHS 1234 ROZELLE NSW", 9, 142),
    ("EFTPOS PURCHASE ALDI STORES DRUMMOYNE NSW", 12, 118),
    ("VISA PURCHASE HARRIS FARM MARKETS LEICHHARDT NSW", 8, 74),
    ("EFTPOS PURCHASE COLES 0456 BIRKENHEAD POINT NSW", 6, 96),
    ("VISA PURCHASE TRANSPORTFORNSW OPAL SYDNEY NSW", 10, 50),
    ("VISA PURCHASE 7-ELEVEN 2261 LILYFIELD NSW", 4, 32),
    ("VISA PURCHASE BAKERS DELIGHT BALMAIN NSW", 5, 19),
    ("VISA PURCHASE CHEMIST WAREHOUSE ROZELLE NSW", 7, 58),
    ("VISA PURCHASE GUZMAN Y GOMEZ BALMAIN NSW", 13, 36),
    ("EFTPOS PURCHASE BUNNINGS 332000 RYDALMERE NSW", 11, 160),
    ("VISA PURCHASE UBER *TRIP HELP.UBER.COM NSW", 12, 48),
    ("VISA PURCHASE LUNE CROISSANTERIE SYDNEY NSW", 9, 28),
)
_ATM = ("ATM WITHDRAWAL HARBOUR CU BALMAIN NSW", "ATM WITHDRAWAL CARDTRONICS ROZELLE NSW")
_FRIENDS = ("S PATEL", "M NGUYEN", "L O'BRIEN", "T WILLIAMS")


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def saver_transfer_days(start: date, today: date) -> list[date]:
    """The monthly Everyday → Bonus Saver transfer: first business day of each month."""
    days = [business_day(first) for first in month_starts(start, today)]
    return [d for d in days if start <= d <= today]


def _monthly_interest(balance: Decimal, rate_pct: Decimal, days: int) -> Decimal:
    return (balance * rate_pct / 100 * days / 365).quantize(CENT, ROUND_HALF_UP)


def everyday(rng: random.Random, start: date, today: date, cards: list[Account],
             trades: list[Trade]) -> Ledger:
    """Everyday Access: 164 lines over the six months before ``today``."""
    ledger = Ledger("8815")
    ledger.add(business_day(today - timedelta(days=4)), COFFEE, Decimal("-5.50"), "Withdrawal",
               "pos")
    ledger.add(business_day(today - timedelta(days=4)), COFFEE, Decimal("-5.50"), "Withdrawal",
               "pos", allow_duplicate=True)

    payday = date(2026, 5, 28)  # a Thursday
    while payday <= today:
        salary = Decimal("3412.86") if payday == date(2026, 10, 22) else Decimal("3284.60")
        ledger.add(payday, "SALARY HARBOURSIDE HEALTH PTY LTD", salary, "Deposit",
                   "direct_credit")
        rent_day = payday + timedelta(days=1)
        if rent_day <= today:
            ledger.add(rent_day, f"OSKO PAYMENT TO RAY WHITE BALMAIN RENT {rent_day:%d%m}",
                       Decimal("-1240.00"), "Transfer out", "osko")
        payday += timedelta(days=14)

    for day in saver_transfer_days(start, today):
        ledger.add(day, "TRANSFER TO BONUS SAVER 2047 8823", -SAVER_TRANSFER, "Transfer out",
                   "internal")
    for card in cards:
        for txn in card.transactions:
            if txn.channel == "card_payment":
                ledger.add(txn.date, f"TRANSFER TO {card.name.upper()} XX{card.last4}",
                           -txn.amount, "Transfer out", "internal")
    for trade in trades:
        if start <= trade.settle_date <= today:
            ledger.add(trade.settle_date, settlement_label(trade), trade.total, "Withdrawal",
                       "direct_debit")
    for day, label, amount in DIVIDENDS:
        ledger.add(day, label, amount, "Deposit", "dividend")

    for day, label, bill in (
        (date(2026, 6, 18), "BPAY ORIGIN ENERGY 2849105536", "-342.17"),
        (date(2026, 7, 22), "BPAY SYDNEY WATER 0047712290", "-238.41"),
        (date(2026, 8, 5), "BPAY NRMA INSURANCE MOT0193374", "-1184.30"),
        (date(2026, 9, 17), "BPAY ORIGIN ENERGY 2849105536", "-298.64"),
        (date(2026, 10, 21), "BPAY SYDNEY WATER 0047712290", "-251.09"),
    ):
        ledger.add(day, label, Decimal(bill), "Withdrawal", "bpay")
    for first in month_starts(start, today):
        for day_of_month, label, debit in (
            (3, "DIRECT DEBIT ANYTIME FITNESS 88213", "-31.95"),
            (15, "DIRECT DEBIT MEDIBANK PRIVATE 4471902", "-187.45"),
            (22, "DIRECT DEBIT TELSTRA 3002914471", "-89.00"),
        ):
            day = business_day(first.replace(day=day_of_month))
            if start <= day <= today:
                ledger.add(day, label, Decimal(debit), "Withdrawal", "direct_debit")

    business_days = [d for d in days_between(start, today) if d.weekday() < 5]
    for friend in _FRIENDS:
        day = rng.choice(business_days)
        ledger.add(day, f"OSKO PAYMENT FROM {friend} DINNER",
                   Decimal(rng.randint(25, 85)).quantize(CENT), "Transfer in", "osko")

    all_days = days_between(start, today)
    # Leave room for the month-end interest lines, added last so they see final balances.
    interest_months = [f for f in month_starts(start, today) if _month_end(f) < today]
    while len(ledger) < EVERYDAY_COUNT - len(interest_months):
        if rng.random() < 0.08:
            ledger.add(rng.choice(business_days), rng.choice(_ATM),
                       -Decimal(rng.choice((50, 100, 100, 200))), "Withdrawal", "atm")
        else:
            label, low, high = rng.choice(_PURCHASES)
            ledger.add(rng.choice(all_days), label, -money(rng, low, high), "Withdrawal", "pos")
    for first in interest_months:
        end = _month_end(first)
        balance = ledger.balance_at_end_of(end, EVERYDAY_OPENING)
        interest = max(_monthly_interest(balance, EVERYDAY_RATE, end.day), CENT)
        ledger.add(end, "INTEREST CREDIT", interest, "Deposit", "interest")
    return ledger


def bonus_saver(start: date, today: date) -> Ledger:
    """Bonus Saver: $500 in each month, base and bonus interest, the term deposit transfer."""
    ledger = Ledger("8823")
    for day in saver_transfer_days(start, today):
        ledger.add(day, "TRANSFER FROM EVERYDAY ACCESS 2047 8815", SAVER_TRANSFER, "Transfer in",
                   "internal")
    ledger.add(TERM_DEPOSIT_DAY, "TRANSFER TO TERM DEPOSIT 2047 8831", -TERM_DEPOSIT_PRINCIPAL,
               "Transfer out", "internal")
    for first in month_starts(start, today):
        end = _month_end(first)
        if end >= today:
            break
        balance = ledger.balance_at_end_of(end, BONUS_OPENING)
        ledger.add(end, "BASE INTEREST", _monthly_interest(balance, BONUS_BASE_RATE, end.day),
                   "Deposit", "interest")
        withdrew = first <= TERM_DEPOSIT_DAY <= end
        if not withdrew:
            ledger.add(end, "BONUS INTEREST",
                       _monthly_interest(balance, BONUS_EXTRA_RATE, end.day), "Deposit",
                       "interest")
    return ledger


def term_deposit() -> Ledger:
    """Term Deposit: the one opening transfer; interest is paid at maturity."""
    ledger = Ledger("8831")
    ledger.add(TERM_DEPOSIT_DAY, "TRANSFER FROM BONUS SAVER 2047 8823", TERM_DEPOSIT_PRINCIPAL,
               "Transfer in", "internal")
    return ledger
