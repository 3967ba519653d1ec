"""Credit cards: the card tiles on ``/cards`` and each card's transactions.

Card pages use the card statement's own conventions, unlike the deposit accounts: amounts with
``CR``/``DR`` suffixes (a balance owed is ``DR``), no type column, and a foreign purchase shows
its original ``US$`` amount beside the ``A$`` amount charged.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from .auth import require_member
from .config import settings
from .models import Account
from .paging import paginate

bp = Blueprint("cards", __name__)
bp.before_request(require_member)

CARD_PAGE_SIZE = 25


def card_or_404(key: str) -> Account:
    account = settings().bank.by_key(key)
    if account is None or account.kind != "card":
        abort(404)
    return account


@bp.get("/cards")
def cards() -> str:
    return render_template("cards.html", cards=settings().bank.cards)


@bp.get("/cards/<key>")
def card(key: str) -> str:
    """A card's booked transactions, 25 a page, newest first."""
    account = card_or_404(key)
    page = paginate(account.transactions, CARD_PAGE_SIZE)
    return render_template("card.html", account=account, page=page)
