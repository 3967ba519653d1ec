"""The body of the one Celery task: take a job id, run (or resume) its sync, store the outcome.

Kept free of Celery so it reads top to bottom and can be tested or reused with another queue:
``app.py`` only adapts it. The steps, and why in that order:

1. **claim** the job atomically, so a redelivered or duplicated message never runs a sync twice;
2. open the sealed **spec** (credentials, options) and load the **recipe by id** from this
   worker's checkout (a message never carries code or recipe text);
3. ask the **limiter** for a slot; if refused, mark the job ``throttled`` and re-queue it with
   a countdown (it waits, it does not fail, and the worker thread is free meanwhile);
4. run the sync on the process's shared browser, renewing the lease while it runs;
5. store a ``SyncResult``, or park the job for its one-time code with the resume state sealed.

Whatever goes wrong, the backend gets a ``SyncResult`` with a classified error, never a job
stuck in ``running``.
"""

from __future__ import annotations

import logging
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import redis

from engine.errors import EngineError, ErrorKind, RecipeError, SyncError
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.runner.context import SyncOptions
from engine.workers.jobs import JobStore
from engine.workers.runtime import WorkerRuntime
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
    _recipes: dict[Path, tuple[float, Recipe]]

    @classmethod
    def create(cls, settings: WorkerSettings, runtime: WorkerRuntime) -> Worker:
        client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
        sealer = Sealer(settings.key)
        return cls(settings, JobStore(client, sealer), Limiter(client, settings.throttle),
                   sealer, runtime, {})

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


Requeue = Callable[[str, float], None]


def execute_job(worker: Worker, job_id: str, hostname: str, requeue: Requeue) -> str:
    """Serve one delivery of ``job_id``; returns a short outcome word for the task log."""
    claimed = worker.store.claim(job_id, hostname, os.getpid())
    if claimed != "claimed":
        log.info("job %s skipped: %s", job_id, claimed)
        return f"skipped:{claimed}"
    institution = "unknown"
    spec: dict[str, Any] | None = None
    recipe: Recipe | None = None
    try:
        status = worker.store.status(job_id)
        spec = worker.store.spec(job_id)
        if spec is None:
            raise EngineError("the job's credentials expired before a worker could run it",
                              reason="job_expired")
        try:
            recipe = worker.recipe(status.recipe_id)
        except (OSError, ValueError, RecipeError):
            raise EngineError(f"no valid recipe {status.recipe_id!r} on this worker",
                              reason="unknown_recipe") from None
        institution = recipe.institution.id
        worker.store.set_institution(job_id, institution)
        options = _options(spec.get("options") or {}, worker.sealer.state_key)
        resume = worker.store.resume(job_id)
        decision = worker.limiter.acquire(institution, count_rate=resume is None)
        if not decision.granted:
            return _throttled(worker, job_id, decision, requeue, status.throttled)
        assert decision.lease is not None
        if resume is not None:
            worker.store.drop_code(job_id)  # a one-time code is good for one attempt only
            options = replace(options, resume_state=resume[0], otp_code=resume[1])
        lease = decision.lease

        def heartbeat() -> None:
            if not worker.limiter.renew(institution, lease):
                log.warning("job %s: throttle lease on %s expired mid-sync", job_id,
                            institution)

        try:
            result = worker.runtime.run(
                worker.runtime.sync(recipe, spec["credentials"], options), heartbeat=heartbeat,
                interval=max(1.0, worker.limiter.config.lease_seconds / 3))
        finally:
            worker.limiter.release(institution, lease)
    except SyncError as exc:
        result = _failure(institution, exc)
    except Exception as exc:
        log.exception("job %s crashed", job_id)
        result = _failure(institution, EngineError(f"worker crash: {type(exc).__name__}",
                                                   reason="worker_crash"))
    return _store(worker, job_id, result, spec, recipe)


def _throttled(worker: Worker, job_id: str, decision: Decision, requeue: Requeue,
               times: int) -> str:
    """Re-queue with a countdown: the exact wait for a rate limit; for a busy institution,
    a delay growing with each refusal (capped), so long queues do not churn the broker."""
    config = worker.limiter.config
    base = config.retry_delay
    if decision.reason == "rate" and decision.wait:
        wait = decision.wait
    else:
        wait = min(base * 1.5 ** times, config.max_retry_delay)
    wait += random.uniform(0, base)  # spread re-tries so waiting jobs do not stampede
    worker.store.mark_throttled(job_id, decision.reason, wait)
    requeue(job_id, wait)
    log.info("job %s throttled on %s (%s); retry in %.1f s", job_id, decision.institution,
             decision.reason, wait)
    return f"throttled:{decision.reason}"


def _store(worker: Worker, job_id: str, result: SyncResult, spec: dict[str, Any] | None,
           recipe: Recipe | None) -> str:
    error = result.error
    if (error is not None and error.kind == ErrorKind.CHALLENGE_REQUIRED and result.resume_state
            and spec is not None and recipe is not None):
        secret = {c.name for c in recipe.credentials if c.secret}
        kept = {k: v for k, v in spec["credentials"].items() if k not in secret}
        worker.store.suspend(job_id, result, result.resume_state,
                             str(error.details.get("prompt") or ""),
                             {**spec, "credentials": kept})
        log.info("job %s suspended: %s", job_id, error.code)
        return "challenge_required"
    worker.store.finish(job_id, result)
    log.info("job %s done: %s in %.0f ms", job_id, error.code if error else "ok",
             result.timings_ms.get("total", 0.0))
    return error.code if error else "ok"


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
