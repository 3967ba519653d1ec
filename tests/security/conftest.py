"""The attacker's bank, its foreign host, and an engine whose Chromium has its local-network
checks off (on loopback they could hide a leak that would happen between public hosts).

One site, one listener and one browser for the whole package. ``attack_runs`` syncs every case
once, four at a time, and keeps each result with the browser session the engine opened for
it (the engine's own object, unchanged: tests read what it refused); the listener's counts are
read after all of them, so "zero" covers every case.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.backends.browser import BrowserSession
from engine.backends.chromium import LOCAL_NETWORK_CHECKS
from engine.models import SyncResult
from engine.recipe import Recipe, parse_recipe
from sites._server import ThreadedServer
from sites.exfil import CASES, PASSWORD, USERNAME, ForeignListener, create_app

RECIPE = Path(__file__).with_name("banque-exfil.yaml")
CREDENTIALS = {"username": USERNAME, "password": PASSWORD}
RUNS = [(name, "auto") for name in CASES if name != "plain-http-list"] + [
    ("plain-http-list", "http"), ("plain-http-list", "auto")]
_RUN: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("run",
                                                                             default=None)


@dataclass
class Run:
    result: SyncResult
    session: BrowserSession


@dataclass
class AttackRuns:
    runs: dict[tuple[str, str], Run]
    tcp_connections: int
    udp_datagrams: int
    bytes_received: int
    summary: str


def exfil_recipe(case: str, *, render: str = "auto") -> Recipe:
    """The test recipe for one case. The plain-HTTP case gets an institution id of its own,
    so the engine's per-block memory of "plain HTTP works here", learnt on the other cases,
    does not skip the first-page probe that case is about."""
    text = RECIPE.read_text(encoding="utf-8")
    if case == "plain-http-list":
        text = text.replace("id: banque-exfil", f"id: banque-exfil-{render}")
    return parse_recipe(text.replace("case=none", f"case={case}")
                        .replace("render: auto", f"render: {render}"), file=str(RECIPE))


@pytest.fixture(scope="package")
def foreign() -> Iterator[ForeignListener]:
    with ForeignListener() as listener:
        yield listener


@pytest.fixture(scope="package")
def exfil_url(foreign: ForeignListener) -> Iterator[str]:
    with ThreadedServer(create_app(foreign.url)) as server:
        yield server.url


@pytest.fixture(scope="package")
async def guarded_engine() -> AsyncIterator[tuple[Engine, dict[tuple[str, str],
                                                                 BrowserSession]]]:
    engine = Engine(max_concurrency=4)
    engine.host.disable_features = list(LOCAL_NETWORK_CHECKS)
    sessions: dict[tuple[str, str], BrowserSession] = {}
    original = engine.host.new_session

    async def new_session(**kwargs: Any) -> BrowserSession:
        session = await original(**kwargs)
        run = _RUN.get()
        if run is not None:
            sessions[run] = session
        return session

    engine.host.new_session = new_session  # type: ignore[method-assign]
    try:
        yield engine, sessions
    finally:
        await engine.close()


@pytest.fixture(scope="package")
async def attack_runs(guarded_engine: tuple[Engine, dict[tuple[str, str], BrowserSession]],
                      foreign: ForeignListener, exfil_url: str) -> AttackRuns:
    engine, sessions = guarded_engine
    foreign.reset()

    async def one(run: tuple[str, str]) -> tuple[tuple[str, str], SyncResult]:
        _RUN.set(run)
        name, render = run
        return run, await engine.sync(exfil_recipe(name, render=render), CREDENTIALS,
                                      base_url=exfil_url)

    results = dict(await asyncio.gather(*(one(run) for run in RUNS)))
    await asyncio.sleep(0.5)  # anything still in flight when a context closed has landed
    return AttackRuns({run: Run(results[run], sessions[run]) for run in RUNS},
                      foreign.tcp_connections, foreign.udp_datagrams, foreign.bytes_received,
                      foreign.summary())
