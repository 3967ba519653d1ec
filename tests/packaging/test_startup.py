"""``engine --version`` and ``engine validate`` start fast because they import only what they
use: checked by what is in ``sys.modules`` afterwards (timings on a shared machine are noise;
the modules are not)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import RECIPES

HEAVY = ("playwright", "httpx", "celery", "redis", "kombu", "flask", "vcr", "parsel", "lxml",
         "babel", "pydantic", "rich", "yaml", "cryptography", "engine.api", "engine.recipe",
         "engine.runner", "engine.backends", "engine.harness", "engine.workers")


def loaded_after(*argv: str) -> set[str]:
    probe = ("import json, sys\n"
             f"sys.argv = ['engine', *{list(argv)!r}]\n"
             "from engine.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, stdin=subprocess.DEVNULL)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_version_imports_click_and_nothing_else_of_weight() -> None:
    assert loaded_after("--version") == set()


def test_validate_loads_the_recipe_models_but_no_backend() -> None:
    loaded = loaded_after("validate", str(RECIPES / "banque-demo.yaml"))
    assert {"pydantic", "engine.recipe"} <= loaded
    assert not loaded & {"playwright", "httpx", "celery", "flask", "vcr", "engine.api",
                         "engine.backends", "engine.runner", "engine.harness"}
