"""Banque Démo (server pages, keypad, paging by link), NeoBanque (a single-page app drawn by
its own scripts) and NeoBanque read as JSON (the hybrid recipe): the corpus's first sites."""

from __future__ import annotations

import re

from scripts.mutations.edits import (
    Mutation,
    cells,
    drop_rows,
    each_item,
    halve,
    html_sub,
    inject,
    json_edit,
    rename_class,
    rename_id,
    rename_key,
    rename_name,
)

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
                 each_item(halve([0]), urls=history), ("row count fell",)),
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




def demo() -> list[Mutation]:
    return [*_bd_breaking(), *_bd_innocuous(), *_bd_data(), *_neo(), *_hybrid()]


__all__ = ["ANALYTICS", "BANNER", "MARKETING", "demo"]
