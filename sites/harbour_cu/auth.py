"""Log in with a member number or username and password, then a code sent by e-mail.

As at most Australian credit unions, a new device must enter a six-digit code e-mailed to the
member ("We've emailed a code to j•••@example.com"); ticking "Remember this device" sets a
signed 30-day cookie that skips the code next time. Wrong credentials always get the same
text whatever the username, and the scenario (locked, maintenance) is chosen only after a
correct password, as on a real site.
"""

from __future__ import annotations

import hmac
import secrets
import sys
import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from .config import settings
from .data import DEMO_PASSWORD, SCENARIOS, masked_email, scenario_username

bp = Blueprint("auth", __name__)

CODE_MAX_ATTEMPTS = 3
DEVICE_COOKIE = "hcu_device"
DEVICE_MAX_AGE = 30 * 24 * 3600
KNOWN_USERNAMES = {scenario_username(name): name for name in SCENARIOS}

WRONG_CREDENTIALS = ("The member number or password you entered is incorrect. "
                     "Please check your details and try again.")
LOCKED = ("Your Internet Banking access has been locked. For your security, please call us "
          "on 13 42 72 to unlock it.")
CODE_WRONG = "That code isn't right. You have {n} attempt{s} left."
CODE_TOO_MANY = "Too many incorrect codes. For your security, please log in again."
CODE_EXPIRED = "Your code has expired. Please log in again to get a new code."
CODE_RESENT = "We've sent you a new code."


# -- CSRF and the trusted-device cookie ------------------------------------------------------

def csrf_token() -> str:
    """This session's form token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def _check_csrf() -> None:
    expected, submitted = session.get("csrf"), request.form.get("_csrf", "")
    if not isinstance(expected, str) or not hmac.compare_digest(expected, submitted):
        abort(400)


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="hcu-trusted-device")


def _device_trusted(username: str) -> bool:
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return False
    try:
        payload = _devices().loads(cookie, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("u") == username


# -- pages -----------------------------------------------------------------------------------

def _login_page(*, username: str = "", error: str | None = None, status: int = 200) -> Response:
    notice = session.pop("notice", None)
    html = render_template("login.html", csrf=csrf_token(), username=username, error=error,
                           notice=notice)
    return Response(html, status=status, mimetype="text/html")


def _start_session(username: str, scenario: str) -> None:
    """A fresh session (new contents against fixation) for a logged-in member."""
    session.clear()
    session["user"] = username
    session["scenario"] = scenario


@bp.get("/")
def index() -> Response:
    return redirect(url_for("banking.accounts") if session.get("user") else url_for(
        "auth.login"))


@bp.get("/login")
def login() -> Response:
    return _login_page()


@bp.post("/login")
def login_post() -> Response:
    _check_csrf()
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    scenario = KNOWN_USERNAMES.get(username)
    if scenario is None or not hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode()):
        return _login_page(username=username, error=WRONG_CREDENTIALS)
    if scenario == "locked":
        return _login_page(username=username, error=LOCKED)
    if _device_trusted(username):
        _start_session(username, scenario)
        return redirect(url_for("banking.accounts"))
    session.clear()
    session["challenge"] = {"user": username, "scenario": scenario, "issued": time.time(),
                            "attempts": 0}
    _send_code(username)
    return redirect(url_for("auth.verify"))


def _send_code(username: str) -> None:
    """'E-mail' the code: to stderr, where a person running the demo reads it."""
    print(f"[harbour-cu] e-mail to {masked_email()} for {username}: your code is "
          f"{settings().otp_code}", file=sys.stderr)


def _challenge() -> dict[str, Any] | None:
    """The pending code challenge, or ``None`` (an expired one is dropped with a notice)."""
    challenge = session.get("challenge")
    if not isinstance(challenge, dict):
        return None
    if time.time() - float(challenge.get("issued", 0)) > settings().code_ttl_seconds:
        session.pop("challenge", None)
        session["notice"] = CODE_EXPIRED
        return None
    return challenge


def _verify_page(*, error: str | None = None, notice: str | None = None) -> str:
    return render_template("verify.html", csrf=csrf_token(), email=masked_email(), error=error,
                           notice=notice)


@bp.get("/login/verify")
def verify() -> Response | str:
    if _challenge() is None:
        return redirect(url_for("auth.login"))
    return _verify_page()


@bp.post("/login/verify")
def verify_post() -> Response | str:
    _check_csrf()
    challenge = _challenge()
    if challenge is None:
        return redirect(url_for("auth.login"))
    code = "".join(request.form.get("code", "").split())
    if hmac.compare_digest(code.encode(), settings().otp_code.encode()):
        username = str(challenge["user"])
        _start_session(username, str(challenge["scenario"]))
        response = redirect(url_for("banking.accounts"))
        if request.form.get("remember") == "on":
            response.set_cookie(
                DEVICE_COOKIE, _devices().dumps({"u": username, "d": secrets.token_hex(8)}),
                max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax", path="/",
            )
        return response
    attempts = int(challenge.get("attempts", 0)) + 1
    left = CODE_MAX_ATTEMPTS - attempts
    if left <= 0:
        session.pop("challenge", None)
        session["notice"] = CODE_TOO_MANY
        return redirect(url_for("auth.login"))
    session["challenge"] = {**challenge, "attempts": attempts}
    return _verify_page(error=CODE_WRONG.format(n=left, s="" if left == 1 else "s"))


@bp.post("/login/verify/resend")
def resend() -> Response | str:
    _check_csrf()
    challenge = _challenge()
    if challenge is None:
        return redirect(url_for("auth.login"))
    session["challenge"] = {**challenge, "issued": time.time()}
    _send_code(str(challenge["user"]))
    return _verify_page(notice=CODE_RESENT)


@bp.get("/logout")
def logout() -> Response:
    session.clear()
    session["notice"] = "You've logged out of Internet Banking."
    return redirect(url_for("auth.login"))


def require_member() -> Response | None:
    """``before_request`` of every logged-in page: a session, and no maintenance under way."""
    if not session.get("user"):
        return redirect(url_for("auth.login"))
    if session.get("scenario") == "maint":
        return maintenance_page(200)
    return None


def maintenance_page(status: int) -> Response:
    """The notice shown instead of a page while Internet Banking is down."""
    headers = {"Retry-After": "3600"} if status == 503 else None
    return Response(render_template("maintenance.html"), status=status, headers=headers,
                    mimetype="text/html")
