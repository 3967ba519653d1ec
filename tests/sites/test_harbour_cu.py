"""Harbour Credit Union: seeded data, e-mailed-code login, each issue-11 pattern, downloads.

Pages are read through Flask's test client and parsed as a scraper would (parsel), then
compared value by value with :func:`sites.harbour_cu.data.build_bank`. The downloads are read
by independent parsers: ofxtools for both OFX versions (strict, per the OFX specification) and
lxml against the official camt.053.001.08 schema. One real-browser test proves the "Recent"
tab only shows history after a click.
"""

from __future__ import annotations

import io
import re
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from ofxtools.Parser import OFXTree
from parsel import Selector
from werkzeug.test import TestResponse

from sites._server import ChildServer, ThreadedServer
from sites.harbour_cu import camt, create_app
from sites.harbour_cu.auth import CODE_TOO_MANY, LOCKED, WRONG_CREDENTIALS
from sites.harbour_cu.data import (
    DEFAULT_OTP_CODE,
    DEMO_PASSWORD,
    REFERENCE_DATE,
    Account,
    Transaction,
    build_bank,
    scenario_username,
)
from sites.harbour_cu.formats import MONTHS

BANK = build_bank()
EVERYDAY, SAVER, TERM, PLATINUM, LOW_RATE, TRADING = BANK.accounts
NBSP = "\u00a0"
TYPE_SIGN = {"Withdrawal": -1, "Transfer out": -1, "Deposit": 1, "Transfer in": 1}
CENT = Decimal("0.01")


# -- how a scraper reads the pages --------------------------------------------------------

def text(node: Selector) -> str:
    return " ".join(node.xpath("string()").get("").split())


def money(raw: str) -> Decimal:
    """``$1,234.56``, ``-$12.00``, ``A$18.47``, ``US$12.00`` → Decimal."""
    raw = raw.strip()
    sign = -1 if raw.startswith("-") else 1
    digits = re.sub(r"^-?(US|A)?\$", "", raw).replace(",", "")
    return sign * Decimal(digits)


def crdr(raw: str) -> Decimal:
    """``$45.90 DR`` → -45.90, ``$24.10 CR`` → 24.10."""
    value, suffix = raw.rsplit(" ", 1)
    assert suffix in ("CR", "DR"), raw
    return money(value) * (-1 if suffix == "DR" else 1)


def long_date(raw: str) -> date:
    day, month, year = raw.split()
    return date(int(year), MONTHS.index(month) + 1, int(day))


def short_date(raw: str) -> date:
    return datetime.strptime(raw, "%d/%m/%y").date()


def page(res: TestResponse) -> Selector:
    return Selector(res.get_data(as_text=True))


def token(res: TestResponse) -> str:
    value = page(res).css("input[name=_csrf]::attr(value)").get()
    assert value
    return value


def login(client: FlaskClient, username: str = "demo", *, code: str = DEFAULT_OTP_CODE,
          remember: bool = False) -> TestResponse:
    """Log in as a browser would, answering the e-mailed code when it is asked."""
    res = client.post("/login", data={"_csrf": token(client.get("/login")),
                                      "username": username, "password": DEMO_PASSWORD})
    if res.status_code == 302 and res.location.endswith("/login/verify"):
        form = {"_csrf": token(client.get("/login/verify")), "code": code}
        if remember:
            form["remember"] = "on"
        res = client.post("/login/verify", data=form)
    return res


@pytest.fixture(scope="module")
def member() -> FlaskClient:
    client = create_app().test_client()
    assert login(client).location == "/accounts"
    return client


def rows_of(txns: list[Transaction]) -> list[tuple[date, str, Decimal]]:
    return [(t.date, t.description, t.amount) for t in txns]


# -- data -----------------------------------------------------------------------------------

def test_data_is_deterministic_and_shaped_like_the_pages() -> None:
    assert build_bank() == BANK
    assert build_bank(7).accounts[0].transactions != EVERYDAY.transactions
    assert [(a.kind, len(a.transactions)) for a in BANK.accounts] == [
        ("checking", 164), ("savings", 18), ("deposit", 1), ("card", 58), ("card", 5),
        ("brokerage", 6)]
    for account in BANK.deposits + BANK.cards:
        dates = [t.date for t in account.transactions]
        assert dates == sorted(dates, reverse=True) and dates[0] <= REFERENCE_DATE
        assert account.balance == account.opening_balance + sum(
            t.amount for t in account.transactions)
        running = account.opening_balance
        for txn in reversed(account.transactions):
            running += txn.amount
            assert txn.balance == running and txn.amount == txn.amount.quantize(CENT)
        assert len({t.reference for t in account.transactions}) == len(account.transactions)
    assert min(t.balance for t in EVERYDAY.transactions if t.balance) > 0  # never overdrawn
    assert EVERYDAY.available == EVERYDAY.balance + sum(p.amount for p in EVERYDAY.pending)
    assert len(EVERYDAY.pending) == 3 and EVERYDAY.available < EVERYDAY.balance
    assert TERM.balance == Decimal("25000.00") and TERM.available == 0
    assert PLATINUM.balance < 0 < LOW_RATE.balance == Decimal("24.10")
    for card in BANK.cards:
        assert card.credit_limit is not None
        assert card.available == card.credit_limit + card.balance


def test_transfers_between_own_accounts_appear_on_both_sides() -> None:
    def moves(account: Account, sign: int) -> Counter[tuple[date, Decimal]]:
        """(day, amount) of the transfers to (-1) or from (+1) the member's own accounts."""
        return Counter((t.date, abs(t.amount)) for t in account.transactions
                       if t.channel in ("internal", "card_payment") and t.amount * sign > 0)

    assert moves(EVERYDAY, -1) == moves(SAVER, +1) + moves(PLATINUM, +1) + moves(LOW_RATE, +1)
    assert moves(EVERYDAY, +1) == Counter()
    assert moves(SAVER, -1) == moves(TERM, +1) == Counter(
        {(date(2026, 9, 11), Decimal("25000.00")): 1})
    for card in BANK.cards:  # each payment is the balance owed at the end of the last month
        for pay in (t for t in card.transactions if t.channel == "card_payment"):
            month_end = pay.date.replace(day=1) - timedelta(days=1)
            assert pay.amount == -card.balance_on(month_end)
    settlements = {t.amount for t in EVERYDAY.transactions if "SHARE TRADING" in t.description}
    assert settlements == {t.total for t in TRADING.trades
                           if t.settle_date >= EVERYDAY.transactions[-1].date}


def test_one_deliberate_duplicate_only() -> None:
    for account in BANK.accounts:
        keys = Counter((t.date, t.description, t.amount) for t in account.transactions)
        dupes = [k for k, n in keys.items() if n > 1]
        assert dupes == ([(date(2026, 11, 16), "VISA PURCHASE THE COFFEE ALCHEMY MARRICKVILLE NSW",
                           Decimal("-5.50"))] if account is EVERYDAY else [])


def _isin_ok(isin: str) -> bool:
    digits = "".join(str(int(c, 36)) for c in isin)
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


def test_holdings_and_foreign_purchase() -> None:
    assert [h.isin for h in TRADING.holdings] == [
        "AU000000BHP4", "AU000000CBA7", "AU000000CSL8", "AU000000WES1", "AU000000VAS1",
        "AU000000TLS2"]
    assert all(_isin_ok(h.isin) for h in TRADING.holdings)
    assert not _isin_ok("AU000000BHP5")
    for h in TRADING.holdings:
        assert h.market_value == (h.units * h.last_price).quantize(CENT)
    assert TRADING.balance == sum(h.market_value for h in TRADING.holdings)
    fx = [t for t in PLATINUM.transactions if t.foreign]
    assert len(fx) == 1 and fx[0].amount == Decimal("-18.47")
    assert fx[0].foreign is not None and fx[0].foreign.amount * fx[0].foreign.rate == Decimal(
        "18.470400")
    fee = next(t for t in PLATINUM.transactions if t.description == "INTERNATIONAL TRANSACTION FEE")
    assert fee.date == fx[0].date and fee.amount == Decimal("-0.55")


# -- login ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("username", "password"), [("demo", "wrong-password"),
                                                    ("nobody", DEMO_PASSWORD)])
def test_wrong_credentials_show_the_banks_own_text(username: str, password: str) -> None:
    client = create_app().test_client()
    res = client.post("/login", data={"_csrf": token(client.get("/login")),
                                      "username": username, "password": password})
    assert res.status_code == 200
    assert text(page(res).css("[data-testid=login-error]")[0]) == WRONG_CREDENTIALS
    assert client.get("/accounts").location == "/login"


def test_login_needs_the_forms_token() -> None:
    client = create_app().test_client()
    client.get("/login")
    res = client.post("/login", data={"username": "demo", "password": DEMO_PASSWORD})
    assert res.status_code == 400 and client.get("/accounts").location == "/login"


def test_emailed_code_wrong_then_right() -> None:
    client = create_app(otp_code="246810").test_client()
    res = client.post("/login", data={"_csrf": token(client.get("/login")), "username": "demo",
                                      "password": DEMO_PASSWORD})
    assert res.location == "/login/verify"
    assert client.get("/accounts").location == "/login"  # no session before the code
    form = page(client.get("/login/verify"))
    assert text(form.css("[data-testid=otp-hint]")[0]).startswith(
        "We've emailed a code to j•••@example.com.")
    assert form.css("form[data-testid=otp-form] input[name=code][autocomplete=one-time-code]")
    csrf = form.css("input[name=_csrf]::attr(value)").get()
    wrong = page(client.post("/login/verify", data={"_csrf": csrf, "code": "111111"}))
    assert text(wrong.css("[data-testid=otp-error]")[0]) == "That code isn't right. " \
                                                            "You have 2 attempts left."
    res = client.post("/login/verify", data={"_csrf": csrf, "code": "246 810"})
    assert res.location == "/accounts" and "hcu_device" not in res.headers.get("Set-Cookie", "")
    assert text(page(client.get("/accounts")).css("[data-testid=member-name]")[0]) == \
        "Jordan Mitchell"


def test_three_wrong_codes_end_the_attempt() -> None:
    client = create_app().test_client()
    for _ in range(2):
        assert login(client, code="000000").status_code == 200
    res = login(client, code="000000")  # a new login: a fresh challenge with three attempts
    csrf = token(client.get("/login/verify"))
    for _ in range(2):
        res = client.post("/login/verify", data={"_csrf": csrf, "code": "999999"})
    assert res.location == "/login"
    notice = page(client.get("/login")).css("[data-testid=login-notice]")
    assert text(notice[0]) == CODE_TOO_MANY
    assert client.get("/login/verify").location == "/login"


def test_expired_code_sends_back_to_login() -> None:
    client = create_app(code_ttl_seconds=0).test_client()
    client.post("/login", data={"_csrf": token(client.get("/login")), "username": "demo",
                                "password": DEMO_PASSWORD})
    assert client.get("/login/verify").location == "/login"
    assert "Your code has expired." in text(page(client.get("/login")).css(
        "[data-testid=login-notice]")[0])


def test_remembered_device_skips_the_code() -> None:
    app = create_app()
    first = app.test_client()
    res = login(first, remember=True)
    assert "hcu_device=" in res.headers["Set-Cookie"] and "HttpOnly" in res.headers["Set-Cookie"]
    cookie = first.get_cookie("hcu_device")
    assert cookie is not None
    second = app.test_client()
    second.set_cookie("hcu_device", cookie.value)
    res = second.post("/login", data={"_csrf": token(second.get("/login")),
                                      "username": "demo", "password": DEMO_PASSWORD})
    assert res.location == "/accounts"
    third = app.test_client()  # a forged cookie is ignored
    third.set_cookie("hcu_device", cookie.value[:-2] + "xx")
    res = third.post("/login", data={"_csrf": token(third.get("/login")),
                                     "username": "demo", "password": DEMO_PASSWORD})
    assert res.location == "/login/verify"


def test_locked_and_maintenance_scenarios() -> None:
    client = create_app().test_client()
    res = login(client, scenario_username("locked"))
    assert text(page(res).css("[data-testid=login-error]")[0]) == LOCKED
    assert client.get("/accounts").location == "/login"

    client = create_app().test_client()
    assert login(client, scenario_username("maint")).location == "/accounts"
    res = client.get("/accounts")
    assert res.status_code == 200 and page(res).css("[data-testid=maintenance]")
    assert not page(res).css("[data-testid=deposit-accounts]")

    res = create_app(maintenance=True).test_client().get("/login")
    assert res.status_code == 503 and res.headers["Retry-After"] == "3600"
    assert "Internet Banking is temporarily unavailable" in res.get_data(as_text=True)


def test_logged_in_pages_need_a_session() -> None:
    client = create_app().test_client()
    key = EVERYDAY.key
    for url in ("/accounts", f"/accounts/{key}", f"/accounts/{key}/recent", "/cards",
                "/investments", "/activity", "/search", f"/download?account={key}"):
        assert client.get(url).location == "/login", url
    client.get("/logout")


# -- several account sources ----------------------------------------------------------------

def test_deposit_accounts_table_and_whole_dollar_summary(member: FlaskClient) -> None:
    doc = page(member.get("/accounts"))
    table = doc.css("table[data-testid=deposit-accounts]")[0]
    assert [text(th) for th in table.css("thead th")] == [
        "Account", "BSB", "Account number", "Current balance", "Available balance"]
    rows = table.css("tbody tr[data-testid=account-row]")
    assert len(rows) == 3
    for row, account in zip(rows, BANK.deposits, strict=True):
        cells = row.css("td")
        assert cells[0].css("a[data-testid=account-link]::text").get() == account.name
        assert cells[0].css("a::attr(href)").get() == f"/accounts/{account.key}"
        assert cells[1].xpath("string()").get() == "633-000"
        number = cells[2].xpath("string()").get()
        assert number == account.id[:4] + NBSP + account.id[4:]  # no-break space, not a space
        assert money(text(cells[3])) == account.balance
        assert money(text(cells[4])) == account.available
    assert '2047&nbsp;8815' in member.get("/accounts").get_data(as_text=True)
    summary = doc.css("[data-testid=term-deposit-summary]")[0]
    assert summary.css("[data-testid=td-principal]::text").get() == "$25,000"
    assert summary.css("[data-testid=td-maturity]::text").get() == "11 Mar 2027"


def test_cards_page_has_its_own_markup_and_cr_dr_balances(member: FlaskClient) -> None:
    doc = page(member.get("/cards"))
    assert not doc.css("table")
    tiles = doc.css("section[data-testid=credit-card]")
    assert [t.css("a[data-testid=card-link]::text").get() for t in tiles] == [
        "Visa Platinum", "Visa Low Rate"]
    balances = [t.css("[data-testid=card-balance]::text").get("") for t in tiles]
    assert balances == ["$880.59 DR", "$24.10 CR"]
    for tile, card, balance in zip(tiles, BANK.cards, balances, strict=True):
        assert crdr(balance) == card.balance
        assert money(tile.css("[data-testid=card-available]::text").get("")) == card.available
        assert tile.css("[data-testid=card-limit]::text").get() == \
            f"${card.credit_limit:,.0f}"
        number = tile.css("[data-testid=card-number]").xpath("string()").get("")
        assert number.replace(NBSP, "").replace("•", "X") == card.id


def test_investments_holdings_join_their_isin(member: FlaskClient) -> None:
    doc = page(member.get("/investments"))
    section = doc.css("section[data-testid=trading-account]")[0]
    assert money(section.css("[data-testid=portfolio-value]::text").get("")) == TRADING.balance
    table = section.css("table[data-testid=holdings]")[0]
    header = [text(th) for th in table.css("thead th")]
    assert header == ["Code", "Security", "Units", "Last price", "Avg price", "Market value",
                      "Gain/loss"]
    for row, h in zip(table.css("tbody tr"), TRADING.holdings, strict=True):
        cells = [text(td) for td in row.css("td")]
        assert cells[0] == h.code and cells[1] == f"{h.name}ISIN {h.isin}"  # no space, as React
        assert row.css("td:nth-child(2) > span::text").get() == h.name
        assert row.css("[data-testid=holding-isin]::text").get() == h.isin
        assert Decimal(cells[2].replace(",", "")) == h.units
        assert money(cells[3]) == h.last_price and money(cells[4]) == h.avg_price
        assert money(cells[5]) == h.market_value and money(cells[6]) == h.gain
    trades = [[text(td) for td in r.css("td")]
              for r in section.css("table[data-testid=trades] tbody tr")]
    assert [(long_date(r[0]), r[2], money(r[4])) for r in trades] == rows_of(
        TRADING.transactions)
    assert trades[0][2] == "Bought 1,500 TLS @ $3.86"


# -- tabs, type column, pagination ----------------------------------------------------------

def recent_rows(client: FlaskClient, account: Account) -> tuple[list[dict[str, Any]], int]:
    """Every row of the Recent fragment, following "Show older transactions" links."""
    rows: list[dict[str, Any]] = []
    url: str | None = f"/accounts/{account.key}/recent"
    pages = 0
    while url:
        doc = page(client.get(url))
        pages += 1
        table = doc.css("table[data-testid=recent-transactions]")[0]
        assert [text(th) for th in table.css("thead th")] == [
            "Date", "Description", "Type", "Amount", "Balance"]
        for tr in table.css("tbody tr[data-testid=txn-row]"):
            date_, label, kind, amount, balance = (text(td) for td in tr.css("td"))
            assert not amount.startswith("-")  # unsigned: the Type column carries the sign
            rows.append({"date": long_date(date_), "label": label, "type": kind,
                         "amount": TYPE_SIGN[kind] * money(amount), "balance": money(balance)})
        url = doc.css("a[data-testid=recent-older]::attr(href)").get()
    return rows, pages


def test_account_page_shows_no_history_until_the_recent_tab_loads(member: FlaskClient) -> None:
    doc = page(member.get(f"/accounts/{EVERYDAY.key}"))
    tabs = doc.css("[data-testid=account-tabs] [role=tab]")
    assert [t.xpath("normalize-space(text())").get() for t in tabs] == [
        "Recent", "Pending", "Statements"]
    assert tabs[0].attrib["data-src"] == f"/accounts/{EVERYDAY.key}/recent"
    assert tabs[0].attrib["aria-selected"] == "false" and tabs[1].attrib["aria-selected"] == "true"
    recent = doc.css("#panel-recent")[0]
    assert "hidden" in recent.attrib and not recent.xpath("./*") and not text(recent)
    assert not doc.css("[data-testid=txn-row]")
    pending = doc.css("#panel-pending tr[data-testid=pending-row]")
    assert [(long_date(text(r.css("td")[0])), text(r.css("td")[1]), -money(text(r.css("td")[3])))
            for r in pending] == rows_of(EVERYDAY.pending)
    assert money(doc.css("[data-testid=available-balance]::text").get("")) == EVERYDAY.available
    saver = page(member.get(f"/accounts/{SAVER.key}"))
    assert saver.css("[data-testid=pending-empty]")
    term = page(member.get(f"/accounts/{TERM.key}"))
    assert term.css("[data-testid=td-principal]::text").get() == "$25,000"


@pytest.mark.parametrize("account", BANK.deposits, ids=lambda a: a.name)
def test_recent_fragment_pages_partition_the_history(member: FlaskClient,
                                                     account: Account) -> None:
    rows, pages = recent_rows(member, account)
    assert pages == -(-len(account.transactions) // 20)
    assert [(r["date"], r["label"], r["amount"]) for r in rows] == rows_of(account.transactions)
    assert [r["balance"] for r in rows] == [t.balance for t in account.transactions]
    assert [r["type"] for r in rows] == [t.type_label for t in account.transactions]
    assert member.get(f"/accounts/{account.key}/recent?page={pages + 1}").status_code == 404


def test_statements_tab_links_periods_search_and_downloads(member: FlaskClient) -> None:
    doc = page(member.get(f"/accounts/{EVERYDAY.key}/statements"))
    periods = doc.css("a[data-testid=statement-period]")
    assert [p.css("::text").get() for p in periods][:2] == ["November 2026", "October 2026"]
    assert periods[0].attrib["href"] == (f"/search?account={EVERYDAY.key}&from=2026-11-01"
                                         "&to=2026-11-20")
    assert len(periods) == 7  # May to November
    form = doc.css("form[data-testid=statement-search]")[0]
    assert form.attrib["action"] == "/search" and form.attrib["method"] == "get"
    assert form.css("input[name=from]::attr(value)").get() == "2026-05-25"
    links = doc.css("[data-testid=downloads] a::attr(href)").getall()
    assert links == [f"/download?account={EVERYDAY.key}&format={f}"
                     for f in ("ofx2", "ofx1", "camt053")]


# -- cards: CR/DR and a foreign purchase ----------------------------------------------------

def card_rows(client: FlaskClient, card: Account) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    url: str | None = f"/cards/{card.key}"
    while url:
        doc = page(client.get(url))
        for tr in doc.css("table[data-testid=card-transactions] tbody tr"):
            rows.append({
                "date": long_date(text(tr.css("td")[0])),
                "label": tr.css("[data-testid=card-txn-description]::text").get(),
                "amount": crdr(tr.css("[data-testid=card-txn-amount]::text").get("")),
                "raw": tr.css("[data-testid=card-txn-amount]::text").get(),
                "foreign": tr.css("[data-testid=card-txn-foreign]::text").get(),
            })
        url = doc.css("a[data-testid=pagination-next]::attr(href)").get()
    return rows


@pytest.mark.parametrize("card", BANK.cards, ids=lambda a: a.name)
def test_card_history_with_cr_dr_suffixes(member: FlaskClient, card: Account) -> None:
    rows = card_rows(member, card)
    assert [(r["date"], r["label"], r["amount"]) for r in rows] == rows_of(card.transactions)
    assert all(r["raw"].endswith(" CR" if r["amount"] > 0 else " DR") for r in rows)


def test_foreign_purchase_shows_usd_beside_aud(member: FlaskClient) -> None:
    fx = [r for r in card_rows(member, PLATINUM) if r["foreign"]]
    assert [(r["foreign"], r["raw"], r["date"]) for r in fx] == [
        ("US$12.00", "A$18.47 DR", date(2026, 11, 3))]
    doc = page(member.get(f"/cards/{PLATINUM.key}"))
    assert doc.css("[data-testid=card-txn-fx]::text").get() == \
        "Converted at US$1.00 = A$1.5392"
    plain = doc.css("[data-testid=card-txn-amount]::text").getall()
    assert all(a.startswith("A$") == (a == "A$18.47 DR") for a in plain)


# -- date range in the URL, debit/credit columns --------------------------------------------

def search_rows(client: FlaskClient, url: str) -> tuple[list[tuple[date, str, Decimal]], int]:
    out: list[tuple[date, str, Decimal]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        res = client.get(next_url)
        assert res.status_code == 200
        doc = page(res)
        pages += 1
        table = doc.css("table[data-testid=search-results]")
        if not table:
            break
        heads = [text(th) for th in table[0].css("thead th")]
        assert heads[:4] == ["Date", "Description", "Debit", "Credit"]
        for tr in table[0].css("tbody tr"):
            cells = [text(td) for td in tr.css("td")]
            debit, credit = cells[2], cells[3]
            assert bool(debit) != bool(credit)  # exactly one of the two columns
            amount = -money(debit) if debit else money(credit)
            out.append((short_date(cells[0]), cells[1], amount))
        next_url = doc.css("a[data-testid=pagination-next]::attr(href)").get()
    return out, pages


@pytest.mark.parametrize(("account", "since", "until"), [
    (EVERYDAY, "2026-06-01", "2026-11-20"), (EVERYDAY, "2026-09-12", "2026-09-30"),
    (SAVER, "2026-05-01", "2026-11-20"), (PLATINUM, "2026-10-01", "2026-10-31"),
], ids=lambda v: getattr(v, "name", v))
def test_search_by_date_range_in_the_url(member: FlaskClient, account: Account, since: str,
                                         until: str) -> None:
    url = f"/search?account={account.key}&from={since}&to={until}"
    rows, pages = search_rows(member, url)
    expected = account.between(date.fromisoformat(since), date.fromisoformat(until))
    assert rows == rows_of(expected)
    assert pages == max(1, -(-len(expected) // 50))
    doc = page(member.get(url))
    assert doc.css("input[data-testid=search-from]::attr(value)").get() == since
    assert doc.css("select[data-testid=search-account] option[selected]::attr(value)").get() == \
        account.key


def test_search_pages_keep_the_range_and_reject_bad_dates(member: FlaskClient) -> None:
    doc = page(member.get(f"/search?account={EVERYDAY.key}&from=2026-05-01&to=2026-11-20"))
    assert doc.css("a[data-testid=pagination-next]::attr(href)").get() == (
        f"/search?account={EVERYDAY.key}&from=2026-05-01&to=2026-11-20&page=2")
    assert doc.css("[data-testid=search-summary]::text").get() == (
        "164 transactions on Everyday Access ••8815 from 01/05/26 to 20/11/26")
    default = page(member.get("/search"))  # last 30 days of the first account
    assert default.css("input[data-testid=search-from]::attr(value)").get() == "2026-10-21"
    for query, message in (("from=19/11/2026", "Enter the 'from' date as YYYY-MM-DD."),
                           ("from=2026-11-20&to=2026-11-01",
                            "The 'From' date must be on or before the 'To' date.")):
        res = member.get(f"/search?account={EVERYDAY.key}&{query}")
        assert res.status_code == 400
        assert text(page(res).css("[data-testid=search-error]")[0]) == message
    empty = page(member.get(f"/search?account={EVERYDAY.key}&from=2025-01-01&to=2025-01-31"))
    assert empty.css("[data-testid=search-empty]") and not empty.css("[data-testid=search-row]")


# -- all accounts on one page: row classes and arrow icons ----------------------------------

def test_all_activity_partitions_every_account_and_filters_back(member: FlaskClient) -> None:
    rows: list[tuple[str, date, str, Decimal]] = []
    url: str | None = "/activity"
    while url:
        doc = page(member.get(url))
        for tr in doc.css("table[data-testid=activity] tbody tr"):
            classes = tr.attrib["class"].split()
            icon = tr.css("svg::attr(aria-label)").get()
            debit = "txn--debit" in classes
            assert "txn" in classes and debit != ("txn--credit" in classes)
            assert icon == ("Money out" if debit else "Money in")
            cells = [text(td) for td in tr.css("td")]
            suffix = re.fullmatch(r".+ ••(\d{4})", cells[2])
            assert suffix and not cells[4].startswith("-")
            amount = money(cells[4]) * (-1 if debit else 1)
            rows.append((suffix.group(1), short_date(cells[1]), cells[3], amount))
        url = doc.css("a[data-testid=pagination-next]::attr(href)").get()
    assert len(rows) == sum(len(a.transactions) for a in BANK.deposits + BANK.cards) == 246
    assert [(a.last4, t.date, t.description, t.amount) for a, t in BANK.activity()] == rows
    for account in BANK.deposits + BANK.cards:  # what a recipe's filter on the column gives
        mine = [(d, label, amount) for last4, d, label, amount in rows if last4 == account.last4]
        assert mine == rows_of(account.transactions)


# -- downloads: OFX 2, OFX 1.02 (SGML), camt.053 ---------------------------------------------

SYDNEY_TZ = camt.SYDNEY


def download(client: FlaskClient, account: Account, fmt: str, **dates: str) -> TestResponse:
    query = "".join(f"&{k}={v}" for k, v in dates.items())
    res = client.get(f"/download?account={account.key}&format={fmt}{query}")
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    return res


def parse_ofx(res: TestResponse) -> Any:
    tree = OFXTree()
    tree.parse(io.BytesIO(res.data))  # ofxtools validates element order, types and lengths
    return tree.convert()


def local_day(moment: datetime) -> date:
    """ofxtools gives UTC; the bank's date is the Sydney date of local midnight."""
    return moment.astimezone(SYDNEY_TZ).date()


@pytest.mark.parametrize("fmt", ["ofx2", "ofx1"])
@pytest.mark.parametrize("account", BANK.deposits + BANK.cards, ids=lambda a: a.name)
def test_ofx_statements_carry_the_pages_values(member: FlaskClient, account: Account,
                                               fmt: str) -> None:
    res = download(member, account, fmt)
    assert res.headers["Content-Type"].startswith("application/x-ofx")
    assert res.headers["Content-Disposition"].startswith(
        f'attachment; filename="HarbourCU_{account.last4}_')
    ofx = parse_ofx(res)
    stmt = ofx.statements[0]
    assert stmt.account.acctid == account.id and stmt.curdef == "AUD"
    if account.kind == "card":
        assert type(stmt).__name__ == "CCSTMTRS"
    else:
        assert (stmt.account.bankid, stmt.account.accttype) == (
            "633000", {"checking": "CHECKING", "savings": "SAVINGS", "deposit": "CD"}[
                account.kind])
    got = [(local_day(t.dtposted), t.memo, t.trnamt) for t in stmt.banktranlist]
    assert got == rows_of(account.transactions)
    assert [t.fitid for t in stmt.banktranlist] == [t.reference for t in account.transactions]
    assert all(t.name == t.memo[:32].rstrip() for t in stmt.banktranlist)
    assert any(len(t.memo) > 32 for t in stmt.banktranlist) or account is TERM \
        or account is LOW_RATE or account is SAVER
    assert stmt.ledgerbal.balamt == account.balance
    assert stmt.availbal.balamt == account.available
    assert local_day(stmt.banktranlist.dtstart) == account.transactions[-1].date


def test_ofx_values_equal_the_html_and_the_fx_purchase(member: FlaskClient) -> None:
    html_rows, _ = recent_rows(member, EVERYDAY)
    ofx_rows = parse_ofx(download(member, EVERYDAY, "ofx2")).statements[0].banktranlist
    assert [(r["date"], r["label"], r["amount"]) for r in html_rows] == [
        (local_day(t.dtposted), t.memo, t.trnamt) for t in ofx_rows]
    card = parse_ofx(download(member, PLATINUM, "ofx1")).statements[0].banktranlist
    fx = [t for t in card if t.origcurrency is not None]
    assert [(t.trnamt, t.origcurrency.cursym, t.origcurrency.currate) for t in fx] == [
        (Decimal("-18.47"), "USD", Decimal("1.5392"))]
    html_fx = [r for r in card_rows(member, PLATINUM) if r["foreign"]]
    assert money(html_fx[0]["foreign"]) * fx[0].origcurrency.currate == Decimal("18.470400")


def test_ofx1_is_sgml_with_unclosed_leaf_elements(member: FlaskClient) -> None:
    res = download(member, EVERYDAY, "ofx1")
    body = res.data.decode("cp1252")
    head, _, sgml = body.partition("\r\n\r\n")
    assert head.split("\r\n")[:3] == ["OFXHEADER:100", "DATA:OFXSGML", "VERSION:102"]
    assert "\r\n" in sgml and "\n" not in sgml.replace("\r\n", "")
    assert re.search(r"^<TRNAMT>-?\d+\.\d\d\r$", sgml, re.M)
    assert "</TRNAMT>" not in sgml and "</NAME>" not in sgml
    assert sgml.count("<STMTTRN>") == sgml.count("</STMTTRN>") == len(EVERYDAY.transactions)
    assert "<DTPOSTED>20261120000000.000[+11:AEDT]" in sgml
    assert "<DTPOSTED>20260917000000.000[+10:AEST]" in sgml  # before daylight saving
    ofx2 = download(member, EVERYDAY, "ofx2").get_data(as_text=True)
    assert ofx2.startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX ')
    assert "<TRNAMT>-5.50</TRNAMT>" in ofx2
    assert "H&amp;M" in download(member, PLATINUM, "ofx1").data.decode("cp1252")


def test_ofx_investment_positions_join_securities_by_uniqueid(member: FlaskClient) -> None:
    for fmt in ("ofx2", "ofx1"):
        ofx = parse_ofx(download(member, TRADING, fmt))
        stmt = ofx.statements[0]
        assert (stmt.invacctfrom.brokerid, stmt.invacctfrom.acctid) == (
            "harbourcu.com.au", TRADING.id)
        securities = {s.secinfo.secid.uniqueid: s.secinfo for s in ofx.securities}
        assert all(s.secid.uniqueidtype == "ISIN" for s in securities.values())
        joined = []
        for position in stmt.invposlist:
            pos = position.invpos
            sec = securities[pos.secid.uniqueid]
            joined.append((sec.ticker, sec.secname, pos.secid.uniqueid, pos.units, pos.unitprice,
                           pos.mktval))
        assert joined == [(h.code, h.name, h.isin, h.units, h.last_price, h.market_value)
                          for h in TRADING.holdings]
        buys = [(b.invbuy.secid.uniqueid, b.invbuy.units, b.invbuy.unitprice,
                 b.invbuy.commission, b.invbuy.total, local_day(b.invbuy.invtran.dttrade))
                for b in stmt.invtranlist]
        assert buys == [(t.isin, t.units, t.price, t.brokerage, t.total, t.trade_date)
                        for t in TRADING.trades]
    recent = parse_ofx(download(member, TRADING, "ofx2", **{"from": "2026-01-01"}))
    assert len(recent.statements[0].invtranlist) == 3
    assert len(recent.statements[0].invposlist) == 6  # positions are as at the reference day


def test_ofx_date_range_and_closing_balance(member: FlaskClient) -> None:
    stmt = parse_ofx(download(member, EVERYDAY, "ofx2", **{"from": "2026-09-01",
                                                             "to": "2026-09-30"})).statements[0]
    expected = EVERYDAY.between(date(2026, 9, 1), date(2026, 9, 30))
    assert [(local_day(t.dtposted), t.memo, t.trnamt) for t in stmt.banktranlist] == \
        rows_of(expected)
    assert stmt.ledgerbal.balamt == expected[0].balance == EVERYDAY.balance_on(date(2026, 9, 30))


@pytest.fixture(scope="module")
def camt_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(camt.SCHEMA)))


def camt_entries(root: Any) -> list[tuple[date, str, Decimal]]:
    ns = {"c": camt.NAMESPACE}
    out = []
    for entry in root.iterfind(".//c:Ntry", ns):
        amount = Decimal(entry.findtext("c:Amt", namespaces=ns))
        sign = -1 if entry.findtext("c:CdtDbtInd", namespaces=ns) == "DBIT" else 1
        out.append((date.fromisoformat(entry.findtext("c:BookgDt/c:Dt", namespaces=ns)),
                    entry.findtext(".//c:RmtInf/c:Ustrd", namespaces=ns), sign * amount))
    return out


def camt_balance(root: Any, code: str) -> Decimal:
    ns = {"c": camt.NAMESPACE}
    for bal in root.iterfind(".//c:Stmt/c:Bal", ns):
        if bal.findtext("c:Tp/c:CdOrPrtry/c:Cd", namespaces=ns) == code:
            value = Decimal(bal.findtext("c:Amt", namespaces=ns))
            return -value if bal.findtext("c:CdtDbtInd", namespaces=ns) == "DBIT" else value
    raise AssertionError(code)


@pytest.mark.parametrize("dates", [{}, {"from": "2026-10-01", "to": "2026-10-31"}],
                         ids=["whole-history", "october"])
@pytest.mark.parametrize("account", BANK.deposits + BANK.cards, ids=lambda a: a.name)
def test_camt053_is_schema_valid_and_balances(member: FlaskClient, camt_schema: Any,
                                              account: Account, dates: dict[str, str]) -> None:
    res = download(member, account, "camt053", **dates)
    assert res.headers["Content-Type"].startswith("application/xml")
    root = etree.fromstring(res.data)
    camt_schema.assertValid(root)
    assert root.tag == f"{{{camt.NAMESPACE}}}Document"
    ns = {"c": camt.NAMESPACE}
    assert root.findtext(".//c:Acct/c:Id/c:Othr/c:Id", namespaces=ns) == account.id
    assert root.findtext(".//c:Svcr//c:ClrSysMmbId/c:MmbId", namespaces=ns) == "633000"
    start = date.fromisoformat(dates.get("from", account.transactions[-1].date.isoformat()))
    end = date.fromisoformat(dates.get("to", REFERENCE_DATE.isoformat()))
    expected = account.between(start, end)
    assert camt_entries(root) == list(reversed(rows_of(expected)))  # booking order
    opening, closing = camt_balance(root, "OPBD"), camt_balance(root, "CLBD")
    assert opening == account.balance_on(start - timedelta(days=1))
    assert closing == account.balance_on(end) == opening + sum(t.amount for t in expected)


def test_camt053_foreign_purchase_details(member: FlaskClient) -> None:
    root = etree.fromstring(download(member, PLATINUM, "camt053").data)
    ns = {"c": camt.NAMESPACE}
    details = root.find(".//c:TxDtls[c:AmtDtls]", ns)
    assert details is not None
    assert details.find("c:AmtDtls/c:InstdAmt/c:Amt", ns).attrib["Ccy"] == "USD"
    assert details.findtext("c:AmtDtls/c:InstdAmt/c:Amt", namespaces=ns) == "12.00"
    assert details.findtext(".//c:CcyXchg/c:XchgRate", namespaces=ns) == "1.5392"
    assert details.findtext("c:AmtDtls/c:TxAmt/c:Amt", namespaces=ns) == "18.47"
    assert details.findtext("c:RmtInf/c:Ustrd", namespaces=ns) == \
        "AMAZON WEB SERVICES AWS.AMAZON.CO USA"
    assert camt_balance(root, "CLBD") == PLATINUM.balance < 0


def test_download_refusals(member: FlaskClient) -> None:
    for query, status in ((f"account={TRADING.key}&format=camt053", 400),
                          (f"account={EVERYDAY.key}&format=csv", 400),
                          (f"account={EVERYDAY.key}&format=ofx2&from=2026-1-1", 400),
                          (f"account={EVERYDAY.key}&format=ofx2&from=2026-11-02&to=2026-11-01",
                           400),
                          ("account=nope&format=ofx2", 404)):
        assert member.get(f"/download?{query}").status_code == status, query
    form = page(member.get("/downloads")).css("form[data-testid=export-form]")[0]
    assert form.css("select[name=format] option::attr(value)").getall() == [
        "ofx2", "ofx1", "camt053"]
    assert len(form.css("select[name=account] option")) == len(BANK.accounts)


# -- entry point and the real browser -------------------------------------------------------

def test_python_dash_m_serves_the_login_page() -> None:
    with (
        ChildServer("sites.harbour_cu") as child,
        urllib.request.urlopen(child.url + "/login") as res,  # noqa: S310 (our own loopback)
    ):
        assert res.status == 200
        assert b"Member number or username" in res.read()


@pytest.mark.browser
async def test_browser_recent_tab_loads_on_click_and_shows_older() -> None:
    from playwright.async_api import async_playwright

    from engine.backends.chromium import LAUNCH_ARGS, find_chromium

    with ThreadedServer(create_app()) as server:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=find_chromium(),
                                               args=LAUNCH_ARGS, headless=True)
            try:
                page_ = await browser.new_page()
                page_.set_default_timeout(10_000)
                await page_.goto(server.url + "/login")
                await page_.fill("[data-testid=username-input]", "demo")
                await page_.fill("[data-testid=password-input]", DEMO_PASSWORD)
                await page_.click("[data-testid=login-submit]")
                hint = await page_.text_content("[data-testid=otp-hint]")
                assert hint is not None and "j•••@example.com" in hint
                await page_.fill("[data-testid=otp-input]", DEFAULT_OTP_CODE)
                await page_.click("[data-testid=otp-submit]")
                await page_.click(f"a[href='/accounts/{EVERYDAY.key}']")
                await page_.wait_for_selector("[data-testid=account-tabs]")
                assert await page_.locator("[data-testid=txn-row]").count() == 0
                await page_.click("[data-testid=tab-recent]")
                await page_.wait_for_selector("[data-testid=txn-row]")
                assert await page_.get_attribute("#panel-pending", "hidden") is not None
                assert await page_.locator("[data-testid=txn-row]").count() == 20
                while await page_.locator("[data-testid=recent-older]").count():
                    before = await page_.locator("[data-testid=txn-row]").count()
                    await page_.click("[data-testid=recent-older]")
                    await page_.wait_for_function(
                        "n => document.querySelectorAll('[data-testid=txn-row]').length > n",
                        arg=before)
                rows = page_.locator("[data-testid=txn-row]")
                assert await rows.count() == len(EVERYDAY.transactions)
                last = EVERYDAY.transactions[-1]
                assert await rows.last.locator("td").nth(1).text_content() == last.description
                assert await page_.text_content("[data-testid=recent-count]") == (
                    f"Showing 1–{len(EVERYDAY.transactions)} of "
                    f"{len(EVERYDAY.transactions)} transactions")
                await page_.click("[data-testid=tab-statements]")
                await page_.wait_for_selector("[data-testid=statement-period]")
                assert await page_.locator("#panel-recent").is_hidden()
            finally:
                await browser.close()


def test_patterns_md_quotes_the_data() -> None:
    """The recipe writer's tables in PATTERNS.md are the values a sync must return."""
    doc = (Path(camt.__file__).parent / "PATTERNS.md").read_text(encoding="utf-8")
    quoted = dict(re.findall(r"^ *\| (\w{8,16}) \| [^|]+ \| \w+ \| ([−\d.]+) ", doc, re.M))
    assert quoted == {a.id: f"{a.balance}".replace("-", "−")
                      for a in BANK.deposits + BANK.cards}
    holdings = re.findall(r"^ *\| (\w{3}) \| (AU\w{10}) \| ([^|]+) \| ([\d,]+) \| ([\d.]+) \| "
                          r"([\d.]+) \| ([\d.]+) \|$", doc, re.M)
    assert [(c, i, n.strip(), Decimal(u.replace(",", "")), Decimal(p), Decimal(a), Decimal(v))
            for c, i, n, u, p, a, v in holdings] == [
        (h.code, h.isin, h.name, h.units, h.last_price, h.avg_price, h.market_value)
        for h in TRADING.holdings]
