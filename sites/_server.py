"""Start a demo site on 127.0.0.1, either in a thread of this process or as a child process.

Tests use the thread form (fast, stopped by the test that started it); the demo command and the
benchmark use the process form so the site's CPU is not counted against the engine. Both bind
an ephemeral port unless told otherwise and report the URL they actually listen on.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

LOOPBACK = "127.0.0.1"


@dataclass
class ThreadedServer:
    """A WSGI app served by werkzeug's threaded server in a daemon thread."""

    app: Any
    port: int = 0
    _server: BaseWSGIServer | None = field(default=None, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("server not started")
        return f"http://{LOOPBACK}:{self._server.server_port}"

    def start(self) -> ThreadedServer:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no per-request lines in tests
        self._server = make_server(LOOPBACK, self.port, self.app, threaded=True)
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(app: Any, port: int = 0) -> None:
    """Serve ``app`` in the foreground, printing ``LISTENING <url>`` once bound (for parents)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(LOOPBACK, port, app, threaded=True)
    server.daemon_threads = True  # type: ignore[attr-defined]
    print(f"LISTENING http://{LOOPBACK}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@dataclass
class ChildServer:
    """A demo site run as ``python -m <module> --port 0 ...`` in a child process we own."""

    module: str
    args: list[str] = field(default_factory=list)
    url: str = ""
    _proc: subprocess.Popen[str] | None = field(default=None, init=False, repr=False)

    def start(self, timeout: float = 20.0) -> ChildServer:
        cmd = [sys.executable, "-m", self.module, "--port", "0", *self.args]
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy()
        )
        assert self._proc.stdout is not None
        timer = threading.Timer(timeout, self._proc.kill)
        timer.start()
        try:
            for line in self._proc.stdout:
                if line.startswith("LISTENING "):
                    self.url = line.split()[1]
                    break
        finally:
            timer.cancel()
        if not self.url:
            self.stop()
            raise RuntimeError(f"demo site {self.module} did not start")
        return self

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc else -1

    def stop(self) -> None:
        """Stop the child we started, by its own pid only."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()
        self._proc = None

    def __enter__(self) -> ChildServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
