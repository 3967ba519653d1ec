"""The worker side's Celery app: ``celery -A engine.workers.app worker -n w1@%h -c 4``.

Configuration comes from the environment (see ``settings.py``); a worker without
``ENGINE_WORKER_KEY`` refuses to start rather than fail every job. Each worker process creates
its browser with its first job (``runtime.py``) and closes it on shutdown. Once ready it starts
its housekeeping thread (``housekeeping.py``: heartbeat in the fleet registry, dispatching due
jobs, reaping dead workers' jobs); at the start of a warm shutdown it stops that thread and
leaves the registry, so the fleet stops counting its slots while its last syncs finish.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from typing import Any

from celery import signals

from engine.workers.broker import TASK_NAME, make_celery
from engine.workers.connection import UNREACHABLE
from engine.workers.fleet import Registry
from engine.workers.housekeeping import Housekeeper
from engine.workers.queue import Scheduler
from engine.workers.runtime import get_runtime, shutdown_runtime
from engine.workers.settings import WorkerEnv, WorkerSettings
from engine.workers.tasks import Worker, execute_job
from engine.workers.throttle import describe

log = logging.getLogger("engine.workers")

_ENV = WorkerEnv.load()
QUEUE = _ENV.queue
app = make_celery(_ENV.redis_url, QUEUE)

_worker: Worker | None = None
_worker_lock = threading.Lock()
_housekeeper: Housekeeper | None = None


def current_worker() -> Worker:
    """This process's shared state, built once from the environment."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = Worker.create(WorkerSettings.from_env(), get_runtime())
        return _worker


def run_job(task: Any, job_id: str) -> str:
    """Celery entry point: only a job id arrives; everything else is in the job store."""
    hostname = str(task.request.hostname or socket.gethostname())
    return execute_job(current_worker(), job_id, hostname)


run_job_task = app.task(name=TASK_NAME, bind=True)(run_job)


def _send(job_id: str) -> None:
    app.send_task(TASK_NAME, args=[job_id], queue=QUEUE)


def _on_init(sender: Any = None, **_: Any) -> None:
    """Fail fast on bad settings, and size the browser's slots to the thread count."""
    concurrency = int(getattr(sender, "concurrency", 0) or 0)
    get_runtime(concurrency or None)
    current_worker()


def _on_ready(sender: Any = None, **_: Any) -> None:
    global _housekeeper
    name = str(getattr(sender, "hostname", None) or socket.gethostname())
    worker, slots = current_worker(), get_runtime().max_concurrency
    timings = worker.settings.timings
    client = worker.store.client
    started = time.time()

    def describe_me() -> dict[str, Any]:
        return {"pid": os.getpid(), "host": socket.gethostname(), "concurrency": slots,
                "running": worker.running, "started_at": started}

    _housekeeper = Housekeeper(
        name, registry=Registry(client, heartbeat_seconds=timings.heartbeat_seconds),
        scheduler=Scheduler(client, worker.store, worker.limiter,
                            dispatch_grace_seconds=timings.dispatch_grace_seconds),
        send=_send, describe=describe_me, timings=timings)
    _housekeeper.start()
    log.info("engine worker %s: %d sync slots on one browser, recipes in %s, throttle %s, "
             "lease %.0f s", name, slots, worker.settings.recipes_dir,
             describe(worker.settings.throttle), timings.lease_seconds)


def _on_shutting_down(**_: Any) -> None:
    """Warm shutdown begins: stop taking part in the fleet, let running syncs finish."""
    housekeeper = _housekeeper
    if housekeeper is None or _worker is None:
        return
    housekeeper.stop()
    with contextlib.suppress(*UNREACHABLE):  # Redis may be gone; the heartbeat then expires
        Registry(_worker.store.client).leave(housekeeper.name)


def _on_shutdown(**_: Any) -> None:
    """Close the browser (and its Chromium children)."""
    _on_shutting_down()
    shutdown_runtime()


signals.worker_init.connect(_on_init, weak=False)
signals.worker_ready.connect(_on_ready, weak=False)
signals.worker_shutting_down.connect(_on_shutting_down, weak=False)
signals.worker_shutdown.connect(_on_shutdown, weak=False)
