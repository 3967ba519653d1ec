"""One app instance's settings: layout, forced scenario, OTP code, delays, analytics host.

Views read them through :func:`settings` instead of module globals, so several differently
configured apps (classic and redesign, say) can run side by side in one test process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import current_app

from .data import SCENARIOS, Bank

EXTENSION_KEY = "banque_demo"

SITE_WIDE_SCENARIOS = frozenset({"maint", "maint503", "ratelimit", "captcha"})
"""Scenarios that, when forced at start-up, hit every page including /connexion."""


@dataclass(frozen=True)
class Layout:
    """A front-end: which template folder and which form field names the server expects.

    The redesign renames form fields too, because a scraper that still posts the classic
    names must fail the way it would against a real bank's new front-end.
    """

    name: str
    templates: str
    username_field: str
    secret_field: str
    csrf_field: str
    otp_field: str
    innocuous: bool = False


LAYOUTS: dict[str, Layout] = {
    "classic": Layout("classic", "classic", "identifiant", "code_secret", "csrf_token", "code"),
    "redesign": Layout("redesign", "redesign", "username", "pin", "_csrf", "otp"),
    "innocuous": Layout(
        "innocuous", "classic", "identifiant", "code_secret", "csrf_token", "code",
        innocuous=True,
    ),
}


@dataclass
class Settings:
    """What ``create_app`` was asked for, plus the bank built from the seed."""

    bank: Bank
    layout: Layout
    scenario: str | None
    otp_code: str
    slow_seconds: float
    analytics_host: str | None
    hang_release: threading.Event = field(default_factory=threading.Event)
    """Set it to let requests blocked by the ``hang`` scenario finish (tests do, on teardown)."""

    @property
    def base_template(self) -> str:
        return f"{self.layout.templates}/base.html"

    def template(self, name: str) -> str:
        """A layout-specific template (login, accounts, operations, holdings, code)."""
        return f"{self.layout.templates}/{name}"


def normalize_scenario(name: str | None) -> str | None:
    """``"demo-otp"`` or ``"otp"`` → ``"otp"``; ``None``/``"normal"``/``"demo"`` → ``None``."""
    if name is None:
        return None
    short = name.removeprefix("demo-")
    if short in ("demo", "normal"):
        return None
    if short not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    return short


def layout_named(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; known: {', '.join(LAYOUTS)}") from None


def settings() -> Settings:
    """The settings of the app handling the current request."""
    value = current_app.extensions[EXTENSION_KEY]
    assert isinstance(value, Settings)
    return value
