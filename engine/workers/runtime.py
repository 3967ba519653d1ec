"""One browser per worker process: a private asyncio loop in a thread, one lazy ``Engine``.

Celery's task pools are synchronous, and a Chromium per task would cost hundreds of megabytes
and a second of start-up each time. So a worker runs Celery's *threads* pool (``--concurrency
N`` threads, hence at most N syncs at once), and every task thread hands its sync to one
event loop owned by the process, where a single long-lived ``Engine`` (one Chromium, one
isolated context per sync) runs them side by side. The browser starts with the first job, not
with the worker, so an idle or misconfigured worker costs nothing, and the ``Engine`` restarts
it if it crashes.

While a task thread waits for its sync it wakes every few seconds to run a *heartbeat* (the
job's lease, the customer's lock and the throttle slot are renewed), so no extra thread is
needed per job. A heartbeat that answers ``False`` (the job was taken from this attempt, or
Redis was unreachable for too long to be sure it was not) stops the sync: its browser context
is closed, and :class:`Abandoned` is raised in the task thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from engine.api import Engine
from engine.models import SyncResult
from engine.recipe import Recipe
from engine.runner.context import SyncOptions
from engine.secrets import Secret

T = TypeVar("T")
CLOSE_TIMEOUT_SECONDS = 20.0
CANCEL_GRACE_SECONDS = 10.0
"""How long an abandoned sync may take to close its browser context."""


class Abandoned(Exception):
    """The sync was stopped because its heartbeat said so (see the module docstring)."""


class WorkerRuntime:
    """The worker process's event loop and engine. Thread-safe; ``close()`` on shutdown."""

    def __init__(self, max_concurrency: int = 4) -> None:
        self.max_concurrency = max_concurrency
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="engine-loop",
                                          daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], *,
            heartbeat: Callable[[], bool] | None = None, interval: float = 10.0) -> T:
        """Run ``coro`` on the worker's loop and wait for it, calling ``heartbeat`` every
        ``interval`` seconds meanwhile (from this thread); ``False`` from it stops the sync."""
        ended = threading.Event()

        async def tracked() -> T:
            try:
                return await coro
            finally:
                ended.set()

        future = asyncio.run_coroutine_threadsafe(tracked(), self._ensure_loop())
        while True:
            try:
                return future.result(timeout=interval)
            except TimeoutError:
                if heartbeat is None or heartbeat():
                    continue
            if not future.cancel():  # it finished meanwhile
                return future.result()
            ended.wait(CANCEL_GRACE_SECONDS)  # the context closes in the coroutine's finally
            raise Abandoned

    async def _get_engine(self) -> Engine:
        if self._engine is None:  # only ever touched from the loop thread: no race
            self._engine = Engine(max_concurrency=self.max_concurrency)
        return self._engine

    async def sync(self, recipe: Recipe, credentials: Mapping[str, str | Secret],
                   options: SyncOptions) -> SyncResult:
        """``Engine.sync`` on the process's shared browser (API recipes use no browser)."""
        engine = await self._get_engine()
        return await engine.sync(recipe, credentials, options)

    def close(self) -> None:
        """Close the browser and stop the loop (worker shutdown); safe to call twice."""
        with self._lock:
            loop, thread, engine = self._loop, self._thread, self._engine
            self._loop = self._thread = self._engine = None
        if loop is None:
            return
        if engine is not None:
            with contextlib.suppress(Exception):  # shutting down: nothing better to do
                asyncio.run_coroutine_threadsafe(engine.close(), loop).result(
                    CLOSE_TIMEOUT_SECONDS)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        if not loop.is_running():
            loop.close()


_runtime: WorkerRuntime | None = None
_runtime_lock = threading.Lock()


def get_runtime(max_concurrency: int | None = None) -> WorkerRuntime:
    """The process's runtime, created on first use (each worker process has exactly one)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            _runtime = WorkerRuntime(max_concurrency or 4)
        elif max_concurrency:
            _runtime.max_concurrency = max_concurrency
        return _runtime


def shutdown_runtime() -> None:
    global _runtime
    with _runtime_lock:
        runtime, _runtime = _runtime, None
    if runtime is not None:
        runtime.close()
