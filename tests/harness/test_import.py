"""``engine import``: pages of Harbour Credit Union saved the way a browser saves them
("Save page as… Webpage, complete": the DOM as shown, a ``saved from url`` comment, assets in
a ``_files`` folder) become a scrubbed fixture that ``engine check`` passes, in one command;
a page no stage reads fails with what was tried; a HAR and a JSON answer import too.

The pages are taken from the real site in the real browser (the "Recent" tab is filled by the
page's script on click: only the saved DOM holds those rows).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import Engine
from engine.cli import main
from engine.harness.audit import audit_paths
from engine.harness.check import check_scenario
from engine.harness.fixture import load_fixture
from engine.recipe import load_recipe
from sites._server import ThreadedServer
from sites.harbour_cu import create_app
from sites.harbour_cu.data import (
    CUSTOMER_NAME,
    DEFAULT_OTP_CODE,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    build_bank,
)
from tests.conftest import RECIPES

HERE = Path(__file__).parent
RECIPE = HERE / "recipes" / "harbour-cu.yaml"
HYBRID = RECIPES / "neobanque-hybrid.yaml"


def save_like_a_browser(html: str, url: str, folder: Path, title: str) -> Path:
    """What "Save page as… Webpage, complete" writes: the DOM with a ``saved from url``
    comment, stylesheets and scripts copied into ``<title>_files/`` and linked there."""
    files = folder / f"{title}_files"
    files.mkdir(parents=True, exist_ok=True)

    def localize(match: re.Match[str]) -> str:
        name = Path(match.group(2).split("?")[0]).name or "index"
        (files / name).write_text(f"/* saved copy of {name} */\n", encoding="utf-8")
        return f'{match.group(1)}="./{title}_files/{name}"'

    html = re.sub(r'(src|href)="(/static/[^"]+)"', localize, html)
    page = folder / f"{title}.html"
    page.write_text(f"<!-- saved from url=({len(url):04d}){url} -->\n{html}", encoding="utf-8")
    return page


@pytest.fixture(scope="module")
async def saved(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The accounts page, one account page with its Recent tab open, and the cards page."""
    folder = tmp_path_factory.mktemp("saved-pages")
    with ThreadedServer(create_app(otp_code=DEFAULT_OTP_CODE)) as site:
        browser = await engine.host.start()
        context = await browser.new_context()
        try:
            page = await context.new_page()
            await page.goto(f"{site.url}/login")
            await page.fill("[data-testid=username-input]", DEMO_USERNAME)
            await page.fill("[data-testid=password-input]", DEMO_PASSWORD)
            await page.click("[data-testid=login-submit]")
            await page.fill("[data-testid=otp-input]", DEFAULT_OTP_CODE)
            await page.click("[data-testid=otp-submit]")
            await page.goto(f"{site.url}/accounts")
            save_like_a_browser(await page.content(), page.url, folder, "Accounts")
            await page.click("text=Everyday Access")
            await page.click("[data-testid=tab-recent]")
            await page.wait_for_selector("[data-testid=txn-row]")
            save_like_a_browser(await page.content(), page.url, folder, "Everyday Access")
            await page.goto(f"{site.url}/cards")
            save_like_a_browser(await page.content(), page.url, folder.parent / "cards",
                                "Credit cards")
        finally:
            await context.close()
    return folder


def test_saved_pages_become_a_passing_fixture_in_one_command(saved: Path,
                                                             tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    result = CliRunner().invoke(main, ["import", str(RECIPE), str(saved), "--fixtures",
                                       str(fixtures), "--reference-date", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: imported 2 page(s)")
    folder = fixtures / "harbour-cu" / "imported"
    fixture = load_fixture(folder)
    assert [(s.stage, s.page_number, s.rows) for s in fixture.snapshots] == [
        ("accounts", 1, 3), ("transactions", 1, 20)]
    bank = build_bank()
    deposits = [a for a in bank.accounts if a.kind in ("checking", "savings", "deposit")]
    expected = fixture.expected or {}
    assert [(a["label"], a["balance"]) for a in expected["accounts"]] == [
        (a.name, f"{a.balance:.2f}") for a in deposits]
    everyday = deposits[0]
    assert fixture.snapshots[1].account_id == expected["accounts"][0]["id"]
    assert [(t["date"], t["amount"]) for t in expected["transactions"]] == [
        (t.date.isoformat(), f"{t.amount:.2f}") for t in everyday.transactions[:20]]
    # one command gave a fixture the check passes, with nothing personal in it
    assert check_scenario(load_recipe(RECIPE), folder).ok
    check = CliRunner().invoke(main, ["check", str(RECIPE), "--fixtures", str(fixtures)])
    assert check.exit_code == 0, check.output
    written = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())
    assert CUSTOMER_NAME not in written and CUSTOMER_NAME.split()[0] not in written
    assert audit_paths([folder], names=[CUSTOMER_NAME]) == []
    assert not (folder / "recording.har").exists()  # pages, not a recording to replay


def test_a_page_no_stage_reads_fails_naming_what_was_tried(saved: Path, tmp_path: Path) -> None:
    cards = saved.parent / "cards"
    result = CliRunner().invoke(main, ["import", str(RECIPE), str(cards), "--fixtures",
                                       str(tmp_path)])
    assert result.exit_code == 1
    assert "Credit cards.html: no stage of harbour-cu reads this html page" in result.output
    assert "accounts.each `table[data-testid=deposit-accounts] tbody tr[data-testid=" \
           "account-row]` matched 0" in result.output
    assert not (tmp_path / "harbour-cu").exists()  # nothing written


def test_a_broken_index_entry_is_a_message_not_a_traceback(saved: Path, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    CliRunner().invoke(main, ["import", str(RECIPE), str(saved), "--fixtures", str(fixtures)])
    index = fixtures / "harbour-cu" / "imported" / "snapshots" / "index.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    del entries[0]["stage"]
    index.write_text(json.dumps(entries), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(RECIPE), "--fixtures", str(fixtures)])
    assert result.exit_code == 1
    assert "snapshots/index.json entry 1: 'stage' is missing" in result.output


@pytest.fixture
def json_answers(tmp_path: Path) -> Iterator[Path]:
    """The hybrid recipe's JSON answers as an app saved them, and a HAR of the same visit."""
    source = Path(__file__).parents[2] / "fixtures" / "neobanque-hybrid" / "normal"
    folder = tmp_path / "answers"
    folder.mkdir()
    fixture = load_fixture(source)
    accounts = next(e for e in fixture.exchanges() if e["url"] == "/api/accounts"
                    and e.get("body"))
    (folder / "accounts.json").write_text(accounts["body"], encoding="utf-8")
    yield folder
    shutil.rmtree(folder)


def test_json_answers_and_a_devtools_har_import_too(json_answers: Path, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    result = CliRunner().invoke(main, ["import", str(HYBRID), str(json_answers), "--fixtures",
                                       str(fixtures), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["pages"][0].startswith("accounts page 1 (3 rows)")
    har = Path(__file__).parents[2] / "fixtures" / "neobanque-hybrid" / "normal" / \
        "recording.har"
    result = CliRunner().invoke(main, ["import", str(HYBRID), str(har), "--fixtures",
                                       str(fixtures), "--scenario", "from-har"])
    assert result.exit_code == 0, result.output
    fixture = load_fixture(fixtures / "neobanque-hybrid" / "from-har")
    stages = [(s.stage, s.account_id, s.page_number) for s in fixture.snapshots]
    assert stages[0] == ("accounts", None, 1)
    assert ("transactions", "acc_9b751151", 4) in stages  # pages ordered by their cursors
    assert len(fixture.expected["transactions"]) == 100  # type: ignore[index]
