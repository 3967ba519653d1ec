"""``engine.__all__`` is the public API, exactly (as httpx tests its own), every name in it
imports, and importing the package costs nothing until a name is used."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

import engine
from engine.extras import EXTRAS, MissingExtra, missing_modules, require

PUBLIC = {
    "Account", "AccountType", "Engine", "ErrorKind", "Holding", "OtpChallenge", "Recipe",
    "RecipeError", "Secret", "SyncError", "SyncOptions", "SyncResult", "Transaction",
    "__version__", "load_recipe", "sync",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(engine.__all__) == PUBLIC
    assert len(engine.__all__) == len(PUBLIC)  # no duplicates


def test_every_name_imports_and_nothing_public_is_left_out() -> None:
    for name in engine.__all__:
        assert getattr(engine, name) is not None, name
        exec(f"from engine import {name}", {})  # noqa: S102 - the import statement itself
    public = {n for n in dir(engine) if not n.startswith("_")
              and not isinstance(getattr(engine, n), types.ModuleType)}
    assert public == PUBLIC - {"__version__"}


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = engine.Nope  # type: ignore[attr-defined]


def test_importing_the_package_imports_nothing_heavy() -> None:
    probe = ("import sys, engine, engine.errors\n"
             "heavy = [m for m in ('playwright', 'httpx', 'celery', 'flask', 'vcr', 'parsel',"
             " 'engine.api', 'engine.recipe') if m in sys.modules]\n"
             "print(heavy)\n"
             "engine.Engine\n"
             "print('playwright' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True"


def test_require_names_the_extra_and_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EXTRAS, "probe", ("json", "no_such_module_for_this_test"))
    assert missing_modules("probe") == ["no_such_module_for_this_test"]
    with pytest.raises(MissingExtra) as caught:
        require("probe", "the probe")
    assert str(caught.value) == (
        "the probe: needs the [probe] extra (no_such_module_for_this_test not installed): "
        "pip install 'bank-sync-engine[probe]'")
    assert isinstance(caught.value, ImportError)
    for extra in ("workers", "harness", "demo"):  # the dev install has them all
        require(extra, extra)
