"""Login, the six-box one-time code, the new-terms page, script switch and logout.

The flow is a Serbian bank's: user name and password (``Prijava.aspx``), then always a code
sent by SMS typed into six one-character boxes (``Verifikacija.aspx``), then, once per
customer, the new terms to accept (``NoviUslovi.aspx``), then the home page. Each form is a
WebForms postback: the server fires a button's click only when the button's name is posted
and the view state and event validation check out. Scenario users choose a failure after a
correct password, as a real bank only reveals a blocked account to someone who knows it.
"""

from __future__ import annotations

import hmac
import sys
import time
from typing import Any

from flask import Blueprint, redirect, request, session
from werkzeug.wrappers import Response

from . import i18n
from .data import DEMO_PASSWORD, SCENARIO_USERS
from .site import error_page, maintenance_page, render, script, settings
from .webforms import InvalidPostback

bp = Blueprint("auth", __name__)

OTP_BOXES = 6
OTP_MAX_ATTEMPTS = 3
USERNAME_FIELD = "ctl00$MainContent$txtKorisnickoIme"
PASSWORD_FIELD = "ctl00$MainContent$txtLozinka"
LOGIN_BUTTON = "ctl00$MainContent$btnPrijava"
OTP_FIELDS = tuple(f"ctl00$MainContent$txtKod{i}" for i in range(1, OTP_BOXES + 1))
OTP_BUTTON = "ctl00$MainContent$btnPotvrdi"
ACCEPT_BUTTON = "ctl00$MainContent$btnPrihvatam"
DECLINE_BUTTON = "ctl00$MainContent$btnOdustani"


def _postback(page: str, button: str) -> bool:
    """Whether ``button`` was clicked in a valid postback of ``page`` (raises when forged)."""
    forms = settings().forms
    _, hashes = forms.read(page, request.form)
    return button in request.form and forms.allows(page, hashes, f"{button}|")


def _login_page(message: str | None = None, css: str = "greska", username: str = "",
                status: int = 200) -> Response:
    return render("prijava.html", page="Prijava.aspx", events=[f"{LOGIN_BUTTON}|"],
                  message=message, message_css=css, username=username, status=status)


@bp.get("/")
def index() -> Response:
    return redirect("/Prijava.aspx")


@bp.get("/Prijava.aspx")
def prijava() -> Response:
    notice = session.pop("notice", None)
    return _login_page(i18n.text(notice, script()) if notice in i18n.TEXTS else None, "info")


@bp.post("/Prijava.aspx")
def prijava_post() -> Response:
    try:
        clicked = _postback("Prijava.aspx", LOGIN_BUTTON)
    except InvalidPostback:
        return error_page()
    username = request.form.get(USERNAME_FIELD, "").strip()
    if not clicked:
        return _login_page(username=username)
    password = request.form.get(PASSWORD_FIELD, "")
    cfg = settings()
    known = cfg.bank.customer(username) is not None or username in SCENARIO_USERS
    if not (known and hmac.compare_digest(password.encode(), DEMO_PASSWORD.encode())):
        return _login_page(i18n.text("wrong_credentials", script()), username=username)
    scenario = SCENARIO_USERS.get(username)
    if scenario == "blokiran":
        return _login_page(i18n.text("locked", script()), "greska blokiran", username)
    session.clear()
    if scenario == "odrzavanje":
        return redirect("/Odrzavanje.aspx")
    customer = cfg.bank.customer(username)
    assert customer is not None
    chosen = i18n.normalize_script(request.cookies.get(i18n.COOKIE_NAME))
    session["script"] = chosen or customer.script
    session["otp"] = {"user": username, "issued": time.time(), "attempts": 0}
    print(f"[banka-sever] SMS kod za {username}: {cfg.otp_code}", file=sys.stderr)
    return redirect("/Verifikacija.aspx")


def _challenge() -> dict[str, Any] | None:
    challenge = session.get("otp")
    if not isinstance(challenge, dict):
        return None
    if time.time() - float(challenge.get("issued", 0)) > settings().otp_ttl_seconds:
        session.pop("otp", None)
        session["notice"] = "otp_expired"
        return None
    return challenge


def _otp_page(challenge: dict[str, Any], message: str | None = None) -> Response:
    customer = settings().bank.customer(str(challenge["user"]))
    assert customer is not None
    return render("verifikacija.html", page="Verifikacija.aspx", events=[f"{OTP_BUTTON}|"],
                  fields=OTP_FIELDS, phone=customer.phone_hint, message=message)


@bp.get("/Verifikacija.aspx")
def verifikacija() -> Response:
    challenge = _challenge()
    return redirect("/Prijava.aspx") if challenge is None else _otp_page(challenge)


@bp.post("/Verifikacija.aspx")
def verifikacija_post() -> Response:
    challenge = _challenge()
    if challenge is None:
        return redirect("/Prijava.aspx")
    try:
        clicked = _postback("Verifikacija.aspx", OTP_BUTTON)
    except InvalidPostback:
        return error_page()
    if not clicked:
        return _otp_page(challenge)
    boxes = [request.form.get(name, "") for name in OTP_FIELDS]
    code = "".join(boxes)  # each box holds one character (maxlength=1), checked here too
    cfg = settings()
    if all(len(box) == 1 for box in boxes) and hmac.compare_digest(code.encode(),
                                                                   cfg.otp_code.encode()):
        username = str(challenge["user"])
        chosen = session.get("script")
        session.clear()
        session["user"], session["script"] = username, chosen
        return redirect("/NoviUslovi.aspx" if cfg.terms.pending(username) else "/Pocetna.aspx")
    attempts = int(challenge.get("attempts", 0)) + 1
    if attempts >= OTP_MAX_ATTEMPTS:
        session.clear()
        session["notice"] = "otp_too_many"
        return redirect("/Prijava.aspx")
    session["otp"] = {**challenge, "attempts": attempts}
    remaining = str(OTP_MAX_ATTEMPTS - attempts)
    return _otp_page(challenge, i18n.text("otp_wrong", script(), remaining=remaining))


@bp.route("/NoviUslovi.aspx", methods=["GET", "POST"])
def novi_uslovi() -> Response:
    username = session.get("user")
    if not isinstance(username, str):
        return redirect("/Prijava.aspx")
    terms = settings().terms
    if not terms.pending(username):
        return redirect("/Pocetna.aspx")
    events = [f"{ACCEPT_BUTTON}|", f"{DECLINE_BUTTON}|"]
    if request.method == "POST":
        try:
            if _postback("NoviUslovi.aspx", ACCEPT_BUTTON):
                terms.accept(username)
                return redirect("/Pocetna.aspx")
            if _postback("NoviUslovi.aspx", DECLINE_BUTTON):
                session.clear()
                return redirect("/Prijava.aspx")
        except InvalidPostback:
            return error_page()
    return render("uslovi.html", page="NoviUslovi.aspx", events=events)


@bp.get("/Jezik.aspx")
def jezik() -> Response:
    """The script switch: remembered in a cookie and, when logged in, in the session."""
    chosen = i18n.normalize_script(request.args.get("pismo"))
    back = request.args.get("povratak", "/Prijava.aspx")
    if not back.startswith("/") or back.startswith("//"):
        back = "/Prijava.aspx"
    response = redirect(back)
    if chosen:
        if session.get("user") or session.get("otp"):
            session["script"] = chosen
        response.set_cookie(i18n.COOKIE_NAME, chosen, max_age=365 * 86400, samesite="Lax")
    return response


@bp.get("/Odjava.aspx")
def odjava() -> Response:
    session.clear()
    return redirect("/Prijava.aspx")


@bp.get("/Odrzavanje.aspx")
def odrzavanje() -> Response:
    return maintenance_page(200)
