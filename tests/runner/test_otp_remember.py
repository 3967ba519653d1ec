"""``otp.remember``: the "remember this device" box is ticked as part of the code step.

A trusted-device cookie is what lets scheduled syncs skip the code, so the box must be ticked
whenever a code is typed — also when a sync resumes at the code step — and a page that stops
offering the box must not break the login.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import redirect, request

from engine import Engine, SyncOptions
from engine.recipe import parse_recipe
from engine.runner.context import OtpChallenge
from tests.never_wrong.site import HOME, PageSite

RECIPE = """
institution: {id: remember, name: Remember, base_url: "http://127.0.0.1:1",
              allowed_domains: [127.0.0.1]}
credentials: [{name: username}, {name: password, secret: true}]
timeouts: {step: 4, sync: 40}
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.username }}"}
  - fill: {css: "#pass", value: "{{ credentials.password }}"}
  - click: "#go"
  - otp: {when: {css: form#otp}, medium: email, fill: "#code", remember: "#remember",
          submit: "#send"}
  - expect: {css: "a#logout"}
accounts:
  goto: /accounts
  each: tr.acct
  fields: {id: "::attr(data-id)", label: td.label, balance: {css: td.balance, parse: amount}}
"""
CODE_PAGE = """<!doctype html><html><body><form id="otp" method="post" action="/code">
<input id="code" name="code">{box}<button id="send" type="submit">Verify</button>
</form></body></html>"""
BOX = '<input type="checkbox" id="remember" name="remember">'
ACCOUNTS = HOME.format(extra='<table><tr class="acct" data-id="A1"><td class="label">Main'
                             '</td><td class="balance">1,00</td></tr></table>')


def code_site(box: bool, received: list[dict[str, str]]) -> PageSite:
    def code() -> object:
        if request.method == "GET":
            return CODE_PAGE.format(box=BOX if box else "")
        received.append(dict(request.form))
        return redirect("/accounts", code=303)

    return PageSite({"/code": code, "/accounts": ACCOUNTS},
                    login_ok=lambda: redirect("/code", code=303))


@pytest.fixture
def started() -> Iterator[list[PageSite]]:
    sites: list[PageSite] = []
    yield sites
    for site in sites:
        site.stop()


async def send_code(challenge: OtpChallenge) -> str:
    assert challenge.medium == "email"
    return "424242"


@pytest.mark.parametrize("box", [True, False], ids=["offered", "not-offered"])
async def test_the_box_is_ticked_when_offered_and_skipped_when_not(
        engine: Engine, started: list[PageSite], box: bool) -> None:
    received: list[dict[str, str]] = []
    site = code_site(box, received).start()
    started.append(site)
    result = await engine.sync(parse_recipe(RECIPE), {"username": "u", "password": "p"},
                               SyncOptions(base_url=site.url, otp_callback=send_code))
    assert result.error is None and [a.id for a in result.accounts] == ["A1"]
    assert [form.get("code") for form in received] == ["424242"]
    assert [form.get("remember") for form in received] == (["on"] if box else [None])


async def test_a_sync_resumed_at_the_code_ticks_the_box_too(
        engine: Engine, started: list[PageSite]) -> None:
    received: list[dict[str, str]] = []
    site = code_site(True, received).start()
    started.append(site)
    recipe, creds, key = parse_recipe(RECIPE), {"username": "u", "password": "p"}, "k" * 32
    stopped = await engine.sync(recipe, creds, SyncOptions(base_url=site.url, state_key=key))
    assert stopped.error is not None and stopped.error.kind == "challenge_required"
    assert stopped.resume_state is not None and received == []
    resumed = await engine.sync(recipe, creds, SyncOptions(
        base_url=site.url, state_key=key, resume_state=stopped.resume_state,
        otp_code="424242"))
    assert resumed.error is None, resumed.error
    assert received == [{"code": "424242", "remember": "on"}]
