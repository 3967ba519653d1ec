"""Recipe errors a person can fix: every problem on one line with file:line:column and key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import RecipeError
from engine.recipe import load_recipe, parse_recipe
from engine.recipe.schema import recipe_schema, schema_is_current

ROOT = Path(__file__).resolve().parents[2]
VALID = (ROOT / "recipes" / "banque-demo.yaml").read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(RecipeError) as caught:
        parse_recipe(text, "r.yaml")
    return [str(p) for p in caught.value.problems]


def mutate(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("path", sorted((ROOT / "recipes").glob("*.yaml")), ids=lambda p: p.name)
def test_every_committed_recipe_loads(path: Path) -> None:
    recipe = load_recipe(path)
    assert recipe.institution.id == path.stem


def test_misspelled_key_names_line_column_and_suggests() -> None:
    text = mutate("  allowed_domains:", "  allowed_domain:")
    problems = problems_of(text)
    line = line_of(text, "allowed_domain:")
    assert f"r.yaml:{line}:3: institution.allowed_domain: unknown key; did you mean " \
           "'allowed_domains'?" in problems
    assert any("institution.allowed_domains: required key is missing" in p for p in problems)


def test_step_missing_its_selector() -> None:
    text = mutate('- click: "#valider"', "- click: {optional: true}")
    [problem] = problems_of(text)
    assert re.fullmatch(rf"r\.yaml:{line_of(text, '- click: {')}:\d+: login\[3\]\.click\.css: "
                        r"required key is missing", problem)


def test_unknown_step_suggests_the_verb() -> None:
    text = mutate('- click: "#valider"', '- clik: "#valider"')
    [problem] = problems_of(text)
    assert problem == f"r.yaml:{line_of(text, '- clik')}:5: login[3]: unknown step 'clik'; " \
                      "did you mean 'click'?"


def test_wrong_type_and_bad_date_format_each_get_a_line() -> None:
    text = mutate("step: 10,", "step: soon,").replace('"%d %b %Y"', '"%d %q %Y"')
    problems = problems_of(text)
    assert len(problems) == 2, problems
    assert any("timeouts.step: Input should be a valid number" in p for p in problems)
    assert any("transactions.fields.date.parse.date[1]: bad date format '%d %q %Y'" in p
               for p in problems)


def test_template_must_name_a_declared_credential() -> None:
    text = mutate("{{ credentials.password }}", "{{ credentials.pasword }}")
    [problem] = problems_of(text)
    assert "login[2].keypad.value: credentials.pasword is not declared" in problem
    assert problem.startswith(f"r.yaml:{line_of(text, 'pasword')}:")


def test_template_syntax_beyond_placeholders_is_refused() -> None:
    text = mutate('goto: "{{ account.url }}"', 'goto: "{{ account.url | upper }}"')
    [problem] = problems_of(text)
    assert "transactions.goto" in problem and "is not a template" in problem


def test_duplicate_keys_and_yaml_syntax() -> None:
    dup = mutate("  name: Banque Démo\n", "  name: Banque Démo\n  name: Autre\n")
    assert any("institution.name: duplicate key" in p for p in problems_of(dup))
    broken = mutate("login:\n", "login:\n  - goto: [unclosed\n")
    [problem] = problems_of(broken)
    assert problem.startswith("r.yaml:") and "YAML syntax" in problem


def test_yaml_tags_are_not_executed() -> None:
    text = "institution: !!python/object/apply:os.system ['echo hacked']\n"
    problems = problems_of(text)
    assert "r.yaml:1:14: institution: YAML tag tag:yaml.org,2002:python/object/apply:os.system "\
           "is not allowed in a recipe (recipes are plain data)" in problems


def test_cli_validate_prints_one_line_per_problem_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(mutate("  allowed_domains:", "  allowed_domain:").replace(
        '- click: "#valider"', '- clik: "#valider"'), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "engine", "validate", str(bad)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 5
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 3, run.stderr
    assert all(line.startswith(f"{bad}:") for line in lines)
    assert "Traceback" not in run.stderr


def test_committed_schema_is_current_and_offers_step_verbs() -> None:
    assert schema_is_current(), "run `engine schema --write` and commit the result"
    text = str(recipe_schema())
    for verb in ("goto", "fill", "keypad", "otp", "wait_for"):
        assert f"'{verb}'" in text


def test_recipes_reference_the_schema_for_editors() -> None:
    for path in (ROOT / "recipes").glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../engine/recipe/recipe.schema.json"
