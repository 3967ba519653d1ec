"""Banka Sever: ASP.NET WebForms (ids like ``MainContent_gvPromet``, a postback "Sledeća"
link that loses its ``href`` on the last page), columns read by header in Latin or Cyrillic,
two rows per movement, month headings over day-only dates, Isplata/Uplata columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scripts.mutations.edits import (
    MARKUP,
    Doc,
    Edit,
    Mutation,
    cells,
    html_sub,
    rename_class,
    rename_header,
    rename_id,
    wanted,
)
from scripts.mutations.noise import Texts, html_noise
from scripts.mutations.structure import add, columns, swap
from sites.banka_sever.script import to_cyrillic

BS = "banka-sever/normal"
PROMET = r"^/Promet\.aspx"
RACUNI = r"^/Racuni\.aspx"
GRID = 'id="MainContent_gvPromet"'
TEXTS = Texts(
    banner='<div class="obavestenje">Poštovani klijenti, od 01.12.2026. instant plaćanja '
           "su dostupna 24/7.</div>",
    marketing='<p class="ponuda">Keš kredit uz fiksnu kamatnu stopu — saznajte više.</p>',
    cookie="Koristimo kolačiće radi bezbednog korišćenja elektronskog bankarstva.",
    footer_links='<p class="linkovi"><a href="/Pomoc.aspx">Pomoć</a> · '
                 '<a href="/Tarifa.aspx">Tarifa naknada</a></p>')


def _cyrillic_text(fragment: str) -> str:
    """Text nodes in Cyrillic, tags and entities (``&nbsp;``) left as they are."""
    def text(match: re.Match[str]) -> str:
        parts = re.split(r"(&#?\w+;)", match.group(1))
        return ">" + "".join(p if p.startswith("&") else to_cyrillic(p) for p in parts) + "<"
    return re.sub(r">([^<]+)<", text, fragment)


def cyrillic_interface() -> Edit:
    """The customer switched to ћирилица: headers, booking kinds, descriptions, month
    headings and the pager in Cyrillic, as the site writes them (numbers, currency codes and
    account numbers stay as they are)."""
    parts = [r"<th\b[^>]*>[^<]*</th>", r'<td class="(?:vrsta|opis)"[^>]*>.*?</td>',
             r'<tr class="mesec">\s*<td[^>]*>[^<]*</td>', r'<span id="MainContent_lblStrana">'
             r"[^<]*</span>", r'<nav class="meni">.*?</nav>']
    pattern = re.compile("|".join(f"(?:{p})" for p in parts), re.S)

    def edit(doc: Doc) -> str:
        if not wanted(doc, MARKUP, None):
            return doc.text
        text = pattern.sub(lambda m: _cyrillic_text(m.group(0)), doc.text)
        return text.replace('class="pismo-latn"', 'class="pismo-cyrl"')
    return edit


def _drop_pairs() -> Edit:
    """Every other movement gone (its figures row and its description row)."""
    pair = re.compile(r'<tr class="stavka (?:neparna|parna)">.*?</tr>\s*'
                      r'<tr class="stavka-opis[^"]*">.*?</tr>\s*', re.S)

    def edit(doc: Doc) -> str:
        if not wanted(doc, ("html",), PROMET):
            return doc.text
        count = [0]

        def keep(match: re.Match[str]) -> str:
            count[0] += 1
            return "" if count[0] % 2 else match.group(0)
        return pair.sub(keep, doc.text)
    return edit


def _amounts(change: Callable[[str, str], str]) -> Edit:
    """Every grid amount (``10.000,00``) rewritten from its whole part and its cents."""
    def one(value: str) -> str:
        match = re.fullmatch(r"([\d.]+),(\d\d)", value.strip())
        return change(match.group(1), match.group(2)) if match else value
    return cells("iznos", one, urls=PROMET)


def _dates_with_month() -> Edit:
    """Day-only dates (``20.``) written with their month (``20.11.``), the month taken from
    the heading above them, as the site's card grid already writes them."""
    token = re.compile(r'(<tr class="mesec">\s*<td[^>]*>)([^<]*)(</td>)'
                       r'|(<td class="datum">)(\d\d)\.(</td>)', re.S)

    def edit(doc: Doc) -> str:
        if not wanted(doc, MARKUP, PROMET):
            return doc.text
        month = [0]

        def one(match: re.Match[str]) -> str:
            if match.group(1):
                name = match.group(2).split()[0].lower() if match.group(2).split() else ""
                month[0] = _MONTHS.index(name) + 1 if name in _MONTHS else 0
                return match.group(0)
            if not month[0]:
                return match.group(0)
            return f"{match.group(4)}{match.group(5)}.{month[0]:02d}.{match.group(6)}"
        return token.sub(one, doc.text)
    return edit


def sever() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"bs-{name}", BS, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"bs-{name}", BS, "innocuous", "noise", edit)

    disabled = '<a id="MainContent_lnkSledeca" class="aspNetDisabled">Sledeća</a>'
    return [
        b("rename-grid-racuni", "rename", rename_id("MainContent_gvRacuni",
                                                    "MainContent_gvPregledRacuna"),
          "#MainContent_gvRacuni"),
        b("rename-row-racun", "rename", rename_class("racun", "red-racuna", urls=RACUNI),
          "tr.racun"),
        b("rename-broj", "rename", rename_class("broj", "broj-racuna", urls=RACUNI), "td.broj"),
        b("rename-vrsta-accounts", "rename", rename_class("vrsta", "tip", urls=RACUNI),
          "td.vrsta"),
        b("rename-stanje", "rename", rename_class("stanje", "saldo", urls=RACUNI),
          "td.stanje"),
        b("rename-grid-promet", "rename", rename_id("MainContent_gvPromet",
                                                    "MainContent_gvTransakcije"),
          "#MainContent_gvPromet"),
        b("rename-stavka", "rename", rename_class("stavka", "transakcija", urls=PROMET),
          "tr.stavka"),
        b("rename-opis", "rename", rename_class("opis", "opis-transakcije", urls=PROMET),
          "td.opis"),
        b("header-isplata", "rename", rename_header("Isplata", "Zaduženje", urls=PROMET),
          "Isplata"),
        b("header-uplata", "rename", rename_header("Uplata", "Odobrenje", urls=PROMET),
          "Uplata"),
        b("header-datum", "rename", rename_header("Datum", "Datum knjiženja", urls=PROMET),
          "Datum"),
        b("next-postback-lost-page3", "next", html_sub(
            r'(Strana 3 od 10</span>\s*)<a id="MainContent_lnkSledeca"[^>]*>Sledeća</a>',
            rf"\1{disabled}", urls=PROMET), "lnkSledeca"),
        b("rename-next-link", "rename", rename_id("MainContent_lnkSledeca",
                                                  "MainContent_lnkNapred"), "lnkSledeca"),
        b("rename-account-dropdown", "rename", rename_id("MainContent_ddlRacun",
                                                         "MainContent_ddlIzborRacuna"),
          "ddlRacun"),
        b("debit-credit-cells-swapped", "sign", columns(
            lambda c, header: c if header else [c[0], c[1], c[3], c[2], *c[4:]], table=GRID),
          "amount"),
        b("format-amount-english", "format", _amounts(
            lambda whole, cents: f"{whole.replace('.', ',')}.{cents}"), "amount"),
        b("format-date-full", "format", cells("datum", lambda v: v.rstrip(".") + ".11.2026"
                                              if re.fullmatch(r"\d\d\.", v) else v,
                                              urls=PROMET), "date"),
        b("month-heading-numeric", "format", html_sub(
            r'(<tr class="mesec">\s*<td[^>]*>)([A-Za-zčćšžđ]+) (\d{4})(</td>)',
            lambda m: f"{m.group(1)}{m.group(3)}-"
            f"{_MONTHS.index(m.group(2).lower()) + 1:02d}{m.group(4)}", urls=PROMET),
          "since", "date"),
        b("rows-half", "rows", _drop_pairs(), "row count fell"),
        b("rename-login-username", "rename", rename_id("MainContent_txtKorisnickoIme",
                                                       "MainContent_txtKorisnik"),
          "txtKorisnickoIme"),
        i("cyrillic-interface", cyrillic_interface()),
        i("debit-credit-columns-swapped", columns(swap(2, 3), table=GRID)),
        i("added-column-reference", columns(add(4, '<th scope="col">Referenca</th>',
                                                "<td>97 00-0000</td>"), table=GRID, widen=1)),
        i("viewstate-changed", html_sub(r'(id="__VIEWSTATE" value=")[^"]*"',
                                        r'\1/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAg=="')),
        i("alternating-row-classes", html_sub(
            r'class="(stavka|stavka-opis|racun) ?(neparna|parna|alt)?"',
            lambda m: f'class="{m.group(1)} '
            f'{ {"neparna": "odd", "parna": "even", "alt": "odd"}.get(m.group(2) or "", "even")}"'
        )),
        i("date-with-month", _dates_with_month()),
        i("amount-space-thousands", _amounts(
            lambda whole, cents: f"{whole.replace('.', '&nbsp;')},{cents}")),
        i("pager-reworded", html_sub(r"Strana (\d+) od (\d+)", r"Stranica \1 / \2")),
        i("menu-reordered", html_sub(r'(<nav class="meni">)(.*?)(</nav>)', lambda m: m.group(1)
                                     + "".join(reversed(re.findall(r"\s*<(?:a|span)\b.*?"
                                                                   r"</(?:a|span)>",
                                                                   m.group(2), re.S)))
                                     + "\n    " + m.group(3))),
        i("month-heading-cyrillic", html_sub(
            r'(<tr class="mesec">\s*<td[^>]*>)([^<]*)(</td>)',
            lambda m: m.group(1) + to_cyrillic(m.group(2)) + m.group(3))),
        i("cookie-overlay-reworded", html_sub(r"Klikom na „Prihvatam“ pristajete",
                                              "Izborom „Prihvatam“ prihvatate")),
        *html_noise("bs", BS, TEXTS, rows=r'<tr class="(?:stavka|racun)[^"]*"'),
    ]


_MONTHS = ["januar", "februar", "mart", "april", "maj", "jun", "jul", "avgust", "septembar",
           "oktobar", "novembar", "decembar"]


__all__ = ["cyrillic_interface", "sever"]
