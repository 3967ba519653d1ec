"""Banka Sever's home-page overview widget: ``RSD 224,775`` is 224775, pure extraction.

The rest of the site writes ``224.775,11`` (the recipe's ``decimal_separator: ","``); this
widget, fed by the bank's mobile service, writes whole units with comma thousands. A field
overrides the institution's separator (``parse: {amount: {decimal: "."}}``), so the same
recipe settings read both. The page is the real one, logged in through the site's WebForms
postbacks (Flask test client), for the Latin and the Cyrillic customer.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from engine import load_recipe
from engine.extraction import extract_list
from engine.recipe.model import ListBlock
from sites.banka_sever import create_app
from sites.banka_sever.data import CYRILLIC_USERNAME, DEMO_USERNAME, OTP_CODE, build_bank
from sites.banka_sever.formats import whole_units
from tests.conftest import RECIPES
from tests.sites.test_banka_sever import login, submit_code

WIDGET = ListBlock.model_validate(yaml.safe_load("""
goto: /Pocetna.aspx
each: "#brziPregled .plocica"
fields:
  id: "::attr(data-racun)"
  label: {css: .plocica-naziv, transliterate: sr}
  available: {css: .plocica-iznos, parse: {amount: {decimal: "."}}}
  currency: {css: .plocica-iznos, parse: currency}
  limit: {css: .plocica-limit, parse: {amount: {decimal: "."}}, required: false}
"""))


def home_page(username: str) -> str:
    client = create_app(terms_pending=()).test_client()
    assert login(client, username).headers["Location"] == "/Verifikacija.aspx"
    assert submit_code(client, list(OTP_CODE)).headers["Location"] == "/Pocetna.aspx"
    return client.get("/Pocetna.aspx").get_data(as_text=True)


@pytest.mark.parametrize("username", [DEMO_USERNAME, CYRILLIC_USERNAME])
def test_the_widget_reads_whole_units_with_comma_thousands(username: str) -> None:
    html = home_page(username)
    if username == DEMO_USERNAME:  # the page really writes them so
        assert "RSD 224,775" in html and "RSD 1,208,967" in html
    institution = load_recipe(RECIPES / "banka-sever.yaml").institution  # decimal: ","
    result = extract_list(html, WIDGET, {}, reference=date(2026, 11, 20),
                          institution=institution)
    assert result.problems == []
    accounts = build_bank().customers[username].accounts
    assert [(r["id"], r["label"], r["available"], r["currency"], r["limit"])
            for r in result.records] == [
        (a.id, a.type_label, whole_units(a.available), a.currency,
         whole_units(a.limit) if a.limit else None) for a in accounts]
