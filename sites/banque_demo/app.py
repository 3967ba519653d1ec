"""The Flask application factory of Banque Démo.

It wires the pieces: request log first (so blocked requests are logged too), the site-wide
scenario gate, the login and account blueprints, error pages, the analytics pixel and the
template helpers shared by every layout.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask import Flask, request, session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import accounts, auth, formats, request_log
from .config import EXTENSION_KEY, Settings, layout_named, normalize_scenario, settings
from .data import CUSTOMER_NAME, DEFAULT_SEED, REFERENCE_DATE, build_bank
from .scenarios import error_page, site_wide_page

PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
"""A transparent 1×1 GIF, served at /pixel.gif so tests can see whether it was fetched."""

_ERROR_TEXTS = {
    400: ("Requête invalide", "Votre session a expiré ou le formulaire est invalide. "
          "Veuillez recharger la page."),
    404: ("Page introuvable", "La page demandée n'existe pas ou n'est plus disponible."),
    405: ("Requête invalide", "Cette action n'est pas autorisée."),
    500: ("Erreur technique", "Une erreur technique est survenue. Veuillez réessayer plus tard."),
}


def create_app(
    layout: str = "classic",
    scenario: str | None = None,
    *,
    seed: int = DEFAULT_SEED,
    otp_code: str = "123456",
    slow_seconds: float = 30.0,
    analytics_host: str | None = None,
) -> Flask:
    """A Banque Démo site.

    ``layout`` is ``classic``, ``redesign`` or ``innocuous``; ``scenario`` (``otp``,
    ``maint503``... with or without the ``demo-`` prefix) forces that scenario for every login,
    or for every page for maintenance/rate-limit/captcha. ``analytics_host`` adds a
    third-party tracking pixel to every page.
    """
    cfg = Settings(
        bank=build_bank(seed),
        layout=layout_named(layout),
        scenario=normalize_scenario(scenario),
        otp_code=otp_code,
        slow_seconds=slow_seconds,
        analytics_host=analytics_host,
    )
    app = Flask(__name__)
    # Derived from the seed so sessions and trusted-device cookies survive a demo restart.
    app.secret_key = hashlib.sha256(f"banque-demo:{seed}".encode()).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME="bd_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    app.extensions[EXTENSION_KEY] = cfg

    request_log.install(app)
    app.before_request(_site_wide_gate)
    app.register_blueprint(auth.bp)
    app.register_blueprint(accounts.bp)
    app.register_error_handler(HTTPException, _http_error)
    app.add_url_rule("/pixel.gif", "pixel", _pixel)
    app.context_processor(_template_globals)
    app.jinja_env.filters.update(
        eur=formats.amount_eur, quantite=formats.quantity, date_fr=formats.date_numeric
    )
    return app


def _site_wide_gate() -> Response | None:
    """Maintenance and friends forced at start-up answer every page but static assets."""
    if request.endpoint in ("static", "pixel"):
        return None
    return site_wide_page()


def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    title, message = _ERROR_TEXTS.get(code, (exc.name, exc.description or ""))
    response = error_page(code, title, message)
    if code == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def _pixel() -> Response:
    return Response(PIXEL_GIF, mimetype="image/gif", headers={"Cache-Control": "no-store"})


def _template_globals() -> dict[str, Any]:
    """Values every template sees: layout, customer name when logged in, pixel, date."""
    cfg = settings()
    pixel_url = None
    if cfg.analytics_host:
        page = (request.endpoint or "erreur").rsplit(".", 1)[-1]
        pixel_url = f"http://{cfg.analytics_host}/pixel.gif?p={page}"
    return {
        "layout": cfg.layout,
        "base": cfg.base_template,
        "client": CUSTOMER_NAME if session.get("user") else None,
        "pixel_url": pixel_url,
        "situation": formats.date_numeric(REFERENCE_DATE),
    }
