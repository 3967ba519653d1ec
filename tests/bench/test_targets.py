"""The targets are computed from the right runs: same concurrency, valid runs only, ratios the
right way up, PASS/MISS on the right side of the limit, the proxy verdict on the medians of
interleaved rounds with its spread beside it."""

from __future__ import annotations

import random

from bench.measure import Run
from bench.netguard_cost import ProxyCost, SyncCost, report_lines
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


def sync(cpu: float, *, wall: float = 1.0, python: float = 0.1, guard: float = 0.0,
         **kinds: float) -> SyncCost:
    return SyncCost(cpu, wall, python, guard, kinds)


def test_proxy_verdict_is_the_median_of_paired_rounds_with_means_medians_and_spread() -> None:
    cost = ProxyCost(rounds=[
        {"guarded": sync(1.02, python=0.2), "unguarded": sync(1.00)},
        {"guarded": sync(1.10, python=0.2), "unguarded": sync(1.00)},
        {"guarded": sync(3.00, python=0.2), "unguarded": sync(1.00)},  # one load spike
        {"guarded": sync(1.00, python=0.2), "unguarded": sync(1.03)},
        {"guarded": sync(1.40, python=0.2), "unguarded": sync(1.40)},  # a slow round: paired
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


def noisy_rounds(count: int, cost: float, noise: float) -> list[dict[str, SyncCost]]:
    """Rounds whose guarded sync costs ``cost`` more, each sync off by up to ±``noise``
    (a fixed pseudo-random pattern, the same on every run of the test)."""
    draw = random.Random(7)
    return [{"guarded": sync((1 + cost) * (1 + draw.uniform(-noise, noise)), guard=0.012),
             "unguarded": sync(1 + draw.uniform(-noise, noise))} for _ in range(count)]


def test_proxy_interval_holds_the_verdict_and_narrows_with_rounds() -> None:
    few, many = ProxyCost(noisy_rounds(12, 0.02, 0.1)), ProxyCost(noisy_rounds(120, 0.02, 0.1))
    for cost in (few, many):
        low, high = cost.interval()  # type: ignore[misc]
        assert low <= cost.verdict_ratio() <= high  # type: ignore[operator]
        assert cost.interval() == (low, high)  # the same rounds, the same interval
    few_low, few_high = few.interval()  # type: ignore[misc]
    many_low, many_high = many.interval()  # type: ignore[misc]
    assert many_high - many_low < (few_high - few_low) * 0.6
    assert many_low < 1.02 + 0.01 and many_high > 1.02 - 0.01  # it holds the true cost
    assert ProxyCost(noisy_rounds(3, 0.02, 0.1)).interval() is None  # too few to resample
    target = by_name(many)["guard proxy cost (issue 10)"]
    assert target.interval == many.interval()  # type: ignore[attr-defined]
    assert f"95% interval {many_low:.3f}–{many_high:.3f}" in target.line()  # type: ignore


def test_proxy_own_share_is_the_guard_thread_over_an_unguarded_sync() -> None:
    cost = ProxyCost(noisy_rounds(40, 0.02, 0.0))  # no noise: unguarded syncs cost 1.0 s
    assert round(cost.own_share(), 4) == 0.012  # type: ignore[arg-type]
    assert "the proxy's own thread 1.20% of a sync" in (
        by_name(cost)["guard proxy cost (issue 10)"].how)  # type: ignore[attr-defined]
    low, high = cost.own_share_interval()  # type: ignore[misc]
    assert round(low, 4) == round(high, 4) == 0.012


def test_proxy_differences_by_process_kind_say_where_a_guarded_sync_spends_more() -> None:
    cost = ProxyCost(rounds=[
        {"guarded": sync(1.0, renderers=0.50, driver=0.11),
         "unguarded": sync(1.0, renderers=0.52, driver=0.10)},
        {"guarded": sync(1.0, renderers=0.54, driver=0.11),
         "unguarded": sync(1.0, renderers=0.52, driver=0.10)},
    ])
    kinds = cost.by_kind()
    assert round(kinds["driver"][0], 4) == 0.01 and kinds["driver"][1] == 0.0
    assert round(kinds["renderers"][0], 4) == 0.0 and kinds["renderers"][1] > 0.02
    text = "\n".join(report_lines(cost))
    assert "driver +10 ± 0 ms" in text and "renderers +0 ± 39 ms" in text


def test_ratio_lines_name_the_configurations_compared() -> None:
    lines = ratio_lines(RUNS)
    assert "  CPU/sync engine ÷ httpx floor, c=1: 128.57×" in lines
    capacity = next(line for line in lines if "capacity" in line)
    assert capacity.endswith(": 33.33×")  # naive CPU ÷ engine CPU = engine capacity ÷ naive
    assert not any("fallback" in line for line in lines)  # not measured: not printed
