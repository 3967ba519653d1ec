"""Banco Aurora's front-end origin: the single-page app's shell, static files and one SSR page.

The app is client-rendered JavaScript (no build step) with History-API routing, so every app
path answers the same shell. The one exception is the account overview (``/inicio``): like a
server-side-rendered framework page, it ships its first data in the HTML,
``<script>window.__AURORA_STATE__ = {...};</script>``, fetched server-side from the API with
the bearer token the app mirrors into the ``aurora_sessao`` cookie of this origin. The JSON is
escaped for a ``<script>`` (``<``, ``>``, ``&`` as ``\\u003c``…), as frameworks do.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from typing import Any

from flask import Flask, Response, render_template, request

SESSION_COOKIE = "aurora_sessao"
LIST_MODES = ("virtual", "append")
APP_PATHS = ("/", "/entrar", "/aprovacao", "/codigo", "/termos", "/pix")


def _fetch_json(url: str, token: str, timeout: float) -> Any | None:
    """GET a JSON document from the API as the app would, or None on any failure."""
    req = urllib.request.Request(  # noqa: S310 (our own API origin, configured at start-up)
        url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310
            return json.load(answer)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def initial_state(api_url: str, token: str, timeout: float) -> dict[str, Any] | None:
    """What ``/inicio`` embeds: the customer and the accounts, exactly as the API gives them."""
    profile = _fetch_json(f"{api_url}/v1/sessao", token, timeout)
    if not isinstance(profile, dict) or "clienteId" not in profile:
        return None
    accounts = _fetch_json(f"{api_url}/v1/clientes/{profile['clienteId']}/contas", token, timeout)
    if not isinstance(accounts, dict) or "contas" not in accounts:
        return None
    customer = {key: profile[key] for key in ("clienteId", "nome", "primeiroNome", "cpfMascarado")}
    return {"cliente": customer, "contas": accounts["contas"]}


def create_app(api_url: str, *, list_mode: str = "virtual", api_timeout: float = 5.0) -> Flask:
    """The front-end for an API at ``api_url`` (e.g. ``http://localhost:8405``).

    ``list_mode`` is how the statement's infinite scroll keeps rows: ``virtual`` (only the
    rows near the viewport are in the DOM, as react-window does) or ``append`` (every loaded
    row stays).
    """
    if list_mode not in LIST_MODES:
        raise ValueError(f"unknown list_mode {list_mode!r}; expected one of {LIST_MODES}")
    api_url = api_url.rstrip("/")
    app = Flask(__name__)

    def shell(state: dict[str, Any] | None = None) -> Response:
        nonce = secrets.token_urlsafe(16)
        html = render_template("shell.html", api_url=api_url, list_mode=list_mode, state=state,
                               nonce=nonce)
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; connect-src 'self' "
            f"{api_url}; img-src 'self' data:; style-src 'self'; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
        response.headers["Cache-Control"] = "no-store"
        return response

    for path in APP_PATHS:
        app.add_url_rule(path, f"shell{path.replace('/', '_')}", lambda: shell())

    @app.get("/contas/<account_id>")
    def statement(account_id: str) -> Response:
        return shell()

    @app.get("/inicio")
    def overview() -> Response:
        """The overview, with its first data embedded when the browser has a session cookie."""
        token = request.cookies.get(SESSION_COOKIE)
        state = initial_state(api_url, token, api_timeout) if token else None
        return shell(state)

    return app
