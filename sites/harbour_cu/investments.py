"""The share-trading account: holdings (joined to their ISIN) and the trade history."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template

from .auth import require_member
from .config import settings

bp = Blueprint("investments", __name__)
bp.before_request(require_member)


@bp.get("/investments")
def investments() -> str:
    accounts = settings().bank.investments
    costs = {a.key: sum(((h.units * h.avg_price).quantize(Decimal("0.01"))
                         for h in a.holdings), Decimal(0)) for a in accounts}
    return render_template("investments.html", accounts=accounts, costs=costs)
