"""What the guard proxy costs: Banque Démo synced with and without it, in one run.

    .venv/bin/python -m bench.netguard_cost [--rounds 40]

``bench.run`` runs the same comparison as one line of its report (issue 10: "no cost increase
beyond 5% from the proxy").

One engine, one browser, the demo site in a child process excluded from the figures. The sync
measured logs in through the browser (``login_render: browser``) and reads the lists over HTTP
through the context, as a sync does whenever the login needs the browser: every request of it
goes through the proxy, while a sync that logs in over plain HTTP never meets the proxy at all
(the HTTP session checks hosts itself), so this is the configuration where the proxy weighs
most. Rounds alternate a guarded sync and an unguarded one (the order swapped every round, so
drift in the machine's load falls on both), each measured for wall time and CPU over the whole
process tree (Python with its in-process proxy, the Playwright driver, every Chromium process),
by kind of process. The unguarded variant exists only here: it replaces the host's guard seam
(``_guard``) with nothing, which no engine configuration can do. Every sync's data is checked
against ``sites/banque_demo/data.py``.

Why an interval and not a point: a browser sync's CPU varies by ±10% from one sync to the next
on an idle machine (renderer start, V8's collector), so the median of 15 rounds' ratios moves
by several percent between runs: a point below 1.05 is not yet "no cost beyond 5%". The
verdict is the median of the paired rounds' ratios with a 95% bootstrap interval (resampling
whole rounds, so each stays paired), and it passes only when the interval's upper end is within
the limit. The proxy's own work is known exactly, being the CPU time of its thread
(``engine.backends.netguard.loop``): it is given as a share of a sync, with its interval; the
per-process differences say whether the proxy costs anything elsewhere (Playwright's fetch,
for one, reaches it through a CONNECT tunnel per request).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.baselines import expected, scraped_from_result, verify
from bench.procs import become_subreaper, cpu_snapshot, tree_stats
from engine import Engine, SyncResult, load_recipe
from engine.backends.browser import BrowserHost
from engine.backends.netguard import GuardProxy, guard_cpu_seconds
from engine.runner.session import wait_for_pending_closes
from sites._server import ChildServer
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "banque-demo.yaml"
CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
MODES = ("guarded", "unguarded")
METRICS = ("cpu", "wall", "python_cpu")
CONFIDENCE = 0.95
RESAMPLES = 4000


class SwitchableHost(BrowserHost):
    """A host whose guard can be left out, for this comparison only."""

    guarded = True

    async def _guard(self, allowed_domains: list[str], offline: bool) -> GuardProxy | None:
        return await super()._guard(allowed_domains, offline) if self.guarded else None


@dataclass(frozen=True)
class SyncCost:
    """One measured sync: CPU of the whole tree, wall time, CPU of the Python process (the
    proxy runs there, on the engine's event loop), and the tree's CPU by kind of process."""

    cpu: float
    wall: float
    python_cpu: float
    guard_cpu: float = 0.0
    """CPU of the guard's thread (``netguard.loop``): the proxy's own work, exactly."""
    by_kind: dict[str, float] = field(default_factory=dict)

    def metric(self, name: str) -> float:
        return float(getattr(self, name))


Round = dict[str, SyncCost]


@dataclass
class ProxyCost:
    """Interleaved rounds of one guarded and one unguarded sync; every ratio is guarded ÷
    unguarded."""

    rounds: list[Round] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unsettled: list[int] = field(default_factory=list)
    """One entry per sync after which a process was still alive 5 s on (its CPU may then
    fall on the next sync, of the other mode)."""

    def values(self, mode: str, metric: str = "cpu") -> list[float]:
        return [r[mode].metric(metric) for r in self.rounds]

    def ratio(self, how: str, metric: str = "cpu") -> float | None:
        """``mean`` or ``median`` of guarded ÷ the same of unguarded."""
        if not self.rounds:
            return None
        pick = statistics.fmean if how == "mean" else statistics.median
        return pick(self.values("guarded", metric)) / pick(self.values("unguarded", metric))

    def paired(self, metric: str = "cpu") -> list[float]:
        """Each round's guarded ÷ unguarded, sorted: the spread the verdict is read against."""
        return sorted(_round_ratio(r, metric) for r in self.rounds)

    def verdict_ratio(self, metric: str = "cpu") -> float | None:
        """The median of the per-round ratios: the two syncs of a round run back to back, so
        the load drift between rounds cancels out of each ratio (it does not out of a ratio
        of two medians taken over the whole run)."""
        return statistics.median(self.paired(metric)) if self.rounds else None

    def interval(self, metric: str = "cpu") -> tuple[float, float] | None:
        """95% bootstrap interval of ``verdict_ratio`` (whole rounds resampled)."""
        return _bootstrap(self.rounds, lambda rs: statistics.median(
            [_round_ratio(r, metric) for r in rs]))

    def spread(self, metric: str = "cpu") -> tuple[float, float, float, float] | None:
        """(min, p25, p75, max) of the paired ratios."""
        ratios = self.paired(metric)
        if len(ratios) < 2:
            return None
        quartiles = statistics.quantiles(ratios, n=4, method="inclusive")
        return ratios[0], quartiles[0], quartiles[2], ratios[-1]

    def own_share(self) -> float | None:
        """The proxy's own work as a share of a sync: the guard thread's CPU in a guarded
        sync ÷ the CPU of an unguarded one (medians)."""
        return _own_share(self.rounds) if self.rounds else None

    def own_share_interval(self) -> tuple[float, float] | None:
        return _bootstrap(self.rounds, _own_share)

    def by_kind(self) -> dict[str, tuple[float, float]]:
        """Per kind of process: (mean guarded − mean unguarded CPU s/sync, 95% interval
        half-width of that difference), where a difference that does exist shows."""
        kinds = sorted({k for r in self.rounds for m in MODES for k in r[m].by_kind})
        out = {}
        for kind in kinds:
            diffs = [r["guarded"].by_kind.get(kind, 0.0) - r["unguarded"].by_kind.get(kind, 0.0)
                     for r in self.rounds]
            half = (1.96 * statistics.stdev(diffs) / len(diffs) ** 0.5
                    if len(diffs) > 1 else float("nan"))
            out[kind] = (statistics.fmean(diffs), half)
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rounds": len(self.rounds), "errors": self.errors,
                               "confidence": CONFIDENCE}
        for metric in METRICS:
            figures: dict[str, Any] = {
                mode: {"mean": _r(statistics.fmean(self.values(mode, metric))),
                       "median": _r(statistics.median(self.values(mode, metric)))}
                for mode in MODES} if self.rounds else {}
            figures["ratio_mean"] = _r(self.ratio("mean", metric))
            figures["ratio_median"] = _r(self.ratio("median", metric))
            figures["median_of_paired_ratios"] = _r(self.verdict_ratio(metric))
            interval = self.interval(metric)
            figures["interval"] = [_r(v) for v in interval] if interval else None
            spread = self.spread(metric)
            figures["paired_ratio_min_p25_p75_max"] = (
                [round(v, 3) for v in spread] if spread else None)
            out[metric] = figures
        share, share_interval = self.own_share(), self.own_share_interval()
        out["proxy_own_share"] = {
            "value": _r(share),
            "interval": [_r(v) for v in share_interval] if share_interval else None}
        out["by_kind_delta_s"] = {k: {"mean": _r(d), "half_width": _r(h)}
                                  for k, (d, h) in self.by_kind().items()}
        return out


def _round_ratio(one: Round, metric: str) -> float:
    return one["guarded"].metric(metric) / one["unguarded"].metric(metric)


def _own_share(rounds: list[Round]) -> float:
    return (statistics.median(r["guarded"].guard_cpu for r in rounds)
            / statistics.median(r["unguarded"].cpu for r in rounds))


def _bootstrap(rounds: list[Round], estimate: Callable[[list[Round]], float]
               ) -> tuple[float, float] | None:
    """Percentile bootstrap over whole rounds, with a fixed seed: the same rounds always give
    the same interval."""
    if len(rounds) < 4:
        return None
    draw = random.Random(len(rounds))  # resampling, not secrecy
    values = sorted(estimate(draw.choices(rounds, k=len(rounds))) for _ in range(RESAMPLES))
    tail = (1 - CONFIDENCE) / 2
    return values[int(tail * RESAMPLES)], values[int((1 - tail) * RESAMPLES) - 1]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


async def measure_proxy_cost(url: str, exclude: set[int], rounds: int,
                             progress: Callable[[int], None] | None = None) -> ProxyCost:
    """``rounds`` interleaved pairs of browser-login syncs, guarded and not, on an engine of
    their own (so the swapped guard seam never touches the benchmark's other engine)."""
    recipe = load_recipe(RECIPE).model_copy(update={"login_render": "browser"})
    want = expected()
    engine = Engine(max_concurrency=1)
    host = SwitchableHost()
    engine._host = host  # the comparison's seam: see the module docstring
    cost = ProxyCost()
    root = os.getpid()

    async def one(mode: str) -> SyncCost:
        host.guarded = mode == "guarded"
        await wait_for_pending_closes()
        alive = {s.pid for s in tree_stats(root, exclude)}
        before, guard_before = cpu_snapshot(root, exclude), guard_cpu_seconds()
        started = time.perf_counter()
        result: SyncResult = await engine.sync(recipe, CREDENTIALS, base_url=url)
        wall = time.perf_counter() - started
        await wait_for_pending_closes()
        await _settled(root, exclude, alive, cost.unsettled)  # its renderer exits, is reaped
        spent = cpu_snapshot(root, exclude) - before
        guard = guard_cpu_seconds() - guard_before
        try:
            verify(scraped_from_result(result), want, f"proxy cost, {mode}")
        except AssertionError as exc:
            cost.errors.append(str(exc))
        return SyncCost(spent.total, wall, spent.root_own, guard, spent.by_kind)

    try:
        for mode in MODES * 2:  # warm-up: browser start, first contexts, caches
            host.guarded = mode == "guarded"
            await engine.sync(recipe, CREDENTIALS, base_url=url)
        for number in range(rounds):
            order = MODES if number % 2 == 0 else MODES[::-1]
            cost.rounds.append({mode: await one(mode) for mode in order})
            if progress is not None:
                progress(number + 1)
    finally:
        await engine.close()
    return cost


async def _settled(root: int, exclude: set[int], alive: set[int], unsettled: list[int], *,
                   timeout: float = 5.0) -> None:
    """Wait until the tree holds no process but those alive before the sync: a renderer
    still shutting down would carry its last CPU into the next sync, of the other mode."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if {s.pid for s in tree_stats(root, exclude)} <= alive:
            return
        await asyncio.sleep(0.05)
    unsettled.append(1)


def report_lines(cost: ProxyCost) -> list[str]:
    """The comparison in full: each metric's means, medians, ratios, interval and spread, the
    proxy's own share, and where the difference goes by kind of process."""
    if not cost.rounds:
        return ["Guard proxy cost: not measured (--no-proxy)."]
    figures = cost.to_json()
    lines = [f"Guard proxy cost (issue 10): {figures['rounds']} interleaved rounds of one "
             "guarded and one unguarded browser-login sync:"]
    for metric, unit in (("cpu", "CPU"), ("wall", "wall"),
                         ("python_cpu", "CPU of the Python process (proxy included)")):
        f = figures[metric]
        spread = f["paired_ratio_min_p25_p75_max"] or [float("nan")] * 4
        low, high = f["interval"] or (float("nan"), float("nan"))
        lines.append(
            f"  {unit} s/sync: guarded mean {f['guarded']['mean']:.3f} / median "
            f"{f['guarded']['median']:.3f}; unguarded mean {f['unguarded']['mean']:.3f} / "
            f"median {f['unguarded']['median']:.3f}; ratio of means {f['ratio_mean']:.3f}, "
            f"of medians {f['ratio_median']:.3f}; per-round ratios median "
            f"{f['median_of_paired_ratios']:.3f} (95% interval {low:.3f}–{high:.3f}), min "
            f"{spread[0]:.3f}, p25 {spread[1]:.3f}, p75 {spread[2]:.3f}, max {spread[3]:.3f}")
    share = figures["proxy_own_share"]
    if share["value"] is not None and share["interval"]:
        guard_ms = statistics.median(cost.values("guarded", "guard_cpu")) * 1000
        lines.append(f"  the proxy's own CPU (its thread's, {guard_ms:.1f} ms per guarded sync, "
                     f"÷ an unguarded sync's CPU): {share['value']:.2%} (95% interval "
                     f"{share['interval'][0]:.2%}–{share['interval'][1]:.2%})")
    deltas = ", ".join(f"{kind} {d * 1000:+.0f} ± {h * 1000:.0f} ms"
                       for kind, (d, h) in cost.by_kind().items() if abs(d) + h >= 0.0005)
    lines.append(f"  guarded − unguarded CPU per sync, by process (mean ± 95%): {deltas}")
    if cost.errors:
        lines.append(f"  INVALID: {len(cost.errors)} syncs with wrong data, first: "
                     f"{cost.errors[0]}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.netguard_cost")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)
    become_subreaper()
    load_before = os.getloadavg()
    with ChildServer("sites.banque_demo") as site:
        cost = asyncio.run(measure_proxy_cost(
            site.url, {site.pid}, args.rounds,
            lambda n: print(f"  round {n}/{args.rounds}", file=sys.stderr, flush=True)))
    if args.json:
        print(json.dumps(cost.to_json(), indent=2))
    print("\n".join(report_lines(cost)))
    print(f"  load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f}")
    return 1 if cost.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
