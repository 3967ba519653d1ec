"""Banka Sever: a Serbian retail bank's e-banking, in the style of an ASP.NET WebForms site.

Server-rendered pages in Serbian Latin, or Cyrillic for customers who choose it: a cookie
banner that covers the login button until accepted, a one-time code typed into six
one-character boxes, a new-terms page shown once, and a statement page driven by postbacks
(account drop-down, "Sledeća") with columns found by their headers, separate debit and credit
columns, two-row records and day-only dates under month headings. Data comes from
:mod:`sites.banka_sever.data`, so expected results are exact.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
