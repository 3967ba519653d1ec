"""The eight locale statement pages of ``sites.statements``, read by list blocks written as a
recipe author would (YAML, no XPath functions, no JMESPath arithmetic), pure extraction.

Each page is served by the site (Flask test client) and every row must equal
``sites.statements.data`` exactly: date, value date where the page shows one, label, signed
amount and currency. Each block uses the page's own idiom: day headings (ru), S/H suffixes
(de), a type column (pt), an ARIA grid of spans (es), Dare/Avere columns (it), an Af/Bij
column (nl), weekdays and genitive months (pl), dotted Serbian dates (sr).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from engine.extraction import extract_list
from engine.recipe.model import Institution, ListBlock
from sites.statements import create_app
from sites.statements.data import LOCALES, STATEMENTS

REFERENCE = date(2026, 11, 20)

BLOCKS: dict[str, tuple[dict[str, Any], str]] = {
    # locale: (institution settings, block)
    "ru": ({"country": "RU", "currency": "RUB"}, """
each: table.volga-operations tbody tr.volga-op
group:
  heading: tr.volga-day
  fields:
    date: {css: th, parse: {date: {formats: ["%d %B %Y г., %A"], locale: ru}}}
fields:
  label: td.volga-op__name
  amount: {column: Сумма, parse: amount}
  currency: {column: Сумма, parse: currency}
"""),
    "de": ({"country": "DE"}, """
each: table.sk-umsaetze tbody tr.sk-umsatz
fields:
  date: {column: Buchungstag, parse: {date: "%d.%m.%Y"}}
  value_date: {column: Wertstellung, parse: {date: {formats: ["%d. %b %Y"], locale: de}}}
  label: td.sk-zweck span.sk-name
  amount:
    column: Betrag EUR
    regex: '^([\\d.]+,\\d\\d)'
    parse: amount
    sign: {column: Betrag EUR, negative: [S], positive: [H]}
"""),
    "pt": ({"country": "PT"}, """
each: table.caixa-movimentos tbody tr
fields:
  date: {column: Data mov., parse: {date: {formats: ["%d %b %Y"], locale: pt_PT}}}
  value_date: {column: Data valor, parse: {date: {formats: ["%d %b %Y"], locale: pt_PT}}}
  label: {column: Descrição}
  amount: {column: Montante, parse: amount}
  currency: {column: Montante, parse: currency}
"""),
    "es": ({"country": "ES"}, """
each: "div.meseta-tabla div.meseta-movimiento[role=row]"
fields:
  date: {css: span.meseta-fecha, parse: {date: {formats: ["%d %b %Y"], locale: es}}}
  value_date: {css: span.meseta-valor, parse: {date: {formats: ["%d %b %Y"], locale: es}}}
  label: span.meseta-concepto
  amount: {css: span.meseta-importe, parse: amount}
  currency: {css: span.meseta-importe, parse: currency}
"""),
    "it": ({"country": "IT"}, """
each: table.lario-movimenti tbody tr
fields:
  date: {column: Data contabile, parse: {date: {formats: ["%d %B %Y"], locale: it}}}
  value_date: {column: Data valuta, parse: {date: "%d/%m/%Y"}}
  label: {column: Descrizione}
  amount: {debit: {column: Dare}, credit: {column: Avere}, parse: amount}
"""),
    "nl": ({"country": "NL"}, """
each: table.polder-mutaties tbody tr.polder-mutatie
fields:
  date: {column: Datum, parse: {date: {formats: ["%d %b %Y"], locale: nl}}}
  label: {column: Naam / Omschrijving}
  amount: {column: Bedrag, parse: amount, sign: {column: Af/Bij, negative: [Af],
           positive: [Bij]}}
  currency: {column: Bedrag, parse: currency}
"""),
    "pl": ({"country": "PL", "currency": "PLN"}, """
each: table.wisla-historia tbody tr
fields:
  date: {column: Data operacji, parse: {date: {formats: ["%a, %d %b %Y"], locale: pl}}}
  value_date: {column: Data księgowania, parse: {date: {formats: ["%d %B %Y"], locale: pl}}}
  label: {column: Opis}
  amount: {column: Kwota, parse: amount}
  currency: {column: Kwota, parse: currency}
"""),
    "sr": ({"country": "RS", "currency": "RSD", "decimal_separator": ","}, """
each: table.dunav-promet tbody tr
fields:
  date: {column: Datum transakcije, parse: {date: {formats: ["%d. %B %Y."], locale: sr-Latn}}}
  value_date: {column: Datum knjiženja, parse: {date: "%d.%m.%Y."}}
  label: {column: Opis}
  amount: {column: Iznos, parse: amount}
  currency: {column: Valuta, parse: currency}
"""),
}


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


def institution(**values: Any) -> Institution:
    return Institution.model_validate({"id": "statements", "name": "Statements",
                                       "base_url": "http://127.0.0.1",
                                       "allowed_domains": ["127.0.0.1"], **values})


def test_every_locale_has_a_block() -> None:
    assert sorted(BLOCKS) == sorted(LOCALES)


@pytest.mark.parametrize("locale", sorted(BLOCKS))
def test_every_row_of_the_page_is_exact(client: FlaskClient, locale: str) -> None:
    settings, text = BLOCKS[locale]
    block = ListBlock.model_validate(yaml.safe_load(text))
    answer = client.get(f"/{locale}")
    assert answer.status_code == 200
    statement = STATEMENTS[locale]
    result = extract_list(answer.get_data(as_text=True), block, {}, reference=REFERENCE,
                          institution=institution(**settings))
    assert result.document_error is None and result.problems == [], result.problems
    got = [(r["date"], r["label"], r["amount"], r.get("currency", statement.currency))
           for r in result.records]
    assert got == [(row.date, row.label, row.amount, row.currency) for row in statement.rows]
    if "value_date" in block.fields:
        assert [r["value_date"] for r in result.records] == [
            row.value_date for row in statement.rows]
