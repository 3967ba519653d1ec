"""A thread-safe log of every request the app received, for tests to inspect.

Tests use it to prove what reached the site and under which Host header: that the engine
refused a third-party pixel, or that credentials were only ever posted to the bank's host.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, request

LOG_KEY = "request_log"
LOCK_KEY = "request_log_lock"


def install(app: Flask) -> None:
    """Create ``app.extensions["request_log"]`` and record each request into it.

    Registered before any other hook so even requests that a scenario blocks are logged.
    """
    log: list[dict[str, Any]] = []
    lock = threading.Lock()
    app.extensions[LOG_KEY] = log
    app.extensions[LOCK_KEY] = lock

    @app.before_request
    def _record() -> None:
        # get_data caches the body, so form parsing afterwards still sees it.
        body = request.get_data(cache=True).decode("utf-8", errors="replace")
        entry = {
            "method": request.method,
            "host": request.headers.get("Host", ""),
            "path": request.path,
            "query": request.query_string.decode("latin-1"),
            "body": body,
        }
        with lock:
            log.append(entry)


def snapshot(app: Flask) -> list[dict[str, Any]]:
    """A copy of the log taken under its lock (safe while the server is still serving)."""
    with app.extensions[LOCK_KEY]:
        return list(app.extensions[LOG_KEY])
