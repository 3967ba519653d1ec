"""Start both of Banco Aurora's origins: the web app on ``127.0.0.1`` and its API on ``localhost``.

Each origin needs the other's URL (the web app calls the API; the API's CORS admits only the
web origin), and with ephemeral ports neither is known before binding. So both sockets are
bound first, each serving a placeholder, and the real apps are plugged in once both ports
are known — before anyone can have learned a port and sent a request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from sites._server import ThreadedServer
from sites.banco_aurora.api_app import create_api_app
from sites.banco_aurora.api_state import ApiState, current_state
from sites.banco_aurora.web import create_app

API_HOST = "localhost"
"""A different host name from the web app's ``127.0.0.1``: another origin and another site."""


class LateApp:
    """A WSGI app whose real application is given after the server is bound."""

    def __init__(self) -> None:
        self.app: Any = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if self.app is None:  # pragma: no cover - nobody knows the port yet
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.app(environ, start_response)


def api_url_for(port: int) -> str:
    return f"http://{API_HOST}:{port}"


def wire(web_url: str, api_url: str, *, list_mode: str = "virtual",
         **api_options: Any) -> tuple[Flask, Flask]:
    """The (web, API) pair for two known URLs."""
    return create_app(api_url, list_mode=list_mode), create_api_app([web_url], **api_options)


class AuroraSite:
    """Both origins in threads of this process, for tests: ``with AuroraSite() as site: ...``.

    Options are ``create_api_app``'s (``scenario``, ``seed``, ``approve_after``,
    ``approval_ttl``, ``token_ttl``, ``email_code``) plus ``list_mode`` for the web app.
    Each server is stopped by ``stop()`` (or leaving the ``with``), by whoever started it.
    """

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.web: ThreadedServer | None = None
        self.api: ThreadedServer | None = None
        self.web_app: Flask | None = None
        self.api_app: Flask | None = None

    @property
    def web_url(self) -> str:
        assert self.web is not None, "site not started"
        return self.web.url

    @property
    def api_url(self) -> str:
        assert self.api is not None, "site not started"
        return api_url_for(urlsplit(self.api.url).port or 0)

    @property
    def state(self) -> ApiState:
        """The API's sessions, clock and data (tests move the clock or read the bank)."""
        assert self.api_app is not None, "site not started"
        with self.api_app.app_context():
            return current_state()

    def start(self) -> AuroraSite:
        web_slot, api_slot = LateApp(), LateApp()
        self.api = ThreadedServer(api_slot).start()
        self.web = ThreadedServer(web_slot).start()
        self.web_app, self.api_app = wire(self.web_url, self.api_url, **self.options)
        web_slot.app, api_slot.app = self.web_app, self.api_app
        return self

    def stop(self) -> None:
        for server in (self.web, self.api):
            if server is not None:
                server.stop()
        self.web = self.api = None

    def __enter__(self) -> AuroraSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
