"""``engine run`` (sync one institution) and ``engine demo`` (start Banque Démo and sync it).

State (sealed session and resume state) lives under the user's XDG state folder unless
``--state-dir`` or ``ENGINE_STATE_DIR`` says otherwise, sealed with ``ENGINE_STATE_KEY`` or a
private key file under the XDG config folder: never next to the installed package.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.cli.common import (
    FIXTURES_HELP,
    RECIPE,
    ExitCode,
    json_option,
    load_or_exit,
    read_credentials,
    state,
)
from engine.cli.progress import ProgressDisplay

if TYPE_CHECKING:
    from engine.models import SyncResult
    from engine.runner.context import OtpCallback, OtpChallenge


def state_key() -> str:
    """The key that encrypts session state: ``ENGINE_STATE_KEY``, else a private key file."""
    from engine.runner.state import new_key
    from engine.settings import EngineSettings, default_key_file

    configured = EngineSettings.load().state_key
    if configured is not None:
        return configured.get_secret_value()
    path = default_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key())
    return path.read_text().strip()


def _state_dir(base: str | None, institution: str) -> Path:
    from engine.settings import default_state_dir

    folder = (Path(base) if base else default_state_dir()) / institution
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _prompter(display: ProgressDisplay) -> OtpCallback:
    async def ask(challenge: OtpChallenge) -> str | None:
        def prompt() -> str:
            with display.paused():
                return str(click.prompt(f"{challenge.prompt} ({challenge.medium})", err=True))

        return (await asyncio.to_thread(prompt)).strip() or None

    return ask


@click.command()
@click.argument("recipe_path", metavar="RECIPE", type=RECIPE)
@click.option("--credentials", "credentials_file", type=click.Path(exists=True, dir_okay=False),
              help="YAML/JSON file mapping credential names to values.")
@json_option
@click.option("--base-url", help="Override the recipe's base_url.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="Oldest date wanted.")
@click.option("--otp-code", help="Resume a sync stopped for a one-time code with this code; "
              "'-' reads it from standard input (keeps it out of shell history and ps).")
@click.option("--otp-code-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the one-time code from this file.")
@click.option("--origin", "origins", multiple=True, metavar="NAME=URL",
              help="Move one of the institution's other origins (an API host), repeatable.")
@click.option("--state-dir", type=click.Path(file_okay=False),
              help="Where session/resume state is kept, encrypted (default: ENGINE_STATE_DIR, "
              "else $XDG_STATE_HOME/bank-sync-engine).")
@click.option("--evidence-dir", type=click.Path(file_okay=False),
              help="Save HTML and screenshot here when the recipe is broken.")
@click.option("--timeout", type=float, help="Whole-sync deadline in seconds.")
@click.option("--save-fixture", metavar="NAME", help="Also save this sync, scrubbed, as the "
              "fixture scenario NAME (e.g. a recipe_broken failure, to fix offline with "
              "`engine replay`).")
@click.option("--fixtures", "fixtures_dir", type=click.Path(file_okay=False),
              help=f"For --save-fixture: {FIXTURES_HELP}")
def run(recipe_path: str, credentials_file: str | None, as_json: bool, base_url: str | None,
        since: Any, otp_code: str | None, otp_code_file: str | None, origins: tuple[str, ...],
        state_dir: str | None, evidence_dir: str | None, timeout: float | None,
        save_fixture: str | None, fixtures_dir: str | None) -> None:
    """Synchronize one institution with RECIPE (a file, or a bundled recipe's id) and print
    what came back. Exit 0 ok, 3 partial, 4 failed (the kind is in the output)."""
    from engine.api import sync
    from engine.runner.context import SyncOptions

    recipe = load_or_exit(recipe_path)
    otp_code = _read_code(otp_code, otp_code_file)
    interactive = sys.stdin.isatty()
    credentials = ({} if otp_code and not credentials_file
                   else read_credentials(recipe, credentials_file, interactive))
    folder = _state_dir(state_dir, recipe.institution.id)
    session_file, resume_file = folder / "session.state", folder / "resume.state"
    display = ProgressDisplay(recipe.institution.id, enabled=state().progress)
    options = SyncOptions(
        base_url=base_url, since=since.date() if since else None, state_key=state_key(),
        session_state=session_file.read_text() if session_file.exists() else None,
        evidence_dir=Path(evidence_dir) if evidence_dir else None, timeout=timeout,
        origins=_origins(origins, recipe.institution.origins), progress=display)
    if otp_code:
        if not resume_file.exists():
            raise click.UsageError("--otp-code given but no sync is waiting for a code")
        options = replace(options, resume_state=resume_file.read_text(), otp_code=otp_code)
    elif interactive:
        options = replace(options, otp_callback=_prompter(display))
    with display:
        if save_fixture:
            from engine.cli.recording import run_and_save

            result = run_and_save(recipe_path, credentials, options, save_fixture, fixtures_dir)
        else:
            result = asyncio.run(sync(recipe, credentials, options))
    _store_state(result, session_file, resume_file)
    emit_result(result, as_json)


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


def emit_result(result: SyncResult, as_json: bool) -> None:
    """Print a ``SyncResult`` (JSON or tables) and exit with its code."""
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        from rich.console import Console

        from engine.cli.output import print_result

        print_result(result, Console())
    if result.error is not None and not result.accounts:
        raise SystemExit(ExitCode.SYNC_FAILED)
    raise SystemExit(ExitCode.PARTIAL if result.partial or result.error else ExitCode.OK)


@click.command()
@click.option("--scenario", help="A Banque Démo scenario (e.g. demo-otp, demo-maint).")
@click.option("--layout", type=click.Choice(["classic", "redesign", "innocuous"]),
              default="classic")
@json_option
def demo(scenario: str | None, layout: str, as_json: bool) -> None:
    """Start the Banque Démo site on 127.0.0.1 and sync it with its bundled recipe (needs the
    [demo] extra)."""
    from engine.api import sync
    from engine.bundled import bundled_recipe
    from engine.runner.context import SyncOptions
    from sites._server import ChildServer
    from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME

    path = bundled_recipe("banque-demo")
    if path is None:
        raise click.ClickException("the bundled recipe banque-demo.yaml is missing from "
                                   "this installation")
    recipe = load_or_exit(path)
    username = scenario or DEMO_USERNAME
    display = ProgressDisplay("banque-demo", enabled=state().progress)
    with ChildServer("sites.banque_demo", ["--layout", layout]) as server:
        if not state().quiet:
            click.echo(f"Banque Démo is running at {server.url} (pid {server.pid}); "
                       f"syncing as {username!r}…", err=True)
        options = SyncOptions(base_url=server.url, reference_date=date(2026, 11, 20),
                              progress=display)
        if sys.stdin.isatty():
            options = replace(options, otp_callback=_prompter(display))
        with display:
            result = asyncio.run(sync(recipe, {"username": username,
                                               "password": DEMO_PASSWORD}, options))
    emit_result(result, as_json)


COMMANDS = (run, demo)

__all__ = ["COMMANDS", "demo", "emit_result", "run", "state_key"]
