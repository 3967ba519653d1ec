"""The statement grid of ``Promet.aspx``, built as rows before any HTML is written.

Pure functions over an :class:`Account`, so tests can reason about pages without a browser:
which columns an account's grid has (their order differs between the dinar and the euro
accounts, the euro grid adds "Referenca", the card has no running balance), how records are
cut into pages of :data:`~sites.banka_sever.data.PAGE_SIZE`, and where a month heading
("Novembar 2026") goes: at the top of every page and wherever the month changes. Every record
is two table rows, the figures and, below them, the description.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import formats
from .i18n import label
from .models import Account, Operation

NBSP = "\u00a0"

DINAR_COLUMNS = ("date", "description", "debit", "credit", "running")
EURO_COLUMNS = ("date", "description", "reference", "credit", "debit", "running")
CARD_COLUMNS = ("date", "description", "debit", "credit")
"""Column keys in display order; their headers are the i18n texts of the same keys."""


def columns(account: Account) -> tuple[str, ...]:
    if account.engine_type == "card":
        return CARD_COLUMNS
    return EURO_COLUMNS if account.currency == "EUR" else DINAR_COLUMNS


def uses_month_headings(account: Account) -> bool:
    """The card grid prints ``19.11.`` day-month dates instead of headings + ``19.``."""
    return account.engine_type != "card"


def page_count(account: Account, page_size: int) -> int:
    return max(1, -(-len(account.operations) // page_size))


def page_operations(account: Account, page: int, page_size: int) -> list[Operation]:
    """Records of 1-based ``page``: the pages partition the history, newest first."""
    return account.operations[(page - 1) * page_size : page * page_size]


@dataclass(frozen=True)
class Cell:
    css: str
    text: str


@dataclass(frozen=True)
class GridRow:
    """A month heading (``heading`` set) or a record: figures ``cells`` + ``description``."""

    heading: str | None = None
    cells: tuple[Cell, ...] = ()
    description: str = ""
    odd: bool = False


def _cell(key: str, op: Operation, account: Account, script: str) -> Cell:
    if key == "date":
        text = (formats.day_only(op.date) if uses_month_headings(account)
                else formats.day_month(op.date))
        return Cell("datum", text)
    if key == "description":
        return Cell("vrsta", label(op.kind, script))
    if key == "debit":
        return Cell("iznos isplata", formats.amount(-op.amount) if op.amount < 0 else NBSP)
    if key == "credit":
        return Cell("iznos uplata", formats.amount(op.amount) if op.amount > 0 else NBSP)
    if key == "running":
        assert op.balance is not None
        return Cell("iznos stanje", formats.amount(op.balance))
    if key == "reference":
        return Cell("referenca", op.reference)
    raise ValueError(f"unknown column {key!r}")


def grid_rows(account: Account, page: int, page_size: int, script: str) -> list[GridRow]:
    """The rows of one page in display order (headings first where a month starts)."""
    rows: list[GridRow] = []
    month: tuple[int, int] | None = None
    for i, op in enumerate(page_operations(account, page, page_size)):
        if uses_month_headings(account) and (op.date.year, op.date.month) != month:
            month = (op.date.year, op.date.month)
            rows.append(GridRow(heading=formats.month_heading(*month, script)))
        cells = tuple(_cell(key, op, account, script) for key in columns(account))
        rows.append(GridRow(cells=cells, description=label(op.label, script), odd=i % 2 == 0))
    return rows
