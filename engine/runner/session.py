"""One synchronization from start to finish: authentication, collection, result.

Whatever happens, the caller gets a ``SyncResult`` (never an exception for a site's failure),
the data extracted before a failure is kept, secrets are redacted from everything returned
(logs included), the deadline is enforced, and the backend is closed.

A saved session that leads the login astray (the institution accepts it only half, or lands on
a page the steps do not expect) gets one more chance from a clean context without it, and a
state that failed is dropped rather than kept to fail every later sync.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from engine.backends.base import Backend
from engine.backends.netguard.policy import Refusal
from engine.errors import EngineError, ErrorKind, SyncError, Unavailable
from engine.logs import sync_context
from engine.models import SyncResult
from engine.recipe.model import Recipe
from engine.runner.auth import authenticate
from engine.runner.context import SyncContext, SyncOptions
from engine.runner.evidence import save_evidence
from engine.runner.failures import translate
from engine.runner.login_routes import starts_plain
from engine.runner.pipeline import collect
from engine.runner.progress import ProgressEvent, emit
from engine.runner.records import account_of
from engine.runner.state import SavedState, seal
from engine.secrets import Redactor, Secret, redacting_logs

BackendFactory = Callable[[], Awaitable[Backend]]
CLOSE_GRACE_SECONDS = 0.8
SESSION_STATE_DAYS = 90
LIVE_SESSION_HOURS = 24
"""How long a state holding only a live session (no persistent cookie) is worth trying."""
log = logging.getLogger("engine.sync")

RETRY_WITHOUT_STATE = frozenset({ErrorKind.RECIPE_BROKEN, ErrorKind.UNAVAILABLE})
"""Login failures that a stale saved session can cause (an unexpected page, a redirect that
never settles): worth one clean retry. Rejected credentials or a block are not."""


def prepare_credentials(recipe: Recipe,
                        credentials: Mapping[str, str | Secret]) -> dict[str, Secret]:
    """Check every declared credential is given, and wrap them all as ``Secret``."""
    missing = [c.name for c in recipe.credentials if c.name not in credentials]
    if missing:
        raise ValueError(f"missing credentials for {recipe.institution.id}: {', '.join(missing)}")
    return {name: value if isinstance(value, Secret) else Secret(str(value))
            for name, value in credentials.items()}


@dataclass
class _Run:
    recipe: Recipe
    open_backend: BackendFactory
    options: SyncOptions
    secrets: dict[str, Secret]
    redactor: Redactor
    render_memory: dict[str, str]
    backend: Backend | None = None
    ctx: SyncContext | None = None
    open_plain: BackendFactory | None = None
    """A browser-free session (``backends.plain``), for syncs the verdicts allow to run
    without a browser context; None (record, replay): always the browser."""
    refused_before: list[Refusal] = field(default_factory=list)
    """Refusals of a browser-free session the sync moved on from."""


async def run_sync(recipe: Recipe, open_backend: BackendFactory,
                   credentials: Mapping[str, str | Secret],
                   options: SyncOptions | None = None, *,
                   render_memory: dict[str, str] | None = None,
                   open_plain: BackendFactory | None = None) -> SyncResult:
    options = options or SyncOptions()
    if options.resume_state:
        # resuming continues after the password was typed: it is not needed again
        credentials = {**{c.name: "" for c in recipe.credentials}, **credentials}
    secrets = prepare_credentials(recipe, credentials)
    # secrets only: identifiers are not secrets (an account id equal to the username must
    # read the same in accounts and in account_failures)
    redactor = Redactor.for_credentials(secrets, {c.name for c in recipe.credentials
                                                  if c.secret})
    run = _Run(recipe, open_backend, options, secrets, redactor,
               render_memory if render_memory is not None else {}, open_plain=open_plain)
    started = time.perf_counter()
    result = SyncResult(institution=recipe.institution.id, started_at=datetime.now(UTC))
    deadline = options.timeout or recipe.timeouts.sync
    with redacting_logs(redactor), sync_context(institution=recipe.institution.id,
                                                sync_id=uuid.uuid4().hex[:12]):
        try:
            async with asyncio.timeout(deadline):
                await _attempt(run, result)
        except TimeoutError:
            result.error = Unavailable(
                f"the sync did not finish within its {deadline:g} s deadline",
                reason="deadline", url=run.backend.url if run.backend else None).info()
        except SyncError as exc:
            await _fail(run, result, exc)
        except Exception as exc:
            log.error("sync of %s crashed", recipe.institution.id, exc_info=exc)
            text = str(exc).split("\nCall log:")[0][:300]  # never a Playwright call log
            result.error = EngineError(f"{type(exc).__name__}: {text}", reason="crash").info()
        finally:
            if run.backend is not None:
                await _close(run.backend)
        _finish(run, result)
        result.timings_ms["total"] = round((time.perf_counter() - started) * 1000, 1)
        result.finished_at = datetime.now(UTC)
        result = _redacted(result, redactor)
        emit(options.progress, ProgressEvent(
            "sync", "failed" if result.error and not result.accounts else "done",
            count=len(result.accounts), duration_ms=result.timings_ms["total"],
            error_code=result.error.code if result.error else None,
            outcome="partial" if result.partial or (result.error and result.accounts)
            else "failed" if result.error else "ok"))
    return result


async def _attempt(run: _Run, result: SyncResult) -> None:
    """Authenticate and collect; once more without the saved session if it led astray."""
    await _open(run, plain=_plain(run))
    assert run.ctx is not None
    phase = time.perf_counter()
    emit(run.options.progress, ProgressEvent("login", "start"))
    try:
        session = await authenticate(run.ctx)
    except SyncError as exc:
        restored = bool(run.options.session_state and run.options.state_key
                        and not run.options.resume_state)
        if not restored or exc.kind not in RETRY_WITHOUT_STATE:
            raise
        run.ctx.warnings.append(f"login with the saved session failed ({exc.code}); retried "
                                "from a clean session and the saved session was dropped")
        result.drop_session_state = True
        if run.backend is not None:
            await _close(run.backend)
        await _open(run, plain=_plain(run))
        session = await authenticate(run.ctx, use_session_state=False)
    result.timings_ms["login"] = _ms(phase)
    emit(run.options.progress, ProgressEvent("login", "done",
                                             duration_ms=result.timings_ms["login"]))
    phase = time.perf_counter()
    try:
        await collect(run.ctx, result, session.source_for)
    finally:
        result.timings_ms["collect"] = _ms(phase)
    if run.options.state_key and run.recipe.institution.backend != "http":
        result.session_state = await _session_state(run.ctx)


def _plain(run: _Run) -> bool:
    return run.open_plain is not None and starts_plain(run.recipe, run.options,
                                                       run.render_memory)


async def _open(run: _Run, *, plain: bool = False) -> None:
    previous = run.ctx
    run.refused_before = []  # a clean retry reports its own refusals, as it always did
    opener = run.open_plain if plain and run.open_plain is not None else run.open_backend
    run.backend = await opener()
    run.ctx = SyncContext(run.recipe, run.backend, run.options, run.secrets, run.redactor,
                          render_memory=run.render_memory,
                          otp_code=previous.otp_code if previous else run.options.otp_code)
    if previous is not None:
        run.ctx.warnings.extend(previous.warnings)
    if plain and run.open_plain is not None:
        run.ctx.to_browser = functools.partial(_to_browser, run)


async def _to_browser(run: _Run, keep_cookies: bool) -> None:
    """Move a browser-free sync to a browser context: the same sync, the same context object,
    the cookies so far (or none, for a login that starts over)."""
    ctx, old = run.ctx, run.backend
    assert ctx is not None and old is not None
    cookies = await old.cookies() if keep_cookies else []
    ctx.to_browser = None
    new = await run.open_backend()
    run.refused_before.extend(old.refused)
    run.backend = ctx.backend = new
    ctx.response_mark = ctx.checked_upto = 0
    await _close(old)
    if cookies:
        await new.add_cookies(cookies)


async def _fail(run: _Run, result: SyncResult, exc: SyncError) -> None:
    ctx = run.ctx
    if ctx is not None:
        if exc.kind is ErrorKind.RECIPE_BROKEN and run.options.evidence_dir:
            await save_evidence(ctx, exc, run.options.evidence_dir)
        if ctx.partial_accounts and not result.accounts:
            for record in ctx.partial_accounts:
                try:
                    result.accounts.append(account_of(ctx, record))
                except SyncError:
                    break
    if exc.kind is ErrorKind.CHALLENGE_REQUIRED:
        result.resume_state = exc.resume_state
    if run.options.session_state and exc.kind in RETRY_WITHOUT_STATE and not result.ok:
        result.drop_session_state = True
    result.error = exc.info()


def _finish(run: _Run, result: SyncResult) -> None:
    ctx = run.ctx
    if ctx is None:
        return
    result.warnings.extend(ctx.warnings)
    result.timings_ms.update(ctx.step_ms)
    seen = [*run.refused_before, *(run.backend.refused if run.backend is not None else [])]
    refused = sorted(dict.fromkeys(seen), key=lambda r: (r.url, r.initiator or ""))
    if refused:
        shown = ", ".join(r.url + (f" (from {r.initiator})" if r.initiator else "")
                          for r in refused[:5])
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        result.warnings.append(f"refused requests to hosts outside allowed_domains: "
                               f"{shown}{more}")


async def _session_state(ctx: SyncContext) -> str | None:
    """Persistent cookies (trusted device, preferences, a long-lived session the institution
    chose to keep) are restored before the next login. The live session's cookies are kept
    apart (``extra["live_cookies"]``): the next sync first checks whether the institution
    still accepts that session (``runner.reuse``) and logs in only if not — and then without
    them, since a login started half logged-in is not how a person's browser behaves."""
    assert ctx.options.state_key is not None
    now = time.time()
    cookies = await ctx.backend.cookies()
    keep = [c for c in cookies if c.expires and c.expires > now]
    live = [c for c in cookies if not (c.expires and c.expires > 0)]
    if not keep and not live:
        return None
    expires = (min(max(c.expires for c in keep), now + SESSION_STATE_DAYS * 86400) if keep
               else now + LIVE_SESSION_HOURS * 3600)
    state = SavedState(kind="session", institution=ctx.recipe.institution.id, cookies=keep,
                       expires_at=expires,
                       extra={"live_cookies": [asdict(c) for c in live],
                              "login": ctx.login_identity}
                       if live and ctx.login_identity else {})
    return seal(state, ctx.options.state_key)


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


__all__ = ["run_sync", "translate", "wait_for_pending_closes"]
