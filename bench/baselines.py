"""The two baselines the engine is compared with, both syncing Banque Démo by hand.

* ``naive_browser_sync``: what many open-source bank scrapers do — launch a fresh Chromium for
  each sync, log in through the page, then ``goto`` every page and parse ``page.content()``.
  Nothing is blocked (images, stylesheets, fonts load as in a person's browser), because such
  scripts do not block them either. This is the cost the engine's warm browser and HTTP list
  fetching are meant to avoid.
* ``httpx_sync``: a hand-written scraper with no browser at all — read the CSRF token and the
  scrambled keypad's per-session tokens from the login page's HTML, post them, then fetch
  every page over HTTP and parse it with parsel. It only works because this site's keypad is
  plain HTML; it is the floor no browser-based engine can beat, so the engine's CPU is quoted
  as a multiple of it.

Both return a ``Scraped`` (the same shape ``scraped_from_result`` builds from the engine's
``SyncResult``) so ``verify`` can hold all three to the site's seeded data: a baseline that
skipped a page would look cheaper for the wrong reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urljoin

import httpx
from parsel import Selector
from playwright.async_api import Page, async_playwright

from engine.backends.chromium import LAUNCH_ARGS, find_chromium
from engine.models import SyncResult
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME, build_bank

EXPECTED_COUNTS = (4, 185, 5)
"""Accounts, transactions, holdings of the demo customer (asserted on every sync)."""

MONTHS = {"janv.": 1, "févr.": 2, "mars": 3, "avr.": 4, "mai": 5, "juin": 6, "juil.": 7,
          "août": 8, "sept.": 9, "oct.": 10, "nov.": 11, "déc.": 12}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@dataclass
class Scraped:
    """What one sync returned, reduced to the facts all three scrapers must agree on."""

    accounts: list[tuple[str, str, Decimal]] = field(default_factory=list)
    """(id, label, balance)"""
    transactions: list[tuple[str, date, str, Decimal]] = field(default_factory=list)
    """(account id, date, label, amount), in page order"""
    holdings: list[tuple[str, str, Decimal, Decimal]] = field(default_factory=list)
    """(account id, ISIN, quantity, valuation)"""

    @property
    def counts(self) -> tuple[int, int, int]:
        return len(self.accounts), len(self.transactions), len(self.holdings)


def expected() -> Scraped:
    """The seeded data the site renders (``sites/banque_demo/data.py``), as a ``Scraped``."""
    bank = build_bank()
    out = Scraped()
    for account in bank.accounts:
        out.accounts.append((account.id, account.label, account.balance))
        out.transactions += [(account.id, op.date, op.label, op.amount)
                             for op in account.operations]
        out.holdings += [(account.id, h.isin, h.quantity, h.valuation)
                         for h in account.holdings]
    return out


def scraped_from_result(result: SyncResult) -> Scraped:
    """The engine's ``SyncResult`` in the shape the baselines return."""
    if result.error is not None:
        raise AssertionError(f"engine sync failed: {result.error.kind}: {result.error.message}")
    return Scraped(
        accounts=[(a.id, a.label, a.balance) for a in result.accounts],
        transactions=[(t.account_id, t.date, t.label, t.amount) for t in result.transactions],
        holdings=[(h.account_id, h.code or "", h.quantity, h.valuation)
                  for h in result.holdings],
    )


def verify(got: Scraped, want: Scraped, who: str) -> None:
    """Fail loudly unless ``got`` is exactly the seeded data (counts first, for a clear
    message, then every value)."""
    if got.counts != EXPECTED_COUNTS:
        raise AssertionError(f"{who}: got {got.counts} accounts/transactions/holdings, "
                             f"expected {EXPECTED_COUNTS}")
    for name in ("accounts", "transactions", "holdings"):
        if getattr(got, name) != getattr(want, name):
            raise AssertionError(f"{who}: {name} differ from sites/banque_demo/data.py")


# -- parsing shared by both baselines (what a hand-written scraper's pages.py would hold) ----
def clean(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def parse_amount(text: str) -> Decimal:
    """``-1 234,56 €``, ``+15,00 €`` or ``−12,30 EUR`` → Decimal."""
    raw = _SPACES.sub("", text).replace("€", "").replace("EUR", "").replace("\u2212", "-")
    return Decimal(raw.replace(",", "."))


def parse_date(text: str) -> date:
    """``20/11/2026`` or ``24 nov. 2026`` (the card page's style)."""
    text = clean(text)
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    day, month_name, year = text.split(" ")
    return date(int(year), MONTHS[month_name], int(day))


def login_form(html: str) -> tuple[str, dict[str, str]]:
    """The CSRF token and the keypad's digit → per-session token map."""
    page = Selector(text=html)
    csrf = page.css("input[name=csrf_token]::attr(value)").get() or ""
    keys = {clean(b.css("::text").get()): b.attrib["data-key"]
            for b in page.css(".keypad button.key")}
    return csrf, keys


def parse_accounts(html: str) -> list[tuple[str, str, Decimal, str]]:
    """(id, label, balance, operations href) of each account row."""
    return [(row.attrib["data-id"], clean(row.css("td.libelle ::text").get()),
             parse_amount(row.css("td.solde::text").get() or ""),
             row.css("td.libelle a::attr(href)").get() or "")
            for row in Selector(text=html).css("table#comptes tbody tr.compte")]


def parse_operations(html: str) -> tuple[list[tuple[date, str, Decimal]], str | None]:
    """This page's (date, label, amount) rows and the next page's href, if any."""
    page = Selector(text=html)
    rows = [(parse_date(row.css("td.date::text").get() or ""),
             clean(row.css("td.libelle::text").get()),
             parse_amount(row.css("td.montant::text").get() or ""))
            for row in page.css("table.operations tbody tr.operation")]
    return rows, page.css("a.suivant::attr(href)").get()


def parse_holdings(html: str) -> list[tuple[str, Decimal, Decimal]]:
    """(ISIN, quantity, valuation) of each position."""
    return [(clean(row.css("td.isin::text").get()),
             Decimal(clean(row.css("td.quantite::text").get()).replace(",", ".")),
             parse_amount(row.css("td.valorisation::text").get() or ""))
            for row in Selector(text=html).css("table.titres tbody tr.titre")]


# -- (b) the browser-free floor ---------------------------------------------------------------
async def httpx_sync(base_url: str, username: str = DEMO_USERNAME,
                     password: str = DEMO_PASSWORD) -> Scraped:
    """One sync over plain HTTP: a fresh client (its own cookie jar) per sync, as per user."""
    out = Scraped()
    async with httpx.AsyncClient(base_url=base_url, follow_redirects=True,
                                 timeout=10.0) as client:
        login = await client.get("/connexion")
        csrf, keys = login_form(login.text)
        response = await client.post("/connexion", data={
            "csrf_token": csrf, "identifiant": username,
            "code_secret": ",".join(keys[digit] for digit in password)})
        if "deconnexion" not in response.text:
            raise AssertionError("httpx baseline: login failed")
        for account_id, label, balance, href in parse_accounts(response.text):
            out.accounts.append((account_id, label, balance))
            url: str | None = href
            while url:
                page = await client.get(url)
                rows, url = parse_operations(page.text)
                out.transactions += [(account_id, *row) for row in rows]
            if "PEA" in label:
                page = await client.get(f"/compte/{account_id}/titres")
                out.holdings += [(account_id, *h) for h in parse_holdings(page.text)]
    return out


# -- (a) the naive browser-per-sync script ----------------------------------------------------
async def naive_browser_sync(base_url: str, username: str = DEMO_USERNAME,
                             password: str = DEMO_PASSWORD) -> Scraped:
    """One sync the way a typical open-source scraper does it: start Playwright and a new
    Chromium, render every page, close everything."""
    out = Scraped()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=find_chromium(),
                                                   args=LAUNCH_ARGS, headless=True)
        try:
            page = await browser.new_page()
            await _browser_login(page, base_url, username, password)
            for account_id, label, balance, href in parse_accounts(await page.content()):
                out.accounts.append((account_id, label, balance))
                url: str | None = href
                while url:
                    await page.goto(urljoin(base_url, url))
                    rows, url = parse_operations(await page.content())
                    out.transactions += [(account_id, *row) for row in rows]
                if "PEA" in label:
                    await page.goto(urljoin(base_url, f"/compte/{account_id}/titres"))
                    out.holdings += [(account_id, *h)
                                     for h in parse_holdings(await page.content())]
        finally:
            await browser.close()
    return out


async def _browser_login(page: Page, base_url: str, username: str, password: str) -> None:
    await page.goto(urljoin(base_url, "/connexion"))
    await page.fill("#identifiant", username)
    for digit in password:
        await page.locator(".keypad button.key", has_text=re.compile(f"^{digit}$")).click()
    await page.click("#valider")
    await page.wait_for_selector("a#deconnexion", timeout=10_000)
