"""What the HTTP login must never weaken: isolation, allowed_domains, deadlines, redaction.

Each sync over HTTP has its own session and cookie jar, goes through the same host rule as the
browser on every redirect hop, dies with its deadline, and returns or logs no secret.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from engine import Engine, SyncOptions, load_recipe
from engine.recipe import parse_recipe
from engine.runner.state import new_key, unseal
from sites._server import ThreadedServer
from tests.conftest import RECIPES
from tests.e2e.test_allowed_domains import RECIPE as EXFIL_RECIPE
from tests.e2e.test_allowed_domains import exfiltrating_site
from tests.http_login.helpers import browser_only, counting_contexts, has_plan
from tests.never_wrong.site import PageSite, accounts_page

pytestmark = pytest.mark.browser

BANQUE = load_recipe(RECIPES / "banque-demo.yaml")
TRUSTED = "appareil_de_confiance"


@pytest.fixture(scope="module")
def bank() -> Iterator[ThreadedServer]:
    from sites.banque_demo import create_app

    app = create_app()
    with ThreadedServer(app) as server:
        yield server
        app.extensions["banque_demo"].hang_release.set()


async def learnt(engine: Engine, server: ThreadedServer) -> None:
    if not has_plan(engine, BANQUE, server.url):
        first = await engine.sync(BANQUE, {"username": "demo", "password": "123456"},
                                  base_url=server.url)
        assert first.error is None, first.error
    assert has_plan(engine, BANQUE, server.url)


async def test_one_customers_cookies_never_reach_anothers_sync(
        engine: Engine, bank: ThreadedServer) -> None:
    await learnt(engine, bank)
    key_a, key_b = new_key(), new_key()
    otp = {"username": "demo-otp", "password": "123456"}
    with counting_contexts(engine) as opened:
        first = await engine.sync(BANQUE, otp, SyncOptions(base_url=bank.url, state_key=key_a,
                                                           otp_code="123456"))
        assert first.error is None and first.session_state
        # A with its trusted device and session, B on a new device, at the same time
        a, b = await asyncio.gather(
            engine.sync(BANQUE, otp, SyncOptions(base_url=bank.url, state_key=key_a,
                                                 session_state=first.session_state)),
            engine.sync(BANQUE, otp, SyncOptions(base_url=bank.url, state_key=key_b)))
    assert opened[0] == 0
    assert a.error is None and len(a.accounts) == 4
    assert b.error is not None and b.error.code == "challenge_required"
    resume = unseal(b.resume_state or "", key_b, kind="resume", institution="banque-demo")
    assert TRUSTED not in {c.name for c in resume.cookies}
    mine = unseal(first.session_state, key_a, kind="session", institution="banque-demo")
    theirs = {c.value for c in resume.cookies}
    assert not theirs & {c.value for c in mine.cookies}, "no cookie value is shared"


@pytest.fixture
def exfil() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    with ThreadedServer(exfiltrating_site(hits)) as server:
        yield server.url, hits


@pytest.mark.parametrize("mode", ["direct", "chain"])
async def test_a_form_redirected_to_another_host_is_refused_over_http(
        engine: Engine, exfil: tuple[str, list[str]], mode: str) -> None:
    url, hits = exfil
    text = EXFIL_RECIPE.replace("MODE", mode).replace("login:", "login_render: http\nlogin:")
    recipe = parse_recipe(text.replace("id: exfil", f"id: exfil-http-{mode}"))
    with counting_contexts(engine) as opened:
        over_http = await engine.sync(recipe, {"password": "s3cret-pw"}, base_url=url,
                                      step_timeout=2)
    assert opened[0] == 0
    assert hits == [], "the other host must never be reached"
    assert over_http.error is not None
    assert over_http.error.code == "recipe_broken.host_refused"
    assert "localhost" in (over_http.error.url or "")
    assert any("localhost" in w and "refused" in w for w in over_http.warnings)
    in_browser = await engine.sync(browser_only(recipe), {"password": "s3cret-pw"},
                                   base_url=url, step_timeout=2)
    assert in_browser.error is not None and in_browser.error.code == over_http.error.code
    assert "s3cret-pw" not in over_http.model_dump_json()


async def test_the_sync_deadline_holds_over_http(engine: Engine, bank: ThreadedServer) -> None:
    await learnt(engine, bank)
    started = time.monotonic()
    with counting_contexts(engine) as opened:
        result = await engine.sync(BANQUE, {"username": "demo-hang", "password": "123456"},
                                   SyncOptions(base_url=bank.url, timeout=2.5, step_timeout=10))
    assert opened[0] == 0
    assert result.error is not None and result.error.code == "unavailable.deadline"
    assert time.monotonic() - started < 4.5


async def test_no_secret_in_results_or_logs_over_http(
        engine: Engine, bank: ThreadedServer, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    await learnt(engine, bank)
    caplog.set_level(logging.DEBUG)
    secret = "904613"
    with counting_contexts(engine) as opened:
        failed = await engine.sync(BANQUE, {"username": "demo", "password": secret},
                                   base_url=bank.url)
        ok = await engine.sync(BANQUE, {"username": "demo", "password": "123456"},
                               SyncOptions(base_url=bank.url, state_key=new_key()))
    assert opened[0] == 0
    assert failed.error is not None and failed.error.kind == "invalid_credentials"
    assert ok.error is None
    outputs = [failed.model_dump_json(), repr(failed), ok.model_dump_json(), repr(ok),
               caplog.text, *capsys.readouterr(), "\n".join(engine._render_memory.values())]
    for text in outputs:
        assert secret not in text


async def test_forced_http_logs_in_a_plain_form_without_any_browser(engine: Engine) -> None:
    site = PageSite({"/accounts": accounts_page([("a1", "Courant", "10,00 €")])}).start()
    try:
        recipe = parse_recipe("""
institution: {id: plain-form, name: Plain, base_url: http://127.0.0.1,
              allowed_domains: [127.0.0.1]}
credentials: [{name: user}, {name: password, secret: true}]
login_render: http
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.user }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "#logout"}
accounts:
  goto: /accounts
  render: http
  each: tr.acct
  fields: {id: "::attr(data-id)", label: td.label, balance: {css: td.balance, parse: amount}}
""")
        with counting_contexts(engine) as opened:
            result = await engine.sync(recipe, {"user": "u1", "password": "pw"},
                                       base_url=site.url)
        assert opened[0] == 0
        assert result.error is None, result.error
        assert [a.id for a in result.accounts] == ["a1"]
        assert ("POST", "/login") in site.hits
    finally:
        site.stop()
