"""``engine canary``: check + replay of every scenario, JUnit XML, and the HTML report.

How the redesign reaches the canary: the canary replays *recordings*, so a site change shows
up in CI once a recording of the changed site exists — which is what a scheduled re-record
job produces. The fixtures root here models that job's output:

- ``normal``: Banque Démo, classic layout (last known good).
- ``maintenance``: classic, site in maintenance; ``expected_error`` is kept (the canary must
  pass it because the replay classifies it the same way).
- ``site-redesign``: re-recorded from the *redesigned* site with the current recipe. The job
  keeps the expectations of the last known-good recording (``expected.json`` of ``normal``,
  ``expected_error`` null): the customer's data did not change, only the site did. Replay
  must fail, naming the login step and selector, with screenshot, DOM and diff.
- ``site-innocuous``: re-recorded from the innocuous variant (banner, marketing text, footer
  links reordered), same expectations: must pass.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import main
from engine.harness.canary import CanaryReport, run_canary
from engine.harness.junit import write_junit
from engine.harness.report import dom_fragment, write_html
from tests.harness.test_drift import shared_recording

pytestmark = pytest.mark.browser


def _expect_like(folder: Path, good: Path) -> None:
    """What the re-record job does: keep the last known-good expectations."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta["expected_error"] = None
    (folder / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    shutil.copyfile(good / "expected.json", folder / "expected.json")


@pytest.fixture(scope="module")
async def fixtures(engine: Engine, tmp_path_factory: pytest.TempPathFactory
                   ) -> tuple[Path, Path]:
    """(recipe, fixtures root) with the four scenarios described above."""
    recorded = await asyncio.gather(  # concurrently: one browser, one context each
        shared_recording(engine, tmp_path_factory, "normal"),
        shared_recording(engine, tmp_path_factory, "maintenance", scenario="maint"),
        shared_recording(engine, tmp_path_factory, "site-redesign", "redesign"),
        shared_recording(engine, tmp_path_factory, "site-innocuous", "innocuous"))
    recipe = recorded[0][0]
    normal, maintenance, redesign, innocuous = (folder for _, folder in recorded)
    assert json.loads((maintenance / "meta.json").read_text())["expected_error"] == \
        "unavailable.maintenance"
    for folder in (redesign, innocuous):
        _expect_like(folder, normal)
    return recipe, normal.parents[1]


@pytest.fixture(scope="module")
async def report(engine: Engine, fixtures: tuple[Path, Path]) -> CanaryReport:
    recipe, root = fixtures
    return await run_canary([recipe], root, engine=engine, jobs=4)


def test_outcomes_name_the_broken_step_and_selector(report: CanaryReport) -> None:
    outcomes = {o.scenario: o for o in report.outcomes}
    assert set(outcomes) == {"normal", "maintenance", "site-redesign", "site-innocuous"}
    assert not report.ok
    for name in ("normal", "maintenance", "site-innocuous"):
        assert outcomes[name].passed, (name, outcomes[name].failures)
    assert outcomes["maintenance"].actual_error == "unavailable.maintenance"
    broken = outcomes["site-redesign"]
    assert not broken.passed
    first = broken.failures[0]
    assert (first.step, first.selector, first.code) == (
        "login[1] fill", "#identifiant", "recipe_broken.element_missing")
    assert any(d.path == "len(accounts)" and (d.expected, d.actual) == (4, 0)
               for d in broken.diffs)
    assert broken.screenshot is not None and broken.screenshot.startswith(b"\x89PNG")
    assert broken.dom_fragment is not None and 'name="username"' in broken.dom_fragment
    assert broken.dom_source == "the page's forms (login step)"
    assert all(o.check_ms < 2000 for o in report.outcomes)


def test_junit_xml_has_one_case_per_scenario_and_the_right_failure(
        report: CanaryReport, tmp_path: Path) -> None:
    tree = ET.parse(write_junit(report, tmp_path / "canary.xml"))  # noqa: S314 - our own file
    root = tree.getroot()
    assert root.tag == "testsuites" and root.get("failures") == "1"
    [suite] = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "banque-demo", "4", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"normal", "maintenance", "site-redesign", "site-innocuous"}
    assert all(cases[n].find("failure") is None
               for n in ("normal", "maintenance", "site-innocuous"))
    failure = cases["site-redesign"].find("failure")
    assert failure is not None
    assert failure.get("type") == "recipe_broken.element_missing"
    assert failure.get("message", "").startswith(
        "error recipe_broken.element_missing at step login[1] fill, selector #identifiant")
    assert "len(accounts): expected 4, actual 0" in (failure.text or "")


async def test_html_report_shows_the_failing_page_in_a_real_browser(
        report: CanaryReport, engine: Engine, tmp_path: Path) -> None:
    html_file = write_html(report, tmp_path / "canary.html")
    browser = await engine.host.start()  # the suite's one Chromium (system binary, LAUNCH_ARGS)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    try:
        page = await context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        await page.goto(html_file.as_uri())
        section = page.locator("section#banque-demo-site-redesign")
        image = section.locator("img.screenshot")
        assert await image.count() == 1
        await image.scroll_into_view_if_needed()
        assert await image.is_visible()
        size = await image.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
        assert size[0] is True and size[1] > 0 and size[2] > 0
        assert await page.locator("section.passed img").count() == 0
        text = await section.inner_text()
        assert "login[1] fill" in text and "#identifiant" in text
        assert "len(accounts)" in text and 'name="username"' in text
        assert await page.locator('input[name="username"]').count() == 0  # escaped, not live
        await page.screenshot(path=str(tmp_path / "report.png"))  # proof that it renders
        await section.screenshot(path=str(tmp_path / "failing-section.png"))
    finally:
        await context.close()
    assert (tmp_path / "report.png").stat().st_size > 20_000
    assert (tmp_path / "failing-section.png").stat().st_size > 20_000
    assert requests and all(url.startswith(("file:", "data:")) for url in requests), requests


def test_cli_exit_codes_progress_lines_and_files(fixtures: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    recipe, root = fixtures
    small = tmp_path / "fixtures" / "banque-demo"
    for name in ("maintenance", "site-redesign"):
        shutil.copytree(root / "banque-demo" / name, small / name)
    runner = CliRunner()
    broken = runner.invoke(main, ["canary", str(recipe), "--fixtures", str(small.parent),
                                  "--junit", str(tmp_path / "j.xml"),
                                  "--html", str(tmp_path / "r.html")])
    assert broken.exit_code == 1, broken.output
    assert "PASS banque-demo/maintenance" in broken.output
    assert ("FAIL banque-demo/site-redesign" in broken.output
            and "step login[1] fill, selector #identifiant" in broken.output)
    assert (tmp_path / "j.xml").exists() and (tmp_path / "r.html").exists()
    missing = runner.invoke(main, ["canary", str(recipe), "--fixtures", str(tmp_path / "none")])
    assert missing.exit_code == 2, missing.output  # a folder that does not exist: usage
    (tmp_path / "empty").mkdir()
    nothing = runner.invoke(main, ["canary", str(recipe), "--fixtures", str(tmp_path / "empty")])
    assert nothing.exit_code == 1, nothing.output  # "ok: 0 passed" would be a green CI run
    assert f"SKIP {recipe}: no recorded scenario" in nothing.output
    assert "nothing was checked" in nothing.output


def test_dom_fragment_is_the_nearest_region_that_still_exists() -> None:
    page = ("<html><body><header>logo</header><main><table id='comptes'><tbody>"
            "<tr class='account'><td class='libelle'>Compte</td></tr></tbody></table>"
            "</main></body></html>")
    fragment, source = dom_fragment(page, "table#comptes tbody tr.compte")
    assert source.endswith(": table#comptes tbody")
    assert fragment.startswith("<tbody>") and "tr class=\"account\"" in fragment
    fragment, source = dom_fragment(page, "td.solde", row_selector="table#comptes tbody tr")
    assert source.startswith("first row of") and fragment.startswith("<tr")
    fragment, source = dom_fragment(page, "div.gone::text")
    assert source == "the page's <main>" and "logo" not in fragment
