"""Shared fixtures: demo sites on ephemeral loopback ports and one Chromium for the session.

Every server is started by the test (or fixture) that uses it and stopped by it; the engine's
browser is shared across tests to keep the suite fast, each sync still in its own context.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from engine.backends.chromium import LAUNCH_ARGS, find_chromium
from sites._server import ThreadedServer

ROOT = Path(__file__).resolve().parents[1]
RECIPES = ROOT / "recipes"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """pytest-playwright's browser: the same system Chromium and flags as the engine."""
    return {"executable_path": find_chromium(), "args": LAUNCH_ARGS, "headless": True}


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[Engine]:
    async with Engine(max_concurrency=4) as shared:
        yield shared


ServerFactory = Callable[..., ThreadedServer]


def _factory(create_app: Callable[..., Any]) -> Iterator[ServerFactory]:
    started: list[ThreadedServer] = []

    def start(**kwargs: Any) -> ThreadedServer:
        server = ThreadedServer(create_app(**kwargs)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def banque_demo_site() -> Iterator[ServerFactory]:
    """Start Banque Démo with given ``create_app`` options; stopped at the end of the test."""
    from sites.banque_demo import create_app

    yield from _factory(create_app)


@pytest.fixture
def neobanque_site() -> Iterator[ServerFactory]:
    from sites.neobanque import create_app

    yield from _factory(create_app)


@pytest.fixture(scope="module")
def banque_demo_url() -> Iterator[str]:
    """One normal Banque Démo for a whole module (read-only tests)."""
    from sites.banque_demo import create_app

    with ThreadedServer(create_app()) as server:
        yield server.url


pytest_plugins = ["engine.harness.pytest_plugin"]
