"""Statement pages in eight locales: each page shows exactly its data rows, in its formats.

Every page is read back here independently (its own month tables, separators and direction
rules, written from how those banks print statements), and the rows must equal
``sites.statements.data`` exactly: date, label, signed amount, currency. The locale's tricky
characters (U+2212, narrow no-break spaces, genitive months, weekdays...) are asserted to be
really present, so a page cannot drift into an easier format unnoticed.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from parsel import Selector

import sites.statements
from sites._server import ChildServer
from sites.statements import create_app
from sites.statements.data import LOCALES, STATEMENTS, Statement
from sites.statements.ids import iban_is_valid

NBSP, NNBSP, MINUS = "\u00a0", "\u202f", "\u2212"
Parsed = tuple[date, str, Decimal, str]


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app().test_client()


def page(client: FlaskClient, locale: str) -> tuple[str, Selector]:
    res = client.get(f"/{locale}")
    assert res.status_code == 200
    html = res.get_data(as_text=True)
    return html, Selector(html)


def number(text: str, group: str, decimal: str = ",") -> Decimal:
    """A number written with ``group`` thousands and ``decimal``, sign kept, units dropped."""
    cleaned = re.sub(r"[^\d\-+" + re.escape(group + decimal) + MINUS + "]", "", text)
    cleaned = cleaned.replace(group, "").replace(decimal, ".").replace(MINUS, "-")
    return Decimal(cleaned)


def month_date(text: str, pattern: str, months: tuple[str, ...]) -> date:
    """``pattern`` has named groups day, month (a name from ``months``) and year."""
    m = re.fullmatch(pattern, text.strip())
    assert m, (pattern, text)
    return date(int(m["year"]), months.index(m["month"]) + 1, int(m["day"]))


def expected(s: Statement) -> list[Parsed]:
    return [(r.date, r.label, r.amount, r.currency) for r in s.rows]


def text(sel: Selector, css: str) -> str:
    return "".join(sel.css(css + " ::text").getall()).strip()


# ---------- the site and its data ----------

def test_index_lists_every_locale(client: FlaskClient) -> None:
    index = Selector(client.get("/").get_data(as_text=True))
    assert index.css("li a::attr(href)").getall() == [f"/{loc}" for loc in LOCALES]
    assert LOCALES == ("ru", "de", "pt", "es", "it", "nl", "pl", "sr")
    assert client.get("/fr").status_code == 404


def test_data_is_consistent() -> None:
    for s in STATEMENTS.values():
        dates = [r.date for r in s.rows]
        assert dates == sorted(dates, reverse=True)
        assert all(s.period[0] <= d <= s.period[1] for d in dates)
        assert {r.currency for r in s.rows} == {s.currency}
        assert all(r.amount == r.amount.quantize(Decimal("0.01")) and r.amount for r in s.rows)
        assert any(r.amount < 0 for r in s.rows) and any(r.amount > 0 for r in s.rows)
        assert any(abs(r.amount) >= 1000 for r in s.rows)  # thousands separators show
        assert s.balance_after(0) == s.closing_balance
        assert s.balance_after(len(s.rows) - 1) - s.rows[-1].amount == s.opening_balance
        if s.locale not in ("ru", "sr"):
            assert iban_is_valid(s.account), s.account
    assert STATEMENTS["pt"].account.startswith("PT50 ")
    sr = STATEMENTS["sr"].account.replace("-", "")
    assert int(sr) % 97 == 1


# ---------- one test per locale ----------

RU_MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")
RU_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота",
               "воскресенье")


def test_ru_day_headings_genitive_months_and_typographic_minus(client: FlaskClient) -> None:
    s = STATEMENTS["ru"]
    html, sel = page(client, "ru")
    rows: list[Parsed] = []
    day: date | None = None
    for tr in sel.css("table.volga-operations tbody tr"):
        if "volga-day" in tr.attrib["class"]:
            heading = tr.css("th::text").get()
            head, weekday = heading.split(", ")
            day = month_date(head, r"(?P<day>\d{1,2}) (?P<month>\w+) (?P<year>\d{4}) г\.",
                             RU_MONTHS)
            assert weekday == RU_WEEKDAYS[day.weekday()]
            continue
        amount_text = text(tr, "td.volga-sum")
        amount = number(amount_text, NNBSP)
        kind = text(tr, "td.volga-op__type")
        assert kind == ("Списание" if amount < 0 else "Зачисление")
        assert amount_text.endswith(NBSP + "₽") and amount_text[0] == (MINUS if amount < 0
                                                                        else "+")
        assert day is not None
        rows.append((day, text(tr, "td.volga-op__name"), amount, "RUB"))
    assert rows == expected(s)
    assert "&minus;1&#8239;234,56&nbsp;₽" in html  # as the page source writes it
    assert "19 ноября 2026 г., четверг" in html and "сентября" in html


DE_MONTHS = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
             "Nov.", "Dez.")


def test_de_soll_haben_suffixes_and_two_date_formats(client: FlaskClient) -> None:
    s = STATEMENTS["de"]
    _, sel = page(client, "de")
    rows: list[Parsed] = []
    for i, tr in enumerate(sel.css("table.sk-umsaetze tbody tr")):
        booked = date(*reversed([int(p) for p in text(tr, "td.sk-buchungstag").split(".")]))
        value = month_date(text(tr, "td.sk-wert"), r"(?P<day>\d{1,2})\. (?P<month>\S+) "
                           r"(?P<year>\d{4})", DE_MONTHS)
        assert value == s.rows[i].value_date
        figure, side = text(tr, "td.sk-betrag").rsplit(NBSP, 1)
        assert side in ("S", "H")
        amount = number(figure, ".") * (-1 if side == "S" else 1)
        rows.append((booked, text(tr, "span.sk-name"), amount, "EUR"))
    assert rows == expected(s)
    walls = {text(tr, "td.sk-wert").split(" ")[1] for tr in sel.css("tbody tr")}
    assert {"März", "Sept.", "Juni", "Juli", "Mai", "Feb.", "Nov."} <= walls
    closing = sel.css("tfoot tr")[1].css("td.sk-betrag::text").get()
    assert closing == f"6.168,83{NBSP}€{NBSP}H" and s.closing_balance == Decimal("6168.83")
    assert s.rows[2].amount == Decimal("-1234.56")
    assert text(sel.css("tbody tr")[2], "td.sk-betrag") == f"1.234,56{NBSP}S"


PT_MONTHS = ("jan.", "fev.", "mar.", "abr.", "mai.", "jun.", "jul.", "ago.", "set.", "out.",
             "nov.", "dez.")


def test_pt_abbreviated_months_signed_amounts_and_running_balance(client: FlaskClient) -> None:
    s = STATEMENTS["pt"]
    _, sel = page(client, "pt")
    rows: list[Parsed] = []
    pattern = r"(?P<day>\d{1,2}) (?P<month>\S+) (?P<year>\d{4})"
    for i, tr in enumerate(sel.css("table.caixa-movimentos tbody tr")):
        cells = [text(td, "") for td in tr.css("td")]
        amount = number(cells[4], ".")
        assert cells[3] == ("Débito" if amount < 0 else "Crédito")
        assert number(cells[5], ".") == s.balance_after(i)
        assert month_date(cells[1], pattern, PT_MONTHS) == s.rows[i].value_date
        rows.append((month_date(cells[0], pattern, PT_MONTHS), cells[2], amount, "EUR"))
    assert rows == expected(s)
    dates = sel.css("table.caixa-movimentos tbody td:first-child::text").getall()
    assert "30 set. 2026" in dates and "22 out. 2026" in dates
    assert f"-1.234,56{NBSP}€" in sel.css("td.caixa-num::text").getall()


ES_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov",
             "dic")


def test_es_div_grid_and_sept(client: FlaskClient) -> None:
    s = STATEMENTS["es"]
    _, sel = page(client, "es")
    assert not sel.css("main table")  # an ARIA grid of spans, not a <table>
    headers = sel.css("div.meseta-cabecera span[role=columnheader]::text").getall()
    assert headers == ["Fecha", "Fecha valor", "Concepto", "Importe", "Saldo"]
    pattern = r"(?P<day>\d{1,2}) (?P<month>\w+) (?P<year>\d{4})"
    rows: list[Parsed] = []
    for i, row in enumerate(sel.css("div.meseta-movimiento")):
        cells = [text(c, "") for c in row.css("span[role=cell]")]
        assert number(cells[4], ".") == s.balance_after(i)
        assert month_date(cells[1], pattern, ES_MONTHS) == s.rows[i].value_date
        rows.append((month_date(cells[0], pattern, ES_MONTHS), cells[2],
                     number(cells[3], "."), "EUR"))
    assert rows == expected(s)
    assert "15 sept 2026" in sel.css("span.meseta-fecha::text").getall()


IT_MONTHS = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
             "settembre", "ottobre", "novembre", "dicembre")


def test_it_dare_avere_columns_and_full_month_names(client: FlaskClient) -> None:
    s = STATEMENTS["it"]
    _, sel = page(client, "it")
    headers = sel.css("table.lario-movimenti thead th::text").getall()
    assert headers == ["Data contabile", "Data valuta", "Descrizione", "Dare", "Avere"]
    rows: list[Parsed] = []
    for i, tr in enumerate(sel.css("table.lario-movimenti tbody tr")):
        dare, avere = text(tr, "td.lario-dare"), text(tr, "td.lario-avere")
        assert bool(dare) != bool(avere)
        amount = -number(dare, ".") if dare else number(avere, ".")
        day, month, year = text(tr, "td.lario-valuta").split("/")
        assert date(int(year), int(month), int(day)) == s.rows[i].value_date
        rows.append((month_date(text(tr, "td.lario-data"), r"(?P<day>\d{1,2}) (?P<month>\w+) "
                                r"(?P<year>\d{4})", IT_MONTHS),
                     text(tr, "td.lario-descrizione"), amount, "EUR"))
    assert rows == expected(s)
    assert text(sel, "p.lario-saldo strong") == "5.217,65 €"


NL_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def test_nl_af_bij_column_and_euro_prefix(client: FlaskClient) -> None:
    s = STATEMENTS["nl"]
    _, sel = page(client, "nl")
    rows: list[Parsed] = []
    for tr in sel.css("table.polder-mutaties tbody tr"):
        shown = text(tr, "td.polder-num")
        assert shown.startswith(f"€{NBSP}") and "-" not in shown
        direction = text(tr, "td.polder-afbij")
        assert direction in ("Af", "Bij")
        amount = number(shown, ".") * (-1 if direction == "Af" else 1)
        rows.append((month_date(text(tr, "td.polder-datum"), r"(?P<day>\d{1,2}) (?P<month>\w+) "
                                r"(?P<year>\d{4})", NL_MONTHS),
                     text(tr, "td.polder-naam"), amount, "EUR"))
    assert rows == expected(s)
    dates = sel.css("td.polder-datum::text").getall()
    assert "18 mrt 2026" in dates and "26 mei 2026" in dates and "12 okt 2026" in dates
    assert f"€{NBSP}1.234,56" in sel.css("td.polder-num::text").getall()


PL_GENITIVE = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
               "sierpnia", "września", "października", "listopada", "grudnia")
PL_SHORT = ("sty", "lut", "mar", "kwi", "maj", "cze", "lip", "sie", "wrz", "paź", "lis", "gru")
PL_WEEKDAYS = ("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz.")


def test_pl_weekdays_genitive_months_and_space_thousands(client: FlaskClient) -> None:
    s = STATEMENTS["pl"]
    _, sel = page(client, "pl")
    rows: list[Parsed] = []
    for i, tr in enumerate(sel.css("table.wisla-historia tbody tr")):
        weekday, rest = text(tr, "td.wisla-data").split(", ")
        day = month_date(rest, r"(?P<day>\d{1,2}) (?P<month>\w+) (?P<year>\d{4})", PL_SHORT)
        assert weekday == PL_WEEKDAYS[day.weekday()]
        booked = month_date(text(tr, "td.wisla-ksiegowanie"),
                            r"(?P<day>\d{1,2}) (?P<month>\w+) (?P<year>\d{4})", PL_GENITIVE)
        assert booked == s.rows[i].value_date
        amount_text = text(tr, "td.wisla-kwota")
        assert amount_text.endswith(f"{NBSP}zł")
        assert number(text(tr, "td.wisla-saldo"), NBSP) == s.balance_after(i)
        rows.append((day, text(tr, "td.wisla-opis"), number(amount_text, NBSP), "PLN"))
    assert rows == expected(s)
    assert f"-1{NBSP}234,56{NBSP}zł" in sel.css("td.wisla-kwota::text").getall()
    booked_texts = " ".join(sel.css("td.wisla-ksiegowanie::text").getall())
    assert all(m in booked_texts for m in ("listopada", "października", "września"))
    assert "czw., 19 lis 2026" in sel.css("td.wisla-data::text").getall()


SR_MONTHS = ("januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
             "oktobar", "novembar", "decembar")


def test_sr_latin_dates_with_trailing_dot(client: FlaskClient) -> None:
    s = STATEMENTS["sr"]
    _, sel = page(client, "sr")
    rows: list[Parsed] = []
    for i, tr in enumerate(sel.css("table.dunav-promet tbody tr")):
        day = month_date(text(tr, "td.dunav-datum"),
                         r"(?P<day>\d{1,2})\. (?P<month>\w+) (?P<year>\d{4})\.", SR_MONTHS)
        d, m, y = text(tr, "td.dunav-knjizenje").rstrip(".").split(".")
        assert date(int(y), int(m), int(d)) == s.rows[i].value_date
        rows.append((day, text(tr, "td.dunav-opis"), number(text(tr, "td.dunav-num"), "."),
                     text(tr, "td.dunav-valuta")))
    assert rows == expected(s)
    assert "19. novembar 2026." in sel.css("td.dunav-datum::text").getall()


def test_every_locale_has_its_own_test() -> None:
    tested: dict[str, Callable[..., None]] = {
        name.split("_")[1]: fn for name, fn in globals().items()
        if name.startswith("test_") and name.split("_")[1] in LOCALES}
    assert sorted(tested) == sorted(LOCALES)


def test_patterns_excerpts_are_verbatim(client: FlaskClient) -> None:
    """Every HTML excerpt in PATTERNS.md is really on its page (recipe writers rely on it)."""

    def squeeze(html: str) -> str:
        return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))

    doc = (Path(sites.statements.__file__).parent / "PATTERNS.md").read_text()
    excerpts = re.findall(r"^## (\w\w) .*?```html\n(.*?)```", doc, re.S | re.M)
    assert sorted(loc for loc, _ in excerpts) == sorted(LOCALES)
    for locale, block in excerpts:
        html = squeeze(page(client, locale)[0])
        for line in block.strip().split("\n"):
            for part in squeeze(line.strip()).split("…"):
                assert part.strip() in html, (locale, part)


def test_module_runs_as_a_child_process() -> None:
    with (
        ChildServer("sites.statements") as child,
        urllib.request.urlopen(child.url + "/pl") as res,  # noqa: S310 (our own loopback)
    ):
        assert "listopada" in res.read().decode()
