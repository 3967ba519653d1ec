"""Account information: the account list, balances and paged transactions of one consent.

Every view starts with ``ais_call()`` so token, consent and scenario rules are applied in one
place; the views themselves only select and page data from the seeded bank.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, request

from .data import Account
from .errors import tpp_error
from .guards import AisContext, ais_call
from .render import account_json, balances_json, transactions_json

blueprint = Blueprint("psd2_accounts", __name__)

BOOKING_STATUSES = ("booked", "pending", "both")


def _account(ctx: AisContext, resource_id: str) -> Account | Response:
    account = ctx.state.bank.account(resource_id)
    if account is None:
        return tpp_error(404, "RESOURCE_UNKNOWN", f"No account {resource_id!r} in this consent.")
    return account


def _date_arg(name: str) -> date | Response | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return tpp_error(400, "FORMAT_ERROR", f"{name} must be YYYY-MM-DD.")


@blueprint.get("/v1/accounts")
def list_accounts() -> Response:
    ctx = ais_call(listing_accounts=True)
    if isinstance(ctx, Response):
        return ctx
    return jsonify({"accounts": [account_json(a) for a in ctx.state.bank.accounts]})


@blueprint.get("/v1/accounts/<resource_id>")
def account_details(resource_id: str) -> Response:
    ctx = ais_call()
    if isinstance(ctx, Response):
        return ctx
    account = _account(ctx, resource_id)
    if isinstance(account, Response):
        return account
    return jsonify({"account": account_json(account)})


@blueprint.get("/v1/accounts/<resource_id>/balances")
def balances(resource_id: str) -> Response:
    ctx = ais_call()
    if isinstance(ctx, Response):
        return ctx
    account = _account(ctx, resource_id)
    if isinstance(account, Response):
        return account
    return jsonify(balances_json(ctx.state.bank, account))


@blueprint.get("/v1/accounts/<resource_id>/transactions")
def transactions(resource_id: str) -> Response:
    """Booked transactions newest first, 50 a page; pending ones ride on page 1 only."""
    ctx = ais_call()
    if isinstance(ctx, Response):
        return ctx
    account = _account(ctx, resource_id)
    if isinstance(account, Response):
        return account
    status = request.args.get("bookingStatus")
    if status not in BOOKING_STATUSES:
        return tpp_error(400, "PARAMETER_NOT_SUPPORTED",
                         f"bookingStatus must be one of {', '.join(BOOKING_STATUSES)}.")
    date_from, date_to = _date_arg("dateFrom"), _date_arg("dateTo")
    if isinstance(date_from, Response):
        return date_from
    if isinstance(date_to, Response):
        return date_to
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 0
    if page < 1:
        return tpp_error(400, "FORMAT_ERROR", "page must be a positive integer.")

    def wanted(day: date) -> bool:
        return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)

    booked = [t for t in account.booked if wanted(t.booking_date)] if status != "pending" else []
    pending = [t for t in account.pending if wanted(t.booking_date)] if status != "booked" else None
    query = {"bookingStatus": status}
    query.update({k: request.args[k] for k in ("dateFrom", "dateTo") if k in request.args})
    return jsonify(transactions_json(account, booked, pending, page=page, query=query,
                                     schema_change=ctx.scenario == "schema-change"))
