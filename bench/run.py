"""One command, one run: the engine in every configuration of issue 13 (warm, today's
browser login, every page rendered, first sync, session reuse, two fallbacks, NeoBanque),
the guard proxy's cost (issue 10), the canary's costs and both baselines against Banque Démo,
then the targets with PASS/MISS.

    .venv/bin/python -m bench.run          (or: make bench, or: python bench/run.py)

Everything is measured in the same run on the same machine, because absolute figures move
with the machine and its load while ratios taken side by side do not. The demo sites run in
child processes excluded from every figure; all traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import chart, configs
from bench.baselines import expected, httpx_sync, naive_browser_sync, verify
from bench.canary import CanaryFigures, measure_canary
from bench.configs import Configurations, ContextCounter
from bench.measure import Meter, Outcome, Run, merged
from bench.netguard_cost import ProxyCost, measure_proxy_cost
from bench.procs import MemorySampler, become_subreaper, reap_adopted
from bench.summary import render_report
from bench.targets import HEADLINE
from engine import Engine, SyncResult, load_recipe
from engine.runner.session import wait_for_pending_closes
from sites._server import ChildServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
Convert = Callable[[Any], object]

# (concurrency, syncs) per configuration: sized so the whole run stays under 10 minutes on
# 2 busy cores; --scale changes every count.
# Configurations at the headline concurrency are measured interleaved (Bench.interleaved).
HTTPX_SOLO = [(1, 16)]
HTTPX_SYNCS = 32
ENGINE_SOLO = [(1, 12), (8, 24)]
ENGINE_SYNCS = 32
NAIVE_SYNCS = 8
TODAY_SOLO = [(1, 4)]
TODAY_SYNCS = 16
FIRST_SYNCS = 16
REUSE_SYNCS = 32
SMALL = 8
RENDERED_SYNCS = 4
"""Every page rendered is not a target, only what HTTP list pages spare: one round."""
AUTO = "engine (warm: HTTP login, HTTP lists)"
TODAY = "today's: browser login (login_render)"
DIAGNOSTIC_SYNCS = 8
PROXY_ROUNDS = 50


@dataclass
class Spec:
    """One configuration of an interleaved group (``Bench.interleaved``)."""

    key: str
    label: str
    syncs: int
    one: Callable[[], Awaitable[Any]]
    convert: Convert
    concurrency: int = HEADLINE
    engine: bool = True
    """False for the baselines: no browser context of the engine's to count."""


class Bench:
    """The windows of one run, their outputs (checked once every window is over) and the
    idle baseline each window's memory is read against."""

    def __init__(self, meter: Meter, scale: float) -> None:
        self.meter, self.scale = meter, scale
        self.began = time.perf_counter()
        self.runs: list[Run] = []
        self.checks: list[tuple[Run, list[Any], Convert]] = []
        self.idle: dict[str, tuple[float, float]] = {}
        self.idle_of: dict[int, str] = {}
        self.counter: ContextCounter | None = None

    def n(self, syncs: int, concurrency: int = HEADLINE) -> int:
        return _n(syncs, self.scale, concurrency)

    async def _window(self, key: str, label: str, concurrency: int, syncs: int, one: Any,
                      settle: Any, diagnostic: bool = False) -> Outcome[Any]:
        opened = self.counter.opened if self.counter else 0
        outcome: Outcome[Any] = await self.meter.measure(key, label, concurrency, syncs, one,
                                                         settle, diagnostic=diagnostic)
        if self.counter is not None:
            outcome.run.contexts = self.counter.opened - opened
        return outcome

    def _record(self, outcome: Outcome[Any], convert: Convert, idle: str) -> None:
        result = outcome.run
        self.runs.append(result)
        self.checks.append((result, outcome.outputs, convert))
        self.idle_of[id(result)] = idle
        contexts = "" if result.contexts is None else \
            f"  {result.contexts / result.syncs:.2f} contexts/sync"
        windows = f" ({1 + len(result.more_windows)} windows)" if result.more_windows else ""
        print(f"  {result.label:<44} c={result.concurrency} n={result.syncs:<3} "
              f"{result.throughput_per_min:7.1f}/min  CPU {result.cpu_per_sync:.3f} "
              f"s/sync{contexts}{windows}  [t={time.perf_counter() - self.began:.0f} s]",
              flush=True)

    async def run(self, key: str, label: str, plan: list[tuple[int, int]], one: Any,
                  convert: Convert, idle: str, settle: Any = None, *,
                  diagnostic: bool = False, exact: bool = False) -> list[Outcome[Any]]:
        """``exact``: run the plan's counts as they are (not scaled, may be one round)."""
        done = []
        for concurrency, syncs in plan:
            count = syncs if exact else self.n(syncs, concurrency)
            outcome = await self._window(key, label, concurrency, count, one, settle,
                                         diagnostic)
            self._record(outcome, convert, idle)
            done.append(outcome)
        return done

    async def interleaved(self, specs: list[Spec], settle: Any, *, rounds: int = 2,
                          idle: str = "engine") -> None:
        """Configurations that a ratio compares, measured in alternating windows (forward,
        then backward, ...), each one's windows merged (``measure.merged``)."""
        parts: dict[str, list[Outcome[Any]]] = {spec.key: [] for spec in specs}
        for number in range(rounds):
            for spec in specs if number % 2 == 0 else specs[::-1]:
                share = spec.syncs // rounds + (1 if number < spec.syncs % rounds else 0)
                part = await self._window(spec.key, spec.label, spec.concurrency, share,
                                          spec.one, settle)
                if not spec.engine:
                    part.run.contexts = None
                parts[spec.key].append(part)
        for spec in specs:
            outcome = merged(parts[spec.key])
            counts = [p.run.contexts for p in parts[spec.key]]
            outcome.run.contexts = None if None in counts else sum(c or 0 for c in counts)
            self._record(outcome, spec.convert, idle)


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    subreaper = become_subreaper()
    load_before = os.getloadavg()
    began = time.perf_counter()
    sites = {name: ChildServer(module, extra).start() for name, module, extra in (
        ("bank", "sites.banque_demo", []), ("neo", "sites.neobanque", []),
        ("shield", "bench.changed_site", ["--change", "shield"]),
        ("script", "bench.changed_site", ["--change", "script"]))}
    excluded = {s.pid for s in sites.values()}
    sampler = MemorySampler(RESULTS / ".pss-samples.jsonl", exclude=excluded)
    canary = CanaryFigures(skipped="skipped: not run")
    proxy: ProxyCost | None = None
    chromium = "unknown"
    url = sites["bank"].url
    try:
        sampler.start()
        meter = Meter(excluded | {sampler.pid}, sampler)
        b = Bench(meter, args.scale)
        print(f"Banque Démo at {url}, NeoBanque at {sites['neo'].url}; measuring…", flush=True)
        # (b) the browser-free floor
        for _ in range(3):
            await httpx_sync(url)
        b.idle["plain"] = await meter.idle_window()
        await b.run("httpx", "httpx + parsel (floor)", HTTPX_SOLO, lambda: httpx_sync(url),
                    _same, "plain")
        await naive_browser_sync(url)  # (a) the naive script's first start, not measured
        chromium, canary = await _engine_phase(b, sites, args)
        # The proxy's comparison needs neither the memory sampler nor the other sites: their
        # CPU is excluded from the figures, not from the machine, and widened its spread.
        sampler.stop()
        for name in ("neo", "shield", "script"):
            sites[name].stop()
        if not args.no_proxy:
            print("  guard proxy: interleaved guarded / unguarded browser-login syncs…",
                  flush=True)
            rounds = max(4, round(PROXY_ROUNDS * args.scale))
            proxy = await measure_proxy_cost(
                url, meter.exclude, rounds,
                lambda n: print(f"    {n}/{rounds} rounds", flush=True) if n % 10 == 0 else None)
    finally:
        sampler.stop()
        for site in sites.values():
            site.stop()
        reap_adopted(keep=set())
    elapsed = time.perf_counter() - began
    for one_run in b.runs:
        meter.fill_memory(one_run, b.idle[b.idle_of[id(one_run)]])
    _verify(b.checks)
    return {"runs": b.runs, "canary": canary, "proxy": proxy, "chromium": chromium,
            "elapsed": elapsed, "load": (load_before, os.getloadavg()),
            "subreaper": subreaper}


async def _engine_phase(b: Bench, sites: dict[str, ChildServer],
                        args: argparse.Namespace) -> tuple[str, CanaryFigures]:
    """Every engine configuration on one warm engine (``bench.configs``)."""
    recipe = load_recipe(ROOT / "recipes" / "banque-demo.yaml")
    neo_recipe = load_recipe(ROOT / "recipes" / "neobanque.yaml")
    hybrid = load_recipe(ROOT / "recipes" / "neobanque-hybrid.yaml")
    engine = Engine(max_concurrency=8)
    b.counter = ContextCounter(engine)
    c = Configurations(engine, recipe, neo_recipe, sites["bank"].url, sites["neo"].url)
    canary = CanaryFigures(skipped="skipped: not run")

    async def settle() -> None:
        await wait_for_pending_closes()
        await asyncio.sleep(0.3)

    try:
        for one in (c.auto(), c.auto(), c.today()):  # learn, then warm
            verify(configs.banque()(await one()), expected(), "warm-up")
        for which in (neo_recipe, hybrid):
            await c.neo_prepare(which)
        for forced in (True, False):
            configs.neo()(await c.neo(forced_browser=forced)())
        configs.neo()(await c.neo(forced_browser=False, recipe=hybrid)())
        await settle()
        chromium = engine.host.browser.version if engine.host.browser else "unknown"
        b.idle["engine"] = await b.meter.idle_window()
        banque, url = configs.banque, sites["bank"].url
        await b.run("engine_auto", AUTO, ENGINE_SOLO, c.auto(), banque(), "engine", settle)
        await b.run("engine_today", TODAY, TODAY_SOLO, c.today(), banque(), "engine", settle)
        # What each ratio compares is measured in alternating windows, so the load drift of
        # the shared machine falls on both sides. The headline: floor, engine, naive script
        # (its idle baseline is then the engine's idle browser: its figure is what it adds).
        await b.interleaved([
            Spec("httpx", "httpx + parsel (floor)", b.n(HTTPX_SYNCS), lambda: httpx_sync(url),
                 _same, engine=False),
            Spec("engine_auto", AUTO, b.n(ENGINE_SYNCS), c.auto(), banque()),
            Spec("naive", "naive Playwright, browser per sync", b.n(NAIVE_SYNCS),
                 lambda: naive_browser_sync(url), _same, engine=False),
        ], settle)
        await b.interleaved([  # the learning cost, in small alternating windows
            Spec("engine_today", TODAY, b.n(TODAY_SYNCS), c.today(), banque()),
            Spec("engine_first", "first sync of a recipe (learning)", b.n(FIRST_SYNCS),
                 c.first(), banque()),
        ], settle, rounds=4)
        states = await c.session_states(b.n(REUSE_SYNCS))
        fallbacks = {kind: await c.fallback_recipes(sites[site].url, b.n(SMALL))
                     for kind, site in (("diverged", "shield"), ("handover", "script"))}
        await b.interleaved([
            Spec("engine_reuse", "session reuse (login skipped)", len(states),
                 c.reuse(states), banque(login_skipped=True)),
            Spec("engine_fallback_diverged", "fallback: HTTP login diverged → browser",
                 len(fallbacks["diverged"]),
                 c.fallback(fallbacks["diverged"], sites["shield"].url),
                 banque(warning="over HTTP did not")),
            Spec("engine_fallback_handover", "fallback: handed over → browser",
                 len(fallbacks["handover"]),
                 c.fallback(fallbacks["handover"], sites["script"].url), banque()),
        ], settle)
        await b.run("engine_rendered", "every page rendered (render=browser)",
                    [(HEADLINE, RENDERED_SYNCS)], c.rendered(), banque(), "engine", settle,
                    exact=True)
        # NeoBanque: the live sessions the today's and default syncs leave feed the reuse
        live: list[str] = []
        await b.interleaved([
            Spec("neo_today", "NeoBanque today's: login_render browser", b.n(SMALL),
                 c.neo(forced_browser=True, feed=live), configs.neo(login_skipped=False)),
            Spec("neo_auto", "NeoBanque engine default", b.n(SMALL),
                 c.neo(forced_browser=False, feed=live), configs.neo(login_skipped=False)),
            Spec("neo_reuse", "NeoBanque session reuse (login skipped)", b.n(SMALL),
                 c.neo_reuse(live), configs.neo(login_skipped=True)),
            Spec("neo_hybrid", "NeoBanque hybrid recipe (JSON after login)", b.n(SMALL),
                 c.neo(forced_browser=False, recipe=hybrid), configs.neo(login_skipped=False)),
        ], settle)
        if not args.no_diagnostics:
            await _diagnostics(b, engine, recipe, c, settle)
        if not args.no_canary:
            canary = await measure_canary(sorted((ROOT / "recipes").glob("*.yaml")),
                                          ROOT / "fixtures", engine, b.meter.exclude)
    finally:
        await engine.close()
    return chromium, canary


async def _diagnostics(b: Bench, engine: Engine, recipe: Any, c: Configurations,
                       settle: Callable[[], Awaitable[None]]) -> None:
    """Cuts through the engine, to see where a sync's cost goes (not user configurations).
    The browser login alone is today's sync less its lists (~0.1 s: they are fetched)."""
    plan = [(HEADLINE, DIAGNOSTIC_SYNCS)]
    lists_off = recipe.model_copy(update={"transactions": None, "holdings": None})

    async def context_only() -> None:
        session = await engine.host.new_session(
            allowed_domains=recipe.institution.allowed_domains)
        await session.close()

    for key, label, one, convert in (
            ("diag_context", "diag: context open+close only", context_only, _none),
            ("diag_login_http", "diag: HTTP login + account list", c.auto(lists_off),
             _login_only)):
        await b.run(key, label, plan, one, convert, "engine", settle, diagnostic=True)


def _n(syncs: int, scale: float, concurrency: int = HEADLINE) -> int:
    """Scaled count, never under two rounds of the workers (else some would sit idle)."""
    return max(2 * concurrency, round(syncs * scale))


def _same(value: Any) -> None:
    verify(value, expected(), "baseline")


def _none(_: Any) -> None:
    return None


def _login_only(result: SyncResult) -> None:
    if result.error is not None or len(result.accounts) != 4:
        raise AssertionError(f"login+accounts diagnostic failed: {result.error}")


def _verify(checks: list[tuple[Run, list[Any], Convert]]) -> None:
    """Hold every sync to the seeded data; engine phase times are collected on the way."""
    for run, outputs, convert in checks:
        if len(outputs) != run.syncs and not run.errors:
            run.errors.append(f"{run.syncs - len(outputs)} syncs produced no result")
        phases: dict[str, list[float]] = {}
        for output in outputs:
            if isinstance(output, SyncResult):
                timings = output.timings_ms
                for name, value in timings.items():
                    phases.setdefault(name, []).append(value)
                if {"login", "collect", "total"} <= set(timings):
                    phases.setdefault("context open + close", []).append(
                        timings["total"] - timings["login"] - timings["collect"])
            try:
                convert(output)
            except AssertionError as exc:
                run.errors.append(f"{run.label}: {exc}")
        run.phases_ms = {k: statistics.fmean(v) for k, v in phases.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every sync count (0.5 for a quick look)")
    parser.add_argument("--no-diagnostics", action="store_true",
                        help="skip the cuts through the engine (context only, login only...)")
    parser.add_argument("--no-canary", action="store_true")
    parser.add_argument("--no-proxy", action="store_true",
                        help="skip the guard proxy's cost (issue 10)")
    args = parser.parse_args(argv)
    data = asyncio.run(bench(args))
    text, payload = render_report(data)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (RESULTS / "latest.svg").write_text(chart.render(payload))
    print(f"\nWrote {RESULTS / 'latest.json'} and {RESULTS / 'latest.svg'}")
    proxy_failed = bool(data["proxy"] and data["proxy"].errors)
    return 0 if all(r.valid for r in data["runs"]) and not proxy_failed else 1


if __name__ == "__main__":
    sys.exit(main())
