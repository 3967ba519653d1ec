"""One command, one run: the engine, its forced-render variant and both baselines against
Banque Démo, then ratios against the targets of issue 6.

    .venv/bin/python -m bench.run          (or: make bench, or: python bench/run.py)

Everything is measured in the same run on the same machine, because absolute figures move
with the machine and its load while ratios taken side by side do not. The demo site runs in
a child process excluded from every figure; all traffic stays on 127.0.0.1.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import chart
from bench.baselines import (
    Scraped,
    expected,
    httpx_sync,
    naive_browser_sync,
    scraped_from_result,
    verify,
)
from bench.canary import CanaryFigures, measure_canary
from bench.measure import Meter, Outcome, Run
from bench.procs import MemorySampler, become_subreaper, reap_adopted
from bench.report import Target, commit, cpu_breakdown, machine, table
from engine import Engine, SyncResult, load_recipe
from engine.runner.session import wait_for_pending_closes
from sites._server import ChildServer
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

ROOT = Path(__file__).resolve().parent.parent
RECIPE = ROOT / "recipes" / "banque-demo.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
CREDENTIALS = {"username": DEMO_USERNAME, "password": DEMO_PASSWORD}

# (concurrency, syncs) per configuration: sized so the whole run stays near 5 minutes on
# 2 busy cores; --scale changes every count.
HTTPX_PLAN = [(1, 24), (4, 32)]
ENGINE_PLAN = [(1, 8), (4, 16), (8, 16)]
FORCED_PLAN = [(1, 8), (4, 12)]
DIAGNOSTIC_SYNCS = 8
NAIVE_PLAN = [(1, 6), (4, 8)]
HEADLINE_CONCURRENCY = 4

METHOD = """\
Method
- One process runs everything; the demo site (python -m sites.banque_demo) and the memory
  sampler are child processes excluded from all figures.
- Each configuration: N syncs on C workers (a worker starts its next sync when its previous one
  ends), after warm-up. Latency = one sync's wall time. Throughput = N / (first start → last end).
- CPU = CPU time of this process + every process it started (Playwright driver, all Chromium
  processes), read from /proc at the start and end of the window: Σ(own + reaped-children time)
  at the end − the same at the start, so processes that exit inside the window (renderers of
  closed contexts, whole browsers of the naive baseline) are counted through their parent; the
  bench process is a child subreaper so orphaned Chromium helpers are counted too.
- Memory = PSS (memory_full_info().pss) of that same tree, sampled every 0.2 s by a separate
  process. Per concurrent sync = (peak PSS during the run − idle PSS before it) ÷ C. Idle
  baseline: engine → warm browser with no context open; naive and httpx → no browser at all
  (so the naive figure is a whole browser per sync).
- Every sync's data is checked after the window against sites/banque_demo/data.py (4 accounts,
  185 transactions, 5 holdings, every value); a configuration with a wrong sync is INVALID."""


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    scale: float = args.scale
    subreaper = become_subreaper()
    load_before = os.getloadavg()
    began = time.perf_counter()
    site = ChildServer("sites.banque_demo", []).start()
    sampler = MemorySampler(RESULTS / ".pss-samples.jsonl", exclude={site.pid})
    runs: list[Run] = []
    checks: list[tuple[Run, list[Any], Callable[[Any], Scraped | None]]] = []
    idle: dict[str, tuple[float, float]] = {}
    canary = CanaryFigures(skipped="skipped: not run")
    chromium = "unknown"
    url = site.url
    try:
        sampler.start()
        meter = Meter({site.pid, sampler.pid}, sampler)

        async def run(outcome: Awaitable[Outcome[Any]], idle_key: str,
                      convert: Callable[[Any], Scraped | None]) -> Run:
            done = await outcome
            runs.append(done.run)
            checks.append((done.run, done.outputs, convert))
            idle[done.run.key + f"@{done.run.concurrency}"] = idle[idle_key]
            print(f"  {done.run.label:<38} c={done.run.concurrency} n={done.run.syncs:<3} "
                  f"{done.run.throughput_per_min:7.1f}/min  CPU {done.run.cpu_per_sync:.3f} "
                  f"s/sync", flush=True)
            return done.run

        print(f"Banque Démo at {url} (pid {site.pid}); measuring…", flush=True)
        # (b) the browser-free floor
        for _ in range(3):
            await httpx_sync(url)
        idle["plain"] = await meter.idle_window()
        for concurrency, syncs in HTTPX_PLAN:
            await run(meter.measure("httpx", "httpx + parsel (floor)", concurrency,
                                    _n(syncs, scale, concurrency), lambda: httpx_sync(url)),
                      "plain", _same)

        # the engine, on one warm browser
        recipe = load_recipe(RECIPE)
        lists_off = recipe.model_copy(update={"transactions": None, "holdings": None})
        engine = Engine(max_concurrency=8)

        async def settle() -> None:
            await wait_for_pending_closes()
            await asyncio.sleep(0.3)

        def engine_sync(render: str | None, which: Any = recipe) -> Callable[[], Any]:
            return lambda: engine.sync(which, CREDENTIALS, base_url=url, render=render)

        try:
            for render in (None, None, "browser", "http"):
                await engine_sync(render)()
            await settle()
            chromium = engine.host.browser.version if engine.host.browser else "unknown"
            idle["engine"] = await meter.idle_window()
            for concurrency, syncs in ENGINE_PLAN:
                await run(meter.measure("engine_auto", "engine (render=auto)", concurrency,
                                        _n(syncs, scale, concurrency), engine_sync(None), settle),
                          "engine", _engine)
            for concurrency, syncs in FORCED_PLAN:
                await run(meter.measure("engine_browser", "engine (render=browser forced)",
                                        concurrency, _n(syncs, scale, concurrency),
                                        engine_sync("browser"), settle), "engine", _engine)
            if not args.no_diagnostics:
                await _diagnostics(meter, run, engine, recipe, lists_off, engine_sync, settle,
                                   scale)
            if not args.no_canary:
                canary = await measure_canary(sorted((ROOT / "recipes").glob("*.yaml")),
                                              ROOT / "fixtures", engine, meter.exclude)
        finally:
            await engine.close()

        # (a) the naive script: a new browser per sync, every page rendered
        await naive_browser_sync(url)
        idle["none"] = await meter.idle_window()
        for concurrency, syncs in NAIVE_PLAN:
            await run(meter.measure("naive", "naive Playwright, browser per sync",
                                    concurrency, _n(syncs, scale, concurrency),
                                    lambda: naive_browser_sync(url)), "none", _same)
    finally:
        sampler.stop()
        site.stop()
        reap_adopted(keep=set())
    elapsed = time.perf_counter() - began
    for one_run in runs:
        meter.fill_memory(one_run, idle[one_run.key + f"@{one_run.concurrency}"])
    _verify(checks)
    return {"runs": runs, "canary": canary, "chromium": chromium, "elapsed": elapsed,
            "load": (load_before, os.getloadavg()), "subreaper": subreaper}


async def _diagnostics(meter: Meter, run: Any, engine: Engine, recipe: Any, lists_off: Any,
                       engine_sync: Callable[..., Callable[[], Any]],
                       settle: Callable[[], Awaitable[None]], scale: float) -> None:
    """Cuts through the engine, to see where a sync's cost goes (not user configurations)."""
    n = _n(DIAGNOSTIC_SYNCS, scale, HEADLINE_CONCURRENCY)

    async def context_only() -> None:
        session = await engine.host.new_session(
            allowed_domains=recipe.institution.allowed_domains)
        await session.close()

    for key, label, one, convert in (
            ("diag_context", "diag: context open+close only", context_only, _none),
            ("diag_login", "diag: login + account list (http)", engine_sync("http", lists_off),
             _login_only),
            ("diag_http", "diag: engine, render=http forced", engine_sync("http"), _engine)):
        await run(meter.measure(key, label, HEADLINE_CONCURRENCY, n, one, settle,
                                diagnostic=True), "engine", convert)


def _n(syncs: int, scale: float, concurrency: int) -> int:
    """Scaled count, never under two rounds of the workers (else some would sit idle)."""
    return max(2 * concurrency, round(syncs * scale))


def _same(value: Scraped) -> Scraped:
    return value


def _none(_: Any) -> None:
    return None


def _engine(result: SyncResult) -> Scraped:
    return scraped_from_result(result)


def _login_only(result: SyncResult) -> None:
    if result.error is not None or len(result.accounts) != 4:
        raise AssertionError(f"login+accounts diagnostic failed: {result.error}")


def _verify(checks: list[tuple[Run, list[Any], Callable[[Any], Scraped | None]]]) -> None:
    """Hold every sync to the seeded data; engine phase times are collected on the way."""
    want = expected()
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
                got = convert(output)
                if got is not None:
                    verify(got, want, run.label)
            except AssertionError as exc:
                run.errors.append(str(exc))
        run.phases_ms = {k: statistics.fmean(v) for k, v in phases.items()}


def find(runs: list[Run], key: str, concurrency: int) -> Run | None:
    return next((r for r in runs if r.key == key and r.concurrency == concurrency
                 and r.valid), None)


def targets(runs: list[Run]) -> list[Target]:
    c = HEADLINE_CONCURRENCY
    engine, naive, floor = find(runs, "engine_auto", c), find(runs, "naive", c), \
        find(runs, "httpx", c)
    return [
        Target("engine throughput ÷ browser-per-sync throughput",
               engine.throughput_per_min / naive.throughput_per_min if engine and naive
               else None, 3, True, "×", f"both at concurrency {c}", panel="throughput",
               chart_value=3 * naive.throughput_per_min if naive else None),
        Target("engine CPU per sync ÷ httpx floor CPU per sync",
               engine.cpu_per_sync / floor.cpu_per_sync if engine and floor else None,
               6, False, "×", f"both at concurrency {c}", panel="cpu",
               chart_value=6 * floor.cpu_per_sync * 1000 if floor else None),
        Target("engine memory per concurrent sync",
               engine.memory_per_sync_mb if engine else None, 60, False, " MB",
               f"PSS, at concurrency {c}", panel="memory", chart_value=60),
    ]


def capacity_caution(runs: list[Run], throughput: Target) -> list[str]:
    """Measured throughput depends on how much of the shared CPU each configuration got while
    it ran; CPU per sync hardly does. When both are CPU-bound on a dedicated machine the
    throughput ratio tends to the capacity ratio, so say when the two disagree."""
    engine = find(runs, "engine_auto", HEADLINE_CONCURRENCY)
    naive = find(runs, "naive", HEADLINE_CONCURRENCY)
    if engine is None or naive is None or throughput.passed is None:
        return []
    capacity = engine.syncs_per_core_hour / naive.syncs_per_core_hour
    if (capacity >= throughput.limit) == throughput.passed:
        return []
    return [f"  caution: the CPU-bound capacity ratio is {capacity:.2f}× "
            f"({'PASS' if capacity >= throughput.limit else 'MISS'} against {throughput.limit:g}×);"
            " on a machine with no other load the throughput ratio tends to it."]


def ratio_lines(runs: list[Run]) -> list[str]:
    lines = []

    def ratio(name: str, a: Run | None, b: Run | None, what: str, invert: bool = False) -> None:
        if a is None or b is None:
            return
        va, vb = {"throughput": (a.throughput_per_min, b.throughput_per_min),
                  "capacity": (a.syncs_per_core_hour, b.syncs_per_core_hour),
                  "cpu": (a.cpu_per_sync, b.cpu_per_sync)}[what]
        lines.append(f"  {name}: {(vb / va if invert else va / vb):.2f}×")

    for c in (1, 4):
        ratio(f"throughput engine ÷ naive, c={c}", find(runs, "engine_auto", c),
              find(runs, "naive", c), "throughput")
    best = {k: max((r for r in runs if r.key == k and r.valid),
                   key=lambda r: r.throughput_per_min, default=None)
            for k in ("engine_auto", "naive", "httpx", "engine_browser")}
    ratio("throughput engine ÷ naive, each at its best concurrency", best["engine_auto"],
          best["naive"], "throughput")
    ratio(f"CPU-bound capacity (syncs per core-hour) engine ÷ naive, c={HEADLINE_CONCURRENCY}"
          " — the least load-sensitive form of the throughput ratio",
          find(runs, "engine_auto", HEADLINE_CONCURRENCY),
          find(runs, "naive", HEADLINE_CONCURRENCY), "capacity")
    for c in (1, 4):
        ratio(f"CPU/sync engine ÷ httpx floor, c={c}", find(runs, "engine_auto", c),
              find(runs, "httpx", c), "cpu")
        ratio(f"CPU/sync naive ÷ engine, c={c}", find(runs, "naive", c),
              find(runs, "engine_auto", c), "cpu")
        ratio(f"what no-render buys: CPU/sync render=browser ÷ render=auto, c={c}",
              find(runs, "engine_browser", c), find(runs, "engine_auto", c), "cpu")
        ratio(f"what no-render buys: throughput render=auto ÷ render=browser, c={c}",
              find(runs, "engine_auto", c), find(runs, "engine_browser", c), "throughput")
    return lines


def render_report(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    runs: list[Run] = data["runs"]
    info = machine(data["chromium"])
    (l1, l5, _), (e1, e5, _) = data["load"]
    out = [
        "Bank-sync benchmark (issue 6) — Banque Démo, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, Chromium {info['chromium']}, {info['os']}",
        f"Load average (1 min / 5 min): {l1:.1f} / {l5:.1f} at start, {e1:.1f} / {e5:.1f} "
        f"at end. Other jobs share this machine: absolute figures are noisy; the ratios, "
        f"taken in the same run, are what to compare.",
        "", table(runs), "",
        "CPU by process kind (ms per sync):",
        *[f"  {r.label}, c={r.concurrency}: {cpu_breakdown(r)}" for r in runs],
        "", "Memory above idle at the peak, by process kind (MB per concurrent sync):",
        *[f"  {r.label}, c={r.concurrency}: " + ", ".join(
            f"{k} {v:.0f}" for k, v in sorted(r.memory_by_kind.items(), key=lambda kv: -kv[1])
            if abs(v) >= 0.5) for r in runs if r.memory_by_kind and not r.diagnostic],
        "", "Engine phases (mean ms per sync, from SyncResult.timings_ms):",
        *[f"  {r.label}, c={r.concurrency}: "
          + ", ".join(f"{k} {v:.0f}" for k, v in r.phases_ms.items())
          for r in runs if r.phases_ms],
    ]
    invalid = [r for r in runs if not r.valid]
    if invalid:
        out += ["", "INVALID configurations (figures not usable):",
                *[f"  {r.label}, c={r.concurrency}: {len(r.errors)} failures, first: "
                  f"{r.errors[0]}" for r in invalid]]
    out += ["", "Ratios (same run):", *ratio_lines(runs), "", "Targets:"]
    goals = targets(runs)
    out += [t.line() for t in goals]
    out += capacity_caution(runs, goals[0])
    canary: CanaryFigures = data["canary"]
    out += ["", "Canary cost per recorded scenario (median; check = no browser, replay = "
                "browser on the warm engine):"]
    if canary.skipped:
        out.append(f"  {canary.skipped}")
    for s in canary.scenarios:
        replay = ("n/a" if s.replay_ms is None else
                  f"{s.replay_ms:.0f} ms wall, {s.replay_cpu_ms:.0f} ms CPU")
        note = f" ({s.replay_note})" if s.replay_note else ""
        out.append(f"  {s.recipe} / {s.scenario}: check {s.check_ms:.1f} ms wall, "
                   f"{s.check_cpu_ms:.1f} ms CPU, ok={s.check_ok}; replay {replay}, "
                   f"ok={s.replay_ok}{note}")
    if not data["subreaper"]:
        out.append("\nNote: could not become a child subreaper; CPU of orphaned Chromium "
                   "helpers is missing (baselines look cheaper).")
    out += ["", METHOD, "", f"Whole run: {data['elapsed']:.0f} s."]
    payload = {
        "generated_at": datetime.now(UTC).isoformat(), "commit": commit(), "machine": info,
        "load_average": {"start": list(data["load"][0]), "end": list(data["load"][1])},
        "headline_concurrency": HEADLINE_CONCURRENCY,
        "runs": [r.to_json() for r in runs],
        "ratios": ratio_lines(runs), "targets": [t.to_json() for t in goals],
        "canary": canary.to_json(), "method": METHOD, "elapsed_s": round(data["elapsed"], 1),
    }
    return "\n".join(out), payload


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply every sync count (0.5 for a quick look)")
    parser.add_argument("--no-diagnostics", action="store_true",
                        help="skip the cuts through the engine (context only, login only...)")
    parser.add_argument("--no-canary", action="store_true")
    args = parser.parse_args(argv)
    data = asyncio.run(bench(args))
    text, payload = render_report(data)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    (RESULTS / "latest.svg").write_text(chart.render(payload))
    print(f"\nWrote {RESULTS / 'latest.json'} and {RESULTS / 'latest.svg'}")
    return 0 if all(r.valid for r in data["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
