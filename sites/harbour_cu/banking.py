"""Deposit accounts: the list, the account page and its tabs, the search, "All activity".

The account page is a shell with three tabs. "Pending" is rendered with the page; "Recent"
and "Statements" are HTML fragments the page's script fetches when their tab is clicked (so a
scraper that reads the page without clicking sees no history), and "Recent" grows by
"Show older transactions". The fragments are ordinary GET URLs, so a client with the session
cookie can also read them directly, page by page.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .auth import require_member
from .config import settings
from .data import REFERENCE_DATE
from .models import Account
from .paging import BadDate, iso_date, paginate

bp = Blueprint("banking", __name__)
bp.before_request(require_member)

RECENT_PAGE_SIZE = 20
SEARCH_PAGE_SIZE = 50
ACTIVITY_PAGE_SIZE = 50
SEARCH_DEFAULT_DAYS = 30


def deposit_or_404(key: str) -> Account:
    account = settings().bank.by_key(key)
    if account is None or account not in settings().bank.deposits:
        abort(404)
    return account


@bp.get("/accounts")
def accounts() -> str:
    bank = settings().bank
    return render_template("accounts.html", accounts=bank.deposits,
                           term_deposits=[a for a in bank.deposits if a.kind == "deposit"])


@bp.get("/accounts/<key>")
def account(key: str) -> Response | str:
    found = settings().bank.by_key(key)
    if found is not None and found.kind == "card":
        return redirect(url_for("cards.card", key=key))
    if found is not None and found.kind == "brokerage":
        return redirect(url_for("investments.investments"))
    return render_template("account.html", account=deposit_or_404(key))


@bp.get("/accounts/<key>/recent")
def recent(key: str) -> str:
    """Fragment: one page of the booked history (20 lines), newest first."""
    account = deposit_or_404(key)
    page = paginate(account.transactions, RECENT_PAGE_SIZE)
    return render_template("fragment_recent.html", account=account, page=page)


@bp.get("/accounts/<key>/pending")
def pending(key: str) -> str:
    """Fragment: authorisations not yet booked (also rendered inline with the page)."""
    return render_template("fragment_pending.html", account=deposit_or_404(key))


@bp.get("/accounts/<key>/statements")
def statements(key: str) -> str:
    """Fragment: monthly statement periods, the search form and the download links."""
    account = deposit_or_404(key)
    periods = []
    first = REFERENCE_DATE.replace(day=1)
    oldest = account.transactions[-1].date if account.transactions else REFERENCE_DATE
    while first >= oldest.replace(day=1):
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        periods.append((first, min(last, REFERENCE_DATE)))
        first = (first - timedelta(days=1)).replace(day=1)
    return render_template("fragment_statements.html", account=account, periods=periods,
                           oldest=oldest)


@bp.get("/search")
def search() -> Response | str:
    """Transaction search: ``?account=KEY&from=YYYY-MM-DD&to=YYYY-MM-DD[&page=N]``."""
    bank = settings().bank
    searchable = bank.deposits + bank.cards
    key = request.args.get("account") or searchable[0].key
    account = bank.by_key(key)
    if account is None or account not in searchable:
        abort(404)
    error = None
    try:
        end = iso_date("to", REFERENCE_DATE)
        start = iso_date("from", end - timedelta(days=SEARCH_DEFAULT_DAYS))
    except BadDate as exc:
        error, start, end = (f"Enter the '{exc}' date as YYYY-MM-DD.", REFERENCE_DATE,
                             REFERENCE_DATE)
    if error is None and start > end:
        error = "The 'From' date must be on or before the 'To' date."
    rows = [] if error else account.between(start, end)
    page = paginate(rows, SEARCH_PAGE_SIZE)
    html = render_template("search.html", account=account, accounts=searchable, page=page,
                           start=start, end=end, error=error)
    return Response(html, status=400 if error else 200, mimetype="text/html")


@bp.get("/activity")
def activity() -> str:
    """Every account's lines on one list, with an account column (50 a page)."""
    page = paginate(settings().bank.activity(), ACTIVITY_PAGE_SIZE)
    return render_template("activity.html", page=page)
