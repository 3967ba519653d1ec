"""Two real worker processes, one real Redis, the demo bank: distribution, codes, throttling,
one login per customer, and the ``engine fleet`` view."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
from datetime import date
from typing import Any

import pytest
import redis
from click.testing import CliRunner

from engine.cli import main
from engine.workers.client import JobNotWaiting, JobState
from engine.workers.jobs import JobStore
from engine.workers.sealing import Sealer
from tests.workers.conftest import Fleet

DEMO_PASSWORD = "123456"
SMS_CODE = "123456"  # the demo bank's default code (the same digits as the password)
SECRETS = ("demo-otp", DEMO_PASSWORD, "demo-secret-marker")


def _enqueue(fleet: Fleet, username: str, **extra: Any) -> str:
    credentials = {"username": username, "password": DEMO_PASSWORD, **extra}
    return fleet.client.enqueue_sync("banque-demo", credentials, base_url=fleet.site_url)


def _everything_in_redis(url: str) -> str:
    """Every value of every key (job records, Celery's queues and unacked messages...)."""
    parts: list[str] = []
    with redis.Redis.from_url(url) as client:
        _collect(client, parts)
    return "\n".join(parts)


def _collect(client: redis.Redis, parts: list[str]) -> None:
    for key in client.scan_iter():
        kind = client.type(key).decode()
        if kind == "string":
            parts.append(repr(client.get(key)))
        elif kind == "hash":
            values = client.hgetall(key)
            parts.append(repr(values))
            parts.extend(_message_bodies(v) for v in values.values())
        elif kind == "list":
            items = client.lrange(key, 0, -1)
            parts.append(repr(items))
            parts.extend(_message_bodies(item) for item in items)
        elif kind == "set":
            parts.append(repr(client.smembers(key)))
        elif kind == "zset":
            parts.append(repr(client.zrange(key, 0, -1, withscores=True)))
        parts.append(repr(key))


def _message_bodies(raw: bytes) -> str:
    """Kombu keeps message bodies base64-encoded (queues, unacked): decode them, or a
    credential in a task's arguments would escape a plain substring search."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            encoding = (value.get("properties") or {}).get("body_encoding")
            if encoding == "base64" and isinstance(value.get("body"), str):
                found.append(base64.b64decode(value["body"]).decode(errors="replace"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    with contextlib.suppress(ValueError):
        walk(json.loads(raw))
    return "\n".join(found)


def test_jobs_spread_over_both_workers(fleet: Fleet) -> None:
    jobs = [_enqueue(fleet, "demo") for _ in range(6)]
    results = [fleet.client.get_result(job, timeout=60) for job in jobs]
    for result in results:
        assert result.ok, result.error
        assert len(result.accounts) == 4 and result.transactions
    workers = {fleet.client.status(job).worker for job in jobs}
    assert {w.split("@")[0] for w in workers if w} == {"w1", "w2"}
    pids = {fleet.client.status(job).worker_pid for job in jobs}
    assert pids == {proc.pid for proc in fleet.workers.values()}


def test_one_time_code_round_trip(fleet: Fleet) -> None:
    """The job parks at the code step with its state sealed in Redis, then resumes on
    whichever worker takes the new task, from the code step (no second login)."""
    job = fleet.client.enqueue_sync(
        "banque-demo", {"username": "demo-otp", "password": DEMO_PASSWORD,
                        "note": "demo-secret-marker"},
        base_url=fleet.site_url, since=date(2026, 9, 1), reference_date=date(2026, 11, 20))
    waiting = fleet.client.get_result(job, timeout=60)
    assert waiting.error is not None and waiting.error.kind == "challenge_required"
    assert waiting.resume_state is None  # the resume state stays server-side
    status = fleet.client.status(job)
    assert status.state == JobState.CHALLENGE_REQUIRED
    assert status.prompt == "Code reçu par SMS"
    with redis.Redis.from_url(fleet.redis_url, decode_responses=True) as client:
        spec = JobStore(client, Sealer(fleet.key)).spec(job)
    assert spec is not None and "password" not in spec["credentials"]  # not needed to resume
    suspended = _everything_in_redis(fleet.redis_url)
    assert all(secret not in suspended for secret in SECRETS)

    fleet.client.submit_code(job, SMS_CODE)
    with pytest.raises(JobNotWaiting):
        fleet.client.submit_code(job, SMS_CODE)  # answered already
    result = fleet.client.get_result(job, timeout=60)
    assert result.ok, result.error
    assert len(result.accounts) == 4 and result.transactions
    assert min(t.date for t in result.transactions) >= date(2026, 9, 1)  # options survived
    status = fleet.client.status(job)
    assert status.state == JobState.DONE and status.attempts == 2 and len(status.runs) == 2

    after = _everything_in_redis(fleet.redis_url)
    assert all(secret not in after for secret in SECRETS)
    assert "engine:job:" + job + ":secrets" not in after  # credentials deleted when done
    logs = fleet.log_text()
    assert all(secret not in logs for secret in SECRETS[::2])


def test_wrong_code_is_classified(fleet: Fleet) -> None:
    job = _enqueue(fleet, "demo-otp")
    assert fleet.client.get_result(job, timeout=60).error is not None
    fleet.client.submit_code(job, "000000")
    result = fleet.client.get_result(job, timeout=60)
    assert result.error is not None
    assert result.error.code == "invalid_credentials.wrong_code"


def test_unknown_recipe_comes_back_as_a_classified_error(fleet: Fleet) -> None:
    with pytest.raises(ValueError, match="invalid recipe id"):
        fleet.client.enqueue_sync("../secrets", {})
    job = fleet.client.enqueue_sync("no-such-bank", {"username": "x"})
    result = fleet.client.get_result(job, timeout=30)
    assert result.error is not None and result.error.code == "engine_error.unknown_recipe"


def test_concurrency_limit_of_one_holds_across_both_workers(fleet: Fleet) -> None:
    """Limit 1 for the bank, set live: four jobs reach both workers, and no two syncs of the
    bank ever overlap in time (the engine's own start/finish times, not the limiter's)."""
    fleet.client.limiter.set_limits("banque-demo", concurrency=1)
    try:
        jobs = [_enqueue(fleet, "demo") for _ in range(4)]
        results = [fleet.client.get_result(job, timeout=60) for job in jobs]
    finally:
        fleet.client.limiter.clear_limits("banque-demo")
    assert all(result.ok for result in results), [r.error for r in results]
    spans = sorted((r.started_at, r.finished_at) for r in results)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end is not None and end <= start, "two syncs of one bank overlapped"
    statuses = [fleet.client.status(job) for job in jobs]
    assert sum(s.throttled for s in statuses) >= 1  # there was contention to hold against
    attempted_on = {run.split("@")[0] for s in statuses for run in s.runs}
    assert attempted_on == {"w1", "w2"}
    assert fleet.client.limiter.active("banque-demo") == 0  # no leaked slot


def _overlaps(spans: list[tuple[Any, Any]]) -> bool:
    spans = sorted(spans)
    return any(start < end for (_, end), (start, _) in itertools.pairwise(spans))


def test_one_login_per_customer_across_the_fleet(fleet: Fleet) -> None:
    """Four slots free, but the jobs of one customer never run at the same time; another
    customer's jobs do not wait for them."""
    jobs = {customer: [fleet.client.enqueue_sync(
        "banque-demo", {"username": "demo", "password": DEMO_PASSWORD},
        base_url=fleet.site_url, customer=customer) for _ in range(3)]
        for customer in ("alice", "bob")}
    results = {customer: [fleet.client.get_result(job, timeout=90) for job in ids]
               for customer, ids in jobs.items()}
    for customer, done in results.items():
        assert all(r.ok for r in done), [r.error for r in done]
        assert not _overlaps([(r.started_at, r.finished_at) for r in done]), customer
    every = [(r.started_at, r.finished_at) for done in results.values() for r in done]
    assert _overlaps(every)  # the two customers did run side by side
    waited = sum(fleet.client.status(job).throttled for ids in jobs.values() for job in ids)
    assert waited >= 1


def test_engine_fleet_shows_live_workers_and_job_counts(fleet: Fleet) -> None:
    parked = fleet.client.enqueue_sync("banque-demo", {"username": "demo-otp",
                                                       "password": DEMO_PASSWORD},
                                       base_url=fleet.site_url)
    fleet.client.get_result(parked, timeout=60)  # waits for its code: suspended
    runner = CliRunner()
    outcome = runner.invoke(main, ["fleet", "--json"], env={"ENGINE_REDIS_URL": fleet.redis_url})
    assert outcome.exit_code == 0, outcome.output
    view = json.loads(outcome.output)
    names = {w["name"].split("@")[0] for w in view["workers"]}
    assert names == {"w1", "w2"}
    assert {w["pid"] for w in view["workers"]} == {w.pid for w in fleet.workers.values()}
    assert all(w["concurrency"] == 2 and w["heartbeat_age_s"] < 5 for w in view["workers"])
    assert view["jobs"]["suspended"] >= 1
    assert set(view["jobs"]) == {"running", "queued", "throttled", "suspended"}
    table = runner.invoke(main, ["fleet"], env={"ENGINE_REDIS_URL": fleet.redis_url})
    assert table.exit_code == 0 and "2 live worker(s)" in table.output
    assert "suspended" in table.output
    down = runner.invoke(main, ["fleet"], env={"ENGINE_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert down.exit_code == 1 and "Redis unreachable" in down.output
