"""Harbour Credit Union synced end to end through the real browser by its three recipes.

``harbour-cu`` reads each account's own pages (the Recent tab clicked, "Show older" until the
end, CR/DR and type-column signs, pending lines); ``harbour-cu-search`` the date-ranged search
and the "All activity" page filtered per account; ``harbour-cu-ofx`` the camt.053, OFX 1.02
and OFX 2.2 downloads. Every value is compared with ``sites.harbour_cu.data`` — the single
source of truth the site renders — and the three recipes must agree with each other. The
failure scenarios of the site are classified through the recipe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from engine import AccountType, Engine, SyncOptions, SyncResult, load_recipe
from engine.extraction.records import extract_list
from engine.models import Transaction
from engine.runner.context import DocumentSeen, OtpChallenge
from sites._server import ThreadedServer
from sites.harbour_cu import create_app
from sites.harbour_cu.data import (
    DEFAULT_OTP_CODE,
    DEMO_PASSWORD,
    REFERENCE_DATE,
    Account,
    build_bank,
    scenario_username,
)
from tests.conftest import RECIPES

pytestmark = pytest.mark.browser

BANK = build_bank()
CREDS = {"username": "demo", "password": DEMO_PASSWORD}
RECIPE_NAMES = ("harbour-cu", "harbour-cu-search", "harbour-cu-ofx")
SEARCH_SINCE = date(2024, 1, 1)
"""Before the oldest line of any account (the trades go back to November 2024)."""
TYPES = {"checking": AccountType.CHECKING, "savings": AccountType.SAVINGS,
         "deposit": AccountType.DEPOSIT, "card": AccountType.CARD,
         "brokerage": AccountType.BROKERAGE}
Row = tuple[date, str, Decimal]
STATE_KEY = "harbour-test-key"


async def send_code(challenge: OtpChallenge) -> str:
    assert challenge.medium == "email" and challenge.institution.startswith("harbour-cu")
    return DEFAULT_OTP_CODE


def options(url: str, **extra: Any) -> SyncOptions:
    return SyncOptions(base_url=url, reference_date=REFERENCE_DATE,
                       **{"otp_callback": send_code, **extra})


@dataclass
class Synced:
    result: SyncResult
    documents: list[DocumentSeen]


@pytest.fixture(scope="module")
def harbour_url() -> Iterator[str]:
    with ThreadedServer(create_app()) as server:
        yield server.url


@pytest.fixture(scope="module")
async def synced(engine: Engine, harbour_url: str) -> dict[str, Synced]:
    """One sync per recipe, run together, shared by every assertion of this module."""

    async def run(name: str) -> Synced:
        seen: list[DocumentSeen] = []
        since = SEARCH_SINCE if name == "harbour-cu-search" else None
        result = await engine.sync(load_recipe(RECIPES / f"{name}.yaml"), CREDS,
                                   options(harbour_url, since=since, observer=seen.append,
                                           state_key=STATE_KEY))
        return Synced(result, seen)

    done = await asyncio.gather(*(run(name) for name in RECIPE_NAMES))
    return dict(zip(RECIPE_NAMES, done, strict=True))


def rows(transactions: list[Transaction]) -> list[Row]:
    return [(t.date, t.label, t.amount) for t in transactions]


def booked(account: Account) -> list[Row]:
    """An account's booked lines as the site's own pages list them: newest first."""
    return [(t.date, t.description, t.amount) for t in account.transactions]


def booked_in(result: SyncResult, account: Account) -> list[Transaction]:
    return [t for t in result.transactions_of(account.id) if not t.pending]


# -- what each recipe returns ---------------------------------------------------------------

@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_accounts_are_exactly_the_members(synced: dict[str, Synced], name: str) -> None:
    result = synced[name].result
    assert result.error is None and result.ok, (result.error, result.account_failures)
    assert result.warnings == []
    assert [(a.id, a.label, a.type, a.balance, a.currency, a.number_masked)
            for a in result.accounts] == [
        (a.id, a.name, TYPES[a.kind], a.balance, "AUD", f"•••• {a.id[-4:]}")
        for a in BANK.accounts]
    # ids cleaned of the no-break spaces and bullets the pages print
    assert [a.id for a in result.accounts][:4] == [
        "20478815", "20478823", "20478831", "456471XXXXXX4821"]


def test_account_pages_give_every_line_with_its_sign(synced: dict[str, Synced]) -> None:
    """Deposit accounts: the Recent tab (clicked, then "Show older" to the end) signed by the
    Type column, then the Pending tab; cards: CR/DR over every page; trading: the orders."""
    result = synced["harbour-cu"].result
    for account in BANK.accounts:
        got = result.transactions_of(account.id)
        expected = booked(account) + [(p.date, p.description, p.amount)
                                      for p in account.pending]
        assert rows(got) == expected, account.name
        assert [t.pending for t in got] == [False] * len(account.transactions) + [
            True] * len(account.pending)
        assert {t.currency for t in got} == {"AUD"}
    everyday = result.transactions_of("20478815")
    assert len(everyday) == 164 + 3  # nine fragment pages of 20, all loaded by "Show older"
    assert {t.amount > 0 for t in everyday} == {True, False}
    assert len({t.id for t in result.transactions}) == len(result.transactions)


def test_a_foreign_purchase_is_the_aud_amount_charged(synced: dict[str, Synced]) -> None:
    """The cell reads "US$12.00 A$18.47 DR": the amount is the A$ charged, in AUD."""
    for name in RECIPE_NAMES:
        on_day = [(t.label, t.amount, t.currency)
                  for t in synced[name].result.transactions_of("456471XXXXXX4821")
                  if t.date == date(2026, 11, 3)]
        amazon = ("AMAZON WEB SERVICES AWS.AMAZON.CO USA", Decimal("-18.47"), "AUD")
        fee = ("INTERNATIONAL TRANSACTION FEE", Decimal("-0.55"), "AUD")
        assert amazon in on_day and fee in on_day, name
        assert not any(amount == Decimal("-12.00") for _, amount, _ in on_day), name


def test_card_limits_in_whole_dollars_are_thousands(synced: dict[str, Synced]) -> None:
    """"$8,000" is 8000: read from the very /cards page the sync saw, with the recipe's block."""
    recipe = load_recipe(RECIPES / "harbour-cu.yaml")
    [page] = [d for d in synced["harbour-cu"].documents if d.stage == "accounts[1]"]
    extraction = extract_list(page.html, recipe.account_blocks[1],
                              institution=recipe.institution)
    assert [(r["id"], r["limit"], r["balance"]) for r in extraction.records] == [
        (c.id, c.credit_limit, c.balance) for c in BANK.cards]
    assert [r["limit"] for r in extraction.records] == [Decimal(8000), Decimal(3000)]


@pytest.mark.parametrize("name", RECIPE_NAMES)
def test_holdings_are_the_positions(synced: dict[str, Synced], name: str) -> None:
    """The OFX recipe names each position from SECLIST (joined on UNIQUEID)."""
    trading = BANK.investments[0]
    got = synced[name].result.holdings_of(trading.id)
    assert [(h.code, h.code_type, h.label, h.quantity, h.unit_price, h.unit_value,
             h.valuation, h.currency) for h in got] == [
        (h.isin, "isin", h.name, h.units, h.last_price, h.avg_price, h.market_value, "AUD")
        for h in trading.holdings]
    assert sum(h.valuation for h in got) == trading.balance


def test_downloads_give_the_pages_values(synced: dict[str, Synced]) -> None:
    """camt.053 lists entries oldest first (booking order); OFX newest first. Dates are the
    local dates of OFX's local midnights; labels the full MEMO, not the 32-character NAME."""
    result = synced["harbour-cu-ofx"].result
    for account in BANK.deposits:
        assert rows(result.transactions_of(account.id)) == booked(account)[::-1], account.name
    for account in BANK.cards + BANK.investments:
        assert rows(result.transactions_of(account.id)) == booked(account), account.name
    long_labels = {t.label for t in result.transactions if len(t.label) > 32}
    assert "VISA PURCHASE BAKERS DELIGHT BALMAIN NSW" in long_labels
    assert "AMAZON WEB SERVICES AWS.AMAZON.CO USA" in long_labels
    # lines stamped [+10:AEST] (before 4 October) and [+11:AEDT]: all on their local day
    days = {t.date for t in result.transactions_of("456471XXXXXX4821")}
    assert min(days) < date(2026, 10, 4) <= max(days)


def test_search_and_all_activity_give_every_line(synced: dict[str, Synced]) -> None:
    result = synced["harbour-cu-search"].result
    for account in BANK.accounts:
        assert rows(result.transactions_of(account.id)) == booked(account), account.name
    # "All activity" holds all five cash accounts; each card kept its own rows only
    low_rate = result.transactions_of("456471XXXXXX9032")
    assert len(low_rate) == 5 and {t.amount > 0 for t in low_rate} == {True, False}
    activity = [d for d in synced["harbour-cu-search"].documents
                if d.stage == "transactions[1]"]
    assert len(activity) == 2 * 5  # both cards, five pages of 50 each
    searched = [d.url for d in synced["harbour-cu-search"].documents
                if d.stage == "transactions[0]"]
    assert all("from=2024-01-01&to=2026-11-20" in url for url in searched)


def test_the_three_recipes_agree(synced: dict[str, Synced]) -> None:
    html, search, ofx = (synced[name].result for name in RECIPE_NAMES)
    assert [a.model_dump() for a in html.accounts] == [a.model_dump() for a in search.accounts] \
        == [a.model_dump() for a in ofx.accounts]
    for account in BANK.accounts:
        from_pages = rows(booked_in(html, account))
        from_files = rows(booked_in(ofx, account))
        if account in BANK.deposits:
            from_files = from_files[::-1]
        assert from_pages == rows(booked_in(search, account)) == from_files, account.name
    assert [h.model_dump() for h in html.holdings] == [h.model_dump() for h in ofx.holdings] \
        == [h.model_dump() for h in search.holdings]


async def test_the_search_reads_only_the_syncs_range(engine: Engine, harbour_url: str) -> None:
    since = date(2026, 11, 1)
    seen: list[DocumentSeen] = []
    result = await engine.sync(load_recipe(RECIPES / "harbour-cu-search.yaml"), CREDS,
                               options(harbour_url, since=since, observer=seen.append))
    assert result.error is None and result.ok
    for account in BANK.accounts:
        assert rows(result.transactions_of(account.id)) == [
            r for r in booked(account) if r[0] >= since], account.name
    searches = [d for d in seen if d.stage == "transactions[0]"]
    assert len(searches) == 3 and all("from=2026-11-01&" in d.url for d in searches)
    # the server did the filtering: Everyday Access's range fits one page of 50
    assert len(result.transactions_of("20478815")) == len(
        BANK.accounts[0].between(since, REFERENCE_DATE)) < 50


# -- failures, one-time codes, trusted devices ---------------------------------------------

FAILURES: list[tuple[str, str, str, str | None, str]] = [
    # (id, username, password, code typed, expected code); "site-down" is a site answering
    # every page with the maintenance notice, HTTP 503 and Retry-After: 3600
    ("wrong-password", "demo", "Harbour-2025", DEFAULT_OTP_CODE, "invalid_credentials"),
    ("locked", scenario_username("locked"), DEMO_PASSWORD, DEFAULT_OTP_CODE,
     "action_required.account_locked"),
    ("wrong-code", "demo", DEMO_PASSWORD, "000000", "invalid_credentials.wrong_code"),
    ("maintenance-after-login", scenario_username("maint"), DEMO_PASSWORD, DEFAULT_OTP_CODE,
     "unavailable.maintenance"),
    ("site-down", "demo", DEMO_PASSWORD, DEFAULT_OTP_CODE, "unavailable.maintenance"),
]


async def test_failure_scenarios_are_classified(engine: Engine, harbour_url: str) -> None:
    recipe = load_recipe(RECIPES / "harbour-cu.yaml")

    async def run(url: str, username: str, password: str, code: str | None) -> SyncResult:
        async def typed(challenge: OtpChallenge) -> str | None:
            return code

        return await engine.sync(recipe, {"username": username, "password": password},
                                 options(url, otp_callback=typed))

    with ThreadedServer(create_app(maintenance=True)) as down:
        results = await asyncio.gather(*(
            run(down.url if case == "site-down" else harbour_url, user, password, code)
            for case, user, password, code, _ in FAILURES))
    got = {case[0]: r.error.code if r.error else None
           for case, r in zip(FAILURES, results, strict=True)}
    assert got == {case[0]: case[4] for case in FAILURES}
    for result in results:
        assert result.error is not None and result.accounts == []
        assert DEMO_PASSWORD not in result.model_dump_json()
    site_down = results[-1].error
    assert site_down is not None and site_down.policy.retry
    assert site_down.policy.retry_after_seconds == 3600
    assert results[0].error is not None and not results[0].error.policy.retry


async def test_an_emailed_code_suspends_then_resumes_or_expires(engine: Engine,
                                                               harbour_url: str) -> None:
    """Without a callback the sync stops with a resumable challenge; the code resumes it
    (another process could); a code typed after the site's lifetime asks for a new login."""
    recipe = load_recipe(RECIPES / "harbour-cu-ofx.yaml")

    def stop(url: str) -> Any:
        return engine.sync(recipe, CREDS, SyncOptions(
            base_url=url, reference_date=REFERENCE_DATE, state_key=STATE_KEY))

    async def resume(url: str, stopped: SyncResult, wait: float = 0.0) -> SyncResult:
        await asyncio.sleep(wait)
        return await engine.sync(recipe, CREDS, SyncOptions(
            base_url=url, reference_date=REFERENCE_DATE, state_key=STATE_KEY,
            resume_state=stopped.resume_state, otp_code=DEFAULT_OTP_CODE))

    with ThreadedServer(create_app(code_ttl_seconds=1.0)) as short_lived:
        stopped, stopped_late = await asyncio.gather(stop(harbour_url), stop(short_lived.url))
        for result in (stopped, stopped_late):
            assert result.error is not None and result.error.code == "challenge_required"
            assert result.error.details.get("medium") == "email" and result.resume_state
        resumed, late = await asyncio.gather(resume(harbour_url, stopped),
                                             resume(short_lived.url, stopped_late, wait=1.2))
    assert resumed.error is None and len(resumed.accounts) == 6
    assert len(resumed.transactions) == sum(len(a.transactions) for a in BANK.accounts)
    assert late.error is not None and late.error.code == "challenge_required.challenge_expired"


async def test_a_remembered_device_skips_the_code(engine: Engine, harbour_url: str,
                                                  synced: dict[str, Synced]) -> None:
    """The code step ticked "Remember this device"; the cookie came back in session_state."""
    first = synced["harbour-cu-ofx"].result
    assert first.session_state

    async def refuse(challenge: OtpChallenge) -> str:
        raise AssertionError("a remembered device was asked for a code")

    second = await engine.sync(load_recipe(RECIPES / "harbour-cu-ofx.yaml"), CREDS, options(
        harbour_url, otp_callback=refuse, state_key=STATE_KEY,
        session_state=first.session_state))
    assert second.error is None, second.error
    assert [a.model_dump() for a in second.accounts] == [a.model_dump() for a in first.accounts]
    assert rows(second.transactions) == rows(first.transactions)
