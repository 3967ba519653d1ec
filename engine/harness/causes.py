"""One vocabulary for "why did this fail", so check, replay, canary and drift all lead with
the same kind of first line.

A ``Cause`` is one located reason: a selector that stopped matching (step, selector, page),
a value that changed (field, page, first differing value), a truncated history (page, next
link, counts), a row count that fell. Causes are ranked: the one a person fixes first — the
broken selector, not the hundred values it emptied — comes first, and a command's first
output line is the first cause.
"""

from __future__ import annotations

from dataclasses import dataclass

RANKS = {
    "sync_error": 0,      # the sync itself failed (replay, drift): its step and selector
    "login": 1,           # a login selector matches no recorded page any more
    "selector": 2,        # a row or field selector matched at recording, nothing now
    "runner": 3,          # what the runner would refuse: no rows, unparsable, invalid model
    "truncated": 4,       # a list stopped early: its next link
    "rows_lost": 5,
    "rows_fell": 5,
    "values": 6,          # values differ from expected.json
    "rows_added": 7,      # rows or items not in the recording
    "pages_added": 7,
    "list_missing": 8,
    "list_added": 8,
    "no_snapshots": 9,
    "harness": 9,
}


@dataclass
class Cause:
    kind: str
    message: str
    """The whole line, ready to print first."""
    step: str | None = None
    """Where in the recipe: ``login[1] fill``, ``transactions.fields.amount``."""
    selector: str | None = None
    page: str | None = None
    """The page: URL path, with the snapshot file when there is one."""
    field: str | None = None
    snapshot: str | None = None
    """The saved snapshot it was found in (its screenshot is the one to show)."""
    code: str | None = None
    """The sync's error code, for a cause that is the sync's own error."""

    @property
    def rank(self) -> int:
        return RANKS.get(self.kind, 9)

    def __str__(self) -> str:
        return self.message


def ranked(causes: list[Cause]) -> list[Cause]:
    """Worst first; among equals, the order they were found in (page order)."""
    return sorted(causes, key=lambda c: c.rank)


def headline(causes: list[Cause]) -> str | None:
    ordered = ranked(causes)
    return ordered[0].message if ordered else None


def located(step: str | None, selector: str | None, page: str | None) -> str:
    """``step login[1] fill, selector #identifiant, page /connexion``."""
    return ", ".join(f"{label} {value}" for label, value in (
        ("step", step), ("selector", selector), ("page", page)) if value)


__all__ = ["RANKS", "Cause", "headline", "located", "ranked"]
