"""Which scenario a login gets, and the pages that stand in for a working site.

A scenario comes from the identifiant (``demo-otp`` → ``otp``) or is forced for every login
at start-up. Maintenance, rate limiting and captchas are the answers a real bank gives
instead of the page asked for; they are rendered here so the login and account views stay
about the happy path.
"""

from __future__ import annotations

from flask import render_template
from werkzeug.wrappers import Response

from .config import SITE_WIDE_SCENARIOS, settings
from .data import SCENARIOS, scenario_username

RETRY_AFTER_SECONDS = 120

KNOWN_USERNAMES: dict[str, str] = {scenario_username(name): name for name in SCENARIOS}
"""Identifiant → scenario (``demo`` → ``normal``, ``demo-locked`` → ``locked``, ...)."""


def scenario_for_login(identifiant: str, forced: str | None) -> str | None:
    """The scenario of a login, or ``None`` when the identifiant is unknown.

    A forced scenario applies to every known demo identifiant.
    """
    chosen = KNOWN_USERNAMES.get(identifiant)
    if chosen is None:
        return None
    return forced or chosen


def _status_page(template: str, status: int, headers: dict[str, str] | None = None) -> Response:
    html = render_template(f"shared/{template}", base=settings().base_template, client=None)
    return Response(html, status=status, headers=headers, mimetype="text/html")


def blocking_page(scenario: str | None) -> Response | None:
    """The page that replaces the requested one under ``scenario``, or ``None``."""
    if scenario == "maint":
        return _status_page("maintenance.html", 200)
    if scenario == "maint503":
        return _status_page("maintenance.html", 503)
    if scenario == "ratelimit":
        return _status_page(
            "trop_de_requetes.html", 429, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    if scenario == "captcha":
        return _status_page("captcha.html", 200)
    return None


def site_wide_page() -> Response | None:
    """The blocking page for *every* request when such a scenario was forced at start-up."""
    forced = settings().scenario
    return blocking_page(forced) if forced in SITE_WIDE_SCENARIOS else None


def error_page(status: int, title: str, message: str) -> Response:
    """A styled error page (400, 404, 500...) in the current layout."""
    html = render_template(
        "shared/erreur.html", base=settings().base_template, titre=title, message=message
    )
    return Response(html, status=status, mimetype="text/html")
