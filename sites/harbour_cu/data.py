"""Harbour Credit Union's data: the single source of truth every page and download renders.

Pure Python, no Flask: recipe tests import :func:`build_bank` to compute the exact result a
sync must return (accounts with ``Decimal`` balances, signed transactions with ``date``\\ s,
holdings). The reference day is fixed (never the real today) and all randomness flows from one
seed, so pages, downloads and expected results never drift.

The member has six accounts: three deposit accounts on ``/accounts`` (Everyday Access, Bonus
Saver, a 6-month Term Deposit), two Visa credit cards on ``/cards`` and a CHESS-sponsored share
trading account on ``/investments``.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from . import gen_cards, gen_deposits, gen_trading
from .ledger import Ledger
from .models import Account, Bank, Foreign, Holding, Trade, Transaction

__all__ = [
    "BSB",
    "CUSTOMER_EMAIL",
    "CUSTOMER_NAME",
    "DEFAULT_OTP_CODE",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "REFERENCE_DATE",
    "SCENARIOS",
    "Account",
    "Bank",
    "Foreign",
    "Holding",
    "Trade",
    "Transaction",
    "build_bank",
    "masked_email",
    "scenario_username",
]

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Harbour-2026"
DEFAULT_OTP_CODE = "739204"
CUSTOMER_NAME = "Jordan Mitchell"
CUSTOMER_EMAIL = "jordan.mitchell@example.com"
MEMBER_NUMBER = "20481234"
REFERENCE_DATE = date(2026, 11, 20)
DEFAULT_SEED = 2026
BSB = "633-000"
NBSP = "\u00a0"

DEPOSIT_HISTORY_DAYS = 180
CARD_HISTORY_DAYS = 91

SCENARIOS: dict[str, str] = {
    "normal": "Everything works; an e-mailed code is asked unless the device is remembered.",
    "locked": "Correct password, but Internet Banking access is locked (no session).",
    "maint": "Correct password and code, then every page shows the maintenance notice (200).",
}
"""Scenario name → what it does, chosen by the username ``demo-NAME`` (``demo`` is normal).
A site-wide maintenance (every page, status 503) is forced with ``create_app(maintenance=True)``.
"""


def scenario_username(name: str) -> str:
    """The username that selects scenario ``name`` at login."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}")
    return DEMO_USERNAME if name == "normal" else f"{DEMO_USERNAME}-{name}"


def masked_email(email: str = CUSTOMER_EMAIL) -> str:
    """``jordan.mitchell@example.com`` → ``j•••@example.com``, as the code page prints it."""
    local, _, domain = email.partition("@")
    return f"{local[0]}•••@{domain}"


def spaced(digits: str) -> str:
    """An account number as printed: groups of four joined by no-break spaces."""
    return NBSP.join(digits[i:i + 4] for i in range(0, len(digits), 4))


def _key(account_id: str) -> str:
    """The opaque account id in URLs: stable for an account, whatever the seed."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://harbourcu.example/{account_id}"))


def _pending_everyday(today: date) -> list[Transaction]:
    """Card authorisations not yet booked: not in the balance, deducted from the available."""
    rows = (
        (today, "VISA PURCHASE WOOLWORTHS 1234 ROZELLE NSW", "-86.35"),
        (today - timedelta(days=1), "VISA PURCHASE AMPOL FOODARY BALMAIN NSW", "-72.10"),
        (today - timedelta(days=1), "VISA PURCHASE UBER *EATS HELP.UBER.COM NSW", "-34.80"),
    )
    return [
        Transaction(day, label, Decimal(amount), "Withdrawal", "pos", f"P{day:%Y%m%d}{n:03d}",
                    None, pending=True)
        for n, (day, label, amount) in enumerate(rows, start=1)
    ]


def _deposit(account_id: str, name: str, kind: str, product: str, ledger: Ledger,
             opening: Decimal, *, pending: list[Transaction] | None = None,
             available: Decimal | None = None, interest_rate: Decimal | None = None,
             opened: date | None = None, maturity: date | None = None) -> Account:
    transactions = ledger.book(opening)
    balance = transactions[0].balance if transactions else opening
    assert balance is not None
    pending = pending or []
    if available is None:
        available = balance + sum((p.amount for p in pending), Decimal(0))
    return Account(
        key=_key(account_id), id=account_id, name=name, kind=kind, product=product,
        number=spaced(account_id), bsb=BSB, balance=balance, available=available,
        opening_balance=opening, transactions=transactions, pending=pending,
        interest_rate=interest_rate, opened=opened, maturity=maturity,
    )


def _card(card_id: str, name: str, product: str, ledger: Ledger, opening: Decimal,
          limit: Decimal, rate: Decimal) -> Account:
    transactions = ledger.book(opening)
    balance = transactions[0].balance if transactions else opening
    assert balance is not None
    shown = f"{card_id[:4]}{NBSP}{card_id[4:6]}••{NBSP}••••{NBSP}{card_id[-4:]}"
    return Account(
        key=_key(card_id), id=card_id, name=name, kind="card", product=product, number=shown,
        bsb=None, balance=balance, available=limit + balance, opening_balance=opening,
        transactions=transactions, credit_limit=limit, interest_rate=rate,
    )


def _trading(trades: list[Trade], holdings: list[Holding]) -> Account:
    account_id = "63011294"
    transactions = [
        Transaction(t.trade_date, gen_trading.trade_label(t), t.total, "Buy", "trade",
                    t.reference, None)
        for t in trades
    ]
    value = sum((h.market_value for h in holdings), Decimal(0))
    return Account(
        key=_key(account_id), id=account_id, name="Share Trading",
        kind="brokerage", product="Harbour Share Trading (CHESS sponsored)",
        number=spaced(account_id), bsb=None, balance=value, available=value,
        opening_balance=Decimal(0), transactions=transactions, holdings=holdings,
        trades=trades, opened=date(2024, 11, 1),
    )


def build_bank(seed: int = DEFAULT_SEED) -> Bank:
    """The six accounts of Jordan Mitchell, deterministic for a given seed.

    Each random history draws from its own ``Random`` derived from the seed, so changing how
    one account is generated does not reshuffle the others.
    """

    def rng(stream: int) -> random.Random:
        return random.Random(seed * 100 + stream)

    today = REFERENCE_DATE
    deposit_start = today - timedelta(days=DEPOSIT_HISTORY_DAYS - 1)
    card_start = today - timedelta(days=CARD_HISTORY_DAYS - 1)

    platinum = _card("456471XXXXXX4821", "Visa Platinum", "Harbour Visa Platinum credit card",
                     gen_cards.platinum(rng(3), card_start, today), gen_cards.PLATINUM_OPENING,
                     Decimal("8000.00"), Decimal("19.99"))
    low_rate = _card("456471XXXXXX9032", "Visa Low Rate", "Harbour Visa Low Rate credit card",
                     gen_cards.low_rate(card_start, today), gen_cards.LOW_RATE_OPENING,
                     Decimal("3000.00"), Decimal("11.99"))
    cards = [platinum, low_rate]
    trades = gen_trading.trades()
    trading = _trading(trades, gen_trading.holdings())

    everyday = _deposit(
        "20478815", "Everyday Access", "checking", "Everyday Access account",
        gen_deposits.everyday(rng(1), deposit_start, today, cards, trades),
        gen_deposits.EVERYDAY_OPENING, pending=_pending_everyday(today),
        interest_rate=gen_deposits.EVERYDAY_RATE,
    )
    saver = _deposit(
        "20478823", "Bonus Saver", "savings", "Bonus Saver account",
        gen_deposits.bonus_saver(deposit_start, today), gen_deposits.BONUS_OPENING,
        interest_rate=gen_deposits.BONUS_BASE_RATE + gen_deposits.BONUS_EXTRA_RATE,
    )
    term = _deposit(
        "20478831", "Term Deposit", "deposit", "6 month Term Deposit",
        gen_deposits.term_deposit(), Decimal("0.00"), available=Decimal("0.00"),
        interest_rate=Decimal("4.60"), opened=gen_deposits.TERM_DEPOSIT_DAY,
        maturity=date(2027, 3, 11),
    )
    return Bank(accounts=[everyday, saver, term, platinum, low_rate, trading])
