"""One synchronization from start to finish: login, detection, collection, result.

Whatever happens, the caller gets a ``SyncResult`` (never an exception for a site's failure),
the data extracted before a failure is kept, secrets are redacted from everything returned,
the deadline is enforced, and the backend is closed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from engine.backends.base import Backend, Cookie
from engine.errors import ChallengeRequired, EngineError, RecipeBroken, SyncError, Unavailable
from engine.models import SyncResult
from engine.recipe.model import Recipe
from engine.runner.api_flow import run_api_flow
from engine.runner.collect import collect
from engine.runner.context import SyncContext, SyncOptions
from engine.runner.login import run_login
from engine.runner.state import SavedState, StateError, seal, unseal
from engine.secrets import Redactor, Secret

BackendFactory = Callable[[], Awaitable[Backend]]
CLOSE_GRACE_SECONDS = 0.8
SESSION_STATE_DAYS = 90


def prepare_credentials(recipe: Recipe,
                        credentials: Mapping[str, str | Secret]) -> dict[str, Secret]:
    """Check every declared credential is given, and wrap them all as ``Secret``."""
    missing = [c.name for c in recipe.credentials if c.name not in credentials]
    if missing:
        raise ValueError(f"missing credentials for {recipe.institution.id}: {', '.join(missing)}")
    return {name: value if isinstance(value, Secret) else Secret(str(value))
            for name, value in credentials.items()}


async def run_sync(recipe: Recipe, open_backend: BackendFactory,
                   credentials: Mapping[str, str | Secret],
                   options: SyncOptions | None = None, *,
                   render_memory: dict[str, str] | None = None) -> SyncResult:
    options = options or SyncOptions()
    if options.resume_state:
        # resuming continues after the password was typed: it is not needed again
        credentials = {**{c.name: "" for c in recipe.credentials}, **credentials}
    secrets = prepare_credentials(recipe, credentials)
    redactor = Redactor()
    secret_names = {c.name for c in recipe.credentials if c.secret}
    for name, value in secrets.items():
        # passwords are masked wherever they appear; identifiers when distinctive enough
        redactor.add(value.reveal(), min_length=3 if name in secret_names else 6)
    started = time.perf_counter()
    result = SyncResult(institution=recipe.institution.id, started_at=datetime.now(UTC))
    deadline = options.timeout or recipe.timeouts.sync
    backend: Backend | None = None
    ctx: SyncContext | None = None
    try:
        async with asyncio.timeout(deadline):
            backend = await open_backend()
            ctx = SyncContext(recipe, backend, options, secrets, redactor,
                              render_memory=render_memory if render_memory is not None else {})
            await _sync(ctx, result)
    except TimeoutError:
        result.error = Unavailable(
            f"the sync did not finish within its {deadline:g} s deadline", reason="deadline",
            url=backend.url if backend else None).info()
    except SyncError as exc:
        if isinstance(exc, RecipeBroken) and ctx is not None and options.evidence_dir:
            await _save_evidence(ctx, exc, options.evidence_dir)
        if isinstance(exc, ChallengeRequired):
            result.resume_state = exc.resume_state
        result.error = exc.info()
    except Exception as exc:
        result.error = EngineError(f"{type(exc).__name__}: {exc}", reason="crash").info()
    finally:
        if backend is not None:
            await _close(backend)
    if ctx is not None:
        result.warnings.extend(ctx.warnings)
        result.timings_ms.update(ctx.step_ms)
        refused = backend.refused_hosts if backend else []
        if refused:
            result.warnings.append("refused requests to hosts outside allowed_domains: "
                                   + ", ".join(refused))
    result.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 1)
    result.finished_at = datetime.now(UTC)
    return _redacted(result, redactor)


async def _sync(ctx: SyncContext, result: SyncResult) -> None:
    options, recipe = ctx.options, ctx.recipe
    if recipe.institution.backend == "http":
        await run_api_flow(ctx, result)  # OAuth2 + JSON calls instead of login pages
        return
    phase = time.perf_counter()
    start_step = 0
    if options.session_state and options.state_key:
        try:
            saved = unseal(options.session_state, options.state_key, kind="session",
                           institution=recipe.institution.id)
            await ctx.backend.add_cookies(saved.cookies)
        except StateError as exc:
            ctx.warnings.append(f"session state ignored: {exc.message}")
    if options.resume_state:
        if not options.state_key or not options.otp_code:
            raise ValueError("resuming needs the state key and the one-time code")
        saved = unseal(options.resume_state, options.state_key, kind="resume",
                       institution=recipe.institution.id)
        await ctx.backend.add_cookies(saved.cookies)
        await ctx.backend.goto(saved.url or ctx.base_url, timeout=ctx.step_timeout)
        start_step = saved.step_index or 0
    await run_login(ctx, start_step)
    result.timings_ms["login"] = _ms(phase)
    phase = time.perf_counter()
    try:
        await collect(ctx, result)
    finally:
        result.timings_ms["collect"] = _ms(phase)
    if options.state_key:
        result.session_state = await _session_state(ctx)


async def _session_state(ctx: SyncContext) -> str | None:
    """Keep only persistent cookies (trusted device, preferences): session cookies would make
    the next login start half logged-in, which is not how a person's browser behaves."""
    assert ctx.options.state_key is not None
    keep = [c for c in await ctx.backend.cookies() if c.expires and c.expires > time.time()]
    if not keep:
        return None
    expires = min(max(c.expires for c in keep), time.time() + SESSION_STATE_DAYS * 86400)
    state = SavedState(kind="session", institution=ctx.recipe.institution.id, cookies=keep,
                       expires_at=expires)
    return seal(state, ctx.options.state_key)


async def _save_evidence(ctx: SyncContext, error: SyncError, folder: Path) -> None:
    """Scrubbed HTML and a screenshot of the page that broke, for the recipe maintainers."""
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{ctx.recipe.institution.id}-{stamp}"
        target.mkdir(parents=True, exist_ok=True)
        html_path = target / "page.html"
        html_path.write_text(ctx.redactor(await ctx.backend.content()), encoding="utf-8")
        error.evidence["html"] = str(html_path)
        shot = await ctx.backend.screenshot()
        if shot:
            (target / "screenshot.png").write_bytes(shot)
            error.evidence["screenshot"] = str(target / "screenshot.png")
    except Exception as exc:
        ctx.warnings.append(f"evidence could not be saved: {type(exc).__name__}")


_pending_closes: set[asyncio.Task[None]] = set()


async def _close(backend: Backend) -> None:
    """Close within a short grace period; a slow close finishes in the background so the sync
    never outlives its deadline by more than about a second."""
    task = asyncio.ensure_future(backend.close())
    _pending_closes.add(task)
    task.add_done_callback(_pending_closes.discard)
    try:
        await asyncio.wait_for(asyncio.shield(task), CLOSE_GRACE_SECONDS)
    except (TimeoutError, asyncio.CancelledError):
        pass
    except Exception:  # noqa: S110 - closing must never mask the sync's own outcome
        pass


async def wait_for_pending_closes() -> None:
    if _pending_closes:
        await asyncio.gather(*_pending_closes, return_exceptions=True)


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _redacted(result: SyncResult, redactor: Redactor) -> SyncResult:
    """Last line of defence: no credential value leaves in messages, warnings or details."""
    if result.error is not None:
        result.error = result.error.model_validate(redactor.scrub_obj(result.error.model_dump()))
    result.warnings = [redactor(w) for w in result.warnings]
    result.account_failures = [
        f.model_validate(redactor.scrub_obj(f.model_dump())) for f in result.account_failures
    ]
    return result


__all__ = ["Cookie", "run_sync", "wait_for_pending_closes"]
