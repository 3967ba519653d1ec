"""Statement downloads: ``/download?account=KEY&format=ofx2|ofx1|camt053&from=...&to=...``.

``from`` defaults to the oldest line of the account's history and ``to`` to the reference
day, so a download without dates holds exactly what the pages show. The share-trading account
has OFX only (camt.053 is a cash-account statement): asking it for camt.053 is a 400 page.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from . import camt, ofx
from .auth import require_member
from .config import settings
from .data import REFERENCE_DATE
from .models import Account
from .paging import BadDate, iso_date

bp = Blueprint("downloads", __name__)
bp.before_request(require_member)

FORMATS = {
    "ofx2": ("OFX 2.2 (Xero, MYOB, QuickBooks)", "application/x-ofx", "ofx"),
    "ofx1": ("OFX 1.02 (Quicken, Microsoft Money)", "application/x-ofx", "ofx"),
    "camt053": ("ISO 20022 camt.053", "application/xml", "xml"),
}


def oldest(account: Account) -> date:
    """The first day a download without ``from`` covers."""
    if account.transactions:
        return account.transactions[-1].date
    return account.opened or REFERENCE_DATE


def _refuse(message: str) -> Response:
    html = render_template("error.html", title="We can't prepare that file", message=message)
    return Response(html, status=400, mimetype="text/html")


@bp.get("/downloads")
def downloads() -> str:
    """The export form: account, format, date range."""
    return render_template("downloads.html", accounts=settings().bank.accounts, formats=FORMATS,
                           oldest=oldest)


@bp.get("/download")
def download() -> Response:
    account = settings().bank.by_key(request.args.get("account", ""))
    if account is None:
        abort(404)
    fmt = request.args.get("format", "ofx2")
    if fmt not in FORMATS:
        return _refuse("Choose OFX 2.2, OFX 1.02 or camt.053.")
    if fmt == "camt053" and account.kind == "brokerage":
        return _refuse("camt.053 isn't available for share trading accounts. Choose OFX.")
    try:
        end = iso_date("to", REFERENCE_DATE)
        start = iso_date("from", oldest(account))
    except BadDate as exc:
        return _refuse(f"Enter the '{exc}' date as YYYY-MM-DD.")
    if start > end:
        return _refuse("The 'From' date must be on or before the 'To' date.")
    file_uid = f"{account.id[-4:]}{start:%Y%m%d}{end:%Y%m%d}"
    if fmt == "camt053":
        body = camt.statement(account, start, end)
    else:
        tree = ofx.statement(account, start, end)
        body = ofx.to_ofx2(tree, file_uid) if fmt == "ofx2" else ofx.to_ofx1(tree, file_uid)
    _label, mimetype, extension = FORMATS[fmt]
    name = f"HarbourCU_{account.id[-4:]}_{start:%Y%m%d}-{end:%Y%m%d}_{fmt}.{extension}"
    charset = "windows-1252" if fmt == "ofx1" else "utf-8"
    return Response(body.encode(charset), headers={
        "Content-Type": f"{mimetype}; charset={charset}",
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    })
