"""NeoBanque in the benchmark: the single-page app whose login form is drawn by JavaScript.

Its login can never run over plain HTTP (a browser login shows the form is script-made, so the
engine's verdict is "browser"), which is why the issue measures it apart: what is left to gain
there is what a browser login costs, and sparing it when the customer's session is still alive
(``session_state``). Every configuration syncs the same returning customer:

* a *trusted device*: the session state holds the device cookie the site set after the first
  one-time code, so no code is asked, but no live session (it expired): the login runs;
* for the session-reuse configuration, the state of a previous sync, whose live session the
  site still accepts: the login is skipped, which ``verify`` checks (no login step ran).

Besides the DOM recipe (``neobanque.yaml``: every view rendered), the hybrid recipe
(``neobanque-hybrid.yaml``: the same browser login, then the site's own JSON endpoints) is
measured as what a recipe written for the API buys on the same site and customer.

Each sync is held to ``sites/neobanque/data.py``: every account (id, label, type, balance,
currency) and every transaction (date, label, amount) of every account, in order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from engine import AccountType, SyncResult
from engine.runner.state import seal, unseal
from sites.neobanque.data import DEMO_EMAIL, DEMO_PASSWORD, build_bank

CREDENTIALS = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
OTP_CODE = "654321"
"""The site's code (``python -m sites.neobanque --otp-code``); given to every sync, used only
if the site asks (a device it does not trust)."""


AccountRow = tuple[str, str, AccountType, Decimal, str]
TransactionRow = tuple[str, dt.date, str, Decimal]


def expected() -> tuple[list[AccountRow], list[TransactionRow]]:
    bank = build_bank()
    accounts = [(a.id, a.name, AccountType(a.kind), a.balance, a.currency)
                for a in bank.accounts]
    transactions = [(a.id, t.date, t.label, t.amount) for a in bank.accounts
                    for t in a.transactions]
    return accounts, transactions


def verify(result: SyncResult, who: str, *, login_skipped: bool | None = None) -> None:
    """Fail loudly unless ``result`` is exactly the seeded data; ``login_skipped`` also holds
    the sync to having spared (True) or run (False) the login steps."""
    if result.error is not None:
        raise AssertionError(f"{who}: sync failed: {result.error.kind}: "
                             f"{result.error.message}")
    accounts, transactions = expected()
    got_accounts = [(a.id, a.label, a.type, a.balance, a.currency) for a in result.accounts]
    if got_accounts != accounts:
        raise AssertionError(f"{who}: accounts differ from sites/neobanque/data.py "
                             f"({len(got_accounts)} read, {len(accounts)} expected)")
    got = [(t.account_id, t.date, t.label, t.amount) for t in result.transactions]
    if got != transactions:
        raise AssertionError(f"{who}: transactions differ from sites/neobanque/data.py "
                             f"({len(got)} read, {len(transactions)} expected)")
    if login_skipped is not None:
        ran = any(name.startswith("login[") for name in result.timings_ms)
        if ran == login_skipped:
            raise AssertionError(f"{who}: the login {'ran' if ran else 'was skipped'}, "
                                 f"expected it {'skipped' if login_skipped else 'to run'}")


def trusted_device_only(session_state: str, key: str, institution: str) -> str:
    """The same customer's state once the live session has expired: the persistent cookies
    (the trusted device) stay, the session cookies go — the next sync logs in, without a
    one-time code."""
    state = unseal(session_state, key, kind="session", institution=institution)
    if not state.cookies:
        raise AssertionError("NeoBanque kept no persistent cookie: no trusted device to reuse")
    return seal(replace(state, extra={}), key)
