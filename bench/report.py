"""Turn the runs into what people read: the machine, the commit, a table, ratios against the
baselines with PASS/MISS per target, and ``latest.json`` (the picture is drawn from it by
``bench.chart``)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from bench.measure import Run


def machine(chromium_version: str) -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model, "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(), "chromium": chromium_version,
        "os": f"{platform.system()} {platform.release()}",
    }


def commit() -> str:
    """The checkout's commit (short), ``+dirty`` when files differ from it."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    root = Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=root, text=True,
                              capture_output=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run([git, "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, text=True, capture_output=True, check=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    limit: float
    higher_is_better: bool
    unit: str
    how: str
    panel: str | None = None
    """The chart panel it is drawn on (``throughput``, ``cpu``, ``latency``, ``memory``)."""
    chart_value: float | None = None
    """Where it is drawn, in that panel's unit (a ratio target times its baseline)."""
    short: str = ""
    """What the line is, in a few words, beside it on the chart (a panel may hold several)."""
    interval: tuple[float, float] | None = None
    """95% interval of ``value`` where the run gives one (resampled rounds): printed beside
    the verdict, so a value near its limit is read with its uncertainty."""

    @property
    def passed(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.limit if self.higher_is_better else self.value <= self.limit

    def line(self) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        if self.value is None:
            return f"  n/a   {self.name}: not measured ({self.how})"
        verdict = "PASS" if self.passed else "MISS"
        margin = (self.value / self.limit if self.higher_is_better else self.limit / self.value)
        within = (f"; 95% interval {self.interval[0]:.3f}–{self.interval[1]:.3f}"
                  if self.interval else "")
        return (f"  {verdict}  {self.name}: {self.value:.3f}{self.unit} (target {sign} "
                f"{self.limit:g}{self.unit}{within}; {margin:.2f}× of the way) — {self.how}"
                if self.interval else
                f"  {verdict}  {self.name}: {self.value:.2f}{self.unit} (target {sign} "
                f"{self.limit:g}{self.unit}; {margin:.2f}× of the way) — {self.how}")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": None if self.value is None else round(self.value, 3),
                "target": self.limit, "higher_is_better": self.higher_is_better,
                "unit": self.unit, "passed": self.passed, "how": self.how,
                "interval": ([round(v, 4) for v in self.interval] if self.interval else None),
                "panel": self.panel, "short": self.short,
                "line": None if self.chart_value is None else round(self.chart_value, 4)}


def table(runs: list[Run]) -> str:
    """A Markdown table (pastes into the README as is)."""
    head = ("| configuration | conc. | syncs | p50 s | p95 s | syncs/min | CPU s/sync "
            "| of which Python | syncs per core-hour | MB per conc. sync | browser contexts "
            "per sync |")
    lines = [head, "|" + "---|" * 11]
    for run in runs:
        mem = run.memory_per_sync_mb
        label = run.label + ("" if run.valid else " **INVALID**")
        contexts = "—" if run.contexts is None else f"{run.contexts / run.syncs:.2f}"
        lines.append(
            f"| {label} | {run.concurrency} | {run.syncs} | {run.latency(50):.2f} | "
            f"{run.latency(95):.2f} | {run.throughput_per_min:.0f} | {run.cpu_per_sync:.3f} | "
            f"{run.cpu.root_own / run.syncs:.3f} | {run.syncs_per_core_hour:,.0f} | "
            f"{_memory(mem)} | {contexts} |")
    return "\n".join(lines)


def _memory(value: float | None) -> str:
    if value is None:
        return "n/a"
    # a run shorter than the sampling interval can miss its own peak: say so, no negative MB
    return f"{value:.0f}" if value >= 0 else "~0 (too short to sample)"


def cpu_breakdown(run: Run) -> str:
    parts = sorted(((v / run.syncs, k) for k, v in run.cpu.by_kind.items() if v > 0.0005),
                   reverse=True)
    return ", ".join(f"{k} {v * 1000:.0f}" for v, k in parts)
