"""Job records, sealing and settings, against a real redis-server (no worker processes)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from engine.errors import ChallengeRequired
from engine.models import SyncResult
from engine.workers.jobs import Claim, JobNotFound, JobNotWaiting, JobState, JobStore
from engine.workers.sealing import Sealer
from engine.workers.settings import ConfigError, FleetTimings, WorkerSettings

PASSWORD = "s3cr3t-Pa55"


def _dump(client: redis.Redis, job_id: str) -> str:
    """Every byte Redis holds for this job, for 'never in the clear' checks."""
    parts = []
    for key in client.scan_iter(f"engine:job:{job_id}*"):
        kind = client.type(key)
        if kind == "hash":
            parts.append(str(client.hgetall(key)))
        elif kind == "list":
            parts.append(str(client.lrange(key, 0, -1)))
    return "\n".join(parts)


def _result(**values: object) -> SyncResult:
    return SyncResult(institution="banque-demo", started_at=datetime.now(UTC), **values)


def test_settings_need_the_key() -> None:
    with pytest.raises(ConfigError, match="ENGINE_WORKER_KEY"):
        WorkerSettings.from_env({})
    settings = WorkerSettings.from_env({"ENGINE_WORKER_KEY": "k", "ENGINE_QUEUE": "q"})
    assert settings.queue == "q" and "k'" not in repr(settings)
    assert settings.timings == FleetTimings()


def test_fleet_timings_are_validated(tmp_path: Path) -> None:
    timings = FleetTimings.from_setting('{"lease_seconds": 6, "sync_retries": 2}')
    assert timings.lease_seconds == 6 and timings.sync_retries == 2
    assert timings.renew_every == 2 and timings.fence_after == 4
    path = tmp_path / "fleet.yaml"
    path.write_text("dispatch_grace_seconds: 5\n")
    assert FleetTimings.from_setting(str(path)).dispatch_grace_seconds == 5
    with pytest.raises(ValueError, match="unknown fleet timings"):
        FleetTimings.from_setting('{"lease": 6}')
    with pytest.raises(ValueError, match="lease_seconds"):
        FleetTimings.parse({"lease_seconds": 0.5})


def test_job_lifecycle_claims_once_and_keeps_secrets_sealed(redis_client: redis.Redis) -> None:
    store = JobStore(redis_client, Sealer("fleet key"))
    job = uuid.uuid4().hex
    store.create(job, "banque-demo", {"credentials": {"password": PASSWORD}, "options": {}})
    assert store.status(job).state == JobState.QUEUED
    assert PASSWORD not in _dump(redis_client, job)
    first = Claim(job, "token-1")
    assert store.claim(job, "w1@host", 11, first.token) == "claimed"
    assert store.claim(job, "w1@host", 11, first.token) == "claimed"  # a retried call
    assert store.claim(job, "w2@host", 22, "token-2") == "running"  # a duplicate delivery
    assert store.spec(job) == {"credentials": {"password": PASSWORD}, "options": {}}

    with pytest.raises(JobNotWaiting, match="running"):
        store.submit_code(job, "123456")
    error = ChallengeRequired("code needed", prompt="Code SMS").info()
    assert store.suspend(first, _result(error=error, resume_state="engine-blob"), "engine-blob",
                         "Code SMS", {"credentials": {}, "options": {}})
    assert store.spec(job) == {"credentials": {}, "options": {}}  # password dropped
    status = store.status(job)
    assert status.state == JobState.CHALLENGE_REQUIRED and status.prompt == "Code SMS"
    assert store.result(job) is not None and store.result(job).resume_state is None  # type: ignore[union-attr]
    assert "engine-blob" not in _dump(redis_client, job)

    store.submit_code(job, "987654")
    assert "987654" not in _dump(redis_client, job)
    with pytest.raises(JobNotWaiting):
        store.submit_code(job, "987654")  # one answer per challenge
    assert store.resume(job) == ("engine-blob", "987654")
    second = Claim(job, "token-2")
    assert store.claim(job, "w2@host", 22, second.token) == "claimed"
    assert store.begin(second, "banque-demo", "lease-1", drop_code=True)
    assert store.resume(job) is None  # a code is good for one attempt

    assert not store.finish(first, _result())  # the first attempt's word is no longer valid
    assert store.finish(second, _result())
    assert store.finish(second, _result())  # repeating it (a retried command) is harmless
    assert store.spec(job) is None  # credentials forgotten as soon as the job is done
    status = store.status(job)
    assert status.state == JobState.DONE and status.settled
    assert status.runs == ["w1@host:11", "w2@host:22"] and status.attempts == 2
    assert status.institution == "banque-demo"
    assert store.claim(job, "w1@host", 11, "token-3") == "done"


def test_unknown_jobs(redis_client: redis.Redis) -> None:
    store = JobStore(redis_client, Sealer("fleet key"))
    with pytest.raises(JobNotFound):
        store.status("nope")
    with pytest.raises(JobNotFound):
        store.submit_code("nope", "1")
    assert store.claim("nope", "w1", 1, "t") == "missing"
