"""French number and date formatting, exactly as Banque Démo prints them.

Real French banks are inconsistent from one page to the next, and the engine's parsers must
cope; so the card page deliberately uses another style (true minus sign, currency code,
abbreviated month names) than the other pages. Each style is a pure function here so tests
can compute the exact text a page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NNBSP = "\u202f"
"""Narrow no-break space: the thousands separator of French typography."""
NBSP = "\u00a0"
"""No-break space: between the number and the ``€`` sign."""
MINUS = "\u2212"
"""The typographic minus sign, used on the card page only."""

MONTHS_ABBR = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)

CENT = Decimal("0.01")


def _digits(value: Decimal) -> str:
    """``1234.5`` → ``1 234,50`` (no sign), with U+202F between thousands groups."""
    whole, frac = f"{abs(value).quantize(CENT, ROUND_HALF_UP):f}".split(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{NNBSP.join(groups)},{frac}"


def amount_eur(value: Decimal) -> str:
    """The usual style: ``-1 234,56 €`` (hyphen-minus, no sign on credits)."""
    sign = "-" if value < 0 else ""
    return f"{sign}{_digits(value)}{NBSP}€"


def amount_eur_signed(value: Decimal) -> str:
    """Savings-page style: like :func:`amount_eur` but credits carry ``+`` (``+15,00 €``)."""
    sign = "-" if value < 0 else "+" if value > 0 else ""
    return f"{sign}{_digits(value)}{NBSP}€"


def amount_code(value: Decimal) -> str:
    """Card-page style: ``−12,30 EUR`` with U+2212 and the ISO currency code."""
    sign = MINUS if value < 0 else ""
    return f"{sign}{_digits(value)} EUR"


def date_numeric(day: date) -> str:
    """``20/11/2026``."""
    return day.strftime("%d/%m/%Y")


def date_abbr(day: date) -> str:
    """``24 nov. 2026`` (day not zero-padded), independent of the process locale."""
    return f"{day.day} {MONTHS_ABBR[day.month - 1]} {day.year}"


def quantity(value: Decimal) -> str:
    """``12,5`` or ``8``: no trailing zeros, decimal comma, no grouping."""
    text = f"{value.normalize():f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def operation_formatters(kind: str) -> tuple[Callable[[date], str], Callable[[Decimal], str]]:
    """(date formatter, amount formatter) used on the operations page of an account kind."""
    if kind == "card":
        return date_abbr, amount_code
    if kind == "savings":
        return date_numeric, amount_eur_signed
    return date_numeric, amount_eur
