"""How each country's banks print dates and amounts on a statement page.

These tables are what the *pages* show, typed as the banks print them (the engine must read
them with CLDR data, not with these tables). Where CLDR and bank practice differ the bank
wins, e.g. Dutch banks print "mrt"/"nov" without CLDR's trailing dot; the differences are
listed in PATTERNS.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space
MINUS = "\u2212"  # the minus sign, not the hyphen

RU_MONTHS_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                      "августа", "сентября", "октября", "ноября", "декабря")
RU_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота",
               "воскресенье")
DE_MONTHS_ABBR = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.",
                  "Okt.", "Nov.", "Dez.")
PT_MONTHS_ABBR = ("jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.",
                  "out.", "nov.", "dez.")
ES_MONTHS_ABBR = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct",
                  "nov", "dic")
IT_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
             "agosto", "settembre", "ottobre", "novembre", "dicembre")
NL_MONTHS_ABBR = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov",
                  "dec")
PL_MONTHS_GENITIVE = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
                      "sierpnia", "września", "października", "listopada", "grudnia")
PL_MONTHS_ABBR = ("sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis",
                  "gru")
PL_WEEKDAYS_ABBR = ("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz.")
SR_MONTHS = ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
             "oktobar", "novembar", "decembar")


def grouped(value: Decimal, group: str, decimal: str = ",") -> str:
    """``abs(value)`` with thousands ``group`` separators and two decimals."""
    whole, cents = f"{abs(value):.2f}".split(".")
    return f"{int(whole):,}".replace(",", group) + decimal + cents


# --- ru: СберБанк-style history, grouped by day -------------------------------------------
def ru_day_heading(day: date) -> str:
    """``12 ноября 2026 г., четверг``."""
    return f"{ru_date(day)}, {RU_WEEKDAYS[day.weekday()]}"


def ru_amount(value: Decimal) -> str:
    """``−1 234,56 ₽`` (U+2212, narrow no-break thousands) or ``+96 450,00 ₽``."""
    sign = MINUS if value < 0 else "+"
    return f"{sign}{grouped(value, NNBSP)}{NBSP}₽"


def ru_date(day: date) -> str:
    """``12 ноября 2026 г.`` (the period line)."""
    return f"{day.day} {RU_MONTHS_GENITIVE[day.month - 1]} {day.year} г."


# --- de: Sparkasse-style Umsatzanzeige ----------------------------------------------------
def de_numeric(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def de_long(day: date) -> str:
    """``12. Nov. 2026``, ``2. März 2026``, ``1. Sept. 2026``."""
    return f"{day.day}. {DE_MONTHS_ABBR[day.month - 1]} {day.year}"


def de_amount(value: Decimal, currency: bool = False) -> str:
    """``1.234,56 S`` (Soll, debit) or ``3.412,77 H`` (Haben, credit); ``€`` in totals."""
    unit = f"{NBSP}€" if currency else ""
    return f"{grouped(value, '.')}{unit}{NBSP}{'S' if value < 0 else 'H'}"


# --- pt, es, it, nl, pl, sr ---------------------------------------------------------------
def pt_date(day: date) -> str:
    """``12 nov. 2026``."""
    return f"{day.day} {PT_MONTHS_ABBR[day.month - 1]} {day.year}"


def euro_signed(value: Decimal) -> str:
    """``-1.234,56 €`` / ``1.845,60 €`` (Portugal, Spain)."""
    return f"{'-' if value < 0 else ''}{grouped(value, '.')}{NBSP}€"


def es_date(day: date) -> str:
    """``12 nov 2026`` (``15 sept 2026``)."""
    return f"{day.day} {ES_MONTHS_ABBR[day.month - 1]} {day.year}"


def it_date(day: date) -> str:
    """``12 novembre 2026``."""
    return f"{day.day} {IT_MONTHS[day.month - 1]} {day.year}"


def it_numeric(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def it_amount(value: Decimal) -> str:
    """``1.234,56`` (Dare/Avere columns carry the direction)."""
    return grouped(value, ".")


def nl_date(day: date) -> str:
    """``12 nov 2026`` (``18 mrt 2026``, ``26 mei 2026``)."""
    return f"{day.day} {NL_MONTHS_ABBR[day.month - 1]} {day.year}"


def nl_amount(value: Decimal) -> str:
    """``€ 1.234,56`` (unsigned; Af/Bij carries the direction)."""
    return f"€{NBSP}{grouped(value, '.')}"


def pl_short(day: date) -> str:
    """``czw., 12 lis 2026``."""
    weekday = PL_WEEKDAYS_ABBR[day.weekday()]
    return f"{weekday}, {day.day} {PL_MONTHS_ABBR[day.month - 1]} {day.year}"


def pl_long(day: date) -> str:
    """``12 listopada 2026`` (genitive month)."""
    return f"{day.day} {PL_MONTHS_GENITIVE[day.month - 1]} {day.year}"


def pl_amount(value: Decimal) -> str:
    """``-1 234,56 zł`` (no-break space thousands)."""
    return f"{'-' if value < 0 else ''}{grouped(value, NBSP)}{NBSP}zł"


def sr_long(day: date) -> str:
    """``12. novembar 2026.``."""
    return f"{day.day}. {SR_MONTHS[day.month - 1]} {day.year}."


def sr_numeric(day: date) -> str:
    return f"{day:%d.%m.%Y}."


def sr_amount(value: Decimal) -> str:
    """``-1.234,56``."""
    return f"{'-' if value < 0 else ''}{grouped(value, '.')}"
