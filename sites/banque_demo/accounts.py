"""The logged-in pages: account list, paginated operations, PEA holdings.

Every view here needs a session; the blueprint's ``before_request`` enforces it and then lets
the session's scenario replace the page (maintenance, rate limit, captcha) before any view
runs, which is how such pages reach a real customer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from . import formats
from .config import settings
from .data import PAGE_SIZE, Account
from .scenarios import blocking_page, error_page

bp = Blueprint("accounts", __name__)

HANG_TIMEOUT_SECONDS = 3600.0


@dataclass(frozen=True)
class Row:
    """One operation as displayed: formatted texts plus the raw facts templates need."""

    iso_date: str
    date: str
    label: str
    amount: str
    credit: bool


@bp.before_request
def _require_login() -> Response | None:
    if not session.get("user"):
        return redirect(url_for("auth.connexion"))
    return blocking_page(session.get("scenario"))


def _account_or_404(account_id: str) -> Account:
    account = settings().bank.account(account_id)
    if account is None:
        abort(404)
    return account


@bp.get("/comptes")
def comptes() -> str:
    cfg = settings()
    scenario = session.get("scenario")
    if scenario == "slow":
        time.sleep(cfg.slow_seconds)
    elif scenario == "hang":
        cfg.hang_release.wait(HANG_TIMEOUT_SECONDS)
    balances = {a.id: formats.amount_eur(a.balance) for a in cfg.bank.accounts}
    return render_template(cfg.template("comptes.html"), accounts=cfg.bank.accounts,
                           balances=balances)


def _page_number(pages: int) -> int:
    """The 1-based ``page`` query parameter; junk means page 1, past the end means 404."""
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    page = max(page, 1)
    if page > pages:
        abort(404)
    return page


@bp.get("/compte/<account_id>/operations")
def operations(account_id: str) -> Response | str:
    cfg = settings()
    account = _account_or_404(account_id)
    if session.get("scenario") == "brokenhistory" and account.kind == "savings":
        return error_page(500, "Erreur technique",
                          "Une erreur technique est survenue. Veuillez réessayer plus tard.")
    pages = max(1, -(-len(account.operations) // PAGE_SIZE))
    page = _page_number(pages)
    fmt_date, fmt_amount = formats.operation_formatters(account.kind)
    chunk = account.operations[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [
        Row(op.date.isoformat(), fmt_date(op.date), op.label, fmt_amount(op.amount),
            op.amount > 0)
        for op in chunk
    ]
    return render_template(
        cfg.template("operations.html"),
        account=account,
        balance=formats.amount_eur(account.balance),
        rows=rows,
        page=page,
        pages=pages,
    )


@bp.get("/compte/<account_id>/titres")
def titres(account_id: str) -> str:
    cfg = settings()
    account = _account_or_404(account_id)
    if not account.holdings:
        abort(404)
    return render_template(
        cfg.template("titres.html"),
        account=account,
        balance=formats.amount_eur(account.balance),
    )
