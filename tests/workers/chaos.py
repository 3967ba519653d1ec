"""Chaos runs: a batch of real syncs on real workers while a worker is SIGKILLed or Redis
restarts, and what came out of it (lost jobs, jobs run twice, throttle respected).

Used by ``tests/workers/test_chaos.py`` (a short run in the suite) and by ``make chaos``::

    python -m tests.workers.chaos --jobs 50          # no fault, one worker SIGKILLed, Redis restart

Everything is real and local: a redis-server with its append-only file on (the setting
docs/workers.md asks for) on an ephemeral port, ``engine worker`` processes, Banque Démo on
loopback. What counts is measured outside the code under test where it can be: logins are
counted by the bank (each sync posts the login form once), completions in the workers' logs,
concurrency from the engine's own start/finish times.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import redis
from cryptography.fernet import Fernet

from engine.models import SyncResult
from engine.workers import keys
from engine.workers.client import WorkerClient
from engine.workers.connection import UNREACHABLE, connect
from engine.workers.jobs import JobState, JobStatus
from sites._server import ThreadedServer
from tests.workers.conftest import worker_env
from tests.workers.processes import RedisServer, WorkerProcess

SCENARIOS = ("none", "kill", "redis")
DEMO = {"username": "demo", "password": "123456"}
DONE_LINE = re.compile(r"job ([0-9a-f]{32}) done:")
DISCARDED_LINE = re.compile(r"job ([0-9a-f]{32}): result discarded")


class LoginCounter:
    """WSGI middleware: when the bank received each login form (one per sync started)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: list[float] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == "/connexion":
            with self._lock:
                self.times.append(time.time())
        return self.app(environ, start_response)


@dataclass
class Config:
    jobs: int = 50
    workers: int = 2
    concurrency: int = 2
    """Sync threads per worker."""
    limit: int = 2
    """The institution's concurrency limit, fleet-wide."""
    per_minute: int = 60
    customers: int = 0
    """Distinct customers (two jobs each by default); their logins must never overlap."""
    lease_seconds: float = 5.0
    redis_down_seconds: float = 3.0
    timeout: float = 300.0

    @property
    def timings(self) -> dict[str, float]:
        return {"lease_seconds": self.lease_seconds, "heartbeat_seconds": 1,
                "dispatch_grace_seconds": 4, "poll_seconds": 0.2}

    @property
    def throttle(self) -> dict[str, Any]:
        return {"default": {"concurrency": self.limit, "per_minute": self.per_minute},
                "lease_seconds": self.lease_seconds, "retry_delay": 0.5, "max_retry_delay": 2}


@dataclass
class Report:
    scenario: str
    jobs: int
    seconds: float = 0.0
    done: int = 0
    ok: int = 0
    lost: int = 0
    completed_twice: int = 0
    retried: int = 0
    """Jobs taken back from a dead worker mid-sync and run again (a second login)."""
    logins: int = 0
    max_concurrent: int = 0
    max_logins_per_minute: int = 0
    customer_overlaps: int = 0
    workers_alive: int = 0
    requeued_within: float | None = None
    """After the SIGKILL: until the last of the dead worker's jobs was back in the queue."""
    left_registry_within: float | None = None
    errors: list[str] = field(default_factory=list)

    def passed(self, config: Config) -> bool:
        return (self.lost == 0 and self.completed_twice == 0 and self.ok == self.jobs
                and self.max_concurrent <= config.limit
                and self.max_logins_per_minute <= config.per_minute
                and self.customer_overlaps == 0)


def run(scenario: str, config: Config, folder: Path | None = None,
        on_event: Callable[[str], None] = lambda _: None) -> Report:
    """One batch under one fault (``none``, ``kill``, ``redis`` or ``both``)."""
    from sites.banque_demo import create_app

    own_folder = folder is None
    base = Path(tempfile.mkdtemp(prefix="engine-chaos-")) if folder is None else folder
    server = RedisServer(base / "redis", persistent=True).start()
    site = LoginCounter(create_app())
    http = ThreadedServer(site).start()
    key = Fernet.generate_key().decode()
    env = worker_env(server.url, key, config.throttle, config.timings)
    workers = [WorkerProcess(f"w{i}", env, base / f"w{i}.log", config.concurrency).start()
               for i in range(1, config.workers + 1)]
    client = WorkerClient(server.url, key)
    raw = connect(server.url)  # to read what the backend API does not show (a job's phase)
    report = Report(scenario, config.jobs)
    try:
        _wait_for_workers(client, workers)
        on_event(f"{scenario}: {len(workers)} workers ready")
        customers = config.customers or max(1, config.jobs // 2)
        started = time.monotonic()
        owners = {client.enqueue_sync("banque-demo", DEMO, base_url=http.url,
                                      customer=f"customer-{i % customers}"): i % customers
                  for i in range(config.jobs)}
        jobs = list(owners)
        _drive(scenario, config, (client, raw), server, workers, jobs, report, on_event)
        report.seconds = round(time.monotonic() - started, 1)
        _measure(client, owners, workers, site.times, report)
    finally:
        for worker in workers:
            worker.stop()
        client.close()
        raw.close()
        http.stop()
        server.stop()
        if own_folder and not report.errors:
            shutil.rmtree(base, ignore_errors=True)
    return report


def _wait_for_workers(client: WorkerClient, workers: list[WorkerProcess]) -> None:
    deadline = time.monotonic() + 60
    names = {w.name for w in workers}
    while time.monotonic() < deadline:
        if any(not w.alive() for w in workers):
            raise RuntimeError("a worker exited:\n" + "\n".join(w.log()[-2000:] for w in workers))
        if names <= {host.split("@")[0] for host in client.workers()}:
            return
        time.sleep(0.1)
    raise RuntimeError("workers did not register")


def _statuses(client: WorkerClient, jobs: Iterable[str]) -> dict[str, JobStatus] | None:
    try:
        return {job: client.status(job) for job in jobs}
    except UNREACHABLE:
        return None  # Redis is restarting


def _drive(scenario: str, config: Config, clients: tuple[WorkerClient, redis.Redis],
           server: RedisServer, workers: list[WorkerProcess], jobs: list[str], report: Report,
           on_event: Callable[[str], None]) -> None:
    """Wait for the batch, injecting the fault at its moment."""
    client, raw = clients
    kill_at = config.jobs // 4 if scenario in ("kill", "both") else None
    restart_at = config.jobs // 2 if scenario in ("redis", "both") else None
    deadline = time.monotonic() + config.timeout
    victims: dict[str, float] = {}
    killed: WorkerProcess | None = None
    while time.monotonic() < deadline:
        statuses = _statuses(client, jobs)
        if statuses is None:
            time.sleep(0.2)
            continue
        settled = sum(s.state == JobState.DONE for s in statuses.values())
        if settled == len(jobs):
            break
        if kill_at is not None and killed is None and settled >= kill_at:
            killed = _kill_mid_sync(raw, workers, statuses, victims)
            if killed is not None:
                on_event(f"{scenario}: SIGKILL {killed.name} with {len(victims)} sync(s) "
                         f"running, {settled} done")
        if (killed is not None and report.left_registry_within is None
                and killed.name not in {h.split("@")[0] for h in client.workers()}):
            report.left_registry_within = round(time.time() - next(iter(victims.values())), 1)
        recovered = all(statuses[job].requeued_at for job in victims)
        if restart_at is not None and settled >= restart_at and recovered:
            # after the kill's recovery, so each fault's own effect is what is measured
            on_event(f"{scenario}: Redis restart ({config.redis_down_seconds:g} s down), "
                     f"{settled} done")
            server.restart(config.redis_down_seconds)
            restart_at = None
        time.sleep(0.25)
    if victims:
        final = _statuses(client, victims) or {}
        back = [s.requeued_at - victims[job] for job, s in final.items() if s.requeued_at]
        report.requeued_within = round(max(back), 1) if len(back) == len(victims) else None


def _kill_mid_sync(raw: redis.Redis, workers: list[WorkerProcess],
                   statuses: dict[str, JobStatus], victims: dict[str, float]
                   ) -> WorkerProcess | None:
    """SIGKILL a worker that is running a sync right now (past its login's start: the job
    record's phase, read straight from Redis, says the engine has it)."""
    for worker in workers:
        if not worker.alive():
            continue
        mine = [job for job, s in statuses.items()
                if s.state == JobState.RUNNING and s.worker_pid == worker.pid
                and raw.hget(keys.job(job), "phase") == "syncing"]
        if mine:
            worker.kill()
            now = time.time()
            victims.update(dict.fromkeys(mine, now))
            return worker
    return None


def _measure(client: WorkerClient, owners: dict[str, int], workers: list[WorkerProcess],
             logins: list[float], report: Report) -> None:
    jobs = list(owners)
    statuses = {job: client.status(job) for job in jobs}
    results: dict[str, SyncResult] = {}
    for job, status in statuses.items():
        if status.state == JobState.DONE:
            result = client.get_result(job, timeout=1)
            results[job] = result
            if not result.ok:
                report.errors.append(f"{job}: {result.error.code if result.error else '?'}")
    report.done, report.ok = len(results), sum(r.ok for r in results.values())
    report.lost = len(jobs) - report.done
    logs = "\n".join(w.log() for w in workers)
    completions = Counter(DONE_LINE.findall(logs))
    report.completed_twice = (sum(1 for job in jobs if completions[job] > 1)
                              + len(set(DISCARDED_LINE.findall(logs))))
    report.retried = sum(s.retried for s in statuses.values())
    report.logins = len(logins)
    spans = [(r.started_at, r.finished_at) for r in results.values() if r.finished_at]
    report.max_concurrent = _max_overlap(spans)
    report.max_logins_per_minute = _max_in_window(sorted(logins), 60.0)
    by_customer: dict[int, list[tuple[datetime, datetime]]] = {}
    for job, result in results.items():
        if result.finished_at:
            by_customer.setdefault(owners[job], []).append(
                (result.started_at, result.finished_at))
    report.customer_overlaps = sum(_max_overlap(s) > 1 for s in by_customer.values())
    report.workers_alive = sum(w.alive() for w in workers)


def _max_overlap(spans: list[tuple[datetime, datetime]]) -> int:
    events = sorted(itertools.chain(((start, 1) for start, _ in spans),
                                    ((end, -1) for _, end in spans)),
                    key=lambda e: (e[0], e[1]))  # an end before a start at the same instant
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak


def _max_in_window(times: list[float], window: float) -> int:
    peak, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--per-minute", type=int, default=60)
    parser.add_argument("--limit", type=int, default=2)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    args = parser.parse_args(argv)
    config = Config(jobs=args.jobs, per_minute=args.per_minute, limit=args.limit)
    reports = []
    for scenario in args.scenarios.split(","):
        reports.append(run(scenario, config, on_event=lambda m: print(m, flush=True)))
        print(asdict(reports[-1]), flush=True)
    _print_table(reports, config)
    return 0 if all(r.passed(config) for r in reports) else 1


def _print_table(reports: list[Report], config: Config) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{config.jobs} jobs, {config.workers} workers x {config.concurrency} "
                        f"threads, throttle {config.limit} at once / {config.per_minute} per "
                        f"minute, lease {config.lease_seconds:g} s")
    columns = ("scenario", "time s", "ok", "lost", "run twice", "retried", "logins",
               "peak conc.", "peak logins/min", "customer overlaps", "requeued in s")
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in reports:
        table.add_row(r.scenario, f"{r.seconds:.1f}", f"{r.ok}/{r.jobs}", str(r.lost),
                      str(r.completed_twice), str(r.retried), str(r.logins),
                      str(r.max_concurrent), str(r.max_logins_per_minute),
                      str(r.customer_overlaps),
                      "-" if r.requeued_within is None else f"{r.requeued_within:.1f}")
    Console(width=160).print(table)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
