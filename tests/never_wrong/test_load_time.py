"""Never silently wrong, at load time: every recipe mistake is one located line, never a run.

Each case is a small edit of a valid recipe; ``engine validate``'s loader must reject it with
``file:line:col: key: message`` pointing at the edit — not accept it and misbehave at run time,
and never print a traceback.
"""

from __future__ import annotations

import pytest

from engine.errors import RecipeError
from engine.recipe import parse_recipe

VALID = """\
institution:
  id: faults
  name: Faults
  base_url: http://127.0.0.1:8400
  allowed_domains: [127.0.0.1]
credentials:
  - {name: username}
  - {name: password, secret: true}
timeouts: {step: 10, sync: 60}
detect:
  unavailable: {css: .maintenance, url: "/maintenance"}
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - click: "#go"
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: "tr.acct"
  fields:
    id: "::attr(data-id)"
    label: td.label
    balance: {css: td.balance, parse: amount}
transactions:
  goto: "/api/{{ account.id }}"
  format: json
  each: items
  fields:
    date: {path: d, parse: {date: "%Y-%m-%d"}}
    label: {path: l}
    amount: {path: a, parse: amount}
  next_page: "next"
  max_pages: 50
"""

# (id, text replaced, replacement, key reported, words in the message)
CASES = [
    ("invalid-css-each", 'each: "tr.acct"', 'each: "tr.acct[["', "accounts", "invalid CSS"),
    ("unclosed-has", 'each: "tr.acct"', 'each: "tr:has(td"', "accounts", "invalid CSS"),
    ("invalid-css-step", 'click: "#go"', 'click: "#go[["', "login[2]", "invalid CSS"),
    ("invalid-css-detect", "css: .maintenance", 'css: ".maintenance[["', "detect.unavailable",
     "invalid CSS"),
    ("invalid-regex-detect", 'url: "/maintenance"', 'url: "(unclosed"', "detect.unavailable",
     "invalid regex"),
    ("invalid-jmespath-next", 'next_page: "next"', 'next_page: "next[?"',
     "transactions.next_page", "invalid JMESPath"),
    ("template-in-detect-text", "css: .maintenance", 'text: "{{ credentials.username }}"',
     "detect.unavailable.text", "templates are not rendered here"),
    ("unbalanced-braces", 'value: "{{ credentials.username }}"',
     'value: "{{ credentials.username }"', "login[1].fill.value", "unbalanced"),
    ("unknown-vars", 'value: "{{ credentials.username }}"', 'value: "{{ vars.token }}"',
     "login[1].fill.value", "not set by any capture step"),
    ("timeout-tiny", "step: 10", "step: 1.0e-9", "timeouts.step", "greater than or equal"),
    ("timeout-inf", "step: 10", "step: .inf", "timeouts.step", "finite"),
    ("timeout-string", "step: 10", 'step: "10"', "timeouts.step", "valid number"),
    ("timeout-bool", "step: 10", "step: true", "timeouts.step", "valid number"),
    ("max-pages-huge", "max_pages: 50", "max_pages: " + "9" * 100, "transactions.max_pages",
     "less than or equal"),
    ("goto-javascript", "goto: /login", "goto: 'javascript:alert(1)'", "login[0].goto",
     "not allowed"),
    ("goto-file", "goto: /login", "goto: 'file:///etc/passwd'", "login[0].goto", "not allowed"),
    ("goto-data", "goto: /login", "goto: 'data:text/html,hi'", "login[0].goto", "not allowed"),
    ("domain-star", "allowed_domains: [127.0.0.1]", "allowed_domains: ['*']",
     "institution.allowed_domains", "not a host name"),
    ("domain-empty", "allowed_domains: [127.0.0.1]", "allowed_domains: ['']",
     "institution.allowed_domains", "at least 1 character"),
    ("domain-tld", "allowed_domains: [127.0.0.1]", "allowed_domains: ['*.com', 127.0.0.1]",
     "institution.allowed_domains", "top-level domain"),
    ("base-url-outside", "base_url: http://127.0.0.1:8400", "base_url: http://evil.test",
     "institution.base_url", "not inside allowed_domains"),
    ("credentials-null", "credentials:\n  - {name: username}\n  - {name: password, secret: true}",
     "credentials: null", "credentials", "valid list"),
    ("empty-on-json-must-compile", 'next_page: "next"', 'next_page: "next"\n  empty: "[?"',
     "transactions.empty", "invalid JMESPath"),
]


@pytest.mark.parametrize(("old", "new", "key", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_recipe_mistake_is_located(old: str, new: str, key: str, words: str) -> None:
    assert old in VALID
    text = VALID.replace(old, new, 1)
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "recipes/faults.yaml")
    problems = caught.value.problems
    assert any(p.key.startswith(key) and words in p.message for p in problems), problems
    line = next(i for i, row in enumerate(text.splitlines(), 1) if new.splitlines()[0] in row)
    for problem in problems:
        assert problem.file == "recipes/faults.yaml" and problem.line >= 1 and problem.column >= 1
    assert any(abs(p.line - line) <= 2 for p in problems), (line, problems)


def test_the_valid_recipe_is_valid() -> None:
    parse_recipe(VALID, "recipes/faults.yaml")


def test_institution_id_must_equal_the_file_name(tmp_path) -> None:
    from engine.recipe import load_recipe

    path = tmp_path / "other-bank.yaml"
    path.write_text(VALID, encoding="utf-8")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    assert [p.key for p in caught.value.problems] == ["institution.id"]
    assert "must equal the file name" in caught.value.problems[0].message
    assert caught.value.problems[0].line == 2


@pytest.mark.parametrize(("data", "words"), [
    (b"\xef\xbb\xbf" + VALID.encode(), None),  # a BOM is fine
    (VALID.encode().replace(b"Faults", b"Fa\xffults"), "not UTF-8"),
    (b"a: &a [*a]\n", "refers to itself"),
    (b"- " * 2000 + b"x\n", "nested more than"),
    (b"a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
     b"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
     "more than"),
    (b"institution: !!python/object:os.system {}\n", "not allowed"),
    (b"a: 2026-13-45\n", "unreadable value"),
])
def test_hostile_files_are_refused_cleanly(tmp_path, data: bytes, words: str | None) -> None:
    from engine.recipe import load_recipe

    path = tmp_path / "faults.yaml"
    path.write_bytes(data)
    if words is None:
        assert load_recipe(path).institution.id == "faults"
        return
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    assert any(words in p.message for p in caught.value.problems), caught.value.problems


def test_a_huge_file_is_refused_before_reading(tmp_path) -> None:
    from engine.recipe import load_recipe

    path = tmp_path / "faults.yaml"
    path.write_bytes(b"# " + b"x" * 2_000_000 + b"\n")
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    assert "at most" in caught.value.problems[0].message
