"""Replay a recorded scenario: the real recipe in the real browser, the network served only
from the recording (``replay_server``), the result compared with expected.json by identity.

The browser context's guard proxy is offline (it relays nothing) and every request is
answered by the recording or refused, so Chromium's speculative connections and anything the
recording lacks reach no host: replay works with the site gone and cannot reach, or lock out,
a real account. Credentials typed are the recording's placeholders (meta.json), which the
scrubbed pages (keypad included) were rewritten for. API recipes replay from their vcrpy
cassette instead (engine/harness/cassette.py).

The verdict leads with the cause: the sync's own error (kind, step, selector, page) when it
differs from the recording's; else what the pages say compared with the recording's index
(a history truncated at page 3 of 7 and its next link, a row count that fell); else the first
value that differs ("transactions: 1 added"). A request the recording cannot answer, or one
refused because its host is outside ``allowed_domains``, is a note when the result is
exactly as expected.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from engine.api import Engine
from engine.backends.base import Backend
from engine.backends.browser import BrowserSession
from engine.extraction.records import extract_list
from engine.harness import api_pages
from engine.harness.causes import Cause, located, ranked
from engine.harness.compare import Comparison, FieldDiff, compare_results, diff_results, show
from engine.harness.fixture import Fixture, block_of, load_fixture, relative_url, result_view
from engine.harness.pages import PageFacts, compare_pages, document_facts, recorded_facts
from engine.harness.record import Tap
from engine.harness.replay_evidence import evidence
from engine.harness.replay_server import Replayer
from engine.harness.snapshots import account_records, template_context
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.runner.context import DocumentSeen, SyncOptions
from engine.runner.session import run_sync, wait_for_pending_closes


@dataclass
class ReplayOutcome:
    result: SyncResult
    expected: dict[str, Any] | None
    diffs: list[FieldDiff]
    unmatched_requests: list[str]
    screenshot: bytes | None
    ok: bool
    comparison: Comparison | None = None
    causes: list[Cause] = field(default_factory=list)
    """Why it failed, worst first; ``causes[0]`` is the first line."""
    notes: list[str] = field(default_factory=list)
    pages: list[PageFacts] = field(default_factory=list)
    """The list pages the replay extracted from (by identity: stage, account, page)."""

    def headline(self) -> str | None:
        return self.causes[0].message if self.causes else None


async def replay_scenario(recipe_path: Path, fixture_dir: Path, *,
                          engine: Engine | None = None,
                          step_timeout: float | None = None) -> ReplayOutcome:
    """Run the recipe against the recording in ``fixture_dir`` and compare with expected
    (``step_timeout``: a shorter wait per step, for corpora of broken pages)."""
    recipe = load_recipe(recipe_path)
    fixture = load_fixture(fixture_dir)
    meta = fixture.meta
    if meta.get("kind") == "api" or recipe.institution.backend == "http":
        return await _replay_api(recipe, fixture, engine)
    base = str(meta.get("base_url") or recipe.institution.base_url).rstrip("/")
    replayer = Replayer(fixture.exchanges(), base)
    placeholders = {str(k): str(v) for k, v in (meta.get("credentials") or {}).items()}
    credentials = {c.name: placeholders.get(c.name, f"missing-{c.name}")
                   for c in recipe.credentials}
    seen: list[DocumentSeen] = []
    options = SyncOptions(base_url=base, otp_code=meta.get("otp_code") or None,
                          origins={str(k): str(v) for k, v in (meta.get("origins") or {}).items()},
                          reference_date=_reference(fixture), step_timeout=step_timeout,
                          observer=seen.append)
    shots: list[bytes] = []

    async def last_look(session: BrowserSession) -> None:
        shot = await session.screenshot()
        if shot is not None:
            shots.append(shot)

    owned = engine is None
    host_engine = engine or Engine(max_concurrency=1)

    async def open_backend() -> Backend:
        session = await host_engine.host.new_session(
            allowed_domains=recipe.institution.allowed_domains, block_resources=True,
            serve=replayer.serve, fetch_hook=replayer.fetch,
            load_resources=frozenset(recipe.institution.load_resources), offline=True)
        return cast(Backend, Tap(session, last_look))

    try:
        result = await run_sync(recipe, open_backend, credentials, options)
        await wait_for_pending_closes()
    finally:
        if owned:
            with contextlib.suppress(Exception):
                await host_engine.close()
    accounts = account_records(recipe, fixture)
    pages = [_facts(recipe, fixture, doc, base, accounts) for doc in seen]
    return judge(fixture, result, list(dict.fromkeys(replayer.unmatched)),
                 shots[0] if shots else None, [p for p in pages if p is not None], recipe)


def _reference(fixture: Fixture) -> date | None:
    reference = fixture.meta.get("reference_date")
    return date.fromisoformat(reference) if reference else None


def _facts(recipe: Recipe, fixture: Fixture, doc: DocumentSeen, base: str,
           accounts: dict[str, dict[str, Any]]) -> PageFacts | None:
    """What a page the replay extracted from gave, read in its account's context as the
    sync read it (a block's filter compares rows with the account's label, its number...)."""
    block = block_of(recipe, doc.stage)
    if block is None:
        return None
    account = (accounts.get(doc.account_id) or {"id": doc.account_id}) if doc.account_id \
        else None
    extraction = extract_list(doc.html, block, template_context(fixture.meta, account),
                              reference=_reference(fixture), institution=recipe.institution)
    return document_facts(block, doc.stage, doc.account_id, doc.page_number,
                          relative_url(doc.url, base), doc.html, extraction)


def judge(fixture: Fixture, result: SyncResult, unmatched: list[str], screenshot: bytes | None,
          pages: list[PageFacts], recipe: Recipe | None = None) -> ReplayOutcome:
    """The verdict on one replay: compared with expected.json, causes ranked; with the
    recipe, an error the sync gave without naming what changed is followed by what the saved
    pages show (``evidence``)."""
    expected = fixture.expected
    comparison = compare_results(expected, result_view(result)) if expected is not None \
        else None
    outcome = ReplayOutcome(result=result, expected=expected,
                            diffs=comparison.diffs() if comparison is not None else [],
                            unmatched_requests=unmatched, screenshot=screenshot,
                            ok=comparison is not None and comparison.same,
                            comparison=comparison, pages=pages)
    if comparison is not None:
        outcome.notes.extend(comparison.notes)
    if outcome.ok:
        outcome.notes.extend(f"not in the recording (refused), the result does not depend on "
                             f"it: {r}" for r in unmatched)
        return outcome
    causes: list[Cause] = []
    error = result.error
    expected_error = ((expected or {}).get("error") or {}).get("code")
    shown = evidence(recipe, fixture)
    if error is not None and error.code != expected_error:
        where = located(error.step, error.selector, error.url)
        causes.append(Cause("sync_error", f"error {error.code}" + (f" at {where}" if where
                                                                    else "")
                            + f": {error.message}" + shown.explain(error.step, None,
                                                                   error.selector, error.code),
                            error.step, error.selector, error.url, code=error.code))
    elif error is None and expected_error:
        causes.append(Cause("sync_error", f"expected error {expected_error}, but the sync "
                            "succeeded"))
    failed = {f.get("account_id") for f in (expected or {}).get("account_failures") or []}
    for failure in result.account_failures:
        if failure.account_id in failed:
            continue
        e = failure.error
        where = located(e.step, e.selector, e.url)
        causes.append(Cause("sync_error", f"account {failure.account_id} {failure.stage}: "
                            f"{e.code}" + (f" at {where}" if where else "") + f": {e.message}"
                            + shown.explain(e.step, failure.account_id, e.selector, e.code),
                            e.step, e.selector, e.url, code=e.code))
    if fixture.snapshots and (error is None or error.code == expected_error):
        for cause in compare_pages(recorded_facts(fixture), pages):
            if cause.loss or cause.kind in ("rows_added", "pages_added"):
                causes.append(Cause(cause.kind, cause.message, f"{cause.stage}.next_page"
                                    if cause.kind == "truncated" else f"{cause.stage}.each",
                                    cause.selector))
    if comparison is not None and not comparison.same:
        first = comparison.first()
        causes.append(Cause("values", f"{comparison.summary()}" + (
            f"; first: {first}" if first else "")))
    for request in unmatched:
        causes.append(Cause("harness", f"not in the recording (refused): {request}"))
    if expected is None:
        causes.append(Cause("harness", "no expected.json to compare with"))
    outcome.causes = ranked(causes)
    return outcome


async def _replay_api(recipe: Recipe, fixture: Fixture, engine: Engine | None) -> ReplayOutcome:
    """API recipes replay from their vcrpy cassette (cassette.py): no browser at all."""
    from engine.harness.cassette import api_cassette, placeholder_credentials

    base = str(fixture.meta.get("base_url") or "")
    seen: list[DocumentSeen] = []
    options = SyncOptions(base_url=base or None, reference_date=_reference(fixture),
                          observer=seen.append)
    stand_ins = placeholder_credentials(c.name for c in recipe.credentials)
    host = engine or Engine(max_concurrency=1)
    try:
        with api_cassette(fixture.path, mode="replay", secrets=stand_ins.values()) as report:
            result = await host.sync(recipe, stand_ins, options)
    finally:
        if engine is None:
            await host.close()
    # the cassette's answers as pages (api_pages): what the replay read is compared with
    # them page by page, as a browser replay's pages are with the snapshots
    with api_pages.checkable(recipe, fixture) as answered:
        pages_of = answered or fixture
        accounts = account_records(recipe, pages_of)
        pages = [_facts(recipe, pages_of, doc, base.rstrip("/"), accounts) for doc in seen]
        return judge(pages_of, result, list(report.unmatched), None,
                     [p for p in pages if p is not None], recipe)


def format_outcome(outcome: ReplayOutcome, limit: int = 50) -> list[str]:
    """Lines for a person, cause first: the first cause (the sync's own error, a truncated
    history, the first changed value), the other causes, then the differences by identity,
    then the notes."""
    lines = [c.message for c in outcome.causes]
    comparison = outcome.comparison
    if comparison is not None and not comparison.same:
        changes = comparison.changes
        lines += [f"  {c.describe()}" for c in changes[:limit]]
        if len(changes) > limit:
            lines.append(f"  ... and {len(changes) - limit} more")
        lines += [f"  {d}" for d in comparison.scalars[:limit]]
    lines += [f"note: {n}" for n in outcome.notes]
    return lines


__all__ = ["FieldDiff", "ReplayOutcome", "Replayer", "diff_results", "format_outcome", "judge",
           "replay_scenario", "show"]
