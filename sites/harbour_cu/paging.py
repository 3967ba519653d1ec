"""Query-string helpers shared by the paginated and date-ranged views.

Pages are 1-based; a page past the end is a 404 (as on the real site, a stale "next" link
does not silently show page 1 again). Dates in URLs are ISO ``YYYY-MM-DD``, which is what an
``<input type="date">`` submits and what the engine passes as ``{{ options.since }}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from flask import abort, request

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of ``items`` (``number`` is 1-based, ``count`` is the number of pages)."""

    items: list[T]
    number: int
    count: int
    total: int
    size: int

    @property
    def first_index(self) -> int:
        """1-based position of the page's first item in the whole list."""
        return (self.number - 1) * self.size + 1

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(items: list[T], size: int) -> Page[T]:
    """The page named by ``?page=`` (junk means 1; past the end aborts with 404)."""
    try:
        number = max(int(request.args.get("page", "1")), 1)
    except ValueError:
        number = 1
    count = max(1, -(-len(items) // size))
    if number > count:
        abort(404)
    return Page(items[(number - 1) * size : number * size], number, count, len(items), size)


class BadDate(ValueError):
    """A ``from``/``to`` parameter that is not a calendar date in ISO form."""


def iso_date(name: str, default: date) -> date:
    """The ``?name=YYYY-MM-DD`` parameter, ``default`` when absent or empty."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise BadDate(name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadDate(name) from None
