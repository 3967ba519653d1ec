"""``engine record``, ``engine replay``, ``engine audit`` and ``engine import``: the
recorded-site harness's own commands (loaded by the ``engine`` group, engine/cli/__init__.py).

record  syncs a live site through the recorder and saves the scrubbed scenario;
replay  runs recipes against saved scenarios offline, the cause of a failure first;
audit   scans fixtures for anything that looks like a leaked secret;
import  turns pages saved from a browser (or a HAR, JSON, OFX) into a scenario.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from engine.api import Engine
from engine.cli.common import (
    FIXTURES_HELP,
    RECIPE,
    ExitCode,
    echo_json,
    fixtures_root,
    json_option,
    load_or_exit,
    read_credentials,
    state,
)
from engine.cli.progress import ProgressDisplay
from engine.harness.audit import audit_paths
from engine.harness.fixture import scenario_dirs
from engine.harness.import_sources import ImportError_
from engine.harness.importer import import_pages
from engine.harness.record import record_sync
from engine.harness.replay import ReplayOutcome, format_outcome, replay_scenario
from engine.models import SyncResult
from engine.runner.context import OtpChallenge, SyncOptions
from engine.runner.progress import observing


async def _prompt_for_code(challenge: OtpChallenge) -> str | None:
    value = await asyncio.to_thread(click.prompt, f"{challenge.prompt} ({challenge.medium})",
                                    err=True)
    return str(value).strip() or None


@click.command("record")
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.option("--scenario", required=True, help="Name of the scenario (folder) to save.")
@click.option("--base-url", help="Where the live site is (default: the recipe's base_url).")
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML/JSON file mapping credential names to values.")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@click.option("--otp-code", help="One-time code to answer with if the site asks (else a "
              "prompt on a terminal).")
@json_option
def record(recipe_path: str, scenario: str, base_url: str | None, credentials_file: str | None,
           fixtures_dir: str | None, otp_code: str | None, as_json: bool) -> None:
    """Sync RECIPE's live site and save the scrubbed recording as a fixture scenario."""

    recipe = load_or_exit(recipe_path)
    credentials = read_credentials(recipe, credentials_file, sys.stdin.isatty())
    display = ProgressDisplay(f"record {recipe.institution.id}/{scenario}",
                              enabled=state().progress)
    options = SyncOptions(base_url=base_url, otp_code=otp_code, progress=display)
    if otp_code is None and sys.stdin.isatty():
        options = replace(options, otp_callback=_prompt_for_code)
    root = fixtures_root(fixtures_dir, create=True)
    with display:
        outcome = asyncio.run(record_sync(Path(recipe_path), credentials, root,
                                          scenario=scenario, options=options))
    result = outcome.result
    if as_json:
        echo_json({"fixture_dir": str(outcome.fixture_dir), "ok": result.ok,
                   "partial": result.partial,
                   "error": result.error.code if result.error else None,
                   "accounts": len(result.accounts), "transactions": len(result.transactions),
                   "holdings": len(result.holdings)})
        return
    outcome_text = (f"error {result.error.code}" if result.error else
                    "partial" if result.partial else "ok")
    click.echo(f"recorded {outcome.fixture_dir} ({outcome_text}: {len(result.accounts)} accounts, "
               f"{len(result.transactions)} transactions, {len(result.holdings)} holdings)")
    click.echo(f"replay it with: engine replay {recipe_path} --scenario {scenario}"
               + (f" --fixtures {fixtures_dir}" if fixtures_dir else ""))


@click.command("replay")
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.option("--scenario", "scenarios", multiple=True,
              help="Only this scenario (repeatable; default: all of the recipe's).")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@json_option
def replay(recipe_path: str, scenarios: tuple[str, ...], fixtures_dir: str | None,
           as_json: bool) -> None:
    """Run RECIPE against its recorded scenarios, offline; exit 1 on any difference."""
    recipe = load_or_exit(recipe_path)
    root = fixtures_root(fixtures_dir)
    folders = [f for f in scenario_dirs(root, recipe.institution.id)
               if not scenarios or f.name in scenarios]
    missing = set(scenarios) - {f.name for f in folders}
    if missing or not folders:
        raise click.UsageError(f"no recorded scenario {', '.join(sorted(missing)) or ''} for "
                               f"{recipe.institution.id} under {root}")

    display = ProgressDisplay("replay", enabled=state().progress and not as_json)

    async def run_all() -> list[tuple[Path, ReplayOutcome]]:
        async with Engine(max_concurrency=1) as engine:
            done = []
            for f in folders:
                display.step(f"{recipe.institution.id}/{f.name}")
                done.append((f, await replay_scenario(Path(recipe_path), f, engine=engine)))
            return done

    with display, observing(display if display.live else _ignore):
        outcomes = asyncio.run(run_all())
    if as_json:
        echo_json([{"scenario": f"{recipe.institution.id}/{f.name}", "ok": o.ok,
                    "error": o.result.error.code if o.result.error else None,
                    "differences": format_outcome(o) if not o.ok else []}
                   for f, o in outcomes])
        raise SystemExit(ExitCode.OK if all(o.ok for _, o in outcomes) else ExitCode.BREAKAGE)
    failed = 0
    for folder, outcome in outcomes:
        name = f"{recipe.institution.id}/{folder.name}"
        result = outcome.result
        if outcome.ok:
            got = f"error {result.error.code}" if result.error else (
                f"{len(result.accounts)} accounts, {len(result.transactions)} transactions")
            click.echo(f"PASS {name} ({got})")
            continue
        failed += 1
        lines = format_outcome(outcome)
        click.echo(f"FAIL {name}: {lines[0]}" if lines else f"FAIL {name}")
        for line in lines[1:]:
            click.echo(f"  {line}")
    raise SystemExit(ExitCode.BREAKAGE if failed else ExitCode.OK)


@click.command("audit")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@json_option
def audit(paths: tuple[str, ...], as_json: bool) -> None:
    """Fail (exit 1) on anything in PATHS (default: ./fixtures) that looks like a secret.

    Known credentials come from ENGINE_AUDIT_SECRETS (comma-separated) plus the demo sites';
    names from ENGINE_AUDIT_NAMES. Findings show file:line and the rule, never the value.
    """
    targets = [Path(p) for p in paths] or [fixtures_root(None)]
    findings = audit_paths(targets)
    if as_json:
        echo_json({"ok": not findings, "paths": [os.fspath(t) for t in targets],
                   "findings": [str(f) for f in findings]})
        raise SystemExit(ExitCode.BREAKAGE if findings else ExitCode.OK)
    for finding in findings:
        click.echo(str(finding))
    where = ", ".join(os.fspath(t) for t in targets)
    if findings:
        click.echo(f"audit: {len(findings)} finding(s) in {where}", err=True)
        raise SystemExit(ExitCode.BREAKAGE)
    click.echo(f"audit: nothing that looks like a secret in {where}")


@click.command("import")
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--scenario", default="imported", show_default=True,
              help="Name of the scenario (folder) to write.")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@click.option("--base-url", help="The site's origin, when the saved pages do not say it.")
@click.option("--reference-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="'Today' when the pages were saved (year-less dates); default today.")
@click.option("--force", is_flag=True, help="Replace an existing scenario of that name.")
@json_option
def import_command(recipe_path: str, sources: tuple[str, ...], scenario: str,
                   fixtures_dir: str | None, base_url: str | None, reference_date: Any,
                   force: bool, as_json: bool) -> None:
    """Turn SOURCES — pages saved from a browser (.html, .mhtml, a folder of them), a HAR
    from DevTools, JSON answers, OFX/XML downloads — into a scrubbed fixture scenario of
    RECIPE, with an expected.json from a first extraction to review. Each page is assigned
    to the recipe stage whose selectors read it; one that no stage reads fails the import."""
    recipe = load_or_exit(recipe_path)
    root = fixtures_root(fixtures_dir, create=True)
    try:
        result = import_pages(recipe, Path(recipe_path), [Path(s) for s in sources], root,
                              scenario=scenario, base_url=base_url, force=force,
                              reference=reference_date.date() if reference_date else None)
    except ImportError_ as exc:
        if as_json:
            echo_json({"ok": False, "error": str(exc)})
        else:
            click.echo(f"import failed: {exc}", err=True)
        raise SystemExit(ExitCode.BREAKAGE) from None
    check = result.check
    summary = [f"{p.stage} page {p.page_number}" + (f" of account {p.account_id}"
                                                    if p.account_id else "")
               + f" ({p.extraction.rows} rows) from {p.source.name}" for p in result.placed]
    if as_json:
        echo_json({
            "ok": result.ok, "fixture": str(result.folder), "pages": summary,
            "login_pages": [s.name for s in result.login], "notes": result.notes,
            "audit": result.audit, "check": check.headline() if check else None})
    else:
        state = "ok" if result.ok else "FAILED"
        click.echo(f"{state}: imported {len(result.placed)} page(s) into {result.folder}"
                   + (f"; check: {check.headline()}" if check and not check.ok else ""))
        for line in summary:
            click.echo(f"  {line}")
        for source in result.login:
            click.echo(f"  login page from {source.name}")
        for note in result.notes:
            click.echo(f"  note: {note}")
        for finding in result.audit:
            click.echo(f"  audit: {finding}")
        click.echo(f"review {result.folder / 'expected.json'}, then: engine check "
                   f"{recipe_path} --scenario {scenario}"
                   + (f" --fixtures {fixtures_dir}" if fixtures_dir else ""))
    raise SystemExit(ExitCode.OK if result.ok else ExitCode.BREAKAGE)


def run_and_save(recipe_path: str, credentials: dict[str, str], options: SyncOptions,
                 scenario: str, fixtures_dir: str | None) -> SyncResult:
    """``engine run --save-fixture``: the same sync, through the recorder, saved scrubbed
    whatever its outcome (the point is to keep a failing one to reproduce offline)."""
    root = fixtures_root(fixtures_dir, create=True)
    outcome = asyncio.run(record_sync(Path(recipe_path), credentials, root, scenario=scenario,
                                      options=options))
    error = outcome.result.error
    click.echo(f"saved {outcome.fixture_dir}"
               + (f" (expected_error {error.code})" if error else "")
               + f"; reproduce offline with: engine replay {recipe_path} --scenario {scenario}"
               + (f" --fixtures {fixtures_dir}" if fixtures_dir else ""), err=True)
    return outcome.result


def _ignore(_: object) -> None:
    """Piped replay: the PASS/FAIL line per scenario is the progress."""


COMMANDS = (record, replay, audit, import_command)


def register_recording(group: click.Group) -> None:
    """Add record, replay and audit to the ``engine`` command group."""
    for command in COMMANDS:
        group.add_command(command)


__all__ = ["COMMANDS", "audit", "import_command", "record", "register_recording", "replay",
           "run_and_save"]
