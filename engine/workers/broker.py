"""How backend and workers talk through Celery: one task name, one queue, JSON only.

Shared by the client (which only *sends* tasks) and the worker app, so both sides are
configured identically. Only job ids travel in messages: credentials, codes and results live
sealed in the job store, so the broker's queues, Celery's logs and its (disabled) result
backend never hold anything secret, even encrypted.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

TASK_NAME = "engine.workers.run_job"

VISIBILITY_TIMEOUT_SECONDS = 3600
"""An unacknowledged job (its worker died) is redelivered after this long. It must exceed the
longest sync plus throttle countdowns, or a slow job would be delivered twice; the job store's
atomic claim makes such a duplicate a no-op anyway."""


def make_celery(broker_url: str, queue: str) -> Any:
    """A Celery app configured for sync jobs (``Any``: Celery ships no type hints)."""
    app = Celery("engine", broker=broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results go to the job store, sealed
        result_backend=None,
        task_default_queue=queue,
        # A job is acknowledged when it finishes, so a worker killed mid-sync loses nothing.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Each worker reserves no more jobs than it has threads: a busy worker does not hoard
        # jobs that an idle one could run.
        worker_prefetch_multiplier=1,
        # One process, N threads, one browser (see runtime.py); not prefork's N processes.
        worker_pool="threads",
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT_SECONDS},
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    return app
