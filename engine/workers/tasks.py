"""The body of the one Celery task: take a job id, run (or resume) its sync, store the outcome.

Kept free of Celery so it reads top to bottom and can be tested or reused with another queue:
``app.py`` only adapts it. One delivery is one *attempt*, and its steps, in this order:

1. **claim** the job atomically with a fresh token, so a redelivered, duplicated or stale
   message never runs a sync twice, and an attempt the fleet gave up on cannot write anymore;
2. open the sealed **spec** (credentials, options) and load the **recipe by id** from this
   worker's checkout (a message never carries code or recipe text);
3. take the **customer's login lock** (one login per customer at a time, fleet-wide), then a
   **throttle** slot; refused either, the job goes back to Redis due later (it waits, it does
   not fail, and it holds no worker meanwhile);
4. run the sync on the process's shared browser, its **lease** renewed while it runs
   (``lease.py``): a worker that dies stops renewing, and the reaper gives the job to another;
5. store a ``SyncResult``, or park the job for its one-time code with the resume state sealed,
   waiting for Redis if it is restarting: a finished sync's result must not be lost, or the
   job would run again.

Whatever goes wrong in the sync, the backend gets a ``SyncResult`` with a classified error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from engine.errors import EngineError, ErrorKind, RecipeError, SyncError
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.runner.context import SyncOptions
from engine.workers.connection import UNREACHABLE, connect, persist
from engine.workers.jobs import Claim, JobStore
from engine.workers.lease import LeaseKeeper
from engine.workers.runtime import Abandoned, WorkerRuntime
from engine.workers.sealing import Sealer
from engine.workers.settings import RECIPE_ID, WorkerSettings
from engine.workers.throttle import Decision, Limiter

log = logging.getLogger("engine.workers")

OPTION_NAMES = frozenset({"base_url", "since", "timeout", "step_timeout", "session_state",
                          "reference_date"})
"""Options a backend may set per job (callbacks, paths and observers stay worker-side)."""


@dataclass
class Worker:
    """Everything a worker process shares between its task threads."""

    settings: WorkerSettings
    store: JobStore
    limiter: Limiter
    sealer: Sealer
    runtime: WorkerRuntime
    _recipes: dict[Path, tuple[float, Recipe]] = field(default_factory=dict)
    _running: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: WorkerSettings, runtime: WorkerRuntime) -> Worker:
        client = connect(settings.redis_url)
        sealer = Sealer(settings.key)
        timings = settings.timings
        store = JobStore(client, sealer, lease_seconds=timings.lease_seconds,
                         sync_retries=timings.sync_retries)
        return cls(settings, store, Limiter(client, settings.throttle), sealer, runtime)

    @property
    def running(self) -> int:
        """Attempts this process is serving now (announced in its heartbeat)."""
        return self._running

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1

    def recipe(self, recipe_id: str) -> Recipe:
        """Load ``<recipes_dir>/<id>.yaml``, re-parsed only when the file changes."""
        if not RECIPE_ID.match(recipe_id):
            raise ValueError("invalid recipe id")
        path = self.settings.recipes_dir / f"{recipe_id}.yaml"
        mtime = path.stat().st_mtime
        cached = self._recipes.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, load_recipe(path))
            self._recipes[path] = cached
        return cached[1]


def execute_job(worker: Worker, job_id: str, hostname: str) -> str:
    """Serve one delivery of ``job_id``; returns a short outcome word for the task log."""
    claim = Claim(job_id, uuid.uuid4().hex)
    outcome = worker.store.claim(job_id, hostname, os.getpid(), claim.token)
    if outcome != "claimed":
        log.info("job %s skipped: %s", job_id, outcome)
        return f"skipped:{outcome}"
    with worker.serving():
        return _Attempt(worker, claim).run()


class _Attempt:
    """One claimed attempt at a job (see the module docstring for the steps)."""

    def __init__(self, worker: Worker, claim: Claim) -> None:
        self.worker = worker
        self.claim = claim
        self.job_id = claim.job_id

    def run(self) -> str:
        worker = self.worker
        institution = "unknown"
        spec: dict[str, Any] | None = None
        recipe: Recipe | None = None
        try:
            status = worker.store.status(self.job_id)
            spec = worker.store.spec(self.job_id)
            if spec is None:
                raise EngineError("the job's credentials expired before a worker could run "
                                  "it", reason="job_expired")
            try:
                recipe = worker.recipe(status.recipe_id)
            except (OSError, ValueError, RecipeError):
                raise EngineError(f"no valid recipe {status.recipe_id!r} on this worker",
                                  reason="unknown_recipe") from None
            institution = recipe.institution.id
            outcome = self._sync(recipe, spec, status.throttled)
            if isinstance(outcome, str):
                return outcome
            result = outcome
        except SyncError as exc:
            result = _failure(institution, exc)
        except UNREACHABLE as exc:  # nothing started: the reaper requeues the job
            log.warning("job %s: Redis unreachable before its sync started (%s); it will be "
                        "requeued", self.job_id, type(exc).__name__)
            return "redis_unreachable"
        except Exception as exc:
            log.exception("job %s crashed", self.job_id)
            result = _failure(institution, EngineError(f"worker crash: {type(exc).__name__}",
                                                       reason="worker_crash"))
        return self._store(result, spec, recipe)

    def _sync(self, recipe: Recipe, spec: dict[str, Any], throttled: int) -> SyncResult | str:
        """Lock, throttle, run: a result, or an outcome word when the job was put back."""
        worker, institution = self.worker, recipe.institution.id
        options = _options(spec.get("options") or {}, worker.sealer.state_key)
        if options.session_state:  # sealed under the previous key derivation, perhaps
            options = replace(options, session_state=worker.sealer.upgrade_state(
                options.session_state, kind="session", institution=institution))
        resume = worker.store.resume(self.job_id)
        customer = _customer(worker.sealer, recipe, spec)
        locked = worker.store.lock_customer(self.claim, customer)
        if locked != "ok":
            if locked == "lost":
                return "lost"
            return self._throttled(Decision(False, institution, reason="customer"), throttled)
        decision = worker.limiter.acquire(institution, count_rate=resume is None)
        if not decision.granted or decision.lease is None:
            return self._throttled(decision, throttled)
        lease = decision.lease
        try:
            if not worker.store.begin(self.claim, institution, lease,
                                      drop_code=resume is not None):
                return "lost"
            if resume is not None:
                options = replace(options, resume_state=worker.sealer.upgrade_state(
                    resume[0], kind="resume", institution=institution), otp_code=resume[1])
            keeper = LeaseKeeper(worker.store, worker.limiter, self.claim, customer=customer,
                                 institution=institution, throttle_lease=lease,
                                 fence_after=worker.settings.timings.fence_after)
            try:
                return worker.runtime.run(
                    worker.runtime.sync(recipe, spec["credentials"], options),
                    heartbeat=keeper.beat, interval=worker.settings.timings.renew_every)
            except Abandoned:
                log.warning("job %s: sync abandoned (%s)", self.job_id, keeper.stopped_because)
                return "abandoned"
        finally:
            with contextlib.suppress(*UNREACHABLE):  # else it expires on its own
                worker.limiter.release(institution, lease)

    def _throttled(self, decision: Decision, times: int) -> str:
        """Due again later: the exact wait for a rate limit; for a busy institution or
        customer, a delay growing with each refusal (capped), so long queues do not churn."""
        config = self.worker.limiter.config
        base = config.retry_delay
        if decision.reason == "rate" and decision.wait:
            wait = decision.wait
        else:
            wait = min(base * 1.5 ** times, config.max_retry_delay)
        wait += random.uniform(0, base)  # spread re-tries so waiting jobs do not stampede
        kept = persist(lambda: self.worker.store.mark_throttled(self.claim, decision.reason,
                                                                 wait),
                       what=f"putting job {self.job_id} back", give_up_after=self._patience)
        if not kept:
            return "lost"
        log.info("job %s throttled on %s (%s); due again in %.1f s", self.job_id,
                 decision.institution, decision.reason, wait)
        return f"throttled:{decision.reason}"

    @property
    def _patience(self) -> float:
        return self.worker.settings.timings.persist_seconds

    def _store(self, result: SyncResult, spec: dict[str, Any] | None,
               recipe: Recipe | None) -> str:
        store, error = self.worker.store, result.error
        if (error is not None and error.kind == ErrorKind.CHALLENGE_REQUIRED
                and result.resume_state and spec is not None and recipe is not None):
            secret = {c.name for c in recipe.credentials if c.secret}
            kept = {k: v for k, v in spec["credentials"].items() if k not in secret}
            resume_state, prompt = result.resume_state, str(error.details.get("prompt") or "")
            stored = persist(lambda: store.suspend(self.claim, result, resume_state, prompt,
                                                   {**spec, "credentials": kept}),
                             what=f"suspending job {self.job_id}", give_up_after=self._patience)
            word = "challenge_required"
        else:
            stored = persist(lambda: store.finish(self.claim, result),
                             what=f"storing the result of job {self.job_id}",
                             give_up_after=self._patience)
            word = error.code if error else "ok"
        if not stored:
            log.warning("job %s: result discarded, the job was taken from this attempt",
                        self.job_id)
            return "discarded"
        log.info("job %s done: %s in %.0f ms", self.job_id, word,
                 result.timings_ms.get("total", 0.0))
        return word


def _customer(sealer: Sealer, recipe: Recipe, spec: dict[str, Any]) -> str:
    """Whose login this is: the backend's ``customer`` id if it gave one, else the
    credentials that are not secret (the username), pseudonymized with the fleet key."""
    institution = recipe.institution.id
    if spec.get("customer"):
        return sealer.customer_id(institution, "id", str(spec["customer"]))
    secret = {c.name for c in recipe.credentials if c.secret}
    credentials: dict[str, str] = spec.get("credentials") or {}
    public = sorted((k, v) for k, v in credentials.items() if k not in secret)
    return sealer.customer_id(institution, "credentials",
                              *(f"{k}={v}" for k, v in public or sorted(credentials.items())))


def _options(given: dict[str, Any], state_key: bytes) -> SyncOptions:
    values = dict(given)  # the spec may be sealed again (suspension): keep it JSON
    unknown = set(values) - OPTION_NAMES
    if unknown:
        raise EngineError(f"unknown job options: {', '.join(sorted(unknown))}",
                          reason="bad_job")
    for name in ("since", "reference_date"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return SyncOptions(state_key=state_key, **values)


def _failure(institution: str, exc: SyncError) -> SyncResult:
    now = datetime.now(UTC)
    return SyncResult(institution=institution, started_at=now, finished_at=now,
                      error=exc.info())
