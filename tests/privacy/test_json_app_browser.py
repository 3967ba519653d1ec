"""End to end, through the real browser: a JSON app (HTML shell, the vendor's and the app's
JavaScript, a JSON API holding every kind of personal value) served on loopback is recorded
by ``engine record``'s recorder with a hybrid recipe; the written fixture holds none of the
planted values, passes the audit, and still replays offline to its expected result (masks
keep what extraction and replay matching need)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, Response, request

from engine import Engine
from engine.harness.audit import audit_paths
from engine.harness.fixture import load_fixture
from engine.harness.record import record_scenario
from engine.harness.replay import replay_scenario
from engine.privacy.text import encoded_forms
from sites._server import ThreadedServer
from tests.privacy import json_app as app
from tests.privacy.json_app import PASSWORD, PLANTED, USERNAME

SESSION_COOKIE = "s3ss-9d8c7b6a5f4e3d2c1b0a"

SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>PayFlow</title>
<script src="/static/vendor.js"></script></head><body>
<form id="login-form"><input name="username"><input name="password" type="password">
<button type="submit">Sign in</button></form><div id="app"></div>
<script src="/static/app.js"></script></body></html>"""

APP_JS = """document.getElementById("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const r = await fetch("/api/session", {method: "POST", headers: {"Content-Type":
    "application/json"}, body: JSON.stringify(Object.fromEntries(form))});
  if (!r.ok) { document.getElementById("app").textContent = "Wrong password"; return; }
  window.vendorAuth.setSession(await r.json());
  const me = await (await fetch("/api/me", {headers: window.vendorAuth.headers()})).json();
  const accounts = await (await fetch("/api/accounts")).json();
  e.target.remove();
  document.getElementById("app").innerHTML =
    `<header><span class="user-name">${me.firstName} ${me.lastName}</span>
     <span class="email">${me.email}</span><span class="tel">${me.mobile}</span></header>
     <div id="accounts">` + accounts.map(a => `<div class="account-card" data-id="${a.id}">
     <span class="label">${a.name}</span><span class="account-number">${a.accountNumber ||
     ""}</span><span class="iban">${a.iban || a.cardNumber}</span></div>`).join("") + "</div>";
});
"""

RECIPE = """institution:
  id: payflow
  name: PayFlow
  base_url: http://127.0.0.1:9
  allowed_domains: [127.0.0.1]
credentials:
  - {name: username}
  - {name: password, secret: true}
timeouts: {step: 10, sync: 60}
login:
  - goto: /
  - fill: {css: "#login-form input[name=username]", value: "{{ credentials.username }}"}
  - fill: {css: "#login-form input[name=password]", value: "{{ credentials.password }}"}
  - click: "#login-form button[type=submit]"
  - expect: {css: "#accounts .account-card"}
accounts:
  goto: /api/accounts
  format: json
  each: "@"
  fields:
    id: {path: id}
    label: {path: name}
    balance: {path: balance, parse: amount}
    currency: {path: currency}
    number_masked: {path: "iban || cardNumber", mask: true}
transactions:
  for_each: account
  goto: "/api/accounts/{{ account.id }}/transactions?since=2026-11-01"
  format: json
  each: items
  fields:
    id: {path: id}
    date: {path: date, parse: {date: "%Y-%m-%d"}}
    label: {path: label}
    amount: {path: amount, parse: amount}
"""


def payflow() -> Flask:
    site = Flask("payflow-browser")
    answers = {"me": app.ME, "accounts": app.ACCOUNTS,
               "accounts/acc-1/transactions": app.TRANSACTIONS,
               "accounts/acc-2/transactions": {"items": [
                   {"id": "tx-9", "date": "2026-11-10", "amount": "-120.10",
                    "label": "CB LIBRAIRIE"}]}}

    @site.get("/")
    def shell() -> Response:
        return Response(SHELL, mimetype="text/html")

    @site.get("/static/<name>")
    def script(name: str) -> Response:
        return Response({"vendor.js": app.VENDOR_JS, "app.js": APP_JS}[name],
                        mimetype="text/javascript")

    @site.post("/api/session")
    def session() -> Response:
        body = request.get_json(force=True)
        if (body.get("username"), body.get("password")) != (USERNAME, PASSWORD):
            return Response("{}", status=401, mimetype="application/json")
        response = Response(json.dumps({**app.SESSION, "session": SESSION_COOKIE}),
                            mimetype="application/json")
        response.set_cookie("pf_session", SESSION_COOKIE, httponly=True)
        return response

    @site.get("/api/<path:rest>")
    def data(rest: str) -> Response:
        if request.cookies.get("pf_session") != SESSION_COOKIE:
            return Response("{}", status=401, mimetype="application/json")
        return Response(json.dumps(answers[rest]), mimetype="application/json")

    return site


@pytest.mark.browser
async def test_a_recorded_json_app_holds_no_personal_value_and_still_replays(
        engine: Engine, tmp_path: Path) -> None:
    recipe = tmp_path / "payflow.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    with ThreadedServer(payflow()) as site:
        outcome = await record_scenario(recipe, {"username": USERNAME, "password": PASSWORD},
                                        tmp_path / "fixtures", scenario="normal",
                                        base_url=site.url, engine=engine)
    live = outcome.result
    assert live.ok, live.error
    assert [a.id for a in live.accounts] == ["acc-1", "acc-2"]
    assert len(live.transactions) == 4 and live.accounts[0].number_masked == "•••• 3000"

    folder = outcome.fixture_dir
    written = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*")
                        if p.suffix in (".json", ".html"))
    planted = [v for v in PLANTED if v not in (app.ACCESS, app.REFRESH)]  # not served here
    for value in [*planted, app.ACCESS, PASSWORD, USERNAME, SESSION_COOKIE]:
        for form in encoded_forms(value):
            assert form not in written, PLANTED.get(value, ("a secret",))[0]
    assert audit_paths([folder], secrets=[PASSWORD], names=[], allowlists=[]) == []
    exchanges = load_fixture(folder).exchanges()
    vendor = next(e for e in exchanges if e["url"].endswith("/static/vendor.js"))
    sent = next(e["request_headers"]["apikey"] for e in exchanges
                if e["url"] == "/api/me" and "apikey" in e["request_headers"])
    # the key the code sends as an `apikey` header is a credential: replaced, in the code
    # and in the request alike (so the code sends at replay what was recorded); the rest of
    # the code is untouched (no pattern detector runs on scripts)
    assert sent.startswith("scrubbed-credential-")
    assert vendor["body"] == app.VENDOR_JS.replace(app.PUBLIC_KEY, sent)

    replayed = await replay_scenario(recipe, folder, engine=engine)
    assert replayed.ok, replayed.diffs or replayed.result.error
    assert replayed.unmatched_requests == []
    labels = [t.label for t in replayed.result.transactions]
    assert labels == ["VIR SEPA XXXX XXXXXX", "VIR RECU DE Xxxxx Xxxxx",
                      "REMB. FR00 0000 0000 0000 0000 0008 978", "CB LIBRAIRIE"]
    assert [t.amount for t in replayed.result.transactions] == [
        t.amount for t in live.transactions]
