"""The authentication stage: browser or HTTP login, OAuth2, and what they hand to the pipeline.

Whatever the way in, the outcome is the same: a logged-in backend and a ``source_for`` giving
each list block its page source (rendered or plain pages after a login, bearer API calls after
OAuth2), so ``pipeline.collect`` never knows which one ran. For browser recipes the order is:
restore the saved session state (persistent cookies), spare the login entirely when the saved
live session is still accepted (``reuse``), otherwise log in — resumed at a one-time code, or
from the start — over the route the engine's verdicts allow (``login_routes``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.backends.base import Cookie
from engine.recipe.lists import ListBlock
from engine.runner.context import SyncContext
from engine.runner.login_routes import log_in
from engine.runner.oauth import ApiClient, ApiPages
from engine.runner.paging import BlockPages
from engine.runner.reuse import live_cookies, still_logged_in
from engine.runner.sources import FetchedPages, PageSource
from engine.runner.state import SavedState, StateError, login_digest, unseal
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
    """Log in (or resume a login, or reuse a session); raises a classified ``SyncError``."""
    if ctx.recipe.institution.backend == "http":
        client = ApiClient(ctx)
        await client.authenticate()
        return Authenticated(ctx, client=client)
    options = ctx.options
    outcome = Authenticated(ctx)
    restored: list[Cookie] = []
    saved: SavedState | None = None
    if use_session_state and options.session_state and options.state_key:
        try:
            saved = unseal(options.session_state, options.state_key, kind="session",
                           institution=ctx.recipe.institution.id)
            restored = list(saved.cookies)
            await ctx.backend.add_cookies(restored)
            outcome.restored_session = True
        except StateError as exc:
            ctx.warnings.append(f"session state ignored: {exc.message}")
    if options.state_key and ctx.credentials:
        ctx.login_identity = login_digest(ctx.credentials, options.state_key)
    if saved is not None and live_cookies(saved) and not options.resume_state and (
            ctx.login_identity is None or saved.extra.get("login") != ctx.login_identity):
        ctx.warnings.append("the saved session was opened with other credentials: not reused")
        saved = replace(saved, extra={})
    if saved is not None and live_cookies(saved) and not options.resume_state \
            and await still_logged_in(ctx, saved):
        outcome.already_logged_in = True
        return outcome
    start, page = 0, None
    if options.resume_state:
        if not options.state_key or not options.otp_code:
            raise ValueError("resuming needs the state key and the one-time code")
        resume = unseal(options.resume_state, options.state_key, kind="resume",
                        institution=ctx.recipe.institution.id)
        await ctx.backend.add_cookies(resume.cookies)
        restored += resume.cookies
        # the session that comes out of a resume is the suspended login's, whatever
        # credentials (often none) the resuming sync was given
        ctx.login_identity = resume.extra.get("login") or ctx.login_identity
        secret_vars = set(resume.extra.get("secret_vars", []))
        for name, value in dict(resume.extra.get("vars", {})).items():
            ctx.variables[name] = Secret(value) if name in secret_vars else value
            if name in secret_vars:
                ctx.redactor.add(value)
        page = resume.url or ctx.base_url
        start = resume.step_index or 0
        ctx.resuming_at = start
    outcome.already_logged_in = await log_in(ctx, start, page, restored)
    return outcome
