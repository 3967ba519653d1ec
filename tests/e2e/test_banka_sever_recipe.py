"""Banka Sever synced end to end through the real browser by ``recipes/banka-sever.yaml``.

Both demo customers are synced once for the module (concurrently, on one site): Marko sees the
Latin interface, Milica the Cyrillic one, and every account, balance and transaction must equal
``sites.banka_sever.data`` exactly — reached through the cookie overlay, the six code boxes,
the new-terms page, the account drop-down's postback and "Sledeća" postbacks (10 pages for the
current account). Failure scenarios are classified from what the site really shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.models import AccountType, SyncResult
from engine.recipe.model import Recipe
from engine.runner.context import DocumentSeen, OtpChallenge
from sites._server import ThreadedServer
from sites.banka_sever import create_app
from sites.banka_sever.data import (
    CYRILLIC_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    OTP_CODE,
    PAGE_SIZE,
    build_bank,
)
from tests.conftest import RECIPES

pytestmark = pytest.mark.browser

REFERENCE = date(2026, 11, 20)
BANK = build_bank()
CUSTOMERS = (DEMO_USERNAME, CYRILLIC_USERNAME)
STATE_KEY = "test-state-key-banka-sever"


async def right_code(challenge: OtpChallenge) -> str:
    return OTP_CODE


@pytest.fixture(scope="module")
def recipe() -> Recipe:
    return load_recipe(RECIPES / "banka-sever.yaml")


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    with ThreadedServer(create_app()) as server:
        yield server.url


def options(url: str, **values: object) -> SyncOptions:
    values.setdefault("otp_callback", right_code)
    return SyncOptions(base_url=url, reference_date=REFERENCE, **values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Synced:
    result: SyncResult
    pages: list[DocumentSeen]


@pytest.fixture(scope="module")
async def synced(engine: Engine, recipe: Recipe, site_url: str) -> dict[str, Synced]:
    """One full sync per customer, both at once; each keeps the documents it read."""
    async def one(name: str) -> Synced:
        pages: list[DocumentSeen] = []
        result = await engine.sync(recipe, {"username": name, "password": DEMO_PASSWORD},
                                   options(site_url, observer=pages.append,
                                           state_key=STATE_KEY))
        return Synced(result, pages)

    done = await asyncio.gather(*(one(name) for name in CUSTOMERS))
    return dict(zip(CUSTOMERS, done, strict=True))


# ----------------------------------------------------------------------------- exact values

@pytest.mark.parametrize("username", CUSTOMERS)
def test_accounts_and_balances_are_exact(synced: dict[str, Synced], username: str) -> None:
    result = synced[username].result
    assert result.error is None, result.error
    assert result.ok and not result.warnings, result.warnings
    expected = BANK.customers[username].accounts
    assert [(a.id, a.label, a.type, a.balance, a.currency) for a in result.accounts] == [
        (a.id, a.label, AccountType(a.engine_type), a.balance, a.currency) for a in expected]
    assert [a.number_masked for a in result.accounts] == [
        "•••• " + a.id.replace("-", "")[-4:] for a in expected]


@pytest.mark.parametrize("username", CUSTOMERS)
def test_every_transaction_is_exact(synced: dict[str, Synced], username: str) -> None:
    """Date (day-only under month headings across the year; the card's day-month against the
    statement period), label (second row, back in Latin), amount (debit/credit columns)."""
    result = synced[username].result
    for account in BANK.customers[username].accounts:
        got = result.transactions_of(account.id)
        assert [(t.date, t.label, t.amount, t.currency) for t in got] == [
            (op.date, op.label, op.amount, account.currency) for op in account.operations
        ], account.label
    assert len(result.transactions) == sum(
        len(a.operations) for a in BANK.customers[username].accounts)
    assert len({t.id for t in result.transactions}) == len(result.transactions)


def test_the_year_rollover_and_card_dates_are_resolved(synced: dict[str, Synced]) -> None:
    result = synced[DEMO_USERNAME].result
    checking, _, _, card = BANK.customers[DEMO_USERNAME].accounts
    dates = [t.date for t in result.transactions_of(checking.id)]
    assert dates[0] == date(2026, 11, 20) and dates[-1] == date(2025, 12, 1)
    assert dates == sorted(dates, reverse=True)
    card_dates = {t.date for t in result.transactions_of(card.id)}
    assert date(2026, 11, 14) in card_dates
    assert min(card_dates) >= date(2025, 12, 1) and max(card_dates) <= REFERENCE


@pytest.mark.parametrize("username", CUSTOMERS)
def test_every_statement_page_was_reached_by_postback(synced: dict[str, Synced],
                                                      username: str) -> None:
    """Each account's pages, in order, all at the same URL (the grid lives in the view
    state), in the customer's own script."""
    pages = [p for p in synced[username].pages if p.stage == "transactions"]
    for account in BANK.customers[username].accounts:
        mine = [p for p in pages if p.account_id == account.id]
        count = -(-len(account.operations) // PAGE_SIZE)
        assert [p.page_number for p in mine] == list(range(1, count + 1)), account.label
        assert {p.url.rsplit("/", 1)[-1] for p in mine} == {"Promet.aspx"}
        assert f"od {count}<" in mine[-1].html or f"од {count}<" in mine[-1].html
    headers = "Датум" if username == CYRILLIC_USERNAME else "Datum"
    assert all(f'<th scope="col">{headers}</th>' in p.html for p in pages)


def test_the_cyrillic_pages_really_were_cyrillic(synced: dict[str, Synced]) -> None:
    pages = [p.html for p in synced[CYRILLIC_USERNAME].pages if p.stage == "transactions"]
    assert any("новембар 2026" in html for html in pages)
    assert any("децембар 2025" in html for html in pages)
    accounts = next(p.html for p in synced[CYRILLIC_USERNAME].pages if p.stage == "accounts")
    assert "Текући рачун" in accounts and "Tekući račun" not in accounts


def test_no_secret_in_the_result(synced: dict[str, Synced]) -> None:
    for run in synced.values():
        text = run.result.model_dump_json()
        assert DEMO_PASSWORD not in text and OTP_CODE not in text


# ----------------------------------------------------------------------------- scenarios

async def test_a_later_sync_skips_terms_and_resumes_after_the_code(
        engine: Engine, recipe: Recipe, site_url: str, synced: dict[str, Synced]) -> None:
    """The terms were accepted by the module's sync (never shown again: its ``when`` skips
    it). Without a code the sync stops, resumable; resumed with the code it goes on from the
    six boxes, and ``since`` stops the postback paging early."""
    del synced  # ran first: the terms are accepted on this site
    credentials = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
    stopped = await engine.sync(recipe, credentials, options(
        site_url, otp_callback=None, state_key=STATE_KEY))
    assert stopped.error is not None and stopped.error.code == "challenge_required"
    assert stopped.resume_state
    since = date(2026, 11, 1)
    pages: list[DocumentSeen] = []
    resumed = await engine.sync(recipe, credentials, options(
        site_url, otp_callback=None, state_key=STATE_KEY, resume_state=stopped.resume_state,
        otp_code=OTP_CODE, since=since, observer=pages.append))
    assert resumed.error is None, resumed.error
    for account in BANK.customers[DEMO_USERNAME].accounts:
        assert [(t.date, t.label, t.amount) for t in resumed.transactions_of(account.id)] == [
            (op.date, op.label, op.amount) for op in account.operations if op.date >= since]
    checking = BANK.customers[DEMO_USERNAME].accounts[0].id
    assert [p.page_number for p in pages if p.account_id == checking] == [1, 2]


@dataclass(frozen=True)
class Failure:
    username: str
    code: str
    password: str = DEMO_PASSWORD
    otp: str = OTP_CODE


FAILURES = [
    Failure(DEMO_USERNAME, "invalid_credentials", password="Sever2025"),
    Failure(DEMO_USERNAME, "invalid_credentials.wrong_code", otp="246802"),
    Failure("demo.blokiran", "action_required.account_locked"),
    Failure("demo.odrzavanje", "unavailable.maintenance"),
]


@pytest.mark.parametrize("case", FAILURES, ids=[f.code for f in FAILURES])
async def test_failures_are_classified(engine: Engine, recipe: Recipe, site_url: str,
                                       case: Failure) -> None:
    async def code(challenge: OtpChallenge) -> str:
        return case.otp

    result = await engine.sync(recipe, {"username": case.username, "password": case.password},
                               options(site_url, otp_callback=code))
    assert result.error is not None and result.error.code == case.code, result.error
    assert not result.accounts
    assert case.password not in result.model_dump_json()


async def test_site_wide_maintenance_says_when_to_retry(engine: Engine,
                                                        recipe: Recipe) -> None:
    with ThreadedServer(create_app(maintenance=True)) as server:
        result = await engine.sync(recipe, {"username": DEMO_USERNAME,
                                            "password": DEMO_PASSWORD}, options(server.url))
    assert result.error is not None and result.error.code == "unavailable.maintenance"
    assert result.error.step == "login[0] goto"
    assert result.error.policy.retry_after_seconds == 3600
