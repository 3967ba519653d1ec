"""Tests for engine.extraction.transforms: examples from real bank pages, error messages, and
seeded round-trip properties (format a value the way a bank would, parse it back)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from engine.extraction.transforms import (
    FieldSettings,
    TransformError,
    apply_regex,
    clean_text,
    is_valid_iban,
    is_valid_isin,
    map_value,
    mask_account_number,
    parse_amount,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_int,
)

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"

# ------------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Solde\u00a0:\t1\u202f234,56\u2009€\n", "Solde : 1 234,56 €"),
        ("a\r\n\r\n  b", "a b"),
        ("Cafe\u0301", "Café"),  # NFC: combining accent composed
        ("Vire\u200bment\ufeff", "Virement"),  # zero-width space and BOM dropped
        ("", ""),
        (" \u00a0 ", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


# ------------------------------------------------------------------------------- parse_amount

AMOUNTS = [
    ("1 234,56 €", "1234.56"),
    (f"1{NBSP}234,56{NBSP}€", "1234.56"),
    (f"1{NNBSP}234,56{NNBSP}€", "1234.56"),
    (f"1{THIN}234,56 €", "1234.56"),
    ("-1 234,56 €", "-1234.56"),
    ("−12,30 EUR", "-12.30"),  # U+2212
    ("–12,30 EUR", "-12.30"),  # en dash
    ("+15,00 €", "15.00"),
    ("-1,234.56", "-1234.56"),
    ("1,234.56", "1234.56"),
    ("1.234,56", "1234.56"),
    ("1'234.56", "1234.56"),
    ("1’234.56", "1234.56"),
    ("(12.00)", "-12.00"),
    ("(1 234,56 €)", "-1234.56"),
    ("12,00-", "-12.00"),
    ("12,00 -", "-12.00"),
    ("12,00 € -", "-12.00"),
    ("12,00€- au 20/11", "-12.00"),
    ("12,00 - Carte", "12.00"),  # a spaced dash followed by text is a separator
    ("€1,234.56", "1234.56"),
    ("-€1,234.56", "-1234.56"),
    ("€-12.00", "-12.00"),
    ("EUR -45,90", "-45.90"),
    ("EUR45,90", "45.90"),
    ("45,90EUR", "45.90"),
    ("12 euros", "12"),
    ("45,9", "45.9"),
    ("12", "12"),
    ("0,00", "0.00"),
    ("-0,00 €", "0.00"),  # no negative zero
    ("- 45,90 €", "-45.90"),
    ("1 234 567,89", "1234567.89"),
    ("12,3456", "12.3456"),
    ("-0,05", "-0.05"),
    ("1.234.567,89", "1234567.89"),
    ("1,234,567.89", "1234567.89"),
    ("1.234.567", "1234567"),
    ("1,234,567", "1234567"),
    ("12,00 DB", "-12.00"),
    ("12,00 Dr", "-12.00"),
    ("12,00 CR", "12.00"),
    # Ambiguous lone separator + 3 digits: decimal (documented rule).
    ("1,234", "1.234"),
    ("1.234", "1.234"),
    # Text around the number: first money-looking number; dates and times are skipped.
    ("Solde : 1 234,56 € au 20/11", "1234.56"),
    ("Au 20/11 : 1 234,56 €", "1234.56"),
    ("Opération du 20.11.2026 à 10:30 : -45,90", "-45.90"),
    ("3 opérations : 45,90 €", "45.90"),
    ("Relevé n° 12 - solde 1 234,56", "1234.56"),
    ("1234 - 45,90 €", "45.90"),  # a dash after a number is a separator, not a minus
    ("Total : 12,00 € (dont TVA 2,00 €)", "12.00"),
    (f"Solde{NBSP}:{NBSP}−1{NNBSP}234,56{NBSP}€", "-1234.56"),
]


@pytest.mark.parametrize(("raw", "expected"), AMOUNTS)
def test_parse_amount(raw: str, expected: str) -> None:
    result = parse_amount(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected  # exact value *and* scale


@pytest.mark.parametrize(
    ("raw", "separator", "expected"),
    [
        ("1.234", ",", "1234"),
        ("1,234", ",", "1.234"),
        ("1,234", ".", "1234"),
        ("1.234", ".", "1.234"),
        ("1.234,56", ",", "1234.56"),
        ("1 234,56", ",", "1234.56"),
        ("1,234.56", ".", "1234.56"),
        ("12", ",", "12"),
    ],
)
def test_parse_amount_decimal_separator_hint(raw: str, separator: str, expected: str) -> None:
    assert str(parse_amount(raw, decimal_separator=separator)) == expected


@pytest.mark.parametrize(
    ("raw", "separator"),
    [("1,234.56", ","), ("1.234,56", "."), ("45,9", "."), ("1.234.567", ".")],
)
def test_parse_amount_hint_contradicted(raw: str, separator: str) -> None:
    with pytest.raises(TransformError, match="malformed number"):
        parse_amount(raw, decimal_separator=separator)


def test_parse_amount_bad_hint_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="decimal_separator"):
        parse_amount("12", decimal_separator=";")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no number in ''"),
        ("   ", "no number"),
        ("abc", "no number in 'abc'"),
        ("--", "no number in '--'"),
        ("€", "no number"),
        ("20/11/2026", "no number"),  # a date is not an amount
        ("1.234.56", "malformed number"),
        ("(-12.00)", "conflicting signs"),
        ("-12,00 DB", "conflicting signs"),
        ("+12,00-", "conflicting signs"),
    ],
)
def test_parse_amount_errors(raw: str, message: str) -> None:
    with pytest.raises(TransformError, match=message.replace("(", r"\(")):
        parse_amount(raw)


def test_error_message_truncates_long_input() -> None:
    raw = "x" * 500
    with pytest.raises(TransformError) as info:
        parse_amount(raw)
    message = str(info.value)
    assert "x" * 79 + "…" in message
    assert "x" * 80 not in message
    assert "expected" in message


def test_transform_error_is_a_value_error() -> None:
    assert issubclass(TransformError, ValueError)


# ------------------------------------------------------------------------------- decimal / int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12,3456", "12.3456"),
        ("-3,5 %", "-3.5"),
        ("+0,25", "0.25"),
        ("1 234,5678 €", "1234.5678"),
        ("12 parts à 3,45 €", "12"),  # first number, not the first money-looking one
        ("Cours : 101,25 USD", "101.25"),
    ],
)
def test_parse_decimal(raw: str, expected: str) -> None:
    assert str(parse_decimal(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        ("-3", -3),
        ("1 234", 1234),
        ("1,234", 1234),  # lone separator + 3 digits is a thousands separator for integers
        ("1.234", 1234),
        ("1.234.567", 1234567),
        ("12,00", 12),
        ("Quantité : 40 titres", 40),
    ],
)
def test_parse_int(raw: str, expected: int) -> None:
    result = parse_int(raw)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(("raw", "message"), [("12,5", "not a whole number"), ("abc", "no number")])
def test_parse_int_errors(raw: str, message: str) -> None:
    with pytest.raises(TransformError, match=message):
        parse_int(raw)


# ------------------------------------------------------------------------------- round trips


def _group(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join(
        [digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))]
    )


def _format(value: Decimal, places: int, thousands: str, decimal_mark: str) -> str:
    integer, _, fraction = f"{abs(value):.{places}f}".partition(".")
    text = _group(integer, thousands) + (decimal_mark + fraction if places else "")
    return ("-" if value < 0 else "") + text


FRENCH = (",", [" ", NBSP, NNBSP, THIN, ".", ""])
ENGLISH = (".", [",", " ", "'", "’", ""])


def _random_values(seed: int, count: int = 300) -> list[tuple[Decimal, int]]:
    rng = random.Random(seed)
    values = []
    for _ in range(count):
        places = rng.choice([0, 1, 2, 2, 2, 3, 4])
        magnitude = 10 ** rng.randint(1, 12)
        values.append((Decimal(rng.randrange(-magnitude, magnitude)).scaleb(-places), places))
    return values


@pytest.mark.parametrize(("decimal_mark", "separators"), [FRENCH, ENGLISH], ids=["fr", "en"])
def test_round_trip_with_known_decimal_separator(decimal_mark: str, separators: list[str]) -> None:
    rng = random.Random(1)
    for value, places in _random_values(seed=7):
        text = _format(value, places, rng.choice(separators), decimal_mark)
        for parse in (parse_amount, parse_decimal):
            parsed = parse(text, decimal_separator=decimal_mark)
            assert parsed == value, text
            assert parsed.as_tuple().exponent == -places, text


@pytest.mark.parametrize(("decimal_mark", "separators"), [FRENCH, ENGLISH], ids=["fr", "en"])
def test_round_trip_amounts_with_signs_and_currencies(
    decimal_mark: str, separators: list[str]
) -> None:
    """No hint: every amount with a decimal part is unambiguous, whatever the decoration."""
    rng = random.Random(2)
    negatives = ["-{}", "−{}", "- {}", "({})", "{}-", "{} -", "{} DB"]
    currencies = ["{}", "{} €", "{}€", "€{}", "EUR {}", "{} EUR", "{} euros", "$ {}"]
    for value, places in _random_values(seed=11):
        if places == 0:
            continue
        body = _format(abs(value), places, rng.choice(separators), decimal_mark)
        text = rng.choice(currencies).format(body)
        contexts = ["{}", "Solde : {}", "Montant {} au 20/11/2026"]
        if value < 0:
            negative = rng.choice(negatives)
            text = negative.format(text)
            if negative == "{} -":  # a spaced trailing dash is a sign only at the very end
                contexts = contexts[:2]
        text = rng.choice(contexts).format(text)
        assert parse_amount(text) == value, text


FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
FRENCH_ABBR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
               "oct.", "nov.", "déc."]  # fmt: skip
FRENCH_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"]  # fmt: skip


def test_round_trip_dates_with_month_names() -> None:
    rng = random.Random(3)
    start = date(1995, 1, 1)
    for _ in range(300):
        day = start + timedelta(days=rng.randrange(20000))
        month = day.month - 1
        weekday = FRENCH_DAYS[day.weekday()]
        cases = [
            (f"{day.day} {FRENCH_MONTHS[month]} {day.year}", "%d %B %Y"),
            (f"{weekday} {day.day} {FRENCH_ABBR[month]} {day.year}", "%A %d %b %Y"),
            (f"{weekday[:3]}. {day.day} {FRENCH_ABBR[month]} {day:%y}", "%a %d %b %y"),
            (f"{ENGLISH_MONTHS[month]} {day.day}, {day.year}", "%B %d, %Y"),
            (f"{day.day}-{ENGLISH_MONTHS[month][:3].upper()}-{day.year}", "%d-%b-%Y"),
        ]
        for text, fmt in cases:
            assert parse_date(text, [fmt]) == day, (text, fmt)


# ------------------------------------------------------------------------------- parse_currency


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234,56 €", "EUR"),
        ("EUR -45,90", "EUR"),
        ("12 euros", "EUR"),
        ("12 Eur", "EUR"),
        ("US$ 12.00", "USD"),
        ("GBP 5", "GBP"),
        ("CHF 1'234.50", "CHF"),
        ("1000 JPY", "JPY"),
        ("R$ 1.234,56", "BRL"),
        ("A$ 12.00", "AUD"),
        ("12,00 zł", "PLN"),
        ("1.500,00 RSD", "RSD"),
        ("3,20 BYN", "BYN"),
        ("15,000 KWD", "KWD"),
        ("12 USD (≈ 11 €)", "USD"),  # first one wins
        ("12,00", None),
        ("", None),
        ("Europe", None),
        ("try again", None),  # lower-case words are not codes
    ],
)
def test_parse_currency(raw: str, expected: str | None) -> None:
    assert parse_currency(raw) == expected


@pytest.mark.parametrize(
    ("raw", "country", "currency", "expected"),
    [
        ("$12.00", "AU", None, "AUD"),
        ("$12.00", "US", None, "USD"),
        ("$12.00", None, "CAD", "CAD"),
        ("12,50 kr", "SE", None, "SEK"),
        ("12,50 kr", "NO", None, "NOK"),
        ("12,50 kr.", "DK", None, "DKK"),
        ("£5", "GB", None, "GBP"),
        ("¥1,000", "JP", None, "JPY"),
        ("¥1,000", "CN", None, "CNY"),
        ("1.500,00 din.", "RS", None, "RSD"),
        ("1.500,00 дин.", None, None, "RSD"),
        ("12 dollars", "AU", None, "AUD"),
    ],
)
def test_ambiguous_symbols_resolve_by_country_or_currency(
        raw: str, country: str | None, currency: str | None, expected: str) -> None:
    assert parse_currency(raw, FieldSettings(country=country, currency=currency)) == expected


@pytest.mark.parametrize("raw", ["$12.00", "12,50 kr", "¥1,000", "£5"])
def test_an_ambiguous_symbol_without_country_is_an_error_never_usd(raw: str) -> None:
    with pytest.raises(TransformError, match=r"ambiguous .* set institution.country"):
        parse_currency(raw, FieldSettings(currency="EUR"))


# ------------------------------------------------------------------------------- parse_date

MONTH_SPELLINGS = [
    (1, ["janvier", "janv.", "janv", "Janv.", "JANVIER", "jan"]),
    (2, ["février", "févr.", "fév.", "fevr", "FÉVRIER", "Fevrier", "fev"]),
    (3, ["mars", "Mars", "MARS"]),
    (4, ["avril", "avr.", "avr"]),
    (5, ["mai", "Mai"]),
    (6, ["juin"]),
    (7, ["juillet", "juil.", "juil"]),
    (8, ["août", "aout", "AOÛT", "Aout"]),
    (9, ["septembre", "sept.", "sept"]),
    (10, ["octobre", "oct.", "oct"]),
    (11, ["novembre", "nov.", "nov", "Nov."]),
    (12, ["décembre", "déc.", "dec", "DÉC."]),
    (1, ["January", "Jan"]), (2, ["February", "Feb"]), (3, ["March", "Mar"]),
    (4, ["April", "Apr"]), (5, ["May"]), (6, ["June", "Jun"]), (7, ["July", "Jul"]),
    (8, ["August", "Aug"]), (9, ["September", "Sep", "Sept"]), (10, ["October", "Oct"]),
    (11, ["November", "Nov"]), (12, ["December", "Dec"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "month"),
    [(name, month) for month, names in MONTH_SPELLINGS for name in names],
)
@pytest.mark.parametrize("fmt", ["%d %B %Y", "%d %b %Y"])
def test_parse_date_month_names(name: str, month: int, fmt: str) -> None:
    assert parse_date(f"15 {name} 2026", [fmt]) == date(2026, month, 15)


@pytest.mark.parametrize(
    ("raw", "formats", "expected"),
    [
        ("24/11/2026", ["%d/%m/%Y"], date(2026, 11, 24)),
        ("2026-11-24", ["%Y-%m-%d"], date(2026, 11, 24)),
        ("24.11.26", ["%d.%m.%y"], date(2026, 11, 24)),
        ("24 nov. 2026", ["%d %b %Y"], date(2026, 11, 24)),
        (f"24{NBSP}nov.{NNBSP}2026", ["%d %b %Y"], date(2026, 11, 24)),
        ("24.nov.2026", ["%d.%b.%Y"], date(2026, 11, 24)),
        ("24dec2026", ["%d%b%Y"], date(2026, 12, 24)),
        ("1er janvier 2026", ["%d %B %Y"], date(2026, 1, 1)),
        ("1ᵉʳ janvier 2026", ["%d %B %Y"], date(2026, 1, 1)),
        ("lundi 24 novembre 2026", ["%d %B %Y"], date(2026, 11, 24)),
        ("Lundi 24 novembre 2026", ["%A %d %B %Y"], date(2026, 11, 24)),
        ("Mardi, 1er décembre 2026", ["%d %B %Y"], date(2026, 12, 1)),
        ("mar. 24 nov. 2026", ["%a %d %b %Y"], date(2026, 11, 24)),  # mar. = mardi
        ("mar 24 mar 2026", ["%a %d %b %Y"], date(2026, 3, 24)),
        ("24 mar 2026", ["%d %b %Y"], date(2026, 3, 24)),  # mar = March
        ("mars 2026", ["%B %Y"], date(2026, 3, 1)),
        ("Mar 2026", ["%b %Y"], date(2026, 3, 1)),
        ("Monday, November 23rd 2026", ["%A, %B %d %Y"], date(2026, 11, 23)),
        ("Le 24 novembre 2026", ["le %d %B %Y"], date(2026, 11, 24)),
        ("2026-11-24", ["%d/%m/%Y", "%Y-%m-%d"], date(2026, 11, 24)),  # tried in order
        ("24/11/2026", "%d/%m/%Y", date(2026, 11, 24)),  # a bare str is one format
        ("24/11/2026 10:30", ["%d/%m/%Y %H:%M"], date(2026, 11, 24)),
    ],
)
def test_parse_date(raw: str, formats: list[str], expected: date) -> None:
    assert parse_date(raw, formats) == expected


@pytest.mark.parametrize(
    ("raw", "formats", "reference", "expected"),
    [
        ("24/11", ["%d/%m"], date(2026, 11, 30), date(2026, 11, 24)),
        ("28/12", ["%d/%m"], date(2026, 1, 5), date(2025, 12, 28)),
        ("10/01", ["%d/%m"], date(2026, 1, 5), date(2026, 1, 10)),  # within the 7-day slack
        ("12/01", ["%d/%m"], date(2026, 1, 5), date(2026, 1, 12)),  # exactly reference + 7
        ("13/01", ["%d/%m"], date(2026, 1, 5), date(2025, 1, 13)),  # beyond: last year
        ("29/02", ["%d/%m"], date(2026, 3, 10), date(2024, 2, 29)),  # latest leap year
        ("24 nov.", ["%d %b"], date(2026, 11, 30), date(2026, 11, 24)),
        ("lundi 1er déc.", ["%A %d %b"], date(2026, 12, 3), date(2026, 12, 1)),
        ("24/11", ["%d/%m"], datetime(2026, 11, 30, 12, 0), date(2026, 11, 24)),
        ("24/11/2020", ["%d/%m", "%d/%m/%Y"], date(2026, 11, 30), date(2020, 11, 24)),
    ],
)
def test_parse_date_without_year(
    raw: str, formats: list[str], reference: date, expected: date
) -> None:
    assert parse_date(raw, formats, reference=reference) == expected


def test_parse_date_without_year_needs_reference() -> None:
    with pytest.raises(TransformError, match=r"no year.*reference"):
        parse_date("24/11", ["%d/%m"])


@pytest.mark.parametrize(
    ("raw", "formats"),
    [
        ("24-11-2026", ["%d/%m/%Y", "%Y-%m-%d"]),
        ("", ["%d/%m/%Y"]),
        ("31/02/2026", ["%d/%m/%Y"]),
        ("24 foo 2026", ["%d %B %Y"]),
        ("24/11/2026 trailing", ["%d/%m/%Y"]),
    ],
)
def test_parse_date_no_format_matches(raw: str, formats: list[str]) -> None:
    with pytest.raises(TransformError) as info:
        parse_date(raw, formats)
    message = str(info.value)
    assert repr(raw) in message
    assert all(fmt in message for fmt in formats)


def test_parse_date_needs_formats() -> None:
    with pytest.raises(TransformError, match="no date format"):
        parse_date("24/11/2026", [])


# ------------------------------------------------------------------------------- apply_regex


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("Solde : 12,00 €", r"Solde : (.*) €", "12,00"),
        ("Réf. ABC123", r"[A-Z]{3}\d+", "ABC123"),  # no group: whole match
        ("compte n°42", r"n°(\d+)|no (\d+)", "42"),
        ("compte no 42", r"n°(\d+)|no (\d+)", "42"),  # first group that took part
        ("ab", r"a(x)?b", ""),  # a group that never took part: empty
    ],
)
def test_apply_regex(value: str, pattern: str, expected: str) -> None:
    assert apply_regex(value, pattern) == expected


def test_apply_regex_no_match() -> None:
    with pytest.raises(TransformError, match=r"does not match 'Solde'"):
        apply_regex("Solde", r"(\d+)")


def test_apply_regex_invalid_pattern() -> None:
    with pytest.raises(TransformError, match="invalid regex"):
        apply_regex("Solde", r"(\d+")


# ------------------------------------------------------------------------------- map_value

KINDS = {"Carte bancaire": "card", "Virement": "transfer", "Débit": "debit", "Prélèvement": "dd"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Carte bancaire", "card"),
        (f"  Carte{NBSP}bancaire\n", "card"),
        ("VIREMENT", "transfer"),
        ("debit", "debit"),
        ("DEBIT", "debit"),
        ("prelevement", "dd"),
    ],
)
def test_map_value(raw: str, expected: str) -> None:
    assert map_value(raw, KINDS) == expected


def test_map_value_exact_match_beats_folded() -> None:
    assert map_value("debit", {"Débit": "folded", "debit": "exact"}) == "exact"


def test_map_value_default() -> None:
    assert map_value("Chèque", KINDS, default="other") == "other"


def test_map_value_unknown_lists_known_keys() -> None:
    with pytest.raises(TransformError) as info:
        map_value("Chèque", KINDS)
    message = str(info.value)
    assert "'Chèque'" in message
    assert all(repr(key) in message for key in KINDS)


# ------------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("raw", "visible", "expected"),
    [
        ("FR76 3000 4000 0100 0123 4567 890", 4, "•••• 7890"),
        ("FR76 3000 4000 0100 0123 4567 890", 2, "•••• 90"),
        ("FR76 3000 4000 0100 0123 4567 890", 0, "••••"),
        ("XXXX XXXX XXXX 1234", 4, "•••• 1234"),
        ("****1234", 4, "•••• 1234"),
        ("12", 4, "•••• 12"),
        ("Compte n° 0001234567A", 4, "•••• 567A"),
    ],
)
def test_mask_account_number(raw: str, visible: int, expected: str) -> None:
    assert mask_account_number(raw, visible) == expected


def test_mask_account_number_errors() -> None:
    with pytest.raises(TransformError, match="no account number"):
        mask_account_number(" - ")
    with pytest.raises(ValueError, match="visible"):
        mask_account_number("1234", -1)


# ------------------------------------------------------------------------------- check digits


@pytest.mark.parametrize(
    "isin",
    ["US0378331005", "FR0000120271", "FR0000131104", "IE00B4L5Y983", "AU0000XVGZA3",
     "GB0002634946", "DE000BAY0017", " fr0000120271 "],
)  # fmt: skip
def test_valid_isin(isin: str) -> None:
    assert is_valid_isin(isin)


@pytest.mark.parametrize(
    "isin", ["US0378331006", "FR0000120272", "US037833100", "US03783310055", "1S0378331005", ""]
)
def test_invalid_isin(isin: str) -> None:
    assert not is_valid_isin(isin)


@pytest.mark.parametrize(
    "iban",
    ["FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189",
     "GB82WEST12345698765432", "DE89370400440532013000", "BE68539007547034", "NO9386011117947",
     "gb82 west 1234 5698 7654 32"],
)  # fmt: skip
def test_valid_iban(iban: str) -> None:
    assert is_valid_iban(iban)


@pytest.mark.parametrize(
    "iban",
    ["FR7630006000011234567890188", "GB82WEST12345698765423", "FR76 3000 4000 0100 0123 4567 890",
     "FR76", "", "FR7630006000011234567890189X", "7630006000011234567890189"],
)  # fmt: skip
def test_invalid_iban(iban: str) -> None:
    assert not is_valid_iban(iban)
