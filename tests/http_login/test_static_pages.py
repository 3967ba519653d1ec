"""A list page that runs no script is judged from its HTML, parsed as a browser parses it.

The first sync of a recipe no longer renders such a page to compare it with a plain fetch:
lexbor (a WHATWG parser, as browsers implement) and lxml must read the same records from it.
Where they disagree, or where the page runs any script, the page is rendered and probed as
before, and a page whose values only a script draws stays in the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import redirect

from engine import Engine
from engine.recipe import parse_recipe
from engine.recipe.lists import ListBlock
from engine.runner.static_pages import needs_no_browser
from tests.http_login.helpers import counting_contexts
from tests.never_wrong.site import PageSite, accounts_page

pytestmark = pytest.mark.browser

RECIPE = """
institution: {id: ID, name: Static, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: "EACH"
  fields:
    id: "::attr(data-id)"
    label: td.label
    balance: {css: td.balance, parse: amount}
"""
CREDS = {"username": "alice", "password": "pw"}
ROWS = [("A1", "Compte courant", "1 234,56 €"), ("A2", "Livret A", "15 300,00 €")]
NO_TBODY = ('<!doctype html><html><body><a id="logout" href="/logout">x</a><table id="t">'
            '<tr class="acct" data-id="A1"><td class="label">Compte courant</td>'
            '<td class="balance">1 234,56 €</td></tr></table></body></html>')
DRAWN = accounts_page([(i, label, "0,00 €") for i, label, _ in ROWS], """<script>
document.querySelectorAll('td.balance').forEach((td, i) => {
  td.textContent = ['1 234,56 €', '15 300,00 €'][i]; });
</script>""")


@pytest.fixture
def serve() -> Iterator[list[PageSite]]:
    started: list[PageSite] = []
    yield started
    for site in started:
        site.stop()


HOME = '<!doctype html><html><body><a id="logout" href="/logout">x</a></body></html>'


def land_home() -> Any:
    response = redirect("/home", code=303)
    response.set_cookie("sid", "s-1", httponly=True)
    return response


def loads(site: PageSite) -> int:
    return sum(1 for method, path in site.hits if method == "GET" and path == "/accounts")


@pytest.mark.parametrize(("case", "page", "each", "first_loads", "contexts"), [
    ("script-free", accounts_page(ROWS), "tr.acct", 1, 1),
    ("repaired-by-the-parser", NO_TBODY, "table#t > tbody > tr.acct", 2, 1),
    ("drawn-by-script", DRAWN, "tr.acct", 2, 1),
], ids=["script-free", "repaired-by-the-parser", "drawn-by-script"])
async def test_the_first_sync_renders_only_what_may_differ(
        engine: Engine, serve: list[PageSite], case: str, page: str, each: str,
        first_loads: int, contexts: int) -> None:
    site = PageSite({"/accounts": page, "/home": HOME}, login_ok=land_home).start()
    serve.append(site)
    recipe = parse_recipe(RECIPE.replace("ID", f"static-{case}").replace("EACH", each))
    first = await engine.sync(recipe, CREDS, base_url=site.url)
    assert first.ok, first.error
    # a page judged from its HTML is fetched once; one that may differ is fetched, then
    # rendered (and its first fetch is the probe)
    assert loads(site) == first_loads
    with counting_contexts(engine) as opened:
        second = await engine.sync(recipe, CREDS, base_url=site.url)
    assert second.ok and second.accounts == first.accounts
    assert opened[0] == (0 if case == "script-free" else contexts)
    if case == "drawn-by-script":
        assert [str(a.balance) for a in second.accounts] == ["1234.56", "15300.00"]


def test_records_must_match_a_browser_parse() -> None:
    block = ListBlock.model_validate({"each": "table#t > tbody > tr.acct",
                                      "fields": {"id": "::attr(data-id)", "label": "td.label",
                                                 "balance": "td.balance"}})
    assert not needs_no_browser(NO_TBODY, "http://b/", block, {}, reference=None,
                                institution=None)
    loose = block.model_copy(update={"each": "tr.acct"})
    assert needs_no_browser(NO_TBODY, "http://b/", loose, {}, reference=None,
                            institution=None)
    assert not needs_no_browser(NO_TBODY.replace("</body>", "<noscript>x</noscript></body>"),
                                "http://b/", loose, {}, reference=None, institution=None)
    assert not needs_no_browser(NO_TBODY.replace("</body>", "<script>1</script></body>"),
                                "http://b/", loose, {}, reference=None, institution=None)
