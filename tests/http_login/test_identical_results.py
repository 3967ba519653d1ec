"""Every demo-site scenario gives the same result with the HTTP login and the browser login.

Banque Démo (server-rendered, CSRF, scrambled keypad, SMS code): one browser login teaches the
engine the plan, then each scenario is synced twice on the same engine — once with the recipe
as written (``login_render: auto``: over HTTP, which the test proves by counting the browser
contexts opened: none), once told to log in through the browser — and the two results must
agree on the error code, every account, transaction and holding, the partial failures and
the states returned. One-time codes and resume states cross the paths both ways.

NeoBanque (single-page app: its login form exists only once its script runs) must be seen to
need the browser: the recipe as written learns that and then gives what the browser gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from engine import Engine, SyncOptions, SyncResult, load_recipe
from engine.runner.login_plan import BROWSER, LoginPlan, plan_digest, remember
from engine.runner.state import new_key, seal, unseal
from sites._server import ThreadedServer
from tests.conftest import RECIPES
from tests.http_login.helpers import (
    browser_only,
    counting_contexts,
    has_plan,
    logins,
    plan_of,
    view,
)

pytestmark = pytest.mark.browser

BANQUE = load_recipe(RECIPES / "banque-demo.yaml")
NEO = load_recipe(RECIPES / "neobanque.yaml")
FAST = {"step_timeout": 2.0, "timeout": 10.0}
PASSWORD = "123456"

BANQUE_CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    ("normal", "demo", PASSWORD, {}, None),
    ("wrong-password", "demo", "000000", {}, "invalid_credentials"),
    ("unknown-user", "nobody", PASSWORD, {}, "invalid_credentials"),
    ("locked", "demo-locked", PASSWORD, {}, "action_required.account_locked"),
    ("expired", "demo-expired", PASSWORD, {}, "password_expired"),
    ("security-validation", "demo-secvalid", PASSWORD, {},
     "action_required.security_validation"),
    ("otp-with-code", "demo-otp", PASSWORD, {"otp_code": "123456"}, None),
    ("otp-wrong-code", "demo-otp", PASSWORD, {"otp_code": "999999"},
     "invalid_credentials.wrong_code"),
    ("maintenance-200", "demo-maint", PASSWORD, {}, "unavailable.maintenance"),
    ("maintenance-503", "demo-maint503", PASSWORD, {}, "unavailable.maintenance"),
    ("rate-limit-429", "demo-ratelimit", PASSWORD, {}, "blocked.rate_limited"),
    ("captcha", "demo-captcha", PASSWORD, {}, "blocked.captcha"),
    ("broken-history", "demo-brokenhistory", PASSWORD, {}, None),
    ("slow-page", "demo-slow", PASSWORD, FAST, "unavailable.timeout"),
    ("hanging-connection", "demo-hang", PASSWORD, FAST, "unavailable.timeout"),
]


@pytest.fixture(scope="module")
def bank() -> Iterator[ThreadedServer]:
    from sites.banque_demo import create_app

    app = create_app(slow_seconds=20)
    with ThreadedServer(app) as server:
        yield server
        app.extensions["banque_demo"].hang_release.set()


def same_code(result: SyncResult, code: str | None) -> bool:
    """A slow or hanging site is unavailable either way; on a loaded machine the whole-sync
    deadline may fire before the step timeout does (as in tests/e2e)."""
    got = result.error.code if result.error else None
    return got == code or (code == "unavailable.timeout" and got == "unavailable.deadline")


def comparable(result: SyncResult) -> dict[str, Any]:
    seen = view(result)
    if seen["error"] == "unavailable.deadline":
        seen["error"] = "unavailable.timeout"
    return seen


async def learnt(engine: Engine, site: ThreadedServer) -> None:
    """One browser login on this site (the first sync of the recipe here) teaches the plan."""
    if not has_plan(engine, BANQUE, site.url):
        first = await engine.sync(BANQUE, {"username": "demo", "password": PASSWORD},
                                  base_url=site.url)
        assert first.error is None, first.error
    assert has_plan(engine, BANQUE, site.url)


@pytest.mark.parametrize(("login", "password", "options", "code"),
                         [c[1:] for c in BANQUE_CASES], ids=[c[0] for c in BANQUE_CASES])
async def test_banque_demo_same_result_over_http_and_in_the_browser(
        engine: Engine, bank: ThreadedServer, login: str, password: str,
        options: dict[str, Any], code: str | None) -> None:
    await learnt(engine, bank)
    creds = {"username": login, "password": password}
    posts = logins(bank)
    with counting_contexts(engine) as opened:
        over_http = await engine.sync(BANQUE, creds, base_url=bank.url, **options)
    assert opened[0] == 0, "the HTTP login and its lists need no browser context"
    assert logins(bank) - posts == 1, "the credentials are posted once"
    posts = logins(bank)
    in_browser = await engine.sync(browser_only(BANQUE), creds, base_url=bank.url, **options)
    assert logins(bank) - posts == 1
    assert same_code(over_http, code) and same_code(in_browser, code)
    assert comparable(over_http) == comparable(in_browser)
    if login == "demo-brokenhistory":
        assert over_http.partial and over_http.account_failures
    assert has_plan(engine, BANQUE, bank.url), "a classified failure keeps the plan"


async def test_a_challenge_stopped_on_one_path_resumes_on_either(
        engine: Engine, bank: ThreadedServer) -> None:
    await learnt(engine, bank)
    key = new_key()
    creds = {"username": "demo-otp", "password": PASSWORD}
    results = {}
    for stop_on, resume_on in (("http", "http"), ("http", "browser"), ("browser", "http")):
        recipes = {"http": BANQUE, "browser": browser_only(BANQUE)}
        with counting_contexts(engine) as opened:
            stopped = await engine.sync(recipes[stop_on], creds,
                                        SyncOptions(base_url=bank.url, state_key=key))
        assert (opened[0] == 0) == (stop_on == "http")
        assert stopped.error is not None and stopped.error.code == "challenge_required"
        assert stopped.resume_state is not None
        posts = logins(bank)
        with counting_contexts(engine) as opened:
            resumed = await engine.sync(recipes[resume_on], {}, SyncOptions(
                base_url=bank.url, state_key=key, resume_state=stopped.resume_state,
                otp_code="123456"))
        assert (opened[0] == 0) == (resume_on == "http")
        assert logins(bank) == posts, "resuming never types the password again"
        assert resumed.error is None, resumed.error
        results[(stop_on, resume_on)] = view(resumed)
        state = unseal(resumed.session_state or "", key, kind="session",
                       institution="banque-demo")
        assert "appareil_de_confiance" in {c.name for c in state.cookies}
    first, *others = results.values()
    assert all(other == first for other in others)


async def test_an_expired_challenge_is_said_alike(engine: Engine, bank: ThreadedServer) -> None:
    """A resume state whose challenge the site no longer shows: restart, on both paths."""
    await learnt(engine, bank)
    key = new_key()
    creds = {"username": "demo-otp", "password": PASSWORD}
    stopped = await engine.sync(BANQUE, creds, SyncOptions(base_url=bank.url, state_key=key))
    assert stopped.resume_state is not None
    state = unseal(stopped.resume_state, key, kind="resume", institution="banque-demo")
    assert state.url is not None and state.url.endswith("/code-sms")
    codes = []
    for recipe in (BANQUE, browser_only(BANQUE)):
        # a resume state without the session cookie: the site answers the login page
        bare = seal(replace(state, cookies=[]), key)
        resumed = await engine.sync(recipe, {}, SyncOptions(
            base_url=bank.url, state_key=key, resume_state=bare, otp_code="123456"))
        codes.append(resumed.error.code if resumed.error else None)
    assert codes == ["challenge_required.challenge_expired"] * 2


async def test_the_redesign_is_recipe_broken_from_the_browser_on_both_paths(
        engine: Engine, banque_demo_site: Any) -> None:
    """A site change the plan does not know (other pages): the browser takes over and says
    what changed, with its evidence, exactly as without any plan."""
    classic = banque_demo_site()
    await learnt(engine, classic)
    plan = LoginPlan.from_json(plan_of(engine, BANQUE, classic.url) or "")
    assert plan is not None
    # the plan learnt on the classic site, used on the redesigned one: a site that changed
    redesign = banque_demo_site(layout="redesign")
    plan.digest = plan_digest(BANQUE, redesign.url + "/")
    remember(engine._render_memory, BANQUE, redesign.url + "/", plan)
    creds = {"username": "demo", "password": PASSWORD}
    with counting_contexts(engine) as opened:
        over_http = await engine.sync(BANQUE, creds, base_url=redesign.url, step_timeout=3)
    assert opened[0] == 1, "the browser took over"
    in_browser = await engine.sync(browser_only(BANQUE), creds, base_url=redesign.url,
                                   step_timeout=3)
    assert over_http.error is not None and in_browser.error is not None
    assert over_http.error.kind == "recipe_broken"
    assert view(over_http) == view(in_browser)
    assert (over_http.error.step, over_http.error.selector) == (in_browser.error.step,
                                                                in_browser.error.selector)


NEO_CASES: list[tuple[str, str, str, dict[str, Any], str | None]] = [
    ("normal-with-code", "demo@neobanque.test", "correct-horse-42", {"otp_code": "654321"},
     None),
    ("wrong-password", "demo@neobanque.test", "nope", {}, "invalid_credentials"),
    ("locked", "locked@neobanque.test", "correct-horse-42", {},
     "action_required.account_locked"),
    ("expired", "expired@neobanque.test", "correct-horse-42", {}, "password_expired"),
    ("security-validation", "secvalid@neobanque.test", "correct-horse-42", {},
     "action_required.security_validation"),
    ("otp-no-code", "demo@neobanque.test", "correct-horse-42", {}, "challenge_required"),
    ("maintenance-200", "maint@neobanque.test", "correct-horse-42", {},
     "unavailable.maintenance"),
    ("http-503", "maint503@neobanque.test", "correct-horse-42", {},
     "unavailable.server_error"),
    ("rate-limit-429", "ratelimit@neobanque.test", "correct-horse-42", {},
     "blocked.rate_limited"),
    ("captcha", "captcha@neobanque.test", "correct-horse-42", {}, "blocked.captcha"),
    ("slow-page", "slow@neobanque.test", "correct-horse-42", FAST, "unavailable.timeout"),
    ("hanging-connection", "hang@neobanque.test", "correct-horse-42", FAST,
     "unavailable.timeout"),
]


@pytest.fixture(scope="module")
def neo() -> Iterator[ThreadedServer]:
    from sites.neobanque import create_app

    with ThreadedServer(create_app(slow_seconds=20)) as server:
        yield server


@pytest.mark.parametrize(("login", "password", "options", "code"),
                         [c[1:] for c in NEO_CASES], ids=[c[0] for c in NEO_CASES])
async def test_neobanque_needs_the_browser_and_says_the_same(
        engine: Engine, neo: ThreadedServer, login: str, password: str,
        options: dict[str, Any], code: str | None) -> None:
    creds = {"email": login, "password": password}
    if plan_of(engine, NEO, neo.url) is None:
        first = await engine.sync(NEO, {"email": "demo@neobanque.test",
                                        "password": "correct-horse-42"},
                                  base_url=neo.url, otp_code="654321")
        assert first.error is None, first.error
    assert (plan_of(engine, NEO, neo.url) or "").startswith(BROWSER + "|"), \
        "a login form drawn by script is seen to need the browser"
    if code != "challenge_required":
        options = {"otp_code": "654321", **options}  # a new device: the code is asked first
    auto = await engine.sync(NEO, creds, base_url=neo.url, **options)
    in_browser = await engine.sync(browser_only(NEO), creds, base_url=neo.url, **options)
    assert same_code(auto, code)
    assert same_code(in_browser, code)
    assert comparable(auto) == comparable(in_browser)
