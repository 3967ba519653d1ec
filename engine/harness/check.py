"""``engine check``: a recipe over the saved snapshots, without a browser, values included.

Why it exists: extraction is pure, so "does this recipe still read the pages we recorded, and
read them *right*?" needs no browser and no network, only parsel over files: milliseconds per
scenario, fit for a pre-commit hook and the first half of every canary run.

Three layers, each of which can name the cause in the first line:

- **selectors** (here): per snapshot, the block's row selector and every field, against the
  counts saved at recording time; the login steps' selectors against the recorded login pages
  (``login_pages``). A selector that matched and matches nothing now is broken.
- **the runner's rules** (``check_values.walk``): each list walked as the runner walks it —
  a page without its next link ends the list, zero rows without an ``empty`` proof is
  ``no_rows``, an unparsable required field stops the list.
- **values** (``check_values``): records → output models → compared with ``expected.json``
  by identity, per page and per field; a truncated history, a row count that fell by more
  than a threshold, rows that appeared, are alarms of their own (``pages``).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.extraction.records import Extraction, count_matches
from engine.harness import api_pages, har, login_pages
from engine.harness.causes import Cause, headline, ranked
from engine.harness.check_controls import controls, lost_part, served_pages
from engine.harness.check_values import ValueCheck, check_values
from engine.harness.compare import Comparison
from engine.harness.fixture import (
    Fixture,
    FixtureError,
    SnapshotInfo,
    load_fixture,
    scenario_dirs,
)
from engine.harness.pages import ROW_THRESHOLD
from engine.harness.snapshots import (
    account_records,
    block_for_stage,
    extract_snapshot,
    snapshot_path,
)
from engine.recipe.model import ListBlock, Recipe

STAGES = ("accounts", "transactions", "holdings")


@dataclass
class SelectorCheck:
    """One selector on one snapshot: what it matched when recorded and what it matches now."""

    stage: str
    name: str
    """Where the selector lives in the recipe: ``transactions.each``, ``accounts.fields.id``."""
    selector: str
    recorded: int | None
    """Nodes matched at recording time (None when the index has no figure for it)."""
    now: int
    empty: int = 0
    unparsable: int = 0
    required: bool = True
    broken: bool = False
    reason: str = ""
    located: bool = False
    """A cause of its own (a selector that matches nothing now, a control the runner would
    stop at), not a symptom the runner's rules and the values report better."""


@dataclass
class SnapshotCheck:
    file: str
    stage: str
    account_id: str | None
    page_number: int
    url: str
    selectors: list[SelectorCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Row-level problems as the runner would report them (first few only)."""
    error: str | None = None
    """The snapshot could not be checked at all (missing file, stage without a block)."""

    @property
    def ok(self) -> bool:
        return self.error is None and not any(s.broken for s in self.selectors)

    @property
    def broken(self) -> list[SelectorCheck]:
        return [s for s in self.selectors if s.broken]


@dataclass
class ScenarioCheck:
    institution: str
    scenario: str
    path: Path
    snapshots: list[SnapshotCheck] = field(default_factory=list)
    elapsed_ms: float = 0.0
    expected_error: str | None = None
    causes: list[Cause] = field(default_factory=list)
    """Every located reason the scenario fails, worst first (``causes.ranked``)."""
    values: ValueCheck | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def comparison(self) -> Comparison | None:
        return self.values.comparison if self.values is not None else None

    def headline(self) -> str | None:
        """The first line to print: the cause to fix first."""
        return headline(self.causes)

    @property
    def expects_breakage(self) -> bool:
        """A scenario recorded on purpose with a broken page (its snapshot fails by design)."""
        return bool(self.expected_error) and str(self.expected_error).startswith("recipe_broken")

    @property
    def ok(self) -> bool:
        return self.expects_breakage or (not self.causes and all(s.ok for s in self.snapshots))

    def failures(self) -> list[SnapshotCheck]:
        return [s for s in self.snapshots if not s.ok]

    def totals(self) -> list[SelectorCheck]:
        """Per selector over all snapshots of a stage: the table ``engine check`` prints."""
        merged: dict[tuple[str, str], SelectorCheck] = {}
        for snap in self.snapshots:
            for sel in snap.selectors:
                key = (sel.stage, sel.name)
                total = merged.get(key)
                if total is None:
                    merged[key] = SelectorCheck(sel.stage, sel.name, sel.selector, sel.recorded,
                                                sel.now, sel.empty, sel.unparsable, sel.required,
                                                sel.broken, sel.reason)
                    continue
                if sel.recorded is not None:
                    total.recorded = (total.recorded or 0) + sel.recorded
                total.now += sel.now
                total.empty += sel.empty
                total.unparsable += sel.unparsable
                if sel.broken and not total.broken:
                    total.broken, total.reason = True, sel.reason
        return list(merged.values())


@dataclass
class CheckReport:
    recipe_path: Path
    institution: str
    scenarios: list[ScenarioCheck] = field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.scenarios)


# ----------------------------------------------------------------------------- checking

def check_snapshot(recipe: Recipe, fixture: Fixture, info: SnapshotInfo,
                   accounts: dict[str, dict[str, Any]],
                   done: dict[str, Extraction] | None = None,
                   served: dict[str, list[str]] | None = None) -> SnapshotCheck:
    """One snapshot's selectors; ``done`` keeps each extraction for the values check;
    ``served``: the recording's HTML answers by path (the pages before the block's steps)."""
    result = SnapshotCheck(info.file, info.stage, info.account_id, info.page_number, info.url)
    path = snapshot_path(fixture.path, info)
    block = block_for_stage(recipe, info.stage)
    if block is None:
        result.error = f"the recipe has no '{info.stage}' block for this snapshot"
        return result
    if not path.exists():
        result.error = f"snapshot file missing: {path}"
        return result
    html = path.read_text(encoding="utf-8")
    extraction = extract_snapshot(recipe, fixture, info, html, accounts)
    assert extraction is not None
    if done is not None:
        done[info.file] = extraction
    result.selectors.append(_rows_check(info, block, extraction, html))
    if extraction.document_error is not None:
        return result  # nothing on the page can be read: its fields say nothing more
    specs = block.field_specs()
    per_field: dict[str, list[str]] = {}
    for problem in extraction.problems:
        per_field.setdefault(problem.field, []).append(f"row {problem.row + 1}: {problem.message}")
    for name, spec in specs.items():
        stat = extraction.fields[name]
        recorded = info.fields.get(name)
        check = SelectorCheck(info.stage, f"{info.stage}.fields.{name}", spec.selector, recorded,
                              stat.matched, stat.empty, stat.unparsable, spec.required)
        if recorded and stat.matched == 0 and extraction.rows > 0:
            check.broken, check.reason = True, f"matched {recorded} at recording, 0 now"
            check.located = True
        elif name in per_field:
            first = per_field[name][0]
            check.broken = True
            check.reason = (f"{stat.unparsable} unparsable" if stat.unparsable else
                            f"{stat.empty} empty") + f" ({first})"
        result.selectors.append(check)
    for selector_name in ("next_page", "next_click"):
        selector = getattr(block, selector_name)
        if selector and block.format == "html":
            result.selectors.append(SelectorCheck(
                info.stage, f"{info.stage}.{selector_name}", selector, None,
                count_matches(html, selector), required=False))
    pages = (served or {}).get(urlsplit(info.url).path, [])
    for control in controls(block, info.stage, html, pages):
        result.selectors.append(SelectorCheck(
            info.stage, control.name, control.selector, None, control.now,
            required=control.broken, broken=control.broken,
            reason=control.reason if control.broken else "", located=control.broken))
    result.problems = [f"{p.field}: row {p.row + 1}: {p.message}"
                       for p in extraction.problems[:5]]
    return result


def _rows_check(info: SnapshotInfo, block: ListBlock, extraction: Extraction,
                html: str) -> SelectorCheck:
    check = SelectorCheck(info.stage, f"{info.stage}.each", block.each, info.rows,
                          extraction.rows)
    if extraction.document_error is not None and info.rows > 0:
        check.broken, check.located = True, True
        check.reason = (f"matched {info.rows} rows at recording; the page cannot be read as "
                        f"the block expects now: {extraction.document_error}")
    elif info.rows > 0 and extraction.rows == 0:
        check.broken, check.located = True, True
        check.reason = f"matched {info.rows} rows at recording, 0 now"
    elif (part := lost_part(block, html, info.rows, extraction.rows)) is not None:
        check.broken, check.located = True, True
        check.reason = (f"its part `{part}` matches nothing now ({info.rows} rows at "
                        f"recording, {extraction.rows} now)")
    return check


def check_fixture(recipe: Recipe, fixture: Fixture, *,
                  threshold: float = ROW_THRESHOLD) -> ScenarioCheck:
    started = time.perf_counter()
    meta = fixture.meta
    result = ScenarioCheck(str(meta.get("institution", recipe.institution.id)),
                           str(meta.get("scenario", fixture.path.name)), fixture.path,
                           expected_error=meta.get("expected_error"))
    accounts = account_records(recipe, fixture) if recipe.transactions or recipe.holdings else {}
    done: dict[str, Extraction] = {}
    exchanges = har.read_exchanges(fixture.path)
    served = served_pages(exchanges)
    for info in fixture.snapshots:
        result.snapshots.append(check_snapshot(recipe, fixture, info, accounts, done, served))
    causes: list[Cause] = _login_causes(recipe, fixture, exchanges)
    reading = {s.stage for s in result.snapshots for c in s.selectors
               if c.name.endswith(".each") and c.now > 0}
    for snap in result.snapshots:
        causes.extend(_selector_causes(snap, snap.stage in reading))
    if not result.expects_breakage:
        result.values = check_values(recipe, fixture, threshold=threshold, done=done)
        causes.extend(result.values.causes)
        causes.extend(_emptiness(fixture, result))
    result.causes = ranked(causes)
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def _where(snap: SnapshotCheck) -> str:
    owner = f" of account {snap.account_id}" if snap.account_id else ""
    return f"{snap.stage} page {snap.page_number}{owner} ({snap.url}, {snap.file})"


def _selector_causes(snap: SnapshotCheck, reads_elsewhere: bool) -> list[Cause]:
    """Located causes of one snapshot; a row selector that finds nothing on this page but
    still finds rows on other pages of its block lost this page's rows (the page changed,
    or its rows went), it was not renamed."""
    out = [Cause("harness", f"{snap.file}: {snap.error}", page=snap.url)] if snap.error else []
    for sel in snap.broken:
        if not sel.located:
            continue
        lost = reads_elsewhere and sel.name.endswith(".each") and sel.now == 0
        if lost:
            out.append(Cause("rows_lost", f"{_where(snap)}: {sel.recorded} rows at recording, "
                             f"0 now (`{sel.selector}` still finds rows on other pages)",
                             sel.name, sel.selector, snap.url, snapshot=snap.file))
            continue
        out.append(Cause("selector", f"{sel.name} `{sel.selector}` {sel.reason} on "
                         f"{_where(snap)}", sel.name, sel.selector, snap.url,
                         snapshot=snap.file))
    return out


def _login_causes(recipe: Recipe, fixture: Fixture,
                  exchanges: list[dict[str, Any]]) -> list[Cause]:
    recorded = login_pages.recorded(fixture.meta)
    if not recorded:
        return []
    pages = login_pages.fixture_documents(fixture.path, fixture.meta, exchanges)
    return [Cause("login", f"{item.step} `{item.selector}` matched {item.matched} at recording "
                  f"on {item.page}, {now} now", item.step, item.selector, item.page)
            for item, now in login_pages.lost(recipe, recorded, pages)]


def _emptiness(fixture: Fixture, result: ScenarioCheck) -> list[Cause]:
    """A scenario that holds no snapshot checks nothing: say so unless it was recorded
    stopping before any list (maintenance, wrong password)."""
    expected = fixture.expected or {}
    if fixture.snapshots:
        return []
    if expected.get("accounts") or (not result.expected_error and fixture.meta.get("kind")
                                    != "api"):
        return [Cause("no_snapshots", f"{result.institution}/{result.scenario}: no snapshot to "
                      f"check, yet expected.json has {len(expected.get('accounts') or [])} "
                      "account(s): nothing was checked")]
    result.notes.append("no snapshot: the recording stops before any list "
                        f"({result.expected_error or 'API recording: replay checks it'})")
    return []


def check_scenario(recipe: Recipe, fixture_dir: Path, *,
                   threshold: float = ROW_THRESHOLD) -> ScenarioCheck:
    try:
        fixture = load_fixture(fixture_dir)
    except (FixtureError, ValueError) as exc:
        scenario = ScenarioCheck(recipe.institution.id, Path(fixture_dir).name,
                                 Path(fixture_dir))
        scenario.causes = [Cause("harness", f"fixture unreadable: {exc}")]
        return scenario
    with api_pages.checkable(recipe, fixture) as answered:
        if answered is None:
            return check_fixture(recipe, fixture, threshold=threshold)
        result = check_fixture(recipe, answered, threshold=threshold)
    result.path = fixture.path
    result.notes.append(f"read from {api_pages.CASSETTE}: {len(result.snapshots)} recorded "
                        "answer(s) as pages (names are the interactions' numbers)")
    return result


def check_recipe(recipe: Recipe, recipe_path: Path, fixtures_root: Path,
                 scenarios: list[str] | None = None, *,
                 threshold: float = ROW_THRESHOLD) -> CheckReport:
    """Check every recorded scenario of the recipe's institution (or the named ones)."""
    started = time.perf_counter()
    report = CheckReport(recipe_path, recipe.institution.id)
    for folder in scenario_dirs(fixtures_root, recipe.institution.id):
        if scenarios and folder.name not in scenarios:
            continue
        report.scenarios.append(check_scenario(recipe, folder, threshold=threshold))
    report.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return report


def scenario_json(s: ScenarioCheck, *, show: bool = False) -> dict[str, Any]:
    comparison = s.comparison
    out: dict[str, Any] = {
        "scenario": s.scenario, "path": str(s.path), "ok": s.ok, "elapsed_ms": s.elapsed_ms,
        "headline": s.headline(), "expected_error": s.expected_error,
        "causes": [vars(c) for c in s.causes], "notes": s.notes,
        "selectors": [vars(t) for t in s.totals()],
        "failures": [{"file": f.file, "stage": f.stage, "account_id": f.account_id,
                      "page": f.page_number, "error": f.error, "problems": f.problems,
                      "broken": [vars(b) for b in f.broken]} for f in s.failures()],
        "differences": ([{"kind": c.kind, "collection": c.collection, "key": c.key,
                          "account_id": c.account_id, "fields": [vars(d) for d in c.fields]}
                         for c in comparison.changes] if comparison is not None else None),
    }
    if show and s.values is not None:
        out["extracted"] = s.values.view
    return out


def report_json(report: CheckReport, *, show: bool = False) -> str:
    """Machine-readable form (``engine check --json``)."""
    return json.dumps({
        "recipe": str(report.recipe_path), "institution": report.institution, "ok": report.ok,
        "elapsed_ms": report.elapsed_ms,
        "headline": next((s.headline() for s in report.scenarios if not s.ok), None),
        "scenarios": [scenario_json(s, show=show) for s in report.scenarios],
    }, indent=2, default=str)
