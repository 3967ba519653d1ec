"""One browser per worker process: a private asyncio loop in a thread, one lazy ``Engine``.

Celery's task pools are synchronous, and a Chromium per task would cost hundreds of megabytes
and a second of start-up each time. So a worker runs Celery's *threads* pool (``--concurrency
N`` threads, hence at most N syncs at once), and every task thread hands its sync to one
event loop owned by the process, where a single long-lived ``Engine`` (one Chromium, one
isolated context per sync) runs them side by side. The browser starts with the first job, not
with the worker, so an idle or misconfigured worker costs nothing, and the ``Engine`` restarts
it if it crashes.

While a task thread waits for its sync it wakes every few seconds to run a *heartbeat* (the
throttle lease renewal), so no extra thread is needed per job.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from engine.api import Engine
from engine.backends.base import Backend
from engine.errors import ErrorKind
from engine.models import SyncResult
from engine.recipe import Recipe
from engine.recipe.model import OtpStep
from engine.runner.context import OtpChallenge, SyncOptions
from engine.runner.session import run_sync
from engine.runner.state import RESUME_TTL_SECONDS, SavedState, seal
from engine.secrets import Secret

T = TypeVar("T")
CLOSE_TIMEOUT_SECONDS = 20.0


class WorkerRuntime:
    """The worker process's event loop and engine. Thread-safe; ``close()`` on shutdown."""

    def __init__(self, max_concurrency: int = 4) -> None:
        self.max_concurrency = max_concurrency
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._engine: Engine | None = None
        self._slots: asyncio.Semaphore | None = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="engine-loop",
                                          daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], *, heartbeat: Callable[[], None] | None = None,
            interval: float = 10.0) -> T:
        """Run ``coro`` on the worker's loop and wait for it, calling ``heartbeat`` every
        ``interval`` seconds meanwhile (from this thread)."""
        future = asyncio.run_coroutine_threadsafe(coro, self._ensure_loop())
        while True:
            try:
                return future.result(timeout=interval)
            except TimeoutError:
                if heartbeat is not None:
                    heartbeat()

    async def _get_engine(self) -> Engine:
        if self._engine is None:  # only ever touched from the loop thread: no race
            self._engine = Engine(max_concurrency=self.max_concurrency)
            self._slots = asyncio.Semaphore(self.max_concurrency)
        return self._engine

    async def sync(self, recipe: Recipe, credentials: Mapping[str, str | Secret],
                   options: SyncOptions) -> SyncResult:
        """``Engine.sync`` on the shared browser, making sure a ``challenge_required`` result
        carries its resume state (see :func:`_capture_resume`)."""
        engine = await self._get_engine()
        assert self._slots is not None
        opened: list[Backend] = []

        async def open_backend() -> Backend:
            backend = await engine.host.new_session(
                allowed_domains=recipe.institution.allowed_domains)
            opened.append(backend)
            return backend

        frozen: list[str] = []
        options.otp_callback = _capture_resume(recipe, options, opened, frozen)
        async with self._slots:
            result = await run_sync(recipe, open_backend, credentials, options)
        if (result.error is not None and result.error.kind == ErrorKind.CHALLENGE_REQUIRED
                and result.resume_state is None and frozen):
            result.resume_state = frozen[0]
        return result

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


def _capture_resume(recipe: Recipe, options: SyncOptions, opened: list[Backend],
                    frozen: list[str]) -> Callable[[OtpChallenge], Coroutine[Any, Any, None]]:
    """An OTP callback that answers "no code now" after freezing the page's state.

    Why: ``run_sync`` currently drops ``ChallengeRequired.resume_state`` instead of copying it
    into ``SyncResult.resume_state`` (engine/runner/session.py, reported as a needed one-line
    hook). Until it does, the worker seals the same resume state itself, at the moment the
    engine asks for the code: same format, same key, same step. Once the engine fills
    ``result.resume_state`` this capture is simply not used.
    """

    async def freeze(challenge: OtpChallenge) -> None:
        if not opened or options.state_key is None:
            return None
        backend = opened[-1]
        index = _otp_step_index(recipe, challenge.prompt)
        if index is not None:
            state = SavedState(kind="resume", institution=recipe.institution.id,
                               cookies=await backend.cookies(), url=backend.url,
                               step_index=index, expires_at=time.time() + RESUME_TTL_SECONDS)
            frozen.append(seal(state, options.state_key))
        return None

    return freeze


def _otp_step_index(recipe: Recipe, prompt: str) -> int | None:
    candidates = [i for i, step in enumerate(recipe.login) if isinstance(step, OtpStep)]
    for index in candidates:
        step = recipe.login[index]
        if isinstance(step, OtpStep) and step.otp.prompt == prompt:
            return index
    return candidates[0] if candidates else None


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
