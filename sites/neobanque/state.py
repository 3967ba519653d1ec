"""The per-app state every request handler needs, kept on ``app.extensions``.

One object per ``create_app`` call (rather than module globals) so tests can run several
NeoBanque instances side by side, each with its own sessions, scenario and layout.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from flask import Flask, current_app

from sites.neobanque.auth import AuthStore
from sites.neobanque.data import Bank

EXTENSION_KEY = "neobanque"


@dataclass
class SiteState:
    bank: Bank
    auth: AuthStore
    layout: str
    forced_scenario: str | None
    """The ``scenario=`` given at start-up; overrides the one chosen by the login email."""
    slow_seconds: float
    release: threading.Event = field(default_factory=threading.Event)
    """Set it to end 'slow' and 'hang' waits early (tests only; nothing in the site sets it)."""

    def scenario_for(self, email: str) -> str:
        return self.forced_scenario or email.partition("@")[0]


def install(app: Flask, state: SiteState) -> None:
    app.extensions[EXTENSION_KEY] = state


def current_state() -> SiteState:
    state = current_app.extensions[EXTENSION_KEY]
    assert isinstance(state, SiteState)
    return state
