"""Faults on a real fleet: a worker SIGKILLed mid-sync and Redis restarted, in one batch; and a
one-time-code suspension that outlives a Redis restart. ``make chaos`` runs the long version."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from cryptography.fernet import Fernet

from engine.workers.client import JobState, WorkerClient
from sites._server import ThreadedServer
from tests.workers.chaos import Config, run
from tests.workers.conftest import TIMINGS, _need_redis, worker_env
from tests.workers.processes import RedisServer, WorkerProcess

BATCH = Config(jobs=12, workers=2, concurrency=2, limit=2, per_minute=60, lease_seconds=5,
               redis_down_seconds=3, timeout=100)


def test_a_batch_survives_a_sigkilled_worker_and_a_redis_restart(tmp_path: Path) -> None:
    """Two workers, twelve jobs of six customers, throttle 2 at once: one worker is SIGKILLed
    while a sync runs on it, later Redis is stopped for 3 s and started again (AOF on)."""
    _need_redis()
    started = time.monotonic()
    report = run("both", BATCH, folder=tmp_path)
    facts = dataclasses.asdict(report)
    assert report.requeued_within is not None, f"no sync was running to kill: {facts}"
    assert report.lost == 0 and report.ok == BATCH.jobs, facts  # every job ended, and well
    assert report.completed_twice == 0, facts  # no job completed on two workers
    assert report.retried >= 1, facts  # the killed sync ran again, once, elsewhere
    assert report.requeued_within <= BATCH.lease_seconds + 2, facts  # not the hour-long timeout
    assert report.left_registry_within is not None and report.left_registry_within <= 6, facts
    assert report.workers_alive == 1, facts  # the survivor outlived the Redis restart
    assert report.max_concurrent <= BATCH.limit, facts
    assert report.max_logins_per_minute <= BATCH.per_minute, facts
    assert report.customer_overlaps == 0, facts  # never two logins of one customer at once
    assert report.logins <= BATCH.jobs + report.retried, facts  # at most one login per attempt
    assert time.monotonic() - started < 110


def test_a_suspended_job_survives_a_redis_restart(tmp_path: Path) -> None:
    """The one-time-code state is in Redis: with the append-only file on, a restart between
    the challenge and the code loses nothing, and the resumed sync does not log in again."""
    from sites.banque_demo import create_app

    _need_redis()
    server = RedisServer(tmp_path / "redis", persistent=True).start()
    site = ThreadedServer(create_app()).start()
    key = Fernet.generate_key().decode()
    env = worker_env(server.url, key, {"default": {"concurrency": 2, "per_minute": 100}},
                     TIMINGS)
    worker = WorkerProcess("w1", env, tmp_path / "w1.log").start()
    client = WorkerClient(server.url, key)
    try:
        job = client.enqueue_sync("banque-demo", {"username": "demo-otp",
                                                  "password": "123456"}, base_url=site.url)
        waiting = client.get_result(job, timeout=90)
        assert waiting.error is not None, worker.log()[-3000:]
        assert waiting.error.kind == "challenge_required", waiting.error
        server.restart(down_for=1.0)
        assert client.status(job).state == JobState.CHALLENGE_REQUIRED
        client.submit_code(job, "123456")
        result = client.get_result(job, timeout=90)
        assert result.ok, (result.error, worker.log()[-3000:])
        assert len(result.accounts) == 4
        status = client.status(job)
        assert status.attempts == 2 and status.retried == 0
        assert worker.alive(), worker.log()[-3000:]
    finally:
        worker.stop()
        client.close()
        site.stop()
        server.stop()
