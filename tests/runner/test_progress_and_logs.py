"""Stage and account boundaries of a real sync reach the progress observer and the logs, in
order, tagged with the sync, with no secret in them; a failing observer stops nothing."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine import logs as engine_logs
from engine.runner.progress import ProgressEvent, observing
from engine.secrets import Redactor, Secret, redacting_logs
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME, build_bank
from tests.conftest import RECIPES

pytestmark = pytest.mark.browser

RECIPE = load_recipe(RECIPES / "banque-demo.yaml")


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = engine_logs.configure(logging.DEBUG, "json", stream)
    try:
        yield stream
    finally:
        logging.getLogger("engine").removeHandler(handler)


async def test_a_sync_reports_each_stage_and_account(banque_demo_url: str, engine: Engine,
                                                     json_logs: io.StringIO) -> None:
    events: list[ProgressEvent] = []
    seen_by_watcher: list[str] = []
    options = SyncOptions(base_url=banque_demo_url, progress=events.append)
    with observing(lambda e: seen_by_watcher.append(e.stage)):
        result = await engine.sync(RECIPE, {"username": DEMO_USERNAME,
                                            "password": DEMO_PASSWORD}, options)
    assert result.ok, result.error
    bank = build_bank()
    steps = [(e.stage, e.status, e.account_id) for e in events]
    assert steps[:4] == [("login", "start", None), ("login", "done", None),
                         ("accounts", "start", None), ("accounts", "done", None)]
    assert steps[-1] == ("sync", "done", None)
    per_account = [(e.stage, e.account_id, e.count) for e in events[4:-1]]
    expected = [("transactions", a.id, len(a.operations)) for a in bank.accounts]
    assert [p for p in per_account if p[0] == "transactions"] == expected
    assert [p[0] for p in per_account if p[0] == "holdings"] == ["holdings"]
    last = events[-1]
    assert (last.outcome, last.count, last.error_code) == ("ok", 4, None)
    assert {e.sync_id for e in events} == {last.sync_id} and len(last.sync_id) == 12
    assert {e.institution for e in events} == {"banque-demo"}
    assert seen_by_watcher == [e.stage for e in events]

    records = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    finished = [r for r in records if r.get("event") == "sync_finished"]
    assert len(finished) == 1
    assert finished[0]["institution"] == "banque-demo"
    assert finished[0]["sync_id"] == last.sync_id
    assert finished[0]["outcome"] == "ok" and finished[0]["duration_ms"] > 0
    stages = {r["stage"] for r in records if r.get("event") == "stage"}
    assert stages == {"login", "accounts", "transactions", "holdings"}


async def test_a_failed_sync_logs_its_code_and_a_broken_observer_stops_nothing(
        banque_demo_url: str, engine: Engine, json_logs: io.StringIO) -> None:
    def broken(event: ProgressEvent) -> None:
        raise RuntimeError("observer bug")

    result = await engine.sync(RECIPE, {"username": DEMO_USERNAME, "password": "135791"},
                               SyncOptions(base_url=banque_demo_url, progress=broken))
    assert result.error is not None and result.error.code == "invalid_credentials"
    records = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    finished = next(r for r in records if r.get("event") == "sync_finished")
    assert (finished["outcome"], finished["error_code"]) == ("failed", "invalid_credentials")
    assert any("progress observer failed" in r["message"] for r in records)
    assert "135791" not in json_logs.getvalue()


def test_records_of_child_engine_loggers_are_redacted(json_logs: io.StringIO) -> None:
    """Python applies a logger's filters only to its own records: redaction is done where
    records are made, so ``engine.sync`` and ``engine.workers`` records are covered too."""
    redactor = Redactor.for_credentials({"password": Secret("hunter2-secret")}, {"password"})
    with redacting_logs(redactor), engine_logs.sync_context(institution="x", sync_id="s1"):
        logging.getLogger("engine.sync").warning("typed %s", "hunter2-secret")
        logging.getLogger("engine.workers.lease").warning("echo hunter2-secret")
        try:
            raise ValueError("hunter2-secret")
        except ValueError:
            logging.getLogger("engine.runner.x").exception("failed")
    text = json_logs.getvalue()
    assert "hunter2-secret" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["message"] for line in lines] == ["typed ***", "echo ***", "failed"]
    assert lines[2]["exc"].endswith("ValueError: ***")
    assert {(line["institution"], line["sync_id"]) for line in lines} == {("x", "s1")}
