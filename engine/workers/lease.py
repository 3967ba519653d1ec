"""Keeping a running sync's claims alive, and giving them up before someone else may take them.

While a sync runs, its task thread calls :meth:`LeaseKeeper.beat` every third of a lease: it
renews the job's lease and the customer's login lock in one script, then the institution's
throttle slot. The answer decides whether the sync goes on:

* renewed: go on;
* the job was taken from this attempt (the reaper judged the worker dead, e.g. after a long
  stall) or another job holds the customer's lock: stop now, the job is someone else's;
* Redis unreachable: go on while it could still be a short outage, but stop once the last
  successful renewal is ``fence_after`` old (two thirds of a lease). Past the lease, a worker
  that can reach Redis may requeue the job, and two logins of one customer must never overlap:
  a worker cut off from Redis fences itself before that can happen.
"""

from __future__ import annotations

import logging
import time

from engine.workers.connection import UNREACHABLE
from engine.workers.jobs import Claim, JobStore
from engine.workers.throttle import Limiter

log = logging.getLogger("engine.workers")


class LeaseKeeper:
    """The heartbeat of one running sync (see the module docstring)."""

    def __init__(self, store: JobStore, limiter: Limiter, claim: Claim, *, customer: str,
                 institution: str, throttle_lease: str, fence_after: float) -> None:
        self._store = store
        self._limiter = limiter
        self._claim = claim
        self._customer = customer
        self._institution = institution
        self._throttle_lease = throttle_lease
        self._fence_after = fence_after
        self._last_renewed = time.monotonic()
        self.stopped_because: str | None = None

    def beat(self) -> bool:
        """Renew everything; False means: stop the sync (``stopped_because`` says why)."""
        started = time.monotonic()
        try:
            renewed = self._store.renew(self._claim, self._customer)
        except UNREACHABLE:
            stale = started - self._last_renewed
            if stale < self._fence_after:
                return True
            self.stopped_because = f"Redis unreachable for {stale:.0f} s"
            log.warning("job %s: %s; abandoning the sync before another worker may take it",
                        self._claim.job_id, self.stopped_because)
            return False
        if renewed != 1:
            self.stopped_because = ("the job was taken over" if renewed == 0
                                    else "another sync of this customer holds the lock")
            log.warning("job %s: %s; abandoning the sync", self._claim.job_id,
                        self.stopped_because)
            return False
        self._last_renewed = started
        try:
            if not self._limiter.renew(self._institution, self._throttle_lease):
                log.warning("job %s: throttle lease on %s expired mid-sync", self._claim.job_id,
                            self._institution)
        except UNREACHABLE:
            pass  # renewed with the job lease at the next beat
        return True
