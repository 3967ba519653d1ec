"""Banco Aurora: a Brazilian digital bank whose single-page app calls its API on another origin.

- ``create_app(api_url, list_mode=...)``: the front-end origin (shell, static JavaScript, the
  server-rendered overview embedding ``window.__AURORA_STATE__``).
- ``create_api_app(web_origins, scenario=..., ...)``: the JSON API (bearer tokens, approval in
  the mobile app, e-mail codes, terms, accounts in integer cents, movements with an origin
  and a destination, positions, the Pix section), CORS-limited to the web origins.
- ``AuroraSite(**options)``: both in threads on ephemeral ports, wired to each other
  (web on ``http://127.0.0.1:P1``, API on ``http://localhost:P2``).

See README.md for the demo users and PATTERNS.md for what a recipe must extract.
"""

from sites.banco_aurora.api_app import create_api_app
from sites.banco_aurora.servers import AuroraSite
from sites.banco_aurora.web import LIST_MODES, create_app

__all__ = ["LIST_MODES", "AuroraSite", "create_api_app", "create_app"]
