"""Serbian account numbers: bank code (3) + account (13) + control number (2).

The control number is ISO 7064 MOD 97-10 over the first sixteen digits, as the National Bank
of Serbia prescribes, so every number the site shows passes the check real software applies.
"""

from __future__ import annotations

NBSP = "\u00a0"


def control_number(bank: str, account: str) -> str:
    """The two control digits of ``bank``-``account`` (``98 - (n × 100 mod 97)``)."""
    digits = f"{bank}{account}"
    if len(bank) != 3 or len(account) != 13 or not digits.isdigit():
        raise ValueError("a Serbian account number is 3 + 13 digits before its control number")
    return f"{98 - int(digits) * 100 % 97:02d}"


def account_number(bank: str, account: int) -> str:
    """The canonical dashed form, e.g. ``265-0000001234567-89``."""
    body = f"{account:013d}"
    return f"{bank}-{body}-{control_number(bank, body)}"


def is_valid(number: str) -> bool:
    """True when a dashed (or bare 18-digit) number's control digits are right."""
    digits = number.replace("-", "")
    return len(digits) == 18 and digits.isdigit() and int(digits) % 97 == 1


def displayed(number: str) -> str:
    """The accounts page's form: the three parts separated by non-breaking spaces."""
    return number.replace("-", NBSP)
