"""The ``check``, ``canary`` and ``drift`` commands (loaded by the ``engine`` group).

Why here and not in cli.py: they are the harness's user interface, and keeping them next to
the harness keeps cli.py a thin list of commands that several people edit.

Exit codes (``engine.cli.common.ExitCode``): OK; BREAKAGE (a broken selector, a failing
scenario, drift, or nothing at all to check); RECIPE_INVALID; SYNC_FAILED for drift when the
live site failed for another reason (maintenance, wrong credentials...).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
from engine.harness import check as check_mod
from engine.harness import check_text
from engine.harness import drift as drift_mod
from engine.harness import suggest as suggest_mod
from engine.harness.canary import CanaryReport, ScenarioOutcome, run_canary
from engine.harness.junit import write_junit
from engine.harness.pages import ROW_THRESHOLD
from engine.harness.report import write_html
from engine.runner.progress import observing


def _default_recipes() -> list[Path]:
    """``./recipes/*.yaml`` of the current folder (never the installed package's)."""
    folder = Path.cwd() / "recipes"
    if not folder.is_dir():
        raise click.UsageError(f"no recipes folder here ({folder}): name the RECIPES to check")
    return sorted(folder.glob("*.yaml"))


def _console() -> Console:
    """A terminal's own width; wide lines (no wrapping mid-selector) in logs and pipes."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=200)


def _selector_table(scenario: check_mod.ScenarioCheck) -> Table:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in ("recipe selector", "selector", "recorded", "now", "empty", "unparsable",
                   "status"):
        table.add_column(column, justify="right" if column in (
            "recorded", "now", "empty", "unparsable") else "left", overflow="fold")
    for t in scenario.totals():
        status = ("BROKEN: " + t.reason) if t.broken else (t.reason or "ok")
        table.add_row(t.name, escape(t.selector),  # a[href] is a selector, not markup
                      "—" if t.recorded is None else str(t.recorded),
                      str(t.now), str(t.empty), str(t.unparsable), escape(status),
                      style="red" if t.broken else None)
    return table


@click.command("check")
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@click.option("--scenario", "scenarios", multiple=True, help="Only these scenarios.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--show", is_flag=True, help="Also print what the recipe extracted, per page.")
@click.option("--threshold", default=ROW_THRESHOLD, show_default=True, type=float,
              help="A page whose row count falls by more than this fraction is an alarm.")
@click.option("--suggest", is_flag=True, help="When a selector stopped matching, propose a "
              "patch of the recipe, verified to reproduce the expected values.")
@click.option("-q", "--quiet", is_flag=True, help="Only failing scenarios and the summary.")
def check_command(recipe_path: str, fixtures_dir: str | None, scenarios: tuple[str, ...],
                  as_json: bool, show: bool, threshold: float, suggest: bool,
                  quiet: bool) -> None:
    """Validate RECIPE and run it over every saved snapshot (no browser, no network):
    selectors against the counts at recording time, lists walked as the runner walks them,
    values built into the output models and compared with expected.json per page and field.
    The first line names the cause; exit 1 on any difference."""
    started = time.perf_counter()
    recipe = load_or_exit(recipe_path)
    root = fixtures_root(fixtures_dir)
    report = check_mod.check_recipe(recipe, Path(recipe_path), root, list(scenarios) or None,
                                    threshold=threshold)
    total_ms = (time.perf_counter() - started) * 1000
    nothing = not report.scenarios or not any(s.snapshots or s.expects_breakage
                                              for s in report.scenarios)
    patches = suggest_mod.suggest_for_check(Path(recipe_path), report) if suggest else []
    code = ExitCode.OK if report.ok and not nothing else ExitCode.BREAKAGE
    if as_json:
        data = json.loads(check_mod.report_json(report, show=show))
        if suggest:
            data["suggestions"] = [p.as_json() for p in patches]
        click.echo(json.dumps(data, indent=2, default=str))
        raise SystemExit(code)
    console = _console()
    if not report.scenarios:
        console.print(f"{recipe_path}: recipe valid, but there is no fixture for "
                      f"{recipe.institution.id} under {root}: nothing was checked",
                      markup=False)
        raise SystemExit(ExitCode.BREAKAGE)
    console.print(check_text.first_line(report), markup=False,
                  style=None if report.ok else "red")
    snapshots = 0
    for scenario in sorted(report.scenarios, key=lambda s: s.ok):
        snapshots += len(scenario.snapshots)
        if quiet and scenario.ok:
            continue
        lines = check_text.scenario_lines(scenario)
        console.print(lines[0], markup=False)
        if scenario.snapshots and not quiet:
            console.print(_selector_table(scenario))
        for line in lines[1:]:
            console.print(line, markup=False, style="red" if "✗" in line else None)
        if show:
            for line in check_text.shown(scenario):
                console.print(line, markup=False)
    for patch in patches:
        for line in patch.lines():
            console.print(line, markup=False)
    count = len(report.scenarios)
    console.print(f"{'ok' if report.ok else 'BROKEN'}: {count} scenario(s), {snapshots} "
                  f"snapshot(s) checked in {total_ms:.0f} ms "
                  f"({report.elapsed_ms / count:.1f} ms per scenario; no browser, no network)",
                  markup=False)
    if nothing:
        console.print("nothing was checked: the scenarios hold no snapshot", markup=False)
    raise SystemExit(code)


# ----------------------------------------------------------------------------- canary

def _outcome_line(outcome: ScenarioOutcome) -> str:
    """``FAIL banque-demo/normal (2.1 s): <the cause>``: the cause in the first line."""
    status = "PASS" if outcome.passed else "FAIL"
    line = f"{status} {outcome.institution}/{outcome.scenario} ({outcome.elapsed_ms / 1000:.1f} s)"
    if not outcome.passed and outcome.headline():
        line += f": {outcome.headline()}"
    return line


def _suggestion_text(outcome: ScenarioOutcome) -> str:
    """A failing scenario's verified repair, indented under its line."""
    return ("  suggested patch (verified on the recording):\n"
            + "".join(f"    {line}\n" for line in outcome.suggestion.splitlines())
            if outcome.suggestion else "")


async def _canary(recipes: list[Path], root: Path, jobs: int, console: Console, *,
                  suggest: bool = False) -> CanaryReport:
    if not console.is_terminal:
        def echo(event: str, outcome: ScenarioOutcome | None) -> None:
            if event == "done" and outcome is not None:
                click.echo(_outcome_line(outcome) + (
                    "\n" + _suggestion_text(outcome).rstrip("\n") if outcome.suggestion
                    else ""))
        return await run_canary(recipes, root, jobs=jobs, progress=echo, suggest=suggest)
    columns = (TextColumn("[bold]canary"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=None)

        def hook(event: str, outcome: ScenarioOutcome | None) -> None:
            if event == "done" and outcome is not None:
                progress.advance(task)
                progress.console.print(_outcome_line(outcome), highlight=False,
                                       style=None if outcome.passed else "red", markup=False)
                if outcome.suggestion:
                    progress.console.print(_suggestion_text(outcome).rstrip("\n"),
                                           highlight=False, markup=False)
                progress.update(task, description=f"{outcome.institution}/{outcome.scenario}")

        return await run_canary(recipes, root, jobs=jobs, progress=hook, suggest=suggest,
                                on_plan=lambda n: progress.update(task, total=n))


@click.command("canary")
@click.argument("recipes", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False),
              help="Write JUnit XML here (one testcase per recipe × scenario).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False),
              help="Write the self-contained HTML report here.")
@click.option("--jobs", default=2, show_default=True, help="Scenarios replayed at once.")
@click.option("--suggest", is_flag=True, help="For a scenario failing on a selector, propose "
              "a patch of the recipe, verified on the recording (as engine check --suggest).")
@json_option
def canary_command(recipes: tuple[str, ...], fixtures_dir: str | None, junit_file: str | None,
                   html_file: str | None, jobs: int, suggest: bool, as_json: bool) -> None:
    """Check and replay every recipe (default ./recipes/*.yaml) against every recorded
    scenario, in one shared browser. Exits 1 when anything broke."""
    paths = [Path(r) for r in recipes] or _default_recipes()
    root = fixtures_root(fixtures_dir)
    console = _console()
    if not root.is_dir():
        console.print(f"no fixtures folder at {root}: nothing to check", markup=False)
        raise SystemExit(ExitCode.USAGE)
    if as_json:
        report = asyncio.run(run_canary(paths, root, jobs=jobs, suggest=suggest))
        for target, writer in ((junit_file, write_junit), (html_file, write_html)):
            if target:
                writer(report, Path(target))
        echo_json({"ok": report.ok and bool(report.outcomes),
                   "elapsed_ms": report.elapsed_ms,
                   "outcomes": [{"scenario": f"{o.institution}/{o.scenario}",
                                 "passed": o.passed, "headline": _outcome_line(o),
                                 "suggestion": o.suggestion}
                                for o in report.outcomes],
                   "recipe_errors": {str(k): v for k, v in report.recipe_errors.items()},
                   "without_fixtures": [str(p) for p in report.without_fixtures]})
        raise SystemExit(ExitCode.OK if report.ok and report.outcomes else ExitCode.BREAKAGE)
    report = asyncio.run(_canary(paths, root, jobs, console, suggest=suggest))
    if junit_file:
        console.print(f"JUnit XML: {write_junit(report, Path(junit_file))}")
    if html_file:
        console.print(f"HTML report: {write_html(report, Path(html_file))}")
    for path, problems in report.recipe_errors.items():
        console.print(f"INVALID {path}: " + "; ".join(problems), style="red", markup=False)
    for path in report.without_fixtures:
        console.print(f"SKIP {path}: no recorded scenario", markup=False)
    failed = sum(not o.passed for o in report.outcomes)
    count = max(1, len(report.outcomes))
    console.print(f"{'ok' if report.ok else 'BROKEN'}: {len(report.outcomes) - failed} passed, "
                  f"{failed} failed in {report.elapsed_ms / 1000:.1f} s "
                  f"({report.elapsed_ms / count / 1000:.2f} s per scenario)", markup=False)
    if not report.outcomes:
        console.print("nothing was checked: no recorded scenario for these recipes",
                      markup=False)
        raise SystemExit(ExitCode.BREAKAGE)
    raise SystemExit(ExitCode.OK if report.ok else ExitCode.BREAKAGE)


# ----------------------------------------------------------------------------- drift

def format_drift(report: drift_mod.DriftReport) -> str:
    """The drift report for a person: verdict, live error, findings worst first."""
    verdict = "DRIFT" if report.drifted else ("INCONCLUSIVE" if report.inconclusive
                                              else "no drift")
    lines = [f"{verdict}: {report.institution}/{report.scenario} "
             f"(live {report.base_url or 'recipe base_url'}; recorded in "
             f"{report.recording_ms / 1000:.1f} s, {report.pages_compared} page(s) compared)"]
    if report.live_error:
        e = report.live_error
        lines.append(f"  live sync: {e.get('code')} at step {e.get('step')}"
                     + (f", selector {e.get('selector')}" if e.get("selector") else "")
                     + f": {e.get('message')}")
    if report.inconclusive:
        lines.append(f"  {report.inconclusive}")
    order = {"broken": 0, "changed": 1, "notice": 2}
    for f in sorted(report.findings, key=lambda f: order[f.severity]):
        selector = f"  {f.selector}" if f.selector else ""
        lines.append(f"  {f.severity.upper():7} {f.step}{selector}\n          {f.message}")
    counts = {s: sum(f.severity == s for f in report.findings) for s in order}
    lines.append(f"{counts['broken']} broken, {counts['changed']} changed, "
                 f"{counts['notice']} notice(s)")
    return "\n".join(lines)


def drift_json(report: drift_mod.DriftReport) -> str:
    data = asdict(report)
    data.update(drifted=report.drifted, exit_code=int(drift_exit(report)))
    return json.dumps(data, indent=2, default=str)


@click.command("drift")
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.option("--scenario", required=True, help="The saved scenario to compare with.")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=FIXTURES_HELP)
@click.option("--base-url", help="Where the live site is (default: the recipe's base_url).")
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML/JSON file mapping credential names to values.")
@click.option("--otp-code", help="One-time code to answer with, if the site asks.")
@click.option("--keep", type=click.Path(file_okay=False),
              help="Keep the fresh recording in this folder (default: a temporary one).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def drift_command(recipe_path: str, scenario: str, fixtures_dir: str | None,
                  base_url: str | None, credentials_file: str | None, otp_code: str | None,
                  keep: str | None, as_json: bool) -> None:
    """Record the live site afresh and compare it with the saved scenario, judged only on what
    the recipe selects. Exits 1 on drift, 4 when the live sync failed for another reason."""
    recipe = load_or_exit(recipe_path)
    root = fixtures_root(fixtures_dir)
    folder = root / recipe.institution.id / scenario
    if not (folder / "meta.json").exists():
        raise click.UsageError(f"no saved scenario at {folder}")
    credentials = read_credentials(recipe, credentials_file, sys.stdin.isatty())
    display = ProgressDisplay(f"drift {recipe.institution.id}/{scenario}",
                              enabled=state().progress)
    with display, observing(display):
        display.step("recording the live site")
        report = asyncio.run(drift_mod.run_drift(
            Path(recipe_path), folder, credentials, base_url=base_url, otp_code=otp_code,
            keep=Path(keep) if keep else None))
    click.echo(drift_json(report) if as_json else format_drift(report))
    raise SystemExit(drift_exit(report))


def drift_exit(report: drift_mod.DriftReport) -> ExitCode:
    if report.drifted:
        return ExitCode.BREAKAGE
    return ExitCode.SYNC_FAILED if report.inconclusive else ExitCode.OK


COMMANDS = (check_command, canary_command, drift_command)


def register_reports(group: click.Group) -> None:
    """Add check, canary and drift to the ``engine`` command group."""
    for command in COMMANDS:
        group.add_command(command)
