"""Reading lists the way real single-page apps serve them, through the real browser.

- An infinite, *virtualized* list (rows fetched page by page as the list scrolls, rows
  scrolled away removed again): ``scroll: {key, end}`` collects every row as it passes.
- An infinite list that keeps its rows: ``scroll`` without ``key`` reads the final DOM.
- The recipe's own JSON fetches: an expired bearer token (RFC 6750 ``invalid_token``) is a
  session that ended, for the whole sync; the recipe's ``response:`` rules classify the
  answers it fetches itself, as they do the page's background calls.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import request

from engine import Engine, SyncOptions
from engine.recipe import parse_recipe
from tests.never_wrong.site import PageSite, accounts_page, html

pytestmark = pytest.mark.browser

CREDS = {"username": "alice", "password": "pw-Tr0ub4dor&3"}
ROWS = 95
PAGE = 20
ROW_PX, VIEW_PX, OVERSCAN = 40, 200, 2

BASE = """
institution: {id: ID, name: Lists, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
timeouts: {step: 3, sync: 60}
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
"""
SCROLLED = """
transactions:
  goto: "/history/{{ account.id }}"
  wait_for: div.op
  each: div.op
  scroll: SCROLL
  fields:
    id: "::attr(data-id)"
    date: {css: span.d, parse: {date: "%d/%m/%Y"}}
    label: span.l
    amount: {css: span.a, parse: amount}
"""

LIST_PAGE = """<!doctype html><html><body><a id="logout" href="/logout">Sair</a>
<div id="list" style="height: %(view)dpx; overflow-y: auto; position: relative">
  <div id="rows" style="position: relative"></div><div id="foot"></div></div>
<script>
const VIRTUAL = %(virtual)s, END = %(end)s, H = %(row)d, VIEW = %(view)d, OVER = %(over)d;
const list = document.getElementById('list'), rows = document.getElementById('rows');
const foot = document.getElementById('foot');
const items = []; let more = true, busy = false;
function row(item, i) {
  const d = document.createElement('div');
  d.className = 'op'; d.dataset.id = item.id;
  if (VIRTUAL) d.style.cssText = `position:absolute;top:${i * H}px;height:${H}px`;
  d.innerHTML = `<span class="d">${item.d}</span><span class="l">${item.l}</span>` +
                `<span class="a">${item.a}</span>`;
  return d;
}
function draw() {
  if (!VIRTUAL) {
    for (let i = rows.children.length; i < items.length; i++) rows.append(row(items[i], i));
    return;
  }
  rows.style.height = `${items.length * H}px`;
  const first = Math.max(0, Math.floor(list.scrollTop / H) - OVER);
  const last = Math.min(items.length, Math.ceil((list.scrollTop + VIEW) / H) + OVER);
  const out = [];
  for (let i = first; i < last; i++) out.push(row(items[i], i));
  rows.replaceChildren(...out);
}
const nearEnd = () => list.scrollTop + list.clientHeight >= list.scrollHeight - 3 * H;
async function load() {
  if (busy || !more) return;
  busy = true;
  const answer = await (await fetch(`/page?offset=${items.length}`)).json();
  items.push(...answer.items); more = answer.more; busy = false;
  if (!more && END) foot.innerHTML = '<p class="end">Fim do extrato</p>';
  draw();
  if (more && nearEnd()) load();
}
list.addEventListener('scroll', () => { if (VIRTUAL) draw(); if (nearEnd()) load(); });
load();
</script></body></html>"""


def operation(n: int) -> dict[str, str]:
    return {"id": f"op-{n}", "d": f"{1 + n % 28:02d}/11/2026", "l": f"Compra {n}",
            "a": f"-{n},{n % 100:02d} €"}


def list_site(*, virtual: bool = True, end: bool = True) -> dict[str, Any]:
    page = LIST_PAGE % {"virtual": str(virtual).lower(), "end": str(end).lower(),
                        "row": ROW_PX, "view": VIEW_PX, "over": OVERSCAN}

    def chunk() -> Any:
        offset = int(request.args.get("offset", "0"))
        items = [operation(n) for n in range(offset, min(offset + PAGE, ROWS))]
        return html(json.dumps({"items": items, "more": offset + PAGE < ROWS}), 200,
                    {"Content-Type": "application/json"})

    return {"/accounts": accounts_page([("A1", "Conta", "1 234,56 €")]),
            "/history/<account>": lambda account: page, "/page": chunk}


def recipe(scroll: str, name: str) -> Any:
    return parse_recipe(BASE.replace("ID", name) + SCROLLED.replace("SCROLL", scroll))


@pytest.fixture
def serve() -> Iterator[Callable[..., PageSite]]:
    started: list[PageSite] = []

    def start(routes: dict[str, Any]) -> PageSite:
        site = PageSite(routes).start()
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()


EXPECTED = [(f"op-{n}", f"Compra {n}", -Decimal(f"{n}.{n % 100:02d}")) for n in range(ROWS)]


async def test_a_virtualized_list_is_read_whole_by_row_identity(engine: Engine, serve) -> None:
    site = serve(list_site())
    result = await engine.sync(
        recipe('{css: "#list", key: "::attr(data-id)", end: .end, max: 100}', "virtual-key"),
        CREDS, SyncOptions(base_url=site.url))
    assert result.error is None and not result.account_failures, result
    assert [(t.id, t.label, t.amount) for t in result.transactions] == EXPECTED
    assert not result.warnings
    assert ("GET", f"/page?offset={ROWS - ROWS % PAGE}") in site.hits


async def test_without_a_row_key_a_virtualized_list_loses_rows(engine: Engine, serve) -> None:
    """What the key is for: scrolled to its end, the list shows only its last screen."""
    site = serve(list_site())
    result = await engine.sync(recipe('{css: "#list", max: 100}', "virtual-nokey"), CREDS,
                               SyncOptions(base_url=site.url))
    assert result.error is None
    assert 0 < len(result.transactions) <= VIEW_PX // ROW_PX + 2 * OVERSCAN + 1


async def test_a_list_that_keeps_its_rows_is_scrolled_to_its_end(engine: Engine, serve) -> None:
    site = serve(list_site(virtual=False))
    result = await engine.sync(recipe('{css: "#list", max: 100}', "append-nokey"), CREDS,
                               SyncOptions(base_url=site.url))
    assert result.error is None and not result.account_failures, result
    assert [(t.id, t.label, t.amount) for t in result.transactions] == EXPECTED


async def test_without_an_end_marker_the_list_ends_when_nothing_new_comes(
        engine: Engine, serve) -> None:
    site = serve(list_site(end=False))
    result = await engine.sync(recipe('{css: "#list", key: "::attr(data-id)"}', "key-noend"),
                               CREDS, SyncOptions(base_url=site.url))
    assert result.error is None and not result.account_failures, result
    assert [t.id for t in result.transactions] == [e[0] for e in EXPECTED]


async def test_a_list_that_stops_without_its_end_marker_fails(engine: Engine, serve) -> None:
    """The recipe says how the list ends; a list that stops growing without saying so is
    not taken for a short history."""
    site = serve(list_site(end=False))
    result = await engine.sync(
        recipe('{css: "#list", key: "::attr(data-id)", end: .end}', "key-missing-end"),
        CREDS, SyncOptions(base_url=site.url))
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.expectation_failed"
    assert failure.selector == ".end"
    assert f"after {ROWS} rows" in failure.message
    assert result.transactions == []


async def test_rows_without_an_identity_are_a_broken_recipe(engine: Engine, serve) -> None:
    site = serve(list_site())
    result = await engine.sync(
        recipe('{css: "#list", key: "::attr(data-missing)", end: .end}', "key-absent"),
        CREDS, SyncOptions(base_url=site.url))
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.scroll_key_missing"
    assert failure.selector == "::attr(data-missing)"


# -- the recipe's own JSON fetches -------------------------------------------------------------

JSON_TRANSACTIONS = """
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
  - capture: {token: {cookie: sid}}
transactions:
  goto: "/api/tx/{{ account.id }}"
  format: json
  headers: {Authorization: "Bearer {{ vars.token }}"}
  each: items
  fields: {date: {path: d, parse: {date: "%Y-%m-%d"}}, label: {path: l},
           amount: {path: a, parse: amount}}
"""


def json_recipe(name: str, detect: str = "") -> Any:
    base = BASE.replace("ID", name)
    base = base[:base.index("login:")] + detect + base[base.index("accounts:"):]
    return parse_recipe(base + JSON_TRANSACTIONS)


def api_answer(status: int, body: dict[str, Any], headers: dict[str, str] | None = None
               ) -> Callable[[str], Any]:
    def answer(account: str) -> Any:
        assert request.headers.get("Authorization", "").startswith("Bearer s-")
        return html(json.dumps(body), status, {"Content-Type": "application/json"}
                    | (headers or {}))
    return answer


TWO_ACCOUNTS = accounts_page([("A1", "Conta", "1 234,56 €"), ("A2", "Poupança", "10,00 €")])


async def test_an_expired_bearer_token_ends_the_sync_as_a_session_expiry(
        engine: Engine, serve) -> None:
    site = serve({"/accounts": TWO_ACCOUNTS, "/api/tx/<account>": api_answer(
        401, {"error": "invalid_token"},
        {"WWW-Authenticate": 'Bearer realm="x", error="invalid_token"'})})
    result = await engine.sync(json_recipe("expired-token"), CREDS,
                               SyncOptions(base_url=site.url))
    assert result.error is not None
    assert result.error.code == "unavailable.session_expired"
    assert result.error.policy.retry and result.error.policy.retry_after_seconds == 300
    assert result.error.url is not None and result.error.url.endswith("/api/tx/A1")
    assert result.account_failures == []  # not one account's problem: every call would fail
    assert [a.id for a in result.accounts] == ["A1", "A2"]
    assert ("GET", "/api/tx/A2") not in site.hits


async def test_a_401_without_invalid_token_still_says_the_recipe_did_not_authenticate(
        engine: Engine, serve) -> None:
    site = serve({"/accounts": TWO_ACCOUNTS, "/api/tx/<account>": api_answer(
        401, {"error": "unauthorized"}, {"WWW-Authenticate": 'Bearer realm="x"'})})
    result = await engine.sync(json_recipe("missing-token"), CREDS,
                               SyncOptions(base_url=site.url))
    assert [f.error.code for f in result.account_failures] == ["recipe_broken.api_unauthorized"] * 2


async def test_response_rules_classify_the_answers_the_recipe_fetches(
        engine: Engine, serve) -> None:
    site = serve({"/accounts": TWO_ACCOUNTS, "/api/tx/<account>": api_answer(
        403, {"erro": "termos_pendentes", "mensagem": "Aceite os novos termos"})})
    detect = """detect:
  action_required:
    - {response: {url: "/api/", status: [403], text: termos_pendentes}, reason: new_terms}
"""
    result = await engine.sync(json_recipe("rule-on-fetch", detect), CREDS,
                               SyncOptions(base_url=site.url))
    assert result.error is not None and result.error.code == "action_required.new_terms"
    assert result.error.url is not None and result.error.url.endswith("/api/tx/A1")
