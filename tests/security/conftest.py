"""The attacker's bank, its foreign host, and an engine whose Chromium has its local-network
checks off (on loopback they could hide a leak that would happen between public hosts).

One site, one listener and one browser for the whole package; each test resets the listener's
counters and drives real syncs. ``sessions`` keeps the browser sessions the engine opened (the
real ones, unchanged) so a test can read what each one refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.backends.browser import BrowserSession
from engine.backends.chromium import LOCAL_NETWORK_CHECKS
from engine.recipe import Recipe, parse_recipe
from sites._server import ThreadedServer
from sites.exfil import ForeignListener, create_app

RECIPE = Path(__file__).with_name("banque-exfil.yaml")


@pytest.fixture(scope="package")
def foreign() -> Iterator[ForeignListener]:
    with ForeignListener() as listener:
        yield listener


@pytest.fixture(scope="package")
def exfil_url(foreign: ForeignListener) -> Iterator[str]:
    with ThreadedServer(create_app(foreign.url)) as server:
        yield server.url


class SessionLog(list[BrowserSession]):
    """The sessions an engine opened, in order (the engine's own objects)."""


@pytest.fixture(scope="package")
async def guarded_engine() -> AsyncIterator[tuple[Engine, SessionLog]]:
    engine = Engine(max_concurrency=4)
    engine.host.disable_features = list(LOCAL_NETWORK_CHECKS)
    log = SessionLog()
    original = engine.host.new_session

    async def new_session(**kwargs: Any) -> BrowserSession:
        session = await original(**kwargs)
        log.append(session)
        return session

    engine.host.new_session = new_session  # type: ignore[method-assign]
    try:
        yield engine, log
    finally:
        await engine.close()


def exfil_recipe(case: str, *, render: str = "auto") -> Recipe:
    text = RECIPE.read_text(encoding="utf-8")
    return parse_recipe(text.replace("case=none", f"case={case}")
                        .replace("render: auto", f"render: {render}"), file=str(RECIPE))
