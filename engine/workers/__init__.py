"""Distributed sync workers: a backend enqueues syncs, a fleet of workers runs them.

Job state, the queue of due jobs, sealed credentials and sealed results live in Redis; Celery
carries only "run job X now" messages, which are disposable. Each worker process hosts one
Chromium (one long-lived ``Engine``) and runs up to ``--concurrency`` syncs on it, renewing
each running job's lease; any live worker hands out due jobs and takes back the jobs of a
worker that stopped renewing. A fleet-wide limiter keeps each institution's load polite, and a
per-customer lock keeps one login per customer at a time. A one-time-code challenge parks the
job, and ``submit_code`` resumes it on whichever worker is free. See docs/workers.md.

Modules: ``client`` (backend API), ``app`` (the Celery app workers run), ``tasks`` (what one
attempt does), ``lease`` (a running sync's heartbeat), ``runtime`` (the per-process loop and
browser), ``jobs`` and ``scripts`` (the job state machine), ``queue`` (dispatching, reaping),
``fleet`` (worker registry), ``housekeeping`` (each worker's background duties), ``throttle``,
``sealing``, ``connection``, ``keys``, ``settings``, ``broker``, ``cli``.

The backend imports ``engine.workers.client`` only; importing this package imports nothing
heavy.
"""

from engine.extras import require

require("workers", "engine.workers (the distributed workers)")
