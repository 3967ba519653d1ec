"""Never silently wrong, at run time: one case per observation of the issue, real browser.

Each case serves the tiny pages it needs on 127.0.0.1, syncs them with a small recipe through
``engine.Engine`` and asserts what a demanding backend needs: the right data, or a failure
classified from what the browser really received, without waiting out timeouts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import redirect, request

from engine import Engine, SyncOptions
from engine.models import SyncResult
from engine.recipe import parse_recipe
from tests.never_wrong.site import (
    LOGIN_FORM,
    PageSite,
    RawServer,
    accounts_page,
    history_page,
    html,
    ops,
)

pytestmark = pytest.mark.browser

RECIPE = """
institution: {id: faults, name: Faults, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
timeouts: {step: 4, sync: 40}
detect:
  invalid_credentials: {css: .bad-login}
  blocked:
    - {css: .captcha, reason: captcha, policy: {retry: false, user_action: contact_support}}
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: "tr.acct"
  fields:
    id: "::attr(data-id)"
    label: td.label
    balance: {css: td.balance, parse: amount}
TRANSACTIONS
"""
HISTORY = """
transactions:
  goto: "/history/{{ account.id }}"
  each: "tr.op"
  fields:
    date: {css: td.d, parse: {date: "%d/%m/%Y"}}
    label: td.l
    amount: {css: td.a, parse: amount}
  next_page: "a.next::attr(href)"
  max_pages: MAX
"""
CREDS = {"username": "alice", "password": "pw-Tr0ub4dor&3"}


def recipe(history: bool = True, max_pages: int = 20, extra: str = "") -> Any:
    text = RECIPE.replace("TRANSACTIONS", HISTORY.replace("MAX", str(max_pages))
                          if history else "") + extra
    return parse_recipe(text)


@pytest.fixture
def serve() -> Iterator[Callable[..., PageSite]]:
    started: list[PageSite] = []

    def start(routes: dict[str, Any], **kwargs: Any) -> PageSite:
        site = PageSite(routes, **kwargs).start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


async def sync(engine: Engine, site_url: str, rec: Any = None, **options: Any) -> SyncResult:
    return await engine.sync(rec or recipe(), CREDS, SyncOptions(base_url=site_url, **options))


ONE_ACCOUNT = accounts_page([("A1", "Compte courant", "1 234,56 €")])


# -- 2. data thrown away or truncated --------------------------------------------------------

async def test_a_failing_later_page_keeps_the_rows_already_read(engine: Engine, serve) -> None:
    def history(account: str) -> Any:
        page = int(request.args.get("p", "1"))
        if page == 3:
            return html("<h1>Erreur technique</h1>", 500)
        return history_page(ops(page * 10, 10), f"/history/{account}?p={page + 1}")

    site = serve({"/accounts": ONE_ACCOUNT, "/history/<account>": history})
    result = await sync(engine, site.url)
    assert [a.id for a in result.accounts] == ["A1"]
    assert len(result.transactions) == 20  # pages 1 and 2, kept
    assert result.partial and not result.ok
    failure = result.account_failures[0]
    assert failure.error.code == "unavailable.server_error"
    assert failure.error.details["page"] == 3
    assert failure.error.details["rows_kept"] == 20


async def test_fill_into_a_maxlength_input_is_a_broken_recipe(engine: Engine, serve) -> None:
    form = LOGIN_FORM.format(action="/login", user_attrs='maxlength="3"', extra="")
    site = serve({"/login": lambda: form if request.method == "GET" else redirect("/accounts"),
                  "/accounts": ONE_ACCOUNT})
    started = time.monotonic()
    result = await sync(engine, site.url, recipe(history=False))
    assert result.error is not None and result.error.code == "recipe_broken.fill_mismatch"
    assert "3 of the 5 characters" in result.error.message
    assert result.error.selector == "#user"
    assert time.monotonic() - started < 4


async def test_a_pending_flag_reading_false_is_false(engine: Engine, serve) -> None:
    rows = ('<tr class="op"><td class="d">02/11/2026</td><td class="l">Loyer</td>'
            '<td class="a">-800,00 €</td><td class="p">false</td></tr>'
            '<tr class="op"><td class="d">03/11/2026</td><td class="l">Carte</td>'
            '<td class="a">-12,00 €</td><td class="p">true</td></tr>')
    site = serve({"/accounts": ONE_ACCOUNT,
                  "/history/<account>": lambda account: f"<table>{rows}</table>"})
    rec = recipe(history=False, extra=HISTORY.replace("MAX", "5").replace(
        "    amount: {css: td.a, parse: amount}\n",
        "    amount: {css: td.a, parse: amount}\n    pending: td.p\n"))
    result = await sync(engine, site.url, rec)
    assert result.ok, result.error
    assert [t.pending for t in result.transactions] == [False, True]


# -- 3. failures classified from the evidence -----------------------------------------------

SPA_LOGIN = """<!doctype html><html><body><div id="app">
<form id="login"><input id="user"><input id="pass" type="password">
<button id="go" type="button">Connexion</button></form><p class="msg"></p></div>
<script>
document.getElementById('go').addEventListener('click', async () => {
  let ok = false;
  try {
    const r = await fetch(API + '/api/login', {method: 'POST', body: 'x'});
    ok = r.ok;
  } catch (e) { ok = false; }
  // like many apps, every failure is drawn as "wrong credentials"
  if (!ok) {
    const p = document.querySelector('.msg');
    p.className = 'msg bad-login';
    p.textContent = 'Identifiant ou mot de passe incorrect';
  }
});
</script></body></html>"""


@pytest.mark.parametrize(("status", "code"), [
    (503, "unavailable.server_error"),
    (429, "blocked.rate_limited"),
    (0, "unavailable.network"),
])
async def test_a_spa_api_failure_is_classified_from_the_answer_not_the_page(
        engine: Engine, serve, status: int, code: str) -> None:
    raw = RawServer("reset").start() if status == 0 else None
    try:
        def api_login() -> Any:
            return html('{"error": "down"}', status, {"Retry-After": "120",
                                                      "Access-Control-Allow-Origin": "*"})

        api = raw.url if raw else ""
        page = SPA_LOGIN.replace("API + '/api/login'", f"'{api}/api/login'")
        site = serve({"/api/login": api_login, "/login": lambda: page})
        result = await sync(engine, site.url, recipe(history=False))
    finally:
        if raw:
            raw.stop()
    assert result.error is not None, "the sync must fail"
    assert result.error.code == code
    assert result.error.kind != "invalid_credentials"
    assert "/api/login" in (result.error.url or "")
    if status == 429:
        assert result.error.policy.retry_after_seconds == 120


async def test_a_401_from_a_data_endpoint_names_the_endpoint(engine: Engine, serve) -> None:
    site = serve({"/accounts": ONE_ACCOUNT,
                  "/api/tx/<account>": lambda account: html('{"error":"unauthorized"}', 401,
                                                            {"Content-Type": "application/json"})})
    rec = recipe(history=False, extra="""
transactions:
  goto: "/api/tx/{{ account.id }}"
  format: json
  each: items
  fields: {date: {path: d, parse: {date: "%Y-%m-%d"}}, label: {path: l},
           amount: {path: a, parse: amount}}
""")
    result = await sync(engine, site.url, rec)
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.api_unauthorized"
    assert failure.url is not None and failure.url.endswith("/api/tx/A1")
    assert failure.kind != "blocked"


async def test_a_saved_session_already_logged_in_skips_the_login(engine: Engine, serve) -> None:
    """Django-style persistent sessionid: the login page redirects to the accounts."""
    def login() -> Any:
        if request.cookies.get("sessionid") == "valid":
            return redirect("/accounts")
        if request.method == "GET":
            return LOGIN_FORM.format(action="/login", user_attrs="", extra="")
        response = redirect("/accounts", code=303)
        response.set_cookie("sessionid", "valid", max_age=14 * 86400, httponly=True)
        return response

    site = serve({"/login": login, "/accounts": ONE_ACCOUNT})
    key = "k" * 32
    first = await sync(engine, site.url, recipe(history=False), state_key=key)
    assert first.ok and first.session_state
    posts_before = site.hits.count(("POST", "/login"))
    second = await sync(engine, site.url, recipe(history=False), state_key=key,
                        session_state=first.session_state)
    assert second.ok, second.error
    assert [a.id for a in second.accounts] == ["A1"]
    assert site.hits.count(("POST", "/login")) == posts_before  # no second login


async def test_a_saved_session_that_breaks_the_login_is_retried_clean_and_dropped(
        engine: Engine, serve) -> None:
    def login() -> Any:
        if request.cookies.get("sessionid") == "stale":
            return "<html><body><p>Session en cours de fermeture…</p></body></html>"
        if request.method == "GET":
            return LOGIN_FORM.format(action="/login", user_attrs="", extra="")
        response = redirect("/accounts", code=303)
        response.set_cookie("sessionid", "stale", max_age=14 * 86400)
        return response

    site = serve({"/login": login, "/accounts": lambda: ONE_ACCOUNT
                  if request.method == "GET" else ""})
    key = "k" * 32
    first = await sync(engine, site.url, recipe(history=False), state_key=key)
    assert first.session_state
    second = await sync(engine, site.url, recipe(history=False), state_key=key,
                        session_state=first.session_state, step_timeout=1.5)
    assert second.ok, second.error
    assert second.drop_session_state
    assert any("saved session" in w for w in second.warnings)


async def test_a_captcha_on_every_login_can_say_never_retry(engine: Engine, serve) -> None:
    site = serve({"/accounts": '<html><body><div class="captcha">Prouvez que vous êtes '
                               'humain</div></body></html>'})
    result = await sync(engine, site.url, recipe(history=False))
    assert result.error is not None and result.error.code == "blocked.captcha"
    assert result.error.policy.retry is False
    assert result.error.policy.user_action == "contact_support"
    assert result.error.policy.alert == "operations"


async def test_an_account_id_equal_to_the_username_is_not_masked(engine: Engine, serve) -> None:
    site = serve({"/accounts": accounts_page([("alice", "Compte courant", "10,00 €")]),
                  "/history/<account>": lambda account: html("<h1>Erreur</h1>", 500)})
    result = await sync(engine, site.url)
    assert [a.id for a in result.accounts] == ["alice"]
    assert [f.account_id for f in result.account_failures] == ["alice"]
    assert "pw-Tr0ub4dor&3" not in result.model_dump_json()


# -- 5. pages read before they are finished, or read forever --------------------------------

LATE_FIX = accounts_page([("A1", "Compte courant", "0,00 €"), ("A2", "Livret A", "0,00 €")],
                         """<script>
setTimeout(() => {
  const cells = document.querySelectorAll('td.balance');
  cells[0].textContent = '1 234,56 €'; cells[1].textContent = '15 300,00 €';
}, 700);
</script>""")

PLACEHOLDERS = accounts_page([(f"P{i}", f"Compte {i}", "0,00 €") for i in range(8)],
                             """<script>
fetch('/balances').then(r => r.json()).then(values => {
  document.querySelectorAll('td.balance').forEach((td, i) => { td.textContent = values[i]; });
});
</script>""")


@pytest.mark.parametrize(("page", "expected"), [
    (LATE_FIX, [Decimal("1234.56"), Decimal("15300.00")]),
    (PLACEHOLDERS, [Decimal(f"{100 * i + 1}.25") for i in range(8)]),
], ids=["fixed-up-after-700ms", "placeholders-filled-by-fetch"])
async def test_pages_are_read_once_their_scripts_finished(engine: Engine, serve, page: str,
                                                         expected: list[Decimal]) -> None:
    def balances() -> Any:
        time.sleep(0.4)
        return json.dumps([f"{100 * i + 1},25 €" for i in range(8)])

    site = serve({"/accounts": page, "/balances": balances})
    for _ in range(2):  # the second sync must not move this page to plain HTTP
        result = await sync(engine, site.url, recipe(history=False))
        assert result.ok, result.error
        assert [a.balance for a in result.accounts] == expected


async def test_an_endless_next_link_ends_without_duplicates(engine: Engine, serve) -> None:
    same = history_page(ops(1, 40), "/history/A1?p=2")
    site = serve({"/accounts": ONE_ACCOUNT,
                  "/history/<account>": lambda account: same.replace(
                      "p=2", f"p={int(request.args.get('p', '1')) + 1}")})
    result = await sync(engine, site.url)
    assert result.ok, result.error
    assert len(result.transactions) == 40
    assert any("repeats an earlier page" in w for w in result.warnings)


async def test_a_next_link_back_to_the_first_page_adds_nothing(engine: Engine, serve) -> None:
    def history(account: str) -> Any:
        page = int(request.args.get("p", "0"))
        return history_page(ops(page * 20, 20), f"/history/{account}?p={(page + 1) % 2}")

    site = serve({"/accounts": ONE_ACCOUNT, "/history/<account>": history})
    result = await sync(engine, site.url)
    assert result.ok, result.error
    assert len(result.transactions) == 40
    assert len({t.id for t in result.transactions}) == 40


async def test_reaching_max_pages_is_a_failure_of_that_account(engine: Engine, serve) -> None:
    site = serve({"/accounts": ONE_ACCOUNT, "/history/<account>": lambda account: history_page(
        ops(int(request.args.get("p", "1")) * 10, 10),
        f"/history/{account}?p={int(request.args.get('p', '1')) + 1}")})
    result = await sync(engine, site.url, recipe(max_pages=3))
    assert len(result.transactions) == 30  # what was read is kept
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.max_pages"
    assert result.partial


# -- 6. server faults reported as what they are, at once --------------------------------------

def _login_posting_to(action: str) -> Callable[[], Any]:
    return lambda: LOGIN_FORM.format(action=action, user_attrs="", extra="")


@pytest.mark.parametrize(("fault", "code"), [
    ("redirect-loop", "unavailable.redirect_loop"),
    ("empty-200", "unavailable.empty_page"),
    ("oversized-headers", "unavailable.bad_response"),
    ("connection-closed", "unavailable.empty_page"),
    ("connection-reset", "unavailable.network"),
])
async def test_server_faults_are_unavailable_at_once(engine: Engine, serve, fault: str,
                                                     code: str) -> None:
    raw = RawServer("close" if fault == "connection-closed" else "reset").start() \
        if fault.startswith("connection") else None
    try:
        routes: dict[str, Any] = {
            "/loop": lambda: redirect("/loop"),
            "/empty": lambda: html("", 200),
            "/huge": lambda: html("<html><body>x</body></html>", 200,
                                  {f"X-Pad-{i}": "y" * 8000 for i in range(40)}),
        }
        action = {"redirect-loop": "/loop", "empty-200": "/empty", "oversized-headers": "/huge"
                  }.get(fault, f"{raw.url if raw else ''}/login")
        routes["/login"] = _login_posting_to(action)
        site = serve(routes)
        started = time.monotonic()
        result = await sync(engine, site.url, recipe(history=False), step_timeout=15)
    finally:
        if raw:
            raw.stop()
    assert result.error is not None
    assert result.error.code == code, result.error
    assert time.monotonic() - started < 10, "classified at once, not after the step timeout"


async def test_an_element_under_an_overlay_says_what_covers_it(engine: Engine, serve) -> None:
    overlay = ('<div id="cookie" style="position:fixed;inset:0;background:#fff;z-index:9">'
               'Nous utilisons des cookies <button>OK</button></div>')
    site = serve({"/login": lambda: LOGIN_FORM.format(action="/login", user_attrs="",
                                                      extra=overlay)})
    result = await sync(engine, site.url, recipe(history=False), step_timeout=2)
    assert result.error is not None
    assert result.error.code == "recipe_broken.element_covered"
    assert "div#cookie" in result.error.message


async def test_a_catastrophic_regex_cannot_hang_a_sync(engine: Engine, serve) -> None:
    long_url_site = serve({"/accounts": ONE_ACCOUNT})
    rec = parse_recipe(RECIPE.replace("TRANSACTIONS", "").replace(
        "  invalid_credentials: {css: .bad-login}",
        "  invalid_credentials: {url: '(a+)+$'}").replace(
        "  - goto: /login", "  - goto: /login?q=" + "a" * 4000 + "!"))
    started = time.monotonic()
    result = await sync(engine, long_url_site.url, rec, timeout=30)
    assert result.error is not None and result.error.kind == "recipe_broken"
    assert "ran longer" in result.error.message
    assert time.monotonic() - started < 10
