"""The benchmark picture: four panels (throughput, CPU, latency, memory), one bar per
configuration, real axes with ticks, the targets drawn where they apply (a dashed line at the
figure the target allows), then a panel of every target — each on its own axis, the measured
value against the limit, PASS or MISS — and the date, commit and machine in the header. Drawn
from ``latest.json`` alone, so a saved run can be redrawn:

    python -m bench.chart bench/results/latest.json bench/results/latest.svg

Self-drawn SVG (no plotting library to install for four bar charts). Number formats are one
per quantity: syncs per minute and MB as integers, CPU in milliseconds (integers), latency in
seconds with two decimals.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

WIDTH, PANEL_W, LABEL_W, BAR_H, GAP = 1320, 620, 270, 14, 5
COLOURS = {"engine": "#2b6cb0", "neo": "#6b46c1", "naive": "#c05621", "httpx": "#2f855a"}
TARGET_ROW = 26


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    value: Callable[[dict[str, Any]], float | None]
    fmt: Callable[[float], str]
    log: bool
    target_panel: str
    """Targets whose ``panel`` names this one are drawn on it."""
    second: Callable[[dict[str, Any]], float | None] | None = None
    """A second mark per bar (latency: p95 over the p50 bar)."""


def _memory(run: dict[str, Any]) -> float | None:
    value = (run.get("memory") or {}).get("per_concurrent_sync_mb")
    return None if value is None or value < 0 else float(value)


PANELS = [
    Panel("Throughput: syncs per minute (higher is better)", "syncs/min",
          lambda r: r["throughput_per_min"], lambda v: f"{v:,.0f}", True, "throughput"),
    Panel("CPU per sync, whole process tree (lower is better)", "ms",
          lambda r: r["cpu_s"]["per_sync"] * 1000, lambda v: f"{v:,.0f}", True, "cpu"),
    Panel("Latency per sync: bar p50, tick p95 (lower is better)", "s",
          lambda r: r["latency_s"]["p50"], lambda v: f"{v:.2f}", False, "latency",
          second=lambda r: r["latency_s"]["p95"]),
    Panel("Memory per concurrent sync, PSS above idle (lower is better)", "MB",
          _memory, lambda v: f"{v:,.0f}", False, "memory"),
]


def _family(run: dict[str, Any]) -> str:
    key = str(run["key"])
    return next((f for f in COLOURS if key.startswith(f)), "engine")


def _ticks(low: float, high: float, log: bool) -> list[float]:
    if log:
        start, stop = math.floor(math.log10(low)), math.ceil(math.log10(high))
        return [10.0 ** e for e in range(start, stop + 1)]
    raw = high / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(high / step) + 1)]


def _axis(values: list[float], lines: list[float], log: bool) -> tuple[list[float],
                                                                       Callable[[float], float]]:
    """Ticks, and a function mapping a value to 0..1 of the plot width."""
    wanted = [v for v in values + lines if v > 0]
    if not wanted:
        return [0.0, 1.0], lambda v: 0.0
    ticks = _ticks(min(wanted), max(wanted), log) if log else _ticks(0, max(wanted), False)
    low, high = ticks[0], ticks[-1]
    if log:
        span = math.log10(high) - math.log10(low) or 1.0
        return ticks, lambda v: (math.log10(max(v, low)) - math.log10(low)) / span
    return ticks, lambda v: (v - low) / ((high - low) or 1.0)


def _panel(panel: Panel, runs: list[dict[str, Any]], targets: list[dict[str, Any]],
           x: int, y: int) -> tuple[list[str], int]:
    rows = [(run, panel.value(run), panel.second(run) if panel.second else None)
            for run in runs]
    lines = [t for t in targets if t.get("panel") == panel.target_panel and t.get("line")]
    values = [v for _, v, _ in rows if v is not None] + [s for _, _, s in rows if s]
    ticks, scale = _axis(values, [float(t["line"]) for t in lines], panel.log)
    plot_x, plot_w = x + LABEL_W, PANEL_W - LABEL_W - 80  # room for the value labels
    top = y + 40 + 12 * max(0, len(lines) - 1)  # a row per target label above the plot
    height = len(rows) * (BAR_H + GAP)
    out = [f'<text x="{x}" y="{y + 14}" font-weight="bold">{escape(panel.title)}</text>']
    for tick in ticks:  # grid lines, tick marks and labels
        tx = plot_x + scale(tick) * plot_w
        out += [f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{top + height}" '
                f'stroke="#ddd"/>',
                f'<line x1="{tx:.1f}" y1="{top + height}" x2="{tx:.1f}" '
                f'y2="{top + height + 4}" stroke="#333"/>',
                f'<text x="{tx:.1f}" y="{top + height + 16}" text-anchor="middle" '
                f'font-size="10">{escape(panel.fmt(tick))}</text>']
    out.append(f'<line x1="{plot_x}" y1="{top + height}" x2="{plot_x + plot_w}" '
               f'y2="{top + height}" stroke="#333"/>')
    out.append(f'<text x="{plot_x + plot_w}" y="{top + height + 30}" text-anchor="end" '
               f'font-size="10">{escape(panel.unit)}{" (log scale)" if panel.log else ""}'
               '</text>')
    for index, (run, value, second) in enumerate(rows):
        by = top + index * (BAR_H + GAP)
        label = f"{run['label']}, c={run['concurrency']}"
        out.append(f'<text x="{plot_x - 6}" y="{by + BAR_H - 3}" text-anchor="end" '
                   f'font-size="11">{escape(label)}</text>')
        if value is None:
            out.append(f'<text x="{plot_x + 4}" y="{by + BAR_H - 3}" font-size="10" '
                       'fill="#777">not measured</text>')
            continue
        length = max(1.0, scale(value) * plot_w)
        colour = COLOURS[_family(run)] if run.get("valid", True) else "#aaa"
        out.append(f'<rect x="{plot_x}" y="{by}" width="{length:.1f}" height="{BAR_H}" '
                   f'fill="{colour}"/>')
        text = panel.fmt(value) + (f" / {panel.fmt(second)}" if second else "")
        text += "" if run.get("valid", True) else " INVALID"
        end = plot_x + length
        if second:
            sx = plot_x + scale(second) * plot_w
            out.append(f'<line x1="{sx:.1f}" y1="{by - 1}" x2="{sx:.1f}" y2="{by + BAR_H + 1}" '
                       'stroke="#111" stroke-width="2"/>')
            end = max(end, sx)
        out.append(f'<text x="{end + 4:.1f}" y="{by + BAR_H - 3}" font-size="10">'
                   f'{escape(text)}</text>')
    for number, target in enumerate(lines):
        tx = plot_x + scale(float(target["line"])) * plot_w
        passed = target.get("passed")
        colour = _verdict_colour(passed)
        label_y = top - 8 - 12 * (len(lines) - 1 - number)  # one label row per line
        name = f'{target["short"]} ' if target.get("short") else ""
        # labels of lines in the right part of the plot end at the line, not past the panel
        anchor, lx = ("end", tx - 3) if tx > plot_x + 0.55 * plot_w else ("start", tx + 3)
        out += [f'<line x1="{tx:.1f}" y1="{label_y + 2}" x2="{tx:.1f}" y2="{top + height}" '
                f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="5,3"/>',
                f'<text x="{lx:.1f}" y="{label_y}" text-anchor="{anchor}" font-size="10" '
                f'fill="{colour}">{escape(name)}target {escape(panel.fmt(float(target["line"])))}: '
                f'{_verdict(passed)}</text>']
    return out, height + 80 + 12 * max(0, len(lines) - 1)


def _verdict(passed: bool | None) -> str:
    return "PASS" if passed else "MISS" if passed is False else "n/a"


def _verdict_colour(passed: bool | None) -> str:
    return "#2f855a" if passed else "#c53030" if passed is False else "#555"


def _targets_panel(targets: list[dict[str, Any]], y: int) -> tuple[list[str], int]:
    """Every target on a row of its own: the measured value as a bar on an axis from 0 that
    holds both it and the limit, the limit as a dashed line, the verdict and the numbers."""
    if not targets:
        return [], 0
    x, label_w, plot_w = 20, 470, 420
    out = [f'<text x="{x}" y="{y + 14}" font-weight="bold">Targets: measured (bar) against '
           'the limit (dashed line), each on its own axis from 0</text>']
    top = y + 30
    for index, target in enumerate(targets):
        ry = top + index * TARGET_ROW
        value, limit = target.get("value"), float(target["target"])
        unit = str(target.get("unit") or "")
        sign = "≥" if target.get("higher_is_better") else "≤"
        out.append(f'<text x="{x + label_w - 6}" y="{ry + BAR_H - 3}" text-anchor="end" '
                   f'font-size="11">{escape(str(target["name"]))}</text>')
        px = x + label_w
        high = max(limit, float(value) if value is not None else 0.0) * 1.15 or 1.0
        out.append(f'<line x1="{px}" y1="{ry + BAR_H + 2}" x2="{px + plot_w}" '
                   f'y2="{ry + BAR_H + 2}" stroke="#999"/>')
        colour = _verdict_colour(target.get("passed"))
        if value is not None:
            length = max(1.0, float(value) / high * plot_w)
            out.append(f'<rect x="{px}" y="{ry}" width="{length:.1f}" height="{BAR_H}" '
                       f'fill="{colour}" fill-opacity="0.75"/>')
        lx = px + limit / high * plot_w
        out.append(f'<line x1="{lx:.1f}" y1="{ry - 3}" x2="{lx:.1f}" y2="{ry + BAR_H + 4}" '
                   f'stroke="#111" stroke-width="1.5" stroke-dasharray="5,3"/>')
        shown = "not measured" if value is None else f"{float(value):.2f}{unit}"
        out.append(f'<text x="{px + plot_w + 8}" y="{ry + BAR_H - 3}" font-size="11" '
                   f'fill="{colour}">{escape(shown)} (target {sign} {limit:g}{escape(unit)}): '
                   f'{_verdict(target.get("passed"))}</text>')
    return out, 40 + len(targets) * TARGET_ROW


def render(payload: dict[str, Any], title: str = "Bank sync cost: Banque Démo and NeoBanque"
           ) -> str:
    """The SVG for a ``latest.json`` payload."""
    runs = [r for r in payload["runs"] if not r.get("diagnostic")]
    targets = payload.get("targets") or []
    machine = payload.get("machine") or {}
    date = str(payload.get("generated_at", ""))[:16].replace("T", " ")
    commit = payload.get("commit") or "unknown commit"
    header = [f"{date} UTC" if date else "", f"commit {commit}",
              f"{machine.get('cpu_model', '?')}, {machine.get('cores', '?')} cores, "
              f"{machine.get('ram_gb', '?')} GB, Python {machine.get('python', '?')}, "
              f"Chromium {machine.get('chromium', '?')}"]
    load = payload.get("load_average") or {}
    if load.get("start"):
        header.append(f"load average {load['start'][0]:.1f} → "
                      f"{(load.get('end') or load['start'])[0]:.1f}")
    out: list[str] = []
    y = 70
    for row in range(2):
        heights = []
        for column in range(2):
            drawn, height = _panel(PANELS[row * 2 + column], runs, targets,
                                   20 + column * (PANEL_W + 40), y)
            out += drawn
            heights.append(height)
        y += max(heights)
    drawn, height = _targets_panel(targets, y)
    out += drawn
    y += height
    legend_y = y + 4
    legend = []
    for i, (name, colour) in enumerate((("engine, Banque Démo", COLOURS["engine"]),
                                        ("engine, NeoBanque (SPA)", COLOURS["neo"]),
                                        ("naive: browser per sync, all rendered",
                                         COLOURS["naive"]),
                                        ("httpx + parsel (the floor)", COLOURS["httpx"]))):
        lx = 20 + i * 320
        legend += [f'<rect x="{lx}" y="{legend_y}" width="12" height="12" fill="{colour}"/>',
                   f'<text x="{lx + 18}" y="{legend_y + 11}" font-size="11">{escape(name)}'
                   '</text>']
    height = legend_y + 30
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="20" y="26" font-size="17" font-weight="bold">{escape(title)}</text>',
        f'<text x="20" y="46" font-size="11" fill="#444">'
        f'{escape(" · ".join(h for h in header if h))}</text>',
        *out, *legend, "</svg>"])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bench.chart LATEST.json OUT.svg", file=sys.stderr)
        return 2
    payload = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_text(render(payload), encoding="utf-8")
    print(f"wrote {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
