"""API Banque Ouverte: a local PSD2 bank API in the Berlin Group NextGenPSD2 shape.

Where a bank offers an official PSD2 API the engine calls it over HTTP rather than scraping;
this app is the stand-in bank for that path. It implements the OAuth2 redirect flow with a
simulated PSU approval, AIS consents, accounts, balances and paged transactions, all served
from the seeded data in ``data.py``, and a set of scenarios (``data.SCENARIOS``) that reproduce
the failures a real integration meets: expired tokens and consents, throttling, outages, slow
answers, a changed schema and a revoked client.

A scenario is chosen per PSU (``psu_id=psu-<scenario>`` at ``/oauth/authorize`` or the
``PSU-ID`` header at consent creation) or forced for every caller with ``scenario=``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from . import accounts, consents, oauth
from .data import build_bank
from .errors import oauth_error, tpp_error
from .state import DemoState

__all__ = ["create_app", "demo_state", "release_waiters"]

_HTTP_CODES = {404: "RESOURCE_UNKNOWN", 405: "SERVICE_INVALID"}


def create_app(
    scenario: str | None = None,
    *,
    seed: int = 2026,
    token_ttl: int = 300,
    slow_seconds: float = 30.0,
) -> Flask:
    """Build one independent bank: its own data, tokens, codes and consents.

    ``scenario`` forces one of ``data.SCENARIOS`` on every PSU (ValueError if unknown);
    ``token_ttl`` is the access-token lifetime in seconds; ``slow_seconds`` is how long the
    ``slow`` scenario holds ``/v1/accounts``.
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep Berlin Group field order
    app.extensions["psd2_demo"] = DemoState(
        bank=build_bank(seed), seed=seed, scenario=scenario, token_ttl=token_ttl,
        slow_seconds=slow_seconds,
    )
    app.register_blueprint(oauth.blueprint)
    app.register_blueprint(consents.blueprint)
    app.register_blueprint(accounts.blueprint)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        """Unknown routes still answer in the dialect of the part of the API they hit."""
        status = exc.code or 500
        if request.path.startswith("/oauth/"):
            return oauth_error(status, "invalid_request", exc.description)
        return tpp_error(status, _HTTP_CODES.get(status, "FORMAT_ERROR"),
                         exc.description or exc.name)

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        """Berlin Group echoes X-Request-ID so a TPP can correlate its logs with the bank's."""
        if "X-Request-ID" in request.headers:
            response.headers["X-Request-ID"] = request.headers["X-Request-ID"]
        return response

    @app.get("/")
    def index() -> Response:
        """A landing document so a human poking at the port learns what this is."""
        return Response(
            "API Banque Ouverte - demo PSD2 (Berlin Group NextGenPSD2) API.\n"
            "POST /oauth/token, POST /v1/consents, GET /oauth/authorize, GET /v1/accounts\n",
            mimetype="text/plain",
        )

    return app


def demo_state(app: Flask) -> DemoState:
    """The app's in-memory state, for tests that need to age tokens or inspect consents."""
    state: DemoState = app.extensions["psd2_demo"]
    return state


def release_waiters(app: Flask) -> None:
    """Wake requests parked by the ``slow`` scenario so shutting the server down is prompt."""
    demo_state(app).release.set()
