"""Command line: a thin shell over the Python API (``engine --help``).

Secrets never come from arguments (they would land in shell history and ``ps``): credentials
are read from ``ENGINE_CREDENTIAL_<NAME>`` variables, a file, or a hidden prompt.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from engine.api import sync
from engine.cli.common import ExitCode, load_or_exit, read_credentials
from engine.cli.output import print_result
from engine.cli.recording import register_recording, run_and_save
from engine.cli.reports import register_reports
from engine.errors import RecipeError
from engine.models import SyncResult
from engine.recipe import load_recipe
from engine.recipe.schema import SCHEMA_PATH, schema_is_current, schema_text, write_schema
from engine.runner.context import OtpChallenge, SyncOptions
from engine.runner.state import default_key_file, new_key
from engine.workers.cli import fleet, worker

REPO_ROOT = Path(__file__).resolve().parents[2]
err_console = Console(stderr=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bank-sync-engine")
def main() -> None:
    """Bank synchronization engine: run, validate and test institution recipes."""


def state_key() -> str:
    """The key that encrypts session state: ``ENGINE_STATE_KEY``, else a private key file."""
    env = os.environ.get("ENGINE_STATE_KEY")
    if env:
        return env
    path = Path(default_key_file())
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key())
    return path.read_text().strip()


def _state_dir(base: str | None, institution: str) -> Path:
    root = Path(base) if base else Path(os.environ.get(
        "XDG_STATE_HOME", Path.home() / ".local" / "state")) / "bank-sync-engine"
    folder = root / institution
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@main.command()
@click.argument("recipe_path", metavar="RECIPE", type=click.Path(exists=True, dir_okay=False))
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML/JSON file mapping credential names to values.")
@click.option("--json", "as_json", is_flag=True, help="Print the SyncResult as JSON.")
@click.option("--base-url", help="Override the recipe's base_url.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Oldest date wanted.")
@click.option("--otp-code", help="Resume a sync stopped for a one-time code with this code; "
              "'-' reads it from standard input (keeps it out of shell history and ps).")
@click.option("--otp-code-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the one-time code from this file.")
@click.option("--origin", "origins", multiple=True, metavar="NAME=URL",
              help="Move one of the institution's other origins (an API host), repeatable.")
@click.option("--state-dir", type=click.Path(file_okay=False),
              help="Where session/resume state is kept (encrypted).")
@click.option("--evidence-dir", type=click.Path(file_okay=False),
              help="Save HTML and screenshot here when the recipe is broken.")
@click.option("--timeout", type=float, help="Whole-sync deadline in seconds.")
@click.option("--save-fixture", metavar="NAME", help="Also save this sync, scrubbed, as the "
              "fixture scenario NAME (e.g. a recipe_broken failure, to fix offline with "
              "`engine replay`).")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help="Fixtures root for --save-fixture (default: ./fixtures).")
def run(recipe_path: str, credentials_file: str | None, as_json: bool, base_url: str | None,
        since: Any, otp_code: str | None, otp_code_file: str | None, origins: tuple[str, ...],
        state_dir: str | None, evidence_dir: str | None, timeout: float | None,
        save_fixture: str | None, fixtures_dir: str | None) -> None:
    """Synchronize one institution with RECIPE and print what came back."""
    recipe = load_or_exit(recipe_path)
    otp_code = _read_code(otp_code, otp_code_file)
    interactive = sys.stdin.isatty()
    credentials = ({} if otp_code and not credentials_file
                   else read_credentials(recipe, credentials_file, interactive))
    folder = _state_dir(state_dir, recipe.institution.id)
    session_file, resume_file = folder / "session.state", folder / "resume.state"
    options = SyncOptions(
        base_url=base_url, since=since.date() if since else None, state_key=state_key(),
        session_state=session_file.read_text() if session_file.exists() else None,
        evidence_dir=Path(evidence_dir) if evidence_dir else None, timeout=timeout,
        origins=_origins(origins, recipe.institution.origins))
    if otp_code:
        if not resume_file.exists():
            raise click.UsageError("--otp-code given but no sync is waiting for a code")
        options = replace(options, resume_state=resume_file.read_text(), otp_code=otp_code)
    elif interactive:
        options = replace(options, otp_callback=_prompt_for_code)
    if save_fixture:
        result = run_and_save(recipe_path, credentials, options, save_fixture, fixtures_dir)
    else:
        result = asyncio.run(sync(recipe, credentials, options))
    _store_state(result, session_file, resume_file)
    _emit(result, as_json)


async def _prompt_for_code(challenge: OtpChallenge) -> str | None:
    value = await asyncio.to_thread(click.prompt, f"{challenge.prompt} ({challenge.medium})",
                                    err=True)
    return str(value).strip() or None


def _read_code(given: str | None, file: str | None) -> str | None:
    """The one-time code: from a file, from standard input ('-'), or as given."""
    if file is not None:
        return Path(file).read_text(encoding="utf-8").strip() or None
    if given == "-":
        return sys.stdin.readline().strip() or None
    return given


def _origins(given: tuple[str, ...], declared: dict[str, str]) -> dict[str, str]:
    moved: dict[str, str] = {}
    for item in given:
        name, sep, url = item.partition("=")
        if not sep or name not in declared or not url.startswith(("http://", "https://")):
            raise click.UsageError(f"--origin {item!r}: expected NAME=URL with NAME one of "
                                   f"{', '.join(declared) or '(none declared)'}")
        moved[name] = url
    return moved


def _store_state(result: SyncResult, session_file: Path, resume_file: Path) -> None:
    if result.drop_session_state and session_file.exists() and not result.session_state:
        session_file.unlink()  # it led the last sync astray: the next one starts clean
    for path, value in ((session_file, result.session_state), (resume_file, result.resume_state)):
        if value:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(value)
    if result.error is None and resume_file.exists():
        resume_file.unlink()


def _emit(result: SyncResult, as_json: bool) -> None:
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        print_result(result, Console())
    if result.error is not None and not result.accounts:
        raise SystemExit(ExitCode.SYNC_FAILED)
    raise SystemExit(ExitCode.PARTIAL if result.partial or result.error else ExitCode.OK)


@main.command()
@click.argument("recipes", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def validate(recipes: tuple[str, ...]) -> None:
    """Check recipe files; one line per problem, naming file:line:column and key."""
    failed = 0
    for path in recipes:
        try:
            load_recipe(path)
            click.echo(f"{path}: ok")
        except RecipeError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem), err=True)
    raise SystemExit(ExitCode.RECIPE_INVALID if failed else ExitCode.OK)


@main.command()
@click.option("--write", is_flag=True, help=f"Write it to {SCHEMA_PATH.name}.")
@click.option("--check", is_flag=True, help="Fail if the committed schema is stale.")
def schema(write: bool, check: bool) -> None:
    """Print (or write, or check) the recipe JSON Schema."""
    if check:
        ok = schema_is_current()
        click.echo("schema is current" if ok else "schema is stale: run `engine schema --write`")
        raise SystemExit(ExitCode.OK if ok else ExitCode.BREAKAGE)
    if write:
        click.echo(f"wrote {write_schema()}")
        return
    click.echo(schema_text(), nl=False)


@main.command()
@click.option("--scenario", help="A Banque Démo scenario (e.g. demo-otp, demo-maint).")
@click.option("--layout", type=click.Choice(["classic", "redesign", "innocuous"]),
              default="classic")
@click.option("--json", "as_json", is_flag=True)
def demo(scenario: str | None, layout: str, as_json: bool) -> None:
    """Start the Banque Démo site on 127.0.0.1 and sync it with its recipe."""
    from sites._server import ChildServer
    from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

    recipe = load_or_exit(str(REPO_ROOT / "recipes" / "banque-demo.yaml"))
    username = scenario or DEMO_USERNAME
    with ChildServer("sites.banque_demo", ["--layout", layout]) as server:
        err_console.print(f"Banque Démo is running at {server.url} (pid {server.pid}); "
                          f"syncing as {username!r}…")
        options = SyncOptions(base_url=server.url, reference_date=date(2026, 11, 20))
        if sys.stdin.isatty():
            options = replace(options, otp_callback=_prompt_for_code)
        result = asyncio.run(sync(recipe, {"username": username, "password": DEMO_PASSWORD},
                                  options))
    _emit(result, as_json)


main.add_command(worker)
main.add_command(fleet)
register_recording(main)
register_reports(main)

if __name__ == "__main__":
    main()
