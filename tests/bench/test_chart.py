"""The benchmark picture carries what a reader needs: four panels with axes and ticks, one
number format per quantity, the targets where they apply (several on one panel, each named),
a panel holding every target with its verdict, the date, the commit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from bench.chart import render
from bench.report import Target


def _run(key: str, label: str, c: int, per_min: float, cpu: float, p50: float, p95: float,
         mb: float | None, valid: bool = True) -> dict[str, Any]:
    return {"key": key, "label": label, "concurrency": c, "valid": valid, "diagnostic": False,
            "throughput_per_min": per_min, "cpu_s": {"per_sync": cpu},
            "latency_s": {"p50": p50, "p95": p95},
            "memory": {"per_concurrent_sync_mb": mb}}


PAYLOAD = {
    "generated_at": "2026-11-24T10:15:00+00:00", "commit": "2794b2b",
    "machine": {"cpu_model": "AMD EPYC", "cores": 2, "ram_gb": 23.5, "python": "3.11.7",
                "chromium": "156"},
    "load_average": {"start": [2.1, 2.0, 1.9], "end": [11.8, 6.0, 3.0]},
    "runs": [
        _run("httpx", "httpx + parsel (floor)", 4, 997, 0.058, 0.24, 0.29, 5),
        _run("engine_auto", "engine (render=auto)", 1, 70, 1.48, 0.84, 1.00, 128),
        _run("engine_auto", "engine (render=auto)", 4, 65, 1.63, 3.66, 3.75, 97),
        _run("engine_browser", "engine, every page rendered", 4, 24, 4.30, 9.50, 10.98, 136),
        _run("naive", "naive: browser per sync", 4, 21, 4.75, 11.02, 11.97, 370),
        _run("naive", "naive: browser per sync", 8, 19, 4.9, 20.0, 22.0, None, valid=False),
        {**_run("diag_context", "diag: context only", 4, 500, 0.4, 0.3, 0.4, 10),
         "diagnostic": True},
    ],
    "targets": [t.to_json() for t in (
        Target("throughput ÷ naive", 3.1, 3, True, "×", "", panel="throughput",
               chart_value=63, short="3× naive:"),
        Target("CPU ÷ floor", 28.1, 6, False, "×", "", panel="cpu", chart_value=348,
               short="6× floor:"),
        Target("NeoBanque CPU ÷ today's", 0.5, 0.7, False, "×", "", panel="cpu",
               chart_value=1400, short="0.7× NeoBanque:"),
        Target("memory per concurrent sync", 97, 60, False, " MB", "", panel="memory",
               chart_value=60, short="engine:"),
        Target("proxy cost", 1.02, 1.05, False, "×", "", panel=None),
        Target("not measured here", None, 1.2, False, "×", "", panel=None),
    )],
}


def test_four_panels_with_axes_ticks_targets_date_and_commit() -> None:
    svg = render(PAYLOAD)
    root = ET.fromstring(svg)  # noqa: S314 - well-formed; the SVG is our own
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for title in ("Throughput", "CPU per sync", "Latency per sync", "Memory per concurrent"):
        assert sum(t.startswith(title) for t in texts) == 1, title
    header = next(t for t in texts if "commit" in t)
    assert "2026-11-24 10:15 UTC" in header and "commit 2794b2b" in header
    assert "AMD EPYC, 2 cores" in header and "load average 2.1 → 11.8" in header
    # log axes tick at the decades, linear ones at round steps
    for tick in ("10", "100", "1,000"):
        assert tick in texts
    assert {"0.00", "5.00", "10.00", "15.00", "20.00", "25.00"} <= set(texts)
    assert {"0", "100", "200", "300", "400"} <= set(texts)
    # one format per quantity: throughput and CPU (ms) as integers, latency with 2 decimals
    assert "997" in texts and "58" in texts and "0.24 / 0.29" in texts
    assert "1,630" in texts  # CPU 1.63 s is shown as milliseconds
    # each panel line says what it is for: two on the CPU panel, one label row each
    assert [t for t in texts if " target " in t and t.endswith(("PASS", "MISS"))] == [
        "3× naive: target 63: PASS", "6× floor: target 348: MISS",
        "0.7× NeoBanque: target 1,400: PASS", "engine: target 60: MISS"]
    assert "not measured" in texts  # a run without a memory figure says so
    assert any(t.endswith("INVALID") for t in texts)
    assert not any("diag" in t for t in texts)  # diagnostics are not configurations
    # the targets panel: every target on its own row, even those no panel draws
    assert any(t.startswith("Targets: measured") for t in texts)
    assert "1.02× (target ≤ 1.05×): PASS" in texts
    assert "28.10× (target ≤ 6×): MISS" in texts and "3.10× (target ≥ 3×): PASS" in texts
    assert "97.00 MB (target ≤ 60 MB): MISS" in texts
    assert "not measured (target ≤ 1.2×): n/a" in texts
    assert {"proxy cost", "not measured here", "NeoBanque CPU ÷ today's"} <= set(texts)
    # four panel lines + one limit line per target row
    assert len(re.findall(r'stroke-dasharray="5,3"', svg)) == 4 + 6


def test_a_payload_without_targets_or_commit_still_draws() -> None:
    minimal = {"runs": PAYLOAD["runs"][:2]}
    svg = render(minimal)
    ET.fromstring(svg)  # noqa: S314 - the SVG is our own
    assert "unknown commit" in svg and "target" not in svg
