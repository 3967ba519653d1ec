"""Jobs in Redis: one record per sync request, living across the tasks that serve it.

A job is not a Celery task: a sync suspended for a one-time code is continued by a *second*
task, possibly on another machine, so the job's state lives here and Celery only carries job
ids. Two keys per job:

* ``engine:job:<id>`` (kept ``JOB_TTL_SECONDS``): state, recipe, institution, which worker ran
  it, counters, and the ``SyncResult`` **sealed** (account data is personal data too).
* ``engine:job:<id>:secrets``: the sealed job spec (credentials and options), the sealed resume
  state and the sealed one-time code. It expires on its own (an hour in the queue, the resume
  window while suspended) and is deleted as soon as the job is done, so a password never
  outlives its use.

States::

    queued ─► running ─► done                       (a SyncResult, success or classified error)
      ▲          │   └─► challenge_required ─(submit_code)─► resuming ─► running ─► ...
      └ throttled ◄┘    (re-queued with a countdown; never failed for being throttled)

Transitions that two parties could race on (a redelivered task, two code submissions) are
single Lua scripts, so exactly one wins.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

import redis

from engine.models import SyncResult
from engine.runner.state import RESUME_TTL_SECONDS
from engine.workers.sealing import Sealer
from engine.workers.settings import JOB_TTL_SECONDS, QUEUED_SECRETS_TTL_SECONDS

PREFIX = "engine:job"
WORKERS_KEY = "engine:workers"
STALE_RUNNING_SECONDS = 900.0
"""A job 'running' for longer than this was left by a dead worker; a redelivery may take it."""


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
    """Every attempt that ran, as ``hostname:pid`` (a resumed job shows two)."""
    attempts: int = 0
    throttled: int = 0
    """How many times the limiter made this job wait."""
    error_code: str | None = None
    prompt: str | None = None
    """What to ask the user for, when the state is ``challenge_required``."""
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def settled(self) -> bool:
        return self.state in SETTLED


_CLAIM = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
local ok = state == 'queued' or state == 'throttled' or state == 'resuming'
if state == 'running' then
  local since = tonumber(redis.call('HGET', KEYS[1], 'updated_at') or '0')
  ok = tonumber(ARGV[1]) - since > tonumber(ARGV[2])
end
if not ok then return state end
redis.call('HSET', KEYS[1], 'state', 'running', 'updated_at', ARGV[1], 'worker', ARGV[3],
           'worker_pid', ARGV[4])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('RPUSH', KEYS[2], ARGV[3] .. ':' .. ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return 'claimed'
"""

_SUBMIT = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if state ~= 'challenge_required' then return state end
if redis.call('HEXISTS', KEYS[2], 'resume') == 0 then return 'expired' end
redis.call('HSET', KEYS[2], 'code', ARGV[1])
redis.call('HSET', KEYS[1], 'state', 'resuming', 'updated_at', ARGV[2])
return 'ok'
"""


class JobStore:
    """Reads and writes job records; seals and opens secret fields with the fleet key."""

    def __init__(self, client: redis.Redis, sealer: Sealer) -> None:
        self._redis = client
        self._sealer = sealer
        self._claim = client.register_script(_CLAIM)
        self._submit = client.register_script(_SUBMIT)

    @staticmethod
    def key(job_id: str) -> str:
        return f"{PREFIX}:{job_id}"

    def _secrets(self, job_id: str) -> str:
        return f"{PREFIX}:{job_id}:secrets"

    # -- backend side ---------------------------------------------------------------------

    def create(self, job_id: str, recipe_id: str, spec: dict[str, Any]) -> None:
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.hset(self.key(job_id), mapping={
            "state": JobState.QUEUED.value, "recipe_id": recipe_id, "created_at": now,
            "updated_at": now, "attempts": 0, "throttled": 0})
        pipe.expire(self.key(job_id), JOB_TTL_SECONDS)
        pipe.hset(self._secrets(job_id), mapping={"spec": self._sealer.seal(spec)})
        pipe.expire(self._secrets(job_id), QUEUED_SECRETS_TTL_SECONDS)
        pipe.execute()

    def submit_code(self, job_id: str, code: str) -> None:
        """Store the sealed code and move the job to ``resuming`` (exactly once)."""
        outcome = self._submit(keys=[self.key(job_id), self._secrets(job_id)],
                               args=[self._sealer.seal(code), time.time()])
        outcome = str(outcome)
        if outcome == "missing":
            raise JobNotFound(job_id)
        if outcome == "expired":
            raise JobNotWaiting(f"job {job_id}: the one-time-code window has closed")
        if outcome != "ok":
            raise JobNotWaiting(f"job {job_id} is {outcome}, not waiting for a code")

    def status(self, job_id: str) -> JobStatus:
        data = cast(dict[str, str], self._redis.hgetall(self.key(job_id)))
        if not data:
            raise JobNotFound(job_id)
        runs = cast(list[str], self._redis.lrange(f"{self.key(job_id)}:runs", 0, -1))
        pid = data.get("worker_pid")
        return JobStatus(
            job_id=job_id, state=JobState(data["state"]), recipe_id=data.get("recipe_id", ""),
            institution=data.get("institution") or None, worker=data.get("worker") or None,
            worker_pid=int(pid) if pid else None, runs=list(runs),
            attempts=int(data.get("attempts", 0)), throttled=int(data.get("throttled", 0)),
            error_code=data.get("error_code") or None, prompt=data.get("prompt") or None,
            created_at=float(data.get("created_at", 0)),
            updated_at=float(data.get("updated_at", 0)))

    def result(self, job_id: str) -> SyncResult | None:
        token = cast(str | None, self._redis.hget(self.key(job_id), "result"))
        if token is None:
            return None
        return SyncResult.model_validate(self._sealer.open(token))

    # -- worker side ----------------------------------------------------------------------

    def claim(self, job_id: str, worker: str, pid: int,
              stale_after: float = STALE_RUNNING_SECONDS) -> str:
        """``claimed``, or why not (``missing``, ``done``, ``running``...): a redelivered or
        duplicate task must not run a sync twice."""
        return str(self._claim(keys=[self.key(job_id), f"{self.key(job_id)}:runs"],
                               args=[time.time(), stale_after, worker, pid, JOB_TTL_SECONDS]))

    def spec(self, job_id: str) -> dict[str, Any] | None:
        """The opened job spec, or None once its secrets expired."""
        token = cast(str | None, self._redis.hget(self._secrets(job_id), "spec"))
        return None if token is None else cast(dict[str, Any], self._sealer.open(token))

    def resume(self, job_id: str) -> tuple[str, str] | None:
        """(resume state, code) when the job is being resumed with a submitted code."""
        resume, code = cast(list[str | None],
                            self._redis.hmget(self._secrets(job_id), ["resume", "code"]))
        if resume is None or code is None:
            return None
        return str(self._sealer.open(resume)), str(self._sealer.open(code))

    def drop_code(self, job_id: str) -> None:
        """Forget the code once a sync is about to use it: good for one attempt only."""
        self._redis.hdel(self._secrets(job_id), "code")

    def set_institution(self, job_id: str, institution: str) -> None:
        self._redis.hset(self.key(job_id), "institution", institution)

    def mark_throttled(self, job_id: str, reason: str, retry_in: float) -> None:
        pipe = self._redis.pipeline()
        pipe.hset(self.key(job_id), mapping={
            "state": JobState.THROTTLED.value, "updated_at": time.time(),
            "throttle_reason": reason, "retry_at": time.time() + retry_in})
        pipe.hincrby(self.key(job_id), "throttled", 1)
        pipe.execute()

    def suspend(self, job_id: str, result: SyncResult, resume_state: str, prompt: str,
                spec: dict[str, Any]) -> None:
        """Park the job for its code: resume state sealed server-side, never returned.

        ``spec`` replaces the stored one: the worker passes it without the passwords, which a
        resumed sync does not type again, so they leave Redis at the first opportunity.
        """
        public = result.model_copy(update={"resume_state": None})
        pipe = self._redis.pipeline()
        pipe.hset(self._secrets(job_id), "spec", self._sealer.seal(spec))
        pipe.hset(self.key(job_id), mapping={
            "state": JobState.CHALLENGE_REQUIRED.value, "updated_at": time.time(),
            "result": self._sealer.seal(public.model_dump(mode="json")), "prompt": prompt,
            "error_code": result.error.code if result.error else ""})
        pipe.hset(self._secrets(job_id), "resume", self._sealer.seal(resume_state))
        pipe.hdel(self._secrets(job_id), "code")
        # The code window: the engine's resume state is worthless after it anyway.
        pipe.expire(self._secrets(job_id), RESUME_TTL_SECONDS + 60)
        pipe.execute()

    def finish(self, job_id: str, result: SyncResult) -> None:
        """Store the final result (sealed) and forget the credentials at once."""
        public = result.model_copy(update={"resume_state": None})
        pipe = self._redis.pipeline()
        pipe.hset(self.key(job_id), mapping={
            "state": JobState.DONE.value, "updated_at": time.time(),
            "result": self._sealer.seal(public.model_dump(mode="json")),
            "error_code": result.error.code if result.error else "", "prompt": ""})
        pipe.delete(self._secrets(job_id))
        pipe.execute()

    # -- fleet registry -------------------------------------------------------------------

    def register_worker(self, hostname: str, info: dict[str, Any]) -> None:
        self._redis.hset(WORKERS_KEY, hostname, json.dumps(info))

    def unregister_worker(self, hostname: str) -> None:
        self._redis.hdel(WORKERS_KEY, hostname)

    def workers(self) -> dict[str, dict[str, Any]]:
        raw = cast(dict[str, str], self._redis.hgetall(WORKERS_KEY))
        return {name: json.loads(value) for name, value in raw.items()}
