"""What every command shares: the options, results on stdout and logs on stderr, progress,
JSON logs an operator can aggregate (``engine stats``), exit codes, fixture locations."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from engine.cli import main
from engine.cli.common import ExitCode
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME
from tests.conftest import RECIPES, ROOT, ServerFactory

BANQUE = str(RECIPES / "banque-demo.yaml")
NO_JSON = {"worker"}
"""Runs until stopped and reports nothing: its logs take --log-format json."""


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ENGINE_")}
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd, stdin=subprocess.DEVNULL,
                          env={**clean, "COLUMNS": "120", **(env or {})})


def commands() -> dict[str, click.Command]:
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def test_every_command_has_the_shared_options_and_json() -> None:
    found = commands()
    assert {"run", "validate", "check", "replay", "canary", "drift", "audit", "fleet",
            "stats", "record", "demo", "recipes", "schema", "worker"} <= set(found)
    for name, command in found.items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose", "--log-level", "--log-format"} <= options, \
            name
        if name not in NO_JSON:
            assert "--json" in options, name


def test_results_on_stdout_logs_on_stderr() -> None:
    done = cli("validate", BANQUE, "banque-demo", "--json", "-vv")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # nothing but the JSON
    assert report["ok"] and [r["ok"] for r in report["recipes"]] == [True, True]
    broken = cli("validate", "--json", str(ROOT / "tests" / "recipe" / "nonexistent.yaml"))
    assert broken.returncode == ExitCode.USAGE


def test_a_bad_setting_is_a_usage_error_naming_it() -> None:
    done = cli("validate", BANQUE, env={"ENGINE_LOG_FORMAT": "xml"})
    assert done.returncode == ExitCode.USAGE
    assert "ENGINE_LOG_FORMAT: Input should be 'text' or 'json'" in done.stderr


@pytest.mark.browser
def test_json_logs_progress_and_stats_of_real_syncs(banque_demo_site: ServerFactory,
                                                    tmp_path: Path) -> None:
    site = banque_demo_site()
    state = {"ENGINE_STATE_KEY": "a passphrase for tests"}
    good = {**state, "ENGINE_CREDENTIAL_USERNAME": DEMO_USERNAME,
            "ENGINE_CREDENTIAL_PASSWORD": DEMO_PASSWORD}
    bad = {**good, "ENGINE_CREDENTIAL_PASSWORD": "135791"}
    common = ("run", BANQUE, "--base-url", site.url, "--state-dir", str(tmp_path / "state"),
              "--json")
    runs = [cli(*common, "--log-format", "json", "-v", env=good),
            cli(*common, "--log-format", "json", "-v", env=bad),
            cli(*common, env=good)]  # text logs: progress lines on stderr
    assert [r.returncode for r in runs] == [ExitCode.OK, ExitCode.SYNC_FAILED, ExitCode.OK]

    results, logs = tmp_path / "results", tmp_path / "engine.jsonl"
    results.mkdir()
    for index, done in enumerate(runs):
        json.loads(done.stdout)  # stdout is the SyncResult alone
        (results / f"r{index}.json").write_text(done.stdout)
    json_lines = runs[0].stderr + runs[1].stderr
    logs.write_text(json_lines)
    records = [json.loads(line) for line in json_lines.splitlines()]  # every line is JSON
    finished = [r for r in records if r.get("event") == "sync_finished"]
    assert [(r["institution"], r["outcome"], r.get("error_code")) for r in finished] == [
        ("banque-demo", "ok", None), ("banque-demo", "failed", "invalid_credentials")]
    assert all(re.fullmatch(r"[0-9a-f]{12}", r["sync_id"]) for r in finished)
    assert {r["stage"] for r in records if r.get("event") == "stage"} >= {
        "login", "accounts", "transactions"}
    assert "135791" not in json_lines

    piped = runs[2].stderr.splitlines()
    assert "banque-demo login done" in piped[0]
    assert any(re.match(r"banque-demo transactions \d+ done: \d+ transactions in", line)
               for line in piped)
    assert piped[-1].startswith("banque-demo sync ok: 4 accounts in")

    from_logs = json.loads(cli("stats", str(logs), "--json").stdout)
    from_results = json.loads(cli("stats", str(results), "--json").stdout)
    assert from_logs["institutions"] == {"banque-demo": {
        "syncs": 2, "ok": 1, "partial": 0, "failed": 1, "codes": {"invalid_credentials": 1}}}
    assert from_results["institutions"]["banque-demo"] == {
        "syncs": 3, "ok": 2, "partial": 0, "failed": 1, "codes": {"invalid_credentials": 1}}
    table = cli("stats", str(logs), str(logs))  # the same records twice count once
    assert table.returncode == 0
    assert re.search(r"banque-demo\s+2\s+1\s+0\s+1\s+invalid_credentials 1", table.stdout)
    assert cli("stats", str(tmp_path / "state")).returncode == ExitCode.USAGE  # nothing found


@pytest.mark.browser
def test_a_terminal_gets_a_live_display_and_quiet_gets_none(banque_demo_site: ServerFactory,
                                                            tmp_path: Path) -> None:
    site = banque_demo_site()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENGINE_")}
    env.update(ENGINE_STATE_KEY="k", ENGINE_CREDENTIAL_USERNAME=DEMO_USERNAME,
               ENGINE_CREDENTIAL_PASSWORD=DEMO_PASSWORD, COLUMNS="120", TERM="xterm")
    args = [sys.executable, "-m", "engine", "run", BANQUE, "--base-url", site.url,
            "--state-dir", str(tmp_path), "--json"]
    master, slave = pty.openpty()
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=slave, env=env, cwd=ROOT, timeout=180, check=False)
        os.close(slave)
        screen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            screen += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    text = screen.decode(errors="replace")
    assert "\x1b[" in text  # redrawn by rich, not plain lines
    assert "✓ banque-demo transactions" in text
    quiet = cli("run", BANQUE, "--base-url", site.url, "--state-dir", str(tmp_path), "-q",
                "--json", env={k: env[k] for k in env if k.startswith("ENGINE_")})
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_fixtures_come_from_the_current_folder_or_an_option(tmp_path: Path) -> None:
    for args in (["replay", BANQUE], ["check", BANQUE], ["audit"], ["drift", BANQUE,
                                                                     "--scenario", "normal"]):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == ExitCode.USAGE, (args, done.stderr)
        assert "no fixtures folder here" in done.stderr, done.stderr
    canary = cli("canary", cwd=tmp_path)
    assert canary.returncode == ExitCode.USAGE
    assert "no recipes folder here" in canary.stderr
    explicit = cli("check", BANQUE, "--fixtures", str(ROOT / "fixtures"), "--json",
                   cwd=tmp_path)
    assert explicit.returncode == 0, explicit.stdout[-2000:]
    assert json.loads(explicit.stdout)
    audit = cli("audit", "--json", cwd=ROOT)
    assert audit.returncode == 0 and json.loads(audit.stdout)["ok"] is True


def test_the_readme_documents_every_exit_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("Exit codes (`engine.cli.common.ExitCode`)"):]
    rows = re.findall(r"^\| (\d+) \| ", table[:table.index("\n\n", table.index("| code"))],
                      re.M)
    assert sorted(int(r) for r in rows) == sorted(int(c) for c in ExitCode)
