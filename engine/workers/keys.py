"""Every Redis key the fleet uses, in one place (operators read this to know what Redis holds).

Per job (``engine:job:<id>``, expiring): the record (a hash), its sealed secrets, the list of
attempts. Fleet-wide indexes, each a sorted set or set of job ids maintained by the state
machine's scripts (``scripts.py``), so counting and recovery never scan the keyspace:

================================ ===========================================================
``engine:jobs:due``              waiting jobs → when they may run (queued, throttled, resumed)
``engine:jobs:dispatched``       handed to Celery → when to hand them out again if unclaimed
``engine:jobs:running``          claimed jobs → lease expiry (renewed while the sync runs)
``engine:jobs:throttled``        the waiting jobs that wait because of the limiter
``engine:jobs:suspended``        jobs waiting for a one-time code → end of the code window
``engine:customer:<pseudonym>``  the per-customer login lock (``<job id>:<attempt token>``)
``engine:fleet:workers``         names of workers that registered (pruned when they expire)
``engine:fleet:worker:<name>``   one worker's heartbeat (JSON), expiring on its own
``engine:throttle:<inst>:*``     the limiter's leases, start log and live overrides
================================ ===========================================================

All times inside scripts come from the Redis server's clock (``TIME``), never from a worker's.
"""

from __future__ import annotations

JOB_PREFIX = "engine:job"
DUE = "engine:jobs:due"
DISPATCHED = "engine:jobs:dispatched"
RUNNING = "engine:jobs:running"
THROTTLED = "engine:jobs:throttled"
SUSPENDED = "engine:jobs:suspended"
WORKERS = "engine:fleet:workers"


def job(job_id: str) -> str:
    return f"{JOB_PREFIX}:{job_id}"


def secrets(job_id: str) -> str:
    return f"{JOB_PREFIX}:{job_id}:secrets"


def runs(job_id: str) -> str:
    return f"{JOB_PREFIX}:{job_id}:runs"


def customer(pseudonym: str) -> str:
    return f"engine:customer:{pseudonym}"


def worker(name: str) -> str:
    return f"engine:fleet:worker:{name}"
