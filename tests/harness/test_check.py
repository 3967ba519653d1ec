"""``engine check``: the recipe's extraction over saved snapshots, with no browser at all.

The fixture here is built in a temporary folder from Banque Démo's real pages, fetched through
Flask's test client (milliseconds, no socket, no Chromium), in the on-disk format
``engine record`` writes. Then the snapshots are edited the way a site redesign would edit
them, and the check must name the recipe selector that broke.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from parsel import Selector

from engine.cli import main
from engine.cli.reports import check_command
from engine.extraction.records import extract_list
from engine.harness.check import check_scenario
from engine.recipe import Recipe, load_recipe
from sites.banque_demo import create_app
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME, REFERENCE_DATE
from tests.conftest import RECIPES

RECIPE_PATH = RECIPES / "banque-demo.yaml"
RECIPE = load_recipe(RECIPE_PATH)


def _login(client: FlaskClient) -> None:
    page = Selector(client.get("/connexion").get_data(as_text=True))
    tokens = {k.css("::text").get(): k.attrib["data-key"]
              for k in page.css("div.keypad button.key")}
    client.post("/connexion", data={
        "csrf_token": page.css("input[name=csrf_token]::attr(value)").get(),
        "identifiant": DEMO_USERNAME, "code_secret": ",".join(tokens[d] for d in DEMO_PASSWORD)})


def build_fixture(root: Path, recipe: Recipe = RECIPE, scenario: str = "normal") -> Path:
    """A scenario folder as ``engine record`` writes it: accounts, two history pages (one per
    date format), the holdings page; counts in index.json from the recipe at 'record' time."""
    client = create_app().test_client()
    _login(client)
    folder = root / recipe.institution.id / scenario
    (folder / "snapshots").mkdir(parents=True)
    comptes = client.get("/comptes").get_data(as_text=True)
    accounts = extract_list(comptes, recipe.accounts, reference=REFERENCE_DATE).records
    by_type = {a["type"]: a for a in accounts}
    pages = [("accounts", None, "/comptes", comptes)]
    for kind in ("checking", "card"):
        url = by_type[kind]["url"]
        pages.append(("transactions", by_type[kind]["id"], url,
                      client.get(url).get_data(as_text=True)))
    pea = by_type["pea"]["id"]
    pages.append(("holdings", pea, f"/compte/{pea}/titres",
                  client.get(f"/compte/{pea}/titres").get_data(as_text=True)))
    index = []
    for number, (stage, account_id, url, html) in enumerate(pages, start=1):
        name = f"{number:03d}-{stage}.html"
        (folder / "snapshots" / name).write_text(html, encoding="utf-8")
        block = getattr(recipe, stage)
        done = extract_list(html, block, {"account": {"id": account_id or ""}},
                            reference=REFERENCE_DATE)
        index.append({"file": name, "stage": stage, "account_id": account_id, "page_number": 1,
                      "url": url, "rows": done.rows,
                      "fields": {k: v.matched for k, v in done.fields.items()}})
    (folder / "snapshots" / "index.json").write_text(json.dumps(index), encoding="utf-8")
    (folder / "meta.json").write_text(json.dumps({
        "institution": recipe.institution.id, "scenario": scenario, "kind": "browser",
        "recorded_at": "2026-11-20T10:00:00+00:00", "reference_date": "2026-11-20",
        "recipe_hash": "test", "engine_version": "test", "base_url": "http://127.0.0.1:1",
        "credentials": {"username": "<username>", "password": "<password>"},
        "expected_error": None}), encoding="utf-8")
    return folder


def edit_snapshot(folder: Path, stage: str, old: str, new: str) -> None:
    path = sorted((folder / "snapshots").glob(f"*-{stage}.html"))[0]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    return build_fixture(tmp_path / "fixtures")


def test_untouched_fixture_passes(fixture_dir: Path) -> None:
    result = check_scenario(RECIPE, fixture_dir)
    assert result.ok, [s.broken for s in result.snapshots]
    totals = {t.name: t for t in result.totals()}
    assert totals["accounts.each"].recorded == totals["accounts.each"].now == 4
    assert totals["transactions.fields.date"].now == totals["transactions.fields.date"].recorded
    assert totals["holdings.fields.valuation"].now > 0
    assert all(t.unparsable == 0 for t in totals.values())


def test_renamed_class_fails_naming_the_selector(fixture_dir: Path) -> None:
    edit_snapshot(fixture_dir, "accounts", 'class="solde"', 'class="montant-solde"')
    result = check_scenario(RECIPE, fixture_dir)
    assert not result.ok
    [snapshot] = result.failures()
    assert snapshot.stage == "accounts"
    broken = {b.name: b for b in snapshot.broken}
    assert set(broken) == {"accounts.fields.balance", "accounts.fields.currency"}
    assert broken["accounts.fields.balance"].selector == "td.solde"
    assert broken["accounts.fields.balance"].reason == "matched 4 at recording, 0 now"


def test_renamed_row_class_and_changed_date_format(fixture_dir: Path) -> None:
    edit_snapshot(fixture_dir, "holdings", 'class="titre"', 'class="ligne-titre"')
    path = sorted((fixture_dir / "snapshots").glob("*-transactions.html"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("/2026</td>", "-2026</td>"), encoding="utf-8")
    result = check_scenario(RECIPE, fixture_dir)
    broken = {(b.name, b.selector): b for s in result.failures() for b in s.broken}
    assert ("holdings.each", "table.titres tbody tr.titre") in broken
    date = broken[("transactions.fields.date", "td.date")]
    assert date.unparsable > 0 and "unparsable" in date.reason


def test_cli_exit_codes_output_and_timing(fixture_dir: Path) -> None:
    runner = CliRunner()
    root = str(fixture_dir.parents[1])
    ok = runner.invoke(main, ["check", str(RECIPE_PATH), "--fixtures", root])
    assert ok.exit_code == 0, ok.output
    assert "table#comptes tbody tr.compte" in ok.output and "no browser, no network" in ok.output
    edit_snapshot(fixture_dir, "accounts", 'class="solde"', 'class="montant-solde"')
    started = time.perf_counter()
    bad = runner.invoke(check_command, [str(RECIPE_PATH), "--fixtures", root])
    elapsed = time.perf_counter() - started
    assert bad.exit_code == 1
    assert bad.output.startswith("BROKEN banque-demo/normal: accounts.fields.balance `td.solde` "
                                 "matched 4 at recording, 0 now on accounts page 1 (/comptes")
    assert elapsed < 2.0, f"check took {elapsed:.2f} s: too slow for a pre-commit hook"
    as_json = json.loads(runner.invoke(check_command, [str(RECIPE_PATH), "--fixtures", root,
                                                       "--json"]).output)
    assert as_json["ok"] is False
    assert as_json["scenarios"][0]["failures"][0]["broken"][0]["selector"] == "td.solde"


def test_invalid_recipe_exits_recipe_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(RECIPE_PATH.read_text(encoding="utf-8").replace("each:", "eech:", 1))
    result = CliRunner().invoke(check_command, [str(bad), "--fixtures", str(tmp_path)])
    assert result.exit_code == 5
