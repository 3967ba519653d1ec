"""Statement pages in eight locales (ru, de, pt, es, it, nl, pl, sr) for extraction tests.

Each page is a statement table as a bank of that country shows it — its date formats (month
names in the right grammatical case, weekdays where banks print them), its number formats
(U+2212 minus, narrow and ordinary no-break spaces, dot or space thousands), its way of
giving the direction (a sign, Soll/Haben suffixes, Dare/Avere or Af/Bij columns). The exact
rows are in :mod:`sites.statements.data`.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
