"""``engine canary``: every recipe against every recorded scenario, as CI runs it.

Why two passes per scenario: the snapshot check (no browser) names the selector that stopped
matching in milliseconds, and the browser replay proves the whole flow still works — login
steps, navigation, pagination, detection and the final result, compared with
``expected.json``. One ``Engine`` (one Chromium) serves every replay; each replay still gets
its own isolated context.

A scenario recorded with ``expected_error`` (maintenance, wrong password...) passes when the
replay fails with that error code: the canary guards the classification too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.api import Engine
from engine.errors import RecipeError
from engine.harness.causes import Cause, ranked
from engine.harness.check import ScenarioCheck, check_scenario
from engine.harness.fixture import load_fixture, scenario_dirs
from engine.harness.replay import FieldDiff, ReplayOutcome, replay_scenario
from engine.harness.report import dom_fragment
from engine.harness.snapshots import recorded_page
from engine.recipe import Recipe, load_recipe


@dataclass
class Failure:
    """One reason a scenario failed, located as precisely as the evidence allows."""

    source: str
    """replay, check, diff or harness."""
    message: str
    code: str | None = None
    step: str | None = None
    selector: str | None = None
    url: str | None = None
    snapshot: str | None = None
    """The saved snapshot the check found it in (its screenshot is the one to show)."""


@dataclass
class ScenarioOutcome:
    recipe_path: Path
    institution: str
    scenario: str
    fixture_dir: Path
    passed: bool = False
    expected_error: str | None = None
    actual_error: str | None = None
    check: ScenarioCheck | None = None
    failures: list[Failure] = field(default_factory=list)
    diffs: list[FieldDiff] = field(default_factory=list)
    unmatched_requests: list[str] = field(default_factory=list)
    screenshot: bytes | None = None
    dom_fragment: str | None = None
    dom_source: str | None = None
    elapsed_ms: float = 0.0
    check_ms: float = 0.0
    replay_ms: float = 0.0
    causes: list[Cause] = field(default_factory=list)
    """Check's and replay's causes, worst first: ``causes[0]`` is the headline."""
    notes: list[str] = field(default_factory=list)
    replay: ReplayOutcome | None = None
    suggestion: str | None = None
    """A verified patch of the recipe (YAML diff), when ``--suggest`` found one."""

    def headline(self) -> str | None:
        return self.causes[0].message if self.causes else (
            self.failures[0].message if self.failures else None)


@dataclass
class CanaryReport:
    outcomes: list[ScenarioOutcome] = field(default_factory=list)
    without_fixtures: list[str] = field(default_factory=list)
    recipe_errors: dict[str, list[str]] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.recipe_errors and all(o.passed for o in self.outcomes)


ProgressHook = Callable[[str, ScenarioOutcome | None], None]
"""Called with ("start", None) per scenario about to run... and ("done", outcome)."""


def _load_recipes(paths: Sequence[Path], report: CanaryReport) -> list[tuple[Path, Recipe]]:
    loaded = []
    for path in paths:
        try:
            loaded.append((path, load_recipe(path)))
        except RecipeError as exc:
            report.recipe_errors[str(path)] = [str(p) for p in exc.problems]
    return loaded


def plan(recipe_paths: Sequence[Path], fixtures_root: Path,
         report: CanaryReport) -> list[tuple[Path, Recipe, Path]]:
    """(recipe path, recipe, scenario folder) for every scenario to run."""
    work: list[tuple[Path, Recipe, Path]] = []
    for path, recipe in _load_recipes(recipe_paths, report):
        folders = scenario_dirs(fixtures_root, recipe.institution.id)
        if not folders:
            report.without_fixtures.append(str(path))
        work.extend((path, recipe, folder) for folder in folders)
    return work


async def run_canary(recipe_paths: Sequence[Path], fixtures_root: Path, *,
                     engine: Engine | None = None, jobs: int = 2,
                     progress: ProgressHook | None = None,
                     on_plan: Callable[[int], None] | None = None,
                     suggest: bool = False) -> CanaryReport:
    """Every scenario of every recipe; ``suggest``: a failing scenario whose check located a
    broken selector gets a verified repair (``suggest.py``) next to its failure."""
    started = time.perf_counter()
    report = CanaryReport()
    work = plan(recipe_paths, fixtures_root, report)
    if on_plan is not None:
        on_plan(len(work))
    own_engine = engine is None
    shared = engine or Engine(max_concurrency=max(1, jobs))
    slots = asyncio.Semaphore(max(1, jobs))

    async def one(path: Path, recipe: Recipe, folder: Path) -> ScenarioOutcome:
        async with slots:
            if progress is not None:
                progress("start", None)
            outcome = await run_scenario(path, recipe, folder, shared, suggest=suggest)
            if progress is not None:
                progress("done", outcome)
            return outcome

    try:
        report.outcomes = list(await asyncio.gather(*(one(*w) for w in work)))
    finally:
        if own_engine:
            await shared.close()
    report.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return report


async def run_scenario(recipe_path: Path, recipe: Recipe, folder: Path, engine: Engine, *,
                       step_timeout: float | None = None,
                       suggest: bool = False) -> ScenarioOutcome:
    """Check + replay one scenario and decide whether it passes (``suggest``: and, when it
    fails on a located selector, propose a verified repair)."""
    started = time.perf_counter()
    outcome = ScenarioOutcome(recipe_path, recipe.institution.id, folder.name, folder)
    try:
        fixture = load_fixture(folder)
    except Exception as exc:
        outcome.failures.append(Failure("harness", f"fixture unreadable: {exc}"))
        outcome.elapsed_ms = _ms(started)
        return outcome
    outcome.scenario = str(fixture.meta.get("scenario") or folder.name)
    outcome.expected_error = fixture.meta.get("expected_error") or None
    try:
        outcome.check = check_scenario(recipe, folder)  # API cassettes read as pages too
        outcome.check_ms = outcome.check.elapsed_ms
    except Exception as exc:  # a corrupt snapshot must not hide the replay's verdict
        outcome.failures.append(Failure("harness", f"check crashed: {type(exc).__name__}: "
                                                   f"{exc}"))
    replay: ReplayOutcome | None = None
    replay_started = time.perf_counter()
    try:
        if fixture.meta.get("kind") != "imported":  # saved pages: nothing to replay
            replay = await replay_scenario(recipe_path, folder, engine=engine,
                                           step_timeout=step_timeout)
    except Exception as exc:
        outcome.failures.append(Failure("harness", f"replay crashed: {type(exc).__name__}: "
                                                   f"{exc}"))
    outcome.replay_ms = _ms(replay_started)
    outcome.replay = replay
    if replay is not None:
        _judge_replay(outcome, replay)
    _judge_check(outcome)
    _failures(outcome)
    outcome.passed = not outcome.failures
    if not outcome.passed:
        _attach_evidence(outcome, recipe, replay)
        if suggest and outcome.check is not None and not outcome.check.expects_breakage \
                and any(c.selector for c in outcome.check.causes):
            from engine.harness.suggest import suggest_async

            patches = await suggest_async(recipe_path, folder, engine=engine)
            outcome.suggestion = "".join(line if line.endswith("\n") else line + "\n"
                                         for p in patches for line in p.lines()) or None
    outcome.elapsed_ms = _ms(started)
    return outcome


def _judge_replay(outcome: ScenarioOutcome, replay: ReplayOutcome) -> None:
    """The replay's verdict (``replay.judge``: compared with expected.json by identity, the
    sync's own error first, a truncated history, the first changed value)."""
    result = replay.result
    outcome.actual_error = result.error.code if result.error else None
    outcome.diffs = list(replay.diffs)
    outcome.unmatched_requests = list(replay.unmatched_requests)
    outcome.screenshot = replay.screenshot
    outcome.notes.extend(replay.notes)
    if not replay.ok:
        outcome.causes.extend(replay.causes or [Cause("harness", "replay differs from "
                                                      "expected.json")])


def _judge_check(outcome: ScenarioOutcome) -> None:
    check = outcome.check
    if check is None or check.ok:
        return
    # the check's causes carry the saved page (its snapshot and screenshot): among causes of
    # equal rank they come first
    outcome.causes[:0] = check.causes


def _failures(outcome: ScenarioOutcome) -> None:
    """Causes, worst first, as the report's failure rows."""
    checked = {id(c) for c in (outcome.check.causes if outcome.check else [])}
    outcome.causes = ranked(outcome.causes)
    outcome.failures.extend(
        Failure("check" if id(c) in checked else "replay", c.message, code=c.code,
                step=c.step, selector=c.selector, url=c.page, snapshot=c.snapshot)
        for c in outcome.causes)


# ----------------------------------------------------------------------------- evidence

def _attach_evidence(outcome: ScenarioOutcome, recipe: Recipe,
                     replay: ReplayOutcome | None) -> None:
    """Screenshot and DOM fragment for the first located failure."""
    located = next((f for f in outcome.failures if f.selector), None)
    failure = located or (outcome.failures[0] if outcome.failures else None)
    if failure is None:
        return
    shots = outcome.fixture_dir / "screenshots"
    page_shot = shots / Path(failure.snapshot).with_suffix(".png").name \
        if failure.snapshot else None
    if page_shot is not None and page_shot.exists():
        # the check read a saved page: show that page, not wherever the replay ended
        outcome.screenshot = page_shot.read_bytes()
    elif outcome.screenshot is None and (shots / "final.png").exists():
        outcome.screenshot = (shots / "final.png").read_bytes()
    document = _document_for(outcome, failure, replay)
    if document is None:
        return
    step = failure.step or ""
    row_selector = None
    stage = step.split(".", 1)[0].split(" ", 1)[0]
    block = recipe.block(stage)
    if block is not None and failure.selector and failure.selector != block.each \
            and failure.selector in {s.selector for s in block.field_specs().values()}:
        row_selector = block.each
    outcome.dom_fragment, outcome.dom_source = dom_fragment(
        document, failure.selector, row_selector=row_selector,
        login_step=step.startswith("login"))


def _document_for(outcome: ScenarioOutcome, failure: Failure,
                  replay: ReplayOutcome | None) -> str | None:
    """The HTML of the failing page: saved evidence, a snapshot, or the recorded response."""
    error = replay.result.error if replay is not None else None
    if error is not None and error.evidence.get("html"):
        path = Path(error.evidence["html"])
        if path.exists():
            return path.read_text(encoding="utf-8", errors="replace")
    if failure.snapshot:
        path = outcome.fixture_dir / "snapshots" / failure.snapshot
        if path.exists():
            return path.read_text(encoding="utf-8")
    page = recorded_page(outcome.fixture_dir, failure.url)
    final = outcome.fixture_dir / "snapshots" / "final.html"
    if page is None and final.exists():
        page = final.read_text(encoding="utf-8")
    return page


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
