"""Real processes for the worker tests: a redis-server we can restart, and worker processes.

Every process here is started by the code that owns the object and stopped by it, by its own
pid (or its own process group, for a worker's Chromium children). Redis listens on an
ephemeral loopback port and keeps its files in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """SIGTERM our child by pid (a Celery worker then closes its browser), SIGKILL if stuck."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@dataclass
class RedisServer:
    """One redis-server; ``persistent`` turns on the append-only file (AOF, fsync every
    second), the setting docs/workers.md asks for, so a restart keeps jobs and codes."""

    folder: Path
    persistent: bool = False
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        persistence = (["--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
                       if self.persistent else ["--appendonly", "no", "--save", ""])
        return [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                str(self.folder), *persistence]

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        fixed = bool(self.port)  # a restart keeps its port; a fresh server may pick another
        for _attempt in range(1 if fixed else 3):
            if not fixed:
                self.port = free_port()
            with (self.folder / "redis.log").open("ab") as log:
                self.proc = subprocess.Popen(self._command(), stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.folder)
            if self._wait_ready(timeout):
                return self
            stop_process(self.proc, 5)
        raise RuntimeError("redis-server did not start:\n" + self.log_tail())

    def _wait_ready(self, timeout: float) -> bool:
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + timeout
        try:
            while self.proc is not None and self.proc.poll() is None:
                with contextlib.suppress(redis.ConnectionError, redis.BusyLoadingError):
                    if client.ping():
                        return True
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM: Redis writes its data out (with AOF on) and exits."""
        if self.proc is not None:
            stop_process(self.proc, 10)

    def restart(self, down_for: float) -> None:
        """Stop, stay down ``down_for`` seconds (clients see refused connections), start again
        on the same port with the same files."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def log_tail(self) -> str:
        path = self.folder / "redis.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""


@dataclass
class WorkerProcess:
    """An ``engine worker`` process (``python -m engine.workers``), in its own process group so
    the Chromium it starts can be cleaned up with it even after a SIGKILL of the worker."""

    name: str
    env: dict[str, str]
    log_path: Path
    concurrency: int = 2
    command: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        command = self.command or [sys.executable, "-m", "engine.workers", "--concurrency",
                                   str(self.concurrency), "-n", f"{self.name}@%h"]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker process alone, as the OOM killer would."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then make sure nothing of its group (Chromium) is left."""
        if self.proc is None:
            return
        stop_process(self.proc)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own group: only its children

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
