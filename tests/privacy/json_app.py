"""A recording of a third-party JSON app, built for the privacy tests: an HTML shell, the
app's and a vendor's JavaScript, and JSON answers holding every kind of personal value.

``PLANTED`` lists each personal value with the rule the audit must report for it; the
vendor script is the kind of code that used to raise false positives (``token``,
``Authorization``, ``localStorage``, a public JWT key), and the demo sites' own scripts are
served too, as a real front end would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.harness.fixture import Exchange
from tests.conftest import ROOT

ORIGIN = "https://app.payflow.example"
USERNAME, PASSWORD = "ana.silva", "Tr0ub4dor&3-horse"
ACCESS = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3ItNzcxIiwiZXhwIjoxNzk1MDAwMDAwfQ"
          ".Qm9vX3NpZ25hdHVyZV9ub3RfcmVhbF9idXRfbG9uZw")
REFRESH = "rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
PUBLIC_KEY = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiYW5vbiIsImlzcyI6InZlbmRvciJ9"
              ".cHVibGljLWFub24ta2V5LXNoaXBwZWQtaW4tdGhlLWJ1bmRsZQ")

FIRST, LAST = "Ana", "Silva"
PLANTED: dict[str, tuple[str, str]] = {
    # value: (what it is, the audit rule that must name it)
    FIRST: ("a three-letter first name", "name under 'firstName'"),
    LAST: ("a last name", "name under 'lastName'"),
    "Marie Curie": ("a display name", "name under 'displayName'"),
    "Jean Dupont": ("a creditor's name", "name under 'creditorName'"),
    "ana.silva@gmail.com": ("an e-mail", "e-mail address under 'email'"),
    "+33 6 12 34 56 78": ("an international mobile number", "phone number under 'mobile'"),
    "(415) 555-2671": ("a national US number", "phone number under 'phoneNumber'"),
    "12 rue des Lilas": ("a street", "postal address under 'street'"),
    "1985-03-14": ("a birth date", "birth date under 'birthDate'"),
    "000123456789": ("an account number", "account number under 'accountNumber'"),
    "021000021": ("a US routing number", "routing number under 'routingNumber'"),
    "DE89 3704 0044 0532 0130 00": ("an IBAN", "IBAN under 'iban'"),
    "4970 1012 3456 7893": ("a card number", "card number under 'cardNumber'"),
    "cus_88213377": ("a customer id", "customer identifier under 'customer_id'"),
    ACCESS: ("a JWT access token", "token under 'access_token'"),
    REFRESH: ("a refresh token", "token under 'refresh_token'"),
    "07 98 76 54 32": ("a phone number in a sentence", "phone number"),
    "ana@silva-family.fr": ("an e-mail in a sentence", "e-mail address"),
    "FR76 3000 4000 1000 1234 5678 978": ("an IBAN in a sentence", "unmasked IBAN"),
}

SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>PayFlow</title>
<script src="/static/vendor.js"></script><script src="/static/api.js"></script>
</head><body><div id="root"><p class="loading">Loading…</p></div>
<footer>PayFlow Inc. · <a href="/help">Help</a></footer></body></html>"""

VENDOR_JS = f"""/* vendor bundle: auth helper (third-party code, no customer data) */
(function () {{
  var ANON_KEY = "{PUBLIC_KEY}";
  var tokenStorageKey = "payflow.auth.token.v2.storage";
  function getToken() {{ return localStorage.getItem("access_token"); }}
  function setSession(data) {{
    localStorage.setItem("access_token", data.access_token);
    sessionStorage.setItem("refresh_token", data.refresh_token);
    document.cookie = "session=" + data.session + "; path=/";
  }}
  function headers() {{
    var h = {{"Content-Type": "application/json", apikey: ANON_KEY}};
    h["Authorization"] = "Bearer " + getToken();
    return h;
  }}
  var config = {{ authorization: "header", csrf_token_header: "X-CSRF-Token-Header-Name" }};
  window.vendorAuth = {{ getToken: getToken, setSession: setSession, headers: headers,
                         config: config, storageKey: tokenStorageKey }};
}})();
"""

SESSION = {"access_token": ACCESS, "refresh_token": REFRESH, "token_type": "Bearer",
           "expires_in": 3600}
ME = {"id": "usr-771", "customer_id": "cus_88213377", "firstName": FIRST, "lastName": LAST,
      "email": "ana.silva@gmail.com", "mobile": "+33 6 12 34 56 78",
      "phoneNumber": "(415) 555-2671", "birthDate": "1985-03-14",
      "address": {"street": "12 rue des Lilas", "postcode": "75011", "city": "Paris"},
      "note": "Call me on 07 98 76 54 32 or write to ana@silva-family.fr"}
ACCOUNTS = [{"id": "acc-1", "name": "Everyday", "accountNumber": "000123456789",
             "routingNumber": "021000021", "iban": "DE89 3704 0044 0532 0130 00",
             "balance": "1520.33", "currency": "EUR", "bic": "COBADEFFXXX"},
            {"id": "acc-2", "name": "Card", "cardNumber": "4970 1012 3456 7893",
             "balance": "-120.10", "currency": "EUR"}]
TRANSACTIONS = {"items": [
    {"id": "tx-1", "date": "2026-11-19", "amount": "-45.90", "creditorName": "Jean Dupont",
     "label": "VIR SEPA JEAN DUPONT"},
    {"id": "tx-2", "date": "2026-11-18", "amount": "1200.00", "debtorName": "Marie Curie",
     "displayName": "Marie Curie", "label": "VIR RECU DE Marie Curie"},
    {"id": "tx-3", "date": "2026-11-17", "amount": "-12.00",
     "label": "REMB. FR76 3000 4000 1000 1234 5678 978", "status": "booked"}]}


def demo_scripts() -> dict[str, str]:
    """The demo sites' own JavaScript, served by the app as its front end."""
    return {f"/static/{p.name}": p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "sites").glob("*/static/*.js"))}


def _exchange(path: str, body: str, ctype: str, *, method: str = "GET",
              post: str | None = None, request_headers: dict[str, str] | None = None,
              headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(method=method, url=ORIGIN + path, resource_type="fetch", via="browser",
                    request_headers=request_headers or {}, post_data=post, status=200,
                    headers={"content-type": ctype, **(headers or {})},
                    body=body.encode("utf-8"))


def exchanges() -> list[Exchange]:
    """The recording, unscrubbed, as the recorder holds it in memory."""
    js = "text/javascript; charset=utf-8"
    auth = {"authorization": f"Bearer {ACCESS}", "content-type": "application/json"}
    out = [_exchange("/", SHELL, "text/html; charset=utf-8"),
           _exchange("/static/vendor.js", VENDOR_JS, js)]
    out += [_exchange(path, text, js) for path, text in demo_scripts().items()]
    out += [
        _exchange("/api/session", json.dumps(SESSION), "application/json", method="POST",
                  post=json.dumps({"username": USERNAME, "password": PASSWORD}),
                  request_headers={"content-type": "application/json"},
                  headers={"set-cookie": "pf_session=s3ss-9d8c7b6a5f4e3d2c1b0a; HttpOnly"}),
        _exchange("/api/me", json.dumps(ME), "application/json", request_headers=auth),
        _exchange("/api/accounts", json.dumps(ACCOUNTS), "application/json",
                  request_headers=auth),
        _exchange("/api/accounts/acc-1/transactions?since=2026-11-01",
                  json.dumps(TRANSACTIONS), "application/json", request_headers=auth),
    ]
    return out


def dashboard_html() -> str:
    """The page the app draws from its answers (what a snapshot of it holds)."""
    rows = "".join(f'<tr><td class="date">{t["date"]}</td><td class="label">{t["label"]}</td>'
                   f'<td class="amount">{t["amount"]}</td></tr>' for t in TRANSACTIONS["items"])
    return (f'<html><body><header><span class="user-name">{FIRST} {LAST}</span>'
            f'<a href="mailto:{ME["email"]}">{ME["email"]}</a></header>'
            f'<section class="accounts"><div class="account" data-id="acc-1">'
            f'<span class="account-number">{ACCOUNTS[0]["accountNumber"]}</span>'
            f'<span class="iban">{ACCOUNTS[0]["iban"]}</span></div></section>'
            f'<table class="operations"><tbody>{rows}</tbody></table></body></html>')


def write_raw(folder: Path, recording: list[Exchange]) -> Path:
    """Write the recording *unscrubbed* in the fixture format (what a leak looks like)."""
    folder.mkdir(parents=True, exist_ok=True)
    data: list[dict[str, Any]] = [
        {"seq": i, "method": ex.method, "url": ex.url, "resource_type": ex.resource_type,
         "via": ex.via, "request_headers": ex.request_headers, "post_data": ex.post_data,
         "status": ex.status, "headers": ex.headers, "body": ex.text()}
        for i, ex in enumerate(recording, 1)]
    (folder / "exchanges.json").write_text(json.dumps(data, indent=1, ensure_ascii=False),
                                           encoding="utf-8")
    (folder / "snapshots").mkdir(exist_ok=True)
    (folder / "snapshots" / "001-accounts.html").write_text(dashboard_html(), encoding="utf-8")
    return folder
