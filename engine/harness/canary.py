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
import base64
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.api import Engine
from engine.errors import ErrorInfo, RecipeError
from engine.harness.check import ScenarioCheck, check_fixture, snapshot_path
from engine.harness.fixture import load_fixture, scenario_dirs
from engine.harness.replay import FieldDiff, ReplayOutcome, replay_scenario
from engine.harness.report import dom_fragment
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


def error_matches(expected: str, error: ErrorInfo | None) -> bool:
    """``expected_error`` may be a full code (``unavailable.maintenance``) or a bare kind."""
    if error is None:
        return False
    return error.code == expected or error.code.startswith(expected + ".") \
        or error.kind.value == expected


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
                     on_plan: Callable[[int], None] | None = None) -> CanaryReport:
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
            outcome = await run_scenario(path, recipe, folder, shared)
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


async def run_scenario(recipe_path: Path, recipe: Recipe, folder: Path,
                       engine: Engine) -> ScenarioOutcome:
    """Check + replay one scenario and decide whether it passes."""
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
    outcome.check = check_fixture(recipe, fixture)
    outcome.check_ms = outcome.check.elapsed_ms
    replay: ReplayOutcome | None = None
    replay_started = time.perf_counter()
    try:
        replay = await replay_scenario(recipe_path, folder, engine=engine)
    except Exception as exc:
        outcome.failures.append(Failure("harness", f"replay crashed: {type(exc).__name__}: "
                                                   f"{exc}"))
    outcome.replay_ms = _ms(replay_started)
    if replay is not None:
        _judge_replay(outcome, replay)
    _judge_check(outcome)
    outcome.passed = not outcome.failures
    if not outcome.passed:
        _attach_evidence(outcome, recipe, replay)
    outcome.elapsed_ms = _ms(started)
    return outcome


def _judge_replay(outcome: ScenarioOutcome, replay: ReplayOutcome) -> None:
    result = replay.result
    error = result.error
    outcome.actual_error = error.code if error else None
    outcome.diffs = list(replay.diffs)
    outcome.unmatched_requests = list(replay.unmatched_requests)
    outcome.screenshot = replay.screenshot
    expected = outcome.expected_error
    if expected:
        if not error_matches(expected, error):
            got = f"{error.code} at {error.step}" if error else "no error"
            outcome.failures.append(_failure_from(error, f"expected {expected}, got {got}"))
    elif error is not None:
        outcome.failures.append(_failure_from(error, error.message))
    if not expected:
        for failed in result.account_failures:
            outcome.failures.append(_failure_from(
                failed.error, f"account {failed.account_id} ({failed.stage}): "
                              f"{failed.error.message}"))
    if outcome.diffs:
        first = outcome.diffs[0]
        outcome.failures.append(Failure(
            "diff", f"{len(outcome.diffs)} difference(s) from expected.json, first at "
                    f"{first.path}: expected {first.expected!r}, got {first.actual!r}"))


def _failure_from(error: ErrorInfo | None, message: str) -> Failure:
    if error is None:
        return Failure("replay", message)
    return Failure("replay", message, code=error.code, step=error.step, selector=error.selector,
                   url=error.url)


def _judge_check(outcome: ScenarioOutcome) -> None:
    check = outcome.check
    if check is None or check.ok:
        return
    for snap in check.failures():
        for sel in snap.broken or []:
            where = f"{snap.file}" + (f" (account {snap.account_id})" if snap.account_id else "")
            outcome.failures.append(Failure("check", f"{where}: {sel.reason}", step=sel.name,
                                            selector=sel.selector, url=snap.url))
        if snap.error:
            outcome.failures.append(Failure("check", f"{snap.file}: {snap.error}"))


# ----------------------------------------------------------------------------- evidence

def _attach_evidence(outcome: ScenarioOutcome, recipe: Recipe,
                     replay: ReplayOutcome | None) -> None:
    """Screenshot and DOM fragment for the first located failure."""
    folder = outcome.fixture_dir
    if outcome.screenshot is None:
        for name in ("final.png",):
            shot = folder / "screenshots" / name
            if shot.exists():
                outcome.screenshot = shot.read_bytes()
    located = next((f for f in outcome.failures if f.selector), None)
    failure = located or (outcome.failures[0] if outcome.failures else None)
    if failure is None:
        return
    document = _document_for(outcome, failure, replay)
    if document is None:
        return
    step = failure.step or ""
    row_selector = None
    stage = step.split(".", 1)[0].split(" ", 1)[0]
    block = getattr(recipe, stage, None) if stage in ("accounts", "transactions",
                                                       "holdings") else None
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
    if failure.source == "check" and outcome.check is not None:
        for snap in outcome.check.failures():
            try:
                fixture = load_fixture(outcome.fixture_dir)
            except Exception:
                return None
            info = next((i for i in fixture.snapshots if i.file == snap.file), None)
            if info is not None and snapshot_path(outcome.fixture_dir, info).exists():
                return snapshot_path(outcome.fixture_dir, info).read_text(encoding="utf-8")
    return recorded_page(outcome.fixture_dir, failure.url)


def recorded_page(fixture_dir: Path, url: str | None) -> str | None:
    """The last HTML body the recording holds for ``url`` (same path when no exact match)."""
    exchanges = read_exchanges(fixture_dir)
    if not exchanges or not url:
        return None
    wanted = urlsplit(url)
    best: str | None = None
    for exchange in exchanges:
        body = exchange_html(exchange)
        if body is None:
            continue
        got = urlsplit(str(exchange.get("url", "")))
        if got.path == wanted.path and (best is None or got.query == wanted.query):
            best = body
    return best


def read_exchanges(fixture_dir: Path) -> list[dict[str, Any]]:
    path = fixture_dir / "exchanges.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def exchange_html(exchange: dict[str, Any]) -> str | None:
    """The body of an HTML response, or None for anything else (JSON, images, redirects)."""
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    if "html" not in headers.get("content-type", ""):
        return None
    if exchange.get("body") is not None:
        return str(exchange["body"])
    if exchange.get("body_b64"):
        return base64.b64decode(exchange["body_b64"]).decode("utf-8", errors="replace")
    return None


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
