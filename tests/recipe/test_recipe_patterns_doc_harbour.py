"""``docs/recipe-patterns.md`` shows real recipes: every excerpt must still be in its recipe.

In the sections checked here (Harbour Credit Union's) an excerpt starts with a
``# recipes/<file>.yaml`` line; its other lines must appear in that file consecutively and in
order (indentation aside), so a recipe edit that the documentation does not follow fails here
rather than misleading the next author.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import RECIPES, ROOT

DOC = ROOT / "docs" / "recipe-patterns.md"
_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)
CHECKED = ("## Harbour Credit Union",)


def sections() -> str:
    """The text of the checked sections (each up to the next second-level heading)."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"(?m)^(?=## )", text)
    return "".join(p for p in parts if p.startswith(CHECKED))


def excerpts() -> list[tuple[str, list[str]]]:
    found = []
    for block in _BLOCK.findall(sections()):
        first, *lines = block.splitlines()
        match = re.fullmatch(r"# recipes/([a-z0-9-]+\.yaml)", first.strip())
        assert match, f"an excerpt must name its recipe first: {first!r}"
        found.append((match.group(1), [line.strip() for line in lines if line.strip()]))
    return found


@pytest.mark.parametrize(("recipe", "lines"), excerpts(),
                         ids=[f"{r}:{lines[0][:30]}" for r, lines in excerpts()])
def test_each_excerpt_is_in_its_recipe(recipe: str, lines: list[str]) -> None:
    source = [line.strip() for line in (RECIPES / recipe).read_text().splitlines()]
    assert any(source[i:i + len(lines)] == lines for i in range(len(source))), (recipe, lines)


def test_every_harbour_recipe_is_shown() -> None:
    assert {recipe for recipe, _ in excerpts()} >= {
        "harbour-cu.yaml", "harbour-cu-search.yaml", "harbour-cu-ofx.yaml"}
