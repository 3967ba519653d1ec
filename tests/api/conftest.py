"""API Banque Ouverte for the API-recipe tests: started by the test that uses it, stopped there.

Also the expected sync result, computed from ``sites/psd2_demo/data.py`` (the single source of
truth the demo API serves), so assertions are exact to the cent and the id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from engine.models import Account, AccountType, Transaction
from engine.recipe import load_recipe
from sites._server import ThreadedServer
from sites.psd2_demo import create_app, release_waiters
from sites.psd2_demo.data import CLIENT_ID, CLIENT_SECRET, PSU_ID, build_bank
from tests.conftest import RECIPES

RECIPE_PATH = RECIPES / "api-banque-ouverte.yaml"
RECIPE = load_recipe(RECIPE_PATH)
TYPES = {"CACC": AccountType.CHECKING, "SVGS": AccountType.SAVINGS, "CARD": AccountType.CARD}


def credentials(psu_id: str = PSU_ID, **overrides: str) -> dict[str, str]:
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "psu_id": psu_id,
            **overrides}


def expected_accounts(seed: int = 2026) -> list[Account]:
    return [
        Account(id=a.resource_id, label=a.name, type=TYPES[a.cash_account_type],
                balance=a.closing_booked, currency=a.currency,
                number_masked=f"•••• {a.iban[-4:]}")
        for a in build_bank(seed).accounts
    ]


def expected_transactions(seed: int = 2026) -> dict[str, Transaction]:
    """Every booked and pending transaction of every account, by id."""
    out: dict[str, Transaction] = {}
    for account in build_bank(seed).accounts:
        for pending, rows in ((False, account.booked), (True, account.pending)):
            for t in rows:
                out[t.transaction_id] = Transaction(
                    id=t.transaction_id, account_id=account.resource_id, date=t.booking_date,
                    value_date=t.value_date, label=t.remittance, raw_label=t.remittance,
                    amount=t.amount, currency=t.currency, pending=pending)
    return out


def money(value: Any) -> Decimal:
    return Decimal(str(value))


class TokenSpy:
    """WSGI middleware remembering every token and code the bank hands out, so tests can
    prove none of them leaks anywhere."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.values: set[str] = set()
        app.after_request(self._see)

    def _see(self, response: Any) -> Any:
        data = response.get_json(silent=True) if response.is_json else None
        if isinstance(data, dict):
            for key in ("access_token", "refresh_token"):
                if isinstance(data.get(key), str):
                    self.values.add(data[key])
        location = response.headers.get("Location", "")
        if "code=" in location:
            self.values.add(location.split("code=")[1].split("&")[0])
        return response


@dataclass
class Site:
    """One running API Banque Ouverte."""

    app: Flask
    server: ThreadedServer
    spy: TokenSpy

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        release_waiters(self.app)  # wake requests the slow scenario parked
        self.server.stop()


Psd2Site = Callable[..., Site]


@pytest.fixture
def psd2_site() -> Iterator[Psd2Site]:
    """``start(scenario=None, **create_app_options)`` → a running site (stopped after)."""
    started: list[Site] = []

    def start(scenario: str | None = None, **options: Any) -> Site:
        app = create_app(scenario, **options)
        site = Site(app, ThreadedServer(app).start(), TokenSpy(app))
        started.append(site)
        return site

    yield start
    for site in started:
        site.stop()
