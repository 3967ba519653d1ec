"""``docs/recipe-patterns.md`` quotes real files: every YAML excerpt of a site's section must be
lines of the recipe (or test block) it names, so the doc cannot drift from what is tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "recipe-patterns.md"
SOURCES = {
    "Banka Sever": ["recipes/banka-sever.yaml", "tests/extraction/test_banka_sever_widget.py"],
    "Statement pages": ["tests/extraction/test_statement_pages.py"],
}
_FENCE = re.compile(r"```yaml\n(.*?)```", re.S)


def sections() -> dict[str, str]:
    parts = re.split(r"^## ", DOC.read_text(encoding="utf-8"), flags=re.M)[1:]
    return {part.split("\n", 1)[0]: part for part in parts}


@pytest.mark.parametrize("site", sorted(SOURCES))
def test_every_excerpt_is_quoted_from_its_source(site: str) -> None:
    section = next(text for title, text in sections().items() if title.startswith(site))
    # the test files hold YAML in Python strings: backslashes are written doubled there
    quoted = "\n".join((ROOT / p).read_text(encoding="utf-8").replace("\\\\", "\\")
                       for p in SOURCES[site])
    lines = {line.rstrip() for line in quoted.splitlines()}
    excerpts = _FENCE.findall(section)
    assert len(excerpts) >= 5
    for excerpt in excerpts:
        missing = [line for line in excerpt.splitlines() if line.strip()
                   and line.rstrip() not in lines]
        assert not missing, f"{site}: not in {SOURCES[site]}: {missing}"
