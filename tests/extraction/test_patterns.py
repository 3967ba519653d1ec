"""Issue 11, patterns 1–9 (extraction side), with exact values on realistic pages from
Serbian, Russian, Polish, Brazilian, Australian and German banks, an OFX 1 broker statement,
a CAMT.053 statement and a P2P wallet (pages in ``pages/``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.errors import RecipeError
from engine.extraction import extract_list
from engine.extraction.records import Extraction, count_rows
from engine.recipe.model import Institution, ListBlock

PAGES = Path(__file__).with_name("pages")
REFERENCE = date(2026, 11, 25)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def institution(**values: Any) -> Institution:
    return Institution.model_validate({"id": "x", "name": "X", "base_url": "http://127.0.0.1",
                                       "allowed_domains": ["127.0.0.1"], **values})


def run(name: str, block_yaml: str, *, context: dict[str, Any] | None = None,
        **inst: Any) -> Extraction:
    block = ListBlock.model_validate(yaml.safe_load(block_yaml))
    result = extract_list(page(name), block, context or {}, reference=REFERENCE,
                          institution=institution(**inst))
    assert result.document_error is None, result.document_error
    assert result.problems == [], result.problems
    return result


# ----------------------------------------------------------------------------- 1 columns

INTESA = """
each: table.promet tbody tr.stavka
fields:
  date: {column: Datum valute, parse: {date: "%d.%m.%Y."}}
  label: {column: opis}
  amount: {debit: {column: Isplata}, credit: {column: UPLATA}, parse: amount}
  balance: {column: -1, parse: amount}
"""
INTESA_EXPECTED = [
    (date(2026, 11, 3), "Plaćanje karticom MAXI 0123 BEOGRAD", Decimal("-2345.67"),
     Decimal("152654.33")),
    (date(2026, 11, 5), "Uplata zarade — NIS A.D. Novi Sad", Decimal("154000.00"),
     Decimal("306654.33")),
    (date(2026, 11, 12), "Trajni nalog EPS Snabdevanje", Decimal("-4120.50"),
     Decimal("302533.83")),
    (date(2026, 11, 24), "Isplata gotovine ATM Knez Mihailova", Decimal("-10000.00"),
     Decimal("292533.83")),
]


def test_columns_by_header_debit_credit_and_from_the_end() -> None:
    result = run("rs_intesa_promet.html", INTESA, decimal_separator=",", country="RS")
    assert [(r["date"], r["label"], r["amount"], r["balance"]) for r in result.records] == \
        INTESA_EXPECTED


def test_the_same_recipe_survives_added_and_reordered_columns() -> None:
    block = INTESA.replace("balance: {column: -1", "balance: {column: Stanje (RSD)")
    result = run("rs_intesa_promet_redesign.html", block, decimal_separator=",")
    assert [(r["date"], r["label"], r["amount"], r["balance"]) for r in result.records] == \
        INTESA_EXPECTED


def test_column_combined_with_css_and_an_explicit_header() -> None:
    result = run("rs_intesa_promet_redesign.html", """
each: "#promet tbody tr"
header: "#promet thead tr"
fields:
  detail: {column: 7, css: "a::attr(href)"}
  category: {column: 2, xpath: "string(.)"}
  first: {column: 1, css: "::text"}
""")
    assert [r["category"] for r in result.records] == ["Namirnice", "Zarada", "Računi",
                                                        "Gotovina"]
    assert {r["detail"] for r in result.records} == {"#"}


def test_an_unknown_column_names_the_columns_the_header_has() -> None:
    block = ListBlock.model_validate(yaml.safe_load(
        "each: table.promet tbody tr\nfields: {x: {column: Iznos u EUR}}"))
    result = extract_list(page("rs_intesa_promet.html"), block)
    assert result.problems[0].message == (
        "no column 'Iznos u EUR' in the header (columns: 'Datum valute', 'Opis', "
        "'Isplata', 'Uplata', 'Stanje (RSD)')")


# ----------------------------------------------------------------------------- 2 sign

def test_sign_from_a_type_column_in_serbian_cyrillic_with_transliteration() -> None:
    result = run("rs_komercijalna_cyr.html", """
each: table.izvod tbody tr
fields:
  date: {column: Датум, parse: {date: {formats: ["%d. %B %Y.", "%a, %d. %b %Y."], locale: sr}}}
  label: {column: Опис, transliterate: true}
  amount: {column: Износ, parse: amount, sign: {column: Тип, negative: [Исплата],
           positive: [Уплата]}}
  currency: {column: Износ, parse: currency}
""", decimal_separator=",", country="RS", currency="RSD")
    assert [(r["date"], r["label"], r["amount"], r["currency"]) for r in result.records] == [
        (date(2026, 11, 2), "Plaćanje karticom Đačka zadruga Ljubovija", Decimal("-1500"),
         "RSD"),
        (date(2026, 11, 15), "Uplata penzije PIO fond", Decimal("48320.15"), "RSD"),
        (date(2026, 11, 29), "Provizija za vođenje računa", Decimal("-250.00"), "RSD"),
    ]


def test_sign_from_a_row_class_under_date_headings_in_russian() -> None:
    result = run("ru_tinkoff_operations.html", """
each: section.operations > div
group:
  heading: div.ops-day
  fields:
    date: {css: h3, parse: {date: {formats: ["%d %B, %A"], locale: ru}}}
fields:
  label: .op__title
  category: {css: .op__category, transliterate: ru}
  amount: {css: .op__amount, parse: amount,
           sign: {css: "::attr(class)", negative: [op--debit], positive: [op--credit]}}
  currency: {css: .op__amount, parse: currency}
""", country="RU", currency="RUB")
    assert [(r["date"], r["label"], r["category"], r["amount"], r["currency"])
            for r in result.records] == [
        # cyrtranslit's Russian table writes ы as "y'"
        (date(2026, 11, 23), "Пятёрочка", "Supermarkety'", Decimal("-1234.50"), "RUB"),
        (date(2026, 11, 23), "Перевод от Ивана С.", "Perevody'", Decimal("5000"), "RUB"),
        (date(2026, 11, 21), "Яндекс Такси", "Transport", Decimal("-389"), "RUB"),
        (date(2026, 11, 21), "ЖКХ Щёлково", "ZHKH", Decimal("-4870.12"), "RUB"),
    ]


def test_sign_from_an_icon_label_and_from_soll_haben() -> None:
    icon = run("ru_tinkoff_operations.html", """
each: div.op
fields:
  amount: {css: .op__amount, parse: amount,
           sign: {css: ".op__icon::attr(aria-label)", negative: [Списание]}}
""")
    assert [r["amount"] for r in icon.records] == [Decimal("-1234.50"), Decimal("5000"),
                                                   Decimal("-389"), Decimal("-4870.12")]
    german = run("de_sparkasse_umsaetze.html", """
each: table.umsaetze tbody tr
fields:
  date: {column: Buchungstag, parse: {date: {formats: ["%a, %d. %b %Y"], locale: de}}}
  amount: {column: Betrag (EUR), parse: amount, sign: {column: S/H, negative: [S],
           positive: [H]}}
  pending: {column: vorgemerkt, parse: {bool: {true_values: [ja], false_values: [nein]}}}
""", decimal_separator=",", country="DE")
    assert [(r["date"], r["amount"], r["pending"]) for r in german.records] == [
        (date(2026, 11, 24), Decimal("-1234.56"), False),
        (date(2026, 11, 23), Decimal("3100.00"), False),
        (date(2026, 12, 2), Decimal("-89.90"), True),
    ]


def test_sign_from_direction_relative_to_the_account() -> None:
    result = run("p2p_wallet.html", """
each: "section[data-account='{{ account.id }}'] tr"
fields:
  from_account: "::attr(data-from)"
  date: {css: td.when, parse: datetime}
  label: td.who
  amount: {css: td.amt, parse: amount, sign: {negative_when: "row.from_account == account.id"}}
""", context={"account": {"id": "W-100"}}, country="AU")
    assert [(r["date"], r["label"], r["amount"]) for r in result.records] == [
        (date(2026, 11, 20), "To Mia", Decimal("-25.00")),
        (date(2026, 11, 21), "From Tom", Decimal("60.00")),
        (date(2026, 11, 22), "To Lee", Decimal("-12.50")),
    ]


# ----------------------------------------------------------------------------- 3 amounts

@pytest.mark.parametrize(("raw", "options", "settings", "expected"), [
    ("$1,234", {}, {"decimal_separator": "."}, Decimal("1234")),
    ("$1,234", {"decimal": "."}, {}, Decimal("1234")),
    ("1,500 RSD", {"decimals": 0}, {}, Decimal("1500")),
    ("1.500 RSD", {"decimals": 0}, {}, Decimal("1500")),
    ("123456", {"minor_units": True}, {"currency": "EUR"}, Decimal("1234.56")),
    ("123456", {"minor_units": True}, {"currency": "JPY"}, Decimal("123456")),
    ("1234567", {"minor_units": True, "currency": "KWD"}, {}, Decimal("1234.567")),
    ("-4590 BRL", {"minor_units": True}, {}, Decimal("-45.90")),
    ("45.90 CR", {}, {}, Decimal("45.90")),
    ("45.90 DR", {}, {}, Decimal("-45.90")),
    ("1.234,56", {}, {"decimal_separator": ","}, Decimal("1234.56")),
])
def test_amount_options(raw: str, options: dict[str, Any], settings: dict[str, Any],
                        expected: Decimal) -> None:
    from engine.extraction.fields import convert
    from engine.recipe.fields import FieldSpec
    from engine.recipe.transforms import FieldSettings, PlainEnv

    spec = FieldSpec.model_validate({"const": raw, "parse": {"amount": options}})
    assert convert(raw, spec, PlainEnv(settings=FieldSettings(**settings))) == expected


def test_amount_written_with_decimals_when_told_without_is_an_error() -> None:
    block = ListBlock.model_validate({"each": "tr", "fields": {
        "a": {"const": "1,234.56", "parse": {"amount": {"decimals": 0}}}}})
    result = extract_list("<table><tr><td/></tr></table>", block)
    assert "has decimals, but the field says amounts are written without" in \
        result.problems[0].message


# ----------------------------------------------------------------------------- 4 locales

def test_polish_genitive_and_abbreviated_months_with_weekdays() -> None:
    result = run("pl_mbank_historia.html", """
each: table.history tbody tr
fields:
  date: {column: Data operacji, parse: {date: {formats: ["%A, %d %B %Y", "%a %d %b %Y"],
         locale: pl}}}
  amount: {column: Kwota, parse: amount}
  label: {column: Opis operacji}
""", country="PL", currency="PLN")
    assert [(r["date"], r["amount"]) for r in result.records] == [
        (date(2026, 11, 25), Decimal("8450.00")),
        (date(2026, 11, 24), Decimal("-87.34")),
        (date(2026, 11, 2), Decimal("-150.00")),
    ]


@pytest.mark.parametrize(("text", "fmt", "locale", "expected"), [
    ("24 listopada 2026", "%d %B %Y", "pl", date(2026, 11, 24)),
    ("listopad 2026", "%B %Y", "pl", date(2026, 11, 1)),
    ("24 ноября 2026 г.", "%d %B %Y г.", "ru", date(2026, 11, 24)),
    ("Ноябрь 2026", "%B %Y", "ru", date(2026, 11, 1)),
    ("24 нояб. 2026", "%d %b %Y", "ru", date(2026, 11, 24)),
    ("24. novembar 2026.", "%d. %B %Y.", "sr-Latn", date(2026, 11, 24)),
    ("uto, 24. nov 2026.", "%a, %d. %b %Y.", "sr-Latn", date(2026, 11, 24)),
    ("24. новембар 2026.", "%d. %B %Y.", "sr", date(2026, 11, 24)),
    ("24 de novembro de 2026", "%d de %B de %Y", "pt", date(2026, 11, 24)),
    ("ter., 24 nov. 2026", "%a, %d %b %Y", "pt", date(2026, 11, 24)),
    ("24. März 2026", "%d. %B %Y", "de", date(2026, 3, 24)),
    ("24. MAERZ 2026", "%d. %B %Y", "de", None),
    ("mar 24 de marzo de 2026", "%a %d de %B de %Y", "es", date(2026, 3, 24)),
    ("mar 3 mar 2026", "%a %d %b %Y", "it", date(2026, 3, 3)),
    ("24 mrt 2026", "%d %b %Y", "nl", date(2026, 3, 24)),
    ("MAR. 24 NOV. 2026", "%a %d %b %Y", None, date(2026, 11, 24)),
    ("1er décembre 2026", "%d %B %Y", None, date(2026, 12, 1)),
])
def test_month_and_weekday_names_from_cldr(text: str, fmt: str, locale: str | None,
                                           expected: date | None) -> None:
    from engine.extraction.transforms import TransformError, parse_date

    if expected is None:
        with pytest.raises(TransformError):
            parse_date(text, [fmt], locale=locale)
    else:
        assert parse_date(text, [fmt], locale=locale) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-23T23:30:00-05:00", date(2026, 11, 23)),  # 04:30 UTC on the 24th
    ("2026-11-24T00:30:00+01:00", date(2026, 11, 24)),  # 23:30 UTC on the 23rd
    ("2026-11-24T09:00:00Z", date(2026, 11, 24)),
    ("2026-11-24 09:00:00.123+03:00", date(2026, 11, 24)),
])
def test_iso_datetimes_give_the_local_date_as_written(text: str, expected: date) -> None:
    from engine.extraction.transforms import parse_datetime

    assert parse_datetime(text) == expected


def test_day_only_and_day_month_resolve_against_a_period_with_rollover() -> None:
    html = """<table><tr class="period"><td data-start="2025-12-15">15.12.2025 – 14.01.2026</td>
      </tr><tr class="op"><td>20</td><td>20.12.</td><td>10,00</td></tr>
      <tr class="op"><td>03</td><td>03.01.</td><td>12,00</td></tr></table>"""
    block = ListBlock.model_validate(yaml.safe_load("""
each: tr.op
group: {heading: tr.period, fields: {start: {css: "td::attr(data-start)", parse: date}}}
fields:
  day: {css: "td:nth-child(1)", parse: {date: {formats: ["%d"], relative_to: row.start}}}
  daymonth: {css: "td:nth-child(2)", parse: {date: {formats: ["%d.%m."],
             relative_to: row.start}}}
"""))
    result = extract_list(html, block)
    assert result.problems == []
    assert [(r["day"], r["daymonth"]) for r in result.records] == [
        (date(2025, 12, 20), date(2025, 12, 20)), (date(2026, 1, 3), date(2026, 1, 3))]


# ----------------------------------------------------------------------------- 5 currencies

def test_dollar_in_australia_is_aud_and_unresolvable_is_an_error() -> None:
    block = """
each: tr.txn-main
span: 2
fields:
  date: {css: td.date, parse: {date: "%a %d %b %Y"}}
  amount: {css: td.amount, parse: amount}
  currency: {css: td.amount, parse: currency}
  label: {css: span.desc, span_row: 2}
"""
    # span counts the rows ``each`` matches: match both rows of the record
    block = block.replace("each: tr.txn-main", "each: tbody tr")
    au = run("au_commbank_statement.html", block, country="AU", currency="AUD")
    assert [(r["date"], r["amount"], r["currency"], r["label"]) for r in au.records] == [
        (date(2026, 11, 24), Decimal("-1234.50"), "AUD",
         "WOOLWORTHS 1234 SYDNEY NS AUS Card xx4321"),
        (date(2026, 11, 23), Decimal("2500.00"), "AUD", "Salary ACME PTY LTD"),
        (date(2026, 11, 20), Decimal("-45"), "AUD", "Transfer to xx9876 CommBank app Rent"),
    ]
    unknown = extract_list(page("au_commbank_statement.html"),
                           ListBlock.model_validate(yaml.safe_load(block)),
                           institution=institution(currency="EUR"))
    messages = {p.message for p in unknown.problems if p.field == "currency"}
    assert len(messages) == 1 and "currency symbol '$' is ambiguous (ARS, AUD" in \
        next(iter(messages))


# ----------------------------------------------------------------------------- 6 spans, groups

def test_account_headings_give_rows_their_account() -> None:
    result = run("p2p_wallet.html", """
each: section.account tr
group: {heading: section.account h2, fields: {account: {xpath: "../@data-account"}}}
fields:
  label: td.who
  status: td.status
""")
    assert [(r["account"], r["label"]) for r in result.records] == [
        ("W-100", "To Mia"), ("W-100", "From Tom"), ("W-100", "To Lee"),
        ("W-200", "From Main wallet")]


# ----------------------------------------------------------------------------- 7 embedded, XML

def test_embedded_state_in_minor_units_with_iso_datetimes() -> None:
    result = run("br_nubank_app.html", """
embedded: {script: window.__STATE__}
each: feed
fields:
  id: {path: id}
  date: {path: postedAt, parse: datetime}
  label: {path: "join(' — ', [title, detail])"}
  amount: {path: amount, parse: {amount: {minor_units: true}},
           sign: {path: direction, negative: [debit], positive: [credit]}}
""", country="BR", currency="BRL")
    assert [(r["date"], r["label"], r["amount"]) for r in result.records] == [
        (date(2026, 11, 23), "Pix enviado — Mercado Pão de Açúcar", Decimal("-45.90")),
        (date(2026, 11, 24), "Pix recebido — João Pereira", Decimal("1200.00")),
        (date(2026, 11, 24), "Compra no débito — Uber *Trip", Decimal("-23.75")),
    ]


def test_embedded_call_argument_with_javascript_literal_quirks() -> None:
    result = run("br_nubank_app.html", """
embedded: {script: hydrate}
each: fatura.itens
fields:
  label: {path: descricao}
  amount: {path: valor, parse: amount}
  currency: {path: valor, parse: currency}
""", country="BR")
    assert [(r["label"], r["amount"], r["currency"]) for r in result.records] == [
        ("Netflix.com", Decimal("55.90"), "BRL"), ("iFood *Restaurante", Decimal("89.10"), "BRL")]
    block = ListBlock.model_validate(yaml.safe_load("embedded: {script: hydrate}\n"
                                                    "each: fatura.itens\nfields: {a: {path: x}}"))
    assert count_rows(page("br_nubank_app.html"), block) == 2


def test_missing_embedded_script_is_a_document_error() -> None:
    block = ListBlock.model_validate(yaml.safe_load(
        "embedded: {script: window.__NEXT_DATA__}\neach: items\nfields: {a: {path: x}}"))
    result = extract_list(page("br_nubank_app.html"), block)
    assert result.document_error == ("embedded: no <script> assigns or calls "
                                     "window.__NEXT_DATA__ (expected 'window.__NEXT_DATA__ = "
                                     "{...}' or 'window.__NEXT_DATA__({...})')")


def test_ofx1_sgml_holdings_joined_to_their_security() -> None:
    result = run("broker_statement.ofx", """
format: ofx
each: //INVPOSLIST/*
lookups:
  security: {each: //SECLIST/*, key: ./SECINFO/SECID/UNIQUEID,
             row_key: ./INVPOS/SECID/UNIQUEID}
fields:
  code: {xpath: INVPOS/SECID/UNIQUEID/text()}
  label: {lookup: security, xpath: SECINFO/SECNAME/text()}
  ticker: {lookup: security, xpath: SECINFO/TICKER/text()}
  quantity: {xpath: INVPOS/UNITS/text(), parse: {decimal: {decimal: "."}}}
  unit_price: {xpath: INVPOS/UNITPRICE/text(), parse: {decimal: {decimal: "."}}}
  valuation: {xpath: INVPOS/MKTVAL/text(), parse: {amount: {decimal: "."}}}
""")
    assert result.records == [
        {"code": "US0378331005", "label": "Apple Inc. & Co", "ticker": "AAPL",
         "quantity": Decimal("12"), "unit_price": Decimal("189.50"),
         "valuation": Decimal("2274.00")},
        {"code": "IE00B4L5Y983", "label": "iShares Core MSCI World UCITS ETF",
         "ticker": "IWDA", "quantity": Decimal("40.5"), "unit_price": Decimal("98.20"),
         "valuation": Decimal("3977.10")},
    ]


def test_camt053_with_namespaces() -> None:
    result = run("camt053.xml", """
format: xml
namespaces: {c: "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"}
each: //c:Ntry
fields:
  date: {xpath: "c:BookgDt/c:Dt/text()", parse: date}
  label: {xpath: ".//c:Ustrd/text()"}
  amount: {xpath: "c:Amt/text()", parse: {amount: {decimal: "."}},
           sign: {xpath: "c:CdtDbtInd/text()", negative: [DBIT], positive: [CRDT]}}
  currency: {xpath: "c:Amt/@Ccy", parse: currency}
""")
    assert [(r["date"], r["label"], r["amount"], r["currency"]) for r in result.records] == [
        (date(2026, 11, 24), "REWE Markt GmbH Kartenzahlung", Decimal("-1234.56"), "EUR"),
        (date(2026, 11, 23), "Gehalt November Muster AG", Decimal("3100.00"), "EUR")]


# ----------------------------------------------------------------------------- 8 filters

def test_filter_over_row_fields_and_the_account() -> None:
    result = run("p2p_wallet.html", """
each: "section[data-account='{{ account.id }}'] tr"
filter: "row.status != 'declined' && (row.from_account == account.id
         || row.to_account == account.id)"
fields:
  from_account: "::attr(data-from)"
  to_account: "::attr(data-to)"
  status: td.status
  label: td.who
""", context={"account": {"id": "W-100"}})
    assert [r["label"] for r in result.records] == ["To Mia", "From Tom"]
    assert result.rows == 3 and result.filtered == 1


def test_filter_reading_an_undeclared_field_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match=r"filter reads row\.kind, which is not a field"):
        ListBlock.model_validate(yaml.safe_load(
            "each: tr\nfilter: \"row.kind == 'card'\"\nfields: {label: td}"))


# ----------------------------------------------------------------------------- 9 cleaning

def test_strip_replace_default_and_bool() -> None:
    result = run("au_commbank_statement.html", """
each: div.acct
fields:
  id: {css: span.id, strip: " "}
  bsb: {css: "::attr(data-bsb)", replace: {"-": ""}}
  label: {css: span.name, replace: {Smart Access: Everyday}}
  nickname: {css: span.name, regex: "Smart Access ?(.*)", default: none}
""")
    assert result.records == [{"id": "06200012345678", "bsb": "062000", "label": "Everyday",
                               "nickname": "none"}]


@pytest.mark.parametrize(("raw", "expected"), [
    ("false", False), ("False", False), ("true", True), ("DA", True), ("Ne", False),
    ("oui", True), ("non", False), ("0", False), ("1", True), ("нет", False), ("Tak", True),
])
def test_bool_parse(raw: str, expected: bool) -> None:
    from engine.extraction.transforms import parse_bool

    assert parse_bool(raw) is expected


def test_a_bool_field_from_the_text_false_is_false() -> None:
    block = ListBlock.model_validate({"each": "tr", "fields": {
        "pending": {"css": "td", "parse": "bool"}}})
    result = extract_list("<table><tr><td>false</td></tr><tr><td>true</td></tr></table>", block)
    assert [r["pending"] for r in result.records] == [False, True]


def test_misused_row_keys_are_load_errors() -> None:
    cases = {
        "format: json\neach: items\nfields: {a: {column: Iznos}}": "JSON rows are read with",
        "each: tr\nspan: 2\nfields: {a: {css: td, span_row: 3}}": "span_row 3 but the block",
        "format: json\nembedded: {script: x}\neach: a\nfields: {a: {path: a}}": "keep format",
        "each: tr\nembedded: {script: 'a b'}\nfields: {a: {path: x}}": "should match pattern",
        "each: tr\nfields: {a: {debit: {css: td}, parse: amount}}": "debit and credit go",
    }
    for text, message in cases.items():
        with pytest.raises((ValueError, RecipeError)) as info:
            ListBlock.model_validate(yaml.safe_load(text))
        assert message in str(info.value), (text, str(info.value))


def test_templates_in_json_paths_are_rendered_with_the_account() -> None:
    document = ('{"transfers": [{"from_account": "A-1", "to_account": "B-2", "amount": 40.5},'
                ' {"from_account": "B-2", "to_account": "A-1", "amount": 12}]}')
    block = ListBlock.model_validate(yaml.safe_load("""
format: json
each: transfers
fields:
  outgoing: {path: "from_account == '{{ account.id }}'", parse: bool}
  amount: {path: amount, parse: amount,
           sign: {path: "from_account == '{{ account.id }}'", negative: ["true"]}}
"""))
    result = extract_list(document, block, {"account": {"id": "A-1"}})
    assert result.problems == []
    assert result.records == [{"outgoing": True, "amount": Decimal("-40.5")},
                              {"outgoing": False, "amount": Decimal("12")}]
