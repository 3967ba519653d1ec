"""Where a sync's CPU goes, call by call:

    python -m bench.profile_calls [--syncs 5] [--site neobanque] [--login browser]
                                  [--render browser]

``bench.run`` says how much a sync costs; this says which backend calls spend it, so a change
to the engine can be aimed and then checked. It wraps every coroutine method of the browser
backend (and ``BrowserHost.new_session``) to take a process-tree CPU snapshot around each
call, runs a few syncs of Banque Démo (or NeoBanque, the single-page app) on a warm engine and
prints CPU and wall time per call kind. ``--login browser`` forces the login through the page
(``login_render: browser``, the behaviour before the HTTP login). Snapshots cost a few ms of
this process's CPU each, so the figures are for comparing calls, not for quoting (``bench.run``
has the clean totals). CPU that falls between calls (renderer exits, compositing, extraction in
Python) is reported as "between calls".
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import become_subreaper, cpu_snapshot, reap_adopted
from engine import Engine, load_recipe
from engine.backends import browser
from sites._server import ChildServer
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME
from sites.neobanque.data import DEMO_EMAIL
from sites.neobanque.data import DEMO_PASSWORD as NEO_PASSWORD

RECIPES = Path(__file__).resolve().parent.parent / "recipes"
SITES: dict[str, tuple[str, dict[str, str], dict[str, Any]]] = {
    # recipe / site module → (site module, credentials, sync options)
    "banque-demo": ("sites.banque_demo", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
                    {}),
    "neobanque": ("sites.neobanque", {"email": DEMO_EMAIL, "password": NEO_PASSWORD},
                  {"otp_code": "654321"}),
}
Stats = dict[str, list[float]]  # call kind → [calls, cpu s, wall s]


def _instrument(cls: type, name: str, stats: Stats, exclude: set[int],
                label: Callable[[tuple[Any, ...]], str]) -> None:
    original = getattr(cls, name)

    @functools.wraps(original)
    async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        before, started = cpu_snapshot(os.getpid(), exclude, kinds=False), time.perf_counter()
        try:
            return await original(self, *args, **kwargs)
        finally:
            spent = cpu_snapshot(os.getpid(), exclude, kinds=False) - before
            row = stats.setdefault(label(args) or name, [0, 0.0, 0.0])
            row[0] += 1
            row[1] += spent.total
            row[2] += time.perf_counter() - started

    setattr(cls, name, wrapper)


def _fixed(name: str) -> Callable[[tuple[Any, ...]], str]:
    return lambda _args: name


def _goto_label(args: tuple[Any, ...]) -> str:
    path = re.sub(r"^https?://[^/]+", "", str(args[0]) if args else "")
    return "goto " + re.sub(r"/\d+/", "/ID/", path.split("?")[0])


async def profile(syncs: int, render: str | None, which: str = "banque-demo",
                  login: str | None = None) -> None:
    stats: Stats = {}
    module, credentials, options = SITES[which]
    site = ChildServer(module, []).start()
    exclude = {site.pid}
    session_cls = browser.BrowserSession
    for name, _method in inspect.getmembers(session_cls, inspect.iscoroutinefunction):
        if not name.startswith("_"):
            _instrument(session_cls, name, stats, exclude,
                        _goto_label if name == "goto" else _fixed(name))
    _instrument(browser.BrowserHost, "new_session", stats, exclude,
                lambda _args: "new_session (context + page)")
    try:
        recipe = load_recipe(RECIPES / f"{which}.yaml")
        if login is not None:
            recipe = recipe.model_copy(update={"login_render": login})
        async with Engine(max_concurrency=1) as engine:
            for _ in range(2):
                await engine.sync(recipe, credentials, base_url=site.url, render=render,
                                  **options)
            stats.clear()
            overhead = _snapshot_cost(exclude)
            before = cpu_snapshot(os.getpid(), exclude)
            for _ in range(syncs):
                result = await engine.sync(recipe, credentials, base_url=site.url,
                                           render=render, **options)
                if result.error is not None:
                    raise SystemExit(f"sync failed: {result.error.code}")
            await asyncio.sleep(1.0)  # let closing contexts finish inside the window
            total = (cpu_snapshot(os.getpid(), exclude) - before).total
    finally:
        site.stop()
        reap_adopted(keep=set())
    # new_session contains open(): count the nested call once
    inner = stats.get("open", [0, 0.0, 0.0])[1]
    counted = sum(row[1] for row in stats.values()) - inner
    print(f"{which}, login={login or recipe.login_render}, render={render or 'auto'}: "
          f"{syncs} syncs, {total / syncs * 1000:.0f} ms CPU per sync (engine process + "
          "driver + Chromium)")
    print(f"  {'call':<40} {'calls/sync':>10} {'CPU ms/sync':>12} {'wall ms/sync':>13}")
    for name, (calls, cpu, wall) in sorted(stats.items(), key=lambda kv: -kv[1][1]):
        print(f"  {name:<40} {calls / syncs:>10.1f} {cpu / syncs * 1000:>12.0f} "
              f"{wall / syncs * 1000:>13.0f}")
    snapshots = 2 * sum(row[0] for row in stats.values())
    print(f"  {'profiler snapshots (estimated)':<40} {'':>10} "
          f"{overhead * snapshots / syncs * 1000:>12.0f}")
    print(f"  {'between calls (rest)':<40} {'':>10} "
          f"{(total - counted - overhead * snapshots) / syncs * 1000:>12.0f}")


def _snapshot_cost(exclude: set[int]) -> float:
    """CPU seconds one light snapshot costs this process (it lands in the totals)."""
    started = time.process_time()
    for _ in range(20):
        cpu_snapshot(os.getpid(), exclude, kinds=False)
    return (time.process_time() - started) / 20


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_calls",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--syncs", type=int, default=5)
    parser.add_argument("--render", choices=["browser", "http"], default=None)
    parser.add_argument("--site", choices=sorted(SITES), default="banque-demo")
    parser.add_argument("--login", choices=["browser", "http", "auto"], default=None,
                        help="override the recipe's login_render")
    args = parser.parse_args()
    become_subreaper()
    asyncio.run(profile(args.syncs, args.render, args.site, args.login))


if __name__ == "__main__":
    main()
