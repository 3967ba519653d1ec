"""``transactions`` and ``holdings`` as lists of blocks, each chosen per account by its ``when``.

Real banks show a card's history on another page, in another markup, than a current
account's; and booked and pending lines often come from two places. One recipe must read
each account with the blocks meant for it — and only those — keep every block's rows, and
report one block's failure without losing the others'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import abort

from engine import Engine, SyncOptions
from engine.errors import RecipeError
from engine.harness.check import block_for_stage
from engine.recipe import parse_recipe
from tests.never_wrong.site import PageSite

RECIPE = """
institution: {id: block-lists, name: Block lists, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
timeouts: {step: 4, sync: 40}
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: tr.acct
  fields:
    id: "::attr(data-id)"
    label: td.label
    type: {css: td.kind, map: {Current: checking, Card: card}}
    balance: {css: td.balance, parse: amount}
transactions:
  - when: {type: [checking]}
    goto: "/booked/{{ account.id }}"
    each: tr.op
    fields:
      date: {css: td.d, parse: {date: "%d/%m/%Y"}}
      label: td.l
      amount: {css: td.a, parse: amount}
  - when: {type: [checking]}
    goto: "/pending/{{ account.id }}"
    each: tr.op
    fields:
      date: {css: td.d, parse: {date: "%d/%m/%Y"}}
      label: td.l
      amount: {css: td.a, parse: amount}
      pending: {const: true}
  - when: {type: [card]}
    goto: "/card/{{ account.id }}"
    each: li.line
    fields:
      date: {css: .when, parse: {date: "%Y-%m-%d"}}
      label: .what
      amount: {css: .how-much, parse: {amount: {decimal: "."}}}
"""
CREDS = {"username": "alice", "password": "pw-Tr0ub4dor&3"}

ACCOUNTS = """<!doctype html><html><body><a id="logout" href="/logout">Log out</a><table>
<tr class="acct" data-id="A1"><td class="label">Main</td><td class="kind">Current</td>
  <td class="balance">100,00</td></tr>
<tr class="acct" data-id="A2"><td class="label">Second</td><td class="kind">Current</td>
  <td class="balance">5,00</td></tr>
<tr class="acct" data-id="C1"><td class="label">Visa</td><td class="kind">Card</td>
  <td class="balance">-20,00</td></tr>
</table></body></html>"""


def table(rows: list[tuple[str, str, str]]) -> str:
    cells = "".join(f'<tr class="op"><td class="d">{d}</td><td class="l">{label}</td>'
                    f'<td class="a">{amount}</td></tr>' for d, label, amount in rows)
    return f"<!doctype html><html><body><table>{cells}</table></body></html>"


CARD = """<!doctype html><html><body><ul>
<li class="line"><span class="when">2026-11-02</span><span class="what">Cinema</span>
  <span class="how-much">12.50 DR</span></li>
<li class="line"><span class="when">2026-11-01</span><span class="what">Refund</span>
  <span class="how-much">7.50 CR</span></li></ul></body></html>"""


@pytest.fixture
def site() -> Iterator[Callable[[dict[str, Any]], PageSite]]:
    started: list[PageSite] = []

    def start(routes: dict[str, Any]) -> PageSite:
        page_site = PageSite(routes).start()
        started.append(page_site)
        return page_site

    yield start
    for page_site in started:
        page_site.stop()


def routes(*, pending_a2: bool = True) -> dict[str, Any]:
    def pending(account: str) -> str:
        if account == "A2" and not pending_a2:
            abort(500)
        return table([("20/11/2026", "Coffee", "-3,50")])  # equal to a booked line

    return {
        "/accounts": ACCOUNTS,
        "/booked/<account>": lambda account: table([
            ("20/11/2026", "Coffee", "-3,50"), ("19/11/2026", f"Salary {account}", "1 000,00")]),
        "/pending/<account>": pending,
        "/card/<account>": lambda account: CARD,
    }


def test_each_list_block_runs_only_for_the_accounts_its_when_names() -> None:
    recipe = parse_recipe(RECIPE)
    assert [name for name, _ in recipe.section_blocks("transactions")] == [
        "transactions[0]", "transactions[1]", "transactions[2]"]
    assert recipe.block("transactions[2]") is recipe.section_blocks("transactions")[2][1]
    assert recipe.block("accounts") is recipe.account_blocks[0]
    assert block_for_stage(recipe, "transactions[1]") is recipe.block("transactions[1]")
    assert recipe.block("transactions") is None and recipe.block("transactions[3]") is None


async def test_every_block_meant_for_an_account_is_read_and_no_other(
        engine: Engine, site: Callable[[dict[str, Any]], PageSite]) -> None:
    served = site(routes())
    result = await engine.sync(parse_recipe(RECIPE), CREDS, SyncOptions(base_url=served.url))
    assert result.error is None and not result.account_failures, result
    main = result.transactions_of("A1")
    assert [(t.label, t.amount, t.pending) for t in main] == [
        ("Coffee", Decimal("-3.50"), False), ("Salary A1", Decimal("1000.00"), False),
        ("Coffee", Decimal("-3.50"), True)]
    # the pending coffee equals a booked one: two transactions, two ids
    assert len({t.id for t in main}) == 3
    assert [(t.label, t.amount) for t in result.transactions_of("C1")] == [
        ("Cinema", Decimal("-12.50")), ("Refund", Decimal("7.50"))]
    paths = [path for _, path in served.hits]
    assert "/card/A1" not in paths and "/booked/C1" not in paths and "/pending/C1" not in paths
    assert {"/booked/A1", "/pending/A1", "/booked/A2", "/pending/A2", "/card/C1"} <= set(paths)


async def test_one_blocks_failure_keeps_the_other_blocks_and_accounts(
        engine: Engine, site: Callable[[dict[str, Any]], PageSite]) -> None:
    served = site(routes(pending_a2=False))
    result = await engine.sync(parse_recipe(RECIPE), CREDS, SyncOptions(base_url=served.url))
    assert result.error is None and result.partial
    [failure] = result.account_failures
    assert failure.account_id == "A2" and failure.stage == "transactions"
    assert failure.error.kind == "unavailable"
    assert failure.error.step is not None and failure.error.step.startswith("transactions[1]")
    # A2's booked lines (block 0) are kept; the other accounts are complete
    assert [t.label for t in result.transactions_of("A2")] == ["Coffee", "Salary A2"]
    assert len(result.transactions_of("A1")) == 3 and len(result.transactions_of("C1")) == 2


@pytest.mark.parametrize(("edit", "key", "words"), [
    ('each: li.line', "transactions[2]", "invalid CSS"),
    ('goto: "/card/{{ account.id }}"', "transactions[2].goto", "account.nope is not a field"),
])
def test_a_mistake_in_one_block_of_a_list_names_that_block(edit: str, key: str,
                                                           words: str) -> None:
    broken = {"each: li.line": 'each: "li.line[["',
              'goto: "/card/{{ account.id }}"': 'goto: "/card/{{ account.nope }}"'}[edit]
    with pytest.raises(RecipeError) as caught:
        parse_recipe(RECIPE.replace(edit, broken), "recipes/block-lists.yaml")
    problems = caught.value.problems
    assert any(p.key.startswith(key) and words in p.message for p in problems), problems
    assert all(p.line > 1 for p in problems)


def test_more_than_twenty_blocks_is_refused() -> None:
    block = RECIPE[RECIPE.index("  - when: {type: [card]}"):]
    text = RECIPE + block * 19
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text)
    assert any("1 to 20 transactions blocks" in p.message for p in caught.value.problems)
