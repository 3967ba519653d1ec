"""The targets are computed from the right runs: same concurrency, valid runs only, ratios the
right way up, PASS/MISS on the right side of the limit, the proxy verdict on the medians of
interleaved rounds with its spread beside it."""

from __future__ import annotations

from bench.measure import Run
from bench.netguard_cost import ProxyCost
from bench.procs import CpuSample
from bench.targets import find, ratio_lines, targets


def run(key: str, cpu: float, *, per_min: float = 60.0, concurrency: int = 4,
        p50: float = 1.0, mb: float | None = None, valid: bool = True) -> Run:
    syncs = 8
    result = Run(key, key, concurrency, syncs, wall=syncs / per_min * 60,
                 latencies=[p50] * syncs, cpu=CpuSample(cpu * syncs, 0.1, 1.0, {}),
                 window=(0.0, 1.0), errors=[] if valid else ["wrong data"])
    if mb is not None:
        result.peak_pss, result.idle_pss = int((mb * concurrency + 100) * 1024 * 1024), \
            100 * 1024 * 1024
    return result


RUNS = [
    run("httpx", 0.05, per_min=800), run("httpx", 0.07, concurrency=1),
    run("engine_auto", 0.15, per_min=500, mb=2.0), run("engine_auto", 9.0, concurrency=1),
    run("naive", 5.0, per_min=20),
    run("engine_today", 2.0, p50=6.0), run("engine_first", 2.6, p50=6.6),
    run("neo_today", 4.0), run("neo_auto", 3.9), run("neo_reuse", 2.6),
    run("neo_reuse", 0.1, valid=False),  # an invalid run never counts, even if it looks good
]


def by_name(proxy: ProxyCost | None = None) -> dict[str, object]:
    return {t.name: t for t in targets(RUNS, proxy)}


def test_ratios_are_taken_at_the_headline_concurrency_between_valid_runs() -> None:
    assert find(RUNS, "engine_auto").cpu_per_sync == 0.15  # type: ignore[union-attr]
    assert find(RUNS, "neo_reuse").cpu_per_sync == 2.6  # type: ignore[union-attr]
    goals = by_name()
    cpu = goals["CPU per sync ÷ httpx + parsel floor"]
    assert round(cpu.value, 6) == 3.0 and cpu.passed  # type: ignore[attr-defined]
    throughput = goals["throughput ÷ naive browser-per-sync"]
    assert round(throughput.value, 6) == 25.0 and throughput.passed  # type: ignore[attr-defined]
    memory = goals["memory (PSS) per concurrent sync"]
    assert round(memory.value, 6) == 2.0 and memory.passed  # type: ignore[attr-defined]
    neo = goals["NeoBanque CPU per sync ÷ today's"]
    assert round(neo.value, 4) == 0.975 and neo.passed is False  # type: ignore[attr-defined]
    reuse = goals["NeoBanque with session reuse: CPU per sync ÷ today's"]
    assert round(reuse.value, 4) == 0.65 and reuse.passed  # type: ignore[attr-defined]
    first = goals["first sync of a recipe (learning) ÷ today's warm sync, CPU"]
    assert round(first.value, 4) == 1.3 and first.passed is False  # type: ignore[attr-defined]
    latency = goals["first sync of a recipe (learning) ÷ today's warm sync, latency p50"]
    assert round(latency.value, 4) == 1.1 and latency.passed  # type: ignore[attr-defined]
    proxy = goals["guard proxy cost (issue 10)"]
    assert proxy.value is None and "not measured" in proxy.line()  # type: ignore[attr-defined]


def test_chart_lines_sit_at_the_figure_each_target_allows() -> None:
    goals = by_name()
    assert goals["CPU per sync ÷ httpx + parsel floor"].chart_value == 200  # type: ignore
    assert goals["NeoBanque CPU per sync ÷ today's"].chart_value == 0.7 * 4000  # type: ignore
    assert goals["throughput ÷ naive browser-per-sync"].chart_value == 200  # type: ignore


def test_proxy_verdict_is_the_median_of_paired_rounds_with_means_medians_and_spread() -> None:
    cost = ProxyCost(rounds=[
        {"guarded": (1.02, 1.0, 0.2), "unguarded": (1.00, 1.0, 0.1)},
        {"guarded": (1.10, 1.0, 0.2), "unguarded": (1.00, 1.0, 0.1)},
        {"guarded": (3.00, 1.0, 0.2), "unguarded": (1.00, 1.0, 0.1)},  # one load spike
        {"guarded": (1.00, 1.0, 0.2), "unguarded": (1.03, 1.0, 0.1)},
        {"guarded": (1.40, 1.0, 0.2), "unguarded": (1.40, 1.0, 0.1)},  # a slow round: paired
    ])
    # rounds' ratios: 1.02, 1.10, 3.0, 0.971, 1.0 → median 1.02
    assert round(cost.verdict_ratio(), 4) == 1.02  # type: ignore[arg-type]
    assert round(cost.ratio("median"), 4) == 1.10  # medians 1.10 and 1.00: drift in it
    assert round(cost.ratio("mean"), 4) == round(7.52 / 5 / (5.43 / 5), 4)
    low, p25, p75, high = cost.spread()  # type: ignore[misc]
    assert round(low, 3) == 0.971 and round(high, 3) == 3.0 and p25 < p75
    target = by_name(cost)["guard proxy cost (issue 10)"]
    assert target.passed is True  # type: ignore[attr-defined]
    assert "ratio of means 1.385" in target.how  # type: ignore[attr-defined]
    figures = cost.to_json()
    assert figures["cpu"]["median_of_paired_ratios"] == 1.02
    assert figures["wall"]["ratio_mean"] == 1.0
    assert figures["python_cpu"]["ratio_median"] == 2.0


def test_ratio_lines_name_the_configurations_compared() -> None:
    lines = ratio_lines(RUNS)
    assert "  CPU/sync engine ÷ httpx floor, c=1: 128.57×" in lines
    capacity = next(line for line in lines if "capacity" in line)
    assert capacity.endswith(": 33.33×")  # naive CPU ÷ engine CPU = engine capacity ÷ naive
    assert not any("fallback" in line for line in lines)  # not measured: not printed
