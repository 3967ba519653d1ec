"""The authentication stage: browser login, OAuth2, and what they hand to the pipeline.

Whatever the way in, the outcome is the same: a logged-in backend and a ``source_for`` giving
each list block its page source (rendered or plain pages after a browser login, bearer API
calls after OAuth2), so ``pipeline.collect`` never knows which one ran.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.recipe.lists import ListBlock
from engine.runner.context import SyncContext
from engine.runner.login import run_login
from engine.runner.oauth import ApiClient, ApiPages
from engine.runner.paging import BlockPages
from engine.runner.sources import FetchedPages, PageSource
from engine.runner.state import StateError, unseal
from engine.secrets import Secret


@dataclass
class Authenticated:
    """What the pipeline needs from authentication."""

    ctx: SyncContext
    client: ApiClient | None = None
    already_logged_in: bool = False
    """The login steps were cut short: the restored session was still accepted."""
    restored_session: bool = False

    def source_for(self, name: str, block: ListBlock) -> PageSource:
        if self.client is not None:
            return ApiPages(self.client, name, block)
        if block.format == "json":
            return FetchedPages(self.ctx, name, block)
        return BlockPages(self.ctx, name, block)


async def authenticate(ctx: SyncContext, *, use_session_state: bool = True) -> Authenticated:
    """Log in (or resume a login); raises a classified ``SyncError`` on failure."""
    if ctx.recipe.institution.backend == "http":
        client = ApiClient(ctx)
        await client.authenticate()
        return Authenticated(ctx, client=client)
    options = ctx.options
    outcome = Authenticated(ctx)
    if use_session_state and options.session_state and options.state_key:
        try:
            saved = unseal(options.session_state, options.state_key, kind="session",
                           institution=ctx.recipe.institution.id)
            await ctx.backend.add_cookies(saved.cookies)
            outcome.restored_session = True
        except StateError as exc:
            ctx.warnings.append(f"session state ignored: {exc.message}")
    start = 0
    if options.resume_state:
        if not options.state_key or not options.otp_code:
            raise ValueError("resuming needs the state key and the one-time code")
        saved = unseal(options.resume_state, options.state_key, kind="resume",
                       institution=ctx.recipe.institution.id)
        await ctx.backend.add_cookies(saved.cookies)
        secret_vars = set(saved.extra.get("secret_vars", []))
        for name, value in dict(saved.extra.get("vars", {})).items():
            ctx.variables[name] = Secret(value) if name in secret_vars else value
            if name in secret_vars:
                ctx.redactor.add(value)
        await ctx.backend.goto(saved.url or ctx.base_url, timeout=ctx.step_timeout)
        start = saved.step_index or 0
        ctx.resuming_at = start
    outcome.already_logged_in = await run_login(ctx, start)
    return outcome
