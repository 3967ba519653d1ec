"""The HTTP backend at its boundary (httpx MockTransport, no sockets), and the API flow against
a fake API exercising what the demo does not: client-credentials grant with form client
authentication, cursor pagination, a renewed client token, and a non-JSON answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from engine.backends.base import FetchResponse, NavigationFailed, RequestRefused
from engine.backends.http import HttpSession, OutgoingRequest, RequestVetoed, use_request_hook
from engine.errors import EngineError
from engine.recipe import parse_recipe
from engine.runner.context import SyncOptions
from engine.runner.session import run_sync

Handler = Any


def session(handler: Handler, allowed: list[str] | None = None) -> HttpSession:
    return HttpSession(allowed_domains=allowed or ["api.example"],
                       transport=httpx.MockTransport(handler))


async def test_other_hosts_are_refused_and_reported_never_sent() -> None:
    sent: list[str] = []
    http = session(lambda r: sent.append(str(r.url)) or httpx.Response(200))
    with pytest.raises(RequestRefused):
        await http.request("GET", "https://evil.example/steal?token=x", timeout=1)
    with pytest.raises(RequestRefused):
        await http.request("GET", "/relative-without-a-base", timeout=1)
    await http.request("GET", "https://api.example/ok", timeout=1)
    assert sent == ["https://api.example/ok"]
    assert "evil.example" in http.refused_hosts
    await http.close()


@pytest.mark.parametrize(("exc", "timed_out"), [
    (httpx.ReadTimeout("slow"), True), (httpx.ConnectTimeout("slow"), True),
    (httpx.ConnectError("refused"), False), (httpx.RemoteProtocolError("eof"), False)])
async def test_httpx_failures_become_backend_exceptions(exc: Exception, timed_out: bool) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise exc

    http = session(fail)
    with pytest.raises(NavigationFailed) as caught:
        await http.request("GET", "https://api.example/x?client_id=abc", timeout=1)
    assert caught.value.timed_out is timed_out
    assert "client_id" not in str(caught.value), "queries stay out of messages"
    assert http.pending_requests == []
    await http.close()


async def test_redirects_are_not_followed_and_cookies_are_kept() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://elsewhere.example/cb?code=c1",
                                            "Set-Cookie": "sid=s1; Path=/"})

    http = session(answer)
    response = await http.request("GET", "https://api.example/authorize", timeout=1)
    assert response.status == 302
    assert response.headers["location"] == "https://elsewhere.example/cb?code=c1"
    assert [c.name for c in await http.cookies()] == ["sid"]
    assert http.refused_hosts == [], "reading Location is not a request"
    with pytest.raises(EngineError):
        await http.click("#button", timeout=1)
    assert "sid" not in repr(http) and await http.screenshot() is None
    await http.close()


async def test_request_hook_vetoes_and_adjusts() -> None:
    sent: list[str] = []

    class Hook:
        def before(self, request: OutgoingRequest) -> str | None:
            return "not recorded" if "refuse" in request.url else None

        def after(self, request: OutgoingRequest, response: FetchResponse) -> FetchResponse:
            return FetchResponse(response.url, response.status, "adjusted", response.headers)

    http = session(lambda r: sent.append(r.url.path) or httpx.Response(200, text="live"))
    with use_request_hook(Hook()):
        with pytest.raises(RequestVetoed) as caught:
            await http.request("GET", "https://api.example/refuse", timeout=1)
        assert caught.value.reason == "not recorded"
        assert (await http.request("GET", "https://api.example/ok", timeout=1)).text == "adjusted"
    assert (await http.request("GET", "https://api.example/ok", timeout=1)).text == "live"
    assert sent == ["/ok", "/ok"]
    await http.close()


# -- a fake API: client credentials, form client auth, cursors --------------------------------

FAKE_RECIPE = """
institution:
  id: fake-api
  name: Fake API
  base_url: https://api.example
  allowed_domains: [api.example]
  backend: http
credentials:
  - {name: client_id}
  - {name: client_secret, secret: true}
api:
  auth:
    grant: client_credentials
    token_url: /token
    client_id: "{{ credentials.client_id }}"
    client_secret: "{{ credentials.client_secret }}"
    client_auth: body
    scope: accounts
  request_id: X-Correlation-ID
  cursor_param: cursor
  detect:
    refresh: {status: [401], match: "error == 'token_expired'"}
accounts:
  goto: /accounts
  format: json
  each: items
  fields:
    id: {path: id}
    label: {path: label}
    balance: {path: balance.value, parse: decimal}
    currency: {path: balance.currency}
  next_page: page.next_cursor
transactions:
  for_each: account
  goto: "/accounts/{{ account.id }}/movements?limit=2"
  format: json
  each: data
  fields:
    date: {path: date, parse: {date: "%Y-%m-%d"}}
    label: {path: text}
    amount: {path: amount, parse: decimal}
  next_page: page.next_cursor
"""


class FakeApi:
    """Serves FAKE_RECIPE's API; the first accounts call says the token expired."""

    def __init__(self) -> None:
        self.tokens = 0
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path, cursor = request.url.path, request.url.params.get("cursor")
        if path == "/token":
            form = dict(x.split("=") for x in request.content.decode().split("&"))
            if form.get("client_secret") != "shh-secret":
                return httpx.Response(401, json={"error": "invalid_client"})
            assert form["grant_type"] == "client_credentials" and form["scope"] == "accounts"
            self.tokens += 1
            return httpx.Response(200, json={"access_token": f"tok-{self.tokens}-xyz"})
        if request.headers.get("authorization") != f"Bearer tok-{self.tokens}-xyz":
            return httpx.Response(401, json={"error": "invalid_token"})
        if path == "/accounts" and self.tokens == 1:
            return httpx.Response(401, json={"error": "token_expired"})
        if path == "/accounts":
            page = {"items": [{"id": "A1", "label": "Main", "balance": {
                "value": "10.50", "currency": "CHF"}}], "page": {"next_cursor": "p2"}}
            if cursor == "p2":
                page = {"items": [{"id": "A2", "label": "Other", "balance": {
                    "value": "-3.00", "currency": "CHF"}}], "page": {}}
            return httpx.Response(200, json=page)
        if path == "/accounts/A1/movements":
            assert request.url.params["limit"] == "2"
            rows = [{"date": f"2026-01-0{n}", "text": f"T{n}", "amount": f"-{n}.00"}
                    for n in ((1, 2) if cursor is None else (3,))]
            return httpx.Response(200, json={"data": rows, "page": {
                "next_cursor": "m2" if cursor is None else None}})
        return httpx.Response(200, text="<html>not json</html>")


async def fake_sync(api: FakeApi, secret: str = "shh-secret") -> Any:  # noqa: S107
    recipe = parse_recipe(FAKE_RECIPE, "fake.yaml")

    async def open_backend() -> HttpSession:
        return session(api)

    return await run_sync(recipe, open_backend, {"client_id": "cid-123", "client_secret": secret},
                          SyncOptions())


async def test_client_credentials_cursor_pages_and_one_renewal() -> None:
    api = FakeApi()
    result = await fake_sync(api)
    assert [(a.id, str(a.balance), a.currency) for a in result.accounts] == [
        ("A1", "10.50", "CHF"), ("A2", "-3.00", "CHF")]
    assert [t.label for t in result.transactions_of("A1")] == ["T1", "T2", "T3"]
    assert all(t.currency == "CHF" for t in result.transactions)
    # A2's movements answer is not JSON: that account fails, the other is kept
    [failure] = result.account_failures
    assert (failure.account_id, failure.error.code) == ("A2", "recipe_broken.not_json")
    assert api.tokens == 2, "the expired client token was renewed once"
    calls = [r for r in api.seen if r.url.path != "/token"]
    ids = [r.headers["x-correlation-id"] for r in calls]
    assert len(set(ids)) == len(ids) == len(calls), "a fresh request id on every call"
    assert [r.url.params.get("cursor") for r in calls if r.url.path.endswith("/movements")
            ] == [None, "m2", None]
    dumped = result.model_dump_json()
    assert "tok-" not in dumped and "shh-secret" not in dumped


async def test_invalid_client_in_a_form_authenticated_token_call() -> None:
    result = await fake_sync(FakeApi(), secret="wrong-secret")
    assert result.error is not None
    assert result.error.code == "invalid_credentials.invalid_client"
    assert "wrong-secret" not in json.dumps(result.model_dump(mode="json"))
