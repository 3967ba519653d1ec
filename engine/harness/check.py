"""``engine check``: run a recipe's extraction over saved snapshots, without a browser.

Why it exists: extraction is pure, so the question "does this recipe still read the pages we
recorded?" needs no browser and no network, only parsel over files. That makes it fast enough
for a pre-commit hook (milliseconds per scenario) and the first half of every canary run.

For each snapshot (``snapshots/index.json``) the stage names the recipe block (accounts,
transactions, holdings); the block's row selector and every field are run again and compared
with the counts saved at recording time. A snapshot fails when a selector that matched at
recording matches nothing now, or when a required field comes out empty or unparsable — the
same conditions that make the live runner raise ``recipe_broken``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.errors import ErrorInfo
from engine.extraction.records import Extraction, count_matches, extract_list
from engine.harness import har
from engine.harness.fixture import Fixture, SnapshotInfo, block_of, load_fixture, scenario_dirs
from engine.recipe.model import ListBlock, Recipe
from engine.recipe.templates import Context

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

    @property
    def expects_breakage(self) -> bool:
        """A scenario recorded on purpose with a broken page (its snapshot fails by design)."""
        return bool(self.expected_error) and str(self.expected_error).startswith("recipe_broken")

    @property
    def ok(self) -> bool:
        return self.expects_breakage or all(s.ok for s in self.snapshots)

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


# ----------------------------------------------------------------------------- helpers

def block_for_stage(recipe: Recipe, stage: str) -> ListBlock | None:
    """The recipe block a snapshot's stage was extracted with."""
    return block_of(recipe, stage)


def snapshot_path(fixture_dir: Path, info: SnapshotInfo) -> Path:
    """Index entries name files relative to ``snapshots/``; accept fixture-relative too."""
    candidate = fixture_dir / "snapshots" / info.file
    return candidate if candidate.exists() else fixture_dir / info.file


def reference_date(meta: dict[str, Any]) -> date | None:
    """'Today' at recording time, so year-less dates parse as they did then."""
    for key in ("reference_date", "recorded_at"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                continue
    return None


def template_context(meta: dict[str, Any], account: dict[str, Any] | None) -> Context:
    """What templates in fields may refer to; credentials are the recording's placeholders."""
    credentials = meta.get("credentials") or {}
    return {
        "credentials": {str(k): str(v) for k, v in credentials.items()},
        "account": account or {},
        "institution": {"id": str(meta.get("institution", "")),
                        "base_url": str(meta.get("base_url", ""))},
    }


def account_records(recipe: Recipe, fixture: Fixture) -> dict[str, dict[str, Any]]:
    """Accounts as the runner saw them (from the accounts snapshots, else expected.json), so
    per-account blocks get the same ``{{ account.x }}`` context as during the sync."""
    out: dict[str, dict[str, Any]] = {}
    for account in (fixture.expected or {}).get("accounts") or []:
        if isinstance(account, dict) and account.get("id") is not None:
            out[str(account["id"])] = dict(account)
    reference = reference_date(fixture.meta)
    for info in fixture.snapshots:
        path = snapshot_path(fixture.path, info)
        block = block_of(recipe, info.stage)
        if not info.stage.startswith("accounts") or block is None or not path.exists():
            continue
        html = path.read_text(encoding="utf-8")
        extraction = extract_list(html, block,
                                  template_context(fixture.meta, None),
                                  reference=reference, institution=recipe.institution)
        for record in extraction.records:
            if record.get("id") is not None:
                out.setdefault(str(record["id"]), {}).update(
                    {k: v for k, v in record.items() if v is not None})
    return out


def extract_snapshot(recipe: Recipe, fixture: Fixture, info: SnapshotInfo, html: str,
                     accounts: dict[str, dict[str, Any]]) -> Extraction | None:
    block = block_for_stage(recipe, info.stage)
    if block is None:
        return None
    account = accounts.get(info.account_id or "") if info.account_id else None
    if info.account_id and account is None:
        account = {"id": info.account_id}
    return extract_list(html, block, template_context(fixture.meta, account),
                        reference=reference_date(fixture.meta), institution=recipe.institution)


# ----------------------------------------------------------------------------- recordings

def error_matches(expected: str, error: ErrorInfo | None) -> bool:
    """``expected_error`` may be a full code (``unavailable.maintenance``) or a bare kind."""
    if error is None:
        return False
    return error.code == expected or error.code.startswith(expected + ".") \
        or error.kind.value == expected


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
    """The recording's exchanges (``recording.har``), URLs relative to its origin."""
    return har.read_exchanges(fixture_dir)


exchange_html = har.exchange_html


# ----------------------------------------------------------------------------- checking

def check_snapshot(recipe: Recipe, fixture: Fixture, info: SnapshotInfo,
                   accounts: dict[str, dict[str, Any]]) -> SnapshotCheck:
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
    result.selectors.append(_rows_check(info, block, extraction))
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
        elif name in per_field:
            first = per_field[name][0]
            check.broken = True
            check.reason = (f"{stat.unparsable} unparsable" if stat.unparsable else
                            f"{stat.empty} empty") + f" ({first})"
        result.selectors.append(check)
    for selector_name in ("next_page", "wait_for"):
        selector = getattr(block, selector_name)
        if selector and block.format == "html":
            result.selectors.append(SelectorCheck(
                info.stage, f"{info.stage}.{selector_name}", selector, None,
                count_matches(html, selector), required=False))
    result.problems = [f"{p.field}: row {p.row + 1}: {p.message}"
                       for p in extraction.problems[:5]]
    return result


def _rows_check(info: SnapshotInfo, block: ListBlock, extraction: Extraction) -> SelectorCheck:
    check = SelectorCheck(info.stage, f"{info.stage}.each", block.each, info.rows,
                          extraction.rows)
    if info.rows > 0 and extraction.rows == 0:
        check.broken = True
        check.reason = f"matched {info.rows} rows at recording, 0 now"
    return check


def check_fixture(recipe: Recipe, fixture: Fixture) -> ScenarioCheck:
    started = time.perf_counter()
    meta = fixture.meta
    result = ScenarioCheck(str(meta.get("institution", recipe.institution.id)),
                           str(meta.get("scenario", fixture.path.name)), fixture.path,
                           expected_error=meta.get("expected_error"))
    accounts = account_records(recipe, fixture) if recipe.transactions or recipe.holdings else {}
    for info in fixture.snapshots:
        result.snapshots.append(check_snapshot(recipe, fixture, info, accounts))
    result.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def check_scenario(recipe: Recipe, fixture_dir: Path) -> ScenarioCheck:
    return check_fixture(recipe, load_fixture(fixture_dir))


def check_recipe(recipe: Recipe, recipe_path: Path, fixtures_root: Path,
                 scenarios: list[str] | None = None) -> CheckReport:
    """Check every recorded scenario of the recipe's institution (or the named ones)."""
    started = time.perf_counter()
    report = CheckReport(recipe_path, recipe.institution.id)
    for folder in scenario_dirs(fixtures_root, recipe.institution.id):
        if scenarios and folder.name not in scenarios:
            continue
        report.scenarios.append(check_scenario(recipe, folder))
    report.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return report


def report_json(report: CheckReport) -> str:
    """Machine-readable form (``engine check --json``)."""
    return json.dumps({
        "recipe": str(report.recipe_path), "institution": report.institution, "ok": report.ok,
        "elapsed_ms": report.elapsed_ms,
        "scenarios": [{
            "scenario": s.scenario, "path": str(s.path), "ok": s.ok, "elapsed_ms": s.elapsed_ms,
            "selectors": [vars(t) for t in s.totals()],
            "failures": [{"file": f.file, "stage": f.stage, "account_id": f.account_id,
                          "page": f.page_number, "error": f.error, "problems": f.problems,
                          "broken": [vars(b) for b in f.broken]} for f in s.failures()],
        } for s in report.scenarios],
    }, indent=2, default=str)
