"""``engine drift``: a fresh recording of the live site compared with the saved one.

The saved fixture is a real recording of Banque Démo's classic layout. The "live site" is then
Banque Démo started with the redesigned layout (every element the recipe uses renamed or moved:
drift, naming the steps and selectors) or the innocuous one (banner, marketing text, footer
links reordered: no drift). The recipe is the real one with a shorter timeout on its username
step, so that missing field fails in 1.5 s instead of 10.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import main
from engine.cli.reports import drift_exit, format_drift
from engine.errors import Unavailable
from engine.harness.drift import DriftReport, compare, run_drift
from engine.harness.fixture import load_fixture
from engine.harness.record import record_scenario
from engine.models import SyncResult
from engine.recipe import load_recipe
from sites._server import ThreadedServer
from sites.banque_demo import create_app
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME
from tests.conftest import RECIPES, ServerFactory

pytestmark = pytest.mark.browser

CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")
LOGIN_BREAKS = {("login[1] fill", "#identifiant"), ("login[2] keypad", ".keypad button.key"),
                ("login[3] click", "#valider")}


def fast_recipe(folder: Path) -> Path:
    """The real Banque Démo recipe, its username step given a 1.5 s timeout: on the redesign
    that missing field fails fast instead of after 10 s. Only that step: it runs once the
    login page has loaded, so a loaded CI machine cannot make it flaky (page loads keep 10 s).
    """
    text = (RECIPES / "banque-demo.yaml").read_text(encoding="utf-8")
    step = '- fill: {css: "#identifiant", value: "{{ credentials.username }}"}'
    fast = text.replace(step, step.replace("- fill:", "- timeout: 1.5\n    fill:"))
    assert fast != text
    path = folder / "banque-demo.yaml"
    path.write_text(fast, encoding="utf-8")
    return path


async def record_layout(engine: Engine, recipe: Path, root: Path, name: str,
                        layout: str = "classic", **app_options: str) -> Path:
    """Record Banque Démo in ``layout`` as ``root/banque-demo/<name>``; the server is
    started and stopped here."""
    with ThreadedServer(create_app(layout=layout, **app_options)) as server:
        outcome = await record_scenario(recipe, CREDENTIALS, root, scenario=name,
                                        base_url=server.url, engine=engine,
                                        site={"module": "sites.banque_demo", "layout": layout})
    return outcome.fixture_dir


_RECORDED: dict[str, Path] = {}


async def shared_recording(engine: Engine, factory: pytest.TempPathFactory, name: str,
                           layout: str = "classic", **app_options: str) -> tuple[Path, Path]:
    """(recipe, scenario folder) under one fixtures root for the whole test session: each
    recording is made once, whichever module (drift, canary) asks for it first."""
    base = factory.getbasetemp() / "harness-shared"
    recipe = base / "banque-demo.yaml"
    if not recipe.exists():
        base.mkdir(parents=True, exist_ok=True)
        fast_recipe(base)
    if name not in _RECORDED:
        _RECORDED[name] = await record_layout(engine, recipe, base / "fixtures", name, layout,
                                              **app_options)
    return recipe, _RECORDED[name]


@pytest.fixture(scope="module")
async def classic(engine: Engine, tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[Path, Path]:
    recipe, folder = await shared_recording(engine, tmp_path_factory, "normal")
    assert load_fixture(folder).meta["expected_error"] is None
    return recipe, folder


@pytest.fixture(scope="module")
def recipe(classic: tuple[Path, Path]) -> Path:
    return classic[0]


@pytest.fixture(scope="module")
def saved(classic: tuple[Path, Path]) -> Path:
    return classic[1]


async def test_redesign_is_drift_naming_steps_and_selectors(
        engine: Engine, recipe: Path, saved: Path, banque_demo_site: ServerFactory) -> None:
    live = banque_demo_site(layout="redesign")
    report = await run_drift(recipe, saved, CREDENTIALS, base_url=live.url, engine=engine)
    assert report.drifted and drift_exit(report) == 1
    assert report.live_error is not None
    assert (report.live_error["step"], report.live_error["selector"]) == (
        "login[1] fill", "#identifiant")
    assert {(f.step, f.selector) for f in report.broken()} >= LOGIN_BREAKS
    text = format_drift(report)
    assert text.startswith("DRIFT: banque-demo/normal")
    assert "BROKEN  login[1] fill  #identifiant" in text
    assert "GET /connexion: matched 10 before, 0 now" in text


async def test_innocuous_changes_are_not_drift(
        engine: Engine, recipe: Path, saved: Path, banque_demo_site: ServerFactory,
        tmp_path: Path) -> None:
    live = banque_demo_site(layout="innocuous")
    report = await run_drift(recipe, saved, CREDENTIALS, base_url=live.url, engine=engine,
                             keep=tmp_path / "fresh")
    assert not report.drifted, format_drift(report)
    assert drift_exit(report) == 0 and report.live_error is None
    assert report.findings == []
    assert report.pages_compared == len(load_fixture(saved).snapshots)
    # the change was really there: a banner the saved pages never had
    assert report.fresh_dir is not None
    fresh_accounts = (report.fresh_dir / "snapshots" / "001-accounts.html").read_text()
    assert "bandeau-promo" in fresh_accounts
    assert "bandeau-promo" not in (saved / "snapshots" / "001-accounts.html").read_text()


def _edit(folder: Path, stage: str, pattern: str, replacement: str) -> None:
    for path in sorted((folder / "snapshots").glob(f"*-{stage}.html")):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, replacement, text), encoding="utf-8")


def test_snapshot_level_drift_selector_format_and_noise(saved: Path, tmp_path: Path) -> None:
    """Without a browser: a fresh recording edited as a partial redesign would edit it."""
    fresh = tmp_path / "fresh"
    shutil.copytree(saved, fresh)
    banner = '<body\\1><div class="promo">Nouveau livret à 4 %</div>'
    for stage in ("accounts", "transactions", "holdings"):
        _edit(fresh, stage, r"<body([^>]*)>", banner)           # noise: must not count
    _edit(fresh, "accounts", r'class="solde"', 'class="montant-solde"')
    for number, month in enumerate(MONTHS, start=1):  # another format the recipe accepts
        _edit(fresh, "transactions", rf">(\d\d)/{number:02d}/(\d{{4}})<", rf">\1 {month} \2<")
    _edit(fresh, "holdings", r'class="quantite">[\d,]+<', 'class="quantite">n/d<')
    recipe = load_recipe(RECIPES / "banque-demo.yaml")
    report = compare(recipe, load_fixture(saved), load_fixture(fresh), None,
                     DriftReport("banque-demo", "normal", saved))
    found = {(f.severity, f.step, f.selector) for f in report.findings}
    assert ("broken", "accounts.fields.balance", "td.solde") in found
    assert ("broken", "accounts.fields.currency", "td.solde") in found
    assert ("changed", "transactions.fields.date", "td.date") in found
    assert ("broken", "holdings.fields.quantity", "td.quantite") in found
    date = next(f for f in report.findings if f.step == "transactions.fields.date")
    assert "value format changed" in date.message and "nov." in date.message
    assert not any(f.stage == "login" for f in report.findings)
    assert all(f.step.split(".")[0] in ("accounts", "transactions", "holdings")
               for f in report.findings)


def test_cli_drift_json_exit_code(saved: Path, recipe: Path, tmp_path: Path,
                                  banque_demo_site: ServerFactory) -> None:
    """The command line: its own browser, credentials from a file, JSON out, exit 1."""
    live = banque_demo_site(layout="redesign")
    credentials = tmp_path / "credentials.yaml"
    credentials.write_text(f"username: {DEMO_USERNAME}\npassword: '{DEMO_PASSWORD}'\n")
    result = CliRunner().invoke(main, [
        "drift", str(recipe), "--scenario", "normal", "--fixtures", str(saved.parents[1]),
        "--base-url", live.url, "--credentials", str(credentials), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)  # progress lines go to stderr
    assert data["drifted"] is True
    assert {(f["step"], f["selector"]) for f in data["findings"]
                            if f["severity"] == "broken"} >= LOGIN_BREAKS


def test_live_failure_for_another_reason_is_inconclusive(saved: Path) -> None:
    """Maintenance on the live site says nothing about the recipe: exit 3, not drift."""
    live = SyncResult(institution="banque-demo", started_at=datetime.now(UTC),
                      error=Unavailable("maintenance", reason="maintenance",
                                        step="login[0] goto").info())
    recipe = load_recipe(RECIPES / "banque-demo.yaml")
    fixture = load_fixture(saved)
    report = compare(recipe, fixture, fixture, live, DriftReport("banque-demo", "normal", saved))
    assert not report.drifted and drift_exit(report) == 4
    assert report.inconclusive and "unavailable.maintenance" in report.inconclusive
