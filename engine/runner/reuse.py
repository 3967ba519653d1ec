"""Reusing what the customer already has: a saved live session the institution still accepts.

A successful sync keeps the live session's cookies in its session state, apart from the
persistent ones (``session._session_state``). The next sync first opens the first data page
(the first accounts block's ``goto``) with them and checks the login's own final
expectation there — the page a logged-in customer sees. If it holds, the login is skipped
entirely and collection starts on that very page; if not (the institution ended the session,
or the page is the login form), the live cookies are dropped again and the login runs as if
they had never been there, with the persistent cookies only.

Over HTTP when the sync runs without a browser (the verdicts allow it), in the browser
otherwise — the check reads the page the way its list block would be read.
"""

from __future__ import annotations

from typing import Any

from engine.backends.base import Cookie
from engine.runner.context import SyncContext
from engine.runner.detection import condition_met
from engine.runner.login import final_expectation
from engine.runner.state import SavedState

STEP = "session check"
SETTLE_SECONDS = 5.0


def live_cookies(saved: SavedState) -> list[Cookie]:
    raw: Any = saved.extra.get("live_cookies") or []
    try:
        return [Cookie(**c) for c in raw if isinstance(c, dict)]
    except TypeError:
        return []


async def still_logged_in(ctx: SyncContext, saved: SavedState) -> bool:
    """Whether the saved live session still lands on a logged-in page (see the module doc)."""
    final = final_expectation(ctx)
    block = ctx.recipe.account_blocks[0]
    if final is None or final[1].response is not None or block.format != "html" \
            or not block.goto:
        return False  # nothing on a data page can tell a logged-in session
    backend = ctx.backend
    await backend.add_cookies(live_cookies(saved))
    url = ctx.url(block.goto, where="accounts.goto")
    try:
        await backend.goto(url, timeout=ctx.step_timeout)
        if backend.rendering:
            await backend.settle(timeout=min(ctx.step_timeout, SETTLE_SECONDS))
        page = await ctx.snapshot()  # the check's own answers are not the login's
    except Exception as exc:
        raise ctx.translate(exc, STEP) from exc
    if condition_met(final[1], page, ctx.expression_context()):
        if backend.rendering:
            ctx.fresh_page = backend.url  # collection starts on this very page
        return True
    await backend.clear_cookies()
    await backend.add_cookies(list(saved.cookies))
    return False


__all__ = ["live_cookies", "still_logged_in"]
