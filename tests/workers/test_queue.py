"""The queue in Redis, in-process against a real redis-server: dispatch, claims, leases, reaping,
the customer lock, the registry and a housekeeper that outlives a Redis restart."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from engine.errors import ChallengeRequired
from engine.models import SyncResult
from engine.workers import keys
from engine.workers.broker import TASK_NAME, make_celery
from engine.workers.connection import connect
from engine.workers.fleet import FleetView, Registry
from engine.workers.housekeeping import Housekeeper
from engine.workers.jobs import WORKER_LOST, Claim, JobState, JobStore
from engine.workers.queue import Scheduler, count_jobs
from engine.workers.sealing import Sealer
from engine.workers.settings import FleetTimings
from engine.workers.throttle import Limiter, Limits, ThrottleConfig
from tests.workers.conftest import _need_redis
from tests.workers.processes import RedisServer

PASSWORD = "s3cr3t-Pa55"
SPEC = {"credentials": {"username": "alice", "password": PASSWORD}, "options": {}}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    _need_redis()
    server = RedisServer(tmp_path_factory.mktemp("queue-redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(server: RedisServer) -> Iterator[redis.Redis]:
    """A clean database for each test: the queue's indexes are fleet-wide."""
    client = connect(server.url)
    client.flushdb()
    yield client
    client.close()


def _parts(client: redis.Redis, lease: float = 1.0, retries: int = 1
           ) -> tuple[JobStore, Scheduler, Limiter]:
    store = JobStore(client, Sealer("fleet key"), lease_seconds=lease, sync_retries=retries)
    limiter = Limiter(client, ThrottleConfig(default=Limits(10, 1000)))
    return store, Scheduler(client, store, limiter, dispatch_grace_seconds=1), limiter


def _job(store: JobStore) -> str:
    job = uuid.uuid4().hex
    store.create(job, "banque-demo", SPEC)
    time.sleep(0.002)  # distinct creation times: the queue is ordered by them
    return job


def _result() -> SyncResult:
    return SyncResult(institution="banque-demo", started_at=datetime.now(UTC))


def test_dispatch_hands_out_due_jobs_oldest_first_within_capacity(client: redis.Redis) -> None:
    store, scheduler, _ = _parts(client)
    jobs = [_job(store) for _ in range(5)]
    assert scheduler.dispatch(0) == []  # no live worker: everything stays in Redis
    assert scheduler.dispatch(2) == jobs[:2]
    assert scheduler.dispatch(2) == []  # two handed out and not claimed yet: no room
    assert store.claim(jobs[0], "w1", 1, "t0") == "claimed"
    assert scheduler.dispatch(3) == [jobs[2]]  # 1 running + 1 handed out: one free slot
    assert count_jobs(client).as_dict() == {"running": 1, "queued": 4, "throttled": 0,
                                            "suspended": 0}


def test_two_dispatchers_never_hand_out_one_job_twice(server: RedisServer,
                                                      client: redis.Redis) -> None:
    store, _, _ = _parts(client)
    jobs = {_job(store) for _ in range(60)}
    handed: list[str] = []
    lock = threading.Lock()

    def dispatcher() -> None:
        own = connect(server.url)
        scheduler = Scheduler(own, JobStore(own, Sealer("fleet key")), Limiter(own),
                              dispatch_grace_seconds=60)
        for _ in range(30):
            got = scheduler.dispatch(1000)
            with lock:
                handed.extend(got)
        own.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(handed) == sorted(jobs)  # each exactly once


def test_a_job_handed_out_but_never_claimed_is_handed_out_again(client: redis.Redis) -> None:
    """The message died with a worker (or in a broker restart): the grace brings it back."""
    store, scheduler, _ = _parts(client)
    job = _job(store)
    assert scheduler.dispatch(4) == [job]
    assert scheduler.dispatch(4) == []
    time.sleep(1.1)
    assert scheduler.dispatch(4) == [job]
    assert store.claim(job, "w1", 1, "t") == "claimed"
    assert store.claim(job, "w2", 2, "u") == "running"  # the first message, late: refused


def test_a_throttled_job_waits_in_redis_until_it_is_due(client: redis.Redis) -> None:
    store, scheduler, _ = _parts(client)
    job = _job(store)
    claim = Claim(job, "t1")
    assert scheduler.dispatch(4) == [job] and store.claim(job, "w1", 1, claim.token) == "claimed"
    assert store.mark_throttled(claim, "concurrency", 0.6)
    assert store.mark_throttled(claim, "concurrency", 0.6)  # retried after a dropped reply
    assert store.status(job).state == JobState.THROTTLED and store.status(job).throttled == 1
    assert count_jobs(client).throttled == 1
    assert scheduler.dispatch(4) == []
    assert store.claim(job, "w2", 2, "early") == "not_due"  # a stale message cannot jump it
    time.sleep(0.7)
    assert scheduler.dispatch(4) == [job]
    assert store.claim(job, "w2", 2, "t2") == "claimed"
    assert count_jobs(client).throttled == 0


def test_the_reaper_requeues_a_dead_workers_jobs_and_retries_a_sync_once(
        client: redis.Redis) -> None:
    store, scheduler, limiter = _parts(client, lease=0.5, retries=1)
    older, job = _job(store), _job(store)
    assert store.claim(job, "w1", 1, "a1") == "claimed"  # claimed, never started
    time.sleep(0.6)
    assert scheduler.reap() == {job: "requeued"}
    status = store.status(job)
    assert status.state == JobState.QUEUED and status.retried == 0  # no sync had started
    assert status.requeued_at is not None
    assert scheduler.dispatch(1) == [older]  # back at its place: created after `older`

    first = Claim(job, "a2")
    assert store.claim(job, "w1", 1, first.token) == "claimed"
    decision = limiter.acquire("banque-demo")
    assert decision.lease is not None
    assert store.begin(first, "banque-demo", decision.lease, drop_code=False)
    assert store.renew(first, "alice") == 1
    assert scheduler.reap() == {}  # its lease is alive
    time.sleep(0.6)  # the worker dies mid-sync
    assert scheduler.reap() == {job: "requeued"}
    assert limiter.active("banque-demo") == 0  # the dead attempt's throttle slot, freed
    assert store.status(job).retried == 1 and store.spec(job) == SPEC  # can log in again
    assert store.renew(first, "alice") == 0  # the dead attempt, back to life: refused
    assert not store.finish(first, _result())

    second = Claim(job, "a3")
    assert store.claim(job, "w2", 2, second.token) == "claimed"
    assert store.begin(second, "banque-demo", "lease", drop_code=False)
    time.sleep(0.6)  # ... and dies mid-sync too: retries exhausted
    assert scheduler.reap() == {job: "failed"}
    status = store.status(job)
    assert status.state == JobState.DONE and status.error_code == WORKER_LOST
    result = store.result(job)
    assert result is not None and result.error is not None
    assert result.error.code == WORKER_LOST and result.institution == "banque-demo"
    assert store.spec(job) is None  # credentials forgotten
    assert not store.finish(second, _result())  # and nothing can overwrite that outcome


def test_a_resumed_sync_that_dies_is_not_retried(client: redis.Redis) -> None:
    """Its one-time code was spent at the bank: a retry could only fail, or lock the user out."""
    store, scheduler, _ = _parts(client, lease=0.5)
    job = _job(store)
    claim = Claim(job, "t1")
    store.claim(job, "w1", 1, claim.token)
    waiting = _result().model_copy(
        update={"error": ChallengeRequired("code needed", prompt="Code SMS").info()})
    assert store.suspend(claim, waiting, "resume-blob", "Code SMS", {"credentials": {}})
    assert count_jobs(client).suspended == 1
    store.submit_code(job, "123456")
    resumed = Claim(job, "t2")
    assert scheduler.dispatch(1) == [job]
    assert store.claim(job, "w2", 2, resumed.token) == "claimed"
    time.sleep(0.6)  # dies before starting: goes back as a resume, code kept
    assert scheduler.reap() == {job: "requeued"}
    assert store.status(job).state == JobState.RESUMING and store.resume(job) is not None
    again = Claim(job, "t3")
    store.claim(job, "w2", 2, again.token)
    assert store.begin(again, "banque-demo", "lease", drop_code=True)
    time.sleep(0.6)  # dies mid-sync, code spent
    assert scheduler.reap() == {job: "failed"}


def test_one_login_per_customer_and_a_dead_holder_does_not_block(client: redis.Redis) -> None:
    store, scheduler, _ = _parts(client, lease=0.5)
    first, second = _job(store), _job(store)
    a, b = Claim(first, "a"), Claim(second, "b")
    store.claim(first, "w1", 1, a.token)
    store.claim(second, "w2", 2, b.token)
    assert store.lock_customer(a, "alice") == "ok"
    assert store.lock_customer(b, "alice") == "busy"
    assert store.lock_customer(b, "bob") == "ok"  # another customer: no wait
    assert store.begin(a, "banque-demo", "l", drop_code=False)
    assert store.renew(b, "alice") == -1  # b never held alice's lock
    time.sleep(0.6)  # first's worker dies (second's lease expires too: it was idle)
    assert set(scheduler.reap()) == {first, second}
    c = Claim(second, "c")
    store.claim(second, "w2", 2, c.token)
    assert store.lock_customer(c, "alice") == "ok"  # the dead holder's job is not running
    d = Claim(first, "d")
    store.claim(first, "w3", 3, d.token)
    assert store.lock_customer(d, "alice") == "busy"
    assert store.finish(c, _result())  # releases the lock
    assert store.lock_customer(d, "alice") == "ok"


def test_registry_heartbeats_expire_on_their_own(client: redis.Redis) -> None:
    registry = Registry(client, heartbeat_seconds=0.2)  # expires after 0.6 s
    registry.beat("w1@h", {"pid": 1, "concurrency": 2})
    registry.beat("w2@h", {"pid": 2, "concurrency": 3})
    assert set(registry.live()) == {"w1@h", "w2@h"} and registry.capacity() == 5
    registry.leave("w2@h")
    assert set(registry.live()) == {"w1@h"}
    time.sleep(0.7)  # w1 died: no more heartbeats
    assert registry.live() == {} and registry.capacity() == 0
    assert client.smembers(keys.WORKERS) == set()  # pruned from the index as well
    registry.beat("w3@h", {"pid": 3, "concurrency": 1})
    view = FleetView.read(client).as_dict()
    assert [w["name"] for w in view["workers"]] == ["w3@h"]
    assert view["jobs"] == {"running": 0, "queued": 0, "throttled": 0, "suspended": 0}


def _message_bodies(raw: bytes) -> list[Any]:
    envelope = json.loads(raw)
    assert envelope["properties"]["body_encoding"] == "base64"
    return list(json.loads(base64.b64decode(envelope["body"])))


def test_a_housekeeper_dispatches_reaps_and_outlives_a_redis_restart(
        tmp_path: Path, server: RedisServer) -> None:
    """Real Celery messages to a queue nobody consumes: they carry the job id and nothing
    else; a Redis restart (persistence on) interrupts the housekeeper, which resumes alone."""
    _need_redis()
    own = RedisServer(tmp_path / "redis", persistent=True).start()
    client = connect(own.url)
    queue = f"probe-{uuid.uuid4().hex[:8]}"
    celery = make_celery(own.url, queue)
    store, _, limiter = _parts(client, lease=1.0)
    timings = FleetTimings(lease_seconds=1, heartbeat_seconds=0.3, dispatch_grace_seconds=30,
                           poll_seconds=0.05)
    keeper = Housekeeper(
        "hk@test", registry=Registry(client, heartbeat_seconds=0.3),
        scheduler=Scheduler(client, store, limiter, dispatch_grace_seconds=30),
        send=lambda job: celery.send_task(TASK_NAME, args=[job], queue=queue),
        describe=lambda: {"pid": 0, "concurrency": 3}, timings=timings)
    try:
        jobs = [_job(store) for _ in range(5)]
        keeper.start()
        raw = redis.Redis.from_url(own.url)
        deadline = time.monotonic() + 10
        while raw.llen(queue) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        messages = raw.lrange(queue, 0, -1)
        assert sorted(_message_bodies(m)[0][0] for m in messages) == sorted(jobs[:3])
        assert all(PASSWORD.encode() not in m and b"alice" not in m for m in messages)

        own.restart(down_for=1.0)  # the housekeeper backs off, then carries on
        claim = Claim(jobs[0], "t")
        assert store.claim(jobs[0], "w1", 1, claim.token) == "claimed"  # ... and dies
        deadline = time.monotonic() + 15
        while store.status(jobs[0]).state != JobState.QUEUED and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.status(jobs[0]).state == JobState.QUEUED  # reaped after the restart
        assert "hk@test" in Registry(client).live()
        assert all(store.status(job).state == JobState.QUEUED for job in jobs)  # kept by AOF
        raw.close()
    finally:
        keeper.stop()
        celery.close()
        client.close()
        own.stop()
