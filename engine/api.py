"""The Python façade a backend calls: ``load_recipe``, ``sync`` and the reusable ``Engine``.

``Engine`` keeps one Chromium alive for many syncs (each in its own isolated context), bounds
how many run at once, and restarts the browser if it dies, so a crash fails only the syncs it
was running.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.backends.base import Backend
from engine.backends.browser import BrowserHost
from engine.backends.http import HttpSession
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.runner.context import SyncOptions
from engine.runner.session import run_sync, wait_for_pending_closes
from engine.secrets import Secret


class Engine:
    """Runs syncs on one shared browser. Use as ``async with Engine() as engine:``."""

    def __init__(self, *, max_concurrency: int = 4, executable: str | None = None,
                 block_resources: bool = True) -> None:
        self._host = BrowserHost(executable)
        self._slots = asyncio.Semaphore(max_concurrency)
        self._block_resources = block_resources
        self._render_memory: dict[str, str] = {}

    @property
    def host(self) -> BrowserHost:
        return self._host

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await wait_for_pending_closes()
        await self._host.close()

    async def sync(self, recipe: Recipe | str | Path, credentials: Mapping[str, str | Secret],
                   options: SyncOptions | None = None, **option_values: Any) -> SyncResult:
        """Synchronize one institution. Failures come back classified in ``result.error``."""
        if not isinstance(recipe, Recipe):
            recipe = load_recipe(recipe)
        if options is None:
            options = SyncOptions(**option_values)
        elif option_values:
            raise TypeError("pass either options= or keyword options, not both")
        loaded: Recipe = recipe

        async def open_backend() -> Backend:
            if loaded.institution.backend == "http":  # an API sync never starts a browser
                return HttpSession(allowed_domains=loaded.institution.allowed_domains)
            session = await self._host.new_session(
                allowed_domains=loaded.institution.allowed_domains,
                block_resources=self._block_resources,
                load_resources=frozenset(loaded.institution.load_resources))
            session.max_document_bytes = int(loaded.institution.max_page_mb * 1_000_000)
            return session

        async with self._slots:
            return await run_sync(loaded, open_backend, credentials, options,
                                  render_memory=self._render_memory)


async def sync(recipe: Recipe | str | Path, credentials: Mapping[str, str | Secret],
               options: SyncOptions | None = None, **option_values: Any) -> SyncResult:
    """One-off sync on a browser started for it and stopped afterwards."""
    async with Engine(max_concurrency=1) as engine:
        return await engine.sync(recipe, credentials, options, **option_values)
