"""The Flask application factory of Banka Sever.

It wires the login blueprint and the logged-in pages, the site-wide maintenance switch,
error pages in the bank's style, and the session cookie named as an ASP.NET site names it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask import Flask, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import auth, views
from .data import CYRILLIC_USERNAME, DEFAULT_SEED, DEMO_USERNAME, OTP_CODE, PAGE_SIZE, build_bank
from .site import EXTENSION_KEY, Settings, TermsStore, error_page, maintenance_page, settings
from .webforms import WebForms


def create_app(
    *,
    seed: int = DEFAULT_SEED,
    otp_code: str = OTP_CODE,
    maintenance: bool = False,
    terms_pending: Iterable[str] = (DEMO_USERNAME, CYRILLIC_USERNAME),
    page_size: int = PAGE_SIZE,
    otp_ttl_seconds: float = 300.0,
) -> Flask:
    """A Banka Sever site.

    ``terms_pending`` lists the customers who will see the new-terms page at their next
    login (once: accepting it is remembered for the life of the app). ``maintenance`` answers
    every page with the maintenance notice and HTTP 503 (the login-chosen maintenance of the
    ``demo.odrzavanje`` user answers 200, as many banks do).
    """
    app = Flask(__name__)
    # Derived from the seed so sessions survive a demo restart; the view-state key likewise.
    secret = hashlib.sha256(f"banka-sever:{seed}".encode()).hexdigest()
    app.secret_key = secret
    app.config.update(
        SESSION_COOKIE_NAME="ASP.NET_SessionId",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions[EXTENSION_KEY] = Settings(
        bank=build_bank(seed),
        otp_code=otp_code,
        maintenance=maintenance,
        forms=WebForms(secret),
        terms=TermsStore(terms_pending),
        page_size=page_size,
        otp_ttl_seconds=otp_ttl_seconds,
    )
    app.before_request(_maintenance_gate)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.jinja_env.filters["nbsp"] = _nbsp
    return app


def _nbsp(value: str) -> Markup:
    """Escape ``value`` and write its non-breaking spaces as ``&nbsp;``, as ASP.NET does."""
    return escape(value).replace("\u00a0", Markup("&nbsp;"))


def _maintenance_gate() -> Response | None:
    if settings().maintenance and request.endpoint != "static":
        return maintenance_page(503)
    return None


def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    return error_page(code, "not_found" if code == 404 else "error")
