"""Banco Aurora synced end to end through the real browser by its three recipes, compared value
by value with the site's own data (``sites.banco_aurora.data``), and its failures classified.

- ``banco-aurora``: browser login (approval in the app, or a code by e-mail in six boxes),
  bearer token and customer id captured from web storage, accounts from the state the
  overview embeds, movements and positions from the JSON API on its other origin.
- ``banco-aurora-app``: the same data read from the rendered app, statements from infinite
  virtualized lists; it must equal the API recipe's result exactly.
- ``banco-aurora-pix``: the Pix section, signed relative to the customer, UTC instants dated
  in Brasília.

Both origins run on loopback under different host names (127.0.0.1 and localhost) on
ephemeral ports, moved with ``SyncOptions(base_url=..., origins={"api": ...})``. The syncs run
concurrently in module-scoped fixtures (the session ``engine`` runs four at a time) so the
whole file stays well under a minute.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from engine import AccountType, Engine, SyncResult, load_recipe
from engine.runner.context import DocumentSeen, OtpChallenge, SyncOptions
from sites.banco_aurora import AuroraSite
from sites.banco_aurora.data import DEMO_PASSWORD, EMAIL_CODE, build_bank, user_cpf
from tests.conftest import RECIPES

pytestmark = pytest.mark.browser
REFERENCE = date(2026, 11, 20)
BANK = build_bank()
CHECKING, SAVINGS, CARD, INVESTMENTS = BANK.accounts
asked: list[OtpChallenge] = []


async def email_code(challenge: OtpChallenge) -> str:
    asked.append(challenge)
    return EMAIL_CODE


async def wrong_code(challenge: OtpChallenge) -> str:
    return "000000"


@pytest.fixture(scope="module")
def site() -> Iterator[AuroraSite]:
    with AuroraSite(approve_after=0.3, approval_ttl=2.0) as started:
        yield started


def credentials(scenario: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    return {"cpf": user_cpf(scenario), "password": password}


async def run(engine: Engine, site: AuroraSite, recipe: str, scenario: str,
              password: str = DEMO_PASSWORD, **options: Any) -> SyncResult:
    return await engine.sync(
        load_recipe(RECIPES / f"{recipe}.yaml"), credentials(scenario, password),
        SyncOptions(base_url=site.web_url, origins={"api": site.api_url},
                    reference_date=REFERENCE, **({"otp_callback": email_code} | options)))


SYNCS = {"api": ("banco-aurora", "demo"), "app": ("banco-aurora-app", "demo"),
         "pix": ("banco-aurora-pix", "demo"), "email": ("banco-aurora", "email")}


@pytest.fixture(scope="module")
def synced(results: dict[str, SyncResult]) -> dict[str, SyncResult]:
    return {name: results[name] for name in SYNCS}


# -- exact values ------------------------------------------------------------------------------

def masked(number: str) -> str:
    return "•••• " + "".join(c for c in number if c.isdigit())[-4:]


def assert_exact(result: SyncResult) -> None:
    assert result.error is None and not result.account_failures, result.error
    assert result.warnings == []
    assert [(a.id, a.label, a.type, a.balance, a.currency, a.number_masked)
            for a in result.accounts] == [
        (a.id, a.name, AccountType(a.kind), a.balance, "BRL", masked(a.number))
        for a in BANK.accounts]
    for account in BANK.accounts:
        assert [(t.id, t.date, t.label, t.amount, t.currency)
                for t in result.transactions_of(account.id)] == [
            (t.id, t.date, t.label, t.amount, "BRL") for t in account.expected_transactions()
        ], account.name
    assert [(h.account_id, h.label, h.code, h.code_type, h.quantity, h.unit_price, h.unit_value,
             h.valuation, h.currency) for h in result.holdings] == [
        (INVESTMENTS.id, h.product, h.isin, "isin", h.quantity, h.unit_price, h.average_price,
         h.valuation, "BRL") for h in INVESTMENTS.holdings]


@pytest.mark.parametrize("name", ["api", "email", "app"])
def test_every_value_equals_the_banks_data(synced: dict[str, SyncResult], name: str) -> None:
    assert_exact(synced[name])


def test_the_patterns_that_make_it_hard(synced: dict[str, SyncResult]) -> None:
    result = synced["api"]
    balances = {a.id: a.balance for a in result.accounts}
    assert balances[CARD.id] == Decimal("-1392.22")       # the open invoice, shown positive
    assert balances[CHECKING.id] == Decimal("3876.12")     # integer cents
    checking = result.transactions_of(CHECKING.id)
    pizza = next(t for t in checking if t.label == "Pix enviado · Lucas Martins Ferreira"
                 and t.amount == Decimal("-62.50"))
    assert pizza.date == date(2026, 11, 19)                 # 23:30 -03:00, the 20th in UTC
    # one internal transfer, one movement, opposite signs in the two accounts
    transfer = "b9d3fbd2-1086-415e-9ce9-37e4692e0865"
    assert [t.amount for t in result.transactions if t.id == transfer] == [
        Decimal("-500.00"), Decimal("500.00")]
    fares = [t for t in checking if t.date == date(2026, 10, 27)
             and t.label == "Compra no débito · METRÔ SÃO PAULO"]
    assert [t.amount for t in fares] == [Decimal("-5.40")] * 2 and fares[0].id != fares[1].id
    tesouro = next(h for h in result.holdings if h.code == "BRSTNCLF1RC4")
    assert (tesouro.quantity, tesouro.valuation) == (Decimal("0.18"), Decimal("3177.56"))


def test_the_rendered_app_returns_exactly_what_the_api_returns(
        synced: dict[str, SyncResult]) -> None:
    api, app = synced["api"], synced["app"]
    assert [a.model_dump() for a in app.accounts] == [a.model_dump() for a in api.accounts]
    assert [t.model_dump() for t in app.transactions] == [t.model_dump() for t in api.transactions]
    assert [h.model_dump() for h in app.holdings] == [h.model_dump() for h in api.holdings]
    assert len(app.transactions_of(CHECKING.id)) == 162        # 7 API pages behind one list


def test_the_email_code_went_into_six_boxes(synced: dict[str, SyncResult]) -> None:
    assert synced["email"].ok
    assert any(c.medium == "email" and c.institution == "banco-aurora" for c in asked)


def test_pix_are_signed_for_the_customer_and_dated_in_brasilia(
        synced: dict[str, SyncResult]) -> None:
    result = synced["pix"]
    assert result.error is None and not result.account_failures, result.error
    assert [a.id for a in result.accounts] == [CHECKING.id]
    assert [(t.id, t.date, t.amount, t.label) for t in result.transactions] == [
        (p.end_to_end_id, p.local_date, p.amount_for_customer,
         (p.payee if p.payer.is_customer else p.payer).name) for p in BANK.pix_transfers]
    assert len(result.transactions) == 74                      # 4 pages of 20, 20, 20, 14
    first = result.transactions[0]
    assert (first.date, first.amount) == (date(2026, 11, 19), Decimal("-62.50"))  # 02:30 Z
    # every Pix is also a checking movement: same amount, same local date
    movements = {t.id: t for t in synced["api"].transactions_of(CHECKING.id)}
    for pix, got in zip(BANK.pix_transfers, result.transactions, strict=True):
        movement = movements[pix.movement_id]
        assert (got.date, got.amount) == (movement.date, movement.amount)


def test_no_secret_reaches_the_result(synced: dict[str, SyncResult], site: AuroraSite) -> None:
    tokens = list(site.state.auth._sessions)  # the bearer tokens the API issued
    assert tokens
    for result in synced.values():
        text = result.model_dump_json()
        assert DEMO_PASSWORD not in text and EMAIL_CODE not in text
        assert not any(token in text for token in tokens)


# -- failures, classified ----------------------------------------------------------------------

FAILURES: dict[str, dict[str, Any]] = {
    "termos": {},
    "recusa": {},
    "expira": {},
    "manutencao": {},
    "limite": {},
    "sessao-expirada": {},
    "falha-extrato": {},
    "bloqueado": {},
    "wrong-password": {"scenario": "demo", "password": "Aurora@2025"},
    "wrong-code": {"scenario": "email", "otp_callback": wrong_code},
    "background": {"scenario": "demo", "interactive": False},
    "since": {"scenario": "demo", "since": date(2026, 11, 1)},
}


@pytest.fixture(scope="module")
async def results(engine: Engine, site: AuroraSite) -> dict[str, SyncResult]:
    """Every sync of the module at once (the engine runs four at a time): the long rendered
    one overlaps the short failing ones."""
    async def failing(name: str, spec: dict[str, Any]) -> SyncResult:
        options = dict(spec)
        scenario = options.pop("scenario", name)
        return await run(engine, site, "banco-aurora", scenario, **options)

    jobs = {name: run(engine, site, recipe, scenario)
            for name, (recipe, scenario) in SYNCS.items()}
    jobs |= {name: failing(name, spec) for name, spec in FAILURES.items()}
    done = await asyncio.gather(*jobs.values())
    return dict(zip(jobs, done, strict=True))


@pytest.fixture(scope="module")
def failed(results: dict[str, SyncResult]) -> dict[str, SyncResult]:
    return {name: results[name] for name in FAILURES}


@pytest.mark.parametrize(("name", "code"), [
    ("termos", "action_required.terms_not_accepted"),
    ("recusa", "action_required.app_validation_refused"),
    ("expira", "challenge_required.app_validation_expired"),
    ("background", "challenge_required.app_validation"),
    ("bloqueado", "action_required.account_locked"),
    ("wrong-password", "invalid_credentials"),
    ("wrong-code", "invalid_credentials.wrong_code"),
])
def test_login_outcomes_are_classified(failed: dict[str, SyncResult], name: str,
                                       code: str) -> None:
    result = failed[name]
    assert result.error is not None and result.error.code == code, result.error
    assert result.accounts == []


def test_refused_and_expired_approvals_ask_for_the_app(failed: dict[str, SyncResult]) -> None:
    for name in ("recusa", "expira", "background"):
        error = failed[name].error
        assert error is not None and error.policy.user_action == "approve_in_app"
        assert not error.policy.retry


@pytest.mark.parametrize(("name", "code", "retry_after"), [
    ("manutencao", "unavailable.maintenance", 1800),
    ("limite", "blocked.rate_limited", 60),
    ("sessao-expirada", "unavailable.session_expired", 300),
])
def test_api_failures_are_classified_from_the_api_answer(
        failed: dict[str, SyncResult], site: AuroraSite, name: str, code: str,
        retry_after: int) -> None:
    error = failed[name].error
    assert error is not None and error.code == code, error
    assert error.url is not None and error.url.startswith(site.api_url + "/v1/")
    assert error.details.get("response_url") == error.url
    assert error.policy.retry and error.policy.retry_after_seconds == retry_after


def test_a_failing_statement_leaves_the_other_accounts_intact(
        failed: dict[str, SyncResult], site: AuroraSite) -> None:
    result = failed["falha-extrato"]
    assert result.error is None and result.partial
    [failure] = result.account_failures
    assert (failure.account_id, failure.stage) == (SAVINGS.id, "transactions")
    assert failure.error.code == "unavailable.server_error"
    assert failure.error.url == (f"{site.api_url}/v1/clientes/"
                                 f"{site_customer(site)}/contas/{SAVINGS.id}/movimentacoes")
    assert [a.id for a in result.accounts] == [a.id for a in BANK.accounts]
    assert result.transactions_of(SAVINGS.id) == []
    for account in (CHECKING, CARD, INVESTMENTS):
        assert [(t.id, t.date, t.amount) for t in result.transactions_of(account.id)] == [
            (t.id, t.date, t.amount) for t in account.expected_transactions()]
    assert len(result.holdings) == len(INVESTMENTS.holdings)


def site_customer(site: AuroraSite) -> str:
    from sites.banco_aurora.data import customer_id

    return customer_id(user_cpf("falha-extrato"))


def test_since_limits_the_history_through_the_api_query(failed: dict[str, SyncResult]) -> None:
    result = failed["since"]
    assert result.ok
    for account in BANK.accounts:
        assert [(t.id, t.date, t.amount) for t in result.transactions_of(account.id)] == [
            (t.id, t.date, t.amount) for t in account.expected_transactions()
            if t.date >= date(2026, 11, 1)], account.name


async def test_a_token_expiring_mid_sync_ends_it_as_a_session_expiry(engine: Engine) -> None:
    """The token expires after the accounts were read: the data API's 401 ``token_expirado``
    ends the sync (every later call would be refused too), with the accounts kept."""
    with AuroraSite(approve_after=0.2) as expiring:
        def expire_after_accounts(document: DocumentSeen) -> None:
            if document.stage == "accounts":
                expiring.state.auth.clock = lambda: time.time() + 3600

        started = time.monotonic()
        result = await run(engine, expiring, "banco-aurora", "demo",
                           observer=expire_after_accounts)
        elapsed = time.monotonic() - started
        api_url = expiring.api_url
    error = result.error
    assert error is not None and error.code == "unavailable.session_expired", error
    assert error.url is not None and error.url.endswith(f"/contas/{CHECKING.id}/movimentacoes")
    assert error.url.startswith(api_url)
    assert result.account_failures == [] and result.transactions == []
    assert [a.id for a in result.accounts] == [a.id for a in BANK.accounts]
    assert elapsed < 30

