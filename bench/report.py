"""Turn the runs into what people read: the machine, a table, ratios against the baselines
with PASS/MISS per target, ``latest.json`` and a small self-drawn SVG (no plotting library
to install for two bar charts)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from html import escape
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


@dataclass(frozen=True)
class Target:
    name: str
    value: float | None
    limit: float
    higher_is_better: bool
    unit: str
    how: str

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
        return (f"  {verdict}  {self.name}: {self.value:.2f}{self.unit} (target {sign} "
                f"{self.limit:g}{self.unit}; {margin:.2f}× of the way) — {self.how}")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": None if self.value is None else round(self.value, 3),
                "target": self.limit, "higher_is_better": self.higher_is_better,
                "unit": self.unit, "passed": self.passed, "how": self.how}


def table(runs: list[Run]) -> str:
    """A Markdown table (pastes into the README as is)."""
    head = ("| configuration | conc. | syncs | p50 s | p95 s | syncs/min | CPU s/sync "
            "| of which Python | syncs per core-hour | MB per conc. sync |")
    lines = [head, "|" + "---|" * 10]
    for run in runs:
        mem = run.memory_per_sync_mb
        label = run.label + ("" if run.valid else " **INVALID**")
        lines.append(
            f"| {label} | {run.concurrency} | {run.syncs} | {run.latency(50):.2f} | "
            f"{run.latency(95):.2f} | {run.throughput_per_min:.0f} | {run.cpu_per_sync:.3f} | "
            f"{run.cpu.root_own / run.syncs:.3f} | {run.syncs_per_core_hour:,.0f} | "
            f"{_memory(mem)} |")
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


def svg(runs: list[Run], title: str) -> str:
    """Two horizontal bar charts (log scales): throughput and CPU per sync, one bar per
    configuration; engine blue, naive browser-per-sync orange, httpx floor green."""
    shown = [r for r in runs if not r.diagnostic]
    width, bar_h, gap, left = 900, 18, 6, 330
    panel_h = len(shown) * (bar_h + gap) + 40
    height = 40 + 2 * panel_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>']
    panels: list[tuple[str, Any]] = [
        ("Throughput (syncs per minute, log scale, higher is better)",
         lambda r: r.throughput_per_min),
        ("CPU seconds per sync (log scale, lower is better)", lambda r: r.cpu_per_sync)]
    for number, (name, value) in enumerate(panels):
        top = 40 + number * panel_h
        out.append(f'<text x="10" y="{top + 14}" font-weight="bold">{escape(name)}</text>')
        values = [max(value(r), 1e-6) for r in shown]
        scale = _log_scale(values)  # the httpx floor is 10-100× the rest
        for i, (run, v) in enumerate(zip(shown, values, strict=True)):
            y = top + 24 + i * (bar_h + gap)
            length = max(1.0, scale(v) * (width - left - 90))
            colour = ("#2b6cb0" if run.key.startswith("engine") else
                      "#c05621" if run.key.startswith("naive") else "#2f855a")
            label = f"{run.label}, c={run.concurrency}"
            out += [f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>',
                    f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_h}" '
                    f'fill="{colour}"/>',
                    f'<text x="{left + length + 6:.1f}" y="{y + 13}">'
                    f'{v:.3g}</text>']
    out.append("</svg>")
    return "\n".join(out)


def _log_scale(values: list[float]) -> Any:
    import math

    low, high = math.log10(min(values)) - 0.3, math.log10(max(values))
    span = max(high - low, 1e-9)
    return lambda v: (math.log10(v) - low) / span
