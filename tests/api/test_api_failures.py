"""Every failure scenario of the PSD2 demo API, through the recipe, gets its error kind and code.

A scenario is chosen per PSU (``psu_id=psu-<scenario>``), exactly as a real aggregator would
meet it with one customer; ``bad-client`` is also forced at start-up, where even the first
client-credentials token is refused. Timeouts are shortened so the slow scenario takes a second.
"""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine, SyncOptions
from engine.errors import ErrorInfo
from engine.models import SyncResult
from sites.psd2_demo.data import SCENARIOS
from tests.api.conftest import (
    RECIPE,
    Psd2Site,
    credentials,
    expected_accounts,
    expected_transactions,
)

FAST = {"step_timeout": 0.5, "timeout": 10.0}

# (id, start-up scenario, create_app options, credentials, sync options, expected code)
CASES: list[tuple[str, str | None, dict[str, Any], dict[str, str], dict[str, Any], str]] = [
    ("expired-token", None, {}, credentials("psu-expired-token"), {}, "ok"),
    ("expired-consent", None, {}, credentials("psu-expired-consent"), {},
     "action_required.consent_expired"),
    ("rate-limited", None, {}, credentials("psu-rate-limited"), {}, "blocked.rate_limited"),
    ("unavailable", None, {}, credentials("psu-unavailable"), {}, "unavailable.server_error"),
    ("slow", None, {"slow_seconds": 5.0}, credentials("psu-slow"), FAST, "unavailable.timeout"),
    ("schema-change", None, {}, credentials("psu-schema-change"), {},
     "recipe_broken.path_missing"),
    ("bad-client", None, {}, credentials("psu-bad-client"), {},
     "invalid_credentials.invalid_client"),
    ("bad-client-forced", "bad-client", {}, credentials(), {},
     "invalid_credentials.invalid_client"),
    ("wrong-secret", None, {}, credentials(client_secret="not-the-secret"), {},
     "invalid_credentials.invalid_client"),
]


def test_the_table_covers_every_scenario() -> None:
    covered = {case[3]["psu_id"].removeprefix("psu-") for case in CASES} | {
        case[1] for case in CASES if case[1]}
    assert set(SCENARIOS) - {"normal"} <= covered


def first_error(result: SyncResult) -> ErrorInfo | None:
    """The sync's error, or the first account failure (a partial result)."""
    if result.error is not None:
        return result.error
    return result.account_failures[0].error if result.account_failures else None


@pytest.mark.parametrize(("scenario", "forced", "app_options", "creds", "options", "code"),
                         CASES, ids=[c[0] for c in CASES])
async def test_scenario_is_classified(psd2_site: Psd2Site, scenario: str, forced: str | None,
                                      app_options: dict[str, Any], creds: dict[str, str],
                                      options: dict[str, Any], code: str) -> None:
    site = psd2_site(forced, **app_options)
    async with Engine(max_concurrency=1) as engine:
        result = await engine.sync(RECIPE, creds, SyncOptions(base_url=site.url, **options))
    error = first_error(result)
    if code == "ok":
        assert error is None, error
        assert result.accounts == expected_accounts()
        assert {t.id: t for t in result.transactions} == expected_transactions()
        return
    assert error is not None, f"{scenario}: expected {code}, the sync succeeded"
    assert error.code == code, error
    assert error.kind.value == code.split(".")[0]
    assert error.url and error.url.startswith(site.url)
    CHECKS[scenario](result, error)


def _refresh(result: SyncResult, error: ErrorInfo) -> None:
    raise AssertionError("unreachable")


def _consent_expired(result: SyncResult, error: ErrorInfo) -> None:
    assert error.policy.retry is False
    assert error.policy.user_action == "log_in_with_web_browser"
    assert error.details["api_code"] == "CONSENT_EXPIRED"
    assert error.url and error.url.endswith("/v1/accounts")


def _rate_limited(result: SyncResult, error: ErrorInfo) -> None:
    assert error.policy.retry is True
    assert error.policy.retry_after_seconds == 120, "Retry-After must override the default"
    assert error.policy.alert == "operations"


def _unavailable(result: SyncResult, error: ErrorInfo) -> None:
    assert error.policy.retry is True
    assert error.details["status"] == 503


def _slow(result: SyncResult, error: ErrorInfo) -> None:
    assert error.url and error.url.endswith("/v1/accounts")
    assert result.timings_ms["total"] < 4000


def _schema_change(result: SyncResult, error: ErrorInfo) -> None:
    # Accounts and balances kept their shape; every account's transactions fail alike, each
    # naming the JMESPath that found nothing and the URL it was looked for in.
    assert result.accounts == expected_accounts()
    assert [f.stage for f in result.account_failures] == ["transactions"] * 3
    for failure in result.account_failures:
        assert failure.error.selector == "bookingDate"
        assert "bookingDate" in failure.error.message
        assert failure.error.url and "/transactions?bookingStatus=both" in failure.error.url
        assert failure.error.policy.alert == "recipe_maintainers"
    assert result.partial


def _bad_client(result: SyncResult, error: ErrorInfo) -> None:
    assert error.policy.retry is False
    assert error.policy.user_action == "update_credentials"
    assert error.url and error.url.endswith("/oauth/token")
    assert not result.accounts


CHECKS = {
    "expired-token": _refresh, "expired-consent": _consent_expired,
    "rate-limited": _rate_limited, "unavailable": _unavailable, "slow": _slow,
    "schema-change": _schema_change, "bad-client": _bad_client,
    "bad-client-forced": _bad_client, "wrong-secret": _bad_client,
}


async def test_connection_refused_is_unavailable(psd2_site: Psd2Site) -> None:
    site = psd2_site()
    url = site.url
    site.stop()
    async with Engine(max_concurrency=1) as engine:
        result = await engine.sync(RECIPE, credentials(), base_url=url)
    assert result.error is not None and result.error.code == "unavailable.network"


async def test_host_outside_allowed_domains_is_refused(psd2_site: Psd2Site) -> None:
    site = psd2_site()
    localhost = site.url.replace("127.0.0.1", "localhost")
    async with Engine(max_concurrency=1) as engine:
        result = await engine.sync(RECIPE, credentials(), base_url=localhost)
    assert result.error is not None and result.error.code == "recipe_broken.host_refused"
    assert any("outside allowed_domains" in w and "localhost" in w for w in result.warnings)
