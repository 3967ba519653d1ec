"""Banque Démo's data: the single source of truth the pages render from.

Pure Python, no Flask: other tests import :func:`build_bank` to compute the exact result a
sync of this site must return, so anything a page shows must come from here. The reference
date is fixed (never the real today) and all randomness flows from one seed, so recordings
and expected results never drift.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from .generators import (
    card_operations,
    checking_operations,
    pea_holdings_and_operations,
    savings_operations,
)
from .iban import french_iban
from .models import Account, Bank, Holding, Operation

__all__ = [
    "CUSTOMER_NAME",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "DEMO_USERNAME",
    "PAGE_SIZE",
    "REFERENCE_DATE",
    "SCENARIOS",
    "Account",
    "Bank",
    "Holding",
    "Operation",
    "build_bank",
    "scenario_username",
]

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "123456"
CUSTOMER_NAME = "M. Jean Dupont"
REFERENCE_DATE = date(2026, 11, 20)
DEFAULT_SEED = 2026
PAGE_SIZE = 25
"""Operations per page on ``/compte/ID/operations``."""

CHECKING_OPENING_BALANCE = Decimal("5236.47")
SAVINGS_OPENING_BALANCE = Decimal("6150.00")

SCENARIOS: dict[str, str] = {
    "normal": "Everything works (identifiant 'demo').",
    "locked": "Correct password, but the access is blocked (acces-bloque alert, no session).",
    "expired": "Correct password, then a forced password change page (/mot-de-passe-expire).",
    "secvalid": "Correct password, then a security validation to do from a computer.",
    "otp": "SMS one-time code (/code-sms); a trusted-device cookie skips it next time.",
    "maint": "Logged-in pages show a maintenance page with status 200.",
    "maint503": "Logged-in pages show a maintenance page with status 503.",
    "ratelimit": "Logged-in pages answer 429 with Retry-After: 120.",
    "captcha": "Logged-in pages show an 'are you a robot' captcha (status 200).",
    "slow": "/comptes waits slow_seconds before answering normally.",
    "hang": "/comptes never answers.",
    "brokenhistory": "The Livret A operations page fails with a 500; other accounts work.",
}
"""Scenario name → what it does. Chosen by the identifiant ``demo-NAME`` or at start-up."""


def scenario_username(name: str) -> str:
    """The identifiant that selects scenario ``name`` at login (``demo`` for normal)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}")
    return DEMO_USERNAME if name == "normal" else f"{DEMO_USERNAME}-{name}"


def _total(operations: list[Operation]) -> Decimal:
    return sum((op.amount for op in operations), Decimal("0"))


def build_bank(seed: int = DEFAULT_SEED) -> Bank:
    """The four accounts of M. Jean Dupont, deterministic for a given seed.

    Each account draws from its own ``Random`` derived from the seed, so changing how one
    account is generated does not reshuffle the others.
    """

    def rng(stream: int) -> random.Random:
        return random.Random(seed * 100 + stream)

    checking_ops = checking_operations(rng(1), REFERENCE_DATE)
    savings_ops = savings_operations(rng(2), REFERENCE_DATE)
    card_ops = card_operations(rng(3), REFERENCE_DATE)
    holdings, pea_ops = pea_holdings_and_operations(rng(4))

    return Bank(
        accounts=[
            Account(
                id="40001234567",
                label="Compte courant",
                kind="checking",
                type_label="Compte courant",
                iban=french_iban("30004", "00010", "00123456789"),
                balance=CHECKING_OPENING_BALANCE + _total(checking_ops),
                currency="EUR",
                operations=checking_ops,
            ),
            Account(
                id="40007654321",
                label="Livret A",
                kind="savings",
                type_label="Livret A",
                iban=french_iban("30004", "00010", "00765432198"),
                balance=SAVINGS_OPENING_BALANCE + _total(savings_ops),
                currency="EUR",
                operations=savings_ops,
            ),
            Account(
                id="40004970352",
                label="Carte Visa Premier",
                kind="card",
                type_label="Carte à débit différé",
                iban="4970 XXXX XXXX 3521",
                balance=_total(card_ops),
                currency="EUR",
                operations=card_ops,
            ),
            Account(
                id="40009876543",
                label="PEA",
                kind="pea",
                type_label="PEA",
                iban=french_iban("30004", "00010", "00987654321"),
                balance=sum((h.valuation for h in holdings), Decimal("0")),
                currency="EUR",
                operations=pea_ops,
                holdings=holdings,
            ),
        ]
    )
