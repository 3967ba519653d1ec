"""The ``api:`` section of the recipe language: validated like the rest, file:line:column first."""

from __future__ import annotations

import re

import pytest

from engine.errors import RecipeError
from engine.recipe import parse_recipe
from engine.recipe.schema import recipe_schema
from tests.api.conftest import RECIPE, RECIPE_PATH
from tests.conftest import RECIPES

API = RECIPE_PATH.read_text(encoding="utf-8")
BROWSER = (RECIPES / "banque-demo.yaml").read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "r.yaml")
    return [str(p) for p in caught.value.problems]


def mutate(old: str, new: str, text: str = API) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_committed_recipe_is_an_http_recipe() -> None:
    assert RECIPE.institution.id == RECIPE_PATH.stem == "api-banque-ouverte"
    assert RECIPE.institution.backend == "http" and RECIPE.login == [] and RECIPE.api
    assert API.startswith("# yaml-language-server: $schema=../engine/recipe/recipe.schema.json\n")
    assert [kind for kind, _ in RECIPE.api.rules()] == [
        "refresh", "action_required", "action_required", "blocked"]
    assert RECIPE.api.account_fields() == {"balance", "currency"}


def test_http_recipe_needs_api_and_browser_recipe_needs_login() -> None:
    no_api = API[: API.index("\napi:\n")] + API[API.index("\naccounts:\n"):]
    [problem] = problems_of(no_api)
    assert re.fullmatch(r"r\.yaml:\d+:1: api: required when institution.backend is http",
                        problem)
    no_login = BROWSER[: BROWSER.index("\nlogin:\n")] + BROWSER[BROWSER.index("\naccounts:\n"):]
    assert any(p.endswith("login: a browser recipe needs at least one login step")
               for p in problems_of(no_login))


def test_sections_of_the_other_backend_are_refused() -> None:
    with_api = BROWSER + "\napi:\n  auth: {client_id: x, grant: client_credentials}\n"
    assert problems_of(with_api) == [
        f"r.yaml:{line_of(with_api, 'api:')}:1: api: only for recipes with "
        "institution.backend: http"]
    with_login = API + "\nlogin:\n  - goto: /x\n"
    assert problems_of(with_login) == [
        f"r.yaml:{line_of(with_login, 'login:')}:1: login: http recipes have no login steps: "
        "they authenticate in api.auth"]
    with_detect = API + "\ndetect:\n  blocked: {status: [429]}\n"
    assert "not detect" in problems_of(with_detect)[0]


def test_bad_jmespath_is_located_at_its_key() -> None:
    text = mutate("tppMessages[?code=='TOKEN_EXPIRED']", "tppMessages..code")
    [problem] = problems_of(text)
    assert problem.startswith(f"r.yaml:{line_of(text, 'tppMessages..code') - 0}:")
    assert "api.detect.refresh.match: invalid JMESPath 'tppMessages..code'" in problem
    assert "at column 13" in problem


def test_misspelled_api_key_suggests_the_right_one() -> None:
    text = mutate("    authorize:\n", "    authorise:\n")
    assert f"r.yaml:{line_of(text, 'authorise:')}:5: api.auth.authorise: unknown key; did " \
           "you mean 'authorize'?" in problems_of(text)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('Consent-ID: "{{ consent.id }}"', 'Consent-ID: "{{ consent.nope }}"',
     "api.headers: Consent-ID: consent.nope is not saved by auth.consent.save (saved: id)"),
    ('Consent-ID: "{{ consent.id }}"', 'Consent-ID: "{{ account.id }}"',
     "api.headers: Consent-ID: account.* is only available in per-account blocks"),
    ('headers: {PSU-ID: "{{ credentials.psu_id }}"}', 'headers: {PSU-ID: "{{ consent.id }}"}',
     "api.auth: consent.headers.PSU-ID: consent.id does not exist before the consent is "
     "created"),
    ('"{{ credentials.client_secret }}"', '"{{ credentials.secret }}"',
     "credentials.secret is not declared under credentials"),
    ("  goto: /v1/accounts\n  format: json\n", "  goto: /v1/accounts\n",
     "accounts: http recipes read JSON answers; set format: json"),
    ("    id: {path: resourceId}", "    id: td.id",
     "accounts: fields.id: JSON rows are read with path: (JMESPath), const: or template:"),
    ("bookingStatus=both", "bookingStatus={{ consent.zz }}",
     "api: transactions.goto: consent.zz is not saved by auth.consent.save"),
    ("    grant: authorization_code\n", "    grant: client_credentials\n",
     "api.auth: authorize is only for grant authorization_code"),
    ("      save: {id: consentId}", "      save: {id: 'consentId['}",
     "api.auth.consent.save: invalid JMESPath 'consentId[': incomplete expression"),
])
def test_api_section_problems(old: str, new: str, expected: str) -> None:
    problems = problems_of(mutate(old, new))
    assert any(expected in p for p in problems), problems
    assert all(re.match(r"r\.yaml:\d+:\d+: ", p) for p in problems)


def test_consent_namespace_is_for_http_recipes_only() -> None:
    text = mutate("{{ credentials.username }}", "{{ consent.id }}", BROWSER)
    assert any("consent.* exists only in http recipes" in p for p in problems_of(text))


def test_schema_offers_the_api_section() -> None:
    schema = recipe_schema()
    assert "api" in schema["properties"]
    assert {"auth", "detect", "balances", "pending", "request_id"} <= set(
        schema["$defs"]["ApiSpec"]["properties"])
    assert "login" not in schema.get("required", [])
