"""The fleet-wide queue in Redis: which jobs may run now, and taking jobs back from dead workers.

Celery's Redis transport keeps a message a worker reserved (prefetched, or scheduled with a
countdown) in that worker's memory and in an ``unacked`` hash until its visibility timeout,
an hour; a worker killed with SIGKILL took every throttled job's countdown with it. So here the
truth is in Redis, and a Celery message is only a disposable "run job X now":

* **due jobs** wait in a sorted set by the time they may run (now for a new job; the
  limiter's wait for a throttled one). Every live worker polls it with one script
  (:meth:`Scheduler.dispatch`) that hands out, oldest first, no more jobs than the fleet has
  free slots for, so a backlog stays in Redis and one worker cannot hoard it;
* a handed-out job not claimed within the dispatch grace (its message died with a worker or in
  a broker restart) is simply due again; a duplicate claim is refused by the job's own state;
* **running jobs** hold a lease renewed by their sync; the reaper (any live worker,
  :meth:`Scheduler.reap`) requeues a job whose lease expired, or fails it if it died mid-sync
  more often than allowed (see ``scripts.REAP``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

import redis

from engine.workers import keys, scripts
from engine.workers.jobs import JobStore
from engine.workers.throttle import Limiter

log = logging.getLogger("engine.workers")

DISPATCH_BATCH = 64
REAP_BATCH = 100


@dataclass(frozen=True)
class JobCounts:
    """Jobs per situation, fleet-wide (what ``engine fleet`` prints)."""

    running: int
    queued: int
    """Waiting for a free slot: new, or resumed with a code."""
    throttled: int
    """Waiting because of the limiter or a running login of the same customer."""
    suspended: int
    """Waiting for a one-time code from the user (within the code window)."""

    def as_dict(self) -> dict[str, int]:
        return {"running": self.running, "queued": self.queued, "throttled": self.throttled,
                "suspended": self.suspended}


class Scheduler:
    """Dispatching and reaping over the indexes the job scripts maintain."""

    def __init__(self, client: redis.Redis, store: JobStore, limiter: Limiter, *,
                 dispatch_grace_seconds: float = 10.0) -> None:
        self._redis = client
        self._store = store
        self._limiter = limiter
        self._grace_ms = int(dispatch_grace_seconds * 1000)
        self._dispatch = client.register_script(scripts.DISPATCH)
        self._expired = client.register_script(scripts.EXPIRED)

    def dispatch(self, capacity: int) -> list[str]:
        """Take the due jobs the fleet's ``capacity`` (sync slots of live workers) has room
        for; the caller sends each id to Celery. Atomic: two workers never hand out one job."""
        raw = self._dispatch(keys=[keys.DUE, keys.DISPATCHED, keys.RUNNING],
                             args=[capacity, self._grace_ms, DISPATCH_BATCH])
        return [str(job_id) for job_id in cast(list[Any], raw)]

    def reap(self) -> dict[str, str]:
        """Requeue (or fail) every job whose lease expired; returns job id → outcome.

        Call it only after being connected to Redis for a full lease: after an outage, live
        workers need that long to renew the leases that expired while nobody could.
        """
        expired = cast(list[str], self._expired(keys=[keys.RUNNING], args=[REAP_BATCH]))
        outcomes: dict[str, str] = {}
        for job_id in expired:
            outcome, institution, lease = self._store.reap(str(job_id))
            if outcome in ("requeued", "failed"):
                outcomes[str(job_id)] = outcome
                log.warning("job %s: its worker stopped renewing the lease; %s", job_id,
                            "requeued" if outcome == "requeued" else "failed (worker_lost)")
            if institution and lease:  # the dead attempt's throttle slot, at once
                self._limiter.release(institution, lease)
        return outcomes


def count_jobs(client: redis.Redis) -> JobCounts:
    """Jobs per situation, from the indexes alone (no key needed, nothing opened)."""
    raw = client.register_script(scripts.COUNTS)(
        keys=[keys.DUE, keys.DISPATCHED, keys.RUNNING, keys.THROTTLED, keys.SUSPENDED])
    waiting, running, throttled, suspended = (int(n) for n in cast(list[Any], raw))
    return JobCounts(running=running, queued=max(0, waiting - throttled), throttled=throttled,
                     suspended=suspended)
