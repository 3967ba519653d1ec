"""The fleet-wide limiter against a real redis-server: slots, expiring leases, sliding window."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from engine.workers.throttle import Limiter, Limits, ThrottleConfig


def _institution() -> str:
    return f"bank-{uuid.uuid4().hex[:8]}"  # each test its own keys: no flush needed


def _config(concurrency: int = 2, per_minute: int = 100, lease: float = 30.0) -> ThrottleConfig:
    return ThrottleConfig(default=Limits(concurrency, per_minute), lease_seconds=lease)


def test_concurrency_limit_is_shared_by_limiters_on_separate_connections(redis_url: str) -> None:
    """Two limiters stand for two worker machines: they share the slots through Redis."""
    a = Limiter(redis.Redis.from_url(redis_url), _config(concurrency=2))
    b = Limiter(redis.Redis.from_url(redis_url), _config(concurrency=2))
    bank = _institution()
    first, second = a.acquire(bank), b.acquire(bank)
    assert first.granted and second.granted
    third = a.acquire(bank)
    assert not third.granted and third.reason == "concurrency"
    assert b.active(bank) == 2
    assert first.lease is not None
    a.release(bank, first.lease)
    assert b.acquire(bank).granted


def test_a_crashed_workers_lease_expires_and_frees_its_slot(redis_client: redis.Redis) -> None:
    limiter = Limiter(redis_client, _config(concurrency=1, lease=0.4))
    bank = _institution()
    assert limiter.acquire(bank).granted  # ... and the worker dies without releasing
    assert not limiter.acquire(bank).granted
    time.sleep(0.5)
    assert limiter.active(bank) == 0
    assert limiter.acquire(bank).granted


def test_renewing_keeps_the_slot_and_a_lost_lease_says_so(redis_client: redis.Redis) -> None:
    limiter = Limiter(redis_client, _config(concurrency=1, lease=0.4))
    bank = _institution()
    held = limiter.acquire(bank)
    assert held.lease is not None
    for _ in range(4):  # 0.6 s in all: longer than the lease, kept alive by renewals
        time.sleep(0.15)
        assert limiter.renew(bank, held.lease)
    assert not limiter.acquire(bank).granted
    time.sleep(0.5)  # renewals stop: the lease is lost and renew reports it
    assert not limiter.renew(bank, held.lease)
    assert limiter.acquire(bank).granted


def test_sliding_window_limits_starts_per_window(redis_client: redis.Redis) -> None:
    limiter = Limiter(redis_client, _config(concurrency=10, per_minute=3), window_seconds=1.0)
    bank = _institution()
    starts = [limiter.acquire(bank) for _ in range(3)]
    assert all(d.granted for d in starts)
    for d in starts:  # finished syncs still count in the window
        assert d.lease is not None
        limiter.release(bank, d.lease)
    refused = limiter.acquire(bank)
    assert not refused.granted and refused.reason == "rate"
    assert 0 < refused.wait <= 1.0
    time.sleep(refused.wait + 0.05)
    assert limiter.acquire(bank).granted


def test_a_resumed_sync_needs_a_slot_but_is_not_a_new_start(redis_client: redis.Redis) -> None:
    limiter = Limiter(redis_client, _config(concurrency=2, per_minute=1))
    bank = _institution()
    assert limiter.acquire(bank).granted
    assert limiter.acquire(bank).reason == "rate"
    assert limiter.acquire(bank, count_rate=False).granted
    assert limiter.acquire(bank, count_rate=False).reason == "concurrency"


def test_per_institution_limits_and_live_overrides(redis_client: redis.Redis) -> None:
    strict, lax = _institution(), _institution()
    config = ThrottleConfig(default=Limits(3, 100), institutions={strict: Limits(1, 100)})
    limiter = Limiter(redis_client, config)
    assert limiter.acquire(strict).granted
    assert not limiter.acquire(strict).granted
    assert all(limiter.acquire(lax).granted for _ in range(3))
    assert not limiter.acquire(lax).granted
    limiter.set_limits(lax, concurrency=4)  # an operator loosens it, for every worker at once
    assert limiter.overrides(lax) == {"concurrency": 4}
    assert limiter.acquire(lax).granted
    limiter.set_limits(strict, concurrency=0)  # 0 pauses an institution entirely
    limiter.clear_limits(lax)
    assert not limiter.acquire(lax).granted
    with pytest.raises(ValueError, match="negative"):
        limiter.set_limits(lax, per_minute=-1)


def test_the_limit_holds_under_contention(redis_url: str) -> None:
    """Eight threads, each with its own connection, race for two slots; never three holders."""
    bank = _institution()
    holders, peak, lock = 0, 0, threading.Lock()
    granted = 0

    def contender() -> None:
        nonlocal holders, peak, granted
        limiter = Limiter(redis.Redis.from_url(redis_url), _config(concurrency=2))
        for _ in range(15):
            decision = limiter.acquire(bank)
            if not decision.granted:
                time.sleep(0.002)
                continue
            with lock:
                holders += 1
                peak = max(peak, holders)
                granted += 1
            time.sleep(0.003)
            with lock:
                holders -= 1
            assert decision.lease is not None
            limiter.release(bank, decision.lease)

    threads = [threading.Thread(target=contender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak <= 2
    assert granted > 2


def test_config_parsing_merges_over_defaults(tmp_path: Path) -> None:
    config = ThrottleConfig.from_setting(
        '{"default": {"concurrency": 3}, "institutions": {"slow-bank": {"per_minute": 5}},'
        ' "retry_delay": 1}')
    assert config.limits_for("other") == Limits(3, 30)
    assert config.limits_for("slow-bank") == Limits(3, 5)
    assert config.retry_delay == 1.0
    path = tmp_path / "throttle.yaml"
    path.write_text("institutions:\n  banque-demo: {concurrency: 1}\n")
    assert ThrottleConfig.from_setting(str(path)).limits_for("banque-demo") == Limits(1, 30)
    assert ThrottleConfig.from_setting(None) == ThrottleConfig()
    with pytest.raises(ValueError, match="unknown limit"):
        ThrottleConfig.parse({"default": {"concurency": 2}})
    with pytest.raises(ValueError, match="unknown throttle"):
        ThrottleConfig.parse({"defaults": {}})
