"""Which way a browser recipe logs in, and going back to the browser when HTTP is not sure.

``starts_plain`` decides, before anything is opened, whether a sync may start without a
browser context: when its login may run over HTTP (a learnt plan, or ``login_render: http``)
or a saved live session may spare the login, and no list page is known to need rendering
yet... or even when one is, since a rendered page moves the sync to a browser context
(``SyncContext.to_browser``) with the cookies so far, and a login over HTTP has then still
spared its rendering.

``log_in`` runs the login steps over the route the verdict allows:

- HTTP (``HttpRuntime``) when a plan is known (or forced). ``LoginHandover`` (a page the plan
  does not cover) moves the sync to the browser *at the page it was on*, with its cookies, and
  the browser goes on from the next step — no form is posted twice; ``LoginDiverged`` (the
  HTTP login did not reach what the login expects) forgets the plan — the login stays in
  the browser for the life of the engine, so a site that answers plain HTTP differently costs
  that fallback once — and the browser logs in again from the start, with only the cookies
  the sync started with;
- the browser, watched (``LearningRuntime``) while the recipe may log in over HTTP and the
  engine has not seen it need the browser: what it learns is remembered for the next syncs;
- the browser, plain (``PageRuntime``), when the verdict is "browser".
"""

from __future__ import annotations

from engine.backends.base import Cookie
from engine.backends.plain import PlainSession
from engine.errors import ErrorKind, SyncError
from engine.recipe.model import Recipe
from engine.runner.context import SyncContext, SyncOptions
from engine.runner.http_login import HttpRuntime
from engine.runner.login import run_login
from engine.runner.login_learning import LearningRuntime
from engine.runner.login_plan import (
    BROWSER,
    LoginPlan,
    http_ineligible,
    remember,
    remembered,
)
from engine.runner.page_runtime import PageRuntime, following_expectation

FINAL_ON_BROWSER = frozenset({"host_refused"})
"""``recipe_broken`` reasons the HTTP login reports as the browser would (a refused host is
refused there too, and the browser would post the form to it again)."""


def base_url_of(recipe: Recipe, options: SyncOptions) -> str:
    return (options.base_url or recipe.institution.base_url).rstrip("/") + "/"


def starts_plain(recipe: Recipe, options: SyncOptions, memory: dict[str, str]) -> bool:
    """Whether this sync may start without a browser context (see the module docstring)."""
    if recipe.institution.backend != "browser" or options.render == "browser":
        return False
    login_http = http_ineligible(recipe) is None and (
        recipe.login_render == "http"
        or isinstance(remembered(memory, recipe, base_url_of(recipe, options)), LoginPlan))
    if login_http:
        return True
    if options.session_state is None or options.resume_state is not None:
        return False
    # a saved session may spare the login: worth it when no list needs a browser either
    return all(_block_plain(recipe, name, block, options, memory)
               for name, block in recipe.blocks())


def _block_plain(recipe: Recipe, name: str, block: object, options: SyncOptions,
                 memory: dict[str, str]) -> bool:
    from engine.recipe.lists import ListBlock

    assert isinstance(block, ListBlock)
    if block.format != "html" or options.render == "http" or block.render == "http":
        return True
    if block.rendered_only or block.render == "browser":
        return False
    return memory.get(f"{recipe.institution.id}/{name}", "").startswith("http|")


async def log_in(ctx: SyncContext, start: int, resume_url: str | None,
                 restart_cookies: list[Cookie]) -> bool:
    """Run ``login[start:]`` on the best route; True when the session was already logged in.
    ``resume_url``: the page a resumed login continues on; ``restart_cookies``: what a login
    starting over in the browser gets back (restored state, resume cookies)."""
    recipe, memory, base = ctx.recipe, ctx.render_memory, ctx.base_url
    verdict = remembered(memory, recipe, base)
    eligible = http_ineligible(recipe) is None
    forced = eligible and recipe.login_render == "http"
    plan = verdict if isinstance(verdict, LoginPlan) else None
    first, page = start, resume_url  # where the browser begins, if it must
    session = ctx.backend
    if ctx.to_browser is not None and isinstance(session, PlainSession) and eligible and (
            forced or plan is not None):
        runtime = HttpRuntime(ctx, session=session, plan=plan, forced=forced)
        try:
            if resume_url is not None:
                _begin(runtime, ctx, start)
                try:
                    await runtime.load(resume_url, start - 1)
                except SyncError:
                    raise
                except Exception as exc:
                    raise ctx.translate(exc, runtime.step) from exc
            return await run_login(ctx, start, runtime)
        except SyncError as exc:
            if forced or not _back_to_browser(exc):
                raise
            if exc.reason == "handover" and exc.details.get("final"):
                remember(memory, recipe, base, BROWSER)
                verdict, plan = BROWSER, None
            if exc.reason == "handover" and exc.details.get("url"):
                # the page it was on can be loaded again by URL: the browser goes on there,
                # with the session's cookies, from the step after the one that loaded it
                first, page = int(exc.details["resume_at"]), str(exc.details["url"])
                await _to_browser(ctx, keep_cookies=True)
            else:
                if exc.reason != "handover":
                    # not the state a browser reaches: the plan is wrong for this site, and
                    # learning it again would only cost this fallback on every sync
                    remember(memory, recipe, base, BROWSER)
                    verdict, plan = BROWSER, None
                    ctx.warnings.append("the login over HTTP did not reach what the login "
                                        "expects; logged in through the browser instead")
                await _start_over(ctx, restart_cookies)
    if ctx.to_browser is not None:
        await _to_browser(ctx, keep_cookies=True)
    learner: LearningRuntime | None = None
    if eligible and verdict != BROWSER:
        learner = LearningRuntime(ctx, restored_cookies={c.name for c in restart_cookies},
                                  known=plan)
    runtime_b = learner if learner is not None else PageRuntime(ctx)
    try:
        if page is not None:
            await _open_page(ctx, page, first, learner)
        done = await run_login(ctx, first, runtime_b)
    except SyncError as exc:
        if learner is not None:
            _learn(ctx, learner, reached=exc.kind is ErrorKind.CHALLENGE_REQUIRED)
        raise
    if learner is not None:
        _learn(ctx, learner, reached=True)
    return done


async def _open_page(ctx: SyncContext, url: str, first: int,
                     learner: LearningRuntime | None) -> None:
    """The page a login continues on in the browser (a resume state's, or the one the HTTP
    login handed over), watched as if the step before ``first`` had loaded it."""
    mark = ctx.backend.response_mark()
    name = ctx.recipe.login[first].label(f"login[{first}]") if first < len(ctx.recipe.login) \
        else "login"
    try:
        await ctx.backend.goto(url, timeout=ctx.step_timeout)
        if learner is not None:
            learner.login_index = first - 1
            await learner.adopt(mark)
    except SyncError:
        raise
    except Exception as exc:
        raise ctx.translate(exc, name) from exc


def _back_to_browser(exc: SyncError) -> bool:
    if exc.reason == "handover" and "resume_at" in exc.details:
        return True
    return exc.kind is ErrorKind.RECIPE_BROKEN and exc.reason not in FINAL_ON_BROWSER


def _begin(runtime: PageRuntime, ctx: SyncContext, index: int) -> None:
    step = ctx.recipe.login[index]
    runtime.login_index = index
    runtime.begin(step.label(f"login[{index}]"), step.timeout or ctx.step_timeout,
                  f"login[{index}]", following_expectation(ctx.recipe.login, index))


async def _to_browser(ctx: SyncContext, *, keep_cookies: bool) -> None:
    assert ctx.to_browser is not None
    await ctx.to_browser(keep_cookies)


async def _start_over(ctx: SyncContext, cookies: list[Cookie]) -> None:
    """A fresh browser context with only what the sync started with."""
    await _to_browser(ctx, keep_cookies=False)
    if cookies:
        await ctx.backend.add_cookies(cookies)


def _learn(ctx: SyncContext, learner: LearningRuntime, *, reached: bool) -> None:
    verdict = learner.verdict(reached=reached)
    if verdict is not None:
        remember(ctx.render_memory, ctx.recipe, ctx.base_url, verdict)


__all__ = ["base_url_of", "log_in", "starts_plain"]
