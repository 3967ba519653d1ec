"""Two conversions Banco Aurora needs (pure extraction): instants in UTC dated in the
institution's time zone, and a signed balance negated only when the row says so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from engine.errors import RecipeError
from engine.extraction import extract_list
from engine.extraction.transforms import parse_datetime
from engine.recipe import parse_recipe
from engine.recipe.model import Institution, ListBlock

INSTITUTION = Institution.model_validate({"id": "x", "name": "X", "base_url": "http://127.0.0.1",
                                          "allowed_domains": ["127.0.0.1"], "currency": "BRL",
                                          "country": "BR"})


def extract(document: str, block_yaml: str) -> list[dict[str, Any]]:
    block = ListBlock.model_validate(yaml.safe_load(block_yaml))
    result = extract_list(document, block, {}, reference=date(2026, 11, 20),
                          institution=INSTITUTION)
    assert result.document_error is None and result.problems == [], result.problems
    return result.records


@pytest.mark.parametrize(("text", "zone", "expected"), [
    # a Pix at 23:30 in Brasília, written in UTC as the Pix API does
    ("2026-11-20T02:30:00.000Z", "America/Sao_Paulo", date(2026, 11, 19)),
    ("2026-11-20T02:30:00.000Z", None, date(2026, 11, 20)),          # as written: UTC's day
    ("2026-11-19T23:30:00-03:00", "America/Sao_Paulo", date(2026, 11, 19)),
    ("2026-01-01T02:47:05+00:00", "America/Sao_Paulo", date(2025, 12, 31)),
    ("2026-11-20T02:30:00.000Z", "Asia/Tokyo", date(2026, 11, 20)),
    ("2026-11-24T23:30:00+11:00", "Europe/Paris", date(2026, 11, 24)),
    ("2026-11-24T10:00:00+11:00", "Europe/Paris", date(2026, 11, 24)),
    ("2026-11-24T08:00:00+11:00", "Europe/Paris", date(2026, 11, 23)),
    ("2026-11-19 23:30:00", "America/Sao_Paulo", date(2026, 11, 19)),  # no offset: local
])
def test_datetime_converted_to_the_institution_zone(text: str, zone: str | None,
                                                    expected: date) -> None:
    assert parse_datetime(text, zone) == expected


PIX = """{"transferencias": [
  {"id": "a", "horario": "2026-11-20T02:30:00.000Z", "valorCentavos": 6250, "pagador": "me"},
  {"id": "b", "horario": "2026-11-01T02:58:12.310Z", "valorCentavos": 15000, "pagador": "ana"},
  {"id": "c", "horario": "2026-11-09T15:04:00.000Z", "valorCentavos": 3689, "pagador": "ana"}
]}"""


def test_utc_instants_in_a_json_list_get_their_brasilia_date() -> None:
    records = extract(PIX, """
format: json
each: transferencias
fields:
  payer: {path: pagador}
  date: {path: horario, parse: {datetime: {timezone: America/Sao_Paulo}}}
  amount: {path: valorCentavos, parse: {amount: {minor_units: true}},
           sign: {negative_when: "row.payer == 'me'"}}
""")
    assert [(r["date"], r["amount"]) for r in records] == [
        (date(2026, 11, 19), Decimal("-62.50")), (date(2026, 10, 31), Decimal("150.00")),
        (date(2026, 11, 9), Decimal("36.89"))]


ACCOUNTS = """{"contas": [
  {"tipo": "CONTA_CORRENTE", "saldoCentavos": 387612},
  {"tipo": "CONTA_CORRENTE", "saldoCentavos": -12050},
  {"tipo": "CARTAO_CREDITO", "saldoCentavos": 139222},
  {"tipo": "CARTAO_CREDITO", "saldoCentavos": -5000}
]}"""


def test_flip_when_negates_only_where_the_row_says_and_keeps_every_other_sign() -> None:
    records = extract(ACCOUNTS, """
format: json
each: contas
fields:
  kind: {path: tipo}
  balance: {path: saldoCentavos, parse: {amount: {minor_units: true}},
            sign: {flip_when: "row.kind == 'CARTAO_CREDITO'"}}
""")
    assert [r["balance"] for r in records] == [
        Decimal("3876.12"),    # a checking balance stays as written
        Decimal("-120.50"),    # an overdraft keeps its minus (negative_when would lose it)
        Decimal("-1392.22"),   # a card's open invoice, shown positive: money owed
        Decimal("50.00")]      # an overpaid card: money the bank owes


def test_negative_when_would_have_lost_the_overdraft() -> None:
    """Why flip_when exists: negative_when sets the sign, whatever the number said."""
    records = extract(ACCOUNTS, """
format: json
each: contas
fields:
  kind: {path: tipo}
  balance: {path: saldoCentavos, parse: {amount: {minor_units: true}},
            sign: {negative_when: "row.kind == 'CARTAO_CREDITO'"}}
""")
    assert records[1]["balance"] == Decimal("120.50")


RECIPE = """institution: {id: x, name: X, base_url: "http://127.0.0.1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: u}]
login: [{goto: /}]
accounts:
  goto: /a
  format: json
  each: contas
  fields:
    id: {path: id}
    label: {path: nome}
    kind: {path: tipo}
    balance: BALANCE
"""


def problems(balance: str) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(RECIPE.replace("BALANCE", balance), "r.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(("balance", "where", "says"), [
    ('{path: s, parse: {datetime: {timezone: America/Sao_Paolo}}}',
     "13:43: accounts.fields.balance.parse.datetime.timezone", "unknown time zone"),
    ('{path: s, parse: {datetime: {zone: UTC}}}',
     "13:43: accounts.fields.balance.parse.datetime.zone", "unknown key"),
    ('{path: s, parse: amount, sign: {flip_when: "row.kind == \'C\'", '
     'negative_when: "row.kind == \'C\'"}}', "13:39: accounts.fields.balance.sign", "not both"),
    ('{path: s, parse: amount, sign: {flip_when: "row.kind == \'C\'", negative: [x]}}',
     "13:39: accounts.fields.balance.sign", "stands alone"),
    # expressions read only the fields above them (the block-level check, as for negative_when)
    ('{path: s, parse: amount, sign: {flip_when: "row.later == \'C\'"}}', "5:1: accounts",
     "reads row.later"),
])
def test_misuse_is_reported_at_its_line(balance: str, where: str, says: str) -> None:
    found = problems(balance)
    assert any(p.startswith(f"r.yaml:{where}") and says in p for p in found), found
