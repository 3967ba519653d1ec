"""Login, SMS code, the post-login detours (expired password, security validation), logout.

Scenario choice happens right after a correct password, as on a real bank: wrong
credentials always look the same, whatever the identifiant.
"""

from __future__ import annotations

import hmac
import sys
import time
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from . import keypad, trusted_device
from .config import settings
from .csrf import check_csrf, csrf_token
from .data import DEMO_PASSWORD
from .scenarios import scenario_for_login

bp = Blueprint("auth", __name__)

OTP_TTL_SECONDS = 5 * 60
OTP_MAX_ATTEMPTS = 3
NOTICES = {
    "code-expire": "Le code de sécurité a expiré. Veuillez vous reconnecter.",
}
"""Messages carried to the next /connexion render through the session."""


def _secret_key() -> str:
    return str(current_app.secret_key)


def login_page(*, identifiant: str = "", error: str | None = None) -> str:
    """The login form with a fresh keypad; ``error`` is ``"erreur"`` or ``"bloque"``."""
    cfg = settings()
    notice_key = session.pop("notice", None)
    return render_template(
        cfg.template("connexion.html"),
        keys=keypad.new_keypad(session),
        csrf=csrf_token(),
        identifiant=identifiant,
        error=error,
        notice=(notice_key, NOTICES[notice_key]) if notice_key in NOTICES else None,
    )


def _log_in(username: str, scenario: str) -> None:
    """Start a fresh authenticated session (a new session id against fixation)."""
    session.clear()
    session["user"] = username
    session["scenario"] = scenario


@bp.get("/")
def index() -> Response:
    return redirect(url_for("auth.connexion"))


@bp.get("/connexion")
def connexion() -> str:
    return login_page()


@bp.post("/connexion")
def connexion_post() -> Response | str:
    cfg = settings()
    check_csrf(request.form.get(cfg.layout.csrf_field))
    identifiant = request.form.get(cfg.layout.username_field, "").strip()
    password = keypad.decode(session, request.form.get(cfg.layout.secret_field, ""))
    scenario = scenario_for_login(identifiant, cfg.scenario)
    correct = password is not None and hmac.compare_digest(password, DEMO_PASSWORD)
    if scenario is None or not correct:
        return login_page(identifiant=identifiant, error="erreur")
    if scenario == "locked":
        return login_page(identifiant=identifiant, error="bloque")
    if scenario in ("expired", "secvalid"):
        session.clear()
        session["etape"] = scenario
        endpoint = "auth.mot_de_passe_expire" if scenario == "expired" else "auth.validation"
        return redirect(url_for(endpoint))
    cookie = request.cookies.get(trusted_device.COOKIE_NAME)
    if scenario == "otp" and not trusted_device.is_trusted(cookie, _secret_key(), identifiant):
        session.clear()
        session["otp"] = {"user": identifiant, "issued": time.time(), "attempts": 0}
        print(f"[banque-demo] Code SMS pour {identifiant} : {cfg.otp_code}", file=sys.stderr)
        return redirect(url_for("auth.code_sms"))
    _log_in(identifiant, scenario)
    return redirect(url_for("accounts.comptes"))


def _challenge() -> dict[str, Any] | None:
    """The pending SMS challenge, or ``None`` (expired ones are dropped with a notice)."""
    challenge = session.get("otp")
    if not isinstance(challenge, dict):
        return None
    if time.time() - float(challenge.get("issued", 0)) > OTP_TTL_SECONDS:
        session.pop("otp", None)
        session["notice"] = "code-expire"
        return None
    return challenge


def _otp_page(remaining: int | None = None) -> str:
    return render_template(settings().template("code_sms.html"), csrf=csrf_token(),
                           remaining=remaining)


@bp.get("/code-sms")
def code_sms() -> Response | str:
    if _challenge() is None:
        return redirect(url_for("auth.connexion"))
    return _otp_page()


@bp.post("/code-sms")
def code_sms_post() -> Response | str:
    cfg = settings()
    check_csrf(request.form.get(cfg.layout.csrf_field))
    challenge = _challenge()
    if challenge is None:
        return redirect(url_for("auth.connexion"))
    code = request.form.get(cfg.layout.otp_field, "").strip()
    if hmac.compare_digest(code.encode(), cfg.otp_code.encode()):
        username = str(challenge["user"])
        _log_in(username, "otp")
        response = redirect(url_for("accounts.comptes"))
        trusted_device.issue(response, _secret_key(), username)
        return response
    attempts = int(challenge.get("attempts", 0)) + 1
    remaining = OTP_MAX_ATTEMPTS - attempts
    if remaining <= 0:
        session.pop("otp", None)
        return login_page(identifiant=str(challenge["user"]), error="bloque")
    session["otp"] = {**challenge, "attempts": attempts}
    return _otp_page(remaining)


def _detour(step: str, template: str, **context: Any) -> Response | str:
    """Show a post-login detour page, only to a session that was sent there."""
    if session.get("etape") != step:
        return redirect(url_for("auth.connexion"))
    return render_template(f"shared/{template}", base=settings().base_template,
                           csrf=csrf_token(), csrf_field=settings().layout.csrf_field, **context)


@bp.route("/mot-de-passe-expire", methods=["GET", "POST"])
def mot_de_passe_expire() -> Response | str:
    submitted = request.method == "POST"
    if submitted and session.get("etape") == "expired":
        check_csrf(request.form.get(settings().layout.csrf_field))
    return _detour("expired", "mot_de_passe_expire.html", submitted=submitted)


@bp.get("/validation-securite")
def validation() -> Response | str:
    return _detour("secvalid", "validation_securite.html")


@bp.get("/deconnexion")
def deconnexion() -> Response:
    session.clear()
    return redirect(url_for("auth.connexion"))
