"""Banque Exfil: an attacker's bank, to prove nothing leaves a sync for a foreign host.

``create_app(foreign)`` is the bank (Flask, on 127.0.0.1, the host its recipe allows);
``ForeignListener`` is the foreign host (a raw TCP/UDP counter on ``localhost``, a host name
the recipe does not allow); ``attacks.CASES`` lists every way out the pages try.
"""

from __future__ import annotations

from sites.exfil.app import ACCOUNT, OPERATIONS, PASSWORD, USERNAME, create_app
from sites.exfil.attacks import CASES, Case
from sites.exfil.listener import INJECTED_LABEL, ForeignListener

__all__ = ["ACCOUNT", "CASES", "INJECTED_LABEL", "OPERATIONS", "PASSWORD", "USERNAME", "Case",
           "ForeignListener", "create_app"]
