"""``next_click``: paging where "next" replaces the rows in place, in the real browser.

Tiny sites on 127.0.0.1: a WebForms-style grid whose "Next" link posts the form back to the
same URL (quickly, or slowly: the old page stays on screen meanwhile), a script pager that
swaps the rows without navigating, and the ways it goes wrong — a control that does nothing,
a server error on page 2, an endless pager. Every page must be read once, in order, and a
failure must keep the rows already read and name the control.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import request

from engine import Engine, SyncOptions
from engine.models import SyncResult
from engine.recipe import parse_recipe
from tests.never_wrong.site import PageSite, accounts_page, html, ops

pytestmark = pytest.mark.browser

RECIPE = """
institution: {id: postback-paging, name: Postback, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
timeouts: {step: 6, sync: 60}
detect:
  unavailable: [{status: [500], reason: server_error}]
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: "tr.acct"
  fields: {id: "::attr(data-id)", label: td.label, balance: {css: td.balance, parse: amount}}
transactions:
  goto: /grid
  each: "#grid tr.op"
  fields:
    date: {css: td.d, parse: {date: "%d/%m/%Y"}}
    label: td.l
    amount: {css: td.a, parse: amount}
  next_click: NEXT
  max_pages: MAX
"""
CREDS = {"username": "alice", "password": "pw-Tr0ub4dor&3"}
ACCOUNTS = accounts_page([("A1", "Compte courant", "1 234,56 €")])
PER_PAGE = 10

GRID = """<!doctype html><html><body><form id="f" method="post" action="/grid">
<input type="hidden" name="page" value="{page}"><input type="hidden" name="event" value="">
<table id="grid"><tbody>{rows}</tbody></table>
<span id="where">Page {page} of {pages}</span>
{next}
</form><script>
function postBack(event) {{
  const form = document.getElementById('f');
  form.event.value = event;
  form.submit();
}}
</script></body></html>"""


def rows(page: int) -> str:
    return "".join(f'<tr class="op"><td class="d">{d}</td><td class="l">{label}</td>'
                   f'<td class="a">{amount}</td></tr>'
                   for d, label, amount in ops(page * 100, PER_PAGE))


def grid(page: int, pages: int, *, next_href: str = "javascript:postBack('next')") -> str:
    link = (f'<a id="next" href="{next_href}">Next</a>' if page < pages
            else '<a id="next" class="disabled">Next</a>')
    return GRID.format(page=page, pages=pages, rows=rows(page), next=link)


def postback_grid(pages: int, *, delay: float = 0.0, failing: int | None = None,
                  next_href: str = "javascript:postBack('next')") -> Callable[[], Any]:
    """GET: page 1. POST with event=next: the page after the one posted (the form's state)."""
    def view() -> Any:
        page = 1
        if request.method == "POST":
            page = int(request.form["page"]) + (request.form.get("event") == "next")
            time.sleep(delay)
        if page == failing:
            return html("<h1>Server Error in '/' Application.</h1>", 500)
        return grid(page, pages, next_href=next_href)
    return view


def recipe(next_click: str = '"a#next[href]"', max_pages: int = 20) -> Any:
    return parse_recipe(RECIPE.replace("NEXT", next_click).replace("MAX", str(max_pages)))


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


async def sync(engine: Engine, url: str, rec: Any = None, **values: Any) -> SyncResult:
    return await engine.sync(rec or recipe(), CREDS, SyncOptions(base_url=url, **values))


def labels(result: SyncResult) -> list[str]:
    return [t.label for t in result.transactions]


def expected(pages: int) -> list[str]:
    return [label for page in range(1, pages + 1)
            for _, label, _ in ops(page * 100, PER_PAGE)]


@pytest.mark.parametrize("delay", [0.0, 1.5], ids=["fast", "slow-answer"])
async def test_every_postback_page_is_read_once_in_order(engine: Engine, serve: Any,
                                                         delay: float) -> None:
    """Slow: the old page stays on screen for 1.5 s after the click, at the same URL."""
    site = serve({"/accounts": ACCOUNTS, "/grid": postback_grid(3, delay=delay)})
    result = await sync(engine, site.url)
    assert result.ok and not result.warnings, (result.error, result.warnings)
    assert labels(result) == expected(3)
    assert [hit for hit in site.hits if hit[1] == "/grid"] == [
        ("GET", "/grid"), ("POST", "/grid"), ("POST", "/grid")]


@pytest.mark.parametrize("wait_ms", [300, 3500], ids=["quick", "long-timer"])
async def test_a_script_pager_that_swaps_rows_without_navigating(engine: Engine, serve: Any,
                                                                 wait_ms: int) -> None:
    """No navigation, the URL never changes. With a 3.5 s timer (longer than the timers
    settling waits for, as a debounce or an animation may be) the page looks settled while
    still showing page 1: only waiting for the rows to change reads page 2."""
    page = f"""<!doctype html><html><body><table id="grid"><tbody>{rows(1)}</tbody></table>
<button id="next" type="button">Next</button><script>
let page = 1;
document.getElementById('next').addEventListener('click', async () => {{
  page += 1;
  const answer = await fetch('/rows?page=' + page);
  await new Promise(done => setTimeout(done, {wait_ms}));
  document.querySelector('#grid tbody').innerHTML = await answer.text();
  if (page === 3) document.getElementById('next').disabled = true;
}});
</script></body></html>"""
    site = serve({"/accounts": ACCOUNTS, "/grid": page,
                  "/rows": lambda: rows(int(request.args["page"]))})
    result = await sync(engine, site.url, recipe('"button#next:not([disabled])"'))
    assert result.ok, result.error
    assert labels(result) == expected(3)


async def test_a_control_that_replaces_nothing_fails_naming_it(engine: Engine,
                                                               serve: Any) -> None:
    site = serve({"/accounts": ACCOUNTS, "/grid": postback_grid(3, next_href="#more")})
    result = await sync(engine, site.url, step_timeout=2)
    assert labels(result) == expected(1)  # page 1 kept
    assert result.partial and not result.ok
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.expectation_failed"
    assert failure.selector == "a#next[href]"
    assert failure.details["page"] == 2 and failure.details["rows_kept"] == PER_PAGE


async def test_a_server_error_on_a_later_page_keeps_the_first(engine: Engine,
                                                              serve: Any) -> None:
    site = serve({"/accounts": ACCOUNTS, "/grid": postback_grid(4, failing=3)})
    result = await sync(engine, site.url)
    assert labels(result) == expected(2)
    failure = result.account_failures[0].error
    assert failure.code == "unavailable.server_error"
    assert failure.details["page"] == 3 and failure.details["rows_kept"] == 2 * PER_PAGE


async def test_an_endless_pager_stops_at_max_pages_as_a_failure(engine: Engine,
                                                                serve: Any) -> None:
    site = serve({"/accounts": ACCOUNTS, "/grid": postback_grid(1000)})
    result = await sync(engine, site.url, recipe(max_pages=3))
    assert labels(result) == expected(3)
    failure = result.account_failures[0].error
    assert failure.code == "recipe_broken.max_pages"
    assert failure.selector == "a#next[href]"
