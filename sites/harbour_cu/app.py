"""The Flask application factory of Harbour Credit Union.

It wires the login and the logged-in blueprints, the site-wide maintenance gate, error pages
and the template helpers (the amount and date styles of :mod:`formats`, the generated class
names of :mod:`styles`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import auth, banking, cards, downloads, formats, investments
from .config import EXTENSION_KEY, Settings
from .data import CUSTOMER_NAME, DEFAULT_OTP_CODE, DEFAULT_SEED, REFERENCE_DATE, build_bank
from .styles import cx

_ERRORS = {
    400: ("Something's not right", "We couldn't process that request. Please try again."),
    404: ("Page not found", "The page you're looking for doesn't exist or has moved."),
    405: ("Something's not right", "That action isn't allowed."),
    500: ("Something went wrong", "We're having trouble right now. Please try again later."),
}


def create_app(
    *,
    seed: int = DEFAULT_SEED,
    otp_code: str = DEFAULT_OTP_CODE,
    code_ttl_seconds: float = 600.0,
    maintenance: bool = False,
) -> Flask:
    """A Harbour Credit Union site.

    ``otp_code`` is the code "e-mailed" at every login from a new device; ``maintenance``
    puts the whole site (login included) behind the maintenance notice with status 503.
    """
    app = Flask(__name__)
    # Derived from the seed so sessions and remembered devices survive a demo restart.
    app.secret_key = hashlib.sha256(f"harbour-cu:{seed}".encode()).hexdigest()
    app.config.update(SESSION_COOKIE_NAME="hcu_session", SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_HTTPONLY=True)
    app.extensions[EXTENSION_KEY] = Settings(
        bank=build_bank(seed), otp_code=otp_code, code_ttl_seconds=code_ttl_seconds,
        maintenance=maintenance,
    )
    if maintenance:
        app.before_request(_site_wide_maintenance)
    for blueprint in (auth.bp, banking.bp, cards.bp, investments.bp, downloads.bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, _http_error)
    app.context_processor(_template_globals)
    app.jinja_env.globals.update(cx=cx, page_url=_page_url)
    app.jinja_env.filters.update(
        money=formats.money, unsigned=formats.unsigned, crdr=formats.crdr,
        whole=formats.whole_dollars, foreign=formats.foreign, rate=formats.rate,
        conversion=formats.conversion,
        date_long=formats.date_long, date_short=formats.date_short,
        acctno=formats.number_html, units=formats.units, price=formats.price,
    )
    return app


def _site_wide_maintenance() -> Response | None:
    if request.endpoint == "static":
        return None
    return auth.maintenance_page(503)


def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    title, message = _ERRORS.get(code, (exc.name, exc.description or ""))
    html = render_template("error.html", title=title, message=message)
    return Response(html, status=code, mimetype="text/html")


def _template_globals() -> dict[str, Any]:
    return {
        "member": CUSTOMER_NAME if session.get("user") else None,
        "today": REFERENCE_DATE,
        "section": (request.endpoint or "").split(".", 1)[0],
    }


def _page_url(number: int) -> str:
    """This page's URL with ``page=number`` and every other query parameter kept."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(),
                            "page": number}
    return url_for(request.endpoint or "auth.index", **args)
