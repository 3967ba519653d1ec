"""End to end through the real headless Chromium: Banque Démo synced with its recipe.

Expected values come from the site's own seeded data (sites/banque_demo/data.py), the single
source the pages are rendered from, never from the engine.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from decimal import Decimal

import pytest

from engine import AccountType, Engine, SyncResult, load_recipe
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME, build_bank
from tests.conftest import RECIPES, ServerFactory

pytestmark = pytest.mark.browser

RECIPE = load_recipe(RECIPES / "banque-demo.yaml")
CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
KINDS = {"checking": AccountType.CHECKING, "savings": AccountType.SAVINGS,
         "card": AccountType.CARD, "pea": AccountType.PEA}


@pytest.fixture(scope="module")
async def synced(banque_demo_url: str, engine: Engine) -> SyncResult:
    return await engine.sync(RECIPE, CREDENTIALS, base_url=banque_demo_url)


def test_accounts_match_seeded_data(synced: SyncResult) -> None:
    bank = build_bank()
    assert synced.error is None, synced.error
    assert synced.ok and not synced.partial
    assert [(a.id, a.label, a.type, a.balance, a.currency) for a in synced.accounts] == [
        (a.id, a.label, KINDS[a.kind], a.balance, a.currency) for a in bank.accounts]
    for account, seeded in zip(synced.accounts, bank.accounts, strict=True):
        assert account.number_masked == "•••• " + seeded.iban.replace(" ", "")[-4:]


def test_every_transaction_of_every_page_matches(synced: SyncResult) -> None:
    bank = build_bank()
    for seeded in bank.accounts:
        got = synced.transactions_of(seeded.id)
        assert [(t.date, t.label, t.amount, t.currency) for t in got] == [
            (op.date, op.label, op.amount, "EUR") for op in seeded.operations], seeded.label
    assert len(synced.transactions_of(bank.accounts[0].id)) == 137  # 6 pages of 25


def test_transaction_ids_unique_even_for_identical_rows(synced: SyncResult) -> None:
    rows = Counter((t.account_id, t.date, t.amount, t.raw_label) for t in synced.transactions)
    assert max(rows.values()) == 2, "the seeded data has one genuinely identical pair"
    assert len({t.id for t in synced.transactions}) == len(synced.transactions)


async def test_transaction_ids_stable_across_syncs(synced: SyncResult, banque_demo_url: str,
                                                   engine: Engine) -> None:
    again = await engine.sync(RECIPE, CREDENTIALS, base_url=banque_demo_url)
    assert [t.id for t in again.transactions] == [t.id for t in synced.transactions]


def test_holdings_match_and_sum_to_the_pea_balance(synced: SyncResult) -> None:
    pea = next(a for a in build_bank().accounts if a.kind == "pea")
    assert [(h.label, h.code, h.code_type, h.quantity, h.unit_price, h.unit_value, h.valuation)
            for h in synced.holdings_of(pea.id)] == [
        (h.label, h.isin, "isin", h.quantity, h.unit_price, h.unit_cost, h.valuation)
        for h in pea.holdings]
    assert sum(h.valuation for h in synced.holdings) == pea.balance
    assert synced.warnings == []


async def test_since_stops_pagination_and_drops_older(banque_demo_url: str,
                                                      engine: Engine) -> None:
    checking = build_bank().accounts[0]
    since = checking.operations[30].date
    result = await engine.sync(RECIPE, CREDENTIALS, base_url=banque_demo_url, since=since)
    got = result.transactions_of(checking.id)
    assert got and all(t.date >= since for t in got)
    assert len(got) == sum(1 for op in checking.operations if op.date >= since)


async def test_same_result_rendered_or_fetched(banque_demo_url: str, engine: Engine,
                                               synced: SyncResult) -> None:
    rendered = await engine.sync(RECIPE, CREDENTIALS, base_url=banque_demo_url, render="browser")
    fetched = await engine.sync(RECIPE, CREDENTIALS, base_url=banque_demo_url, render="http")
    for result in (rendered, fetched):
        assert result.error is None
        assert result.accounts == synced.accounts
        assert result.transactions == synced.transactions
        assert result.holdings == synced.holdings


async def test_password_never_appears_in_output_logs_reprs_or_errors(
        banque_demo_site: ServerFactory, engine: Engine, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    # A distinctive password (the demo one, 123456, occurs in ordinary data such as cheque
    # numbers): typed on the keypad, rejected by the site, quoted nowhere.
    secret = "904613"
    caplog.set_level(logging.DEBUG)
    site = banque_demo_site()
    failed = await engine.sync(RECIPE, {"username": DEMO_USERNAME, "password": secret},
                               base_url=site.url)
    assert failed.error is not None and failed.error.kind == "invalid_credentials"
    ok = await engine.sync(RECIPE, {"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                           base_url=site.url)
    assert ok.error is None
    outputs = [failed.model_dump_json(), repr(failed), str(failed), ok.model_dump_json(),
               repr(ok), caplog.text, *capsys.readouterr()]
    for text in outputs:
        assert secret not in text


async def test_hosts_outside_allowed_domains_are_refused(banque_demo_site: ServerFactory,
                                                         engine: Engine) -> None:
    """The page embeds a pixel on another host (localhost:PORT, the same server under a
    different name): the engine refuses it and says so, and that host never sees a request,
    let alone the credentials."""
    first = banque_demo_site()
    port = first.url.rsplit(":", 1)[1]
    site = banque_demo_site(analytics_host=f"localhost:{port}")
    result = await engine.sync(RECIPE, CREDENTIALS, base_url=site.url)
    assert result.error is None
    refused = [w for w in result.warnings if "outside allowed_domains" in w]
    assert refused and f"localhost:{port}" in refused[0]
    log = site.app.extensions["request_log"] + first.app.extensions["request_log"]
    assert all(not str(entry["host"]).startswith("localhost") for entry in log)
    bodies = json.dumps([entry["body"] for entry in log], default=str)
    assert DEMO_PASSWORD not in bodies.replace('"password"', "")


def test_balances_are_decimal_not_float(synced: SyncResult) -> None:
    assert all(isinstance(a.balance, Decimal) for a in synced.accounts)
    data = json.loads(synced.model_dump_json())
    assert data["accounts"][0]["balance"] == str(build_bank().accounts[0].balance)


async def test_engine_remembers_which_pages_need_no_rendering(
        banque_demo_site: ServerFactory) -> None:
    """The first sync judges a list's first page (this one runs no script: from its HTML
    parsed as a browser would, without rendering it, ``runner.static_pages``); later syncs on
    the same engine go straight to HTTP, with the same data."""
    site = banque_demo_site()
    checking = build_bank().accounts[0].id
    log = site.app.extensions["request_log"]

    def first_page_loads() -> int:
        return sum(1 for e in log if e["path"] == f"/compte/{checking}/operations"
                   and not e["query"])

    async with Engine(max_concurrency=1) as fresh:
        first = await fresh.sync(RECIPE, CREDENTIALS, base_url=site.url)
        assert first_page_loads() == 1  # fetched once, judged, not rendered
        second = await fresh.sync(RECIPE, CREDENTIALS, base_url=site.url)
        assert first_page_loads() == 2  # fetched once, not rendered
    assert second.transactions == first.transactions and second.holdings == first.holdings
