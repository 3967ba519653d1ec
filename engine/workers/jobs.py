"""Jobs in Redis: one record per sync request, living across the attempts that serve it.

A job is not a Celery task: a sync suspended for a one-time code is continued by a *second*
attempt, possibly on another machine, and an attempt whose worker died is replaced by a new
one, so the job's state lives here and Celery only carries job ids. Per job:

* ``engine:job:<id>`` (kept ``JOB_TTL_SECONDS``): state, recipe, institution, which worker ran
  it, counters, the current attempt's token, and the ``SyncResult`` **sealed** (account data is
  personal data too).
* ``engine:job:<id>:secrets``: the sealed job spec (credentials and options), the sealed resume
  state and the sealed one-time code. It expires on its own (an hour in the queue, the resume
  window while suspended) and is deleted as soon as the job is done, so a password never
  outlives its use.

The transitions are the scripts of ``scripts.py``; this class seals and opens what they store
and turns their answers into Python values. Fleet-wide views (dispatching, reaping, counts)
are in ``queue.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

import redis

from engine.errors import EngineError
from engine.models import SyncResult
from engine.runner.state import RESUME_TTL_SECONDS
from engine.workers import keys, scripts
from engine.workers.sealing import Sealer
from engine.workers.settings import JOB_TTL_SECONDS, QUEUED_SECRETS_TTL_SECONDS

WORKER_LOST = "engine_error.worker_lost"


class JobState(StrEnum):
    QUEUED = "queued"
    THROTTLED = "throttled"
    RUNNING = "running"
    CHALLENGE_REQUIRED = "challenge_required"
    RESUMING = "resuming"
    DONE = "done"


SETTLED = frozenset({JobState.CHALLENGE_REQUIRED, JobState.DONE})
"""States where the backend has something to read (a result, or a code to ask for)."""


class JobNotFound(KeyError):
    """No such job (never created, or expired)."""


class JobNotWaiting(RuntimeError):
    """``submit_code`` on a job that is not waiting for a code (or whose window closed)."""


@dataclass(frozen=True)
class JobStatus:
    """What the backend may know about a job without the key: no secret, no account data."""

    job_id: str
    state: JobState
    recipe_id: str
    institution: str | None = None
    worker: str | None = None
    """Celery hostname of the worker that ran the latest attempt (``w1@host``)."""
    worker_pid: int | None = None
    runs: list[str] = field(default_factory=list)
    """Every attempt that claimed the job, as ``hostname:pid`` (a resumed job shows two)."""
    attempts: int = 0
    throttled: int = 0
    """How many times the limiter (or the customer's lock) made this job wait."""
    retried: int = 0
    """How many times the job was taken back from a worker that died mid-sync."""
    error_code: str | None = None
    prompt: str | None = None
    """What to ask the user for, when the state is ``challenge_required``."""
    created_at: float = 0.0
    updated_at: float = 0.0
    requeued_at: float | None = None
    """When the job was last taken back from a worker that stopped renewing its lease."""

    @property
    def settled(self) -> bool:
        return self.state in SETTLED


@dataclass(frozen=True)
class Claim:
    """An attempt's right to act on a job: every write of the attempt presents the token."""

    job_id: str
    token: str


class JobStore:
    """Reads and writes job records; seals and opens secret fields with the fleet key."""

    def __init__(self, client: redis.Redis, sealer: Sealer, *, lease_seconds: float = 15.0,
                 sync_retries: int = 1) -> None:
        self._redis = client
        self._sealer = sealer
        self._lease_ms = int(lease_seconds * 1000)
        self._lock_ms = self._lease_ms * 4
        self._sync_retries = sync_retries
        self._scripts = {name: client.register_script(getattr(scripts, name)) for name in (
            "CREATE", "CLAIM", "LOCK_CUSTOMER", "BEGIN", "RENEW", "THROTTLE", "FINISH",
            "SUSPEND", "SUBMIT", "REAP")}

    def _run(self, name: str, keys_: list[str], args: list[Any]) -> Any:
        return self._scripts[name](keys=keys_, args=args)

    @property
    def sealer(self) -> Sealer:
        return self._sealer

    @property
    def client(self) -> redis.Redis:
        return self._redis

    # -- backend side ---------------------------------------------------------------------

    def create(self, job_id: str, recipe_id: str, spec: dict[str, Any]) -> None:
        """Record the job and make it due now; some worker's dispatcher hands it out."""
        self._run("CREATE", [keys.job(job_id), keys.secrets(job_id), keys.DUE], [
            job_id, recipe_id, self._sealer.seal(spec), JOB_TTL_SECONDS,
            QUEUED_SECRETS_TTL_SECONDS])

    def submit_code(self, job_id: str, code: str) -> None:
        """Store the sealed code and make the job due again as ``resuming`` (exactly once)."""
        outcome = str(self._run("SUBMIT", [keys.job(job_id), keys.secrets(job_id),
                                           keys.SUSPENDED, keys.DUE],
                                [job_id, self._sealer.seal(code)]))
        if outcome == "missing":
            raise JobNotFound(job_id)
        if outcome == "expired":
            raise JobNotWaiting(f"job {job_id}: the one-time-code window has closed")
        if outcome != "ok":
            raise JobNotWaiting(f"job {job_id} is {outcome}, not waiting for a code")

    def status(self, job_id: str) -> JobStatus:
        data = cast(dict[str, str], self._redis.hgetall(keys.job(job_id)))
        if not data:
            raise JobNotFound(job_id)
        runs = cast(list[str], self._redis.lrange(keys.runs(job_id), 0, -1))
        pid = data.get("worker_pid")
        return JobStatus(
            job_id=job_id, state=JobState(data["state"]), recipe_id=data.get("recipe_id", ""),
            institution=data.get("institution") or None, worker=data.get("worker") or None,
            worker_pid=int(pid) if pid else None, runs=list(runs),
            attempts=int(data.get("attempts", 0)), throttled=int(data.get("throttled", 0)),
            retried=int(data.get("retried", 0)), error_code=data.get("error_code") or None,
            prompt=data.get("prompt") or None, created_at=float(data.get("created_at", 0)),
            updated_at=float(data.get("updated_at", 0)),
            requeued_at=float(data["requeued_at"]) if data.get("requeued_at") else None)

    def result(self, job_id: str) -> SyncResult | None:
        """The stored result; for a job the reaper failed (its worker died on every attempt),
        one made from the record, since the reaper holds no key to seal anything."""
        token, code, institution = cast(list[str | None], self._redis.hmget(
            keys.job(job_id), ["result", "error_code", "institution"]))
        if token:
            return SyncResult.model_validate(self._sealer.open(token))
        if code == WORKER_LOST:
            now = datetime.now(UTC)
            error = EngineError("the worker running this sync stopped responding on every "
                                "attempt allowed", reason="worker_lost")
            return SyncResult(institution=institution or "unknown", started_at=now,
                              finished_at=now, error=error.info())
        return None

    # -- worker side: one attempt ---------------------------------------------------------

    def claim(self, job_id: str, worker: str, pid: int, token: str) -> str:
        """``claimed``, or why not (``missing``, ``done``, ``running``, ``not_due``...): a
        redelivered or duplicate message must not run a sync twice."""
        return str(self._run("CLAIM", [
            keys.job(job_id), keys.runs(job_id), keys.DUE, keys.DISPATCHED, keys.RUNNING,
            keys.THROTTLED], [job_id, worker, pid, token, self._lease_ms, JOB_TTL_SECONDS]))

    def lock_customer(self, claim: Claim, pseudonym: str) -> str:
        """``ok`` (this attempt holds the customer's login lock), ``busy`` (another job of the
        customer is running) or ``lost`` (the job was taken from this attempt)."""
        return str(self._run("LOCK_CUSTOMER", [keys.job(claim.job_id), keys.customer(pseudonym),
                                               keys.RUNNING],
                             [claim.job_id, claim.token, self._lock_ms]))

    def begin(self, claim: Claim, institution: str, throttle_lease: str, *,
              drop_code: bool) -> bool:
        """Mark the sync started (a death from now on counts as mid-sync); a resumed sync
        forgets its code here, since a one-time code is good for one attempt only."""
        return str(self._run("BEGIN", [keys.job(claim.job_id), keys.secrets(claim.job_id)], [
            claim.token, institution, throttle_lease, "1" if drop_code else "0"])) == "ok"

    def renew(self, claim: Claim, pseudonym: str) -> int:
        """Extend the attempt's lease and customer lock: 1 renewed, 0 the job was taken from
        this attempt, -1 another job holds the customer's lock. Both mean: stop the sync."""
        return int(self._run("RENEW", [keys.job(claim.job_id), keys.RUNNING,
                                       keys.customer(pseudonym)],
                             [claim.job_id, claim.token, self._lease_ms, self._lock_ms]))

    def mark_throttled(self, claim: Claim, reason: str, retry_in: float) -> bool:
        """Put the job back, due in ``retry_in`` seconds (it waits in Redis, not in a worker)."""
        return str(self._run("THROTTLE", [keys.job(claim.job_id), keys.RUNNING, keys.DUE,
                                          keys.THROTTLED],
                             [claim.job_id, claim.token, int(retry_in * 1000), reason])) == "ok"

    def finish(self, claim: Claim, result: SyncResult) -> bool:
        """Store the final result (sealed) and forget the credentials at once. False when the
        job was taken from this attempt: its result is then not the job's."""
        public = result.model_copy(update={"resume_state": None})
        code = result.error.code if result.error else ""
        return str(self._run("FINISH", [keys.job(claim.job_id), keys.RUNNING,
                                        keys.secrets(claim.job_id)], [
            claim.job_id, claim.token, self._sealer.seal(public.model_dump(mode="json")),
            code])) == "ok"

    def suspend(self, claim: Claim, result: SyncResult, resume_state: str, prompt: str,
                spec: dict[str, Any]) -> bool:
        """Park the job for its code: resume state sealed server-side, never returned.

        ``spec`` replaces the stored one: the worker passes it without the passwords, which a
        resumed sync does not type again, so they leave Redis at the first opportunity.
        """
        public = result.model_copy(update={"resume_state": None})
        code = result.error.code if result.error else ""
        return str(self._run("SUSPEND", [keys.job(claim.job_id), keys.RUNNING,
                                         keys.secrets(claim.job_id), keys.SUSPENDED], [
            claim.job_id, claim.token, self._sealer.seal(public.model_dump(mode="json")),
            code, prompt, self._sealer.seal(spec), self._sealer.seal(resume_state),
            RESUME_TTL_SECONDS + 60])) == "ok"

    def reap(self, job_id: str) -> tuple[str, str, str]:
        """Judge one job whose lease expired: (outcome, institution, throttle lease)."""
        outcome, institution, lease = cast(list[str], self._run("REAP", [
            keys.job(job_id), keys.RUNNING, keys.DUE, keys.secrets(job_id)],
            [job_id, self._sync_retries]))
        return str(outcome), str(institution), str(lease)

    def spec(self, job_id: str) -> dict[str, Any] | None:
        """The opened job spec, or None once its secrets expired."""
        token = cast(str | None, self._redis.hget(keys.secrets(job_id), "spec"))
        return None if token is None else cast(dict[str, Any], self._sealer.open(token))

    def resume(self, job_id: str) -> tuple[str, str] | None:
        """(resume state, code) when the job is being resumed with a submitted code."""
        resume, code = cast(list[str | None],
                            self._redis.hmget(keys.secrets(job_id), ["resume", "code"]))
        if resume is None or code is None:
            return None
        return str(self._sealer.open(resume)), str(self._sealer.open(code))
