"""The engine configurations the benchmark measures, each one sync at a time on one warm
``Engine``, and how each sync's result is held to the site's seeded data.

What makes a configuration is only what the engine is given or has learnt before the sync:

* ``auto``: the default recipe on a warm engine (the login plan and the list verdicts known:
  the whole sync runs over plain HTTP);
* ``today``: ``login_render: browser`` — the login through the rendered page, as before the
  HTTP login existed, the list pages over HTTP where the engine has seen they need no
  rendering (what "today's warm sync" means in issue 13);
* ``rendered``: ``render="browser"``: the login and every list page rendered;
* ``first``: a recipe the engine never saw (a fresh institution id per sync, so no verdict of
  any kind): the login runs in the browser and is learnt, the list pages are judged;
* ``reuse``: the session state of a previous sync, whose live session the site still
  accepts: the login is skipped;
* ``fallback``: a plan learnt on a site that then changed (``bench.changed_site``), so the
  HTTP login fails and the browser takes over. Every sync gets a recipe of its own carrying
  the plan (and the list verdicts), so concurrent syncs never see each other's fallback;
* NeoBanque ``neo_*``: the same, for the single-page app (``bench.neobanque``).

The engine's memory (``Engine._render_memory``) is read and seeded directly for ``first``
and ``fallback``, as the HTTP-login tests do: no public API exports verdicts.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench import neobanque
from bench.baselines import Scraped, expected, scraped_from_result, verify
from bench.changed_site import CONTROL
from engine import Engine, Recipe, SyncResult
from engine.runner.login_plan import LoginPlan, memory_key, plan_digest, remember, remembered
from engine.runner.state import new_key
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
Sync = Callable[[], Awaitable[SyncResult]]


def with_id(recipe: Recipe, institution_id: str) -> Recipe:
    """The same recipe under another institution id: nothing the engine learnt applies."""
    return recipe.model_copy(update={"institution": recipe.institution.model_copy(
        update={"id": institution_id})})


def browser_login(recipe: Recipe) -> Recipe:
    return recipe.model_copy(update={"login_render": "browser"})


class Configurations:
    """Sync factories over one warm engine (see the module docstring)."""

    def __init__(self, engine: Engine, recipe: Recipe, neo_recipe: Recipe, bank_url: str,
                 neo_url: str) -> None:
        self.engine, self.recipe, self.neo_recipe = engine, recipe, neo_recipe
        self.bank_url, self.neo_url = bank_url, neo_url
        self.key = new_key()
        self._ids = itertools.count(1)
        self.trusted: dict[str, str] = {}
        """NeoBanque, per recipe id: a state with the trusted-device cookie, no live session
        (a state opens only for the institution id it was sealed for)."""

    def _sync(self, recipe: Recipe, url: str, **options: Any) -> Sync:
        return lambda: self.engine.sync(recipe, self._creds(recipe), base_url=url, **options)

    def _creds(self, recipe: Recipe) -> dict[str, str]:
        return neobanque.CREDENTIALS if recipe.institution.id.startswith("neobanque") \
            else CREDENTIALS

    # -- Banque Démo -----------------------------------------------------------------------
    def auto(self, recipe: Recipe | None = None) -> Sync:
        return self._sync(recipe or self.recipe, self.bank_url)

    def today(self, recipe: Recipe | None = None) -> Sync:
        return self._sync(browser_login(recipe or self.recipe), self.bank_url)

    def rendered(self) -> Sync:
        return self._sync(self.recipe, self.bank_url, render="browser")

    def first(self) -> Sync:
        async def one() -> SyncResult:
            fresh = with_id(self.recipe, f"banque-demo-first-{next(self._ids)}")
            return await self.engine.sync(fresh, CREDENTIALS, base_url=self.bank_url)
        return one

    async def session_states(self, count: int) -> list[str]:
        """``count`` states, each from a sync of its own (one customer session each)."""
        states = []
        for _ in range(count):
            result = await self.engine.sync(self.recipe, CREDENTIALS, base_url=self.bank_url,
                                            state_key=self.key)
            if result.session_state is None:
                raise RuntimeError(f"no session state to reuse: {result.error}")
            states.append(result.session_state)
        return states

    def reuse(self, pool: list[str], recipe: Recipe | None = None,
              url: str | None = None, **options: Any) -> Sync:
        """Each sync takes a state of its own from ``pool`` (which other syncs may still be
        filling: ``neo(feed=...)``)."""
        which = recipe or self.recipe

        async def one() -> SyncResult:
            if not pool:
                raise AssertionError("no session state left to reuse")
            return await self.engine.sync(which, self._creds(which),
                                          base_url=url or self.bank_url, state_key=self.key,
                                          session_state=pool.pop(), **options)
        return one

    async def fallback_recipes(self, site_url: str, count: int) -> list[Recipe]:
        """Learn the login on ``site_url`` as it is, change the site, and give ``count``
        recipes of their own the plan learnt before the change (and the list verdicts)."""
        memory: dict[str, str] = self.engine._render_memory  # see the module docstring
        base = site_url.rstrip("/") + "/"
        for _ in range(2):  # the first learns the plan in the browser, the second uses it
            result = await self.engine.sync(self.recipe, CREDENTIALS, base_url=site_url)
            verify(scraped_from_result(result), expected(), "fallback site, before the change")
        plan = remembered(memory, self.recipe, base)
        if not isinstance(plan, LoginPlan):
            raise RuntimeError(f"no login plan learnt on {site_url}: {plan!r}")
        async with httpx.AsyncClient() as client:
            (await client.post(site_url.rstrip("/") + CONTROL)).raise_for_status()
        lists = {k.partition("/")[2]: v for k, v in memory.items()
                 if k.startswith(f"{self.recipe.institution.id}/") and "/login@" not in k}
        recipes = []
        for _ in range(count):
            recipe = with_id(self.recipe, f"banque-demo-fallback-{next(self._ids)}")
            copy = LoginPlan.from_json(plan.to_json())
            assert copy is not None
            copy.digest = plan_digest(recipe, base)
            remember(memory, recipe, base, copy)
            for name, verdict in lists.items():
                memory[f"{recipe.institution.id}/{name}"] = verdict
            recipes.append(recipe)
        return recipes

    def fallback(self, recipes: list[Recipe], site_url: str) -> Sync:
        pool = list(recipes)

        async def one() -> SyncResult:
            if not pool:
                raise AssertionError("no fallback recipe left")
            return await self.engine.sync(pool.pop(), CREDENTIALS, base_url=site_url)
        return one

    def plan_after(self, recipe: Recipe, site_url: str) -> str:
        """What the engine remembers for ``recipe``'s login after its sync (``browser``,
        ``plan`` or ``none``)."""
        entry = self.engine._render_memory.get(memory_key(recipe, site_url.rstrip("/") + "/"))
        return "none" if entry is None else "browser" if entry.startswith("browser|") \
            else "plan"

    # -- NeoBanque -------------------------------------------------------------------------
    async def neo_prepare(self, recipe: Recipe | None = None) -> None:
        """A first sync with the one-time code: the site trusts the device from then on."""
        recipe = recipe or self.neo_recipe
        result = await self.engine.sync(recipe, neobanque.CREDENTIALS, base_url=self.neo_url,
                                        otp_code=neobanque.OTP_CODE, state_key=self.key)
        neobanque.verify(result, f"{recipe.institution.id}, first sync")
        assert result.session_state is not None
        self.trusted[recipe.institution.id] = neobanque.trusted_device_only(
            result.session_state, self.key, recipe.institution.id)

    def neo(self, *, forced_browser: bool, recipe: Recipe | None = None,
            feed: list[str] | None = None) -> Sync:
        """A returning customer whose session expired: trusted device, the login runs. The
        state each sync leaves (a live session) goes to ``feed``, for ``neo_reuse``."""
        recipe = recipe or self.neo_recipe
        trusted = self.trusted[recipe.institution.id]  # neo_prepare first
        if forced_browser:
            recipe = browser_login(recipe)
        sync = self._sync(recipe, self.neo_url, state_key=self.key, session_state=trusted,
                          otp_code=neobanque.OTP_CODE)

        async def one() -> SyncResult:
            result = await sync()
            if feed is not None and result.session_state is not None:
                feed.append(result.session_state)
            return result
        return one

    def neo_reuse(self, pool: list[str]) -> Sync:
        return self.reuse(pool, self.neo_recipe, self.neo_url, otp_code=neobanque.OTP_CODE)


class ContextCounter:
    """Counts the browser contexts the engine opens, as the HTTP-login tests do: a window
    with none ran over plain HTTP from start to finish, one per sync fell back (or logged in)
    in the browser exactly once."""

    def __init__(self, engine: Engine) -> None:
        self.opened = 0
        host = engine.host
        original = host.new_session

        async def counting(**options: Any) -> Any:
            self.opened += 1
            return await original(**options)

        host.new_session = counting  # type: ignore[method-assign]


# -- checking results (after every window, never inside one) ---------------------------------
def banque(*, login_skipped: bool | None = None,
           warning: str | None = None) -> Callable[[SyncResult], Scraped]:
    """Banque Démo's seeded data; ``login_skipped`` (session reuse) and ``warning`` (a
    fallback that must say so) are held too, so a configuration cannot pass as another."""
    want = expected()

    def convert(result: SyncResult) -> Scraped:
        got = scraped_from_result(result)
        verify(got, want, result.institution)
        if login_skipped is not None:
            ran = any(name.startswith("login[") for name in result.timings_ms)
            if ran == login_skipped:
                raise AssertionError(f"the login {'ran' if ran else 'was skipped'}")
        if warning is not None and not any(warning in w for w in result.warnings):
            raise AssertionError(f"expected a warning containing {warning!r}")
        return got
    return convert


def neo(*, login_skipped: bool | None = None) -> Callable[[SyncResult], None]:
    def convert(result: SyncResult) -> None:
        neobanque.verify(result, result.institution, login_skipped=login_skipped)
    return convert
