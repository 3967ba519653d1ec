"""Banque Démo: a server-rendered French bank for the engine to sync against.

It behaves like a real site (CSRF tokens, scrambled keypad, SMS codes, maintenance pages,
rate limits, a front-end redesign) so the engine can be exercised end to end with a real
browser, while its data comes from :mod:`sites.banque_demo.data` so expected results are exact.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
