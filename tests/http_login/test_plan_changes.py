"""A site that changes under a warm engine: the HTTP login notices, the browser takes over.

Each test learns a plan on a fresh ``SmallBank`` (one browser login), proves the next sync runs
with no browser context at all, then changes the site the way sites change and checks that the
sync still returns the data, that no form was posted twice, and what the engine remembers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from engine import Engine
from engine.recipe import Recipe, parse_recipe
from engine.runner.login_plan import BROWSER, LoginPlan
from sites._server import ThreadedServer
from tests.http_login.helpers import counting_contexts, plan_of
from tests.http_login.site import PASSWORD, RECIPE, USER, SmallBank

pytestmark = pytest.mark.browser
CREDS = {"user": USER, "password": PASSWORD}


@pytest.fixture
def bank() -> Iterator[tuple[SmallBank, ThreadedServer]]:
    site = SmallBank()
    with ThreadedServer(site.app) as server:
        yield site, server


def recipe(name: str, **changes: str) -> Recipe:
    text = RECIPE.replace("ID", f"small-bank-{name}")
    for key, value in changes.items():
        text = text.replace("credentials:", f"{key}: {value}\ncredentials:", 1)
    return parse_recipe(text)


async def sync(engine: Engine, which: Recipe, server: ThreadedServer,
               password: str = PASSWORD) -> tuple[int, object]:
    with counting_contexts(engine) as opened:
        result = await engine.sync(which, {"user": USER, "password": password},
                                   base_url=server.url)
    return opened[0], result


def accounts_of(result: object) -> list[str]:
    return [a.id for a in result.accounts]  # type: ignore[attr-defined]


async def learn(engine: Engine, which: Recipe, server: ThreadedServer) -> None:
    contexts, first = await sync(engine, which, server)
    assert contexts == 1 and accounts_of(first) == ["c1", "s1"], first
    contexts, second = await sync(engine, which, server)
    assert contexts == 0, "the second sync logs in over plain HTTP"
    assert accounts_of(second) == ["c1", "s1"]


async def test_a_changed_keypad_script_is_caught_and_learnt_again(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    site, server = bank
    which = recipe("pad")
    await learn(engine, which, server)
    plan = LoginPlan.from_json(plan_of(engine, which, server.url) or "")
    assert plan is not None and plan.keypads[2].separator == ","
    site.changes.pad = "v2"  # same URL, other content: tokens now joined with "|"
    posts = site.posts
    contexts, changed = await sync(engine, which, server)
    assert contexts == 1 and accounts_of(changed) == ["c1", "s1"], changed
    assert site.posts - posts == 1, "the HTTP login handed over before posting anything"
    plan = LoginPlan.from_json(plan_of(engine, which, server.url) or "")
    assert plan is not None and plan.keypads[2].separator == "|"
    contexts, again = await sync(engine, which, server)
    assert contexts == 0 and accounts_of(again) == ["c1", "s1"]


async def test_a_site_answering_plain_http_otherwise_falls_back_once_for_good(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    site, server = bank
    which = recipe("shield")
    await learn(engine, which, server)
    site.changes.browser_check = True  # a bot shield: plain clients get another page
    posts = site.posts
    contexts, result = await sync(engine, which, server)
    assert contexts == 1 and accounts_of(result) == ["c1", "s1"], result
    assert site.posts - posts == 2  # the HTTP attempt, then the browser
    assert any("over HTTP did not reach" in w for w in result.warnings)  # type: ignore[attr-defined]
    assert (plan_of(engine, which, server.url) or "").startswith(BROWSER + "|")
    posts = site.posts
    contexts, result = await sync(engine, which, server)
    assert contexts == 1 and accounts_of(result) == ["c1", "s1"]
    assert site.posts - posts == 1, "the fallback is paid once, not on every sync"


async def test_a_cookie_only_a_script_sets_sends_the_login_to_the_browser(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    site, server = bank
    which = recipe("cookie")
    await learn(engine, which, server)
    site.changes.script_cookie = True
    for _ in range(2):  # the page changed (handover), then the plan cannot make the cookie
        posts = site.posts
        contexts, result = await sync(engine, which, server)
        assert contexts == 1 and accounts_of(result) == ["c1", "s1"], result
        assert site.posts - posts == 1
    assert (plan_of(engine, which, server.url) or "").startswith(BROWSER + "|")


async def test_a_field_only_a_script_fills_is_learnt_as_needing_the_browser(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer],
        caplog: pytest.LogCaptureFixture) -> None:
    site, server = bank
    site.changes.device_field = True
    which = recipe("device")
    caplog.set_level(logging.INFO, logger="engine.sync")
    for _ in range(2):
        contexts, result = await sync(engine, which, server)
        assert contexts == 1 and accounts_of(result) == ["c1", "s1"], result
    assert (plan_of(engine, which, server.url) or "").startswith(BROWSER + "|")
    assert "a script sets field 'device'" in caplog.text


async def test_a_wrong_password_is_posted_once_and_classified_over_http(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    site, server = bank
    which = recipe("wrong")
    await learn(engine, which, server)
    posts = site.posts
    contexts, result = await sync(engine, which, server, password="0000")
    assert contexts == 0 and site.posts - posts == 1
    assert result.error is not None and result.error.code == "invalid_credentials"  # type: ignore[attr-defined]
    assert "0000" not in result.model_dump_json()  # type: ignore[attr-defined]


async def test_the_plan_keeps_names_never_values(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    site, server = bank
    which = recipe("secrets")
    await learn(engine, which, server)
    memory = "\n".join(engine._render_memory.values())
    assert PASSWORD not in memory
    assert not [value for value in site.issued if value in memory]
    plan = LoginPlan.from_json(plan_of(engine, which, server.url) or "")
    assert plan is not None
    assert plan.submits[3].fields == ["csrf", "pin", "user"]
    assert plan.submits[3].cookies == ["session"]


async def test_forced_http_never_starts_a_browser_and_says_what_it_cannot_do(
        engine: Engine, bank: tuple[SmallBank, ThreadedServer]) -> None:
    _, server = bank
    which = recipe("forced", login_render="http")
    contexts, result = await sync(engine, which, server)
    assert contexts == 0
    assert result.error is not None  # type: ignore[attr-defined]
    assert result.error.code == "recipe_broken.http_login"  # type: ignore[attr-defined]
    assert "keypad" in result.error.message  # type: ignore[attr-defined]
