"""Every failure scenario of both demo sites, through the real browser, gets its error kind.

One table per site; each row is a login (or a start-up switch) and the kind/code the engine
must return. Timeouts are shortened so slow and hanging pages are classified in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.runner.context import OtpChallenge
from sites._server import ThreadedServer
from tests.conftest import RECIPES

pytestmark = pytest.mark.browser

BANQUE = load_recipe(RECIPES / "banque-demo.yaml")
NEO = load_recipe(RECIPES / "neobanque.yaml")
FAST = {"step_timeout": 2.0, "timeout": 8.0}

# (id, login, password, options, expected code, extra check)
BANQUE_CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("wrong-password", "demo", "000000", {}, "invalid_credentials"),
    ("locked", "demo-locked", "123456", {}, "action_required.account_locked"),
    ("expired", "demo-expired", "123456", {}, "password_expired"),
    ("security-validation", "demo-secvalid", "123456", {},
     "action_required.security_validation"),
    ("otp-no-callback", "demo-otp", "123456", {}, "challenge_required"),
    ("maintenance-200", "demo-maint", "123456", {}, "unavailable.maintenance"),
    ("maintenance-503", "demo-maint503", "123456", {}, "unavailable.maintenance"),
    ("rate-limit-429", "demo-ratelimit", "123456", {}, "blocked.rate_limited"),
    ("captcha", "demo-captcha", "123456", {}, "blocked.captcha"),
    ("slow-page", "demo-slow", "123456", FAST, "unavailable.timeout"),
    ("hanging-connection", "demo-hang", "123456", FAST, "unavailable.timeout"),
]

NEO_CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("wrong-password", "demo@neobanque.test", "nope", {}, "invalid_credentials"),
    ("locked", "locked@neobanque.test", "correct-horse-42", {}, "action_required.account_locked"),
    ("expired", "expired@neobanque.test", "correct-horse-42", {}, "password_expired"),
    ("security-validation", "secvalid@neobanque.test", "correct-horse-42", {},
     "action_required.security_validation"),
    ("otp-no-callback", "demo@neobanque.test", "correct-horse-42", {}, "challenge_required"),
    ("maintenance-200", "maint@neobanque.test", "correct-horse-42", {},
     "unavailable.maintenance"),
    ("http-503", "maint503@neobanque.test", "correct-horse-42", {}, "unavailable.server_error"),
    ("rate-limit-429", "ratelimit@neobanque.test", "correct-horse-42", {},
     "blocked.rate_limited"),
    ("captcha", "captcha@neobanque.test", "correct-horse-42", {}, "blocked.captcha"),
    ("slow-page", "slow@neobanque.test", "correct-horse-42", FAST, "unavailable.timeout"),
    ("hanging-connection", "hang@neobanque.test", "correct-horse-42", FAST,
     "unavailable.timeout"),
]


@pytest.fixture(scope="module")
def banque_url() -> Iterator[str]:
    from sites.banque_demo import create_app

    with ThreadedServer(create_app(slow_seconds=20)) as server:
        yield server.url


@pytest.fixture(scope="module")
def neo_url() -> Iterator[str]:
    from sites.neobanque import create_app

    with ThreadedServer(create_app(slow_seconds=20)) as server:
        yield server.url


def _acceptable(expected: str) -> set[str]:
    """A slow or hanging site is unavailable either way; on a loaded machine the whole-sync
    deadline may fire before the step timeout does."""
    return {expected, "unavailable.deadline"} if expected == "unavailable.timeout" else {expected}


async def code(challenge: OtpChallenge) -> str:
    return "654321"


@pytest.mark.parametrize(("case", "login", "password", "options", "expected"), BANQUE_CASES,
                         ids=[c[0] for c in BANQUE_CASES])
async def test_banque_demo_scenarios(engine: Engine, banque_url: str, case: str, login: str,
                                     password: str, options: dict[str, Any],
                                     expected: str) -> None:
    started = time.monotonic()
    result = await engine.sync(BANQUE, {"username": login, "password": password},
                               SyncOptions(base_url=banque_url, **options))
    assert result.error is not None, case
    assert result.error.code in _acceptable(expected), result.error
    assert result.accounts == []
    if "timeout" in options:
        assert time.monotonic() - started < options["timeout"] + 1
    if expected.startswith("blocked.rate_limited"):
        assert result.error.policy.retry_after_seconds == 120
    if expected == "challenge_required":
        assert result.error.details["prompt"] == "Code reçu par SMS"


@pytest.mark.parametrize(("case", "login", "password", "options", "expected"), NEO_CASES,
                         ids=[c[0] for c in NEO_CASES])
async def test_neobanque_scenarios(engine: Engine, neo_url: str, case: str, login: str,
                                   password: str, options: dict[str, Any],
                                   expected: str) -> None:
    callback = None if case == "otp-no-callback" else code
    started = time.monotonic()
    result = await engine.sync(NEO, {"email": login, "password": password},
                               SyncOptions(base_url=neo_url, otp_callback=callback, **options))
    assert result.error is not None, case
    assert result.error.code in _acceptable(expected), result.error
    if "timeout" in options:
        assert time.monotonic() - started < options["timeout"] + 1
    if expected == "blocked.rate_limited":
        assert result.error.policy.retry_after_seconds == 120


async def test_banque_demo_partial_history(engine: Engine, banque_url: str) -> None:
    from sites.banque_demo.data import build_bank

    result = await engine.sync(BANQUE, {"username": "demo-brokenhistory", "password": "123456"},
                               base_url=banque_url)
    bank = build_bank()
    livret = next(a for a in bank.accounts if a.kind == "savings")
    assert result.error is None and result.partial and not result.ok
    assert [f.account_id for f in result.account_failures] == [livret.id]
    assert result.account_failures[0].error.kind == "unavailable"
    assert len(result.accounts) == 4
    for account in bank.accounts:
        if account is not livret:
            assert len(result.transactions_of(account.id)) == len(account.operations)
    assert len(result.holdings) == 5


async def test_neobanque_partial_history(engine: Engine, neo_url: str) -> None:
    from sites.neobanque.data import build_bank

    result = await engine.sync(NEO, {"email": "brokenhistory@neobanque.test",
                                     "password": "correct-horse-42"},
                               base_url=neo_url, otp_callback=code)
    bank = build_bank()
    savings = next(a for a in bank.accounts if a.kind == "savings")
    assert result.error is None and result.partial
    assert [f.account_id for f in result.account_failures] == [savings.id]
    for account in bank.accounts:
        if account is not savings:
            assert len(result.transactions_of(account.id)) == len(account.transactions)


@pytest.mark.parametrize("site", ["banque", "neo"])
async def test_site_wide_maintenance_at_start_up(engine: Engine, banque_demo_site: Any,
                                                 neobanque_site: Any, site: str) -> None:
    if site == "banque":
        server = banque_demo_site(scenario="maint503")
        result = await engine.sync(BANQUE, {"username": "demo", "password": "123456"},
                                   base_url=server.url)
    else:
        server = neobanque_site(scenario="maint503")
        result = await engine.sync(NEO, {"email": "demo@neobanque.test",
                                         "password": "correct-horse-42"},
                                   base_url=server.url, otp_callback=code)
    assert result.error is not None and result.error.kind == "unavailable"


@pytest.mark.parametrize("site", ["banque", "neo"])
async def test_redesign_is_recipe_broken_naming_step_and_selector(
        engine: Engine, banque_demo_site: Any, neobanque_site: Any, site: str) -> None:
    if site == "banque":
        server = banque_demo_site(layout="redesign")
        result = await engine.sync(BANQUE, {"username": "demo", "password": "123456"},
                                   base_url=server.url, step_timeout=2)
        step, selector = "login[1] fill", "#identifiant"
    else:
        server = neobanque_site(layout="redesign")
        result = await engine.sync(NEO, {"email": "demo@neobanque.test",
                                         "password": "correct-horse-42"},
                                   base_url=server.url, otp_callback=code, step_timeout=2)
        step, selector = "login[1] fill", "#login-form input[name=email]"
    assert result.error is not None and result.error.kind == "recipe_broken"
    assert (result.error.step, result.error.selector) == (step, selector)
    assert result.error.url and result.error.url.startswith(server.url)


async def test_wrong_one_time_code_is_classified_not_retried(engine: Engine,
                                                             neo_url: str) -> None:
    calls = 0

    async def wrong(challenge: OtpChallenge) -> str:
        nonlocal calls
        calls += 1
        return "000000"

    result = await engine.sync(NEO, {"email": "otp@neobanque.test",
                                     "password": "correct-horse-42"},
                               base_url=neo_url, otp_callback=wrong)
    assert result.error is not None and result.error.code == "invalid_credentials.wrong_code"
    assert calls == 1
