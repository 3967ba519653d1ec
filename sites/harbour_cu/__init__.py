"""Harbour Credit Union: a server-rendered Australian mutual bank for the engine to sync.

It reproduces the patterns of real Australian internet banking (issue 11): a code e-mailed at
login, deposit accounts, credit cards and share trading on three different pages, tabs whose
content is fetched on click, ``CR``/``DR`` and type-column signs, whole-dollar summaries,
``US$``/``A$`` amounts, an "All activity" page mixing every account, date ranges in the URL,
and OFX 2, OFX 1.02 (SGML) and camt.053 downloads that carry exactly the pages' values. Data
comes from :mod:`sites.harbour_cu.data`; ``PATTERNS.md`` says where each pattern is.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
