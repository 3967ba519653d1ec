"""Record Banque Démo live, stop it, replay offline: same result, no connection attempted;
a missing recording is refused and reported; a recipe_broken run saved with --save-fixture
reproduces offline. Real Chromium (one for the module), real demo site on an ephemeral port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

import pytest
from parsel import Selector

from engine import Engine
from engine.harness.audit import audit_paths
from engine.harness.compare import compare_results
from engine.harness.fixture import load_fixture, result_view
from engine.harness.har import write_exchanges
from engine.harness.record import RecordOutcome, record_scenario
from engine.harness.replay import diff_results, format_outcome, replay_scenario
from sites._server import ThreadedServer
from sites.banque_demo import create_app
from sites.banque_demo.data import CUSTOMER_NAME, DEMO_PASSWORD, DEMO_USERNAME
from tests.conftest import RECIPES, ROOT

RECIPE = RECIPES / "banque-demo.yaml"
CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
CHECKING = "40001234567"


class ConnectionCounter:
    """Listens where the live site was and counts every connection made to it."""

    def __init__(self, port: int) -> None:
        self.count = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.count += 1
            conn.close()

    def __enter__(self) -> ConnectionCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


@dataclass
class Recorded:
    outcome: RecordOutcome
    port: int


@pytest.fixture(scope="module")
async def recorded(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    root = tmp_path_factory.mktemp("fixtures")
    with ThreadedServer(create_app()) as site:
        outcome = await record_scenario(RECIPE, CREDENTIALS, root, scenario="normal",
                                        base_url=site.url, engine=engine)
        port = urlsplit(site.url).port
    assert port is not None
    return Recorded(outcome, port)


@pytest.mark.browser
async def test_replay_offline_gives_the_recorded_result_without_any_connection(
        recorded: Recorded, engine: Engine) -> None:
    live = recorded.outcome.result
    assert live.ok and len(live.transactions) == 185
    with ConnectionCounter(recorded.port) as counter:  # the site is gone; we listen instead
        replayed = await replay_scenario(RECIPE, recorded.outcome.fixture_dir, engine=engine)
    assert replayed.ok, format_outcome(replayed)
    assert counter.count == 0, "replay tried to reach the live site"
    assert replayed.unmatched_requests == [] and replayed.diffs == []
    got, want = result_view(replayed.result), result_view(live)
    for key in ("accounts", "holdings"):
        assert got[key] == want[key]
    assert [(t["date"], t["amount"], t["label"]) for t in got["transactions"]] == [
        (t["date"], t["amount"], t["label"]) for t in want["transactions"]]
    assert replayed.screenshot is not None and replayed.screenshot.startswith(b"\x89PNG")


@pytest.mark.browser
async def test_a_request_missing_from_the_recording_is_refused_and_reported(
        recorded: Recorded, engine: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "banque-demo" / "normal"
    shutil.copytree(recorded.outcome.fixture_dir, folder)
    fixture = load_fixture(folder)
    exchanges = fixture.exchanges()
    wanted = f"/compte/{CHECKING}/operations?page=6"
    kept = [e for e in exchanges if e["url"] != wanted]
    assert len(kept) < len(exchanges)
    write_exchanges(folder, kept, fixture.meta["base_url"])
    with ConnectionCounter(recorded.port) as counter:
        replayed = await replay_scenario(RECIPE, folder, engine=engine)
    assert counter.count == 0
    assert not replayed.ok
    assert f"GET {wanted}" in replayed.unmatched_requests
    assert any(d.path == "account_failures[0].account_id" or d.path.startswith("len(")
               for d in replayed.diffs), replayed.diffs


@pytest.mark.browser
def test_the_recording_on_disk_holds_no_secret_and_its_keypad_types_the_placeholder(
        recorded: Recorded) -> None:
    folder = recorded.outcome.fixture_dir
    fixture = load_fixture(folder)
    assert fixture.meta["base_url"].endswith(f":{recorded.port}")
    placeholder = fixture.meta["credentials"]["password"]
    assert placeholder.isdigit() and len(placeholder) == 6 and placeholder != DEMO_PASSWORD
    findings = audit_paths([folder], secrets=[DEMO_PASSWORD, "demo"],
                           names=[CUSTOMER_NAME.removeprefix("M. ")])
    assert findings == []
    exchanges = fixture.exchanges()
    login = next(e for e in exchanges if e["method"] == "GET" and e["url"] == "/connexion")
    post = next(e for e in exchanges if e["method"] == "POST" and e["url"] == "/connexion")
    labels = {b.attrib["data-key"]: b.xpath("string()").get()
              for b in Selector(text=login["body"]).css(".keypad button.key")}
    tokens = dict(parse_qsl(post["post_data"]))["code_secret"].split(",")
    assert "".join(labels[t] for t in tokens) == placeholder
    assert all("set-cookie" not in e["headers"] for e in exchanges)
    index = [s.file for s in fixture.snapshots]
    assert index[0] == "001-accounts.html" and len(index) == 12
    assert (folder / "screenshots" / "001-accounts.png").exists()
    assert fixture.snapshots[0].rows == 4 and fixture.snapshots[0].fields["number_masked"] == 4


def _tx(n: int, amount: str, label: str = "CB") -> dict[str, object]:
    return {"id": f"t{n}-{amount}", "account_id": "A", "date": f"2026-11-{n:02d}",
            "label": f"{label} {n}", "raw_label": f"{label} {n}", "amount": amount}


def test_results_are_compared_by_identity_not_position() -> None:
    history = [_tx(n, f"-{n}.50") for n in range(1, 29)]
    expected = {"institution": "x", "started_at": "a", "accounts": [], "transactions": history}
    inserted = {**expected, "started_at": "b",
                "transactions": [_tx(29, "-1.00", "NEW"), *history]}
    comparison = compare_results(expected, inserted)
    assert [(c.kind, c.key) for c in comparison.changes] == [("added", "t29--1.00")]
    assert comparison.summary().startswith("transactions: 1 added (28 expected, 29 now)")
    # a changed amount changes an engine-made id: still one item, changed, not removed+added
    changed = [dict(t) for t in history]
    changed[3] = {**changed[3], "amount": "4.50", "id": "other"}
    del changed[10]
    comparison = compare_results(expected, {**expected, "transactions": changed})
    assert sorted(c.kind for c in comparison.changes) == ["changed", "removed"]
    [change] = comparison.of("transactions", "changed")
    assert str(change.fields[0]) == "amount: expected -4.50, got 4.50"
    assert comparison.first() == ('transaction 2026-11-04 "CB 4" -4.50 of account A changed: '
                                  "amount: expected -4.50, got 4.50")
    assert [d.path for d in diff_results(expected, {**expected, "transactions": changed})] == [
        "len(transactions)", "transactions[t4--4.50].amount", "transactions[t11--11.50]"]
    assert diff_results({"url": "/compte/***/ops"}, {"url": "/compte/40001234567/ops"}) == []


def test_a_refused_foreign_host_is_a_note_unless_the_result_differs() -> None:
    warning = "refused requests to hosts outside allowed_domains: https://stats.example/t.js"
    expected = {"institution": "x", "warnings": [], "transactions": [_tx(1, "-1.00")]}
    same = compare_results(expected, {**expected, "warnings": [warning]})
    assert same.same and same.notes and "stats.example" in same.notes[0]
    worse = compare_results(expected, {**expected, "warnings": [warning], "transactions": []})
    assert not worse.same and "refused (the recipe may need it): stats.example" in \
        worse.summary()


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, stdin=subprocess.DEVNULL,
                          env={**os.environ, "ENGINE_STATE_KEY": "a passphrase for tests",
                               "COLUMNS": "120"})


@pytest.fixture
def broken_recipe(tmp_path: Path) -> Path:
    text = RECIPE.read_text().replace('each: "table#comptes tbody tr.compte"',
                                      'each: "table#comptes tbody tr.account"')
    path = tmp_path / "banque-demo.yaml"
    path.write_text(text)
    return path


@pytest.mark.browser
def test_a_recipe_broken_run_saved_as_fixture_reproduces_offline(
        broken_recipe: Path, tmp_path: Path) -> None:
    creds = tmp_path / "creds.yaml"
    creds.write_text(f"username: {DEMO_USERNAME}\npassword: '{DEMO_PASSWORD}'\n")
    fixtures = tmp_path / "fixtures"
    with ThreadedServer(create_app()) as site:
        run = cli("run", str(broken_recipe), "--credentials", str(creds), "--base-url", site.url,
                  "--state-dir", str(tmp_path / "state"), "--save-fixture", "broken",
                  "--fixtures", str(fixtures), "--json")
    assert run.returncode == 4, run.stderr
    assert json.loads(run.stdout)["error"]["code"] == "recipe_broken.no_rows"
    meta = json.loads((fixtures / "banque-demo" / "broken" / "meta.json").read_text())
    assert meta["expected_error"] == "recipe_broken.no_rows"
    assert (fixtures / "banque-demo" / "broken" / "screenshots" / "final.png").exists()
    assert audit_paths([fixtures], secrets=[DEMO_PASSWORD]) == []
    # the site is stopped: the author reproduces the failure offline...
    again = cli("replay", str(broken_recipe), "--scenario", "broken", "--fixtures", str(fixtures))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "PASS banque-demo/broken (error recipe_broken.no_rows)" in again.stdout
    # ...and the fixed recipe gets past it (then needs pages this recording never saw)
    fixed = cli("replay", str(RECIPE), "--scenario", "broken", "--fixtures", str(fixtures))
    assert fixed.returncode == 1
    assert "error: expected" in fixed.stdout and "not in the recording (refused): GET /compte/" \
        in fixed.stdout
