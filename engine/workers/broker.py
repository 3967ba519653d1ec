"""How the workers use Celery: one task name, one queue, JSON only, and nothing to lose.

Only job ids travel in messages: credentials, codes and results live sealed in the job store,
so the broker's queues, Celery's logs and its (disabled) result backend never hold anything
secret, even encrypted. And a message is *disposable*: the job's state and its place in the
queue live in Redis (``queue.py``), so a message lost with a worker or in a broker restart is
handed out again, and a duplicate is refused by the job's claim. That decides the settings:

* **early acknowledgement** (``task_acks_late=False``) and **no prefetch**
  (``worker_disable_prefetch``, multiplier 1): a worker takes a message only when one of its
  threads is free and acknowledges it as the thread starts. It never holds messages it is not
  running, so a SIGKILL strands nothing for the visibility timeout, and one worker cannot
  hoard the queue.
* No countdowns: a throttled job waits in Redis as a due time, not as an ETA message kept in
  one worker's memory (where it used to die with the worker).
* Holding no unacknowledged messages also avoids kombu's Redis transport crash on a broker
  restart: when the connection drops, Celery closes it (``transport.client = None``) and then
  the channel's close tries to *restore* the unacknowledged messages through a new connection
  pool, built from that cleared client: ``AttributeError: 'NoneType' object has no attribute
  'hostname'`` escapes ``ignore_errors`` (it only swallows connection errors) and the worker
  dies with "Unrecoverable error". No unacknowledged messages, nothing to restore.
* Reconnect forever with Celery's backoff (2 s, growing to 30 s), and health-check the
  long-lived BRPOP connection every few seconds, so a consumer whose socket died silently
  in a restart reconnects instead of waiting forever.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

TASK_NAME = "engine.workers.run_job"

VISIBILITY_TIMEOUT_SECONDS = 300
"""Messages are acknowledged as they start, so this only matters for one a worker died holding
between taking it and starting it, which the dispatcher hands out again sooner anyway."""

TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": VISIBILITY_TIMEOUT_SECONDS,
    "health_check_interval": 4,     # consumer notices a dead BRPOP socket in ~10 s
    "socket_timeout": 10,
    "socket_connect_timeout": 5,
    "socket_keepalive": True,
    "retry_on_timeout": True,
}


def make_celery(broker_url: str, queue: str) -> Any:
    """A Celery app configured for sync jobs (``Any``: Celery ships no type hints)."""
    app = Celery("engine", broker=broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results go to the job store, sealed
        result_backend=None,
        task_default_queue=queue,
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        worker_disable_prefetch=True,
        # One process, N threads, one browser (see runtime.py); not prefork's N processes.
        worker_pool="threads",
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        # Only acks-late tasks would be cancelled, and there are none; True silences the
        # deprecation warning printed at every reconnection.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        broker_transport_options=TRANSPORT_OPTIONS,
        worker_send_task_events=False,
        task_send_sent_event=False,
    )
    return app
