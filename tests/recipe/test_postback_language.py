"""The language keys a WebForms bank in two scripts needed: ``next_click`` (paging by postback),
``column:`` with alternative header names, and templates inside a block's ``steps``.

Load-time rules (located errors, never a run) and the pure column lookup; the run-time
behaviour of ``next_click`` is in ``tests/runner/test_next_click.py`` (real browser)."""

from __future__ import annotations

import pytest
import yaml

from engine.errors import RecipeError
from engine.extraction import extract_list
from engine.recipe import parse_recipe
from engine.recipe.model import ListBlock

BASE = """\
institution: {id: postback, name: Postback, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
login:
  - goto: /login
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: tr.acct
  fields: {id: "::attr(data-id)", label: td.label, balance: {css: td.b, parse: amount}}
transactions:
  for_each: account
  goto: /history
  steps:
    - select: {css: "#account", value: "{{ account.id }}"}
  each: tr.op
  fields:
    label: td.l
    amount: {debit: {column: [Isplata, Исплата]}, credit: {column: [Uplata, Уплата]},
             parse: amount}
  next_click: "a#next[href]"
"""


def test_a_postback_recipe_loads_and_its_block_steps_see_the_account() -> None:
    recipe = parse_recipe(BASE)
    block = recipe.transactions
    assert block is not None and block.next_click == "a#next[href]"
    assert block.rendered_only  # clicked in the page: never read over plain HTTP
    assert len(recipe.login) == 2  # checking the block's templates did not grow the login


NEXT = 'next_click: "a#next[href]"'
ISPLATA = "column: [Isplata, Исплата]"


@pytest.mark.parametrize(("original", "replacement", "key", "words"), [
    (NEXT, NEXT + '\n  next_page: "a.n::attr(href)"', "transactions",
     "does not combine with next_page"),
    (NEXT, NEXT + '\n  load_more: "button.more"', "transactions",
     "does not combine with load_more"),
    (NEXT, 'next_click: "a#next[["', "transactions.next_click", "invalid CSS"),
    (ISPLATA, "column: []", "transactions.fields.amount", "at least 1 item"),
    (ISPLATA, 'column: [Isplata, " "]', "transactions.fields.amount", "column: a header text"),
])
def test_misuse_is_a_located_error(original: str, replacement: str, key: str,
                                   words: str) -> None:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(BASE.replace(original, replacement), "r.yaml")
    text = str(caught.value)
    assert text.startswith("r.yaml:") and f": {key}" in text and words in text, text


def test_next_click_is_for_rendered_pages_only() -> None:
    with pytest.raises(ValueError, match="fetched, not rendered"):
        ListBlock.model_validate({"format": "json", "each": "items", "fields": {"a": {"path": "a"}},
                                  "next_click": "a#next"})


GRID = """<table><tr class="h"><th>Datum</th><th>Uplata</th><th>Isplata</th></tr>
<tr class="op"><td>20.</td><td>&nbsp;</td><td>10,00</td></tr></table>"""


def block(column: object) -> ListBlock:
    return ListBlock.model_validate(yaml.safe_load(
        "each: tr.op\nfields:\n  amount: {column: COLUMN}".replace("COLUMN", str(column))))


@pytest.mark.parametrize("column", ["[Isplata, Исплата]", "[Исплата, Isplata]", "[ISPLATA]",
                                    "Isplata"])
def test_a_column_is_the_first_of_its_names_the_header_has(column: str) -> None:
    result = extract_list(GRID, block(column))
    assert result.problems == [] and result.records == [{"amount": "10,00"}]
    cyrillic = GRID.replace("Isplata", "Исплата")
    assert extract_list(cyrillic, block(column)).records == (
        [{"amount": "10,00"}] if "Исплата" in column else [{"amount": None}])


def test_a_missing_column_names_every_alternative_and_the_header() -> None:
    result = extract_list(GRID, block("[Iznos, Износ]"))
    assert [p.message for p in result.problems] == [
        "no column 'Iznos' or 'Износ' in the header (columns: 'Datum', 'Uplata', 'Isplata')"]
