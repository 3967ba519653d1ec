"""A real Redis, real Celery worker processes and the demo bank, all on 127.0.0.1.

Every process here is started by a fixture and stopped by that fixture, by its own pid. The
Redis server keeps nothing on disk (``--save "" --appendonly no``) and lives in a tmp dir.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
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

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM our child by pid (a Celery worker then closes its browser), SIGKILL if stuck."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(REDIS_SERVER).exists():
        pytest.skip("redis-server is not installed (scripts/bootstrap.sh --with-redis)")
    folder = tmp_path_factory.mktemp("redis")
    for _attempt in range(3):  # the port could be taken between probing and binding
        port = _free_port()
        log = (folder / f"redis-{port}.log").open("wb")
        proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=log, stderr=subprocess.STDOUT, cwd=folder)
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    break
            time.sleep(0.05)
        client.close()
        if proc.poll() is None:
            try:
                yield url
            finally:
                _stop(proc, 10)
                log.close()
            return
        log.close()
    pytest.fail("redis-server did not start")


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@dataclass
class Fleet:
    """Two workers, the demo bank they sync, and a backend client."""

    client: WorkerClient
    site_url: str
    key: str
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs.values())


THROTTLE = {"default": {"concurrency": 4, "per_minute": 500},
            "lease_seconds": 15, "retry_delay": 0.3, "max_retry_delay": 0.6}


@pytest.fixture(scope="module")
def fleet(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """Two worker processes (2 sync threads each, one Chromium each) against one Redis.

    One is started with ``celery -A engine.workers.app worker``, the other with
    ``python -m engine.workers`` (the ``engine worker`` command), so both documented ways of
    running a worker are exercised.
    """
    from sites.banque_demo import create_app

    folder = tmp_path_factory.mktemp("workers")
    key = Fernet.generate_key().decode()
    env = {**os.environ, "ENGINE_REDIS_URL": redis_url, "ENGINE_WORKER_KEY": key,
           "ENGINE_RECIPES_DIR": str(ROOT / "recipes"), "ENGINE_THROTTLE": json.dumps(THROTTLE),
           "PYTHONUNBUFFERED": "1"}
    commands = {
        "w1": [sys.executable, "-m", "celery", "-A", "engine.workers.app", "worker",
               "--pool=threads", "--concurrency=2", "-n", "w1@%h", "--loglevel=INFO",
               "--without-gossip", "--without-mingle", "--without-heartbeat"],
        "w2": [sys.executable, "-m", "engine.workers", "--concurrency", "2", "-n", "w2@%h"],
    }
    site = ThreadedServer(create_app()).start()
    client = WorkerClient(redis_url, key)
    fleet = Fleet(client, site.url, key)
    try:
        for name, command in commands.items():
            fleet.logs[name] = folder / f"{name}.log"
            with fleet.logs[name].open("wb") as out:
                fleet.workers[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                                       stderr=subprocess.STDOUT)
        _wait_registered(fleet, set(commands))
        yield fleet
    finally:
        for proc in fleet.workers.values():
            _stop(proc)
        client.close()
        site.stop()


def _wait_registered(fleet: Fleet, names: set[str], timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in fleet.workers.items():
            if proc.poll() is not None:
                pytest.fail(f"worker {name} exited ({proc.returncode}):\n"
                            + fleet.logs[name].read_text(errors="replace")[-3000:])
        ready = {host.split("@")[0] for host in fleet.client.workers()}
        if names <= ready:
            return
        time.sleep(0.1)
    pytest.fail("workers did not become ready:\n" + fleet.log_text()[-3000:])
