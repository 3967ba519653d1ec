"""The worker side's Celery app: ``celery -A engine.workers.app worker -n w1@%h -c 4``.

Configuration comes from the environment (see ``settings.py``); a worker without
``ENGINE_WORKER_KEY`` refuses to start rather than fail every job. Each worker process creates
its browser with its first job (``runtime.py``) and closes it on shutdown; it registers itself
in Redis (``engine:workers``) while it runs, so operators and tests can see the fleet.
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
from engine.workers.runtime import get_runtime, shutdown_runtime
from engine.workers.settings import (
    DEFAULT_QUEUE,
    DEFAULT_REDIS_URL,
    ENV_QUEUE,
    ENV_REDIS_URL,
    WorkerSettings,
)
from engine.workers.tasks import Worker, execute_job
from engine.workers.throttle import describe

log = logging.getLogger("engine.workers")

app = make_celery(os.environ.get(ENV_REDIS_URL, DEFAULT_REDIS_URL),
                  os.environ.get(ENV_QUEUE, DEFAULT_QUEUE))

_worker: Worker | None = None
_worker_lock = threading.Lock()
_hostname: str | None = None


def current_worker() -> Worker:
    """This process's shared state, built once from the environment."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = Worker.create(WorkerSettings.from_env(), get_runtime())
        return _worker


def run_job(task: Any, job_id: str) -> str:
    """Celery entry point: only a job id arrives; everything else is in the job store."""
    def requeue(job: str, delay: float) -> None:
        task.apply_async(args=[job], countdown=delay)

    hostname = str(task.request.hostname or socket.gethostname())
    return execute_job(current_worker(), job_id, hostname, requeue)


run_job_task = app.task(name=TASK_NAME, bind=True)(run_job)


def _on_init(sender: Any = None, **_: Any) -> None:
    """Fail fast on bad settings, and size the browser's slots to the thread count."""
    concurrency = int(getattr(sender, "concurrency", 0) or 0)
    get_runtime(concurrency or None)
    current_worker()


def _on_ready(sender: Any = None, **_: Any) -> None:
    global _hostname
    _hostname = str(getattr(sender, "hostname", None) or socket.gethostname())
    worker, slots = current_worker(), get_runtime().max_concurrency
    worker.store.register_worker(_hostname, {
        "pid": os.getpid(), "concurrency": slots, "started_at": time.time()})
    log.info("engine worker %s: %d sync slots on one browser, recipes in %s, throttle %s",
             _hostname, slots, worker.settings.recipes_dir, describe(worker.settings.throttle))


def _on_shutdown(**_: Any) -> None:
    """Close the browser (and its Chromium children) and leave the fleet registry."""
    shutdown_runtime()
    if _hostname is not None and _worker is not None:
        with contextlib.suppress(Exception):  # Redis may already be gone at shutdown
            _worker.store.unregister_worker(_hostname)


signals.worker_init.connect(_on_init, weak=False)
signals.worker_ready.connect(_on_ready, weak=False)
signals.worker_shutdown.connect(_on_shutdown, weak=False)
