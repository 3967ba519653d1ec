"""Canary cost per recorded scenario: the browser-free snapshot check and the browser replay.

CI runs both for every recipe × scenario on every change, so their per-scenario time decides
how many institutions one CI machine can guard. The fixtures are recorded by the harness
(``fixtures/<institution>/<scenario>/``); when there are none, this section says so rather
than inventing figures.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.procs import cpu_snapshot
from engine.api import Engine

CHECK_REPEATS = 5
REPLAY_REPEATS = 1
"""One browser replay per scenario keeps ``make bench`` within its time; the check, cheap,
is repeated and its median taken."""


@dataclass
class ScenarioCost:
    recipe: str
    scenario: str
    check_ms: float
    check_cpu_ms: float
    check_ok: bool | None
    replay_ms: float | None = None
    replay_cpu_ms: float | None = None
    replay_ok: bool | None = None
    replay_note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in vars(self).items()}


@dataclass
class CanaryFigures:
    scenarios: list[ScenarioCost] = field(default_factory=list)
    skipped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "scenarios": [s.to_json() for s in self.scenarios]}


async def measure_canary(recipes: list[Path], fixtures_root: Path, engine: Engine,
                         exclude: set[int]) -> CanaryFigures:
    """Time ``check_scenario`` and ``replay_scenario`` on every recorded scenario."""
    try:
        from engine.harness.check import check_scenario
        from engine.harness.fixture import scenario_dirs
        from engine.harness.replay import replay_scenario
        from engine.recipe import load_recipe
    except ImportError as exc:
        return CanaryFigures(skipped=f"skipped: harness not importable ({exc})")
    work = []
    for path in recipes:
        try:
            recipe = load_recipe(path)
        except Exception:  # noqa: S112 - a broken recipe is the canary's news, not ours
            continue
        work += [(path, recipe, folder)
                 for folder in scenario_dirs(fixtures_root, recipe.institution.id)]
    if not work:
        return CanaryFigures(skipped="skipped: no fixtures")
    figures = CanaryFigures()
    root = os.getpid()
    for path, recipe, folder in work:
        walls, cpus = [], []
        check = None
        for _ in range(CHECK_REPEATS):
            # in-process and browser-free: this process's CPU clock is the exact figure (a tree
            # snapshot would itself cost a few ms, as much as a check)
            cpu_before, started = time.process_time(), time.perf_counter()
            check = check_scenario(recipe, folder)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu_before)
        cost = ScenarioCost(path.name, folder.name, statistics.median(walls) * 1000,
                            statistics.median(cpus) * 1000, getattr(check, "ok", None))
        walls, cpus = [], []
        try:
            for _ in range(REPLAY_REPEATS):
                before, started = cpu_snapshot(root, exclude), time.perf_counter()
                outcome = await replay_scenario(path, folder, engine=engine)
                walls.append(time.perf_counter() - started)
                cpus.append((cpu_snapshot(root, exclude) - before).total)
            error = outcome.result.error
            cost.replay_ok = bool(outcome.ok)
            cost.replay_ms = statistics.median(walls) * 1000
            cost.replay_cpu_ms = statistics.median(cpus) * 1000
            if not cost.replay_ok:
                cost.replay_note = (f"error {error.code}" if error is not None else
                                    "result differs from expected.json")
        except Exception as exc:
            cost.replay_note = f"replay crashed: {type(exc).__name__}: {exc}"[:200]
        figures.scenarios.append(cost)
    return figures
