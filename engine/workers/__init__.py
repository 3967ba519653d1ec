"""Distributed sync workers: a backend enqueues syncs, a fleet of workers runs them.

Celery carries job ids over Redis; each worker process hosts one Chromium (one long-lived
``Engine``) and runs up to ``--concurrency`` syncs on it; job state, sealed credentials and
sealed results live in Redis (``jobs.py``); a fleet-wide limiter keeps each institution's load
polite (``throttle.py``). A one-time-code challenge parks the job, and ``submit_code`` resumes
it on whichever worker is free. See docs/workers.md.

Modules: ``client`` (backend API), ``app`` (the Celery app workers run), ``tasks`` (what one
job does), ``runtime`` (the per-process loop and browser), ``jobs``, ``throttle``,
``sealing``, ``settings``, ``broker``, ``cli``.

The backend imports ``engine.workers.client`` only; importing this package imports nothing
heavy.
"""
