"""The targets of issue 13 (and the proxy cost of issue 10) computed from one run's figures,
and the side-by-side ratios that explain them.

Every ratio is taken between two configurations of the same run, at the same concurrency,
because the machine is shared: absolute figures move with the other jobs' load, ratios much
less. ``today's`` is the sync as it ran before the HTTP login: the login through the rendered
page (``login_render: browser``), list pages over HTTP where the engine has seen they need no
rendering, on the same warm engine.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.measure import Run
from bench.netguard_cost import ProxyCost
from bench.report import Target

HEADLINE = 4
"""Concurrency of every target (Banque Démo and NeoBanque)."""
PROXY_LIMIT = 1.05


def find(runs: list[Run], key: str, concurrency: int = HEADLINE) -> Run | None:
    return next((r for r in runs if r.key == key and r.concurrency == concurrency
                 and r.valid), None)


def _ratio(a: Run | None, b: Run | None, what: Callable[[Run], float]) -> float | None:
    return what(a) / what(b) if a is not None and b is not None and what(b) else None


def _cpu(run: Run) -> float:
    return run.cpu_per_sync


def _p50(run: Run) -> float:
    return run.latency(50)


def _per_min(run: Run) -> float:
    return run.throughput_per_min


def targets(runs: list[Run], proxy: ProxyCost | None) -> list[Target]:
    c = HEADLINE
    engine, naive, floor = find(runs, "engine_auto"), find(runs, "naive"), find(runs, "httpx")
    today, first = find(runs, "engine_today"), find(runs, "engine_first")
    neo, neo_today, neo_reuse = (find(runs, "neo_auto"), find(runs, "neo_today"),
                                 find(runs, "neo_reuse"))
    rounds = len(proxy.rounds) if proxy else 0
    spread = proxy.spread() if proxy else None
    share = proxy.own_share() if proxy else None
    proxy_how = (f"CPU per browser-login sync, guarded ÷ unguarded: median of {rounds} "
                 f"interleaved rounds' ratios (ratio of means {_fmt(proxy.ratio('mean'))}; "
                 f"rounds p25–p75 {spread[1]:.3f}–{spread[2]:.3f}, min–max {spread[0]:.3f}–"
                 f"{spread[3]:.3f}; the proxy's own thread "
                 f"{'n/a' if share is None else f'{share:.2%}'} of a sync)"
                 if proxy and spread else "not measured")
    return [
        Target("CPU per sync ÷ httpx + parsel floor", _ratio(engine, floor, _cpu), 4, False,
               "×", f"Banque Démo, engine (warm) ÷ floor, both at concurrency {c}",
               panel="cpu", chart_value=4 * floor.cpu_per_sync * 1000 if floor else None,
               short="4× floor:"),
        Target("throughput ÷ naive browser-per-sync", _ratio(engine, naive, _per_min), 10, True,
               "×", f"Banque Démo, syncs per minute, both at concurrency {c}",
               panel="throughput",
               chart_value=10 * naive.throughput_per_min if naive else None,
               short="10× naive:"),
        Target("memory (PSS) per concurrent sync", engine.memory_per_sync_mb if engine
               else None, 30, False, " MB",
               f"Banque Démo, engine (warm), peak above the idle warm browser ÷ {c}",
               panel="memory", chart_value=30, short="engine (warm):"),
        Target("NeoBanque CPU per sync ÷ today's", _ratio(neo, neo_today, _cpu), 0.7, False,
               "×", "same returning customer (trusted device, session expired), default "
               "recipe ÷ login_render: browser; both log in through the browser, the login "
               "form being drawn by script", panel="cpu",
               chart_value=0.7 * neo_today.cpu_per_sync * 1000 if neo_today else None,
               short="0.7× NeoBanque today's:"),
        Target("NeoBanque with session reuse: CPU per sync ÷ today's",
               _ratio(neo_reuse, neo_today, _cpu), 0.7, False, "×",
               "what can be gained on a script-only login: the state of a previous sync, "
               "its live session still accepted, so the login is skipped"),
        Target("first sync of a recipe (learning) ÷ today's warm sync, CPU",
               _ratio(first, today, _cpu), 1.2, False, "×",
               "Banque Démo, a recipe the engine never saw (no verdict: the login is learnt "
               "in the browser, the lists judged) ÷ browser login on the warm engine",
               panel="cpu", chart_value=1.2 * today.cpu_per_sync * 1000 if today else None,
               short="first sync, 1.2× today's:"),
        Target("first sync of a recipe (learning) ÷ today's warm sync, latency p50",
               _ratio(first, today, _p50), 1.2, False, "×", "the same two configurations",
               panel="latency", chart_value=1.2 * today.latency(50) if today else None,
               short="first sync, 1.2× today's:"),
        Target("guard proxy cost (issue 10)", proxy.verdict_ratio() if proxy else None,
               PROXY_LIMIT, False, "×", proxy_how,
               interval=proxy.interval() if proxy else None),
    ]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def capacity_caution(runs: list[Run], throughput: Target) -> list[str]:
    """Measured throughput depends on how much of the shared CPU each configuration got while
    it ran; CPU per sync hardly does. When both are CPU-bound on a dedicated machine the
    throughput ratio tends to the capacity ratio, so say when the two disagree."""
    engine, naive = find(runs, "engine_auto"), find(runs, "naive")
    if engine is None or naive is None or throughput.passed is None:
        return []
    capacity = engine.syncs_per_core_hour / naive.syncs_per_core_hour
    if (capacity >= throughput.limit) == throughput.passed:
        return []
    busy = engine.cpu.total / engine.wall if engine.wall else 0.0
    queued = engine.runqueue_wait / engine.wall if engine.wall else 0.0
    waited = (f" The engine (one Python process) used {busy:.0%} of one core during its "
              f"windows, and its event loop spent {queued:.0%} of them runnable but waiting for "
              "a CPU: on a machine this loaded every runnable process gets its share, and the "
              "naive script runs a whole browser of processes per sync." if busy < 0.5 else "")
    return [f"  caution: the CPU-bound capacity ratio is {capacity:.2f}× "
            f"({'PASS' if capacity >= throughput.limit else 'MISS'} against {throughput.limit:g}×);"
            f" on a machine with no other load the throughput ratio tends to it.{waited}"]


RATIOS: list[tuple[str, str, str, Callable[[Run], float], int]] = [
    # (what, numerator key, denominator key, figure, concurrency)
    ("throughput engine ÷ naive", "engine_auto", "naive", _per_min, 1),
    # syncs per core-hour is 3600 ÷ CPU per sync: engine capacity ÷ naive = naive CPU ÷ engine
    ("CPU-bound capacity (syncs per core-hour) engine ÷ naive — the least load-sensitive "
     "form of the throughput ratio", "naive", "engine_auto", _cpu, 4),
    ("CPU/sync engine ÷ httpx floor", "engine_auto", "httpx", _cpu, 1),
    ("what the HTTP login buys: CPU/sync today's (browser login) ÷ engine", "engine_today",
     "engine_auto", _cpu, 4),
    ("what the HTTP login buys: latency p50 today's ÷ engine", "engine_today", "engine_auto",
     _p50, 4),
    ("what list pages over HTTP buy: CPU/sync every page rendered ÷ today's",
     "engine_rendered", "engine_today", _cpu, 4),
    ("session reuse: CPU/sync ÷ engine (HTTP login)", "engine_reuse", "engine_auto", _cpu, 4),
    ("session reuse: latency p50 ÷ engine (HTTP login)", "engine_reuse", "engine_auto", _p50,
     4),
    ("fallback, HTTP login diverged (bot shield) then browser login: CPU/sync ÷ today's",
     "engine_fallback_diverged", "engine_today", _cpu, 4),
    ("fallback, HTTP login diverged: latency p50 ÷ today's", "engine_fallback_diverged",
     "engine_today", _p50, 4),
    ("fallback, handed over to the browser (new script build): CPU/sync ÷ today's",
     "engine_fallback_handover", "engine_today", _cpu, 4),
    ("fallback, handed over: latency p50 ÷ today's", "engine_fallback_handover",
     "engine_today", _p50, 4),
    ("NeoBanque session reuse: CPU/sync ÷ engine default", "neo_reuse", "neo_auto", _cpu, 4),
    ("NeoBanque session reuse: latency p50 ÷ today's", "neo_reuse", "neo_today", _p50, 4),
    ("NeoBanque engine default: latency p50 ÷ today's", "neo_auto", "neo_today", _p50, 4),
    ("NeoBanque hybrid recipe (same browser login, then JSON): CPU/sync ÷ today's (DOM "
     "recipe) — what a recipe written for the API buys", "neo_hybrid", "neo_today", _cpu, 4),
]


def ratio_lines(runs: list[Run]) -> list[str]:
    lines = []
    for what, top, bottom, figure, c in RATIOS:
        value = _ratio(find(runs, top, c), find(runs, bottom, c), figure)
        if value is not None:
            lines.append(f"  {what}, c={c}: {value:.2f}×")
    return lines
