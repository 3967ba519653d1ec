"""A saved session the institution still accepts spares the login entirely, on either path.

After a sync with a state key, the session state holds the live session apart from the
persistent cookies; the next sync opens the first data page with it and, when the login's own
final expectation holds there, collects without logging in — over plain HTTP when the verdicts
allow (no browser context at all), in the browser otherwise. A session the institution no
longer accepts costs one page and a normal login, started without the stale cookies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.backends.base import Cookie
from engine.runner.state import new_key, seal, unseal
from sites._server import ThreadedServer
from tests.conftest import RECIPES
from tests.http_login.helpers import banque_demo, counting_contexts, has_plan, logins, view

pytestmark = pytest.mark.browser

BANQUE = load_recipe(RECIPES / "banque-demo.yaml")
NEO = load_recipe(RECIPES / "neobanque.yaml")


@pytest.fixture
def bank() -> Iterator[ThreadedServer]:
    with banque_demo() as server:
        yield server


async def test_a_live_session_spares_the_login_over_http(engine: Engine,
                                                         bank: ThreadedServer) -> None:
    key = new_key()
    creds = {"username": "demo", "password": "123456"}
    first = await engine.sync(BANQUE, creds, SyncOptions(base_url=bank.url, state_key=key))
    assert first.error is None and first.session_state and has_plan(engine, BANQUE, bank.url)
    state = unseal(first.session_state, key, kind="session", institution="banque-demo")
    assert state.cookies == [] and [c["name"] for c in state.extra["live_cookies"]] == \
        ["bd_session"], "the live session is kept apart from persistent cookies"
    posts = logins(bank)
    with counting_contexts(engine) as opened:
        again = await engine.sync(BANQUE, creds, SyncOptions(
            base_url=bank.url, state_key=key, session_state=first.session_state))
    assert opened[0] == 0 and logins(bank) == posts, "no browser and no login at all"
    assert again.error is None and view(again) | {"session_state": True} == view(first)
    assert again.session_state is not None


async def test_a_session_no_longer_accepted_costs_one_page_and_a_clean_login(
        engine: Engine, bank: ThreadedServer) -> None:
    key = new_key()
    creds = {"username": "demo", "password": "123456"}
    first = await engine.sync(BANQUE, creds, SyncOptions(base_url=bank.url, state_key=key))
    assert first.session_state
    state = unseal(first.session_state, key, kind="session", institution="banque-demo")
    stale: list[dict[str, Any]] = [dict(c, value="ended-" + str(c["value"])[-8:])
                                   for c in state.extra["live_cookies"]]
    blob = seal(replace(state, extra={**state.extra, "live_cookies": stale}), key)
    posts, seen = logins(bank), len(bank.app.extensions["request_log"])
    with counting_contexts(engine) as opened:
        again = await engine.sync(BANQUE, creds, SyncOptions(base_url=bank.url, state_key=key,
                                                             session_state=blob))
    assert opened[0] == 0
    assert again.error is None and view(again) == view(first)
    assert logins(bank) == posts + 1
    requests = bank.app.extensions["request_log"][seen:]
    assert [r["path"] for r in requests][:3] == ["/comptes", "/connexion", "/connexion"]
    fresh = unseal(again.session_state or "", key, kind="session", institution="banque-demo")
    assert all(Cookie(**c).value.startswith("ended-") is False
               for c in fresh.extra["live_cookies"])


@pytest.fixture
def neo() -> Iterator[tuple[ThreadedServer, list[str]]]:
    from sites.neobanque import create_app
    from sites.neobanque.state import EXTENSION_KEY

    app = create_app()
    auth = app.extensions[EXTENSION_KEY].auth
    opened: list[str] = []
    original = auth.open_session

    def counting(email: str, scenario: str) -> str:
        opened.append(email)
        return original(email, scenario)

    auth.open_session = counting
    with ThreadedServer(app) as server:
        yield server, opened


async def test_a_live_session_spares_the_login_in_the_browser(
        engine: Engine, neo: tuple[ThreadedServer, list[str]]) -> None:
    """NeoBanque's pages need the browser: the saved session is checked there."""
    server, sessions = neo
    key = new_key()
    creds = {"email": "demo@neobanque.test", "password": "correct-horse-42"}
    first = await engine.sync(NEO, creds, SyncOptions(base_url=server.url, state_key=key,
                                                      otp_code="654321"))
    assert first.error is None and first.session_state and len(sessions) == 1
    again = await engine.sync(NEO, creds, SyncOptions(base_url=server.url, state_key=key,
                                                      session_state=first.session_state))
    assert again.error is None and len(sessions) == 1, "no new login"
    assert view(again) == view(first)


async def test_the_page_the_session_check_loaded_is_where_collection_starts(
        engine: Engine, neo: tuple[ThreadedServer, list[str]]) -> None:
    """The check loads the first data page and waits for it to settle; the accounts block
    (whose rows a script draws) reads that page as it is instead of loading the app again:
    one document load for the accounts and one per account, none more."""
    server, sessions = neo
    key = new_key()
    creds = {"email": "demo@neobanque.test", "password": "correct-horse-42"}
    first = await engine.sync(NEO, creds, SyncOptions(base_url=server.url, state_key=key,
                                                      otp_code="654321"))
    assert first.error is None and first.session_state
    documents: list[str] = []
    app = server.app
    inner = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/":
            documents.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]
    try:
        again = await engine.sync(NEO, creds, SyncOptions(
            base_url=server.url, state_key=key, session_state=first.session_state))
    finally:
        app.wsgi_app = inner  # type: ignore[method-assign]
    assert again.error is None and len(sessions) == 1 and view(again) == view(first)
    assert len(documents) == 1 + len(again.accounts)
