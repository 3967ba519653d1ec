"""``engine drift``: record the live site afresh and say what changed *for the recipe*.

Why judged only on what the recipe selects: sites change all the time in ways that do not
matter (a promo banner, new marketing text, reordered footer links). Like changedetection.io
applying its filters before comparing, drift compares only what the recipe's selectors pick:
the login controls, the rows, the fields and their formats. Both recordings are re-extracted
with the *current* recipe, so a comparison is never skewed by the recipe having changed since
the fixture was saved.

Severities: ``broken`` (the recipe fails or will fail: a selector that matched and no longer
does, a value that parsed and no longer does, a live ``recipe_broken``), ``changed`` (the recipe
still works but what it reads changed shape: a new date format, other markup under the same
selectors), ``notice`` (row or page counts moved, stages not reached). Drift = broken or changed.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parsel import Selector

from engine.api import Engine
from engine.errors import ErrorKind
from engine.extraction.records import field_nodes, select
from engine.extraction.transforms import clean_text
from engine.harness.compare import compare_results
from engine.harness.fixture import Fixture, SnapshotInfo, load_fixture, result_view
from engine.harness.login_pages import fixture_documents, login_selectors, safe_count
from engine.harness.pages import ROW_THRESHOLD, PageFacts, compare_pages, document_facts
from engine.harness.record import record_scenario
from engine.harness.snapshots import (
    account_records,
    block_for_stage,
    error_matches,
    extract_snapshot,
    read_exchanges,
    snapshot_path,
)
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.recipe.fields import FieldSpec
from engine.recipe.lists import ListBlock


@dataclass
class Finding:
    severity: str
    """broken, changed or notice."""
    stage: str
    step: str
    """Where in the recipe: ``login[1] fill``, ``transactions.each``, ``accounts.fields.id``."""
    selector: str | None
    message: str
    before: Any = None
    after: Any = None


@dataclass
class DriftReport:
    institution: str
    scenario: str
    saved_dir: Path
    fresh_dir: Path | None = None
    base_url: str | None = None
    live_error: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    pages_compared: int = 0
    inconclusive: str | None = None
    recording_ms: float = 0.0
    compare_ms: float = 0.0

    @property
    def drifted(self) -> bool:
        return any(f.severity in ("broken", "changed") for f in self.findings)

    def broken(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "broken"]


# ----------------------------------------------------------------------------- per-stage stats

@dataclass
class _FieldStats:
    matched: int = 0
    empty: int = 0
    unparsable: int = 0
    page_matches: int = 0
    shapes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per account (formats differ between accounts: cards vs checking), shape of the raw
    text → one example value (parsed fields only)."""

    def all_shapes(self) -> dict[str, str]:
        return {k: v for per_account in self.shapes.values() for k, v in per_account.items()}


@dataclass
class _StageStats:
    rows: int = 0
    pages: int = 0
    fields: dict[str, _FieldStats] = field(default_factory=dict)
    block_selectors: dict[str, int] = field(default_factory=dict)
    per_page: dict[tuple[str | None, int], tuple[int, frozenset[str]]] = field(
        default_factory=dict)
    facts: list[PageFacts] = field(default_factory=list)
    """Each page by identity (account, page number): rows, records, next link."""


def value_shape(value: str) -> str:
    """A value's format with its data removed: '12/11/2026' → '9/9/9', '-1 234,56 €' →
    '-9,9 €', '12 nov. 2026' → '9 a. 9'. Thousands separators are dropped so magnitudes
    compare equal."""
    text = clean_text(value)
    text = re.sub(r"(?<=\d)[\s.'’\u202f\u00a0](?=\d{3}(?!\d))", "", text)
    text = re.sub(r"\d+", "9", text)
    return re.sub(r"[^\W\d_]+", "a", text)


def _first_match(row: Selector, spec: FieldSpec, root: Selector | None = None,
                 header: str | None = None) -> Selector | None:
    """The node a field reads in a row, by extraction's own rules (``xpath`` always XPath,
    ``column`` by header)."""
    matches = field_nodes(row, spec, root=root, header=header)
    return matches[0] if matches else None


def _raw_text(node: Selector, spec: FieldSpec) -> str:
    if spec.attr is not None:
        return str(node.attrib.get(spec.attr, ""))
    return node.root if isinstance(node.root, str) else str(node.xpath("string()").get() or "")


def _node_sig(node: Selector | None) -> str:
    """What a field selector lands on, without its data: ``td``, ``text``, ``∅``. Classes are
    left out: a site adding classes to rows (zebra stripes, hover hooks) changes nothing the
    recipe reads, and a class the recipe relies on that went away breaks a selector instead."""
    if node is None:
        return "∅"
    if isinstance(node.root, str):
        return "text"
    return str(node.root.tag)


def stage_stats(recipe: Recipe, fixture: Fixture) -> dict[str, _StageStats]:
    """Extract every snapshot of ``fixture`` with the current recipe and summarize per stage."""
    out: dict[str, _StageStats] = {}
    accounts = account_records(recipe, fixture)
    for info in fixture.snapshots:
        block = block_for_stage(recipe, info.stage)
        path = snapshot_path(fixture.path, info)
        if block is None or not path.exists():
            continue
        html = path.read_text(encoding="utf-8")
        extraction = extract_snapshot(recipe, fixture, info, html, accounts)
        assert extraction is not None
        stats = out.setdefault(info.stage, _StageStats())
        stats.pages += 1
        stats.rows += extraction.rows
        stats.facts.append(document_facts(block, info.stage, info.account_id,
                                          info.page_number, info.url, html, extraction,
                                          info.file))
        _add_page(stats, info, block, html, extraction.fields)
    return out


def _add_page(stats: _StageStats, info: SnapshotInfo, block: ListBlock, html: str,
              field_stats: Mapping[str, Any]) -> None:
    specs = block.field_specs()
    rows: list[Selector] = []
    root = Selector(text=html, type="html") if block.format == "html" else None
    if root is not None:
        rows = list(select(root, block.each))
        for name in ("next_page", "next_click", "wait_for"):
            selector = getattr(block, name)
            if selector:
                stats.block_selectors[name] = stats.block_selectors.get(name, 0) + \
                    len(select(root, selector))
    matches = [{name: _first_match(row, spec, root, block.header) for name, spec in specs.items()}
               for row in rows]
    skeletons = {_node_sig(row) + "|" + "|".join(_node_sig(n) for n in found.values())
                 for row, found in zip(rows, matches, strict=True)}
    stats.per_page[(info.account_id, info.page_number)] = (len(rows), frozenset(skeletons))
    for name, spec in specs.items():
        fs = stats.fields.setdefault(name, _FieldStats())
        stat = field_stats[name]
        fs.matched += stat.matched
        fs.empty += stat.empty
        fs.unparsable += stat.unparsable
        selector = spec.css or spec.xpath
        if selector and not selector.startswith("::") and root is not None:
            fs.page_matches += len(select(root, selector))
        if spec.parse is not None or spec.map is not None:
            for found in matches:
                node = found[name]
                raw = _raw_text(node, spec) if node is not None else ""
                if raw:
                    fs.shapes.setdefault(info.account_id or "", {}).setdefault(
                        value_shape(raw), clean_text(raw)[:40])


# ----------------------------------------------------------------------------- comparison

def compare_stages(recipe: Recipe, saved: dict[str, _StageStats],
                   fresh: dict[str, _StageStats], live_ok: bool) -> list[Finding]:
    findings: list[Finding] = []
    for stage, before in saved.items():
        block = block_for_stage(recipe, stage)
        assert block is not None
        after = fresh.get(stage)
        if after is None:
            severity = "broken" if live_ok else "notice"
            findings.append(Finding(severity, stage, stage, None, (
                "never reached in the new recording" if live_ok else
                "not reached: the live sync stopped before it"), before.pages, 0))
            continue
        findings.extend(_compare_stage(stage, block, before, after))
    return findings


def _compare_stage(stage: str, block: ListBlock, before: _StageStats,
                   after: _StageStats) -> list[Finding]:
    out: list[Finding] = []
    rows_lost = before.rows > 0 and after.rows == 0
    if rows_lost:
        out.append(Finding("broken", stage, f"{stage}.each", block.each,
                           f"row selector matched {before.rows} rows on {before.pages} page(s) "
                           f"before, 0 now", before.rows, 0))
    for name, selector_count in before.block_selectors.items():
        now = after.block_selectors.get(name, 0)
        if selector_count and not now:
            out.append(Finding("broken", stage, f"{stage}.{name}", getattr(block, name),
                               f"matched on {selector_count} page(s) before, none now",
                               selector_count, 0))
    specs = block.field_specs()
    for name, fb in before.fields.items():
        fa = after.fields.get(name, _FieldStats())
        spec, step = specs[name], f"{stage}.fields.{name}"
        if rows_lost:
            if fb.page_matches and not fa.page_matches:
                out.append(Finding("broken", stage, step, spec.selector,
                                   f"matched {fb.page_matches} node(s) on the pages before, "
                                   "0 now (searched whole pages: the rows are gone)",
                                   fb.page_matches, 0))
            continue
        if fb.matched and not fa.matched:
            out.append(Finding("broken", stage, step, spec.selector,
                               f"matched in {fb.matched} row(s) before, 0 now", fb.matched, 0))
            continue
        if not fb.unparsable and fa.unparsable:
            shapes_b, shapes_a = fb.all_shapes(), fa.all_shapes()
            example = next(iter(set(shapes_a) - set(shapes_b)), None)
            out.append(Finding("broken", stage, step, spec.selector,
                               f"parsed before, {fa.unparsable} value(s) unparsable now"
                               + (f" (e.g. {shapes_a[example]!r})" if example else ""),
                               sorted(shapes_b.values()), sorted(shapes_a.values())))
            continue
        changed = [a for a, shapes_b in fb.shapes.items() if shapes_b and fa.shapes.get(a)
                   and not set(shapes_b) & set(fa.shapes[a])]
        if changed:
            first = changed[0]
            whose = f" on {len(changed)} account(s)" if any(changed) else ""
            out.append(Finding("changed", stage, step, spec.selector,
                               f"value format changed{whose}: {_examples(fb.shapes[first])} → "
                               f"{_examples(fa.shapes[first])}", sorted(fb.shapes[first]),
                               sorted(fa.shapes[first])))
        if not fb.empty and fa.empty:
            severity = "broken" if spec.required and spec.default is None else "changed"
            out.append(Finding(severity, stage, step, spec.selector,
                               f"empty in {fa.empty} row(s) now, never before", 0, fa.empty))
    if not rows_lost:
        out.extend(_compare_pages(stage, block, before, after,
                                  markup=not any(f.severity == "broken" for f in out)))
    return out


def _examples(shapes: dict[str, str]) -> str:
    return ", ".join(repr(v) for v in list(shapes.values())[:2])


def _compare_pages(stage: str, block: ListBlock, before: _StageStats, after: _StageStats,
                   *, markup: bool, threshold: float = ROW_THRESHOLD) -> list[Finding]:
    """Pages by identity (account and page number, never position): a history cut short (its
    next link named) and a row count that fell are silent loss, ``broken``; rows or pages
    added are notices (a live site's history grows). Then the markup under the selectors,
    unless a broken selector of the stage already explains the difference."""
    out: list[Finding] = []
    for cause in compare_pages(before.facts, after.facts, threshold=threshold):
        if cause.kind in ("truncated", "rows_fell", "rows_lost"):
            out.append(Finding("broken", stage, f"{stage}.next_page" if cause.kind ==
                               "truncated" else f"{stage}.each", cause.selector or block.each
                               if cause.kind != "truncated" else cause.selector,
                               cause.message))
        elif cause.kind == "list_missing":
            out.append(Finding("broken", stage, f"{stage}.each", block.each, cause.message))
        else:
            out.append(Finding("notice", stage, f"{stage}.each", block.each, cause.message))
    if before.pages != after.pages and not any(f.severity == "broken" for f in out):
        out.append(Finding("notice", stage, stage, None,
                           f"{before.pages} page(s) before, {after.pages} now", before.pages,
                           after.pages))
    if markup:
        for key, (_rows, skel_b) in before.per_page.items():
            if key not in after.per_page:
                continue
            skel_a = after.per_page[key][1]
            where = f"page {key[1]}" + (f" of account {key[0]}" if key[0] else "")
            if skel_b and skel_a and not skel_b & skel_a:
                out.append(Finding("changed", stage, f"{stage}.each", block.each,
                                   f"{where}: the markup under the recipe's selectors changed",
                                   sorted(skel_b)[:3], sorted(skel_a)[:3]))
    return out


def compare_login(recipe: Recipe, saved: Fixture, fresh: Fixture) -> list[Finding]:
    """Login selectors that matched a recorded page before and match the same page no more
    (the recording's HTML answers, and the login forms as the DOM showed them)."""
    saved_pages = fixture_documents(saved.path, saved.meta, read_exchanges(saved.path))
    fresh_pages = fixture_documents(fresh.path, fresh.meta, read_exchanges(fresh.path))
    return _lost_login(recipe, saved_pages, fresh_pages)


def _lost_login(recipe: Recipe, saved: dict[str, list[str]],
                fresh: dict[str, list[str]]) -> list[Finding]:
    out: list[Finding] = []
    for step, selector in login_selectors(recipe):
        for key, bodies in saved.items():
            if key not in fresh:
                continue
            before = max(safe_count(b, selector) for b in bodies)
            after = max(safe_count(b, selector) for b in fresh[key])
            if before and not after:
                out.append(Finding("broken", "login", step, selector,
                                   f"{key}: matched {before} before, 0 now", before, 0))
    return out


def compare(recipe: Recipe, saved: Fixture, fresh: Fixture, live: SyncResult | None,
            report: DriftReport) -> DriftReport:
    """Fill ``report`` with what changed between the saved and the fresh recording."""
    started = time.perf_counter()
    expected = saved.meta.get("expected_error")
    error = live.error if live is not None else None
    live_ok = error is None or (bool(expected) and error_matches(str(expected), error))
    if error is not None:
        report.live_error = error.model_dump(mode="json", exclude={"policy", "user_message"})
        if not live_ok and error.kind == ErrorKind.RECIPE_BROKEN:
            report.findings.append(Finding(
                "broken", (error.step or "sync").split(" ", 1)[0].split("[", 1)[0], error.step
                or "sync", error.selector, f"live sync failed ({error.code}): {error.message}"
                + (f" at {error.url}" if error.url else "")))
        elif not live_ok:
            report.inconclusive = (f"the live sync failed with {error.code} ({error.message}); "
                                   "drift cannot be judged past that point")
    elif expected:
        report.findings.append(Finding("notice", "sync", "sync", None,
                                       f"the recording expected {expected}; the site no longer "
                                       "shows it"))
    for failure in live.account_failures if live is not None else []:
        if failure.error.kind == ErrorKind.RECIPE_BROKEN:
            report.findings.append(Finding(
                "broken", failure.stage, failure.error.step or failure.stage,
                failure.error.selector, f"account {failure.account_id}: {failure.error.message}"))
    for finding in compare_login(recipe, saved, fresh):
        same = next((f for f in report.findings if (f.step, f.selector) == (
            finding.step, finding.selector)), None)
        if same is not None:  # the live error already names it: add the page evidence
            same.message += f"; {finding.message}"
            same.before, same.after = finding.before, finding.after
        else:
            report.findings.append(finding)
    saved_stats, fresh_stats = stage_stats(recipe, saved), stage_stats(recipe, fresh)
    report.pages_compared = sum(s.pages for s in fresh_stats.values())
    report.findings.extend(compare_stages(recipe, saved_stats, fresh_stats,
                                          live_ok and not (live and live.account_failures)))
    if live is not None and live_ok and saved.expected is not None:
        values = compare_results(saved.expected, result_view(live),
                                 ("accounts", "transactions", "holdings"))
        if not values.same:  # the customer's data moves on: news, not drift
            report.findings.append(Finding("notice", "values", "values", None,
                                           f"the data differs from the recording: "
                                           f"{values.summary()}"))
    report.compare_ms = round((time.perf_counter() - started) * 1000, 1)
    return report


async def run_drift(recipe_path: Path, fixture_dir: Path, credentials: Mapping[str, str], *,
                    base_url: str | None = None, engine: Engine | None = None,
                    otp_code: str | None = None, keep: Path | None = None) -> DriftReport:
    """Record the live site into a temporary folder (or ``keep``) and compare."""
    recipe = load_recipe(recipe_path)
    saved = load_fixture(fixture_dir)
    scenario = str(saved.meta.get("scenario") or fixture_dir.name)
    report = DriftReport(recipe.institution.id, scenario, fixture_dir, base_url=base_url)
    with tempfile.TemporaryDirectory(prefix="engine-drift-") as tmp:
        target = keep or Path(tmp)
        started = time.perf_counter()
        recorded = await record_scenario(recipe_path, credentials, target, scenario=scenario,
                                         base_url=base_url, engine=engine, otp_code=otp_code,
                                         site=saved.meta.get("site"))
        report.recording_ms = round((time.perf_counter() - started) * 1000, 1)
        report.fresh_dir = recorded.fixture_dir if keep else None
        compare(recipe, saved, load_fixture(recorded.fixture_dir), recorded.result, report)
    return report
