"""Load-time compilation: every selector, regex, JMESPath and expression a recipe embeds is
checked when the recipe loads, with a message an author understands and never a traceback."""

from __future__ import annotations

import re
import time

import pytest

from engine.errors import RecipeError
from engine.extraction.transforms import TransformError, apply_regex
from engine.recipe.compile import (
    check_css,
    check_expression,
    check_jmespath,
    check_regex,
    check_xpath,
    expression_rows,
    regex_search,
    render_selector,
)
from engine.recipe.loader import parse_recipe


@pytest.mark.parametrize(("check", "text", "message"), [
    (check_css, "tr.compte[[", "invalid CSS selector 'tr.compte[['"),
    (check_css, "tr:has(td", "invalid CSS selector"),
    (check_css, "", "CSS selector is empty"),
    (check_css, "td" * 1500, "at most 2000"),
    (check_xpath, "td[1", "invalid XPath 'td[1'"),
    (check_xpath, "concat(", "invalid XPath"),
    (check_regex, "(unclosed", "invalid regex '(unclosed': missing )"),
    (check_regex, "a{99999999999999999999}", "invalid regex"),
    (check_regex, "*oops", "invalid regex"),
    (check_jmespath, "items[?", "invalid JMESPath"),
    (check_jmespath, "lenght(items)", "unknown function lenght()"),
    (check_expression, "amount > `0`", "reads 'amount': names start with one of row, account"),
    (check_expression, "row.amount >", "invalid JMESPath"),
])
def test_bad_input_is_one_readable_value_error(check: object, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        check(text)  # type: ignore[operator]
    assert type(info.value) is ValueError  # never SelectorSyntaxError, re.error...


@pytest.mark.parametrize(("check", "text"), [
    (check_css, "section[data-account='{{ account.id }}'] tr"),
    (check_css, "tr:nth-child({{ vars.n }})"),
    (check_css, "tr[data-id={{ account.id }}]"),
    (check_xpath, "//section[@data-account='{{ account.id }}']//tr"),
    (check_jmespath, "transactions[?from_account == '{{ account.id }}']"),
    (check_xpath, "td[1]"),  # relative XPath is XPath, not CSS
    (check_expression, "row.from_account == account.id && contains(['card'], account.type)"),
    (check_expression, "length(row.items[?amount > `0`]) > `0` && row.x"),
])
def test_valid_input_and_templates_pass(check: object, text: str) -> None:
    assert check(text) == text  # type: ignore[operator]


def test_expression_rows_lists_the_fields_it_reads() -> None:
    assert expression_rows("row.from_account == account.id || row.kind == 'P2P'") == {
        "from_account", "kind"}
    assert expression_rows("row.items[?row == `1`]") == {"items"}


def test_templates_are_rendered_with_values_escaped_for_quoted_strings() -> None:
    context = {"account": {"id": "RS35'x"}, "credentials": {"password": "never"}}
    assert render_selector("tr[data-account='{{ account.id }}']", context) == \
        "tr[data-account='RS35\\'x']"


def test_a_catastrophic_regex_ends_within_its_time_bound() -> None:
    text = "a" * 30 + "!"
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"took longer than 0\.2 s"):
        regex_search(r"^(a|aa)+$", text, timeout=0.2)
    assert time.monotonic() - started < 2.0
    started = time.monotonic()
    with pytest.raises(TransformError):
        apply_regex("x" * 5000 + "y", r"(.+)+#$")  # no match, or a bounded time-out
    assert time.monotonic() - started < 2.0


RECIPE = """
institution: {id: r, name: R, base_url: "http://127.0.0.1", allowed_domains: [127.0.0.1]}
credentials: [{name: username}]
login: [{goto: /}]
accounts:
  each: "tr.account"
  fields:
    id: "::attr(data-id)"
    label: td.label
    balance: {FIELD}
"""


@pytest.mark.parametrize(("field", "message"), [
    ('{css: "td.balance[[", parse: amount}', "accounts.fields.balance.css: invalid CSS "
     "selector 'td.balance[['"),
    ('{xpath: "td[1", parse: amount}', "accounts.fields.balance.xpath: invalid XPath"),
    ('{css: td, regex: "(\\\\d+", parse: amount}', "accounts.fields.balance.regex: invalid regex"),
    ('{css: td, parse: amount, sign: {negative_when: "kind == \'out\'"}}',
     "reads 'kind': names start with one of row"),
    ('{css: td, parse: amount, sign: {negative_when: "row.kind == \'out\'"}}',
     "reads row.kind, which is not declared before it"),
    ('{css: td, parse: {date: {formats: ["%d"], locale: xx-YY}}}', "unknown locale 'xx-YY'"),
    ('{css: td, column: 2, path: a}', "needs exactly one of css, xpath, path, column"),
    ('{css: td, lookup: security}', "lookup 'security' is not one of the block's lookups"),
])
def test_recipe_mistakes_are_located_lines_not_tracebacks(field: str, message: str) -> None:
    with pytest.raises(RecipeError) as info:
        parse_recipe(RECIPE.replace("{FIELD}", field), "r.yaml")
    lines = [str(p) for p in info.value.problems]
    assert any(message in line and line.startswith("r.yaml:") for line in lines), lines


def test_xpath_key_always_means_xpath() -> None:
    recipe = parse_recipe(RECIPE.replace("{FIELD}", '{xpath: "td[2]", parse: amount}'))
    from engine.extraction import extract_list

    page = ("<table><tr class='account' data-id='1'><td class='label'>A</td>"
            "<td>1 234,50</td></tr></table>")
    result = extract_list(page, recipe.accounts)
    assert result.problems == []
    assert str(result.records[0]["balance"]) == "1234.50"
