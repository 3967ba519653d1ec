"""The logged-in pages: home with the overview widget, accounts, and the statement grid.

``Promet.aspx`` is the WebForms page a scraper must drive: the account is chosen in an
auto-postback drop-down, pages turn by postback ("Sledeća", or the grid's pager numbers), and
the server refuses any postback whose view state or event validation does not match what it
rendered. The view state holds the account and page, so a postback is all the state there is.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, session
from werkzeug.wrappers import Response

from . import statement
from .data import PERIOD_START, REFERENCE_DATE
from .models import Account, Customer
from .site import customer, error_page, render, script, settings
from .webforms import InvalidPostback, Postback

bp = Blueprint("views", __name__)

PAGE = "Promet.aspx"
DROPDOWN = "ctl00$MainContent$ddlRacun"
SHOW_BUTTON = "ctl00$MainContent$btnPrikazi"
NEXT = "ctl00$MainContent$lnkSledeca"
PREVIOUS = "ctl00$MainContent$lnkPrethodna"
GRID = "ctl00$MainContent$gvPromet"


@bp.before_request
def _require_login() -> Response | None:
    username = session.get("user")
    if not isinstance(username, str) or customer() is None:
        session["notice"] = "expired_session"
        return redirect("/Prijava.aspx")
    if settings().terms.pending(username):
        return redirect("/NoviUslovi.aspx")
    return None


def _me() -> Customer:
    me = customer()
    assert me is not None
    return me


@bp.get("/Pocetna.aspx")
def pocetna() -> Response:
    return render("pocetna.html", page="Pocetna.aspx", menu=True, accounts=_me().accounts)


@bp.get("/Racuni.aspx")
def racuni() -> Response:
    return render("racuni.html", page="Racuni.aspx", menu=True, accounts=_me().accounts,
                  day=REFERENCE_DATE)


def _events(me: Customer, account: Account, page: int, pages: int) -> list[str]:
    """What this rendering of the grid lets a postback do (its event validation)."""
    events = [f"{DROPDOWN}={a.id}" for a in me.accounts] + [f"{DROPDOWN}|", f"{SHOW_BUTTON}|"]
    events += [f"{GRID}|Page${n}" for n in range(1, pages + 1) if n != page]
    if page < pages:
        events.append(f"{NEXT}|")
    if page > 1:
        events.append(f"{PREVIOUS}|")
    return events


def _statement(me: Customer, account: Account, page: int) -> Response:
    size = settings().page_size
    pages = statement.page_count(account, size)
    return render(
        "promet.html",
        page=PAGE,
        menu=True,
        postback=True,
        state={"racun": account.id, "strana": page},
        events=_events(me, account, page, pages),
        accounts=me.accounts,
        account=account,
        columns=statement.columns(account),
        rows=statement.grid_rows(account, page, size, script()),
        current_page=page,
        pages=pages,
        period=(PERIOD_START, REFERENCE_DATE),
        day=REFERENCE_DATE,
        dropdown=DROPDOWN, show_button=SHOW_BUTTON, next_link=NEXT, previous_link=PREVIOUS,
        grid=GRID,
    )


@bp.get("/Promet.aspx")
def promet() -> Response:
    me = _me()
    return _statement(me, me.accounts[0], 1)


def _target(me: Customer, postback: Postback, hashes: set[str]) -> tuple[Account, int]:
    """The account and page a verified postback asks for (ASP.NET's event dispatch)."""
    forms = settings().forms
    shown = me.account(str(postback.state.get("racun", "")))
    page = int(postback.state.get("strana", 1))
    chosen_id = request.form.get(DROPDOWN, shown.id if shown else "")
    if not forms.allows(PAGE, hashes, f"{DROPDOWN}={chosen_id}"):
        raise InvalidPostback("Invalid postback or callback argument (ddlRacun)")
    chosen = me.account(chosen_id)
    if shown is None or chosen is None:
        raise InvalidPostback("the view state names no account of this customer")
    if chosen.id != shown.id or SHOW_BUTTON in request.form:
        return chosen, 1  # SelectedIndexChanged (or "Prikaži") resets the grid to page 1
    event = (postback.target, postback.argument)
    if event in (("", ""), (DROPDOWN, "")):  # a resubmit, or the same account chosen again
        return shown, page
    if not forms.allows(PAGE, hashes, f"{postback.target}|{postback.argument}"):
        raise InvalidPostback("Invalid postback or callback argument")
    if postback.target == NEXT:
        return shown, page + 1
    if postback.target == PREVIOUS:
        return shown, page - 1
    if postback.target == GRID and postback.argument.startswith("Page$"):
        return shown, int(postback.argument.removeprefix("Page$"))
    raise InvalidPostback(f"unknown event target {postback.target!r}")


@bp.post("/Promet.aspx")
def promet_post() -> Response:
    me = _me()
    try:
        postback, hashes = settings().forms.read(PAGE, request.form)
        account, page = _target(me, postback, hashes)
    except (InvalidPostback, ValueError):
        return error_page()
    return _statement(me, account, page)
