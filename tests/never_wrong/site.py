"""Tiny sites for the "never silently wrong" tests: each case declares its own pages.

``PageSite`` serves a mapping of path → handler (Flask), so a test reads as the pages it needs;
``RawServer`` answers at the socket level for what no web framework will do on purpose (close
the connection without an answer, reset it), the way a crashing server or a broken proxy does.
Both bind 127.0.0.1 on an ephemeral port and are stopped by the test that started them.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, make_response, redirect, request

from sites._server import ThreadedServer

Handler = Callable[[], Any]

LOGIN_FORM = """<!doctype html><html><head><title>Connexion</title></head><body>
<form id="login" method="post" action="{action}">
  <input id="user" name="user" {user_attrs}>
  <input id="pass" name="pass" type="password">
  <button id="go" type="submit">Se connecter</button>
</form>{extra}</body></html>"""

HOME = """<!doctype html><html><body><a id="logout" href="/logout">Déconnexion</a>
<h1>Bonjour</h1>{extra}</body></html>"""


def accounts_page(rows: list[tuple[str, str, str]], extra: str = "") -> str:
    cells = "".join(f'<tr class="acct" data-id="{i}"><td class="label">{label}</td>'
                    f'<td class="balance">{balance}</td></tr>' for i, label, balance in rows)
    return (f'<!doctype html><html><body><a id="logout" href="/logout">Déconnexion</a>'
            f'<table id="accounts"><tbody>{cells}</tbody></table>{extra}</body></html>')


def history_page(rows: list[tuple[str, str, str]], next_href: str | None = None) -> str:
    cells = "".join(f'<tr class="op"><td class="d">{d}</td><td class="l">{label}</td>'
                    f'<td class="a">{amount}</td></tr>' for d, label, amount in rows)
    link = f'<a class="next" href="{next_href}">Suivant</a>' if next_href else ""
    return (f'<!doctype html><html><body><table><tbody>{cells}</tbody></table>{link}'
            '</body></html>')


def ops(start: int, count: int, label: str = "Carte") -> list[tuple[str, str, str]]:
    """``count`` distinct operations numbered from ``start`` (dates in November 2026)."""
    return [(f"{1 + (n % 28):02d}/11/2026", f"{label} {n}", f"-{n},{n % 100:02d} €")
            for n in range(start, start + count)]


class PageSite:
    """A Flask app serving the handlers given; log of (method, path) it received."""

    def __init__(self, routes: dict[str, Handler | str], *, login_ok: Handler | None = None,
                 ) -> None:
        self.app = Flask(__name__)
        self.hits: list[tuple[str, str]] = []
        self.server: ThreadedServer | None = None
        self._routes = dict(routes)

        @self.app.before_request
        def _log() -> None:
            self.hits.append((request.method, request.full_path.rstrip("?")))

        for index, (path, handler) in enumerate(self._routes.items()):
            view = (lambda body=handler: body) if isinstance(handler, str) else handler
            self.app.add_url_rule(path, f"r{index}", view, methods=["GET", "POST"])
        if "/login" not in self._routes:
            self.app.add_url_rule("/login", "login", self._login, methods=["GET", "POST"])
        self._login_ok = login_ok

    def _login(self) -> Any:
        if request.method == "GET":
            return LOGIN_FORM.format(action="/login", user_attrs="", extra="")
        if self._login_ok is not None:
            return self._login_ok()
        response = redirect("/accounts", code=303)
        response.set_cookie("sid", "s-" + (request.form.get("user") or ""), httponly=True)
        return response

    def start(self) -> PageSite:
        self.server = ThreadedServer(self.app).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


class RawServer:
    """Answers every connection at the socket level: ``close`` (read the request, then close
    without a byte: an empty response) or ``reset`` (an RST, as a server killed mid-answer)."""

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self.connections = 0
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def start(self) -> RawServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                with contextlib.suppress(OSError):
                    conn.recv(65536)
                if self.behaviour == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


def html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = make_response(body, status)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
