"""What the guard proxy costs: Banque Démo synced with and without it, in one run.

    .venv/bin/python -m bench.netguard_cost [--rounds 15]

``bench.run`` runs a short version of the same comparison as one line of its report (issue 10:
"no cost increase beyond 5% from the proxy").

One engine, one browser, the demo site in a child process excluded from the figures. The sync
measured logs in through the browser (``login_render: browser``) and reads the lists over HTTP
through the context, as a sync does whenever the login needs the browser: every request of it
goes through the proxy, while a sync that logs in over plain HTTP never meets the proxy at all
(the HTTP session checks hosts itself), so this is the configuration where the proxy weighs
most. Rounds alternate a guarded sync and an unguarded one (the order swapped every round, so
drift in the machine's load falls on both), each measured for wall time and CPU over the whole
process tree (Python with its in-process proxy, the Playwright driver, every Chromium process).
The unguarded variant exists only here: it replaces the host's guard seam (``_guard``) with
nothing, which no engine configuration can do. Every sync's data is checked against
``sites/banque_demo/data.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import expected, scraped_from_result, verify
from bench.procs import become_subreaper, cpu_snapshot
from engine import Engine, SyncResult, load_recipe
from engine.backends.browser import BrowserHost
from engine.backends.netguard import GuardProxy
from engine.runner.session import wait_for_pending_closes
from sites._server import ChildServer
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "banque-demo.yaml"
CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
MODES = ("guarded", "unguarded")


class SwitchableHost(BrowserHost):
    """A host whose guard can be left out, for this comparison only."""

    guarded = True

    async def _guard(self, allowed_domains: list[str], offline: bool) -> GuardProxy | None:
        return await super()._guard(allowed_domains, offline) if self.guarded else None


@dataclass
class ProxyCost:
    """Per-round (CPU s, wall s, CPU s of the Python process) of each mode; the ratios are
    guarded ÷ unguarded. The guard proxy runs in the Python process (asyncio), so the third
    figure says whether a difference is the proxy's own work or Chromium's."""

    rounds: list[dict[str, tuple[float, float, float]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def values(self, mode: str, index: int) -> list[float]:
        return [r[mode][index] for r in self.rounds]

    def ratio(self, how: str, index: int = 0) -> float | None:
        """``mean`` or ``median`` of guarded ÷ the same of unguarded (0: CPU, 1: wall, 2: CPU
        of the Python process)."""
        if not self.rounds:
            return None
        pick = statistics.fmean if how == "mean" else statistics.median
        return pick(self.values("guarded", index)) / pick(self.values("unguarded", index))

    def paired(self, index: int = 0) -> list[float]:
        """Each round's guarded ÷ unguarded: the spread the verdict has to be read against."""
        return sorted(r["guarded"][index] / r["unguarded"][index] for r in self.rounds)

    def verdict_ratio(self, index: int = 0) -> float | None:
        """The median of the per-round ratios: the two syncs of a round run back to back, so
        the load drift between rounds cancels out of each ratio (it does not out of a ratio
        of two medians taken over the whole run)."""
        return statistics.median(self.paired(index)) if self.rounds else None

    def spread(self, index: int = 0) -> tuple[float, float, float, float] | None:
        """(min, p25, p75, max) of the paired ratios."""
        ratios = self.paired(index)
        if len(ratios) < 2:
            return None
        quartiles = statistics.quantiles(ratios, n=4, method="inclusive")
        return ratios[0], quartiles[0], quartiles[2], ratios[-1]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rounds": len(self.rounds), "errors": self.errors}
        for name, index in (("cpu", 0), ("wall", 1), ("python_cpu", 2)):
            out[name] = {
                mode: {"mean": _r(statistics.fmean(self.values(mode, index))),
                       "median": _r(statistics.median(self.values(mode, index)))}
                for mode in MODES} if self.rounds else {}
            out[name]["ratio_mean"] = _r(self.ratio("mean", index))
            out[name]["ratio_median"] = _r(self.ratio("median", index))
            out[name]["median_of_paired_ratios"] = _r(self.verdict_ratio(index))
            spread = self.spread(index)
            out[name]["paired_ratio_min_p25_p75_max"] = (
                [round(v, 3) for v in spread] if spread else None)
        return out


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


async def measure_proxy_cost(url: str, exclude: set[int], rounds: int) -> ProxyCost:
    """``rounds`` interleaved pairs of browser-login syncs, guarded and not, on an engine of
    their own (so the swapped guard seam never touches the benchmark's other engine)."""
    recipe = load_recipe(RECIPE).model_copy(update={"login_render": "browser"})
    want = expected()
    engine = Engine(max_concurrency=1)
    host = SwitchableHost()
    engine._host = host  # the comparison's seam: see the module docstring
    cost = ProxyCost()
    root = os.getpid()

    async def one(mode: str) -> tuple[float, float, float]:
        host.guarded = mode == "guarded"
        await wait_for_pending_closes()
        await asyncio.sleep(0.3)  # let the last context's processes exit
        before = cpu_snapshot(root, exclude, kinds=False)
        started = time.perf_counter()
        result: SyncResult = await engine.sync(recipe, CREDENTIALS, base_url=url)
        wall = time.perf_counter() - started
        await wait_for_pending_closes()
        await asyncio.sleep(0.3)  # the context's renderer exits (and is reaped)
        spent = cpu_snapshot(root, exclude, kinds=False) - before
        try:
            verify(scraped_from_result(result), want, f"proxy cost, {mode}")
        except AssertionError as exc:
            cost.errors.append(str(exc))
        return spent.total, wall, spent.root_own

    try:
        for mode in MODES * 2:  # warm-up: browser start, first contexts, caches
            host.guarded = mode == "guarded"
            await engine.sync(recipe, CREDENTIALS, base_url=url)
        for number in range(rounds):
            order = MODES if number % 2 == 0 else MODES[::-1]
            pair = {mode: await one(mode) for mode in order}
            cost.rounds.append(pair)
    finally:
        await engine.close()
    return cost


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.netguard_cost")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    become_subreaper()
    with ChildServer("sites.banque_demo") as site:
        cost = asyncio.run(measure_proxy_cost(site.url, {site.pid}, args.rounds))
    figures = cost.to_json()
    figures["load"] = os.getloadavg()
    print(json.dumps(figures, indent=2))
    for name in ("cpu", "wall", "python_cpu"):
        f = figures[name]
        print(f"{name} s/sync: guarded {f['guarded']['mean']:.3f} (median "
              f"{f['guarded']['median']:.3f}), unguarded {f['unguarded']['mean']:.3f} (median "
              f"{f['unguarded']['median']:.3f}): x{f['ratio_mean']:.3f} (median "
              f"x{f['ratio_median']:.3f}; median of paired rounds "
              f"x{f['median_of_paired_ratios']:.3f}); paired rounds min/p25/p75/max "
              f"{f['paired_ratio_min_p25_p75_max']}")
    return 1 if cost.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
