"""Banco Aurora's JSON API, served on its own origin (``http://localhost:P``).

The web app lives on another origin (``http://127.0.0.1:P``), so every call is cross-origin:
CORS with credentials for the configured web origin only (flask-cors), ``Authorization`` as
an allowed request header (hence a preflight), and ``Retry-After`` exposed so the page can say
how long to wait. Requests from any other origin get no CORS headers and are refused by the
browser, as a real bank's API does.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from sites.banco_aurora import faults
from sites.banco_aurora.api_auth import auth_api
from sites.banco_aurora.api_data import data_api
from sites.banco_aurora.api_state import ApiState, install
from sites.banco_aurora.auth import AuthStore
from sites.banco_aurora.data import DEFAULT_SEED, EMAIL_CODE, SCENARIOS, build_bank


def create_api_app(
    web_origins: Sequence[str] = (),
    *,
    scenario: str | None = None,
    seed: int = DEFAULT_SEED,
    approve_after: float = 2.0,
    approval_ttl: float = 8.0,
    token_ttl: float = 900.0,
    email_code: str = EMAIL_CODE,
) -> Flask:
    """A fresh API with its own sessions; ``web_origins`` are the origins CORS lets in.

    ``scenario`` forces one behaviour for every login; ``manutencao`` then hits every call,
    the login included (a site-wide outage), while a maintenance chosen by the login CPF hits
    only the data calls.
    """
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {sorted(SCENARIOS)}")
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    auth = AuthStore(approve_after=approve_after, approval_ttl=approval_ttl,
                     token_ttl=token_ttl, email_code=email_code)
    install(app, ApiState(build_bank(seed), auth, scenario))
    CORS(app, origins=list(web_origins), supports_credentials=True,
         allow_headers=["Authorization", "Content-Type"], methods=["GET", "POST", "OPTIONS"],
         expose_headers=["Retry-After", "WWW-Authenticate"], max_age=600, vary_header=True)
    app.register_blueprint(auth_api)
    app.register_blueprint(data_api)

    @app.before_request
    def _site_wide_outage() -> Response | None:
        """A forced maintenance answers everything but CORS preflights (so the page sees 503)."""
        if scenario == "manutencao" and request.method != "OPTIONS":
            return faults.maintenance()
        return None

    @app.after_request
    def _no_store(response: Response) -> Response:
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(HTTPException)
    def _json_errors(exc: HTTPException) -> Response:
        codes = {404: "nao_encontrado", 405: "metodo_nao_permitido"}
        return faults.error(exc.code or 500, codes.get(exc.code or 500, "erro_http"))

    return app
