"""How Banka Sever writes amounts, dates and months (Serbian conventions, both scripts).

The statement grid writes ``1.234.567,89`` (dot thousands, comma decimals) with the currency
after the number on the accounts page; the overview widget, fed by the mobile back-end, writes
``RSD 1,500``: currency first, whole units, *comma* thousands. A recipe must read each with
its own separator, which is the point of showing both.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .script import to_cyrillic

MONTHS = ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
          "oktobar", "novembar", "decembar")
"""Serbian month names (nominative, as Serbian writes them in dates and headings)."""

CYRILLIC = "sr-Cyrl"
LATIN = "sr-Latn"


def amount(value: Decimal) -> str:
    """``-1234567.8`` → ``-1.234.567,80``."""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"{sign}{groups},{cents}"


def amount_with_currency(value: Decimal, currency: str) -> str:
    """``1.234.567,89 RSD``: the accounts page's form (currency after the number)."""
    return f"{amount(value)} {currency}"


def whole_units(value: Decimal) -> Decimal:
    """The overview widget's rounding: half up to whole dinars (or euros)."""
    return value.quantize(Decimal(1), ROUND_HALF_UP)


def widget_amount(value: Decimal, currency: str) -> str:
    """``RSD 1,500``: currency first, no decimals, comma thousands (the widget's form)."""
    return f"{currency} {int(whole_units(value)):,}"


def date_numeric(day: date) -> str:
    """``20.11.2026.``: Serbian dates end with a dot."""
    return f"{day.day:02d}.{day.month:02d}.{day.year}."


def day_only(day: date) -> str:
    """``19.``: the statement grid's date under a month heading."""
    return f"{day.day:02d}."


def day_month(day: date) -> str:
    """``19.11.``: the card grid's date, without its year (the statement period gives it)."""
    return f"{day.day:02d}.{day.month:02d}."


def month_heading(year: int, month: int, script: str) -> str:
    """``Novembar 2026`` in Latin, ``новембар 2026`` in Cyrillic (as the two interfaces do)."""
    name = MONTHS[month - 1]
    if script == CYRILLIC:
        return f"{to_cyrillic(name)} {year}"
    return f"{name.capitalize()} {year}"
