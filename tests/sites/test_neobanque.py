"""NeoBanque demo site: seeded data, JSON API, scenarios, layouts, and one real-browser run.

The API tests use Flask's test client (milliseconds each); a single end-to-end test drives the
JavaScript app in headless Chromium, because the SPA's rendering is what the engine scrapes.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sites._server import ChildServer, ThreadedServer
from sites.neobanque import create_app
from sites.neobanque.data import (
    CUSTOMER_NAME,
    DEMO_EMAIL,
    DEMO_PASSWORD,
    REFERENCE_DATE,
    SCENARIOS,
    build_bank,
    scenario_email,
)
from sites.neobanque.state import SiteState

OTP = "654321"


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def state_of(app: Flask) -> SiteState:
    state = app.extensions["neobanque"]
    assert isinstance(state, SiteState)
    return state


def start_login(client: FlaskClient, email: str = DEMO_EMAIL) -> TestResponse:
    return client.post("/api/session", json={"email": email, "password": DEMO_PASSWORD})


def login(client: FlaskClient, email: str = DEMO_EMAIL) -> None:
    """Log in completely, answering the SMS code if asked."""
    body = start_login(client, email).get_json()
    if body["status"] == "otp_required":
        res = client.post("/api/session/otp", json={"challenge": body["challenge"], "code": OTP})
        assert res.status_code == 200, res.get_json()


def all_pages(client: FlaskClient, account_id: str) -> tuple[list[dict[str, Any]], list[int]]:
    items: list[dict[str, Any]] = []
    sizes: list[int] = []
    cursor: str | None = None
    while True:
        query = f"?cursor={cursor}" if cursor else ""
        body = client.get(f"/api/accounts/{account_id}/transactions{query}").get_json()
        items += body["items"]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return items, sizes


# -- data -----------------------------------------------------------------------------------
def test_data_is_deterministic_and_seeded() -> None:
    assert build_bank() == build_bank(2026)
    assert build_bank(1) != build_bank(2026)


def test_data_shape() -> None:
    bank = build_bank()
    checking, savings, card = bank.accounts
    assert [(a.name, a.kind, len(a.transactions)) for a in bank.accounts] == [
        ("Compte Courant Neo", "checking", 64), ("Épargne Flex", "savings", 9),
        ("Carte Neo Black", "card", 27)]
    assert sum(1 for t in card.transactions if t.amount > 0) == 1
    assert all(t.amount != 0 for t in card.transactions)
    assert card.balance == sum(t.amount for t in card.transactions)
    assert checking.balance - sum(t.amount for t in checking.transactions) > 0  # the opening
    everything = [t for a in bank.accounts for t in a.transactions]
    assert any(abs(t.amount) >= 1000 for t in everything)
    assert all(t.amount.as_tuple().exponent == -2 for t in everything)
    assert len({t.id for t in everything}) == len(everything)
    assert max(t.date for t in everything) == REFERENCE_DATE
    for account in bank.accounts:
        dates = [t.date for t in account.transactions]
        assert dates == sorted(dates, reverse=True)
        raw = account.iban.replace(" ", "")
        assert raw.startswith("FR")
        assert len(raw) == 27
        assert account.iban[4] == " "
        digits = "".join(str(int(c, 36)) for c in raw[4:] + raw[:4])
        assert int(digits) % 97 == 1
    assert savings.balance > 0
    assert set(SCENARIOS) >= {"demo", "locked", "hang", "brokenhistory"}


# -- shell and layouts ----------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["classic", "redesign", "innocuous"])
def test_index_serves_the_spa_shell(layout: str) -> None:
    client = create_app(layout).test_client()
    html = client.get("/").get_data(as_text=True)
    assert f'data-layout="{layout}"' in html
    assert "/static/app.js" in html
    assert "/static/layouts.js" in html
    assert ("promo-banner" in html) == (layout == "innocuous")
    assert "Compte Courant" not in html  # the data only ever comes from the JSON API
    for name in ("app.js", "api.js", "layouts.js", "app.css"):
        res = client.get(f"/static/{name}")
        res.close()  # static files are streamed from an open file
        assert res.status_code == 200


def test_innocuous_changes_the_footer() -> None:
    classic = create_app().test_client().get("/").get_data(as_text=True)
    innocuous = create_app("innocuous").test_client().get("/").get_data(as_text=True)
    assert classic.split("<footer")[1] != innocuous.split("<footer")[1]


def test_unknown_layout_or_scenario_is_refused() -> None:
    with pytest.raises(ValueError, match="layout"):
        create_app("retro")
    with pytest.raises(ValueError, match="scenario"):
        create_app(scenario="flood")


# -- login and one-time code ----------------------------------------------------------------
@pytest.mark.parametrize(("email", "password"), [
    (DEMO_EMAIL, "wrong"), ("nobody@neobanque.test", DEMO_PASSWORD), ("", "")])
def test_bad_credentials(client: FlaskClient, email: str, password: str) -> None:
    res = client.post("/api/session", json={"email": email, "password": password})
    assert (res.status_code, res.get_json()) == (401, {"error": "invalid_credentials"})


def test_new_device_needs_the_sms_code(client: FlaskClient,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    body = start_login(client).get_json()
    assert body["status"] == "otp_required"
    assert body["channel"] == "sms"
    assert body["hint"] == "06 •• •• •• 17"
    assert body["challenge"]
    assert client.get_cookie("nb_session") is None
    assert OTP in capsys.readouterr().err
    res = client.post("/api/session/otp", json={"challenge": body["challenge"], "code": OTP})
    assert res.get_json() == {"status": "ok"}
    session, trusted = client.get_cookie("nb_session"), client.get_cookie("nb_trusted")
    assert session is not None
    assert session.http_only
    assert trusted is not None
    assert trusted.http_only
    assert trusted.max_age == 90 * 24 * 3600
    assert client.get("/api/me").get_json() == {"name": CUSTOMER_NAME}


def test_trusted_device_skips_the_code_next_time(client: FlaskClient) -> None:
    login(client)
    assert client.delete("/api/session").status_code == 200
    assert client.get("/api/me").status_code == 401
    res = start_login(client)
    assert res.get_json() == {"status": "ok"}
    assert client.get("/api/me").status_code == 200


def test_trusted_cookie_survives_a_restart_but_not_tampering_or_another_user(
        client: FlaskClient) -> None:
    login(client)
    trusted = client.get_cookie("nb_trusted")
    assert trusted is not None
    restarted = create_app().test_client()
    restarted.set_cookie("nb_trusted", trusted.value)
    assert start_login(restarted).get_json() == {"status": "ok"}
    assert start_login(restarted, scenario_email("slow")).get_json()["status"] == "otp_required"
    restarted.set_cookie("nb_trusted", trusted.value[:-2] + "xx")
    assert start_login(restarted).get_json()["status"] == "otp_required"
    other_seed = create_app(seed=7).test_client()
    other_seed.set_cookie("nb_trusted", trusted.value)
    assert start_login(other_seed).get_json()["status"] == "otp_required"


def test_otp_scenario_always_asks_the_code(client: FlaskClient) -> None:
    login(client, scenario_email("otp"))
    assert start_login(client, scenario_email("otp")).get_json()["status"] == "otp_required"


def test_three_wrong_codes_lock_the_account(client: FlaskClient) -> None:
    challenge = start_login(client, scenario_email("otp")).get_json()["challenge"]
    answers = [client.post("/api/session/otp", json={"challenge": challenge, "code": "000000"})
               for _ in range(3)]
    assert [(r.status_code, r.get_json()) for r in answers] == [
        (401, {"error": "invalid_otp", "attempts_left": 2}),
        (401, {"error": "invalid_otp", "attempts_left": 1}),
        (403, {"error": "account_locked"})]
    res = start_login(client, scenario_email("otp"))
    assert (res.status_code, res.get_json()) == (403, {"error": "account_locked"})


def test_expired_and_unknown_challenges(app: Flask, client: FlaskClient) -> None:
    challenge = start_login(client).get_json()["challenge"]
    auth = state_of(app).auth
    auth.clock = lambda: time.time() + 301
    res = client.post("/api/session/otp", json={"challenge": challenge, "code": OTP})
    assert (res.status_code, res.get_json()) == (401, {"error": "otp_expired"})
    res = client.post("/api/session/otp", json={"challenge": "nope", "code": OTP})
    assert (res.status_code, res.get_json()) == (401, {"error": "invalid_challenge"})


def test_custom_otp_code() -> None:
    client = create_app(otp_code="111222").test_client()
    challenge = start_login(client).get_json()["challenge"]
    ok = client.post("/api/session/otp", json={"challenge": challenge, "code": "111222"})
    assert ok.status_code == 200


@pytest.mark.parametrize(("name", "error"), [
    ("locked", "account_locked"), ("expired", "password_expired"),
    ("secvalid", "security_validation_required")])
def test_login_refusals(client: FlaskClient, name: str, error: str) -> None:
    res = start_login(client, scenario_email(name))
    assert (res.status_code, res.get_json()) == (403, {"error": error})
    forced = create_app(scenario=name).test_client()
    assert start_login(forced).get_json() == {"error": error}


# -- data endpoints -------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/me", "/api/accounts", "/api/accounts/x/transactions"])
def test_data_needs_a_session(client: FlaskClient, path: str) -> None:
    res = client.get(path)
    assert (res.status_code, res.get_json()) == (401, {"error": "unauthenticated"})


def test_accounts_match_the_data(client: FlaskClient) -> None:
    login(client)
    res = client.get("/api/accounts")
    assert res.headers["Cache-Control"] == "no-store"
    expected = [{"id": a.id, "name": a.name, "kind": a.kind, "iban": a.iban,
                 "balance": {"amount": f"{a.balance:.2f}", "currency": "EUR"}}
                for a in build_bank().accounts]
    assert res.get_json() == expected


def test_transactions_page_through_the_whole_history(client: FlaskClient) -> None:
    login(client)
    for account in build_bank().accounts:
        items, sizes = all_pages(client, account.id)
        assert items == [{"id": t.id, "date": t.date.isoformat(), "label": t.label,
                          "amount": f"{t.amount:.2f}", "currency": "EUR"}
                         for t in account.transactions]
        assert all(s == 20 for s in sizes[:-1])
        assert sum(sizes) == len(account.transactions)
    checking, _, card = build_bank().accounts
    assert all_pages(client, checking.id)[1] == [20, 20, 20, 4]
    card_items, _ = all_pages(client, card.id)
    assert sum(Decimal(i["amount"]) for i in card_items) == card.balance


def test_transaction_query_errors(client: FlaskClient) -> None:
    login(client)
    checking, savings, _ = build_bank().accounts
    base = f"/api/accounts/{checking.id}/transactions"
    assert len(client.get(f"{base}?limit=5").get_json()["items"]) == 5
    assert client.get(f"{base}?limit=0").status_code == 400
    assert client.get(f"{base}?limit=abc").status_code == 400
    assert client.get(f"{base}?cursor=garbage!").get_json() == {"error": "invalid_cursor"}
    other = client.get(f"/api/accounts/{savings.id}/transactions?limit=2").get_json()
    assert client.get(f"{base}?cursor={other['next_cursor']}").status_code == 400
    assert client.get("/api/accounts/acc_nope/transactions").status_code == 404


# -- scenarios after login ------------------------------------------------------------------
@pytest.mark.parametrize(("name", "status", "body"), [
    ("maint", 200, {"maintenance": True}),
    ("maint503", 503, {"error": "service_unavailable"}),
    ("ratelimit", 429, {"error": "rate_limited"}),
    ("captcha", 403, {"error": "captcha_required"})])
def test_outages_on_accounts(client: FlaskClient, name: str, status: int,
                             body: dict[str, Any]) -> None:
    login(client, scenario_email(name))
    res = client.get("/api/accounts")
    assert res.status_code == status
    assert res.get_json().items() >= body.items()
    if name == "maint":
        assert res.get_json()["message"].startswith("Service en maintenance")
    if name == "ratelimit":
        assert res.headers["Retry-After"] == "120"
    assert client.get("/api/me").status_code == 200


@pytest.mark.parametrize(("name", "status"), [
    ("maint", 200), ("maint503", 503), ("ratelimit", 429), ("captcha", 403)])
def test_site_wide_outages_hit_the_login(name: str, status: int) -> None:
    client = create_app(scenario=name).test_client()
    res = start_login(client)
    assert res.status_code == status
    assert "status" not in res.get_json()  # no login happened
    assert client.get("/").status_code == 200  # the page itself still loads


def test_slow_accounts() -> None:
    client = create_app(slow_seconds=0.3).test_client()
    login(client, scenario_email("slow"))
    started = time.monotonic()
    assert client.get("/api/accounts").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_hanging_accounts_never_answer(app: Flask, client: FlaskClient) -> None:
    login(client, scenario_email("hang"))
    answers: list[int] = []
    def fetch() -> None:
        answers.append(client.get("/api/accounts").status_code)

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(0.3)
    assert worker.is_alive()
    assert not answers
    state_of(app).release.set()  # end the hour-long wait so the test can finish
    worker.join(5)
    assert answers == [504]


def test_broken_history_fails_only_for_savings(client: FlaskClient) -> None:
    login(client, scenario_email("brokenhistory"))
    checking, savings, card = build_bank().accounts
    res = client.get(f"/api/accounts/{savings.id}/transactions")
    assert (res.status_code, res.get_json()) == (500, {"error": "internal_error"})
    for account in (checking, card):
        assert client.get(f"/api/accounts/{account.id}/transactions").status_code == 200


def test_module_runs_as_a_child_process() -> None:
    with (
        ChildServer("sites.neobanque", ["--layout", "innocuous"]) as child,
        urllib.request.urlopen(child.url + "/") as page,  # noqa: S310 (our own loopback)
    ):
        assert b"promo-banner" in page.read()


# -- the real page in headless Chromium -----------------------------------------------------
@pytest.mark.browser
async def test_browser_login_otp_accounts_and_full_history() -> None:
    from playwright.async_api import async_playwright

    checking = build_bank().accounts[0]
    with ThreadedServer(create_app()) as server:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"])
            try:
                page = await browser.new_page()
                page.set_default_timeout(10_000)
                await page.goto(server.url + "/")
                await page.fill("form#login-form input[name=email]", DEMO_EMAIL)
                await page.fill("form#login-form input[name=password]", DEMO_PASSWORD)
                await page.click("form#login-form button[type=submit]")
                hint = await page.text_content("form#otp-form p.otp-hint")
                assert hint == "Entrez le code envoyé par SMS au 06 •• •• •• 17"
                await page.fill("form#otp-form input[name=otp]", OTP)
                await page.click("form#otp-form button[type=submit]")
                await page.wait_for_selector("#accounts .account-card")
                await page.wait_for_selector(".loading", state="detached")
                assert await page.locator("#accounts .account-card").count() == 3
                assert await page.text_content(".customer-name") == CUSTOMER_NAME
                balance = await page.text_content(
                    f'.account-card[data-id="{checking.id}"] .account-balance')
                expected = f"{checking.balance:,.2f}".replace(",", "\u202f").replace(".", ",")
                assert balance == f"{expected}\u00a0€"

                await page.click(f'.account-card[data-id="{checking.id}"] a.account-link')
                await page.wait_for_selector(".loading", state="detached")
                assert await page.text_content("h2.account-title") == checking.name
                assert await page.locator("#transactions li.tx").count() == 20
                while await page.locator("#show-more").count():
                    await page.click("#show-more")
                    await page.wait_for_selector(".loading", state="detached")
                rows = page.locator("#transactions li.tx")
                assert await rows.count() == len(checking.transactions)
                first = checking.transactions[0]
                assert await rows.first.get_attribute("data-id") == first.id
                assert await rows.first.locator(".tx-date").text_content() == "20/11/2026"
                assert await page.locator(".back").get_attribute("href") == "#/accounts"
            finally:
                await browser.close()
