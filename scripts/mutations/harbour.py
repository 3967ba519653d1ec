"""Harbour Credit Union: generated class names (every selector a ``data-testid``, a role or a
column header), a tab loaded on click and grown by "Show older", signs from a Type column,
"DR"/"CR" suffixes and row classes, a date-range search with Debit and Credit columns, and
the same accounts read from camt.053, OFX 1.02 (SGML) and OFX 2.2 downloads.
"""

from __future__ import annotations

import hashlib
import re

from scripts.mutations.edits import (
    Edit,
    Mutation,
    attr_text,
    both,
    drop_rows,
    html_sub,
    inject,
    js_sub,
    rename_attr,
    rename_header,
    rename_id,
)
from scripts.mutations.noise import Texts, html_noise
from scripts.mutations.structure import add, columns, move, rename_element, swap, xml_sub

HCU = "harbour-cu/normal"
HCS = "harbour-cu-search/normal"
HCO = "harbour-cu-ofx/normal"
ACCOUNTS = r"^/accounts$"
ACCOUNT = r"^/accounts/[0-9a-f-]+"
CARDS = r"^/cards$"
CARD = r"^/cards/[0-9a-f-]+"
INVEST = r"^/investments$"
SEARCH = r"^/search"
ACTIVITY = r"^/activity"
CAMT = r"format=camt053"
OFX1 = r"format=ofx1"
OFX2 = r"format=ofx2"
TEXTS = Texts(
    banner='<div class="alert alert-info" role="status">New: Bonus Saver now 5.10% p.a. for '
           "new members. <a href=\"/offers\">Find out more</a></div>",
    marketing='<aside class="promo"><p>Refer a friend and you both get $50.</p></aside>',
    cookie="We use cookies to keep you signed in and to improve our website.",
    footer_links='<nav class="footer-links"><a href="/help">Help</a> · <a href="/fees">Fees '
                 'and charges</a> · <a href="/privacy">Privacy</a></nav>')


def by_testid(old: str, new: str, *, urls: str | None = None) -> Edit:
    return rename_attr("data-testid", old, new, urls=urls)


def _rehash(match: re.Match[str]) -> str:
    return "css-" + hashlib.sha256(match.group(1).encode()).hexdigest()[:6]


def _nav_reversed(match: re.Match[str]) -> str:
    links = re.findall(r"\s*<a\b.*?</a>", match.group(2), re.S)
    return match.group(1) + "".join(reversed(links)) + "\n      " + match.group(3)


def _common(prefix: str, fixture: str, recipe: str | None) -> list[Mutation]:
    """Innocuous changes of the whole site, for each recipe reading it."""
    def m(name: str, edit: Edit) -> Mutation:
        return Mutation(f"{prefix}-{name}", fixture, "innocuous", "noise", edit,
                        recipe=recipe)
    return [
        *html_noise(prefix, fixture, TEXTS, recipe=recipe),
        m("css-hashes-regenerated", html_sub(r"\bcss-([0-9a-z]{6})\b", _rehash)),
        m("reordered-nav-links", html_sub(r'(<nav class="navbar-nav[^>]*>)(.*?)(</nav>)',
                                          _nav_reversed)),
        m("internal-testid-renamed", both(by_testid("recent-rows", "recent-body"),
                                          by_testid("app-header", "site-header"))),
    ]


def _harbour_cu() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"hcu-{name}", HCU, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"hcu-{name}", HCU, "innocuous", "noise", edit)

    signless = attr_text("data-testid", "card-txn-amount", lambda v: v.replace(" DR", ""))
    return [
        b("rename-deposit-table", "rename", by_testid("deposit-accounts", "deposit-table"),
          "deposit-accounts"),
        b("rename-account-row", "rename", by_testid("account-row", "deposit-row"), "account-row"),
        b("rename-account-link", "rename", by_testid("account-link", "account-name-link"),
          "account-link"),
        b("header-current-balance", "rename", rename_header("Current balance", "Balance",
                                                            urls=ACCOUNTS),
          "Current balance"),
        b("header-account-number", "rename", rename_header("Account number", "Account no.",
                                                           urls=ACCOUNTS),
          "Account number"),
        b("rename-credit-card", "rename", by_testid("credit-card", "card-tile"), "credit-card"),
        b("rename-card-balance", "rename", by_testid("card-balance", "card-current-balance"),
          "card-balance"),
        b("rename-trading-account", "rename", by_testid("trading-account", "trading-section"),
          "trading-account"),
        b("rename-tab-recent", "rename", by_testid("tab-recent", "tab-history"), "tab-recent"),
        b("rename-txn-row", "rename", by_testid("txn-row", "transaction-row"), "txn-row"),
        b("rename-pending-row", "rename", by_testid("pending-row", "pending-item"),
          "pending-row"),
        b("rename-pending-empty", "rename", by_testid("pending-empty", "no-pending"),
          "pending-empty"),
        b("header-amount", "rename", rename_header("Amount", "Amount (AUD)", urls=ACCOUNT),
          "Amount", "fields.amount"),
        b("header-date", "rename", rename_header("Date", "Posted", urls=ACCOUNT), "Date",
          "fields.date"),
        b("sign-type-words-changed", "sign", html_sub(
            r'(<span class="badge[^"]*">)(Withdrawal|Transfer out)(</span>)',
            lambda m: m.group(1) + {"Withdrawal": "Debit", "Transfer out": "Payment"}[
                m.group(2)] + m.group(3), urls=ACCOUNT), "amount"),
        b("sign-dr-suffix-dropped", "sign", signless, "amount"),
        b("format-date-numeric", "format", html_sub(
            r"(<td[^>]*>)(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})"
            r"(</td>)", lambda m: f"{m.group(1)}{int(m.group(2)):02d}/"
            f"{'JanFebMarAprMayJunJulAugSepOctNovDec'.index(m.group(3)) // 3 + 1:02d}/"
            f"{m.group(4)}{m.group(5)}", urls=ACCOUNT), "date"),
        b("next-dropped-card-page2", "next", html_sub(
            r'<a [^>]*data-testid="pagination-next"[^>]*>.*?</a>', "", urls=r"\?page=2$"),
          "pagination-next"),
        b("rename-pagination-next", "rename", by_testid("pagination-next", "pager-next"),
          "pagination-next"),
        b("rows-half-recent", "rows", drop_rows("txn-row", attr="data-testid", urls=ACCOUNT,
                                                 start=1),
          "row count fell"),
        b("rename-holding-row", "rename", by_testid("holding-row", "position-row"),
          "holding-row"),
        b("header-units", "rename", rename_header("Units", "Quantity", urls=INVEST), "Units",
          "fields.quantity"),
        b("rename-logout", "rename", by_testid("logout", "sign-out"), "logout"),
        b("rename-username", "rename", both(rename_id("username", "member-id"),
                                            html_sub(r'for="username"', 'for="member-id"')),
          "#username"),
        i("added-column-category", columns(add(2, '<th scope="col">Category</th>',
                                               '<td class="css-c4t3g0">General</td>'),
                                           table='data-testid="recent-transactions"')),
        i("columns-reordered-recent", columns(move(2, 1),
                                              table='data-testid="recent-transactions"')),
        i("accounts-extra-column", columns(add(3, '<th scope="col">Interest rate</th>',
                                               "<td>0.01% p.a.</td>"),
                                           table='data-testid="deposit-accounts"')),
        i("accounts-columns-swapped", columns(swap(1, 2), table='data-testid="deposit-acc')),
        i("holdings-columns-swapped", columns(swap(2, 3), table='data-testid="holdings"')),
        i("card-marketing", inject('<aside class="promo">Pay no annual fee in your first '
                                   "year with Visa Low Rate.</aside>",
                                   after=r'<h1 class="h3 css-8mihbk">Cards</h1>', urls=CARDS)),
        i("tabs-script-refactor", js_sub(r"(\(function \(\) \{)",
                                         r"/* tabs v2.1: keyboard support */\n\1",
                                         urls=r"tabs\.js")),
        *_common("hcu", HCU, None),
    ]


def _harbour_search() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"hcs-{name}", HCS, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"hcs-{name}", HCS, "innocuous", "noise", edit)

    results = 'data-testid="search-results"'
    return [
        b("header-debit", "rename", rename_header("Debit", "Withdrawals", urls=SEARCH),
          "Debit"),
        b("header-credit", "rename", rename_header("Credit", "Deposits", urls=SEARCH),
          "Credit"),
        b("debit-credit-cells-swapped", "sign", columns(
            lambda c, header: c if header else [c[0], c[1], c[3], c[2], c[4]],
            table=results), "amount"),
        b("sign-class-renamed", "sign", html_sub(r"\btxn--(debit|credit)\b",
                                                 lambda m: {"debit": "txn-out",
                                                            "credit": "txn-in"}[m.group(1)],
                                                 urls=ACTIVITY), "amount", "txn--debit"),
        b("format-date-long", "format", html_sub(
            r"<td>(\d\d)/(\d\d)/(\d\d)</td>", lambda m: f"<td>{int(m.group(1))} "
            f"{['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][int(m.group(2)) - 1]}"  # noqa: E501
            f" 20{m.group(3)}</td>", urls=SEARCH), "date"),
        b("rename-search-row", "rename", by_testid("search-row", "result-row"), "search-row"),
        b("rename-activity-row", "rename", by_testid("activity-row", "activity-item"),
          "activity-row"),
        b("next-dropped-activity-page3", "next", html_sub(
            r'<a [^>]*data-testid="pagination-next"[^>]*>.*?</a>', "",
            urls=r"^/activity\?page=3$"), "pagination-next"),
        b("header-account", "rename", rename_header("Account", "Card or account",
                                                    urls=ACTIVITY), "Account"),
        b("last4-format", "format", html_sub(r'<span class="text-muted">••(\d{4})</span>',
                                             r'<span class="text-muted">ending \1</span>',
                                             urls=ACTIVITY), "last4"),
        b("rename-search-empty", "rename", by_testid("search-empty", "no-results"),
          "search-empty"),
        b("rows-half-search", "rows", drop_rows("search-row", attr="data-testid",
                                                urls=SEARCH), "row count fell"),
        i("debit-credit-columns-swapped", columns(swap(2, 3), table=results)),
        i("search-extra-column", columns(add(2, '<th scope="col">Reference</th>',
                                             "<td>REF000000</td>"), table=results)),
        i("activity-columns-reordered", columns(move(2, 3), table='data-testid="activity"')),
        i("activity-icon-changed", html_sub(r'<svg class="[^"]*" role="img" aria-label="([^"]*)"'
                                            r".*?</svg>", r'<i class="bi" aria-label="\1"></i>',
                                            urls=ACTIVITY)),
        i("summary-reworded", html_sub(r'(data-testid="search-summary">)(\d+) transactions on',
                                       r"\1Showing \2 transactions for", urls=SEARCH)),
        i("pagination-previous-link", html_sub(
            r'(<a [^>]*data-testid="pagination-next")',
            r'<a class="btn btn-outline-secondary btn-sm" rel="prev" '
            r'data-testid="pagination-prev" href="/activity">Previous</a>\n  \1',
            urls=r"^/activity\?page=[2-5]$")),
        *_common("hcs", HCS, None),
    ]


def _harbour_ofx() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"hco-{name}", HCO, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"hco-{name}", HCO, "innocuous", "noise", edit)

    ntry = r"(<Ntry>)(.*?)(</Ntry>)"
    return [
        b("camt-namespace-version", "xml", xml_sub(r"camt\.053\.001\.08", "camt.053.001.02",
                                                   urls=CAMT), "c:Ntry", "transactions.each"),
        b("camt-ustrd-renamed", "rename", rename_element("Ustrd", "Strd", urls=CAMT), "Ustrd",
          "fields.label"),
        b("camt-bookgdt-renamed", "rename", rename_element("BookgDt", "BookDt", urls=CAMT),
          "BookgDt", "fields.date"),
        b("camt-indicator-codes", "sign", xml_sub(r"<CdtDbtInd>(CRDT|DBIT)</CdtDbtInd>",
                                                  lambda m: f"<CdtDbtInd>{m.group(1)[0]}"
                                                  "</CdtDbtInd>", urls=CAMT), "amount"),
        b("camt-decimal-comma", "format", xml_sub(r'(<Amt Ccy="AUD">)(\d+)\.(\d\d)(</Amt>)',
                                                  r"\1\2,\3\4", urls=CAMT), "amount"),
        b("camt-rows-half", "rows", xml_sub(r"<Ntry>.*?</Ntry>\s*(<Ntry>.*?</Ntry>)", r"\1",
                                            urls=CAMT), "row count fell"),
        b("ofx1-memo-dropped", "xml", xml_sub(r"<MEMO>[^\r\n<]*\r?\n", "", urls=OFX1),
          "MEMO", "fields.label"),
        b("ofx1-amount-unsigned", "sign", xml_sub(r"<TRNAMT>-", "<TRNAMT>", urls=OFX1),
          "amount"),
        b("ofx1-dtposted-format", "format", xml_sub(
            r"<DTPOSTED>(\d{4})(\d\d)(\d\d)\d{6}\.\d{3}\[[^\]]*\]", r"<DTPOSTED>\3/\2/\1",
            urls=OFX1), "date"),
        b("ofx2-unitprice-renamed", "rename", xml_sub(
            r"(<INVPOS>(?:(?!</INVPOS>).)*?)<UNITPRICE>([^<]*)</UNITPRICE>",
            r"\1<PRICE>\2</PRICE>", urls=OFX2),
          "UNITPRICE", "unit_price"),
        i("camt-siblings-reordered", xml_sub(
            r'(<Amt Ccy="AUD">[^<]*</Amt>\s*<CdtDbtInd>[^<]*</CdtDbtInd>)(\s*)(<Sts>.*?</Sts>)',
            r"\3\2\1", urls=CAMT)),
        i("camt-extra-elements", xml_sub(ntry, r"\1\2  <AddtlNtryInf>Card or account "
                                         r"transaction</AddtlNtryInf>\n      \3", urls=CAMT)),
        i("camt-prefixed-namespace", both(
            xml_sub(r"<(/?)(?![?!])([A-Za-z])", r"<\1camt:\2", urls=CAMT),
            xml_sub(r'xmlns="urn', 'xmlns:camt="urn', urls=CAMT))),
        i("camt-minified", xml_sub(r">\s+<", "><", urls=CAMT)),
        i("camt-comment", xml_sub(r"(<Document\b[^>]*>)",
                                  r"\1<!-- generated by HCU statements 4.2 -->", urls=CAMT)),
        i("ofx1-closed-leaf-tags", xml_sub(r"^<([A-Z0-9.]+)>([^<\r\n]+)$", r"<\1>\2</\1>",
                                           urls=OFX1, flags=re.M)),
        i("ofx1-extra-elements", xml_sub(r"(<FITID>[^\r\n]*\r?\n)", r"\1<SIC>5999\n",
                                         urls=OFX1)),
        i("ofx1-crlf", xml_sub(r"\r?\n", "\r\n", urls=OFX1)),
        i("ofx2-message-sets-reordered", xml_sub(
            r"(\s*<INVSTMTMSGSRSV1>.*?</INVSTMTMSGSRSV1>)(\s*<SECLISTMSGSRSV1>.*?"
            r"</SECLISTMSGSRSV1>)", r"\2\1", urls=OFX2)),
        i("ofx2-extra-elements", xml_sub(r"(<POSSTOCK>\s*<INVPOS>)",
                                         r"\1<MEMO>CHESS sponsored</MEMO>", urls=OFX2)),
        *_common("hco", HCO, None),
    ]


def harbour() -> list[Mutation]:
    return [*_harbour_cu(), *_harbour_search(), *_harbour_ofx()]


__all__ = ["harbour"]
