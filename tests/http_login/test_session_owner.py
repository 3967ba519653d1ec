"""A saved live session serves only the login that opened it.

The CLI keeps one state folder per institution, and a backend may mix up two customers'
states: reusing a live session for other credentials would hand one customer's accounts to
another's sync (and accept a wrong password). The session state carries a keyed digest of the
credentials that opened it; a sync with other credentials logs in for real.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.runner.state import new_key, unseal
from sites._server import ThreadedServer
from tests.conftest import RECIPES
from tests.http_login.helpers import banque_demo, logins

pytestmark = pytest.mark.browser

BANQUE = load_recipe(RECIPES / "banque-demo.yaml")


@pytest.fixture
def bank() -> Iterator[ThreadedServer]:
    with banque_demo() as server:
        yield server


async def test_a_saved_session_serves_only_the_credentials_that_opened_it(
        engine: Engine, bank: ThreadedServer) -> None:
    key = new_key()
    creds = {"username": "demo", "password": "123456"}
    first = await engine.sync(BANQUE, creds, SyncOptions(base_url=bank.url, state_key=key))
    assert first.ok and first.session_state
    state = unseal(first.session_state, key, kind="session", institution="banque-demo")
    assert state.extra["login"] and "123456" not in state.extra["login"]

    posts = logins(bank)
    same = await engine.sync(BANQUE, creds, SyncOptions(
        base_url=bank.url, state_key=key, session_state=first.session_state))
    assert same.ok and logins(bank) == posts, "the same login reuses the session"

    wrong = await engine.sync(BANQUE, {**creds, "password": "135791"}, SyncOptions(
        base_url=bank.url, state_key=key, session_state=first.session_state))
    assert wrong.error is not None and wrong.error.code == "invalid_credentials"
    assert wrong.accounts == [] and logins(bank) == posts + 1
    assert any("other credentials" in w for w in wrong.warnings)

    other = await engine.sync(BANQUE, {"username": "demo-locked", "password": "123456"},
                              SyncOptions(base_url=bank.url, state_key=key,
                                          session_state=first.session_state))
    assert other.accounts == [] and other.error is not None, \
        "another customer's sync never reads the first customer's accounts"
