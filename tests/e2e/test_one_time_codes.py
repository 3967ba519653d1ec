"""One-time codes: suspend in one process, resume in another, then skip the code next time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.runner.context import OtpChallenge
from engine.runner.state import new_key
from tests.conftest import RECIPES, ROOT, ServerFactory

pytestmark = pytest.mark.browser
BANQUE = RECIPES / "banque-demo.yaml"


def engine_cli(*args: str, env: dict[str, str],
               stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    run = subprocess.run([sys.executable, "-m", "engine", "run", str(BANQUE), "--json", *args],
                         capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
                         input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
    assert "Traceback" not in run.stderr, run.stderr
    return run.returncode, json.loads(run.stdout)


def logins(site: Any) -> int:
    return sum(1 for e in site.app.extensions["request_log"]
               if e["method"] == "POST" and e["path"] == "/connexion")


def test_resume_across_two_processes_then_trusted_device(banque_demo_site: ServerFactory,
                                                         tmp_path: Path) -> None:
    site = banque_demo_site()
    state_dir = tmp_path / "state"
    env = {**os.environ, "ENGINE_STATE_KEY": new_key(),
           "ENGINE_CREDENTIAL_USERNAME": "demo-otp", "ENGINE_CREDENTIAL_PASSWORD": "123456"}
    common = ["--base-url", site.url, "--state-dir", str(state_dir)]

    code, first = engine_cli(*common, env=env)
    assert code == 4
    assert first["error"]["code"] == "challenge_required"
    assert first["error"]["policy"]["user_action"] == "provide_one_time_code"
    assert first["resume_state"] and "demo-otp" not in first["resume_state"]
    assert (state_dir / "banque-demo" / "resume.state").exists()
    assert logins(site) == 1

    # a second process, given the code but not the password, continues from the code step
    no_password = {k: v for k, v in env.items() if not k.startswith("ENGINE_CREDENTIAL_")}
    # the code comes on standard input, never on the command line (shell history, ps)
    code, second = engine_cli(*common, "--otp-code", "-", env=no_password, stdin="123456\n")
    assert code == 0, second["error"]
    assert len(second["accounts"]) == 4 and len(second["transactions"]) == 185
    assert logins(site) == 1, "the password must not be typed again"
    assert not (state_dir / "banque-demo" / "resume.state").exists()
    assert (state_dir / "banque-demo" / "session.state").exists()

    # next sync: the trusted-device cookie from the session state skips the code
    code, third = engine_cli(*common, env=env)
    assert code == 0, third["error"]
    assert len(third["accounts"]) == 4
    assert logins(site) == 2


async def test_interactive_callback_and_session_state(banque_demo_site: ServerFactory,
                                                      engine: Engine) -> None:
    site = banque_demo_site()
    recipe = load_recipe(BANQUE)
    key = new_key()
    asked: list[OtpChallenge] = []

    async def callback(challenge: OtpChallenge) -> str:
        asked.append(challenge)
        return "123456"

    creds = {"username": "demo-otp", "password": "123456"}
    first = await engine.sync(recipe, creds, SyncOptions(base_url=site.url, state_key=key,
                                                         otp_callback=callback))
    assert first.error is None and len(asked) == 1 and first.session_state
    second = await engine.sync(recipe, creds, SyncOptions(
        base_url=site.url, state_key=key, otp_callback=callback,
        session_state=first.session_state))
    assert second.error is None and len(asked) == 1, "trusted device: no second code"
    # a state sealed with another key is ignored, with a warning, and the code is asked again
    third = await engine.sync(recipe, creds, SyncOptions(
        base_url=site.url, state_key=new_key(), otp_callback=callback,
        session_state=first.session_state))
    assert third.error is None and len(asked) == 2
    assert any("session state ignored" in w for w in third.warnings)


async def test_wrong_code_on_resume_is_classified(banque_demo_site: ServerFactory,
                                                  engine: Engine) -> None:
    site = banque_demo_site()
    recipe = load_recipe(BANQUE)
    key = new_key()
    creds = {"username": "demo-otp", "password": "123456"}
    stopped = await engine.sync(recipe, creds, SyncOptions(base_url=site.url, state_key=key))
    assert stopped.error is not None and stopped.resume_state
    resumed = await engine.sync(recipe, {}, SyncOptions(
        base_url=site.url, state_key=key, resume_state=stopped.resume_state, otp_code="999999"))
    assert resumed.error is not None
    assert resumed.error.code == "invalid_credentials.wrong_code"


async def test_a_challenge_kept_in_page_memory_expires_instead_of_breaking(
        engine: Engine, neobanque_site: ServerFactory) -> None:
    """NeoBanque keeps its code session in the single-page app's memory: a resumed sync
    (another process, a reloaded page) finds the login form again. That is an expired
    challenge the backend must ask a new code for, never "the site changed"."""
    site = neobanque_site()
    recipe = load_recipe(RECIPES / "neobanque.yaml")
    key = new_key()
    first = await engine.sync(recipe, {"email": "demo@neobanque.test",
                                       "password": "correct-horse-42"},
                              SyncOptions(base_url=site.url, state_key=key))
    assert first.error is not None and first.error.code == "challenge_required"
    assert first.resume_state
    resumed = await engine.sync(recipe, {}, SyncOptions(
        base_url=site.url, state_key=key, resume_state=first.resume_state, otp_code="654321"))
    assert resumed.error is not None
    assert resumed.error.code == "challenge_required.challenge_expired", resumed.error
    assert resumed.error.details.get("restart") is True
    assert resumed.timings_ms["total"] < 8000, "seen at once, not after the step timeout"
