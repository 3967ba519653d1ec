"""NeoBanque: a demo neobank whose pages are a JavaScript single-page app over a JSON API.

Unlike the server-rendered demo bank, nothing useful is in the HTML: a scraper must run the
JavaScript, wait for the ``.loading`` indicator to go away, and page through "Afficher plus".
``layout`` changes only the markup (``redesign`` renames every id/class a recipe relies on,
``innocuous`` adds noise that must not matter); ``scenario`` forces one misbehaviour for every
login (see ``data.SCENARIOS``); without it, the login email picks the scenario.
"""

from __future__ import annotations

from flask import Flask, render_template

from sites.neobanque.api import api
from sites.neobanque.auth import AuthStore
from sites.neobanque.data import SCENARIOS, build_bank
from sites.neobanque.state import SiteState, install

LAYOUTS = ("classic", "redesign", "innocuous")

_FOOTERS = {
    "classic": "© 2026 NeoBanque — Établissement de crédit agréé par l'ACPR.",
    "redesign": "NeoBanque · Banque en ligne · Agréée ACPR",
    "innocuous": "NeoBanque 2026 — Vos dépôts sont garantis jusqu'à 100 000 € par le FGDR.",
}


def create_app(
    layout: str = "classic",
    scenario: str | None = None,
    *,
    seed: int = 2026,
    otp_code: str = "654321",
    slow_seconds: float = 30.0,
) -> Flask:
    """A fresh NeoBanque with its own sessions; data is ``build_bank(seed)``."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {sorted(SCENARIOS)}")
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    # The trusted-device key derives from the seed so a device stays trusted across restarts.
    auth = AuthStore(secret=f"neobanque-trusted-device-{seed}", otp_code=otp_code)
    install(app, SiteState(build_bank(seed), auth, layout, scenario, slow_seconds))
    app.register_blueprint(api)

    @app.get("/")
    def index() -> str:
        """The SPA shell: no data, just the layout name the JavaScript renders with."""
        return render_template("index.html", layout=layout, footer=_FOOTERS[layout])

    return app


__all__ = ["LAYOUTS", "create_app"]
