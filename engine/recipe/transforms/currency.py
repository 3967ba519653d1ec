"""The ``currency`` parser: ISO 4217 codes from CLDR (babel), symbols resolved by country.

Every current ISO 4217 code babel knows (BYN, RSD, KWD...) is recognised, in upper case only
("try" is a word, "TRY" a currency). Symbols come from CLDR too: for every locale with a
territory, the symbol that locale writes for its territory's currencies ("$" in en_AU is AUD,
"kr" in sv_SE is SEK, "R$" in pt_BR is BRL). A symbol several currencies share (``$``, ``kr``,
``¥``, ``din``) is resolved with the institution's ``currency`` or ``country`` (ISO 3166);
when neither settles it the parse fails: a silent USD would be wrong data.

Reading every CLDR locale costs seconds, so the symbol index is generated from babel into
``currency_symbols.json`` (``python -m engine.recipe.transforms.docs --write``) and loaded
from there; a test rebuilds it from babel and fails when the committed file is stale.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path

from babel import Locale, localedata
from babel.numbers import get_currency_precision, get_territory_currencies, list_currencies

from engine.recipe.transforms.registry import (
    Example,
    FieldEnv,
    FieldSettings,
    TransformError,
    parser,
    quote,
)
from engine.recipe.transforms.text import clean_text, fold

__all__ = ["CODES", "MARKER", "SYMBOLS_PATH", "build_symbol_index", "currency_exponent",
           "parse_currency", "resolve_symbol", "symbols_text"]

CODES: frozenset[str] = frozenset(code for code in list_currencies() if re.fullmatch("[A-Z]{3}",
                                                                                     code))

# Currency names written out; each maps to the symbol it stands for, resolved like it.
_WORDS: dict[str, str] = {
    "euro": "€", "euros": "€", "eur": "€", "evra": "€", "evro": "€", "евро": "€",
    "dollar": "$", "dollars": "$", "dolar": "$", "dolara": "$", "yen": "¥",
    "dinar": "din", "dinara": "din", "dinari": "din", "динар": "дин", "динара": "дин",
    "rubl": "₽", "rublei": "₽", "руб": "₽", "рубля": "₽", "рублей": "₽", "zloty": "zł",
    "zl": "zł", "zlotych": "zł", "reais": "R$", "real": "R$",
}  # fmt: skip
# A few symbols CLDR spells only in some locales' data, or with a dot ("din.", "дин.").
_EXTRA: dict[str, set[str]] = {
    "din": {"RSD", "DZD", "IQD", "JOD", "KWD", "LYD", "TND", "BHD"},
    "дин": {"RSD"}, "ден": {"MKD"}, "kn": {"HRK"}, "лв": {"BGN"}, "₴": {"UAH"}, "грн": {"UAH"},
    "au$": {"AUD"}, "a$": {"AUD"}, "c$": {"CAD"}, "ca$": {"CAD"}, "us$": {"USD"},
    "nz$": {"NZD"}, "hk$": {"HKD"}, "s$": {"SGD"}, "mx$": {"MXN"},
}  # fmt: skip

# Symbols next to a number make it look like money (numbers.py): codes, common signs, words.
MARKER = "|".join([
    r"US\$|CA\$|AU\$|NZ\$|HK\$|A\$|C\$|S\$|R\$|€|\$|£|¥|₹|₩|₺|₽|₪|₴",
    r"(?<![^\W\d_])(?:zł|Kč|Ft|kr|din|дин|лв|руб)\.?(?![^\W\d_])",
    rf"(?<![A-Za-z])(?:{'|'.join(sorted(CODES))})(?![A-Za-z])",
    rf"(?i:(?<![^\W\d_])(?:{'|'.join(sorted(_WORDS, key=len, reverse=True))})(?![^\W\d_]))",
])


def _key(symbol: str) -> str:
    return fold(symbol).rstrip(".")


SYMBOLS_PATH = Path(__file__).with_name("currency_symbols.json")


@functools.cache
def symbol_index() -> dict[str, frozenset[str]]:
    """Folded symbol -> every currency some CLDR locale writes with it (committed data)."""
    data = json.loads(SYMBOLS_PATH.read_text(encoding="utf-8"))
    index = {key: set(codes) for key, codes in data.items()}
    for key, codes in _EXTRA.items():
        index.setdefault(key, set()).update(codes)
    return {key: frozenset(codes) for key, codes in index.items()}


def build_symbol_index() -> dict[str, list[str]]:
    """The index from babel's CLDR data: for every locale with a territory, the symbol it
    writes for its territory's currencies, plus English's symbols (A$, R$, US$...)."""
    index: dict[str, set[str]] = {}
    for identifier in localedata.locale_identifiers():
        locale = Locale.parse(identifier)
        if not locale.territory:
            continue
        for code in get_territory_currencies(locale.territory):
            symbol = locale.currency_symbols.get(code)
            if symbol and symbol != code and not re.fullmatch("[A-Za-z]", symbol):
                index.setdefault(_key(symbol), set()).add(code)
    for code, symbol in Locale.parse("en").currency_symbols.items():
        if symbol != code and code in CODES and not re.fullmatch("[A-Za-z]", symbol):
            index.setdefault(_key(symbol), set()).add(code)
    return {key: sorted(codes) for key, codes in sorted(index.items())}


def symbols_text() -> str:
    return json.dumps(build_symbol_index(), ensure_ascii=False, indent=0, sort_keys=True) + "\n"


@functools.cache
def _token_re() -> re.Pattern[str]:
    symbols = sorted({*symbol_index(), *_WORDS}, key=len, reverse=True)
    alternatives = "|".join(re.escape(s) for s in symbols)
    codes = "|".join(sorted(CODES))
    return re.compile(rf"(?<![A-Za-z])(?P<code>{codes})(?![A-Za-z])|"
                      rf"(?i:(?<![^\W\d_])(?P<symbol>{alternatives})\.?(?![^\W\d_]))")


@functools.cache
def _country_currencies(country: str) -> tuple[str, ...]:
    return tuple(get_territory_currencies(country))


def resolve_symbol(symbol: str, settings: FieldSettings) -> str:
    """The one currency ``symbol`` stands for here, else TransformError naming the choices."""
    key = _key(_WORDS.get(fold(symbol), symbol))
    candidates = symbol_index().get(key, frozenset())
    if len(candidates) == 1:
        return next(iter(candidates))
    if settings.currency in candidates:
        return settings.currency
    local = [c for c in _country_currencies(settings.country) if c in candidates] \
        if settings.country else []
    if len(local) >= 1:
        return local[0]
    shown = ", ".join(sorted(candidates)[:12]) + ("…" if len(candidates) > 12 else "")
    where = (f"institution.country {settings.country}" if settings.country
             else "no institution.country")
    raise TransformError(f"currency symbol {symbol!r} is ambiguous ({shown}) with {where} and "
                         f"currency {settings.currency or 'unset'}: set institution.country "
                         "(ISO 3166) or write the ISO code")


def parse_currency(value: str, settings: FieldSettings | None = None) -> str | None:
    """ISO 4217 code of the first currency code, symbol or name in the text, else None.

    "€", "EUR", "euros" -> "EUR"; "R$" -> "BRL"; "$" -> the institution's dollar (AUD for
    country AU), an error when nothing says which; "RSD", "din." -> "RSD" in Serbia.
    """
    settings = settings or FieldSettings()
    match = _token_re().search(clean_text(value))
    if match is None:
        return None
    if match["code"]:
        return match["code"]
    return resolve_symbol(match["symbol"], settings)


@functools.cache
def currency_exponent(code: str) -> int:
    """ISO 4217 minor-unit exponent: EUR 2, JPY 0, KWD 3."""
    if code not in CODES:
        raise TransformError(f"unknown currency {code!r}: expected an ISO 4217 code")
    return int(get_currency_precision(code))


def codes_in(text: str) -> Iterable[str]:
    return (m["code"] for m in _token_re().finditer(text) if m["code"])


@parser("currency", doc="ISO 4217 code from a code, symbol or name; ambiguous symbols ($, kr, "
        "din) resolved by institution.country/currency, else an error.",
        example=Example({"parse": "currency"}, "$1,234.00", "AUD",
                        settings=FieldSettings(country="AU")))
def parse_currency_field(value: str, options: None, env: FieldEnv) -> str:
    del options
    code = parse_currency(value, env.settings)
    if code is None:
        raise TransformError(f"no currency in {quote(value)}: expected an ISO 4217 code or a "
                             "symbol")
    return code

