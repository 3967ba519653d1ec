"""Banka Sever: seeded data, WebForms postbacks, the login detours, both scripts.

Flask's test client drives the server side as a browser would (posting the hidden WebForms
fields it was given); one real-Chromium test proves what only a browser can: the cookie
overlay really intercepts clicks, the six boxes advance by script, and the drop-down and
"Sledeća" post back through ``__doPostBack``.
"""

from __future__ import annotations

import re
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from parsel import Selector
from werkzeug.test import TestResponse

import sites.banka_sever
from sites._server import ChildServer, ThreadedServer
from sites.banka_sever import create_app
from sites.banka_sever.data import (
    CYRILLIC_USERNAME,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    OTP_CODE,
    PAGE_SIZE,
    PERIOD_START,
    REFERENCE_DATE,
    Account,
    build_bank,
)
from sites.banka_sever.formats import whole_units
from sites.banka_sever.numbers import is_valid
from sites.banka_sever.script import to_cyrillic, to_latin

BANK = build_bank()
MARKO = BANK.customers[DEMO_USERNAME]
MILICA = BANK.customers[CYRILLIC_USERNAME]
CHECKING, SAVINGS, FX, CARD = MARKO.accounts
NBSP = "\u00a0"
LATIN_MONTHS = ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust",
                "septembar", "oktobar", "novembar", "decembar")
CYRILLIC_MONTHS = ("јануар", "фебруар", "март", "април", "мај", "јун", "јул", "август",
                   "септембар", "октобар", "новембар", "децембар")
USER, PASSWORD, LOGIN = ("ctl00$MainContent$txtKorisnickoIme", "ctl00$MainContent$txtLozinka",
                         "ctl00$MainContent$btnPrijava")
DROPDOWN = "ctl00$MainContent$ddlRacun"


def sel(res: TestResponse) -> Selector:
    return Selector(res.get_data(as_text=True))


def hidden(page: Selector) -> dict[str, str]:
    return {i.attrib["name"]: i.attrib.get("value", "")
            for i in page.css("form#form1 input[type=hidden]")}


def login(client: FlaskClient, username: str = DEMO_USERNAME,
          password: str = DEMO_PASSWORD) -> TestResponse:
    form = hidden(sel(client.get("/Prijava.aspx")))
    form.update({USER: username, PASSWORD: password, LOGIN: "Prijavi se"})
    return client.post("/Prijava.aspx", data=form)


def submit_code(client: FlaskClient, boxes: list[str]) -> TestResponse:
    form = hidden(sel(client.get("/Verifikacija.aspx")))
    form.update({f"ctl00$MainContent$txtKod{i}": box for i, box in enumerate(boxes, 1)})
    form["ctl00$MainContent$btnPotvrdi"] = "Potvrdi"
    return client.post("/Verifikacija.aspx", data=form)


def accept_terms(client: FlaskClient) -> TestResponse:
    form = hidden(sel(client.get("/NoviUslovi.aspx")))
    form["ctl00$MainContent$btnPrihvatam"] = "Prihvatam nove uslove"
    return client.post("/NoviUslovi.aspx", data=form)


def logged_in(username: str = DEMO_USERNAME, **options: object) -> FlaskClient:
    client = create_app(terms_pending=(), **options).test_client()  # type: ignore[arg-type]
    assert login(client, username).headers["Location"] == "/Verifikacija.aspx"
    assert submit_code(client, list(OTP_CODE)).headers["Location"] == "/Pocetna.aspx"
    return client


def postback(client: FlaskClient, page: Selector, target: str = "", argument: str = "",
             account_id: str | None = None, **extra: str) -> TestResponse:
    """What ``__doPostBack(target, argument)`` submits from the statement page."""
    form = hidden(page)
    selected = page.css("#MainContent_ddlRacun option[selected]::attr(value)").get()
    form.update({"__EVENTTARGET": target, "__EVENTARGUMENT": argument,
                 DROPDOWN: account_id or selected or "", **extra})
    return client.post("/Promet.aspx", data=form)


def sr_amount(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@dataclass(frozen=True)
class Record:
    date: date
    kind: str
    label: str
    amount: Decimal
    balance: Decimal | None
    reference: str


def read_page(page: Selector, months: tuple[str, ...] = LATIN_MONTHS) -> list[Record]:
    """Independent reading of one grid page: header names, headings, two rows per record."""
    grid = page.css("#MainContent_gvPromet")
    headers = [h.strip() for h in grid.css("tr.zaglavlje th::text").getall()]
    col = {name: i for i, name in enumerate(headers)}
    names = ({"Datum": "date", "Opis": "kind", "Isplata": "debit", "Uplata": "credit",
              "Stanje": "balance", "Referenca": "reference"} if months is LATIN_MONTHS else
             {"Датум": "date", "Опис": "kind", "Исплата": "debit", "Уплата": "credit",
              "Стање": "balance", "Референца": "reference"})
    col = {names[n]: i for n, i in col.items()}
    records: list[Record] = []
    month: tuple[int, int] | None = None
    rows = grid.xpath("./tr[not(contains(@class, 'zaglavlje')) and not(@class='pager')]")
    i = 0
    while i < len(rows):
        row = rows[i]
        if row.attrib["class"] == "mesec":
            name, year = row.css("td::text").get("").split()
            month = (int(year), months.index(name.lower()) + 1)
            i += 1
            continue
        cells = ["".join(td.css("::text").getall()) for td in row.css("td")]
        detail = rows[i + 1]
        assert detail.attrib["class"].startswith("stavka-opis")
        day_text = cells[col["date"]]
        if month is None:  # the card: "19.11." against the statement period
            day, mon = (int(p) for p in day_text.strip(".").split("."))
            year = PERIOD_START.year if mon >= PERIOD_START.month else REFERENCE_DATE.year
            when = date(year, mon, day)
        else:
            when = date(*month, int(day_text.rstrip(".")))
        debit, credit = cells[col["debit"]].strip(), cells[col["credit"]].strip()
        assert bool(debit) != bool(credit), (debit, credit)  # exactly one; the other is &nbsp;
        value = -sr_amount(debit) if debit else sr_amount(credit)
        balance = sr_amount(cells[col["balance"]]) if "balance" in col else None
        reference = cells[col["reference"]] if "reference" in col else ""
        records.append(Record(when, cells[col["kind"]], detail.css("td.opis::text").get(""),
                              value, balance, reference))
        i += 2
    return records


def expected(account: Account, *, with_reference: bool) -> list[Record]:
    return [Record(op.date, op.kind, op.label, op.amount, op.balance,
                   op.reference if with_reference else "") for op in account.operations]


# ---------- data ----------

def test_data_is_deterministic_and_consistent() -> None:
    assert build_bank() == BANK
    assert build_bank(7) != BANK
    assert [(a.type_label, a.engine_type, a.currency) for a in MARKO.accounts] == [
        ("Tekući račun", "checking", "RSD"), ("Štedni račun", "savings", "RSD"),
        ("Devizni račun", "checking", "EUR"), ("Visa Classic", "card", "RSD")]
    for customer in (MARKO, MILICA):
        for account in customer.accounts:
            assert is_valid(account.id) and account.id.count("-") == 2
            ops = account.operations
            assert [op.date for op in ops] == sorted((op.date for op in ops), reverse=True)
            assert ops[-1].date >= PERIOD_START and ops[0].date <= REFERENCE_DATE
            assert account.balance == account.opening_balance + sum(op.amount for op in ops)
            running = account.opening_balance
            for op in reversed(ops):
                running += op.amount
                assert op.balance in (None, running)
                assert running >= -account.limit  # never past the overdraft / credit limit
            assert len({op.reference for op in ops}) == len(ops)
        checking, savings, _, card = customer.accounts
        assert len(checking.operations) > 60 * 2  # ten pages of twenty records
        assert {(op.date.year, op.date.month) for op in checking.operations} >= {
            (2025, 12), (2026, 1)}
        assert card.balance < 0 < card.available and all(
            op.balance is None for op in card.operations)
        assert savings.balance > 1_000_000 or customer is MILICA
    assert sum(op.amount > 0 for op in CHECKING.operations) >= 23


def test_transfers_show_on_both_accounts_same_day() -> None:
    pairs = [(CHECKING, SAVINGS, "Prenos na štedni račun"),
             (SAVINGS, CHECKING, "Prenos na tekući račun"),
             (CHECKING, CARD, "Otplata kreditne kartice"),
             (FX, CHECKING, "Prodaja deviza na račun")]
    for source, target, prefix in pairs:
        outgoing = [op for op in source.operations if op.label.startswith(prefix)]
        assert outgoing
        incoming = Counter((op.date, op.amount) for op in target.operations if op.amount > 0)
        for op in outgoing:
            if source.currency == target.currency:
                assert incoming[(op.date, -op.amount)] >= 1, op
            else:
                assert any(d == op.date for d, _ in incoming), op


def test_every_text_survives_the_script_round_trip() -> None:
    texts = {t for c in (MARKO, MILICA) for a in c.accounts
             for op in a.operations for t in (op.kind, op.label)}
    texts |= {a.type_label for a in MARKO.accounts} | {MARKO.name, MILICA.name}
    for text in texts:
        cyrillic = to_cyrillic(text)
        assert to_latin(cyrillic) == text, text
        for word in text.split():  # no all-caps LJ/NJ/DŽ: "LJ" vs "Lj" would be a guess
            assert not (word.isupper() and any(d in word for d in ("LJ", "NJ", "DŽ"))), word
    assert to_cyrillic("Kafe Beograd") == "Кафе Београд"
    assert to_latin("Кафе Београд") == "Kafe Beograd"
    assert to_cyrillic("MAXI 0147 BEOGRAD") == "MAXI 0147 БЕОГРАД"  # foreign words stay Latin
    assert to_cyrillic("Podizanje gotovine") == "Подизање готовине"


# ---------- login ----------

def test_cookie_banner_covers_the_page_until_accepted() -> None:
    client = create_app().test_client()
    page = sel(client.get("/Prijava.aspx"))
    banner = page.css("body > div#kolacici.kolacici-pozadina")
    assert banner and banner.css("button#btnPrihvatamKolacice::text").get() == "Prihvatam"
    assert page.css("form#form1 #MainContent_btnPrijava") and not page.css("form#form1 #kolacici")
    css = client.get("/static/sever.css").get_data(as_text=True)
    rule = css[css.index(".kolacici-pozadina {"):]
    assert "position: fixed; inset: 0; z-index: 1000" in rule[:120]
    client.set_cookie("sever_kolacici", "prihvaceni")
    assert not sel(client.get("/Prijava.aspx")).css("#kolacici")


def test_wrong_password_gets_the_sites_own_message() -> None:
    client = create_app().test_client()
    for username, password in ((DEMO_USERNAME, "pogresna"), ("nepostojeci", DEMO_PASSWORD)):
        page = sel(login(client, username, password))
        assert page.css("#MainContent_lblPoruka.greska::text").get() == (
            "Pogrešno korisničko ime ili lozinka.")


def test_login_is_a_webforms_postback() -> None:
    client = create_app().test_client()
    form = hidden(sel(client.get("/Prijava.aspx")))
    assert form["__VIEWSTATE"].startswith("/wEP") and len(form["__VIEWSTATEGENERATOR"]) == 8
    creds = {USER: DEMO_USERNAME, PASSWORD: DEMO_PASSWORD}
    res = client.post("/Prijava.aspx", data={**creds, LOGIN: "Prijavi se"})  # no view state
    assert res.status_code == 500 and "Došlo je do greške" in res.get_data(as_text=True)
    forged = {**form, "__VIEWSTATE": form["__VIEWSTATE"][:-6] + "AAAAAA"}
    assert client.post("/Prijava.aspx", data={**forged, **creds, LOGIN: "x"}).status_code == 500
    res = client.post("/Prijava.aspx", data={**form, **creds})  # Enter without the button
    assert res.status_code == 200 and not sel(res).css("#MainContent_lblPoruka")
    assert client.post("/Prijava.aspx", data={**form, **creds, LOGIN: "x"}).status_code == 302


def test_failure_scenarios() -> None:
    client = create_app().test_client()
    page = sel(login(client, "demo.blokiran"))
    assert page.css("#MainContent_lblPoruka.blokiran::text").get().startswith(
        "Vaš korisnički nalog je blokiran.")
    res = login(client, "demo.odrzavanje")
    assert res.headers["Location"] == "/Odrzavanje.aspx"
    res = client.get("/Odrzavanje.aspx")
    assert res.status_code == 200 and "redovnog održavanja" in res.get_data(as_text=True)
    assert client.get("/Racuni.aspx").headers["Location"] == "/Prijava.aspx"
    res = create_app(maintenance=True).test_client().get("/Prijava.aspx")
    assert res.status_code == 503 and res.headers["Retry-After"] == "3600"
    assert sel(res).css("#pnlOdrzavanje h1::text").get() == "Održavanje sistema"


def test_one_time_code_in_six_single_character_boxes() -> None:
    client = create_app(terms_pending=()).test_client()
    assert login(client).headers["Location"] == "/Verifikacija.aspx"
    page = sel(client.get("/Verifikacija.aspx"))
    boxes = page.css("fieldset.otp input.otp-polje")
    assert [b.attrib["maxlength"] for b in boxes] == ["1"] * 6
    assert [b.attrib["name"] for b in boxes] == [
        f"ctl00$MainContent$txtKod{i}" for i in range(1, 7)]
    assert "+381 64 ••• ••67" in page.css("p.uputstvo::text").get()
    res = submit_code(client, [OTP_CODE, "", "", "", "", ""])  # all in one box: refused
    assert sel(res).css("#MainContent_lblPoruka::text").get() == (
        "Uneti kod nije ispravan. Preostalo pokušaja: 2.")
    res = submit_code(client, list("135791"))
    assert "Preostalo pokušaja: 1." in res.get_data(as_text=True)
    assert submit_code(client, list(OTP_CODE)).headers["Location"] == "/Pocetna.aspx"
    assert client.get("/Racuni.aspx").status_code == 200


def test_wrong_codes_three_times_and_expired_codes_end_at_login() -> None:
    client = create_app().test_client()
    login(client)
    for _ in range(2):
        submit_code(client, list("000000"))
    assert submit_code(client, list("000000")).headers["Location"] == "/Prijava.aspx"
    notice = sel(client.get("/Prijava.aspx")).css("#MainContent_lblPoruka.info::text").get()
    assert notice == "Kod je tri puta pogrešno unet. Prijavite se ponovo."
    client = create_app(otp_ttl_seconds=0).test_client()
    login(client)
    assert client.get("/Verifikacija.aspx").headers["Location"] == "/Prijava.aspx"
    assert "Jednokratni kod je istekao." in client.get("/Prijava.aspx").get_data(as_text=True)


def test_new_terms_are_shown_once_per_customer() -> None:
    app = create_app()
    first = app.test_client()
    login(first)
    assert submit_code(first, list(OTP_CODE)).headers["Location"] == "/NoviUslovi.aspx"
    assert first.get("/Racuni.aspx").headers["Location"] == "/NoviUslovi.aspx"
    page = sel(first.get("/NoviUslovi.aspx"))
    assert page.css("#MainContent_btnPrihvatam::attr(value)").get() == "Prihvatam nove uslove"
    assert accept_terms(first).headers["Location"] == "/Pocetna.aspx"
    assert first.get("/Racuni.aspx").status_code == 200
    again = app.test_client()
    login(again)
    assert submit_code(again, list(OTP_CODE)).headers["Location"] == "/Pocetna.aspx"
    other = app.test_client()  # Milica has not accepted yet; declining logs her out
    login(other, CYRILLIC_USERNAME)
    assert submit_code(other, list(OTP_CODE)).headers["Location"] == "/NoviUslovi.aspx"
    form = {**hidden(sel(other.get("/NoviUslovi.aspx"))), "ctl00$MainContent$btnOdustani": "x"}
    assert other.post("/NoviUslovi.aspx", data=form).headers["Location"] == "/Prijava.aspx"
    assert other.get("/Pocetna.aspx").headers["Location"] == "/Prijava.aspx"


# ---------- accounts and overview ----------

def test_accounts_page_numbers_and_balances() -> None:
    page = sel(logged_in().get("/Racuni.aspx"))
    rows = page.css("#MainContent_gvRacuni tr.racun")
    assert len(rows) == 4
    for row, account in zip(rows, MARKO.accounts, strict=True):
        shown = row.css("td.broj::text").get()
        assert NBSP in shown and shown.replace(NBSP, "-") == account.id
        balance = row.css("td.stanje::text").get()
        assert balance.endswith(f" {account.currency}")
        assert sr_amount(balance.removesuffix(f" {account.currency}")) == account.balance
        available = row.css("td.raspolozivo::text").get().split()[0]
        assert sr_amount(available) == account.available
    assert rows[1].css("td.stanje::text").get().count(".") == 2  # 1.208.966,64 RSD
    assert rows[3].css("span.kartica-broj::text").get() == "4058 •••• •••• 4321"
    assert rows[3].css("td.stanje::text").get().startswith("-")


def test_overview_widget_writes_whole_units_with_comma_thousands() -> None:
    page = sel(logged_in().get("/Pocetna.aspx"))
    tiles = page.css("#brziPregled .plocica")
    assert [t.attrib["data-racun"] for t in tiles] == [a.id for a in MARKO.accounts]
    for tile, account in zip(tiles, MARKO.accounts, strict=True):
        currency, figure = tile.css(".plocica-iznos::text").get().split()
        assert currency == account.currency and "." not in figure
        assert Decimal(figure.replace(",", "")) == whole_units(account.available)
    assert tiles[1].css(".plocica-iznos::text").get().count(",") == 2  # RSD 1,208,967
    assert tiles[0].css(".plocica-limit::text").get() == "RSD 50,000"


# ---------- statement ----------

def _all_pages(client: FlaskClient, account: Account,
               months: tuple[str, ...] = LATIN_MONTHS) -> list[list[Record]]:
    page = sel(client.get("/Promet.aspx"))
    if page.css("#MainContent_ddlRacun option[selected]::attr(value)").get() != account.id:
        page = sel(postback(client, page, DROPDOWN, "", account.id))
    pages = [read_page(page, months)]
    while page.css("a#MainContent_lnkSledeca[href]"):
        page = sel(postback(client, page, "ctl00$MainContent$lnkSledeca"))
        pages.append(read_page(page, months))
    assert page.css("a#MainContent_lnkSledeca.aspNetDisabled:not([href])")
    return pages


def test_statement_pages_partition_every_account_history() -> None:
    client = logged_in()
    for account in MARKO.accounts:
        pages = _all_pages(client, account)
        assert len(pages) == -(-len(account.operations) // PAGE_SIZE)
        assert all(len(p) == PAGE_SIZE for p in pages[:-1])
        flat = [r for p in pages for r in p]
        assert flat == expected(account, with_reference=account.currency == "EUR")
    assert len(_all_pages(client, CHECKING)) == 10


def test_grid_layouts_differ_by_account() -> None:
    client = logged_in()
    page = sel(client.get("/Promet.aspx"))
    assert not page.css("#MainContent_gvPromet thead")  # GridView: header row in the body
    headers = {}
    for account in MARKO.accounts:
        shown = sel(postback(client, page, DROPDOWN, "", account.id))
        headers[account.type_label] = shown.css("#MainContent_gvPromet tr.zaglavlje th::text"
                                                ).getall()
        first = shown.xpath("//table[@id='MainContent_gvPromet']/tr[2]")
        is_card = account.engine_type == "card"
        assert (first.attrib["class"] == "mesec") is not is_card
    assert headers == {
        "Tekući račun": ["Datum", "Opis", "Isplata", "Uplata", "Stanje"],
        "Štedni račun": ["Datum", "Opis", "Isplata", "Uplata", "Stanje"],
        "Devizni račun": ["Datum", "Opis", "Referenca", "Uplata", "Isplata", "Stanje"],
        "Visa Classic": ["Datum", "Opis", "Isplata", "Uplata"],
    }


def test_month_headings_repeat_on_each_page_and_cross_the_year() -> None:
    client = logged_in()
    page = sel(client.get("/Promet.aspx"))
    headings: list[str] = []
    for n in range(1, 11):
        if n > 1:
            page = sel(postback(client, page, "ctl00$MainContent$gvPromet", f"Page${n}"))
        assert page.css("#MainContent_lblStrana::text").get() == f"Strana {n} od 10"
        first = page.xpath("//table[@id='MainContent_gvPromet']/tr[2]")
        assert first.attrib["class"] == "mesec"
        headings += page.css("tr.mesec td::text").getall()
    assert headings[0] == "Novembar 2026"
    assert "Januar 2026" in headings and headings[-1] == "Decembar 2025"
    days = page.css("tr.stavka td.datum::text").getall()
    assert all(len(d) == 3 and d.endswith(".") for d in days)


def test_card_dates_are_day_month_within_the_period() -> None:
    client = logged_in()
    page = sel(postback(client, sel(client.get("/Promet.aspx")), DROPDOWN, "", CARD.id))
    assert page.css("#MainContent_lblPeriod::text").get() == "01.12.2025. – 20.11.2026."
    days = page.css("tr.stavka td.datum::text").getall()
    assert days[0] == f"{CARD.operations[0].date:%d.%m.}" and all(len(d) == 6 for d in days)
    assert not page.css("tr.mesec")


def test_forged_or_stale_postbacks_are_refused() -> None:
    client = logged_in()
    page = sel(client.get("/Promet.aspx"))
    other = MILICA.accounts[0].id  # a real number, but not this customer's
    cases = [
        postback(client, page, DROPDOWN, "", other),
        postback(client, page, "ctl00$MainContent$gvPromet", "Page$11"),
        postback(client, page, "ctl00$MainContent$lnkPrethodna"),  # disabled on page 1
        postback(client, page, "ctl00$MainContent$btnObrisi"),
        postback(client, page, __VIEWSTATE=hidden(sel(client.get("/Racuni.aspx")))[
            "__VIEWSTATE"]),
        postback(client, page, __EVENTVALIDATION=""),
    ]
    for res in cases:
        assert res.status_code == 500
        assert sel(res).css("#MainContent_lblGreska::text").get().startswith(
            "Vaš zahtev nije moguće obraditi.")
    last = sel(postback(client, page, "ctl00$MainContent$gvPromet", "Page$10"))
    assert postback(client, last, "ctl00$MainContent$lnkSledeca").status_code == 500
    res = postback(client, last)  # a plain resubmit re-renders the same page
    assert sel(res).css("#MainContent_lblStrana::text").get() == "Strana 10 od 10"


def test_noscript_show_button_changes_account_too() -> None:
    client = logged_in()
    page = sel(client.get("/Promet.aspx"))
    res = postback(client, page, account_id=FX.id, **{"ctl00$MainContent$btnPrikazi": "Prikaži"})
    assert read_page(sel(res)) == expected(FX, with_reference=True)[:PAGE_SIZE]


# ---------- Cyrillic ----------

def test_cyrillic_customer_sees_everything_in_cyrillic() -> None:
    client = create_app(terms_pending=()).test_client()
    login(client, CYRILLIC_USERNAME)
    otp = sel(client.get("/Verifikacija.aspx"))
    assert otp.css("h1::text").get() == "Потврда идентитета"
    assert otp.css("html::attr(lang)").get() == "sr-Cyrl"
    submit_code(client, list(OTP_CODE))
    page = sel(client.get("/Promet.aspx"))
    assert page.css("tr.zaglavlje th::text").getall() == [
        "Датум", "Опис", "Исплата", "Уплата", "Стање"]
    assert page.css("tr.mesec td::text").get() == "новембар 2026"
    assert page.css("a#MainContent_lnkSledeca::text").get() == "Следећа"
    checking = MILICA.accounts[0]
    records = [r for p in _all_pages(client, checking, CYRILLIC_MONTHS) for r in p]
    assert [r.label for r in records] == [to_cyrillic(op.label) for op in checking.operations]
    assert [to_latin(r.label) for r in records] == [op.label for op in checking.operations]
    assert [to_latin(r.kind) for r in records] == [op.kind for op in checking.operations]
    assert [(r.date, r.amount, r.balance) for r in records] == [
        (op.date, op.amount, op.balance) for op in checking.operations]
    accounts = sel(client.get("/Racuni.aspx"))
    assert accounts.css("tr.racun td.vrsta::text").getall()[:3] == [
        "Текући рачун", "Штедни рачун", "Девизни рачун"]
    assert accounts.css("#lblKorisnik::text").get() == "Милица Јовановић"


def test_script_switch_link() -> None:
    client = logged_in()
    res = client.get("/Jezik.aspx?pismo=sr-Cyrl&povratak=/Racuni.aspx")
    assert res.headers["Location"] == "/Racuni.aspx"
    assert sel(client.get("/Racuni.aspx")).css("h1::text").get() == "Преглед рачуна"
    client.get("/Jezik.aspx?pismo=sr-Latn&povratak=//evil.example/")
    assert sel(client.get("/Racuni.aspx")).css("h1::text").get() == "Pregled računa"
    fresh = create_app().test_client()  # before login, the cookie chooses
    fresh.get("/Jezik.aspx?pismo=cyrl")
    page = sel(fresh.get("/Prijava.aspx"))
    assert page.css("#MainContent_btnPrijava::attr(value)").get() == "Пријави се"
    assert page.css("#btnPrihvatamKolacice::text").get() == "Прихватам"


def test_patterns_doc_quotes_the_real_values() -> None:
    """PATTERNS.md's tables (what recipe writers copy) agree with the data."""
    doc = (Path(sites.banka_sever.__file__).parent / "PATTERNS.md").read_text()
    rows = re.findall(r"^\| `(265-[\d-]+)` \| (.+?) → (\w+) \| (\w+) \| ([-\d.]+) \| ([-\d.]+) \|$",
                      doc, re.M)
    assert [(i, t, e, c, Decimal(b), Decimal(v)) for i, t, e, c, b, v in rows] == [
        (a.id, a.type_label, a.engine_type, a.currency, a.balance, a.available)
        for a in MARKO.accounts]
    assert f"2026-11-20, \"{CHECKING.operations[0].label}\", {CHECKING.operations[0].amount}" in doc
    last = CHECKING.operations[-1]
    assert f"{last.date}, \"{last.label}\", {last.amount}" in doc
    for account in (FX, CARD):
        op = account.operations[0]
        assert f"{op.date}, \"{op.label}\", {op.amount}" in doc
    assert f"ref {FX.operations[0].reference}" in doc


def test_module_runs_as_a_child_process() -> None:
    with (
        ChildServer("sites.banka_sever") as child,
        urllib.request.urlopen(child.url + "/Prijava.aspx") as page,  # noqa: S310 (loopback)
    ):
        assert "Prihvatam" in page.read().decode()


# ---------- the real page in headless Chromium ----------

@pytest.mark.browser
async def test_browser_overlay_boxes_and_postbacks() -> None:
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    with ThreadedServer(create_app()) as server:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"])
            try:
                page = await browser.new_page()
                page.set_default_timeout(10_000)
                await page.goto(server.url + "/Prijava.aspx")
                await page.fill("#MainContent_txtKorisnickoIme", DEMO_USERNAME)
                await page.fill("#MainContent_txtLozinka", DEMO_PASSWORD)
                with pytest.raises(PlaywrightTimeout, match="intercepts pointer events"):
                    await page.click("#MainContent_btnPrijava", timeout=1500)
                await page.get_by_role("button", name="Prihvatam", exact=True).click()
                assert await page.locator("#kolacici").count() == 0
                await page.click("#MainContent_btnPrijava")
                await page.wait_for_url("**/Verifikacija.aspx")
                await page.locator("#MainContent_txtKod1").press_sequentially(OTP_CODE)
                values = [await page.input_value(f"#MainContent_txtKod{i}") for i in range(1, 7)]
                assert values == list(OTP_CODE)
                await page.click("#MainContent_btnPotvrdi")
                await page.wait_for_url("**/NoviUslovi.aspx")
                await page.click("input[value='Prihvatam nove uslove']")
                await page.wait_for_url("**/Pocetna.aspx")
                await page.click("nav.meni >> text=Promet i izvodi")
                async with page.expect_navigation():
                    await page.select_option("#MainContent_ddlRacun", FX.id)
                headers = await page.locator("tr.zaglavlje th").all_text_contents()
                assert headers == ["Datum", "Opis", "Referenca", "Uplata", "Isplata", "Stanje"]
                async with page.expect_navigation():
                    await page.click("a#MainContent_lnkSledeca")
                assert await page.text_content("#MainContent_lblStrana") == "Strana 2 od 2"
                labels = await page.locator("tr.stavka-opis td.opis").all_text_contents()
                assert labels == [op.label for op in FX.operations[PAGE_SIZE:]]
                selected = await page.locator("#MainContent_ddlRacun").input_value()
                assert selected == FX.id
                assert await page.get_attribute("a#MainContent_lnkSledeca", "href") is None
            finally:
                await browser.close()
