"""A real Redis, real worker processes and the demo bank, all on 127.0.0.1.

Every process here is started by a fixture and stopped by that fixture, by its own pid. Unit
tests share one Redis without persistence; each fleet of workers gets a Redis of its own, so
no worker ever picks up another test's jobs.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet

from engine.workers.client import WorkerClient
from sites._server import ThreadedServer
from tests.workers.processes import REDIS_SERVER, ROOT, RedisServer, WorkerProcess

THROTTLE = {"default": {"concurrency": 4, "per_minute": 500},
            "lease_seconds": 15, "retry_delay": 0.3, "max_retry_delay": 0.6}
TIMINGS = {"lease_seconds": 4, "heartbeat_seconds": 1, "dispatch_grace_seconds": 3,
           "poll_seconds": 0.1}
"""Short fault-handling timings, so recovery fits in a test (production defaults are 15 s)."""


def _need_redis() -> None:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (scripts/bootstrap.sh --with-redis)")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _need_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


def worker_env(redis_url: str, key: str, throttle: dict[str, object],
               timings: dict[str, float]) -> dict[str, str]:
    return {**os.environ, "ENGINE_REDIS_URL": redis_url, "ENGINE_WORKER_KEY": key,
            "ENGINE_RECIPES_DIR": str(ROOT / "recipes"), "ENGINE_THROTTLE": json.dumps(throttle),
            "ENGINE_FLEET": json.dumps(timings), "PYTHONUNBUFFERED": "1"}


@dataclass
class Fleet:
    """Workers, the demo bank they sync, a Redis of their own and a backend client."""

    client: WorkerClient
    site_url: str
    key: str
    redis_url: str
    workers: dict[str, WorkerProcess] = field(default_factory=dict)

    def log_text(self) -> str:
        return "\n".join(worker.log() for worker in self.workers.values())

    def wait_registered(self, names: set[str], timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in names:
                if not self.workers[name].alive():
                    pytest.fail(f"worker {name} exited:\n" + self.workers[name].log()[-3000:])
            if names <= {host.split("@")[0] for host in self.client.workers()}:
                return
            time.sleep(0.1)
        pytest.fail("workers did not become ready:\n" + self.log_text()[-3000:])


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """Two worker processes (2 sync threads each, one Chromium each) against one Redis.

    One is started with ``celery -A engine.workers.app worker``, the other with
    ``python -m engine.workers`` (the ``engine worker`` command), so both documented ways of
    running a worker are exercised.
    """
    from sites.banque_demo import create_app

    _need_redis()
    folder = tmp_path_factory.mktemp("workers")
    server = RedisServer(folder / "redis").start()
    key = Fernet.generate_key().decode()
    env = worker_env(server.url, key, THROTTLE, TIMINGS)
    celery = [sys.executable, "-m", "celery", "-A", "engine.workers.app", "worker",
              "--pool=threads", "--concurrency=2", "-n", "w1@%h", "--loglevel=INFO",
              "--without-gossip", "--without-mingle", "--without-heartbeat"]
    site = ThreadedServer(create_app()).start()
    client = WorkerClient(server.url, key)
    fleet = Fleet(client, site.url, key, server.url)
    try:
        fleet.workers["w1"] = WorkerProcess("w1", env, folder / "w1.log", command=celery)
        fleet.workers["w2"] = WorkerProcess("w2", env, folder / "w2.log")
        for worker in fleet.workers.values():
            worker.start()
        fleet.wait_registered({"w1", "w2"})
        yield fleet
    finally:
        for worker in fleet.workers.values():
            worker.stop()
        client.close()
        site.stop()
        server.stop()
