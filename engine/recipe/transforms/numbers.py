"""The number parsers: ``amount``, ``decimal`` and ``int``.

Amounts are never floats: every number goes from text to ``Decimal`` by string manipulation.
Options say what a page cannot: which mark is the decimal separator (per field, or
``institution.decimal_separator``), that amounts are written without decimals (``decimals:
0``: "$1,234" is 1234, "1,500 RSD" is 1500) or in integer minor units (``minor_units``: cents
divided by 10^exponent of the currency, ISO 4217: JPY 0, KWD 3).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field

from engine.recipe.transforms.currency import MARKER as _CUR
from engine.recipe.transforms.currency import codes_in, currency_exponent
from engine.recipe.transforms.registry import (
    Example,
    FieldEnv,
    FieldSettings,
    TransformError,
    parser,
    quote,
)
from engine.recipe.transforms.source import _Strict
from engine.recipe.transforms.text import clean_text

__all__ = ["AmountOptions", "DecimalOptions", "parse_amount", "parse_decimal", "parse_int"]

_quote = quote

# Numbers

# Minus look-alikes used by bank pages: U+2212 minus, U+2010/2011 hyphens, U+2012 figure dash,
# U+2013 en dash, U+FE63 small hyphen-minus, U+FF0D full-width hyphen-minus.
_MINUS = str.maketrans(dict.fromkeys("\u2212\u2010\u2011\u2012\u2013\ufe63\uff0d", "-"))

# One amount with its context, on clean_text() output (single spaces only). Grouping separators
# (space, ".", ",", "'", "’") must recur consistently before groups of exactly three digits, so
# "45,9" and "12,3456" are decimals and "12 2026" is two numbers. Digits glued to "/", ":" or
# "." on either side are dates, times or references and never amounts ("20/11", "20.11.2026").
_AMOUNT_RE = re.compile(
    rf"""
    (?P<open>\(\ ?)?
    (?:(?P<cur1>{_CUR})\ ?)?
    (?:(?<![0-9])(?<![0-9]\ )(?P<sign>[-+])\ ?)?
    (?:(?P<cur2>{_CUR})\ ?)?
    (?<![0-9.,])(?<![0-9][/:])
    (?P<int>[0-9]{{1,3}}(?P<g>[\ .,'’])[0-9]{{3}}(?![0-9])(?:(?P=g)[0-9]{{3}}(?![0-9]))*|[0-9]+)
    (?:(?P<dec>[.,])(?P<frac>[0-9]+))?
    (?![0-9]|[.,/:][0-9])
    (?:\ ?(?P<cur3>{_CUR}))?
    (?P<tsign>-(?![0-9])|\ -(?=\ ?(?:\)|$)))?
    (?:\ ?(?P<crdb>(?i:cr|db|dr))(?![A-Za-z]))?
    (?:\ ?(?P<close>\)))?
    """,
    re.VERBOSE,
)


def _has_marker(match: re.Match[str]) -> bool:
    """True when the number looks like money: a currency next to it or a decimal separator."""
    currency = match["cur1"] or match["cur2"] or match["cur3"]
    return bool(currency or match["dec"]) or match["g"] in (".", ",")


def _sign(match: re.Match[str], value: str) -> int:
    crdb = (match["crdb"] or "").lower()
    negative = [
        match["sign"] == "-",
        match["tsign"] is not None,
        bool(match["open"] and match["close"]),
        crdb in ("db", "dr"),
    ]
    positive = [match["sign"] == "+", crdb == "cr"]
    if sum(negative) + sum(positive) > 1:
        raise TransformError(f"conflicting signs in {_quote(value)}: expected at most one sign")
    return -1 if any(negative) else 1


def _to_decimal(
    match: re.Match[str], value: str, decimal_separator: str | None, lone_is_grouping: bool
) -> Decimal:
    """Decide which separator is the decimal one and build the Decimal from digits only."""
    int_part, group, dec, frac = match["int"], match["g"], match["dec"], match["frac"]
    if group in (".", ",") and dec is None and int_part.count(group) == 1:
        # The ambiguous case: "1,234" / "1.234". See parse_amount's docstring.
        if decimal_separator is not None:
            as_decimal = group == decimal_separator
        else:
            as_decimal = not lone_is_grouping
        if as_decimal:
            int_part, frac = int_part.split(group)
            dec, group = group, None
    malformed = dec is not None and dec == group
    if decimal_separator is not None:
        malformed = malformed or group == decimal_separator
        malformed = malformed or (dec is not None and dec != decimal_separator)
    if malformed:
        hint = f" with {decimal_separator!r} as decimal separator" if decimal_separator else ""
        raise TransformError(
            f"malformed number {match['int']}{dec or ''}{frac or ''} in {_quote(value)}{hint}: "
            "expected thousands groups of three digits and at most one decimal separator"
        )
    digits = int_part.replace(group, "") if group else int_part
    result = Decimal(f"{digits}.{frac}" if frac is not None else digits)
    result = result.copy_negate() if _sign(match, value) < 0 else result
    return abs(result) if result.is_zero() else result  # no "-0.00"


def _parse_number(
    value: str, *, prefer_money: bool, decimal_separator: str | None, lone_is_grouping: bool
) -> Decimal:
    if decimal_separator not in (None, ".", ","):
        raise ValueError(f"decimal_separator must be '.' or ',', not {decimal_separator!r}")
    matches = list(_AMOUNT_RE.finditer(clean_text(value).translate(_MINUS)))
    if not matches:
        raise TransformError(
            f"no number in {_quote(value)}: expected digits such as '1 234,56 €' or '-1,234.56'"
        )
    chosen = matches[0]
    if prefer_money:
        chosen = next((m for m in matches if _has_marker(m)), chosen)
    return _to_decimal(chosen, value, decimal_separator, lone_is_grouping)


def parse_amount(value: str, *, decimal_separator: str | None = None) -> Decimal:
    """Parse a money amount from messy bank text into an exact Decimal.

    Which number: the first one that carries a currency or a decimal separator, else the first
    number at all. Digits glued to "/", ":" or "." are dates/times and skipped, so
    "Au 20/11 : 1 234,56 €" and "Solde : 1 234,56 € au 20/11" both give 1234.56.

    Separators:
    - spaces (any Unicode space), "'" and "’" are always thousands separators;
    - when both "." and "," appear, the last one is the decimal separator;
    - a "." or "," that repeats ("1.234.567") is a thousands separator;
    - a single "." or "," is the decimal separator, *whatever the number of digits after it*:
      "1,234" and "1.234" are both 1.234 (French-first for ",", and English pages write
      thousands with a comma, so a lone "." is decimal too). Bank amounts carry cents, so a
      genuine 1234 is written "1 234,00" / "1,234.00", never "1,234". When the site's
      convention is known, pass ``decimal_separator`` ("," or ".") to override: the other mark
      then reads as a thousands separator and a contradicting text raises.
    - thousands separators must be consistent and followed by exactly three digits, so
      "12,3456" is 12.3456 and "1.234.56" raises.

    Sign: leading "-"/"+" (also U+2212 and dashes; a space may follow), trailing "-" glued to
    the number or currency ("12,00-", "12,00 €-") or spaced at the very end ("12,00 -"),
    accounting parentheses "(12.00)", and "CR" (credit) / "DB" or "DR" (debit) suffixes. More
    than one sign marker raises. A spaced "-" after another number ("1234 - 45,90 €") or before
    more text ("12,00 - Carte") is a separator, not a minus. A negative zero becomes zero.

    Limitations: space grouping is greedy ("au 20 123,45" is 20123.45); ".50" without a
    leading digit is not a number.
    """
    return _parse_number(
        value, prefer_money=True, decimal_separator=decimal_separator, lone_is_grouping=False
    )


def parse_decimal(value: str, *, decimal_separator: str | None = None) -> Decimal:
    """Same number rules as ``parse_amount`` for quantities, unit prices and rates.

    The only difference: this takes the first number in the text, money-looking or not,
    because a quantity is usually a bare integer next to a price ("12 parts à 3,45 €" -> 12).
    """
    return _parse_number(
        value, prefer_money=False, decimal_separator=decimal_separator, lone_is_grouping=False
    )


def parse_int(value: str) -> int:
    """Parse a whole number (counts, quantities); "12,00" is accepted, "12,5" raises.

    Unlike ``parse_amount``, a lone "." or "," followed by exactly three digits is read as a
    thousands separator ("1,234" and "1.234" -> 1234): the caller has told us the value is an
    integer, so that is the only reading that can succeed.
    """
    result = _parse_number(value, prefer_money=False, decimal_separator=None, lone_is_grouping=True)
    if result != result.to_integral_value():
        raise TransformError(f"{_quote(value)} is not a whole number: expected an integer")
    return int(result)



# ----------------------------------------------------------------------------- registry entries

Separator = Literal[",", "."]


class DecimalOptions(_Strict):
    decimal: Separator | None = Field(
        default=None, description="The decimal separator; the other mark is then a thousands "
        "separator. Default: institution.decimal_separator, else guessed.")


class AmountOptions(DecimalOptions):
    decimals: Literal[0] | None = Field(
        default=None, description="0: amounts are written without decimals, every '.' or ',' "
        "groups thousands ('$1,234' is 1234).")
    minor_units: bool = Field(
        default=False, description="The number is in minor units (cents): divide by "
        "10^exponent of the currency (ISO 4217: EUR 2, JPY 0, KWD 3).")
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="Currency for minor_units; default: "
        "a code in the text, else the row's currency field, else institution.currency.")


def _separator(options: DecimalOptions, settings: FieldSettings) -> str | None:
    return options.decimal or settings.decimal_separator


def _minor_units(value: str, options: AmountOptions, env: FieldEnv) -> Decimal:
    number = _parse_number(value, prefer_money=True, decimal_separator=None,
                           lone_is_grouping=True)
    if number != number.to_integral_value():
        raise TransformError(f"{_quote(value)} is not a whole number of minor units")
    row_currency = env.row.get("currency")
    code = (options.currency or next(iter(codes_in(clean_text(value))), None)
            or (row_currency if isinstance(row_currency, str) else None)
            or env.settings.currency)
    if code is None:
        raise TransformError(f"minor_units on {_quote(value)} needs a currency: set "
                             "minor_units' currency, a currency field or institution.currency")
    return number.scaleb(-currency_exponent(code))


def amount_value(value: str, options: AmountOptions, env: FieldEnv) -> Decimal:
    if options.minor_units:
        return _minor_units(value, options, env)
    if options.decimals == 0:
        number = _parse_number(value, prefer_money=True, decimal_separator=None,
                               lone_is_grouping=True)
        if number != number.to_integral_value():
            raise TransformError(f"{_quote(value)} has decimals, but the field says amounts "
                                 "are written without (decimals: 0)")
        return number
    return parse_amount(value, decimal_separator=_separator(options, env.settings))


@parser("amount", options=AmountOptions, defaults=AmountOptions,
        doc="Money to an exact Decimal: '1 234,56 €', '-1,234.56', '(12.00)', '12,00-', "
            "'45.90 CR'/'DR'; decimal separator, decimals: 0, minor_units.",
        example=Example({"parse": {"amount": {"decimal": "."}}}, "$1,234", Decimal("1234")))
def parse_amount_field(value: str, options: AmountOptions, env: FieldEnv) -> Decimal:
    return amount_value(value, options, env)


@parser("decimal", options=DecimalOptions, defaults=DecimalOptions,
        doc="A quantity, price or rate (the first number, money-looking or not).",
        example=Example({"parse": "decimal"}, "12 parts à 3,45 €", Decimal("12")))
def parse_decimal_field(value: str, options: DecimalOptions, env: FieldEnv) -> Decimal:
    return parse_decimal(value, decimal_separator=_separator(options, env.settings))


@parser("int", doc="A whole number ('1.234' and '1,234' are 1234; '12,5' is an error).",
        example=Example({"parse": "int"}, "1.234 kom", 1234))
def parse_int_field(value: str, options: None, env: FieldEnv) -> int:
    del options, env
    return parse_int(value)
