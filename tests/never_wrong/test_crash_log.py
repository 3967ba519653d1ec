"""A bug on our side is engine_error in the result and a stack trace in the log, redacted."""

from __future__ import annotations

import logging

import pytest

from engine.backends.http import HttpSession
from engine.recipe import parse_recipe
from engine.runner.session import run_sync
from tests.never_wrong.test_runtime import CREDS, RECIPE


class ExplodingSession(HttpSession):
    """A real HTTP backend whose navigation hits a bug (fault injection, not a stand-in)."""

    async def goto(self, url: str, *, timeout: float) -> None:
        raise KeyError(f"bug while visiting with {CREDS['password']}")


async def test_a_crash_is_logged_with_its_trace_and_no_secret(
        caplog: pytest.LogCaptureFixture) -> None:
    recipe = parse_recipe(RECIPE.replace("TRANSACTIONS", ""))

    async def open_backend() -> HttpSession:
        return ExplodingSession(allowed_domains=["127.0.0.1"])

    with caplog.at_level(logging.ERROR, logger="engine"):
        result = await run_sync(recipe, open_backend, CREDS)
    assert result.error is not None and result.error.code == "engine_error.crash"
    assert result.error.step == "login[0] goto"
    assert CREDS["password"] not in result.model_dump_json()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "Traceback" in logged and "KeyError" in logged and "test_crash_log.py" in logged
    assert CREDS["password"] not in logged
