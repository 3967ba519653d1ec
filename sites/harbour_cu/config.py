"""One app instance's settings, read by the views through :func:`settings`.

Kept apart from the views so that several differently configured sites (say, one in
maintenance) can run side by side in one test process.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .models import Bank

EXTENSION_KEY = "harbour_cu"


@dataclass(frozen=True)
class Settings:
    """What ``create_app`` was asked for, plus the bank built from the seed."""

    bank: Bank
    otp_code: str
    code_ttl_seconds: float
    maintenance: bool


def settings() -> Settings:
    """The settings of the app handling the current request."""
    value = current_app.extensions[EXTENSION_KEY]
    assert isinstance(value, Settings)
    return value
