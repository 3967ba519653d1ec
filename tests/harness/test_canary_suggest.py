"""``engine canary --suggest``: a scenario that fails on a renamed element gets, under its
failure, the patch of the recipe that reads the recording right again; a passing scenario gets
none. The recording is a copy of the committed Banque Démo one with the amount cells' class
renamed in every page and answer, as a site redesign would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.conftest import RECIPES
from tests.harness.test_check_real_world_patterns import copy, edit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("canary-suggest")
    copy(root, "banque-demo/normal")
    folder = copy(root, "banque-demo/otp")
    edit(folder, r'class="montant', 'class="valeur', recording=True)
    return root


def test_the_canary_attaches_a_verified_patch_to_the_failing_scenario(renamed: Path) -> None:
    result = CliRunner().invoke(main, ["canary", str(RECIPES / "banque-demo.yaml"),
                                       "--fixtures", str(renamed), "--suggest", "--json"])
    assert result.exit_code == 1, result.output
    outcomes = {o["scenario"]: o for o in json.loads(result.output)["outcomes"]}
    assert outcomes["banque-demo/normal"]["passed"] is True
    assert outcomes["banque-demo/normal"]["suggestion"] is None
    broken = outcomes["banque-demo/otp"]
    assert broken["passed"] is False and "td.montant" in broken["headline"]
    patch = broken["suggestion"]
    assert "-    amount: {css: td.montant" in patch and "+    amount: {css: td.valeur" in patch


def test_without_the_flag_the_canary_proposes_nothing(renamed: Path) -> None:
    result = CliRunner().invoke(main, ["canary", str(RECIPES / "banque-demo.yaml"),
                                       "--fixtures", str(renamed)])
    assert result.exit_code == 1
    assert "FAIL banque-demo/otp" in result.output and "suggested patch" not in result.output
