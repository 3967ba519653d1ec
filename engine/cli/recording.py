"""``engine record``, ``engine replay`` and ``engine audit``: the recorded-site harness's own
commands (registered on the ``engine`` group by engine/cli.py).

record  syncs a live site through the recorder and saves the scrubbed scenario;
replay  runs recipes against saved scenarios offline and prints every difference;
audit   scans fixtures for anything that looks like a leaked secret.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from engine.api import Engine
from engine.cli.common import ExitCode, load_or_exit, read_credentials
from engine.harness.audit import audit_paths
from engine.harness.fixture import scenario_dirs
from engine.harness.record import record_sync
from engine.harness.replay import ReplayOutcome, format_outcome, replay_scenario
from engine.models import SyncResult
from engine.runner.context import OtpChallenge, SyncOptions

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_dir(name: str) -> Path:
    """``./fixtures`` when it exists, else the repository's."""
    here = Path.cwd() / name
    return here if here.exists() or not (REPO_ROOT / name).exists() else REPO_ROOT / name


async def _prompt_for_code(challenge: OtpChallenge) -> str | None:
    value = await asyncio.to_thread(click.prompt, f"{challenge.prompt} ({challenge.medium})",
                                    err=True)
    return str(value).strip() or None


@click.command("record")
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(exists=True, dir_okay=False))
@click.option("--scenario", required=True, help="Name of the scenario (folder) to save.")
@click.option("--base-url", help="Where the live site is (default: the recipe's base_url).")
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML/JSON file mapping credential names to values.")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help="Fixtures root (default: ./fixtures).")
@click.option("--otp-code", help="One-time code to answer with if the site asks (else a "
              "prompt on a terminal).")
def record(recipe_path: str, scenario: str, base_url: str | None, credentials_file: str | None,
           fixtures_dir: str | None, otp_code: str | None) -> None:
    """Sync RECIPE's live site and save the scrubbed recording as a fixture scenario."""

    recipe = load_or_exit(recipe_path)
    credentials = read_credentials(recipe, credentials_file, sys.stdin.isatty())
    options = SyncOptions(base_url=base_url, otp_code=otp_code)
    if otp_code is None and sys.stdin.isatty():
        options = replace(options, otp_callback=_prompt_for_code)
    root = Path(fixtures_dir) if fixtures_dir else default_dir("fixtures")
    outcome = asyncio.run(record_sync(Path(recipe_path), credentials, root, scenario=scenario,
                                      options=options))
    result = outcome.result
    state = (f"error {result.error.code}" if result.error else
             "partial" if result.partial else "ok")
    click.echo(f"recorded {outcome.fixture_dir} ({state}: {len(result.accounts)} accounts, "
               f"{len(result.transactions)} transactions, {len(result.holdings)} holdings)")
    click.echo(f"replay it with: engine replay {recipe_path} --scenario {scenario}"
               + (f" --fixtures {fixtures_dir}" if fixtures_dir else ""))


@click.command("replay")
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(exists=True, dir_okay=False))
@click.option("--scenario", "scenarios", multiple=True,
              help="Only this scenario (repeatable; default: all of the recipe's).")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help="Fixtures root (default: ./fixtures).")
def replay(recipe_path: str, scenarios: tuple[str, ...], fixtures_dir: str | None) -> None:
    """Run RECIPE against its recorded scenarios, offline; exit 1 on any difference."""
    recipe = load_or_exit(recipe_path)
    root = Path(fixtures_dir) if fixtures_dir else default_dir("fixtures")
    folders = [f for f in scenario_dirs(root, recipe.institution.id)
               if not scenarios or f.name in scenarios]
    missing = set(scenarios) - {f.name for f in folders}
    if missing or not folders:
        raise click.UsageError(f"no recorded scenario {', '.join(sorted(missing)) or ''} for "
                               f"{recipe.institution.id} under {root}")

    async def run_all() -> list[tuple[Path, ReplayOutcome]]:
        async with Engine(max_concurrency=1) as engine:
            return [(f, await replay_scenario(Path(recipe_path), f, engine=engine))
                    for f in folders]

    failed = 0
    for folder, outcome in asyncio.run(run_all()):
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
def audit(paths: tuple[str, ...]) -> None:
    """Fail (exit 1) on anything in PATHS (default: fixtures/) that looks like a secret.

    Known credentials come from ENGINE_AUDIT_SECRETS (comma-separated) plus the demo sites';
    names from ENGINE_AUDIT_NAMES. Findings show file:line and the rule, never the value.
    """
    targets = [Path(p) for p in paths] or [default_dir("fixtures")]
    findings = audit_paths(targets)
    for finding in findings:
        click.echo(str(finding))
    where = ", ".join(os.fspath(t) for t in targets)
    if findings:
        click.echo(f"audit: {len(findings)} finding(s) in {where}", err=True)
        raise SystemExit(ExitCode.BREAKAGE)
    click.echo(f"audit: nothing that looks like a secret in {where}")


def run_and_save(recipe_path: str, credentials: dict[str, str], options: SyncOptions,
                 scenario: str, fixtures_dir: str | None) -> SyncResult:
    """``engine run --save-fixture``: the same sync, through the recorder, saved scrubbed
    whatever its outcome (the point is to keep a failing one to reproduce offline)."""
    root = Path(fixtures_dir) if fixtures_dir else default_dir("fixtures")
    outcome = asyncio.run(record_sync(Path(recipe_path), credentials, root, scenario=scenario,
                                      options=options))
    error = outcome.result.error
    click.echo(f"saved {outcome.fixture_dir}"
               + (f" (expected_error {error.code})" if error else "")
               + f"; reproduce offline with: engine replay {recipe_path} --scenario {scenario}"
               + (f" --fixtures {fixtures_dir}" if fixtures_dir else ""), err=True)
    return outcome.result


COMMANDS = (record, replay, audit)


def register_recording(group: click.Group) -> None:
    """Add record, replay and audit to the ``engine`` command group."""
    for command in COMMANDS:
        group.add_command(command)


__all__ = ["COMMANDS", "audit", "record", "register_recording", "replay", "run_and_save"]
