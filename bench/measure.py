"""Run one configuration (N syncs at concurrency C) and take its figures.

Nothing but the syncs runs in the measured process during a window: results are only kept,
and checked against the seeded data after every window is over, so checking costs no CPU in
the figures; memory samples are taken by another process and read back at the end.
"""

from __future__ import annotations

import asyncio
import functools
import math
import operator
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from bench.procs import CpuSample, MemorySampler, cpu_snapshot

T = TypeVar("T")
MB = 1024 * 1024


@dataclass
class Run:
    """The figures of one configuration."""

    key: str
    """Stable identifier, e.g. ``engine_auto``."""
    label: str
    concurrency: int
    syncs: int
    wall: float
    """Seconds from the first sync's start to the last one's end."""
    latencies: list[float]
    cpu: CpuSample
    window: tuple[float, float]
    """``time.time()`` bounds, to pick this run's memory samples."""
    more_windows: list[tuple[float, float]] = field(default_factory=list)
    """Further windows of the same configuration, when it was measured interleaved with
    others (``merged``): its figures are the sums over all of them."""
    phases_ms: dict[str, float] = field(default_factory=dict)
    """Mean engine phase times (login, collect, context open + close) when known."""
    peak_pss: int | None = None
    idle_pss: int | None = None
    memory_by_kind: dict[str, float] = field(default_factory=dict)
    """MiB per concurrent sync above idle, by process kind, at the peak sample."""
    memory_samples: int = 0
    errors: list[str] = field(default_factory=list)
    diagnostic: bool = False
    """Not a configuration users run: a cut through the engine to see where the cost goes."""
    contexts: int | None = None
    """Browser contexts the engine opened during the window (None: not an engine run)."""
    runqueue_wait: float = 0.0
    """Seconds the Python main thread (the event loop) was runnable but waiting for a CPU
    during the window (``/proc/self/schedstat``): what the machine's other load took from it."""

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def throughput_per_min(self) -> float:
        return self.syncs / self.wall * 60 if self.wall else 0.0

    @property
    def cpu_per_sync(self) -> float:
        return self.cpu.total / self.syncs

    @property
    def syncs_per_core_hour(self) -> float:
        """What one fully used core could do if CPU were the only limit: the cost figure that
        other jobs on the machine disturb least, and the one that sizes a fleet."""
        return 3600 / self.cpu_per_sync if self.cpu.total > 0 else 0.0

    def latency(self, pct: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def memory_per_sync_mb(self) -> float | None:
        """(peak PSS during the run − idle PSS before it) ÷ concurrency, in MiB."""
        if self.peak_pss is None or self.idle_pss is None:
            return None
        return (self.peak_pss - self.idle_pss) / self.concurrency / MB

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "concurrency": self.concurrency,
            "syncs": self.syncs, "valid": self.valid, "errors": self.errors,
            "diagnostic": self.diagnostic, "browser_contexts": self.contexts,
            "wall_s": round(self.wall, 3), "runqueue_wait_s": round(self.runqueue_wait, 3),
            "throughput_per_min": round(self.throughput_per_min, 1),
            "latency_s": {"p50": round(self.latency(50), 3), "p95": round(self.latency(95), 3),
                          "mean": round(statistics.fmean(self.latencies), 3),
                          "all": [round(x, 3) for x in self.latencies]},
            "syncs_per_core_hour": round(self.syncs_per_core_hour),
            "cpu_s": {"per_sync": round(self.cpu_per_sync, 4),
                      "total": round(self.cpu.total, 3),
                      "python_process": round(self.cpu.root_own, 3),
                      "by_process_kind_per_sync": {k: round(v / self.syncs, 4)
                                                   for k, v in self.cpu.by_kind.items()
                                                   if abs(v) >= 0.0005}},
            "memory": {"peak_pss_mb": _mb(self.peak_pss), "idle_pss_mb": _mb(self.idle_pss),
                       "per_concurrent_sync_mb": _round(self.memory_per_sync_mb),
                       "per_concurrent_sync_by_kind_mb": {
                           k: round(v, 1) for k, v in self.memory_by_kind.items()},
                       "samples": self.memory_samples},
            "phases_ms": {k: round(v, 1) for k, v in self.phases_ms.items()},
        }


@dataclass
class Outcome(Generic[T]):
    run: Run
    outputs: list[T]


class Meter:
    """Takes windows over the process tree of this process, minus the excluded pids."""

    def __init__(self, exclude: set[int], sampler: MemorySampler) -> None:
        self.exclude = exclude
        self.sampler = sampler
        self.root = os.getpid()

    async def measure(self, key: str, label: str, concurrency: int, syncs: int,
                      one: Callable[[], Awaitable[T]],
                      settle: Callable[[], Awaitable[None]] | None = None,
                      diagnostic: bool = False) -> Outcome[T]:
        """Run ``syncs`` calls of ``one`` on ``concurrency`` workers; each worker starts its
        next sync when its previous one ends, so latencies never include queueing."""
        outputs: list[T] = []
        latencies: list[float] = []
        errors: list[str] = []
        remaining = syncs

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                try:
                    outputs.append(await one())
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                latencies.append(time.perf_counter() - started)

        window_start = time.time()
        before = cpu_snapshot(self.root, self.exclude)
        waited = runqueue_wait()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        waited = runqueue_wait() - waited
        if settle is not None:
            await settle()  # closes still finishing belong to these syncs' cost
        cpu = cpu_snapshot(self.root, self.exclude) - before
        run = Run(key, label, concurrency, syncs, wall, latencies, cpu,
                  (window_start, time.time()), errors=errors, diagnostic=diagnostic,
                  runqueue_wait=waited)
        return Outcome(run, outputs)

    async def idle_window(self, seconds: float = 1.5) -> tuple[float, float]:
        """A quiet stretch whose memory samples give the idle baseline."""
        await asyncio.sleep(0.3)
        start = time.time()
        await asyncio.sleep(seconds)
        return start, time.time()

    def fill_memory(self, run: Run, idle_window: tuple[float, float]) -> None:
        """Peak of the run, idle = median of the quiet stretch before it, both by kind."""
        samples = [s for window in (run.window, *run.more_windows)
                   for s in self.sampler.samples(*window)]
        idle = self.sampler.samples(*idle_window)
        run.memory_samples = len(samples)
        if not samples or not idle:
            return
        peak = max(samples, key=lambda s: s.pss)
        run.peak_pss = peak.pss
        run.idle_pss = int(statistics.median(s.pss for s in idle))
        kinds = set(peak.by_kind) | {k for s in idle for k in s.by_kind}
        for kind in sorted(kinds):
            idle_kind = statistics.median(s.by_kind.get(kind, 0) for s in idle)
            run.memory_by_kind[kind] = ((peak.by_kind.get(kind, 0) - idle_kind)
                                        / run.concurrency / MB)


def runqueue_wait() -> float:
    """Seconds this thread has spent runnable, waiting for a CPU (0 where not available)."""
    try:
        with open("/proc/thread-self/schedstat") as handle:
            return int(handle.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def merged(parts: list[Outcome[T]]) -> Outcome[T]:
    """Windows of one configuration taken in turn with other configurations' windows, as one
    run: syncs, wall time, CPU and latencies add up, memory is read over every window. Taking
    the configurations compared by a ratio in alternating windows spreads the machine's load
    drift over all of them instead of charging it to whichever ran last."""
    first = parts[0].run
    run = Run(first.key, first.label, first.concurrency, sum(p.run.syncs for p in parts),
              sum(p.run.wall for p in parts), [x for p in parts for x in p.run.latencies],
              functools.reduce(operator.add, (p.run.cpu for p in parts)), first.window,
              more_windows=[p.run.window for p in parts[1:]],
              errors=[e for p in parts for e in p.run.errors], diagnostic=first.diagnostic,
              runqueue_wait=sum(p.run.runqueue_wait for p in parts))
    return Outcome(run, [o for p in parts for o in p.outputs])


def _mb(value: int | None) -> float | None:
    return None if value is None else round(value / MB, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
