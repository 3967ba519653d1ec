"""What the HTTP-login tests share: which way a sync went, and what two results must share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from engine import Engine, Recipe, SyncResult
from engine.runner.login_plan import LoginPlan, memory_key
from sites._server import ThreadedServer


@contextlib.contextmanager
def counting_contexts(engine: Engine) -> Iterator[list[int]]:
    """Counts the browser contexts the engine opens inside the block: 0 means the sync ran
    over plain HTTP from start to finish (no page was rendered, no browser was needed)."""
    host = engine.host
    original = host.new_session
    opened = [0]

    async def counting(**options: Any) -> Any:
        opened[0] += 1
        return await original(**options)

    host.new_session = counting  # type: ignore[method-assign]
    try:
        yield opened
    finally:
        del host.new_session


def view(result: SyncResult) -> dict[str, Any]:
    """Everything two paths must agree on: the error's code, the data, the partial failures,
    and whether a resume or session state came back (their contents are sealed)."""
    return {
        "error": result.error.code if result.error else None,
        "accounts": [a.model_dump(mode="json") for a in result.accounts],
        "transactions": [t.model_dump(mode="json") for t in result.transactions],
        "holdings": [h.model_dump(mode="json") for h in result.holdings],
        "account_failures": [(f.account_id, f.stage, f.error.code)
                             for f in result.account_failures],
        "resume_state": result.resume_state is not None,
        "session_state": result.session_state is not None,
    }


def browser_only(recipe: Recipe) -> Recipe:
    """The same recipe, told to log in through the rendered page (``login_render: browser``)."""
    return recipe.model_copy(update={"login_render": "browser"})


def plan_of(engine: Engine, recipe: Recipe, base_url: str) -> str | None:
    """The engine's raw memory entry for this recipe's login (a JSON plan, or a verdict)."""
    return engine._render_memory.get(memory_key(recipe, base_url.rstrip("/") + "/"))


def has_plan(engine: Engine, recipe: Recipe, base_url: str) -> bool:
    entry = plan_of(engine, recipe, base_url)
    return entry is not None and LoginPlan.from_json(entry) is not None


@contextlib.contextmanager
def banque_demo(**options: Any) -> Iterator[ThreadedServer]:
    """Banque Démo on 127.0.0.1, for one test or one module."""
    from sites.banque_demo import create_app

    with ThreadedServer(create_app(**options)) as server:
        yield server


def logins(site: ThreadedServer) -> int:
    """How many times the credentials were posted to Banque Démo."""
    return sum(1 for e in site.app.extensions["request_log"]
               if e["method"] == "POST" and e["path"] == "/connexion")

