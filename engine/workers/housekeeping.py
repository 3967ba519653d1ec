"""What every worker does in the background, so the fleet needs no coordinator process.

One thread per worker process, on a short period (``poll_seconds``):

* **heartbeat** into the registry (``fleet.py``) every ``heartbeat_seconds``;
* **dispatch**: hand the due jobs the live fleet has room for to Celery (``queue.py``); every
  worker does it, the script makes sure each job is handed out once;
* **reap**: requeue the jobs whose lease expired, so a dead worker's jobs are back within a
  lease. After any Redis outage the thread first waits a full lease connected, giving live
  workers the time to renew leases that expired while nobody could reach Redis.

Redis going away is expected (restarts, failovers): the thread backs off (0.5 s doubling to
5 s), says so once, and resumes by itself when Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from engine.workers.connection import UNREACHABLE
from engine.workers.fleet import Registry
from engine.workers.queue import Scheduler
from engine.workers.settings import FleetTimings

log = logging.getLogger("engine.workers")

REAP_EVERY_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 5.0


class Housekeeper:
    """Heartbeat, dispatcher and reaper of one worker. ``start()``, then ``stop()``."""

    def __init__(self, name: str, *, registry: Registry, scheduler: Scheduler,
                 send: Callable[[str], None], describe: Callable[[], dict[str, Any]],
                 timings: FleetTimings) -> None:
        self.name = name
        self._registry = registry
        self._scheduler = scheduler
        self._send = send
        self._describe = describe
        self._timings = timings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="engine-housekeeping",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop heartbeating and dispatching (warm shutdown: running syncs still finish)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        connected_since: float | None = None
        ever_connected = False
        next_beat = next_reap = 0.0
        capacity = 0
        backoff = 0.5
        while not self._stop.is_set():
            try:
                now = time.monotonic()
                if now >= next_beat:
                    self._registry.beat(self.name, self._describe())
                    capacity = self._registry.capacity()
                    next_beat = now + self._timings.heartbeat_seconds
                if connected_since is None:
                    if ever_connected:
                        log.info("worker %s: Redis reachable again", self.name)
                    connected_since, ever_connected = now, True
                self._hand_out(capacity)
                if (now - connected_since >= self._timings.lease_seconds
                        and now >= next_reap):
                    self._scheduler.reap()
                    next_reap = now + REAP_EVERY_SECONDS
                backoff = 0.5
                self._stop.wait(self._timings.poll_seconds)
            except UNREACHABLE as exc:
                if connected_since is not None:
                    log.warning("worker %s: Redis unreachable (%s); retrying with backoff",
                                self.name, type(exc).__name__)
                connected_since = None
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            except Exception:
                log.exception("worker %s: housekeeping failed; retrying", self.name)
                self._stop.wait(1.0)

    def _hand_out(self, capacity: int) -> None:
        for job_id in self._scheduler.dispatch(capacity):
            try:
                self._send(job_id)
            except Exception as exc:  # the job is handed out again after the grace
                log.warning("job %s: could not send it to Celery (%s); it will be handed "
                            "out again", job_id, type(exc).__name__)
                return
