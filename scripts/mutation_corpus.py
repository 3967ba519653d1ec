"""The mutation corpus: the committed fixtures changed the ways real sites change, and what
``engine check``, replay, the canary and ``--suggest`` say about each change.

    .venv/bin/python scripts/mutation_corpus.py [--quick] [--no-replay] [--only NAME ...]
                                                [--json out/mutations.json]

Each mutation edits a copy of a committed scenario consistently — the saved snapshots *and*
the recording's answers (HTML pages, JSON answers, the single-page app's JavaScript), so the
check (snapshots, no browser) and the replay (the real browser on the recording) see the same
site change. Mutations are *breaking* (renamed classes and ids for every selector the recipes
use, moved values, new number and date formats the recipes do not read, dropped rows, dropped
next links, renamed JSON keys), *innocuous* (banners, marketing text, reordered links,
tracking attributes, new classes on rows, wrapper elements, a third-party analytics script,
column order where selectors are by class) or *data* (the customer's data changed).

Targets (issue 15): check alarms on >= 95% of breaking mutations naming the right
step/selector or field/value in its first line, and on <= 5% of innocuous ones; replay and
canary name the cause in their first line in >= 95% of their alarms; ``--suggest`` proposes a
verified patch for >= 70% of rename/move mutations and never an unverified one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine  # noqa: E402 - after the path set-up above
from engine.harness.canary import run_scenario  # noqa: E402
from engine.harness.check import check_scenario  # noqa: E402
from engine.harness.fixture import load_fixture  # noqa: E402
from engine.harness.har import write_exchanges  # noqa: E402
from engine.harness.suggest import suggest_async  # noqa: E402
from engine.recipe import load_recipe  # noqa: E402


@dataclass
class Doc:
    """One document of a scenario, as a mutation sees it."""

    kind: str
    """html (a page), json (an answer), js (a script), shell (a single-page app's HTML)."""
    url: str
    text: str
    stage: str | None = None
    page: int | None = None


Edit = Callable[[Doc], str]


@dataclass(frozen=True)
class Mutation:
    name: str
    fixture: str
    """``<institution>/<scenario>`` under fixtures/."""
    category: str
    """breaking, innocuous or data."""
    kind: str
    """rename, move, format, rows, next, json_key, noise..."""
    edit: Edit
    expect: tuple[str, ...] = ()
    """For breaking and data mutations: one of these must be in the first line."""
    recipe: str | None = None
    """The recipe (default: the fixture's institution)."""

    @property
    def repairable(self) -> bool:
        return self.kind in ("rename", "move")


# ----------------------------------------------------------------------------- edit helpers

def _class_token(text: str, old: str, new: str) -> str:
    def swap(match: re.Match[str]) -> str:
        tokens = [new if t == old else t for t in match.group(2).split()]
        return f'{match.group(1)}"{" ".join(tokens)}"'
    return re.sub(r'(class=)"([^"]*)"', swap, text)


def rename_class(old: str, new: str, *, stage: str | None = None,
                 urls: str | None = None) -> Edit:
    """A class renamed in the pages (and in a single-page app's view table)."""
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return re.sub(rf"(class: '[^']*\b){re.escape(old)}\b", rf"\g<1>{new}", doc.text)
        if doc.kind not in ("html", "shell") or (stage and doc.stage not in (None, stage)):
            return doc.text
        if urls and not re.search(urls, doc.url):
            return doc.text
        return _class_token(doc.text, old, new)
    return edit


def rename_id(old: str, new: str) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return doc.text.replace(f"id: '{old}'", f"id: '{new}'")
        if doc.kind not in ("html", "shell"):
            return doc.text
        return re.sub(rf'\bid="{re.escape(old)}"', f'id="{new}"', doc.text)
    return edit


def rename_name(old: str, new: str) -> Edit:
    """An input's ``name`` renamed (a single-page app's field table)."""
    def edit(doc: Doc) -> str:
        if doc.kind == "js":
            return re.sub(rf"\b(email|password|otp): '{re.escape(old)}'", rf"\1: '{new}'",
                          doc.text, count=1)
        if doc.kind == "html":
            return re.sub(rf'\bname="{re.escape(old)}"', f'name="{new}"', doc.text)
        return doc.text
    return edit


def html_sub(pattern: str, replacement: str | Callable[[re.Match[str]], str], *,
             urls: str | None = None, flags: int = re.S) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind not in ("html", "shell") or (urls and not re.search(urls, doc.url)):
            return doc.text
        return re.sub(pattern, replacement, doc.text, flags=flags)
    return edit


def cells(css_class: str, change: Callable[[str], str], *, urls: str | None = None) -> Edit:
    """Rewrite the text of every ``<td class="css_class">`` (values in a new format)."""
    return html_sub(rf'(<td class="{css_class}"[^>]*>)(.*?)(</td>)',
                    lambda m: m.group(1) + change(m.group(2)) + m.group(3), urls=urls)


def drop_rows(row: str, *, every: int = 2, urls: str | None = None, first: bool = False
              ) -> Edit:
    """Drop every ``every``-th row (``first``: only the first row) of the matching pages."""
    def edit(doc: Doc) -> str:
        if doc.kind != "html" or (urls and not re.search(urls, doc.url)):
            return doc.text
        rows = list(re.finditer(rf'<tr class="{row}"[^>]*>.*?</tr>', doc.text, re.S))
        doomed = rows[:1] if first else rows[::every]
        text = doc.text
        for match in reversed(doomed):
            text = text[:match.start()] + text[match.end():]
        return text
    return edit


def inject(snippet: str, *, after: str = r"<body[^>]*>", urls: str | None = None,
           kinds: tuple[str, ...] = ("html", "shell")) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind not in kinds or (urls and not re.search(urls, doc.url)):
            return doc.text
        return re.sub(f"({after})", lambda m: m.group(1) + snippet, doc.text, count=1)
    return edit


def json_edit(change: Callable[[Any], Any], *, urls: str) -> Edit:
    def edit(doc: Doc) -> str:
        if doc.kind != "json" or not re.search(urls, doc.url):
            return doc.text
        try:
            data = json.loads(doc.text)
        except ValueError:
            return doc.text
        return json.dumps(change(data), ensure_ascii=False, separators=(",", ":"))
    return edit


def rename_key(old: str, new: str, *, urls: str, inside: str | None = None) -> Edit:
    """A JSON key renamed everywhere under ``inside`` (or at every depth)."""
    def walk(value: Any, within: bool) -> Any:
        if isinstance(value, dict):
            return {(new if k == old and within else k):
                    walk(v, within or k == inside) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, within) for v in value]
        return value
    return json_edit(lambda data: walk(data, inside is None), urls=urls)


def each_item(change: Callable[[dict[str, Any]], dict[str, Any] | None], *, urls: str,
              key: str | None = "items") -> Edit:
    def apply(data: Any) -> Any:
        items = data.get(key) if key and isinstance(data, dict) else data
        if not isinstance(items, list):
            return data
        kept = [c for c in (change(dict(i)) for i in items) if c is not None]
        if key and isinstance(data, dict):
            return {**data, key: kept}
        return kept
    return json_edit(apply, urls=urls)


def both(*edits: Edit) -> Edit:
    def edit(doc: Doc) -> str:
        for one in edits:
            doc = Doc(doc.kind, doc.url, one(doc), doc.stage, doc.page)
        return doc.text
    return edit


def _halve(counter: list[int]) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    def change(item: dict[str, Any]) -> dict[str, Any] | None:
        counter[0] += 1
        return None if counter[0] % 2 else item
    return change


# ----------------------------------------------------------------------------- the corpus

BD = "banque-demo/normal"
NEO = "neobanque/normal"
HY = "neobanque-hybrid/normal"
OPS = r"/operations"
OPS2 = r"/operations\?page=2$"
COMPTES = r"^/comptes$"
TITRES = r"/titres$"
BANNER = '<div class="bandeau-promo">Nouveau : le Livret Boost à 4 % !</div>'
MARKETING = "<p class=\"promo\">Découvrez nos offres d'épargne et nos conseils.</p>"
ANALYTICS = '<script async src="https://analytics.example-tracker.com/t.js?id=123"></script>'


def _bd_breaking() -> list[Mutation]:
    out = [
        Mutation("bd-rename-identifiant", BD, "breaking", "rename",
                 rename_id("identifiant", "login-utilisateur"), ("#identifiant",)),
        Mutation("bd-rename-keypad-key", BD, "breaking", "rename",
                 rename_class("key", "touche"), (".keypad button.key",)),
        Mutation("bd-rename-valider", BD, "breaking", "rename",
                 rename_id("valider", "btn-valider"), ("#valider",)),
        Mutation("bd-rename-deconnexion", BD, "breaking", "rename",
                 rename_id("deconnexion", "logout"), ("a#deconnexion",)),
        Mutation("bd-rename-table-comptes", BD, "breaking", "rename",
                 rename_id("comptes", "liste-comptes"), ("table#comptes tbody tr.compte",)),
        Mutation("bd-rename-row-compte", BD, "breaking", "rename",
                 rename_class("compte", "ligne-compte", urls=COMPTES),
                 ("table#comptes tbody tr.compte",)),
        Mutation("bd-rename-table-operations", BD, "breaking", "rename",
                 rename_class("operations", "mouvements", urls=OPS),
                 ("table.operations tbody tr.operation",)),
        Mutation("bd-rename-row-operation", BD, "breaking", "rename",
                 rename_class("operation", "mouvement", urls=OPS),
                 ("table.operations tbody tr.operation",)),
        Mutation("bd-rename-table-titres", BD, "breaking", "rename",
                 rename_class("titres", "portefeuille", urls=TITRES),
                 ("table.titres tbody tr.titre",)),
        Mutation("bd-rename-row-titre", BD, "breaking", "rename",
                 rename_class("titre", "ligne", urls=TITRES), ("table.titres tbody tr.titre",)),
        Mutation("bd-rename-suivant", BD, "breaking", "rename",
                 rename_class("suivant", "page-suivante", urls=OPS), ("a.suivant",)),
    ]
    fields = [("libelle", COMPTES, "td.libelle"), ("type", COMPTES, "td.type"),
              ("solde", COMPTES, "td.solde"), ("numero", COMPTES, "td.numero"),
              ("date", OPS, "td.date"), ("libelle", OPS, "td.libelle"),
              ("montant", OPS, "td.montant"), ("libelle", TITRES, "td.libelle"),
              ("isin", TITRES, "td.isin"), ("quantite", TITRES, "td.quantite"),
              ("cours", TITRES, "td.cours"), ("pru", TITRES, "td.pru"),
              ("valorisation", TITRES, "td.valorisation")]
    for css, urls, selector in fields:
        page = {COMPTES: "comptes", OPS: "operations", TITRES: "titres"}[urls]
        out.append(Mutation(f"bd-rename-{css}-{page}", BD, "breaking", "rename",
                            rename_class(css, f"col-{css}", urls=urls), (selector,)))
    out += [
        Mutation("bd-move-montant-into-span", BD, "breaking", "move", html_sub(
            r'<td class="montant">(.*?)</td>',
            r'<td class="cellule"><span class="valeur">\1</span></td>', urls=OPS),
            ("td.montant",)),
        Mutation("bd-move-solde-into-strong", BD, "breaking", "move", html_sub(
            r'<td class="solde">(.*?)</td>', r'<td><strong class="montant-solde">\1</strong></td>',
            urls=COMPTES), ("td.solde",)),
        Mutation("bd-move-date-to-attribute", BD, "breaking", "move", html_sub(
            r'<td class="date">(.*?)</td>', r'<td class="jour">\1</td>', urls=OPS),
            ("td.date",)),
        Mutation("bd-format-amount-unsigned", BD, "breaking", "format",
                 cells("montant", lambda v: v.lstrip("-−"), urls=OPS), ("amount",)),
        Mutation("bd-format-amount-no-decimals", BD, "breaking", "format",
                 cells("montant", lambda v: re.sub(r",(\d\d)", r"\1", v), urls=OPS),
                 ("amount",)),
        Mutation("bd-format-currency-dollar", BD, "breaking", "format",
                 cells("montant", lambda v: v.replace("€", "$"), urls=OPS), ("currency",)),
        Mutation("bd-format-date-iso", BD, "breaking", "format",
                 cells("date", lambda v: re.sub(r"(\d\d)/(\d\d)/(\d{4})", r"\3-\2-\1", v),
                       urls=OPS), ("td.date", "date")),
        Mutation("bd-format-date-dotted", BD, "breaking", "format",
                 cells("date", lambda v: v.replace("/", "."), urls=OPS), ("td.date", "date")),
        Mutation("bd-format-date-us", BD, "breaking", "format",
                 cells("date", lambda v: re.sub(r"(\d\d)/(\d\d)/", r"\2/\1/", v), urls=OPS),
                 ("td.date", "date")),
        Mutation("bd-format-balance-k", BD, "breaking", "format",
                 cells("solde", lambda v: re.sub(r"[\d  \u202f]+,\d\d", "1,2k", v),
                       urls=COMPTES), ("td.solde", "balance")),
        Mutation("bd-format-quantity-thousands", BD, "breaking", "format",
                 cells("quantite", lambda v: f"0,00{v.replace(',', '')} k", urls=TITRES),
                 ("td.quantite", "quantity")),
        Mutation("bd-rows-half-page2", BD, "breaking", "rows",
                 drop_rows("operation", urls=OPS2), ("row count fell",)),
        Mutation("bd-rows-all-page1", BD, "breaking", "rows",
                 drop_rows("operation", every=1, urls=r"/40001234567/operations$"),
                 ("tr.operation", "rows")),
        Mutation("bd-rows-accounts-half", BD, "breaking", "rows",
                 drop_rows("compte", urls=COMPTES), ("row count fell", "removed")),
        Mutation("bd-next-dropped-page2", BD, "breaking", "next", html_sub(
            r'<a class="suivant"[^>]*>.*?</a>', "", urls=OPS2), ("a.suivant",)),
        Mutation("bd-next-dropped-everywhere", BD, "breaking", "next", html_sub(
            r'<a class="suivant"[^>]*>.*?</a>', "", urls=OPS), ("a.suivant",)),
    ]
    return out


def _bd_innocuous() -> list[Mutation]:
    return [
        Mutation("bd-banner", BD, "innocuous", "noise", inject(BANNER)),
        Mutation("bd-marketing-text", BD, "innocuous", "noise",
                 inject(MARKETING, after=r'<main[^>]*>')),
        Mutation("bd-reordered-menu-links", BD, "innocuous", "noise", html_sub(
            r'(<nav class="menu">)(.*?)(</nav>)',
            lambda m: m.group(1) + "".join(reversed(re.findall(r"\s*<(?:a|span)\b.*?</(?:a|span)>",
                                                               m.group(2), re.S)))
            + m.group(3))),
        Mutation("bd-tracking-attributes-rows", BD, "innocuous", "noise", html_sub(
            r'<tr class="(operation|compte|titre)"', r'<tr data-track="row-view" class="\1"')),
        Mutation("bd-new-classes-on-rows", BD, "innocuous", "noise", html_sub(
            r'<tr class="(operation|compte|titre)"', r'<tr class="\1 ligne-zebra js-hover"')),
        Mutation("bd-wrapper-around-tables", BD, "innocuous", "noise", html_sub(
            r"(<table\b.*?</table>)", r'<div class="table-responsive">\1</div>')),
        Mutation("bd-span-inside-labels", BD, "innocuous", "noise", html_sub(
            r'<td class="libelle">([^<]*)</td>', r'<td class="libelle"><span>\1</span></td>',
            urls=OPS)),
        Mutation("bd-analytics-script", BD, "innocuous", "noise",
                 inject(ANALYTICS, after=r"<head>")),
        Mutation("bd-inline-script", BD, "innocuous", "noise",
                 inject("<script>window.dataLayer = window.dataLayer || [];</script>",
                        after=r"<head>")),
        Mutation("bd-html-comments", BD, "innocuous", "noise", html_sub(
            r"(<tbody>)", r"\1<!-- rendered by tpl v2 -->")),
        Mutation("bd-whitespace", BD, "innocuous", "noise", html_sub(
            r"(</td>)(<td)", r"\1\n        \2")),
        Mutation("bd-title-change", BD, "innocuous", "noise", html_sub(
            r"<title>(.*?)</title>", r"<title>\1 — Espace client</title>")),
        Mutation("bd-aria-on-cells", BD, "innocuous", "noise", html_sub(
            r'<td class="(date|montant|solde)"', r'<td role="cell" class="\1"')),
        Mutation("bd-footer-links", BD, "innocuous", "noise", inject(
            '<footer class="pied"><a href="/aide">Aide</a> · <a href="/tarifs">Tarifs</a>'
            "</footer>", after=r"</main>")),
        Mutation("bd-unrelated-table", BD, "innocuous", "noise", inject(
            '<table class="taux"><tbody><tr><td>Livret A</td><td>3 %</td></tr></tbody></table>',
            after=r'<main[^>]*>')),
        Mutation("bd-meta-tags", BD, "innocuous", "noise", inject(
            '<meta name="robots" content="noindex"><meta name="theme-color" content="#123">',
            after=r"<head>")),
        Mutation("bd-column-order-swapped", BD, "innocuous", "noise", html_sub(
            r'(<td class="date">.*?</td>)(<td class="libelle">.*?</td>)', r"\2\1", urls=OPS)),
        Mutation("bd-extra-hidden-input", BD, "innocuous", "noise", inject(
            '<input type="hidden" name="ab_test" value="b">',
            after=r'<form id="login-form"[^>]*>')),
        Mutation("bd-thousands-with-dots", BD, "innocuous", "format", cells(
            "solde", lambda v: re.sub(r"(\d)[  \u202f](\d{3})", r"\1.\2", v), urls=COMPTES)),
        Mutation("bd-quantity-with-unit", BD, "innocuous", "format",
                 cells("quantite", lambda v: f"{v} parts", urls=TITRES)),
        Mutation("bd-cookie-banner-markup", BD, "innocuous", "noise", inject(
            '<div class="cookie-consent" hidden><p>Nous utilisons des cookies.</p></div>',
            after=r"</main>")),
    ]


def _bd_data() -> list[Mutation]:
    return [
        Mutation("bd-data-one-amount", BD, "data", "data", html_sub(
            r'<td class="montant">-13,49(&nbsp;|\xa0)€</td>', r'<td class="montant">-14,99\1€</td>',
            urls=OPS), ("amount",)),
        Mutation("bd-data-one-label", BD, "data", "data", html_sub(
            r"PRLV SEPA NETFLIX\.COM", "PRLV SEPA NETFLIX INTERNATIONAL", urls=OPS),
            ("label",)),
        Mutation("bd-data-one-row-dropped", BD, "data", "data",
                 drop_rows("operation", first=True, urls=r"/40001234567/operations$"),
                 ("removed",)),
        Mutation("bd-data-row-added", BD, "data", "data", html_sub(
            r'(<tbody>\s*)(<tr class="operation")',
            r'\1<tr class="operation"><td class="date">20/11/2026</td><td class="libelle">'
            r'CB NOUVEAU COMMERCE</td><td class="montant">-9,99&nbsp;€</td></tr>\2',
            urls=r"/40001234567/operations$"), ("added",)),
    ]


def _neo() -> list[Mutation]:
    renames = [("account-card", "#accounts .account-card"),
               ("account-name", ".account-name"), ("account-balance", ".account-balance"),
               ("account-iban", ".account-iban"), ("tx", "#transactions li.tx"),
               ("tx-date", ".tx-date"), ("tx-label", ".tx-label"),
               ("tx-amount", ".tx-amount")]
    out = [Mutation(f"neo-rename-{css}", NEO, "breaking", "rename",
                    rename_class(css, f"{css}-v2"), (selector,)) for css, selector in renames]
    out += [
        Mutation("neo-rename-accounts-id", NEO, "breaking", "rename",
                 rename_id("accounts", "wallet"), ("#accounts",)),
        Mutation("neo-rename-transactions-id", NEO, "breaking", "rename",
                 rename_id("transactions", "movements"), ("#transactions",)),
        Mutation("neo-rename-login-form", NEO, "breaking", "rename",
                 rename_id("login-form", "signin"), ("#login-form",)),
        Mutation("neo-rename-email-input", NEO, "breaking", "rename",
                 rename_name("email", "identifier"), ("input[name=email]",)),
        Mutation("neo-banner", NEO, "innocuous", "noise", inject(BANNER, kinds=("shell",))),
        Mutation("neo-analytics-script", NEO, "innocuous", "noise",
                 inject(ANALYTICS, after=r"<head>", kinds=("shell", "html"))),
        Mutation("neo-meta-tags", NEO, "innocuous", "noise", inject(
            '<meta name="robots" content="noindex">', after=r"<head>", kinds=("shell", "html"))),
        Mutation("neo-header-links", NEO, "innocuous", "noise", inject(
            '<nav class="aide"><a href="/faq">FAQ</a> <a href="/contact">Contact</a></nav>',
            after=r'<header class="site-header">', kinds=("shell", "html"))),
    ]
    return out


def _hybrid() -> list[Mutation]:
    accounts, history = r"^/api/accounts$", r"/transactions\?"
    out = [
        Mutation("hy-key-name", HY, "breaking", "json_key",
                 rename_key("name", "title", urls=accounts), ("name", "label")),
        Mutation("hy-key-kind", HY, "breaking", "json_key",
                 rename_key("kind", "category", urls=accounts), ("kind", "type")),
        Mutation("hy-key-balance-amount", HY, "breaking", "json_key",
                 rename_key("amount", "value", urls=accounts, inside="balance"),
                 ("balance.amount", "balance")),
        Mutation("hy-key-iban", HY, "breaking", "json_key",
                 rename_key("iban", "accountNumber", urls=accounts), ("iban",)),
        Mutation("hy-key-items", HY, "breaking", "json_key",
                 rename_key("items", "transactions", urls=history), ("items",)),
        Mutation("hy-key-date", HY, "breaking", "json_key",
                 rename_key("date", "bookingDate", urls=history), ("date",)),
        Mutation("hy-key-label", HY, "breaking", "json_key",
                 rename_key("label", "description", urls=history), ("label",)),
        Mutation("hy-key-amount", HY, "breaking", "json_key",
                 rename_key("amount", "value", urls=history), ("amount",)),
        Mutation("hy-key-next-cursor", HY, "breaking", "json_key",
                 rename_key("next_cursor", "cursor", urls=history), ("next_cursor",)),
        Mutation("hy-format-amount-unsigned", HY, "breaking", "format", each_item(
            lambda i: {**i, "amount": str(i["amount"]).lstrip("-")}, urls=history),
            ("amount",)),
        Mutation("hy-format-date-french", HY, "breaking", "format", each_item(
            lambda i: {**i, "date": "/".join(reversed(str(i["date"]).split("-")))},
            urls=history), ("date",)),
        Mutation("hy-rows-half", HY, "breaking", "rows",
                 each_item(_halve([0]), urls=history), ("row count fell",)),
        Mutation("hy-next-null", HY, "breaking", "next", json_edit(
            lambda d: {**d, "next_cursor": None} if isinstance(d, dict) else d, urls=history),
            ("next_cursor",)),
        Mutation("hy-extra-keys", HY, "innocuous", "noise", each_item(
            lambda i: {**i, "category": "misc", "merchant": {"mcc": "5411"}}, urls=history)),
        Mutation("hy-key-order", HY, "innocuous", "noise", each_item(
            lambda i: dict(reversed(list(i.items()))), urls=history)),
        Mutation("hy-meta-object", HY, "innocuous", "noise", json_edit(
            lambda d: {**d, "meta": {"generated_at": "2026-11-20T10:00:00Z"}}
            if isinstance(d, dict) else d, urls=history)),
        Mutation("hy-null-fields", HY, "innocuous", "noise", each_item(
            lambda i: {**i, "note": None}, urls=history)),
        Mutation("hy-account-extra-keys", HY, "innocuous", "noise", each_item(
            lambda i: {**i, "opened": "2019-04-01", "flags": []}, urls=accounts, key=None)),
        Mutation("hy-dom-banner", HY, "innocuous", "noise", inject(BANNER, kinds=("shell",))),
    ]
    return out


def corpus() -> list[Mutation]:
    return [*_bd_breaking(), *_bd_innocuous(), *_bd_data(), *_neo(), *_hybrid()]


QUICK = ("bd-rename-montant-operations", "bd-rename-row-operation", "bd-next-dropped-page2",
         "bd-rows-half-page2", "bd-format-amount-unsigned", "bd-format-date-iso",
         "bd-banner", "bd-new-classes-on-rows", "bd-analytics-script", "hy-key-amount",
         "hy-extra-keys", "bd-wrapper-around-tables")


# ----------------------------------------------------------------------------- applying

def apply(mutation: Mutation, fixtures: Path, target: Path) -> Path:
    """Copy the scenario under ``target`` and apply the mutation to its snapshots and its
    recording; fails when the mutation changed nothing (a corpus must not hold no-ops)."""
    source = fixtures / mutation.fixture
    folder = target / mutation.fixture
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("screenshots"))
    fixture = load_fixture(folder)
    changed = 0
    for info in fixture.snapshots:
        path = folder / "snapshots" / info.file
        kind = "json" if path.suffix == ".json" else "html"
        text = path.read_text(encoding="utf-8")
        new = mutation.edit(Doc(kind, info.url, text, info.stage, info.page_number))
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    for item in fixture.meta.get("login_pages") or []:  # the login forms as the DOM showed them
        path = folder / "snapshots" / str(item["file"])
        text = path.read_text(encoding="utf-8")
        new = mutation.edit(Doc("html", str(item["url"]).removeprefix("DOM "), text, "login"))
        if new != text:
            path.write_text(new, encoding="utf-8")
    exchanges = fixture.exchanges()
    for exchange in exchanges:
        body = exchange.get("body")
        if not isinstance(body, str):
            continue
        ctype = str({k.lower(): v for k, v in (exchange.get("headers") or {}).items()}
                    .get("content-type", ""))
        kind = ("json" if "json" in ctype else "js" if "javascript" in ctype else
                ("shell" if mutation.fixture.startswith("neobanque") else "html")
                if "html" in ctype else "")
        if not kind:
            continue
        new = mutation.edit(Doc(kind, str(exchange["url"]).split("#")[0], body))
        if new != body:
            exchange["body"] = new
            changed += 1
    write_exchanges(folder, exchanges, str(fixture.meta.get("base_url") or ""))
    if not changed:
        raise RuntimeError(f"mutation {mutation.name} changed nothing")
    return folder


# ----------------------------------------------------------------------------- judging

@dataclass
class Verdict:
    mutation: Mutation
    check_alarm: bool = False
    check_line: str = ""
    check_named: bool = False
    replay_alarm: bool | None = None
    replay_line: str = ""
    replay_named: bool | None = None
    canary_line: str = ""
    canary_named: bool | None = None
    suggested: bool | None = None
    suggestion_verified: bool | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "mutation"}
        data.update(name=self.mutation.name, category=self.mutation.category,
                    kind=self.mutation.kind, fixture=self.mutation.fixture)
        return data


def named(line: str | None, tokens: tuple[str, ...]) -> bool:
    return bool(line) and any(t in str(line) for t in tokens)


async def judge(mutation: Mutation, folder: Path, engine: Engine | None,
                suggest: bool) -> Verdict:
    started = time.perf_counter()
    verdict = Verdict(mutation)
    recipe_path = ROOT / "recipes" / f"{mutation.recipe or mutation.fixture.split('/')[0]}.yaml"
    recipe = load_recipe(recipe_path)
    check = check_scenario(recipe, folder)
    verdict.check_alarm = not check.ok
    verdict.check_line = check.headline() or ""
    verdict.check_named = named(verdict.check_line, mutation.expect)
    if engine is not None:
        outcome = await run_scenario(recipe_path, recipe, folder, engine, step_timeout=2.5)
        replay = outcome.replay
        verdict.replay_alarm = replay is None or not replay.ok
        verdict.replay_line = (replay.headline() or "") if replay is not None else "crashed"
        verdict.replay_named = named(verdict.replay_line, mutation.expect)
        verdict.canary_line = outcome.headline() or ""
        verdict.canary_named = named(verdict.canary_line, mutation.expect)
    if suggest and mutation.repairable and verdict.check_alarm:
        patches = await suggest_async(recipe_path, folder, engine=engine)
        verdict.suggested = bool(patches)
        if patches:  # proposed only when verified; verify again here, independently
            (folder.parent / "patched").mkdir(exist_ok=True)
            patched = load_recipe(patches[0].write(folder.parent / "patched" / recipe_path.name))
            verdict.suggestion_verified = check_scenario(patched, folder).ok
    verdict.seconds = round(time.perf_counter() - started, 2)
    return verdict


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def table(verdicts: list[Verdict]) -> list[str]:
    breaking = [v for v in verdicts if v.mutation.category == "breaking"]
    innocuous = [v for v in verdicts if v.mutation.category == "innocuous"]
    data = [v for v in verdicts if v.mutation.category == "data"]
    replayed = [v for v in verdicts if v.replay_alarm is not None]
    replay_alarms = [v for v in replayed if v.replay_alarm and v.mutation.category != "innocuous"]
    canary_alarms = [v for v in replayed if (v.check_alarm or v.replay_alarm)
                     and v.mutation.category != "innocuous"]
    repairable = [v for v in verdicts if v.mutation.repairable and v.suggested is not None]
    lines = [
        f"mutations: {len(verdicts)} ({len(breaking)} breaking, {len(innocuous)} innocuous, "
        f"{len(data)} data changes)",
        "| measure | result | target |", "|---|---|---|",
        f"| check alarms on breaking, cause named in line 1 | "
        f"{_pct(sum(v.check_alarm and v.check_named for v in breaking), len(breaking))} | "
        ">= 95% |",
        f"| check alarms on breaking (any first line) | "
        f"{_pct(sum(v.check_alarm for v in breaking), len(breaking))} | |",
        f"| check alarms on innocuous | "
        f"{_pct(sum(v.check_alarm for v in innocuous), len(innocuous))} | <= 5% |",
        f"| check alarms on data changes, value named | "
        f"{_pct(sum(v.check_alarm and v.check_named for v in data), len(data))} | |",
    ]
    if replayed:
        lines += [
            f"| replay alarms on breaking | "
            f"{_pct(sum(bool(v.replay_alarm) for v in replayed if v.mutation.category == 'breaking'), sum(v.mutation.category == 'breaking' for v in replayed))} | |",  # noqa: E501
            f"| replay alarms on innocuous | "
            f"{_pct(sum(bool(v.replay_alarm) for v in replayed if v.mutation.category == 'innocuous'), sum(v.mutation.category == 'innocuous' for v in replayed))} | |",  # noqa: E501
            f"| replay names the cause in line 1 (of its alarms) | "
            f"{_pct(sum(bool(v.replay_named) for v in replay_alarms), len(replay_alarms))} | "
            ">= 95% |",
            f"| canary names the cause in line 1 (of its alarms) | "
            f"{_pct(sum(bool(v.canary_named) for v in canary_alarms), len(canary_alarms))} | "
            ">= 95% |",
        ]
    if repairable:
        lines += [
            f"| --suggest: verified patch on rename/move | "
            f"{_pct(sum(bool(v.suggested) for v in repairable), len(repairable))} | >= 70% |",
            f"| --suggest: patches that do not reproduce the values | "
            f"{sum(v.suggested is True and v.suggestion_verified is False for v in repairable)}"
            " | 0 |",
        ]
    return lines


def misses(verdicts: list[Verdict]) -> list[str]:
    out = []
    for v in verdicts:
        m = v.mutation
        problems = []
        if m.category == "innocuous" and v.check_alarm:
            problems.append(f"check false alarm: {v.check_line}")
        if m.category == "innocuous" and v.replay_alarm:
            problems.append(f"replay false alarm: {v.replay_line}")
        if m.category != "innocuous" and not (v.check_alarm and v.check_named):
            problems.append(f"check: {v.check_line or 'no alarm'}")
        if m.category != "innocuous" and v.replay_alarm and not v.replay_named:
            problems.append(f"replay: {v.replay_line}")
        if m.category != "innocuous" and v.replay_alarm is False:
            problems.append("replay: no alarm")
        if m.category != "innocuous" and v.canary_named is False:
            problems.append(f"canary: {v.canary_line}")
        if m.repairable and v.suggested is False:
            problems.append("suggest: no patch")
        if problems:
            out.append(f"{m.name} [{m.category}/{m.kind}]: " + " | ".join(problems))
    return out


async def run(mutations: list[Mutation], *, replay: bool, suggest: bool,
              fixtures: Path) -> list[Verdict]:
    verdicts: list[Verdict] = []
    engine = Engine(max_concurrency=1) if replay else None
    try:
        for mutation in mutations:
            with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
                folder = apply(mutation, fixtures, Path(tmp))
                verdict = await judge(mutation, folder, engine, suggest)
            verdicts.append(verdict)
            flag = "ALARM" if verdict.check_alarm else "quiet"
            print(f"{mutation.name:38} {mutation.category:9} check {flag}: "
                  f"{verdict.check_line[:110]}", flush=True)
    finally:
        if engine is not None:
            await engine.close()
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short corpus of the suite")
    parser.add_argument("--no-replay", action="store_true", help="check only (no browser)")
    parser.add_argument("--no-suggest", action="store_true")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--json", type=Path, help="write every verdict here")
    args = parser.parse_args()
    mutations = corpus()
    if args.quick:
        mutations = [m for m in mutations if m.name in QUICK]
    if args.only:
        mutations = [m for m in mutations if m.name in args.only]
    verdicts = asyncio.run(run(mutations, replay=not args.no_replay,
                               suggest=not args.no_suggest, fixtures=args.fixtures))
    print()
    for line in table(verdicts):
        print(line)
    missed = misses(verdicts)
    if missed:
        print("\nmisses:")
        for line in missed:
            print(f"  {line}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([v.as_json() for v in verdicts], indent=1),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
