"""NeoBanque (single-page app) synced two ways: through the rendered DOM, and through the
site's own JSON endpoints after a browser login. Both must match the seeded data exactly."""

from __future__ import annotations

import pytest

from engine import AccountType, Engine, SyncResult, load_recipe
from engine.runner.context import OtpChallenge
from sites.neobanque.data import DEMO_EMAIL, DEMO_PASSWORD, build_bank
from tests.conftest import RECIPES, ServerFactory

pytestmark = pytest.mark.browser
CREDENTIALS = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}


async def code(challenge: OtpChallenge) -> str:
    return "654321"


def assert_matches_seeded_data(result: SyncResult) -> None:
    bank = build_bank()
    assert result.error is None, result.error
    assert [(a.id, a.label, a.type, a.balance, a.currency) for a in result.accounts] == [
        (a.id, a.name, AccountType(a.kind), a.balance, a.currency) for a in bank.accounts]
    for account in bank.accounts:
        got = result.transactions_of(account.id)
        assert [(t.date, t.label, t.amount) for t in got] == [
            (t.date, t.label, t.amount) for t in account.transactions], account.name


@pytest.mark.parametrize("recipe", ["neobanque", "neobanque-hybrid"])
async def test_sync_matches_seeded_data(engine: Engine, neobanque_site: ServerFactory,
                                        recipe: str) -> None:
    site = neobanque_site()
    result = await engine.sync(load_recipe(RECIPES / f"{recipe}.yaml"), CREDENTIALS,
                               base_url=site.url, otp_callback=code)
    assert_matches_seeded_data(result)


async def test_rendered_and_json_give_the_same_data(engine: Engine,
                                                    neobanque_site: ServerFactory) -> None:
    site = neobanque_site()
    dom = await engine.sync(load_recipe(RECIPES / "neobanque.yaml"), CREDENTIALS,
                            base_url=site.url, otp_callback=code)
    api = await engine.sync(load_recipe(RECIPES / "neobanque-hybrid.yaml"), CREDENTIALS,
                            base_url=site.url, otp_callback=code)
    assert [a.model_dump(exclude={"number_masked"}) for a in dom.accounts] == [
        a.model_dump(exclude={"number_masked"}) for a in api.accounts]
    assert [(t.account_id, t.date, t.amount, t.label) for t in dom.transactions] == [
        (t.account_id, t.date, t.amount, t.label) for t in api.transactions]


async def test_hybrid_survives_a_front_end_redesign(engine: Engine,
                                                    neobanque_site: ServerFactory) -> None:
    """The redesign renames every DOM element; the JSON API is unchanged. The hybrid recipe
    names its login controls by what they are and reads failures from the API's answers, so
    it returns exactly the seeded data on the redesigned site too."""
    site = neobanque_site(layout="redesign")
    result = await engine.sync(load_recipe(RECIPES / "neobanque-hybrid.yaml"), CREDENTIALS,
                               base_url=site.url, otp_callback=code, step_timeout=4)
    assert_matches_seeded_data(result)


@pytest.mark.parametrize(("login", "password", "expected"), [
    ("demo@neobanque.test", "nope", "invalid_credentials"),
    ("maint@neobanque.test", "correct-horse-42", "unavailable.maintenance"),
    ("locked@neobanque.test", "correct-horse-42", "action_required.account_locked"),
])
async def test_hybrid_classifies_failures_on_the_redesign(
        engine: Engine, neobanque_site: ServerFactory, login: str, password: str,
        expected: str) -> None:
    site = neobanque_site(layout="redesign")
    result = await engine.sync(load_recipe(RECIPES / "neobanque-hybrid.yaml"),
                               {"email": login, "password": password}, base_url=site.url,
                               otp_callback=code, step_timeout=4)
    assert result.error is not None and result.error.code == expected
