"""Redis connections that survive a broker restart, and writes that wait for it to come back.

Every part of the fleet (job store, limiter, registry, housekeeping) talks to Redis through a
client made here, so they share one policy: bounded socket timeouts (a dead host must not hang
a thread forever), a health check on idle pooled connections, and a short exponential backoff
with jitter on connection errors inside redis-py. A command still fails after about three
seconds of outage; the callers that must not give up (storing a finished sync's result, marking
a job throttled) wrap the write in :func:`persist`, which keeps trying with a capped backoff.

Scripts are safe to retry: each state transition carries the attempt's token, and repeating a
transition that already happened answers as the first call did (see ``scripts.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

log = logging.getLogger("engine.workers")

T = TypeVar("T")

UNREACHABLE: tuple[type[Exception], ...] = (redis.ConnectionError, redis.TimeoutError)
"""Errors meaning 'Redis is not answering now' (restart, failover, network), as opposed to a
wrong command or a full server, which retrying would not fix."""

SOCKET_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5.0


def connect(url: str) -> redis.Redis:
    """A client for ``url`` that retries briefly by itself and never blocks for long."""
    return redis.Redis.from_url(
        url, decode_responses=True,
        socket_timeout=SOCKET_TIMEOUT_SECONDS, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_keepalive=True, health_check_interval=15,
        retry=Retry(ExponentialWithJitterBackoff(base=0.1, cap=1.0), retries=3),
        retry_on_error=list(UNREACHABLE))


def persist(action: Callable[[], T], *, what: str, give_up_after: float) -> T:
    """Run ``action`` until Redis answers, for up to ``give_up_after`` seconds.

    Used for the writes whose loss would make a job run twice or stay stuck: a sync's result,
    a suspension, a throttle decision. Re-raises the last connection error after the deadline.
    """
    deadline = time.monotonic() + give_up_after
    delay, warned = 0.2, False
    while True:
        try:
            result = action()
        except UNREACHABLE:
            if time.monotonic() + delay > deadline:
                raise
            if not warned:
                log.warning("Redis unreachable while %s; retrying until it is back", what)
                warned = True
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
            continue
        if warned:
            log.info("Redis is back: %s done", what)
        return result
