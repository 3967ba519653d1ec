"""What every Banka Sever view shares: settings, the interface script, rendering, errors.

Views call :func:`render` instead of Flask's ``render_template`` so each page gets the same
context (script, texts, the customer when logged in, the WebForms hidden fields of its form)
and :func:`error_page` so failures look like the bank's own pages.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request, session
from werkzeug.wrappers import Response

from . import formats, i18n, numbers
from .data import Bank, Customer
from .formats import LATIN
from .webforms import WebForms

EXTENSION_KEY = "banka_sever"
COOKIES_ACCEPTED = "sever_kolacici"
"""Cookie set by the banner's "Prihvatam" button (by script, as real consent banners do)."""


class TermsStore:
    """Which customers still have to accept the new terms (once each, per app instance)."""

    def __init__(self, pending: Iterable[str]) -> None:
        self._pending = set(pending)
        self._lock = threading.Lock()

    def pending(self, username: str) -> bool:
        with self._lock:
            return username in self._pending

    def accept(self, username: str) -> None:
        with self._lock:
            self._pending.discard(username)


@dataclass
class Settings:
    bank: Bank
    otp_code: str
    maintenance: bool
    forms: WebForms
    terms: TermsStore
    page_size: int
    otp_ttl_seconds: float = 300.0


def settings() -> Settings:
    value = current_app.extensions[EXTENSION_KEY]
    assert isinstance(value, Settings)
    return value


def script() -> str:
    """The interface script: the session's (set at login), else the switch cookie, else Latin."""
    chosen = session.get("script") or i18n.normalize_script(request.cookies.get(
        i18n.COOKIE_NAME))
    return chosen if chosen in i18n.SCRIPTS else LATIN


def customer() -> Customer | None:
    username = session.get("user")
    return settings().bank.customer(username) if isinstance(username, str) else None


def render(template: str, *, page: str, state: Mapping[str, Any] | None = None,
           events: Iterable[str] = (), status: int = 200, **context: Any) -> Response:
    """Render ``template`` as ASP.NET page ``page`` (e.g. ``Promet.aspx``) in the script."""
    current = script()
    hidden = settings().forms.hidden_fields(page, state or {}, events)

    def t(key: str, **values: str) -> str:
        return i18n.text(key, current, **values)

    html = render_template(
        template,
        page=page,
        hidden=hidden,
        script=current,
        t=t,
        lbl=lambda value: i18n.label(value, current),
        script_links=i18n.SCRIPT_LINKS,
        customer=customer(),
        show_cookie_banner=request.cookies.get(COOKIES_ACCEPTED) != "prihvaceni",
        fmt=formats,
        numbers=numbers,
        **{"postback": False, "menu": False, **context},
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["X-AspNet-Version"] = "4.0.30319"
    response.headers["X-Powered-By"] = "ASP.NET"
    return response


def error_page(status: int = 500, message_key: str = "error") -> Response:
    """The bank's own error page (ASP.NET custom errors), in the interface's script."""
    return render("greska.html", page="Greska.aspx", status=status, message_key=message_key)


def maintenance_page(status: int) -> Response:
    response = render("odrzavanje.html", page="Odrzavanje.aspx", status=status)
    if status == 503:
        response.headers["Retry-After"] = "3600"
    return response
