"""The backend's side: enqueue syncs, read their results, answer one-time-code challenges.

::

    from engine.workers import client
    job = client.enqueue_sync("banque-demo", {"username": "...", "password": "..."})
    result = client.get_result(job, timeout=120)          # a SyncResult
    if result.error and result.error.kind == "challenge_required":
        client.submit_code(job, code_from_user)           # resumes on any worker
        result = client.get_result(job, timeout=120)

The module functions use a client configured from the environment (``ENGINE_REDIS_URL``,
``ENGINE_WORKER_KEY``); build a :class:`WorkerClient` to configure one explicitly. Credentials
are sealed here, before anything leaves the backend's process. The backend needs Redis only:
a new job is recorded as due, and the workers' dispatchers hand it to Celery.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from engine.models import SyncResult
from engine.secrets import Secret
from engine.workers.connection import connect
from engine.workers.fleet import FleetView, Registry
from engine.workers.jobs import JobNotFound, JobNotWaiting, JobState, JobStatus, JobStore
from engine.workers.sealing import Sealer
from engine.workers.settings import DEFAULT_QUEUE, RECIPE_ID, WorkerSettings
from engine.workers.throttle import Limiter

__all__ = [
    "JobNotFound", "JobNotWaiting", "JobState", "JobStatus", "WorkerClient", "enqueue_sync",
    "get_result", "job_status", "submit_code",
]


class WorkerClient:
    """Talks to the fleet through Redis. Thread-safe; one per backend process is enough."""

    def __init__(self, redis_url: str, key: str, *, queue: str = DEFAULT_QUEUE) -> None:
        self._redis = connect(redis_url)
        self._store = JobStore(self._redis, Sealer(key))
        self._queue = queue
        self.limiter = Limiter(self._redis)
        """For operations: ``client.limiter.set_limits("bank", concurrency=1)`` takes effect
        on every worker at once."""

    @classmethod
    def from_env(cls) -> WorkerClient:
        settings = WorkerSettings.from_env()
        return cls(settings.redis_url, settings.key, queue=settings.queue)

    def __repr__(self) -> str:
        return f"WorkerClient(queue={self._queue!r})"

    def enqueue_sync(self, recipe_id: str, credentials: Mapping[str, str | Secret], *,
                     base_url: str | None = None, since: date | None = None,
                     timeout: float | None = None, step_timeout: float | None = None,
                     session_state: str | None = None,
                     reference_date: date | None = None, customer: str | None = None) -> str:
        """Queue a sync of ``recipes/<recipe_id>.yaml``; returns the job id at once.

        ``customer`` is the backend's own id for whose connection this is: two jobs of one
        customer never log in at the same time. Without it, the credentials that are not
        secret (the username) identify the customer.
        """
        if not RECIPE_ID.match(recipe_id):
            raise ValueError(f"invalid recipe id {recipe_id!r}: lowercase letters, digits, "
                             "'-' and '_' only")
        options: dict[str, Any] = {
            "base_url": base_url, "since": since.isoformat() if since else None,
            "timeout": timeout, "step_timeout": step_timeout, "session_state": session_state,
            "reference_date": reference_date.isoformat() if reference_date else None}
        spec: dict[str, Any] = {
            "credentials": {name: value.reveal() if isinstance(value, Secret) else str(value)
                            for name, value in credentials.items()},
            "options": {k: v for k, v in options.items() if v is not None},
        }
        if customer:
            spec["customer"] = str(customer)
        job_id = uuid.uuid4().hex
        self._store.create(job_id, recipe_id, spec)
        return job_id

    def submit_code(self, job_id: str, code: str) -> None:
        """Answer a ``challenge_required`` job; a new task resumes it from the code step.

        Raises ``JobNotWaiting`` if the job is not waiting for a code (already answered, or
        the resume window closed) and ``JobNotFound`` for an unknown job.
        """
        code = code.strip()
        if not code:
            raise ValueError("empty one-time code")
        self._store.submit_code(job_id, code)

    def status(self, job_id: str) -> JobStatus:
        return self._store.status(job_id)

    def wait(self, job_id: str, timeout: float = 120.0) -> JobStatus:
        """Block until the job is settled (done, or waiting for a code)."""
        deadline = time.monotonic() + timeout
        pause = 0.05
        while True:
            status = self._store.status(job_id)
            if status.settled:
                return status
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {status.state} after {timeout:g} s")
            time.sleep(pause)
            pause = min(pause * 1.5, 0.5)

    def get_result(self, job_id: str, timeout: float = 120.0) -> SyncResult:
        """The job's ``SyncResult`` once settled; ``error.kind == "challenge_required"``
        (with ``error.details["prompt"]``) means: ask the user, then ``submit_code``."""
        self.wait(job_id, timeout)
        result = self._store.result(job_id)
        if result is None:  # settled states always store one; this is a broken record
            raise JobNotFound(job_id)
        return result

    def workers(self) -> dict[str, dict[str, Any]]:
        """Live workers (their heartbeat has not expired): name → pid, slots, running..."""
        return Registry(self._redis).live()

    def fleet(self) -> FleetView:
        """Live workers and job counts (running, queued, throttled, suspended)."""
        return FleetView.read(self._redis)

    def close(self) -> None:
        self._redis.close()


_default: WorkerClient | None = None
_default_lock = threading.Lock()


def default_client() -> WorkerClient:
    global _default
    with _default_lock:
        if _default is None:
            _default = WorkerClient.from_env()
        return _default


def enqueue_sync(recipe_id: str, credentials: Mapping[str, str | Secret],
                 **options: Any) -> str:
    return default_client().enqueue_sync(recipe_id, credentials, **options)


def get_result(job_id: str, timeout: float = 120.0) -> SyncResult:
    return default_client().get_result(job_id, timeout)


def submit_code(job_id: str, code: str) -> None:
    default_client().submit_code(job_id, code)


def job_status(job_id: str) -> JobStatus:
    return default_client().status(job_id)
