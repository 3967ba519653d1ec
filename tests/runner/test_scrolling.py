"""The row accumulator of virtualized lists, pure (the browser part is in
test_list_reading.py): rows kept by identity in first-seen order, and put back into the page
so extraction reads the whole list exactly as it reads any page."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from engine.errors import RecipeBroken, RecipeError
from engine.extraction import extract_list
from engine.recipe import parse_recipe
from engine.recipe.lists import ListBlock
from engine.runner.scrolling import RowAccumulator

BLOCK = ListBlock.model_validate(yaml.safe_load("""
each: "div.lista div.mov"
scroll: {css: div.lista, key: "::attr(data-id)", end: .fim}
fields:
  id: "::attr(data-id)"
  label: .d
  amount: {css: .v, parse: amount}
"""))


def screen(indices: range, *, end: bool = False) -> str:
    rows = "".join(f'<div class="mov" data-id="m{i}" style="top:{i * 64}px">'
                   f'<span class="d">Compra {i}</span> <span class="v">-{i},50 €</span></div>\n'
                   for i in indices)
    return (f'<html><body><h1>Extrato</h1><div class="lista"><div class="linhas">{rows}</div>'
            f'{"<p class=fim>Fim</p>" if end else ""}</div><footer>Banco</footer></body></html>')


def test_rows_are_collected_once_in_first_seen_order_and_put_back() -> None:
    rows = RowAccumulator(BLOCK, {})
    assert rows.add(screen(range(0, 12))) == 12
    assert rows.add(screen(range(6, 18))) == 6         # overlapping screens: 6 new
    assert rows.add(screen(range(6, 18))) == 0
    assert rows.add(screen(range(14, 30), end=True)) == 12
    page = rows.document(screen(range(20, 30), end=True))
    result = extract_list(page, BLOCK, {})
    assert [r["id"] for r in result.records] == [f"m{i}" for i in range(30)]
    assert result.records[29] == {"id": "m29", "label": "Compra 29",
                                  "amount": Decimal("-29.50")}
    # the rest of the page is untouched: the end marker, what follows the list
    assert "<p class=\"fim\">Fim</p>" in page and "<footer>Banco</footer>" in page
    assert page.count('class="linhas"') == 1


def test_text_between_rows_survives_the_merge() -> None:
    rows = RowAccumulator(BLOCK, {})
    rows.add(screen(range(3)))
    page = rows.document('<div class="lista"><div>head <div class="mov" data-id="m1">'
                         '<span class="d">x</span></div> tail</div></div>')
    assert "head " in page and " tail" in page
    assert [r["id"] for r in extract_list(page, BLOCK, {}).records] == ["m0", "m1", "m2"]


def test_a_row_without_identity_is_a_broken_recipe_naming_the_key() -> None:
    rows = RowAccumulator(BLOCK, {}, "transactions")
    with pytest.raises(RecipeBroken) as caught:
        rows.add('<div class="lista"><div class="mov"><span class="d">x</span></div></div>')
    assert caught.value.reason == "scroll_key_missing"
    assert caught.value.selector == "::attr(data-id)"
    assert caught.value.step == "transactions"


RECIPE = """institution: {id: x, name: X, base_url: "http://127.0.0.1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: u}]
login: [{goto: /}]
accounts:
  goto: /a
  each: div.mov
  SCROLL
  fields: {id: "::attr(data-id)", label: .d, balance: {css: .v, parse: amount}}
"""


@pytest.mark.parametrize(("scroll", "where", "says"), [
    ('scroll: {end: .fim}', "8:3: accounts.scroll", "give key"),
    ('scroll: {key: "::attr(data-id"}', "8:12: accounts.scroll.key", "::attr(data-id"),
    ('scroll: {key: "::attr(data-id)", end: "p[["}', "8:36: accounts.scroll.end", "p[["),
    ('scroll: {key: "::attr(data-id)"}\n  span: 2', "5:1: accounts", "cannot be combined"),
    ('scroll: {key: "::attr(data-id)"}\n  load_more: button.mais', "5:1: accounts",
     "not both"),
])
def test_scroll_misuse_is_reported_at_load_time(scroll: str, where: str, says: str) -> None:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(RECIPE.replace("SCROLL", scroll), "r.yaml")
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 1, found
    assert found[0].startswith(f"r.yaml:{where}"), found
    assert says in found[0], found
