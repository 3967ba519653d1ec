"""Australian money and date formatting, exactly as Harbour Credit Union's pages print them.

Like real Australian internet banking, the site uses several conventions at once, and each
view sticks to one: unsigned amounts beside a "Type" column, ``CR``/``DR`` suffixes on cards,
separate Debit/Credit columns in the search, whole dollars in summaries, ``A$``/``US$`` where a
foreign currency is involved. Each is a pure function so tests compute the exact text a page
shows. Nothing depends on the process locale.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

from .models import Foreign

CENT = Decimal("0.01")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _grouped(value: Decimal, places: int = 2) -> str:
    """``1234.5`` → ``1,234.50`` (no sign)."""
    quantum = Decimal(1).scaleb(-places)
    return f"{abs(value).quantize(quantum, ROUND_HALF_UP):,.{places}f}"


def money(value: Decimal, symbol: str = "$") -> str:
    """``$1,234.56``, or ``-$1,234.56`` for a negative value (the sign before the symbol)."""
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{_grouped(value)}"


def unsigned(value: Decimal, symbol: str = "$") -> str:
    """``$45.90`` whatever the sign: the views that show the direction some other way."""
    return f"{symbol}{_grouped(value)}"


def crdr(value: Decimal, symbol: str = "$") -> str:
    """Card style: ``$45.90 DR`` for money out or owed, ``$1,000.00 CR`` for money in."""
    if value == 0:
        return f"{symbol}0.00"
    return f"{symbol}{_grouped(value)} {'DR' if value < 0 else 'CR'}"


def whole_dollars(value: Decimal) -> str:
    """Summary style: ``$25,000`` (only for amounts that are whole dollars, so it is exact)."""
    if value != value.to_integral_value():
        raise ValueError(f"{value} is not a whole number of dollars")
    return f"${_grouped(value, 0)}"


def foreign(value: Decimal, currency: str) -> str:
    """``US$12.00``: the original amount of a foreign purchase, unsigned."""
    prefixes = {"USD": "US$", "NZD": "NZ$", "AUD": "A$"}
    prefix = prefixes.get(currency, f"{currency} ")
    return f"{prefix}{_grouped(value)}"


def conversion(original: Foreign) -> str:
    """The rate line under a foreign purchase: ``US$1.00 = A$1.5392``."""
    return f"{foreign(Decimal(1), original.currency)} = A${original.rate}"


def rate(value: Decimal) -> str:
    """An interest rate: ``4.60% p.a.``."""
    return f"{value:.2f}% p.a."


def date_long(day: date) -> str:
    """``19 Nov 2026`` (day not zero-padded)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def date_short(day: date) -> str:
    """``19/11/26``: the search and "All activity" style."""
    return day.strftime("%d/%m/%y")


def number_html(number: str) -> Markup:
    """An account number with its no-break spaces written as ``&nbsp;``, as servers do."""
    return Markup("&nbsp;").join(escape(part) for part in number.split("\u00a0"))


def units(value: Decimal) -> str:
    """Share units: ``1,500`` (whole) or ``12.5``."""
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def price(value: Decimal) -> str:
    """A share price: ``$43.18`` (ASX prices above $2 tick in cents)."""
    return f"${_grouped(value)}"
