"""A fuzz run of malformed recipes: every one is refused with located lines, none crashes.

Mutations of the committed recipes (deleted, duplicated, re-indented and truncated lines;
scalars replaced by hostile values; random bytes; YAML anchors and aliases; invalid UTF-8),
deterministic from a seed so a failure reproduces. The loader must answer each with
``RecipeError`` whose every problem has a file, a line and a column — or accept it — within a
bounded time, never a Python traceback. A sample also goes through ``engine validate``.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.errors import RecipeError, RecipeProblem
from engine.recipe.loader import decode, parse_recipe
from tests.conftest import RECIPES

HOSTILE_VALUES = [
    "null", "~", "1e999", ".inf", "-.nan", "true", "0x1F", "'{{'", "'}}'", "'{{ x.y }}'",
    "'tr.compte[['", "'tr:has(td'", "'(.+)+#$'", "'[?'", "'concat('", "'td[1'", "[]", "{}",
    "[[[[[]]]]]", "'javascript:alert(1)'", "'file:///etc/passwd'", "'*'", "''",
    "'" + "x" * 30_000 + "'", "!!binary aGVsbG8=", "!!python/object:os.system {}", "*missing",
    "&a [*a]", "2026-13-45", "'\\u0000'", "-1", "99999999999999999999999999", "'\\t'",
]


def _mutations(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    kind = rng.randrange(9)
    i = rng.randrange(len(lines))
    if kind == 0:
        del lines[i]
    elif kind == 1:
        lines.insert(i, lines[rng.randrange(len(lines))])
    elif kind == 2:
        lines[i] = " " * rng.randrange(1, 7) + lines[i]
    elif kind == 3:
        lines = lines[: rng.randrange(1, max(2, len(lines)))]
    elif kind == 4 and ":" in lines[i]:
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {rng.choice(HOSTILE_VALUES)}"
    elif kind == 5:
        cut = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:cut] + rng.choice("{}[]:,&*!|>'\"%@`#\t-?") + lines[i][cut:]
    elif kind == 6:
        lines[i] = lines[i].replace(":", "", 1)
    elif kind == 7:
        lines.insert(i, f"x{i}: &anchor{i} [" + ", ".join([f"*anchor{i}"] * 3) + "]")
    else:
        lines[i] = "".join(rng.choice([c, c.upper(), c * 2, ""]) for c in lines[i])
    return "\n".join(lines) + "\n"


def _corpus(count: int, seed: int = 20261201) -> list[str]:
    rng = random.Random(seed)
    sources = [p.read_text(encoding="utf-8") for p in sorted(RECIPES.glob("*.yaml"))]
    out = []
    for _ in range(count):
        text = rng.choice(sources)
        for _ in range(rng.randrange(1, 4)):
            text = _mutations(text, rng)
        out.append(text)
    return out


def _problems(text: str, file: str) -> list[RecipeProblem] | None:
    """The loader's problems, or None when it accepts the text."""
    try:
        parse_recipe(text, file)
    except RecipeError as exc:
        return exc.problems
    return None


def test_a_thousand_malformed_recipes_give_no_traceback() -> None:
    corpus = _corpus(1200)
    started = time.monotonic()
    refused = 0
    for index, text in enumerate(corpus):
        one = time.monotonic()
        problems = _problems(text, f"fuzz/{index}.yaml")
        if problems is not None:
            refused += 1
            assert problems, index
            for problem in problems:
                assert problem.file == f"fuzz/{index}.yaml"
                assert problem.line >= 1 and problem.column >= 1, (index, str(problem))
                assert "Traceback" not in problem.message
        assert time.monotonic() - one < 2.0, f"mutation {index} took too long"
    assert refused > 900  # almost every mutation breaks something
    assert time.monotonic() - started < 90


@pytest.mark.parametrize("data", [b"\xff\xfe\x00i\x00n", b"institution:\n  id: \xc3\x28\n",
                                  b"\xef\xbb\xbf\xef\xbb\xbfa: 1\n"])
def test_bytes_that_are_not_utf8_are_located(data: bytes) -> None:
    try:
        problems = _problems(decode(data, "x.yaml"), "x.yaml")
    except RecipeError as exc:
        problems = exc.problems
    assert problems is None or all(p.line >= 1 and p.column >= 1 for p in problems)


def test_engine_validate_on_a_sample_prints_lines_not_tracebacks(tmp_path: Path) -> None:
    paths = []
    for index, text in enumerate(_corpus(40, seed=7)):
        path = tmp_path / f"fuzz{index}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-m", "engine", "validate", *paths],
                          capture_output=True, text=True, timeout=60, check=False)
    assert "Traceback" not in done.stderr + done.stdout
    for line in done.stderr.splitlines():
        assert line.split(":")[0].endswith(".yaml") and line.split(":")[1].isdigit(), line
