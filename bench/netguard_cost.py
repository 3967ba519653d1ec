"""What the guard proxy costs: Banque Démo synced with and without it, in one run.

    .venv/bin/python -m bench.netguard_cost [--rounds 15]

One engine, one browser, the demo site in a child process excluded from the figures. Rounds
alternate a guarded sync and an unguarded one (the order swapped every round, so drift in the
machine's load falls on both), each measured for wall time and CPU over the whole process tree
(Python with its in-process proxy, the Playwright driver, every Chromium process). The
unguarded variant exists only here: it replaces the host's guard seam (``_guard``) with
nothing, which no engine configuration can do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import become_subreaper, cpu_snapshot
from engine import Engine, SyncResult, load_recipe
from engine.backends.browser import BrowserHost
from engine.backends.netguard import GuardProxy
from sites._server import ChildServer

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "banque-demo.yaml"
CREDENTIALS = {"username": "demo", "password": "123456"}


class SwitchableHost(BrowserHost):
    """A host whose guard can be left out, for this comparison only."""

    guarded = True

    async def _guard(self, allowed_domains: list[str], offline: bool) -> GuardProxy | None:
        return await super()._guard(allowed_domains, offline) if self.guarded else None


async def measure(rounds: int) -> dict[str, Any]:
    become_subreaper()
    recipe = load_recipe(RECIPE)
    with ChildServer("sites.banque_demo") as site:
        engine = Engine(max_concurrency=1)
        host = SwitchableHost()
        engine._host = host  # the comparison's seam: see the module docstring
        figures: dict[str, list[tuple[float, float]]] = {"guarded": [], "unguarded": []}
        shapes: set[tuple[int, int, int]] = set()
        try:
            for mode in ("guarded", "unguarded", "guarded", "unguarded"):  # warm-up
                host.guarded = mode == "guarded"
                await engine.sync(recipe, CREDENTIALS, base_url=site.url)
            for number in range(rounds):
                order = ("guarded", "unguarded") if number % 2 == 0 else ("unguarded", "guarded")
                for mode in order:
                    host.guarded = mode == "guarded"
                    await asyncio.sleep(0.3)  # let the last context's processes exit
                    before = cpu_snapshot(os.getpid(), {site.pid}, kinds=False)
                    started = time.perf_counter()
                    result: SyncResult = await engine.sync(recipe, CREDENTIALS,
                                                           base_url=site.url)
                    wall = time.perf_counter() - started
                    await asyncio.sleep(0.3)  # the context's renderer exits (and is reaped)
                    cpu = (cpu_snapshot(os.getpid(), {site.pid}, kinds=False) - before).total
                    if result.error is not None or result.warnings:
                        raise RuntimeError(f"{mode} sync failed: {result.error} "
                                           f"{result.warnings}")
                    shapes.add((len(result.accounts), len(result.transactions),
                                len(result.holdings)))
                    figures[mode].append((cpu, wall))
        finally:
            await engine.close()
    if len(shapes) != 1:
        raise RuntimeError(f"guarded and unguarded syncs returned different data: {shapes}")
    out: dict[str, Any] = {"rounds": rounds, "data": sorted(shapes)[0]}
    for mode, values in figures.items():
        out[mode] = {"cpu_mean": statistics.fmean(c for c, _ in values),
                     "cpu_median": statistics.median(c for c, _ in values),
                     "wall_mean": statistics.fmean(w for _, w in values),
                     "wall_median": statistics.median(w for _, w in values)}
    for key in ("cpu_mean", "cpu_median", "wall_mean", "wall_median"):
        out[f"ratio_{key}"] = out["guarded"][key] / out["unguarded"][key]
    out["load"] = os.getloadavg()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.netguard_cost")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    figures = asyncio.run(measure(args.rounds))
    print(json.dumps(figures, indent=2))
    g, u = figures["guarded"], figures["unguarded"]
    print(f"CPU s/sync: guarded {g['cpu_mean']:.3f} (median {g['cpu_median']:.3f}), "
          f"unguarded {u['cpu_mean']:.3f} (median {u['cpu_median']:.3f}): "
          f"x{figures['ratio_cpu_mean']:.3f} (median x{figures['ratio_cpu_median']:.3f})")
    print(f"wall s/sync: guarded {g['wall_mean']:.3f}, unguarded {u['wall_mean']:.3f}: "
          f"x{figures['ratio_wall_mean']:.3f} (median x{figures['ratio_wall_median']:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
