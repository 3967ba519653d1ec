"""Named value transforms: how recipes turn scraped text into typed values.

Every function is pure (no I/O, no locale, no global state), so the same recipe gives the same
records on any machine, live or replayed from a fixture. Failures raise ``TransformError``
whose message quotes the offending input (truncated) and says what was expected, because that
message is what a recipe author sees in ``engine check`` when a bank changes its page.

Amounts are never floats: every number goes from text to ``Decimal`` by string manipulation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from engine.extraction.dates import date_text_variants, fold, normalize_date_format

__all__ = [
    "TransformError",
    "apply_regex",
    "clean_text",
    "is_valid_iban",
    "is_valid_isin",
    "map_value",
    "mask_account_number",
    "parse_amount",
    "parse_currency",
    "parse_date",
    "parse_decimal",
    "parse_int",
]

_QUOTE_LIMIT = 80


class TransformError(ValueError):
    """A value could not be converted; the message quotes the offending input (truncated to 80
    chars) and says what was expected."""


def _quote(value: str) -> str:
    """repr() of the input, cut to 80 characters so a whole scraped page never lands in a log."""
    if len(value) > _QUOTE_LIMIT:
        value = value[: _QUOTE_LIMIT - 1] + "…"
    return repr(value)


# Invisible characters that are not whitespace but still break matching when scraped:
# zero-width space, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))


def clean_text(value: str) -> str:
    """NFC-normalise, drop invisible characters, collapse every run of Unicode whitespace
    (U+00A0, U+202F, U+2009, tabs, newlines...) to one space, and strip.

    NFC so that "é" typed as e + combining accent compares equal to the precomposed "é".
    """
    return " ".join(unicodedata.normalize("NFC", value).translate(_INVISIBLE).split())


# ---------------------------------------------------------------------------------------------
# Currencies

_SYMBOLS: dict[str, str] = {
    "US$": "USD", "CA$": "CAD", "AU$": "AUD", "€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY",
    "₹": "INR", "₩": "KRW", "₺": "TRY", "₽": "RUB", "₪": "ILS",
}  # fmt: skip
# A curated list rather than all of ISO 4217: codes such as ALL, TOP or CUP are English words.
_CODES: frozenset[str] = frozenset((
    "EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "ISK", "PLN",
    "CZK", "HUF", "RON", "BGN", "CNY", "HKD", "SGD", "INR", "KRW", "BRL", "MXN", "ZAR", "TRY",
    "RUB", "ILS", "AED", "SAR", "MAD", "TND", "XOF", "XAF", "XPF", "THB",
))  # fmt: skip
_WORDS: dict[str, str] = {"euro": "EUR", "euros": "EUR", "eur": "EUR", "dollar": "USD",
                          "dollars": "USD", "yen": "JPY"}  # fmt: skip
_CUR = "|".join(
    [
        *(re.escape(s) for s in sorted(_SYMBOLS, key=len, reverse=True)),
        rf"(?<![A-Za-z])(?:{'|'.join(sorted(_CODES))})(?![A-Za-z])",  # upper-case codes only
        rf"(?i:(?<![a-z])(?:{'|'.join(sorted(_WORDS, key=len, reverse=True))})(?![a-z]))",
    ]
)
_CURRENCY_RE = re.compile(_CUR)


def _currency_code(token: str) -> str:
    return _SYMBOLS.get(token) or _WORDS.get(token.lower()) or token.upper()


def parse_currency(value: str) -> str | None:
    """ISO 4217 code of the first currency symbol, code or name in the text, else None.

    "€", "EUR", "euros" -> "EUR"; "$" and "US$" -> "USD"; "¥" -> "JPY". Three-letter codes
    count only in upper case ("try" is a word, "TRY" a currency); "eur"/"euro(s)" in any case.
    """
    match = _CURRENCY_RE.search(clean_text(value))
    return _currency_code(match.group()) if match else None


# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
# Dates


def _resolve_year(parsed: date, reference: date) -> date:
    """Latest year that puts the date at or before reference + 7 days.

    Bank histories are in the past; the 7-day slack absorbs value dates and pending operations
    dated a few days ahead. Trying up to 8 years back guarantees a leap year for 29/02.
    """
    if isinstance(reference, datetime):
        reference = reference.date()
    limit = reference + timedelta(days=7)
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = parsed.replace(year=year)
        except ValueError:  # 29 February in a common year
            continue
        if candidate <= limit:
            return candidate
    raise TransformError(f"no year puts {parsed:%d/%m} before {limit}")  # pragma: no cover


def parse_date(value: str, formats: Sequence[str], *, reference: date | None = None) -> date:
    """Parse a date trying strptime-style ``formats`` in order; the first that fits wins.

    ``%b``/``%B`` accept French and English month names, full or abbreviated, with or without
    dot or accents, in any case; ``%a``/``%A`` accept weekday names, which are also tolerated
    (and ignored, not checked) when the format does not mention them. "1er"/"1st"-style
    ordinals are plain day numbers. None of this depends on the OS locale.

    A format without a year (``%d/%m``, ``%d %b``) needs ``reference``: the year chosen is the
    latest that puts the date at or before ``reference`` + 7 days.
    """
    if isinstance(formats, str):  # a str is a Sequence[str]: don't try it letter by letter
        formats = [formats]
    if not formats:
        raise TransformError(f"no date format given for {_quote(value)}")
    variants = date_text_variants(value)
    for fmt in formats:
        pattern, has_year = normalize_date_format(fmt)
        if not has_year:  # 2000 is a leap year, so 29/02 survives until the year is resolved
            pattern += " %Y"
        for text in variants:
            try:
                parsed = datetime.strptime(text if has_year else f"{text} 2000", pattern).date()
            except ValueError:
                continue
            if has_year:
                return parsed
            if reference is None:
                raise TransformError(
                    f"date {_quote(value)} matches {fmt!r}, which has no year: "
                    "expected a reference date to choose the year"
                )
            return _resolve_year(parsed, reference)
    raise TransformError(f"date {_quote(value)} matches none of the formats {list(formats)!r}")


# ---------------------------------------------------------------------------------------------
# Text


def apply_regex(value: str, pattern: str) -> str:
    """The first capture group that took part in the match, or the whole match if the pattern
    has no groups; ``re.search`` semantics (the pattern may match anywhere).

    "First that took part" so that alternations such as ``a(\\d+)|b(\\d+)`` work.
    """
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise TransformError(f"invalid regex {pattern!r}: {exc}") from exc
    match = compiled.search(value)
    if match is None:
        raise TransformError(f"regex {pattern!r} does not match {_quote(value)}")
    if compiled.groups == 0:
        return match.group()
    return next((g for g in match.groups() if g is not None), "")


def map_value(value: str, mapping: Mapping[str, str], default: str | None = None) -> str:
    """Translate a label through ``mapping`` (e.g. "Carte bancaire" -> "card").

    Exact match on the cleaned text first, then a case- and accent-insensitive match (first
    key in mapping order wins), so "DEBIT" finds "Débit". Otherwise ``default`` if given,
    else TransformError listing the known keys so the recipe author sees what is missing.
    """
    key = clean_text(value)
    if key in mapping:
        return mapping[key]
    folded = fold(key)
    for candidate, result in mapping.items():
        if fold(candidate) == folded:
            return result
    if default is not None:
        return default
    known = ", ".join(repr(k) for k in list(mapping)[:20]) + (", …" if len(mapping) > 20 else "")
    raise TransformError(f"unknown value {_quote(value)}: expected one of {known or 'nothing'}")


def mask_account_number(value: str, visible: int = 4) -> str:
    """Keep the last ``visible`` letters or digits: "FR76 3000 4000 0100 0123 4567 890" ->
    "•••• 7890", so a user can tell accounts apart without the number being stored in clear.

    Pages that already mask ("XXXX XXXX 1234", "****1234") give "•••• 1234" as well.
    """
    if visible < 0:
        raise ValueError(f"visible must be >= 0, not {visible}")
    chars = [c for c in value if c.isalnum()]
    if not chars:
        raise TransformError(f"no account number in {_quote(value)}: expected letters or digits")
    tail = "".join(chars[-visible:]) if visible else ""
    return f"•••• {tail}" if tail else "••••"


# ---------------------------------------------------------------------------------------------
# Check digits


def _letters_to_digits(text: str) -> str:
    """A=10 ... Z=35, digits unchanged: the expansion ISO 6166 and ISO 13616 both use."""
    return "".join(str(int(c, 36)) for c in text)


def is_valid_isin(value: str) -> bool:
    """ISO 6166: 2 letters, 9 alphanumerics, 1 check digit; Luhn over the letters-as-digits."""
    isin = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", isin):
        return False
    total = 0
    for position, char in enumerate(reversed(_letters_to_digits(isin))):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_valid_iban(value: str) -> bool:
    """ISO 13616 mod-97 check; spaces allowed, case ignored. Country lengths are not checked
    (mod 97 already catches a dropped or swapped character)."""
    iban = "".join(value.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        return False
    return int(_letters_to_digits(iban[4:] + iban[:4])) % 97 == 1
