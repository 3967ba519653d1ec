"""The command line as a person and a program use it (real subprocesses, real browser)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RECIPES, ROOT, ServerFactory

BANQUE = str(RECIPES / "banque-demo.yaml")


def cli(*args: str, env: dict[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "120", **(env or {})})


@pytest.mark.browser
def test_run_prints_a_readable_summary(banque_demo_site: ServerFactory, tmp_path: Path) -> None:
    site = banque_demo_site()
    creds = tmp_path / "creds.yaml"
    creds.write_text("username: demo\npassword: '123456'\n")
    run = cli("run", BANQUE, "--credentials", str(creds), "--base-url", site.url,
              "--state-dir", str(tmp_path / "state"),
              env={"ENGINE_STATE_KEY": "a passphrase for tests"})
    assert run.returncode == 0, run.stderr
    out = run.stdout
    for expected in ("Compte courant", "1\u202f339,60 €", "Livret A", "FR0000120271", "137",
                     "ok: 4 accounts, 185 transactions, 5 holdings"):
        assert expected in out, expected
    assert "123456" not in out.replace("CHQ 123456", "")


def test_missing_credentials_without_a_terminal_is_a_clear_usage_error() -> None:
    run = cli("run", BANQUE, env={"ENGINE_CREDENTIAL_USERNAME": "demo"})
    assert run.returncode == 2
    assert "credential 'password' missing: set ENGINE_CREDENTIAL_PASSWORD" in run.stderr
    assert "Traceback" not in run.stderr


def test_no_browser_found_says_how_to_provide_one(banque_demo_site: ServerFactory) -> None:
    site = banque_demo_site()
    run = cli("run", BANQUE, "--json", "--base-url", site.url,
              env={"ENGINE_CREDENTIAL_USERNAME": "demo", "ENGINE_CREDENTIAL_PASSWORD": "1234",
                   "ENGINE_CHROMIUM": "/nonexistent/chrome"})
    assert run.returncode == 4
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "engine_error.browser_not_found"
    assert "ENGINE_CHROMIUM=/nonexistent/chrome is not an executable" in error["message"]


@pytest.mark.browser
def test_demo_command_starts_the_bank_and_syncs_it() -> None:
    run = cli("demo", "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (len(result["accounts"]), len(result["transactions"]), len(result["holdings"])) == (
        4, 185, 5)
    assert "Banque Démo is running at http://127.0.0.1:" in run.stderr


def test_schema_check_and_print() -> None:
    assert cli("schema", "--check").returncode == 0
    schema = json.loads(cli("schema").stdout)
    assert schema["title"] == "Institution recipe"
