"""A ledger turns generated events into an account's booked history.

Generators add events in any order; :meth:`Ledger.book` sorts them by date (keeping insertion
order within a day), computes the running balance from the opening balance, gives each line a
bank reference (the OFX ``FITID`` and ISO 20022 ``AcctSvcrRef`` of the downloads) and returns
them newest first, as every page lists them. Accidental duplicates (same day, description and
amount) are refused so that the one deliberate pair is the only one a test must reason about.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .models import Foreign, Transaction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class _Event:
    date: date
    description: str
    amount: Decimal
    type_label: str
    channel: str
    foreign: Foreign | None


class Ledger:
    """Events of one account; ``ref_prefix`` keeps references unique across accounts."""

    def __init__(self, ref_prefix: str) -> None:
        self.ref_prefix = ref_prefix
        self._events: list[_Event] = []
        self._seen: set[tuple[date, str, Decimal]] = set()

    def add(self, day: date, description: str, amount: Decimal, type_label: str, channel: str,
            *, foreign: Foreign | None = None, allow_duplicate: bool = False) -> bool:
        """Record an event; ``False`` (and nothing recorded) for an accidental duplicate."""
        key = (day, description, amount)
        if key in self._seen and not allow_duplicate:
            return False
        self._seen.add(key)
        self._events.append(_Event(day, description, amount, type_label, channel, foreign))
        return True

    def balance_at_end_of(self, day: date, opening: Decimal) -> Decimal:
        """The balance after every event dated on or before ``day``."""
        return opening + sum((e.amount for e in self._events if e.date <= day), Decimal(0))

    def __len__(self) -> int:
        return len(self._events)

    def book(self, opening: Decimal) -> list[Transaction]:
        """The history, newest first, with running balances and references."""
        chronological = sorted(self._events, key=lambda e: e.date)  # stable within a day
        balance = opening
        booked: list[Transaction] = []
        for seq, event in enumerate(chronological, start=1):
            balance += event.amount
            booked.append(Transaction(
                date=event.date,
                description=event.description,
                amount=event.amount,
                type_label=event.type_label,
                channel=event.channel,
                reference=f"{event.date:%Y%m%d}{self.ref_prefix}{seq:05d}",
                balance=balance,
                foreign=event.foreign,
            ))
        booked.reverse()
        return booked


def money(rng: random.Random, low: float, high: float) -> Decimal:
    """A random amount in [low, high] with cents."""
    return (Decimal(rng.randint(round(low * 100), round(high * 100))) / 100).quantize(CENT)


def business_day(day: date) -> date:
    """The same day, or the Monday after when it falls on a weekend (when banks process)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def month_starts(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s month to ``end``'s month inclusive."""
    out: list[date] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
