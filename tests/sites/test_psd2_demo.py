"""API Banque Ouverte (PSD2 demo): seeded data, the OAuth + consent flow, AIS data, scenarios.

Most tests use Flask's test client (milliseconds each); two run over real HTTP against a
ThreadedServer with httpx, and one starts the module as a child process, because the engine
talks to the bank over sockets and the slow scenario must not hold the server's shutdown.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sites._server import ChildServer, ThreadedServer
from sites.psd2_demo import create_app, demo_state, release_waiters
from sites.psd2_demo.data import (
    CLIENT_ID,
    CLIENT_SECRET,
    PSU_ID,
    REDIRECT_URI,
    REFERENCE_DATE,
    SCENARIOS,
    build_bank,
)

BASIC = (CLIENT_ID, CLIENT_SECRET)
CONSENT_BODY = {"access": {"allPsd2": "allAccounts"}, "recurringIndicator": True,
                "validUntil": "2027-01-31", "frequencyPerDay": 4}


@dataclass
class Session:
    """What a client holds after the redirect flow: user tokens bound to one consent."""

    access_token: str
    refresh_token: str
    consent_id: str

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Consent-ID": self.consent_id,
                "X-Request-ID": "req-1"}


def basic_header() -> dict[str, str]:
    raw = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def client_token(client: FlaskClient) -> str:
    res = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                      headers=basic_header())
    assert res.status_code == 200, res.get_json()
    return str(res.get_json()["access_token"])


def create_consent(client: FlaskClient, token: str, psu_header: str = PSU_ID) -> TestResponse:
    return client.post("/v1/consents", json=CONSENT_BODY, headers={
        "Authorization": f"Bearer {token}", "X-Request-ID": "req-0", "PSU-ID": psu_header})


def authorize(client: FlaskClient, consent_id: str, psu_id: str | None = PSU_ID,
              **overrides: str) -> TestResponse:
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
              "state": "xyz", "consent_id": consent_id, **overrides}
    if psu_id:
        params["psu_id"] = psu_id
    return client.get("/oauth/authorize", query_string=params)


def exchange(client: FlaskClient, code: str, redirect_uri: str = REDIRECT_URI) -> TestResponse:
    return client.post("/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


def code_from(res: TestResponse) -> str:
    assert res.status_code == 302, res.get_json()
    location = urlsplit(res.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


def connect(client: FlaskClient, psu_id: str = PSU_ID) -> Session:
    """The whole flow a PSD2 client performs before it may read account data."""
    consent = create_consent(client, client_token(client))
    assert consent.status_code == 201, consent.get_json()
    consent_id = consent.get_json()["consentId"]
    res = exchange(client, code_from(authorize(client, consent_id, psu_id)))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert body["scope"] == f"AIS:{consent_id}"
    return Session(body["access_token"], body["refresh_token"], consent_id)


def refresh(client: FlaskClient, session: Session) -> TestResponse:
    return client.post("/oauth/token", headers=basic_header(), data={
        "grant_type": "refresh_token", "refresh_token": session.refresh_token})


def tpp_code(res: TestResponse) -> str:
    return str(res.get_json()["tppMessages"][0]["code"])


def all_booked(client: FlaskClient, session: Session, account_id: str,
               query: str = "bookingStatus=both") -> tuple[list[dict[str, Any]], int]:
    """Follow ``_links.next`` to the end; returns the booked items and the page count."""
    url: str | None = f"/v1/accounts/{account_id}/transactions?{query}"
    booked: list[dict[str, Any]] = []
    pages = 0
    while url:
        res = client.get(url, headers=session.headers())
        assert res.status_code == 200, res.get_json()
        listing = res.get_json()["transactions"]
        pages += 1
        if pages > 1:
            assert listing["pending"] == []
        booked += listing["booked"]
        url = listing["_links"].get("next", {}).get("href")
    return booked, pages


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# Seeded data -------------------------------------------------------------------------------


def test_bank_is_deterministic_and_self_consistent() -> None:
    bank = build_bank()
    assert bank == build_bank(2026)
    assert bank != build_bank(7)
    current, savings, card = bank.accounts
    assert [a.cash_account_type for a in bank.accounts] == ["CACC", "SVGS", "CARD"]
    assert len(current.booked) >= 120
    for account in bank.accounts:
        dates = [t.booking_date for t in account.booked]
        assert dates == sorted(dates, reverse=True)
        assert max(dates) <= REFERENCE_DATE
        assert 3 <= len(account.pending) <= 5
        ids = [t.transaction_id for t in (*account.booked, *account.pending)]
        assert len(ids) == len(set(ids))
        assert account.balances["closingBooked"] == account.opening_balance + sum(
            t.amount for t in account.booked)
        assert account.balances["expected"] == account.balances["closingBooked"] + sum(
            t.amount for t in account.pending)
        numeric = "".join(str(int(ch, 36)) for ch in account.iban[4:] + account.iban[:4])
        assert int(numeric) % 97 == 1
    # Each card statement is settled from the current account, to the cent.
    settled = sorted(t.amount for t in card.booked if t.amount > 0)
    debits = sorted(-t.amount for t in current.booked if t.remittance.startswith("PRLV RELEVE"))
    assert settled == debits and len(settled) == 6
    # ... and each standing order to the Livret A leaves the current account the same day.
    orders = {(t.booking_date, -t.amount) for t in current.booked if "PERMANENT" in t.remittance}
    assert orders == {(t.booking_date, t.amount) for t in savings.booked if t.amount == 200}


# OAuth -------------------------------------------------------------------------------------


def test_client_credentials_by_basic_or_form(client: FlaskClient) -> None:
    body = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                             "client_id": CLIENT_ID,
                                             "client_secret": CLIENT_SECRET}).get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert client_token(client) != body["access_token"]
    wrong = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                              "client_id": CLIENT_ID, "client_secret": "nope"})
    assert (wrong.status_code, wrong.get_json()["error"]) == (401, "invalid_client")
    bad_grant = client.post("/oauth/token", data={"grant_type": "password"},
                            headers=basic_header())
    assert bad_grant.get_json()["error"] == "unsupported_grant_type"


def test_authorize_rejects_wrong_client_redirect_or_consent(client: FlaskClient) -> None:
    consent_id = create_consent(client, client_token(client)).get_json()["consentId"]
    assert authorize(client, consent_id, client_id="someone-else").status_code == 400
    assert authorize(client, consent_id, redirect_uri="http://evil.test/cb").status_code == 400
    assert authorize(client, "consent-unknown").status_code == 400
    code_from(authorize(client, consent_id))
    assert authorize(client, consent_id).status_code == 400  # already approved


def test_codes_are_single_use_and_bound_to_redirect_uri(client: FlaskClient) -> None:
    token = client_token(client)
    consent_id = create_consent(client, token).get_json()["consentId"]
    code = code_from(authorize(client, consent_id))
    assert exchange(client, code, "http://127.0.0.1/other").get_json()["error"] == "invalid_grant"
    other = create_consent(client, token).get_json()["consentId"]
    code = code_from(authorize(client, other))
    assert exchange(client, code).status_code == 200
    again = exchange(client, code)
    assert (again.status_code, again.get_json()["error"]) == (400, "invalid_grant")


def test_refresh_tokens_rotate(client: FlaskClient) -> None:
    session = connect(client)
    res = refresh(client, session)
    body = res.get_json()
    assert res.status_code == 200 and body["scope"] == f"AIS:{session.consent_id}"
    assert body["access_token"] != session.access_token
    assert refresh(client, session).get_json()["error"] == "invalid_grant"  # spent
    fresh = Session(body["access_token"], body["refresh_token"], session.consent_id)
    assert client.get("/v1/accounts", headers=fresh.headers()).status_code == 200


# Consents and account data -----------------------------------------------------------------


def test_full_flow_serves_exactly_the_seeded_data(client: FlaskClient) -> None:
    token = client_token(client)
    res = create_consent(client, token)
    body = res.get_json()
    assert res.status_code == 201 and body["consentStatus"] == "received"
    consent_id = body["consentId"]
    assert body["_links"]["scaOAuth"]["href"] == f"/oauth/authorize?consent_id={consent_id}"
    status_url = f"/v1/consents/{consent_id}/status"
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(status_url, headers=auth).get_json() == {"consentStatus": "received"}
    code = code_from(authorize(client, consent_id))
    assert client.get(status_url, headers=auth).get_json() == {"consentStatus": "valid"}
    tokens = exchange(client, code).get_json()
    session = Session(tokens["access_token"], tokens["refresh_token"], consent_id)

    bank = build_bank()
    accounts = client.get("/v1/accounts", headers=session.headers()).get_json()["accounts"]
    assert [a["resourceId"] for a in accounts] == [a.resource_id for a in bank.accounts]
    assert accounts[0]["_links"]["balances"]["href"].endswith("/balances")
    assert client.get("/v1/accounts", headers=session.headers()).headers["X-Request-ID"] == "req-1"
    for listed, account in zip(accounts, bank.accounts, strict=True):
        assert (listed["iban"], listed["cashAccountType"]) == (account.iban,
                                                               account.cash_account_type)
        balances = client.get(listed["_links"]["balances"]["href"],
                              headers=session.headers()).get_json()
        assert {b["balanceType"]: Decimal(b["balanceAmount"]["amount"])
                for b in balances["balances"]} == account.balances
        booked, pages = all_booked(client, session, account.resource_id)
        assert pages == -(-len(account.booked) // 50)
        assert [(t["transactionId"], Decimal(t["transactionAmount"]["amount"]),
                 t["bookingDate"]) for t in booked] == [
            (t.transaction_id, t.amount, t.booking_date.isoformat()) for t in account.booked]


def test_pages_filters_and_pending(client: FlaskClient) -> None:
    session = connect(client)
    account = build_bank().accounts[0]
    url = f"/v1/accounts/{account.resource_id}/transactions"
    first = client.get(f"{url}?bookingStatus=both", headers=session.headers()).get_json()
    listing = first["transactions"]
    assert len(listing["booked"]) == 50 and len(listing["pending"]) == len(account.pending)
    assert listing["_links"]["next"]["href"] == f"{url}?bookingStatus=both&page=2"
    assert set(listing["booked"][0]) >= {"transactionId", "bookingDate", "valueDate",
                                         "transactionAmount", "remittanceInformationUnstructured"}
    second = client.get(listing["_links"]["next"]["href"], headers=session.headers()).get_json()
    assert second["transactions"]["pending"] == []
    since = date(2026, 11, 1)
    booked, pages = all_booked(client, session, account.resource_id,
                               "bookingStatus=both&dateFrom=2026-11-01")
    assert pages == 1 and len(booked) == sum(t.booking_date >= since for t in account.booked)
    assert "pending" not in client.get(f"{url}?bookingStatus=booked",
                                       headers=session.headers()).get_json()["transactions"]
    assert client.get(url, headers=session.headers()).status_code == 400
    bad = client.get(f"{url}?bookingStatus=both&dateFrom=nope", headers=session.headers())
    assert tpp_code(bad) == "FORMAT_ERROR"
    unknown = client.get("/v1/accounts/nope/balances", headers=session.headers())
    assert (unknown.status_code, tpp_code(unknown)) == (404, "RESOURCE_UNKNOWN")


def test_v1_token_and_consent_errors(app: Flask, client: FlaskClient) -> None:
    session = connect(client)
    no_token = client.get("/v1/accounts", headers={"Consent-ID": session.consent_id})
    assert (no_token.status_code, tpp_code(no_token)) == (401, "TOKEN_INVALID")
    bogus = {**session.headers(), "Authorization": "Bearer at-bogus"}
    assert tpp_code(client.get("/v1/accounts", headers=bogus)) == "TOKEN_INVALID"
    app_token = {**session.headers(), "Authorization": f"Bearer {client_token(client)}"}
    assert tpp_code(client.get("/v1/accounts", headers=app_token)) == "TOKEN_INVALID"
    for consent_id in ("", "consent-unknown"):
        res = client.get("/v1/accounts", headers={**session.headers(), "Consent-ID": consent_id})
        assert (res.status_code, tpp_code(res)) == (400, "CONSENT_UNKNOWN")
    state = demo_state(app)
    now = time.monotonic()
    state.clock = lambda: now + 301
    res = client.get("/v1/accounts", headers=session.headers())
    assert (res.status_code, tpp_code(res)) == (401, "TOKEN_EXPIRED")
    assert res.headers["WWW-Authenticate"].startswith("Bearer")


# Scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize("forced", [False, True])
def test_expired_token_is_cured_by_one_refresh(forced: bool) -> None:
    client = create_app("expired-token" if forced else None).test_client()
    session = connect(client, "psu-expired-token")
    for _ in range(2):  # the expiry sticks to that token
        res = client.get("/v1/accounts", headers=session.headers())
        assert (res.status_code, tpp_code(res)) == (401, "TOKEN_EXPIRED")
    session.access_token = refresh(client, session).get_json()["access_token"]
    assert client.get("/v1/accounts", headers=session.headers()).status_code == 200


@pytest.mark.parametrize("forced", [False, True])
def test_expired_consent(forced: bool) -> None:
    client = create_app("expired-consent" if forced else None).test_client()
    session = connect(client, "psu-expired-consent")
    res = client.get("/v1/accounts", headers=session.headers())
    assert (res.status_code, tpp_code(res)) == (401, "CONSENT_EXPIRED")
    status = client.get(f"/v1/consents/{session.consent_id}/status",
                        headers={"Authorization": f"Bearer {session.access_token}"})
    assert status.get_json() == {"consentStatus": "expired"}


@pytest.mark.parametrize(("scenario", "status", "code"), [
    ("rate-limited", 429, "ACCESS_EXCEEDED"), ("unavailable", 503, "SERVICE_UNAVAILABLE")])
def test_gateway_faults(scenario: str, status: int, code: str) -> None:
    client = create_app().test_client()
    session = connect(client, f"psu-{scenario}")
    res = client.get("/v1/accounts", headers=session.headers())
    assert (res.status_code, tpp_code(res)) == (status, code)
    if status == 429:
        assert res.headers["Retry-After"] == "120"
    assert create_consent(client, client_token(client), f"psu-{scenario}").status_code == status
    # Forced at start-up, the gateway answers before even reading credentials.
    forced = create_app(scenario).test_client()
    assert client_token(forced)
    assert create_consent(forced, "whatever").status_code == status
    assert forced.get("/v1/accounts").status_code == status


@pytest.mark.parametrize("forced", [False, True])
def test_slow_accounts(forced: bool) -> None:
    client = create_app("slow" if forced else None, slow_seconds=0.2).test_client()
    session = connect(client, "psu-slow")
    started = time.monotonic()
    assert client.get("/v1/accounts", headers=session.headers()).status_code == 200
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("forced", [False, True])
def test_schema_change_renames_transaction_fields(forced: bool) -> None:
    client = create_app("schema-change" if forced else None).test_client()
    session = connect(client, "psu-schema-change")
    account_id = build_bank().accounts[0].resource_id
    listing = client.get(f"/v1/accounts/{account_id}/transactions?bookingStatus=both",
                         headers=session.headers()).get_json()["transactions"]
    for item in (listing["booked"][0], listing["pending"][0]):
        assert {"amount", "bookedAt"} <= set(item)
        assert not {"transactionAmount", "bookingDate"} & set(item)


def test_bad_client() -> None:
    forced = create_app("bad-client").test_client()
    res = forced.post("/oauth/token", data={"grant_type": "client_credentials"},
                      headers=basic_header())
    assert (res.status_code, res.get_json()["error"]) == (401, "invalid_client")
    client = create_app().test_client()
    consent_id = create_consent(client, client_token(client)).get_json()["consentId"]
    res = exchange(client, code_from(authorize(client, consent_id, "psu-bad-client")))
    assert (res.status_code, res.get_json()["error"]) == (401, "invalid_client")


def test_every_scenario_is_known_and_tested() -> None:
    tested = {"normal", "expired-token", "expired-consent", "rate-limited", "unavailable",
              "slow", "schema-change", "bad-client"}
    assert set(SCENARIOS) == tested
    with pytest.raises(ValueError, match="unknown scenario"):
        create_app("nope")
    assert create_app("normal").test_client().get("/v1/nothing").status_code == 404


# Real HTTP ---------------------------------------------------------------------------------


def test_flow_over_real_http() -> None:
    with ThreadedServer(create_app()) as server, httpx.Client(
            base_url=server.url, timeout=5) as http:
        token = http.post("/oauth/token", auth=BASIC,
                          data={"grant_type": "client_credentials"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}", "PSU-ID": PSU_ID}
        consent = http.post("/v1/consents", json=CONSENT_BODY, headers=headers).json()
        # The scaOAuth link already carries consent_id: merge, since params= would replace it.
        sca = httpx.URL(consent["_links"]["scaOAuth"]["href"]).copy_merge_params({
            "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI,
            "state": "s1"})
        res = http.get(sca)
        assert res.status_code == 302
        code = parse_qs(urlsplit(res.headers["location"]).query)["code"][0]
        tokens = http.post("/oauth/token", auth=BASIC, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}).json()
        user = {"Authorization": f"Bearer {tokens['access_token']}",
                "Consent-ID": consent["consentId"]}
        accounts = http.get("/v1/accounts", headers=user).json()["accounts"]
        assert len(accounts) == 3
        balances = http.get(accounts[1]["_links"]["balances"]["href"], headers=user).json()
        assert balances["account"]["iban"] == accounts[1]["iban"]


def test_slow_request_does_not_hold_shutdown() -> None:
    app = create_app("slow", slow_seconds=30)
    server = ThreadedServer(app).start()
    try:
        client = app.test_client()
        session = connect(client)
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.url}/v1/accounts", headers=session.headers(), timeout=0.3)
    finally:
        started = time.monotonic()
        release_waiters(app)
        server.stop()
    assert time.monotonic() - started < 5


def test_module_runs_as_child_process() -> None:
    with ChildServer("sites.psd2_demo", ["--scenario", "normal"]) as child:
        res = httpx.post(f"{child.url}/oauth/token", auth=BASIC, timeout=5,
                         data={"grant_type": "client_credentials"})
        assert res.status_code == 200 and res.json()["token_type"] == "Bearer"
