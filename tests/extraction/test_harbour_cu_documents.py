"""The Harbour Credit Union recipes' blocks over every document the site serves, no browser.

The sync tests (``tests/e2e/test_harbour_cu_recipe.py``) read one format per account kind;
here each block meets every account and every format it claims to read: the OFX block both
OFX 2.2 (XML) and OFX 1.02 (SGML, leaf elements unclosed) of every cash account, the camt.053
block the cards' statements too, the holdings block both OFX versions, the search block a
card's results (no Balance column), the activity block each of its pages with the sign taken
from the row class or from the icon. Values come from ``sites.harbour_cu.data``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from parsel import Selector

from engine.extraction.records import extract_list
from engine.recipe import load_recipe
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from sites.harbour_cu import create_app
from sites.harbour_cu.data import DEFAULT_OTP_CODE, DEMO_PASSWORD, Account, build_bank
from tests.conftest import RECIPES

BANK = build_bank()
OFX = load_recipe(RECIPES / "harbour-cu-ofx.yaml")
SEARCH = load_recipe(RECIPES / "harbour-cu-search.yaml")
Row = tuple[date, str, Decimal]


def _token(html: str) -> str:
    value = Selector(html).css("input[name=_csrf]::attr(value)").get()
    assert value
    return value


@pytest.fixture(scope="module")
def member() -> FlaskClient:
    client = create_app().test_client()
    client.post("/login", data={"_csrf": _token(client.get("/login").get_data(as_text=True)),
                                "username": "demo", "password": DEMO_PASSWORD})
    verify = client.get("/login/verify").get_data(as_text=True)
    answer = client.post("/login/verify", data={"_csrf": _token(verify),
                                                "code": DEFAULT_OTP_CODE})
    assert answer.status_code == 302 and answer.location == "/accounts"
    return client


def fetch(client: FlaskClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, url
    return answer.get_data(as_text=True)


def block(recipe: Recipe, stage: str) -> ListBlock:
    found = recipe.block(stage)
    assert found is not None, stage
    return found


def records(recipe: Recipe, stage: str, text: str,
            account: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    extraction = extract_list(text, block(recipe, stage), {"account": account or {}},
                              institution=recipe.institution)
    assert extraction.document_error is None and not extraction.problems, extraction.problems
    return extraction.records


def booked(account: Account) -> list[Row]:
    return [(t.date, t.description, t.amount) for t in account.transactions]


def rows(found: list[dict[str, Any]]) -> list[Row]:
    return [(r["date"], r["label"], r["amount"]) for r in found]


CASH = BANK.deposits + BANK.cards


@pytest.mark.parametrize("fmt", ["ofx2", "ofx1"])
@pytest.mark.parametrize("account", CASH, ids=[a.name for a in CASH])
def test_the_ofx_block_reads_both_ofx_versions_of_every_account(
        member: FlaskClient, account: Account, fmt: str) -> None:
    text = fetch(member, f"/download?account={account.key}&format={fmt}")
    assert text.startswith("OFXHEADER:100" if fmt == "ofx1" else "<?xml")
    found = records(OFX, "transactions[1]", text)
    assert rows(found) == booked(account)
    assert {r["currency"] for r in found} == {"AUD"}


def test_ofx_names_are_cut_so_the_label_is_the_memo(member: FlaskClient) -> None:
    """NAME stops at 32 characters: reading it would lose the end of long descriptions."""
    everyday = BANK.deposits[0]
    text = fetch(member, f"/download?account={everyday.key}&format=ofx1")
    names = Selector(text=text.replace("\r\n", "\n"), type="text").re(r"<NAME>([^\n<]*)")
    long = [t.description for t in everyday.transactions if len(t.description) > 32]
    assert long and all(len(name) <= 32 for name in names)
    labels = [r["label"] for r in records(OFX, "transactions[1]", text)]
    assert [label for label in labels if len(label) > 32] == long


@pytest.mark.parametrize("account", CASH, ids=[a.name for a in CASH])
def test_the_camt_block_reads_every_cash_accounts_statement(member: FlaskClient,
                                                            account: Account) -> None:
    text = fetch(member, f"/download?account={account.key}&format=camt053")
    found = records(OFX, "transactions[0]", text)
    assert rows(found) == booked(account)[::-1]  # booking order: oldest first
    assert {r["currency"] for r in found} == {"AUD"}


def test_a_camt_range_holds_exactly_the_range(member: FlaskClient) -> None:
    everyday = BANK.deposits[0]
    start, end = date(2026, 9, 1), date(2026, 9, 30)
    text = fetch(member, f"/download?account={everyday.key}&format=camt053"
                         f"&from={start}&to={end}")
    assert rows(records(OFX, "transactions[0]", text)) == [
        (t.date, t.description, t.amount) for t in everyday.between(start, end)][::-1]


@pytest.mark.parametrize("fmt", ["ofx2", "ofx1"])
def test_the_holdings_block_joins_positions_to_their_securities(member: FlaskClient,
                                                                fmt: str) -> None:
    trading = BANK.investments[0]
    text = fetch(member, f"/download?account={trading.key}&format={fmt}")
    found = records(OFX, "holdings", text)
    assert [(r["code"], r["label"], r["quantity"], r["unit_price"], r["unit_value"],
             r["valuation"], r["currency"]) for r in found] == [
        (h.isin, h.name, h.units, h.last_price, h.avg_price, h.market_value, "AUD")
        for h in trading.holdings]


@pytest.mark.parametrize("account", CASH, ids=[a.name for a in CASH])
def test_the_search_block_reads_deposits_and_cards_alike(member: FlaskClient,
                                                         account: Account) -> None:
    """Cards' results have no Balance column: columns are found by their header."""
    url: str | None = f"/search?account={account.key}&from=2026-01-01&to=2026-11-20"
    found: list[dict[str, Any]] = []
    while url:
        text = fetch(member, url)
        found += records(SEARCH, "transactions[0]", text)
        url = Selector(text).css("a[data-testid=pagination-next]::attr(href)").get()
    assert rows(found) == booked(account)


def test_all_activity_filtered_per_account_signed_by_class_or_icon(
        member: FlaskClient) -> None:
    pages = [fetch(member, f"/activity?page={n}") for n in range(1, 6)]
    by_class = block(SEARCH, "transactions[1]")
    variant = by_class.model_dump(exclude_unset=True)
    variant["fields"]["amount"] = {"column": "Amount", "parse": "amount", "sign": {
        "css": "svg::attr(aria-label)", "negative": ["Money out"], "positive": ["Money in"]}}
    by_icon = ListBlock.model_validate(variant)
    for account in CASH:
        context = {"account": {"id": account.id, "label": account.name}}
        found = [r for text in pages
                 for r in extract_list(text, by_class, context,
                                       institution=SEARCH.institution).records]
        assert rows(found) == booked(account), account.name
        iconic = [r for text in pages
                  for r in extract_list(text, by_icon, context,
                                        institution=SEARCH.institution).records]
        assert rows(iconic) == rows(found)
    assert sum(len(a.transactions) for a in CASH) == 246
