"""The PSD2 demo API syncs through its recipe into the same output model as the scraped banks,
from Python and from the command line, with values exactly those of ``sites/psd2_demo/data.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import engine as engine_api
from engine import Engine, SyncOptions
from engine.models import Account, SyncResult, Transaction
from sites.psd2_demo.data import build_bank
from tests.api.conftest import (
    RECIPE,
    RECIPE_PATH,
    Psd2Site,
    credentials,
    expected_accounts,
    expected_transactions,
)
from tests.conftest import ROOT


def assert_matches_the_bank(result: SyncResult) -> None:
    assert result.error is None, result.error
    assert result.ok and not result.warnings and not result.account_failures
    assert result.institution == "api-banque-ouverte"
    assert result.accounts == expected_accounts()
    got = {t.id: t for t in result.transactions}
    assert len(got) == len(result.transactions), "transaction ids must be unique"
    assert got == expected_transactions()
    assert all(isinstance(t, Transaction) for t in result.transactions)
    assert all(isinstance(a, Account) for a in result.accounts)


async def test_engine_sync_returns_the_bank_exactly(psd2_site: Psd2Site) -> None:
    site = psd2_site()
    async with Engine(max_concurrency=1) as engine:
        result = await engine.sync(RECIPE, credentials(), base_url=site.url)
        assert engine.host.browser is None, "an API-only sync must not launch a browser"
    assert_matches_the_bank(result)
    bank = build_bank()
    pending = [t for t in result.transactions if t.pending]
    assert len(pending) == sum(len(a.pending) for a in bank.accounts) > 0
    # pagination followed _links.next: the current account has more than one page
    current = bank.accounts[0]
    assert len(current.booked) > 50
    assert len(result.transactions_of(current.resource_id)) == len(current.booked) + len(
        current.pending)
    assert set(result.timings_ms) >= {"login", "collect", "total"}


async def test_one_off_sync_facade(psd2_site: Psd2Site) -> None:
    site = psd2_site()
    result = await engine_api.sync(RECIPE_PATH, credentials(),
                                   SyncOptions(base_url=site.url))
    assert_matches_the_bank(result)


async def test_since_stops_paging_and_drops_older_transactions(psd2_site: Psd2Site) -> None:
    site = psd2_site()
    since = build_bank().reference_date.replace(day=1)
    async with Engine(max_concurrency=1) as engine:
        result = await engine.sync(RECIPE, credentials(), base_url=site.url, since=since)
    assert result.ok
    expected = {k: t for k, t in expected_transactions().items() if t.date >= since}
    assert {t.id: t for t in result.transactions} == expected


def test_cli_run_json(psd2_site: Psd2Site, tmp_path: Path) -> None:
    site = psd2_site()
    env = {**os.environ, "ENGINE_STATE_KEY": "api-test-key",
           **{f"ENGINE_CREDENTIAL_{k.upper()}": v for k, v in credentials().items()}}
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "run", str(RECIPE_PATH.relative_to(ROOT)), "--json",
         "--base-url", site.url, "--state-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL, check=False)
    assert proc.returncode == 0, proc.stderr
    result = SyncResult.model_validate(json.loads(proc.stdout))
    assert_matches_the_bank(result)
    for value in credentials().values():
        assert value not in proc.stdout and value not in proc.stderr
