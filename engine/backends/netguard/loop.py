"""The guard proxies' own event loop, in a thread of its own.

Why not the engine's loop: every byte a browser exchanges passes the guard, so a guard on the
engine's loop waits whenever that loop is busy (a sync turning a large answer into records, a
slow callback), and every browser of the process waits with it. On its own loop the guard
keeps relaying: its thread gets the interpreter at least every switch interval
(``sys.getswitchinterval()``, 5 ms) whatever the engine's loop is doing, and socket reads and
writes release it. It also makes the guard's cost measurable on its own: the thread's CPU time
(``cpu_seconds``) is the proxy's work, kernel time of its sockets included, and nothing else.

One loop serves every guard of the process. Guards are started and closed from the engine's
loop (``run``), and tell it what they refused through ``call_soon_threadsafe`` on the loop
that started them (``GuardProxy``), so the engine's state is only ever touched from its own
thread. A forked child (a worker) gets a new loop on first use: threads do not survive
``fork``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class GuardLoop:
    """An event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pid = os.getpid()
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="engine-netguard",
                                       daemon=True)
        self.thread.start()
        self._ready.wait()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def submit(self, work: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``work`` on the guard's loop, from any thread."""
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    async def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the guard's loop and wait for it from the caller's loop. A caller
        cancelled meanwhile (a sync's deadline) stops waiting, but ``work`` runs to its end:
        a guard half started or half closed would leave a listening socket behind."""
        return await asyncio.shield(asyncio.wrap_future(self.submit(work)))

    def cpu_seconds(self) -> float:
        """CPU time the guard's thread has used (user + system), in seconds."""
        ident = self.thread.ident
        if ident is None or not hasattr(time, "pthread_getcpuclockid"):
            return 0.0
        return time.clock_gettime(time.pthread_getcpuclockid(ident))


_lock = threading.Lock()
_current: GuardLoop | None = None


def guard_loop() -> GuardLoop:
    """The process's guard loop, started on first use (again in a forked child)."""
    global _current  # one loop per process, by design
    with _lock:
        if _current is None or _current.pid != os.getpid() or not _current.thread.is_alive():
            _current = GuardLoop()
        return _current


def guard_cpu_seconds() -> float:
    """CPU time every guard of this process has used so far (0 before the first)."""
    with _lock:
        current = _current
    return current.cpu_seconds() if current is not None and current.pid == os.getpid() else 0.0


__all__ = ["GuardLoop", "guard_cpu_seconds", "guard_loop"]
