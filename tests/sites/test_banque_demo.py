"""Banque Démo: seeded data, French formats, login security, scenarios and layouts.

Everything runs through Flask's test client (milliseconds) except the two behaviours that
need a real socket: the hanging /comptes and the ``python -m`` entry point.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import httpx
import pytest
from flask.testing import FlaskClient
from parsel import Selector
from werkzeug.test import TestResponse

from sites._server import ChildServer, ThreadedServer
from sites.banque_demo import create_app
from sites.banque_demo import formats as fmt
from sites.banque_demo.config import Settings
from sites.banque_demo.data import (
    CUSTOMER_NAME,
    DEMO_PASSWORD,
    PAGE_SIZE,
    REFERENCE_DATE,
    SCENARIOS,
    Account,
    build_bank,
    scenario_username,
)
from sites.banque_demo.iban import is_valid_iban

BANK = build_bank()
CHECKING, SAVINGS, CARD, PEA = BANK.accounts
LOCKED_TEXT = ("Suite à plusieurs tentatives infructueuses, votre accès a été bloqué. "
               "Contactez votre conseiller.")


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()


def sel(res: TestResponse) -> Selector:
    return Selector(res.get_data(as_text=True))


def login(client: FlaskClient, identifiant: str = "demo", code: str = DEMO_PASSWORD,
          *, redesign: bool = False) -> TestResponse:
    """Log in as a browser would: read the scrambled keypad, post the tokens of ``code``."""
    page = sel(client.get("/connexion"))
    if redesign:
        keys, attr, names = page.css("div.pinpad button.pin-key"), "data-pin", ("_csrf",
                                                                                 "username", "pin")
    else:
        keys, attr, names = page.css("div.keypad button.key"), "data-key", (
            "csrf_token", "identifiant", "code_secret")
    tokens = {k.css("::text").get(): k.attrib[attr] for k in keys}
    csrf = page.css(f"input[name={names[0]}]::attr(value)").get()
    secret = ",".join(tokens[d] for d in code)
    return client.post("/connexion", data=dict(zip(names, (csrf, identifiant, secret),
                                                   strict=True)))


def logged_in(scenario: str = "normal", **kwargs: object) -> FlaskClient:
    client = create_app(**kwargs).test_client()  # type: ignore[arg-type]
    res = login(client, scenario_username(scenario))
    assert res.status_code == 302
    return client


# ---------- data ----------

def test_data_shape_and_invariants() -> None:
    assert build_bank() == BANK  # deterministic
    assert build_bank(7) != BANK
    assert [(a.kind, len(a.operations)) for a in BANK.accounts] == [
        ("checking", 137), ("savings", 12), ("card", 31), ("pea", 5)]
    for account in BANK.accounts:
        dates = [op.date for op in account.operations]
        assert dates == sorted(dates, reverse=True) and dates[0] <= REFERENCE_DATE
        assert account.id.isdigit() and account.currency == "EUR"
    assert all(is_valid_iban(a.iban) for a in (CHECKING, SAVINGS, PEA))
    assert CARD.balance == sum(op.amount for op in CARD.operations) < 0
    assert sum(op.amount > 0 for op in CARD.operations) == 1
    amounts = [op.amount for op in CHECKING.operations]
    assert min(amounts) >= -2500 and max(amounts) <= 3200 and max(map(abs, amounts)) >= 1000
    assert PEA.balance == sum(h.valuation for h in PEA.holdings)
    for h in PEA.holdings:
        assert h.valuation == (h.quantity * h.unit_price).quantize(Decimal("0.01"))
    assert any(h.quantity != h.quantity.to_integral_value() for h in PEA.holdings)


def test_exactly_one_adjacent_duplicate_pair() -> None:
    for account in BANK.accounts:
        keys = [(op.date, op.label, op.amount) for op in account.operations]
        dupes = [k for k, n in Counter(keys).items() if n > 1]
        assert len(dupes) == (1 if account is CHECKING else 0)
    keys = [(op.date, op.label, op.amount) for op in CHECKING.operations]
    i = keys.index(dupes_of_checking := next(k for k, n in Counter(keys).items() if n > 1))
    assert keys[i + 1] == dupes_of_checking


def _isin_ok(isin: str) -> bool:
    digits = "".join(str(int(c, 36)) for c in isin)
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


def test_holdings_use_real_isins() -> None:
    assert [h.isin for h in PEA.holdings] == [
        "FR0000120271", "FR0000131104", "FR0000120073", "FR0000121014", "IE00B4L5Y983"]
    assert all(_isin_ok(h.isin) for h in PEA.holdings)


def test_formats() -> None:
    assert fmt.amount_eur(Decimal("-1234.56")) == "-1\u202f234,56\u00a0€"
    assert fmt.amount_eur(Decimal("15")) == "15,00\u00a0€"
    assert fmt.amount_eur_signed(Decimal("15")) == "+15,00\u00a0€"
    assert fmt.amount_code(Decimal("-12.3")) == "\u221212,30 EUR"
    assert fmt.amount_eur(Decimal("-1234567.8")) == "-1\u202f234\u202f567,80\u00a0€"
    assert fmt.date_numeric(date(2026, 1, 5)) == "05/01/2026"
    assert fmt.date_abbr(date(2026, 11, 24)) == "24 nov. 2026"
    months = [fmt.date_abbr(date(2026, m, 1)).split(" ")[1] for m in range(1, 13)]
    assert months == ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                      "sept.", "oct.", "nov.", "déc."]
    assert (fmt.quantity(Decimal("12.5")), fmt.quantity(Decimal("8"))) == ("12,5", "8")
    assert fmt.quantity(Decimal("40")) == "40"


# ---------- login ----------

def test_root_redirects_and_login_form(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/connexion"
    page = sel(client.get("/connexion"))
    form = page.css("form#login-form[method=post][action='/connexion']")
    assert form and form.css("input[type=hidden][name=csrf_token]::attr(value)").get()
    assert form.css("input#identifiant[name=identifiant][autocomplete=off]")
    assert form.css("input[type=hidden]#code-secret[name=code_secret]")
    assert form.css("button[type=submit]#valider::text").get() == "Se connecter"
    keys = form.css("div.keypad button[type=button].key")
    assert sorted(k.css("::text").get("") for k in keys) == list("0123456789")
    assert len({k.attrib["data-key"] for k in keys}) == 10
    assert page.css("link[href='/static/style.css']") and page.css("img[src='/static/logo.svg']")
    for asset in ("style.css", "logo.svg", "keypad.js"):
        assert client.get(f"/static/{asset}").status_code == 200
    assert client.get_cookie("bd_session") is not None


def test_keypad_tokens_change_per_render_but_csrf_is_per_session(client: FlaskClient) -> None:
    first, second = sel(client.get("/connexion")), sel(client.get("/connexion"))
    tokens = [set(p.css("button.key::attr(data-key)").getall()) for p in (first, second)]
    assert not tokens[0] & tokens[1]
    orders = []  # token order must not leak digit order (10! to 1 against by chance)
    for page in (first, second):
        by_digit = sorted(page.css("button.key"), key=lambda k: k.css("::text").get(""))
        orders.append([k.attrib["data-key"] for k in by_digit])
    assert any(order != sorted(order) for order in orders)
    assert (first.css("input[name=csrf_token]::attr(value)").get()
            == second.css("input[name=csrf_token]::attr(value)").get())


def test_csrf_missing_or_wrong_is_rejected(client: FlaskClient) -> None:
    client.get("/connexion")
    data = {"identifiant": "demo", "code_secret": "x"}
    assert client.post("/connexion", data=data).status_code == 400
    res = client.post("/connexion", data={**data, "csrf_token": "forged"})
    assert res.status_code == 400 and sel(res).css("h1::text").get() == "Requête invalide"
    fresh = create_app().test_client()  # never loaded the form: no token in its session
    assert fresh.post("/connexion", data={**data, "csrf_token": "x"}).status_code == 400


def test_login_success_and_accounts_page(client: FlaskClient) -> None:
    assert client.get("/comptes").headers["Location"] == "/connexion"
    res = login(client)
    assert res.status_code == 302 and res.headers["Location"] == "/comptes"
    page = sel(client.get("/comptes"))
    assert page.css("span.client::text").get() == CUSTOMER_NAME
    assert page.css("a#deconnexion[href='/deconnexion']::text").get() == "Se déconnecter"
    assert classic_accounts(page) == [expected_account(a) for a in BANK.accounts]
    assert "1\u202f339,60\u00a0€" in page.css("td.solde::text").getall()
    assert client.get("/deconnexion").headers["Location"] == "/connexion"
    assert client.get("/comptes").status_code == 302


@pytest.mark.parametrize(("identifiant", "code"), [
    ("demo", "654321"), ("inconnu", DEMO_PASSWORD), ("demo-locked", "111111")])
def test_login_failure(client: FlaskClient, identifiant: str, code: str) -> None:
    res = login(client, identifiant, code)
    assert res.status_code == 200
    assert sel(res).css("div.alert.erreur::text").get() == "Identifiant ou mot de passe incorrect."
    assert sel(res).css("input#identifiant::attr(value)").get() == identifiant
    assert client.get("/comptes").status_code == 302


def test_keypad_posts_tokens_not_digits_and_tokens_are_single_use(client: FlaskClient) -> None:
    page = sel(client.get("/connexion"))
    csrf = page.css("input[name=csrf_token]::attr(value)").get()
    tokens = {k.css("::text").get(): k.attrib["data-key"] for k in page.css("button.key")}
    digits = {"csrf_token": csrf, "identifiant": "demo", "code_secret": ",".join("123456")}
    assert client.post("/connexion", data=digits).status_code == 200  # digits are not accepted
    stale = {**digits, "code_secret": ",".join(tokens[d] for d in "123456")}
    assert client.post("/connexion", data=stale).status_code == 200  # previous render's tokens
    assert login(client).status_code == 302


# ---------- account pages ----------

def expected_account(a: Account) -> tuple[str, ...]:
    return (a.id, a.label, f"/compte/{a.id}/operations", a.iban, a.type_label,
            fmt.amount_eur(a.balance))


def expected_ops(a: Account) -> list[tuple[str, str, str]]:
    fdate, famount = fmt.operation_formatters(a.kind)
    return [(fdate(op.date), op.label, famount(op.amount)) for op in a.operations]


def classic_accounts(page: Selector) -> list[tuple[str, ...]]:
    return [(r.attrib["data-id"], r.css("td.libelle a::text").get(""),
             r.css("td.libelle a::attr(href)").get(""), r.css("td.numero::text").get(""),
             r.css("td.type::text").get(""), r.css("td.solde::text").get(""))
            for r in page.css("table#comptes tbody tr.compte")]


def classic_ops(page: Selector) -> list[tuple[str, str, str]]:
    return [(r.css("td.date::text").get(""), r.css("td.libelle::text").get(""),
             r.css("td.montant::text").get(""))
            for r in page.css("table.operations tbody tr.operation")]


def classic_holdings(page: Selector) -> list[tuple[str, ...]]:
    cols = ("libelle", "isin", "quantite", "cours", "pru", "valorisation")
    return [tuple(r.css(f"td.{c}::text").get("") for c in cols)
            for r in page.css("table.titres tbody tr.titre")]


Rows = list[tuple[str, str, str]]


def crawl_ops(client: FlaskClient, a: Account, rows: Callable[[Selector], Rows],
              next_sel: str) -> tuple[Rows, int]:
    """Follow next links from page 1; returns all rows and the number of pages seen."""
    url: str | None = f"/compte/{a.id}/operations"
    out: Rows = []
    pages = 0
    while url:
        res = client.get(url)
        assert res.status_code == 200
        page = sel(res)
        page_rows = rows(page)
        assert 0 < len(page_rows) <= PAGE_SIZE
        out += page_rows
        pages += 1
        url = page.css(f"{next_sel}::attr(href)").get()
    return out, pages


@pytest.mark.parametrize(("index", "pages"), [(0, 6), (1, 1), (2, 2), (3, 1)])
def test_operations_pagination_and_formats(index: int, pages: int) -> None:
    client = logged_in()
    account = BANK.accounts[index]
    first = sel(client.get(f"/compte/{account.id}/operations"))
    assert first.css("h1.compte-titre::text").get() == account.label
    rows, seen = crawl_ops(client, account, classic_ops, "nav.pagination a.suivant")
    assert seen == pages and rows == expected_ops(account)
    assert client.get(f"/compte/{account.id}/operations?page={pages + 1}").status_code == 404


def test_page_formats_as_rendered() -> None:
    client = logged_in()
    checking = sel(client.get(f"/compte/{CHECKING.id}/operations?page=6"))
    assert len(checking.css("tr.operation")) == 137 - 5 * PAGE_SIZE
    assert not checking.css("a.suivant") and checking.css("a.precedent")
    all_checking = "".join(client.get(f"/compte/{CHECKING.id}/operations?page={n}").text
                           for n in range(1, 7))
    assert "\u202f" in all_checking and "/2026</td>" in all_checking
    card, _ = crawl_ops(client, CARD, classic_ops, "a.suivant")
    assert all(d.endswith(" nov. 2026") for d, _, _ in card)
    assert all(a.endswith(" EUR") and "€" not in a and "-" not in a for _, _, a in card)
    assert sum(not a.startswith("\u2212") for _, _, a in card) == 1  # the one refund
    savings = classic_ops(sel(client.get(f"/compte/{SAVINGS.id}/operations")))
    assert any(a == "+200,00\u00a0€" for _, _, a in savings)
    assert ("18/08/2026", "VIR SEPA VERS COMPTE COURANT", "-500,00\u00a0€") in savings


def test_pea_holdings_and_404s() -> None:
    client = logged_in()
    ops = sel(client.get(f"/compte/{PEA.id}/operations"))
    assert ops.css("a.titres::attr(href)").get() == f"/compte/{PEA.id}/titres"
    assert ops.css("a.titres::text").get() == "Voir le portefeuille"
    holdings = classic_holdings(sel(client.get(f"/compte/{PEA.id}/titres")))
    assert holdings == [(h.label, h.isin, fmt.quantity(h.quantity), fmt.amount_eur(h.unit_price),
                         fmt.amount_eur(h.unit_cost), fmt.amount_eur(h.valuation))
                        for h in PEA.holdings]
    assert "12,5" in [h[2] for h in holdings]
    assert not sel(client.get(f"/compte/{CHECKING.id}/operations")).css("a.titres")
    assert client.get(f"/compte/{CHECKING.id}/titres").status_code == 404
    assert client.get("/compte/999/operations").status_code == 404


# ---------- scenarios ----------

def test_scenario_names() -> None:
    assert set(SCENARIOS) == {"normal", "locked", "expired", "secvalid", "otp", "maint",
                              "maint503", "ratelimit", "captcha", "slow", "hang",
                              "brokenhistory"}
    assert scenario_username("normal") == "demo" and scenario_username("otp") == "demo-otp"
    with pytest.raises(ValueError, match="unknown scenario"):
        create_app(scenario="nope")
    with pytest.raises(ValueError, match="unknown layout"):
        create_app("nope")


def test_locked(client: FlaskClient) -> None:
    res = login(client, "demo-locked")
    assert res.status_code == 200
    assert sel(res).css("div.alert.acces-bloque::text").get() == LOCKED_TEXT
    assert client.get("/comptes").status_code == 302


@pytest.mark.parametrize(("identifiant", "url", "marker"), [
    ("demo-expired", "/mot-de-passe-expire", "form#changement-mdp"),
    ("demo-secvalid", "/validation-securite", "div#validation-securite")])
def test_post_login_detours(client: FlaskClient, identifiant: str, url: str, marker: str) -> None:
    assert client.get(url).headers["Location"] == "/connexion"  # only after a login
    res = login(client, identifiant)
    assert res.status_code == 302 and res.headers["Location"] == url
    page = sel(client.get(url))
    assert page.css(marker)
    assert client.get("/comptes").status_code == 302
    if identifiant == "demo-expired":
        assert page.css("h1::text").get() == "Votre mot de passe a expiré"
    else:
        assert page.css(f"{marker}::text").get() == (
            "Pour votre sécurité, confirmez votre identité depuis votre espace client "
            "sur ordinateur.")


def otp_form(client: FlaskClient) -> tuple[Selector, str]:
    page = sel(client.get("/code-sms"))
    return page, page.css("form#otp input[name=csrf_token]::attr(value)").get() or ""


def test_otp_flow_wrong_then_right_then_trusted_device() -> None:
    client = create_app(otp_code="424242").test_client()
    res = login(client, "demo-otp")
    assert res.headers["Location"] == "/code-sms"
    page, csrf = otp_form(client)
    assert page.css("form#otp[method=post] p.consigne::text").get() == (
        "Saisissez le code reçu par SMS au 06 •• •• •• 42")
    assert page.css("input#code[name=code][inputmode=numeric]")
    assert page.css("button#valider-code[type=submit]::text").get() == "Valider"
    assert client.post("/code-sms", data={"code": "424242"}).status_code == 400  # no csrf
    res = client.post("/code-sms", data={"csrf_token": csrf, "code": "000000"})
    assert res.status_code == 200
    assert sel(res).css("div.alert.erreur.code-incorrect::text").get() == (
        "Code incorrect. Il vous reste 2 essai(s).")
    res = client.post("/code-sms", data={"csrf_token": csrf, "code": "424242"})
    assert res.status_code == 302 and res.headers["Location"] == "/comptes"
    set_cookie = next(h for h in res.headers.getlist("Set-Cookie")
                      if h.startswith("appareil_de_confiance="))
    assert "HttpOnly" in set_cookie and "Max-Age=7776000" in set_cookie
    assert client.get("/comptes").status_code == 200
    client.get("/deconnexion")
    res = login(client, "demo-otp")  # the trusted device skips the code
    assert res.headers["Location"] == "/comptes"
    client.get("/deconnexion")
    client.set_cookie("appareil_de_confiance", "forged.value")
    assert login(client, "demo-otp").headers["Location"] == "/code-sms"


def test_otp_three_wrong_codes_lock() -> None:
    client = create_app().test_client()
    login(client, "demo-otp")
    _, csrf = otp_form(client)
    for remaining in (2, 1):
        res = client.post("/code-sms", data={"csrf_token": csrf, "code": "999999"})
        assert f"Il vous reste {remaining} essai(s)" in res.text
    res = client.post("/code-sms", data={"csrf_token": csrf, "code": "999999"})
    assert res.status_code == 200
    assert sel(res).css("div.alert.acces-bloque::text").get() == LOCKED_TEXT
    assert client.get("/code-sms").headers["Location"] == "/connexion"


def test_otp_expires_after_five_minutes(client: FlaskClient) -> None:
    login(client, "demo-otp")
    _, csrf = otp_form(client)
    with client.session_transaction() as session:
        session["otp"] = {**session["otp"], "issued": session["otp"]["issued"] - 301}
    res = client.post("/code-sms", data={"csrf_token": csrf, "code": "123456"})
    assert res.headers["Location"] == "/connexion"
    assert sel(client.get("/connexion")).css("div.alert.code-expire")
    assert client.get("/comptes").status_code == 302


@pytest.mark.parametrize(("scenario", "status", "marker"), [
    ("maint", 200, "div.maintenance"), ("maint503", 503, "div.maintenance"),
    ("ratelimit", 429, "div.trop-de-requetes"), ("captcha", 200, "div.captcha")])
def test_blocking_scenarios_after_login(scenario: str, status: int, marker: str) -> None:
    client = logged_in(scenario)
    for url in ("/comptes", f"/compte/{CHECKING.id}/operations", f"/compte/{PEA.id}/titres"):
        res = client.get(url)
        assert res.status_code == status and sel(res).css(marker)
        assert res.headers.get("Retry-After") == ("120" if scenario == "ratelimit" else None)
    page = sel(client.get("/comptes"))
    if marker == "div.maintenance":
        assert page.css("div.maintenance h1::text").get() == "Site en maintenance"
        assert page.css("div.maintenance p::text").get() == (
            "Notre site est actuellement en maintenance. Merci de réessayer plus tard.")
    if scenario == "captcha":
        assert page.css("div.captcha p::text").get() == (
            "Merci de confirmer que vous n'êtes pas un robot.")
    assert login(create_app().test_client(), "demo").status_code == 302  # others unaffected


@pytest.mark.parametrize(("scenario", "status"), [
    ("maint", 200), ("maint503", 503), ("ratelimit", 429), ("captcha", 200)])
def test_forced_site_wide_scenarios_hit_the_login_page(scenario: str, status: int) -> None:
    client = create_app(scenario=scenario).test_client()
    res = client.get("/connexion")
    assert res.status_code == status and not sel(res).css("form#login-form")
    assert client.get("/static/style.css").status_code == 200


def test_forced_login_scenario_applies_to_plain_demo() -> None:
    client = create_app(scenario="demo-otp").test_client()
    assert login(client, "demo").headers["Location"] == "/code-sms"


def test_slow_accounts_page() -> None:
    client = logged_in("slow", slow_seconds=2.0)
    started = time.monotonic()
    assert client.get("/comptes").status_code == 200
    assert time.monotonic() - started >= 2.0
    started = time.monotonic()
    client.get(f"/compte/{CHECKING.id}/operations")
    assert time.monotonic() - started < 1.5  # only the accounts page is slow (margin for load)


def test_hang_never_answers_but_server_still_stops() -> None:
    app = create_app()
    login(client := app.test_client(), "demo-hang")
    cookie = client.get_cookie("bd_session")
    assert cookie is not None
    server = ThreadedServer(app).start()
    try:
        with pytest.raises(httpx.ReadTimeout):
            httpx.get(f"{server.url}/comptes", cookies={"bd_session": cookie.value},
                      timeout=0.3)
        assert httpx.get(f"{server.url}/connexion", timeout=5).status_code == 200
    finally:
        cfg = app.extensions["banque_demo"]
        assert isinstance(cfg, Settings)
        cfg.hang_release.set()
        server.stop()


def test_broken_history_only_breaks_the_livret() -> None:
    client = logged_in("brokenhistory")
    res = client.get(f"/compte/{SAVINGS.id}/operations")
    assert res.status_code == 500 and sel(res).css("h1::text").get() == "Erreur technique"
    for account in (CHECKING, CARD, PEA):
        assert client.get(f"/compte/{account.id}/operations").status_code == 200
    assert client.get("/comptes").status_code == 200


# ---------- third parties and the request log ----------

def test_analytics_pixel_and_request_log() -> None:
    app = create_app(analytics_host="localhost:9")
    client = app.test_client()
    page = sel(client.get("/connexion"))
    assert page.css("img.pixel::attr(src)").get() == "http://localhost:9/pixel.gif?p=connexion"
    assert page.css("img.pixel::attr(alt)").get() == ""
    login(client)
    assert sel(client.get("/comptes")).css("img.pixel::attr(src)").get("").endswith("?p=comptes")
    res = client.get("/pixel.gif?p=comptes", headers={"Host": "tracker.test:9"})
    assert res.status_code == 200 and res.mimetype == "image/gif"
    assert res.data.startswith(b"GIF89a")
    log = app.extensions["request_log"]
    assert {"method", "host", "path", "query", "body"} <= set(log[0])
    posts = [e for e in log if e["method"] == "POST"]
    assert posts[0]["path"] == "/connexion" and "identifiant=demo" in posts[0]["body"]
    assert posts[0]["host"] == "localhost"
    pixel_hits = [e for e in log if e["path"] == "/pixel.gif"]
    assert [(e["host"], e["query"], e["body"]) for e in pixel_hits] == [
        ("tracker.test:9", "p=comptes", "")]
    assert not sel(create_app().test_client().get("/connexion")).css("img.pixel")


# ---------- layouts ----------

CLASSIC_SELECTORS = {
    "login": ["form#login-form", "input#identifiant", "input[name=identifiant]", "div.keypad",
              "button.key", "[data-key]", "input#code-secret", "input[name=code_secret]",
              "input[name=csrf_token]", "button#valider"],
    "comptes": ["span.client", "a#deconnexion", "table#comptes", "tr.compte", "td.libelle a",
                "td.numero", "td.type", "td.solde"],
    "operations": ["h1.compte-titre", "table.operations", "tr.operation", "td.date",
                   "td.libelle", "td.montant", "nav.pagination", "a.suivant"],
    "pea": ["h1.compte-titre", "table.operations", "tr.operation", "a.titres"],
    "titres": ["table.titres", "tr.titre", "td.libelle", "td.isin", "td.quantite", "td.cours",
               "td.pru", "td.valorisation"],
}


def layout_pages(client: FlaskClient) -> dict[str, Selector]:
    """One page of each kind: checking page 1 has a next link, the PEA's the holdings link."""
    return {
        "login": sel(client.get("/connexion")),
        "comptes": sel(client.get("/comptes")),
        "operations": sel(client.get(f"/compte/{CHECKING.id}/operations")),
        "pea": sel(client.get(f"/compte/{PEA.id}/operations")),
        "titres": sel(client.get(f"/compte/{PEA.id}/titres")),
    }


def redesign_accounts(page: Selector) -> list[tuple[str, ...]]:
    return [(c.attrib["data-account"], c.css("h3.account-name a::text").get(""),
             c.css("h3.account-name a::attr(href)").get(""),
             c.css("p.account-iban::text").get(""), c.css("span.account-kind::text").get(""),
             c.css("strong.account-balance::text").get(""))
            for c in page.css("section.account-list article.account-card")]


def redesign_ops(page: Selector) -> Rows:
    return [(li.css("time::text").get(""), li.css("span.tx-label::text").get(""),
             li.css("span.tx-amount::text").get("")) for li in page.css("ul.tx-list li.tx")]


def test_redesign_breaks_every_classic_selector_but_works() -> None:
    client = create_app("redesign").test_client()
    assert client.post("/connexion", data={"csrf_token": "x", "identifiant": "demo"}
                       ).status_code == 400  # classic field names are not understood
    assert login(client, redesign=True).headers["Location"] == "/comptes"
    pages = layout_pages(client)
    for kind, selectors in CLASSIC_SELECTORS.items():
        for css in selectors:
            assert not pages[kind].css(css), f"{css} still matches the redesigned {kind} page"
    comptes = pages["comptes"]
    assert comptes.css("span.user-name::text").get() == CUSTOMER_NAME
    assert comptes.css("a.logout::attr(href)").get() == "/deconnexion"
    assert redesign_accounts(comptes) == [expected_account(a) for a in BANK.accounts]
    rows, seen = crawl_ops(client, CHECKING, redesign_ops, "a.next-page[rel=next]")
    assert seen == 6 and rows == expected_ops(CHECKING)
    first = sel(client.get(f"/compte/{CHECKING.id}/operations"))
    assert first.css("li.tx time::attr(datetime)").get() == CHECKING.operations[0].date.isoformat()
    positions = pages["titres"].css("div.positions div.position")
    assert [p.css("span.position-isin::text").get() for p in positions] == [
        h.isin for h in PEA.holdings]
    assert [p.css("span.position-value::text").get() for p in positions] == [
        fmt.amount_eur(h.valuation) for h in PEA.holdings]
    wrong = login(create_app("redesign").test_client(), "demo", "000000", redesign=True)
    assert sel(wrong).css("p.form-error") and not sel(wrong).css("div.alert.erreur")


def extract_classic(pages: dict[str, Selector]) -> tuple[object, ...]:
    return (classic_accounts(pages["comptes"]), classic_ops(pages["operations"]),
            classic_holdings(pages["titres"]),
            classic_ops(pages["pea"]), pages["operations"].css("a.suivant::attr(href)").get(),
            pages["pea"].css("a.titres::attr(href)").get(),
            pages["comptes"].css("span.client::text").get())


def test_innocuous_changes_keep_every_classic_selector() -> None:
    classic, innocuous = create_app().test_client(), create_app("innocuous").test_client()
    assert login(classic).status_code == login(innocuous).status_code == 302
    before, after = layout_pages(classic), layout_pages(innocuous)
    for kind, selectors in CLASSIC_SELECTORS.items():
        for css in selectors:
            assert after[kind].css(css), f"{css} no longer matches the innocuous {kind} page"
    assert extract_classic(after) == extract_classic(before)
    banner = after["comptes"].css("div.bandeau-promo::text").get()
    assert banner == "Nouveau : découvrez notre livret boosté à 4 %"
    assert not before["comptes"].css("div.bandeau-promo")
    links = [p.css("footer a::text").getall() for p in (before["login"], after["login"])]
    assert links[0] != links[1] and set(links[0]) < set(links[1])
    assert (before["login"].css("footer p::text").get()
            != after["login"].css("footer p::text").get())


# ---------- entry point ----------

def test_module_entry_point_serves_the_site() -> None:
    with ChildServer("sites.banque_demo", ["--layout", "innocuous"]) as child:
        assert child.url.startswith("http://127.0.0.1:")
        html = httpx.get(f"{child.url}/connexion", timeout=5).text
        assert 'id="login-form"' in html and "bandeau-promo" in html
