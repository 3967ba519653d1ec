"""What every command of the CLI shares: exit codes, the options every command takes
(``--quiet``, ``--verbose``, ``--log-level``, ``--log-format``; ``--json`` where a command
reports), where recipes and fixtures are found, loading a recipe (problems printed, exit
``RECIPE_INVALID``) and reading credentials (file, then ``ENGINE_CREDENTIAL_<NAME>``, then a
hidden prompt).

Logs go to stderr, results to stdout, so ``engine run --json > result.json`` holds the result
only, whatever the log level.

This module stays light (no recipe models, no Playwright): ``engine --help`` imports it.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from engine.recipe import Recipe

F = TypeVar("F", bound=Callable[..., Any])


class ExitCode(IntEnum):
    """Every exit status of every ``engine`` command (the README's table)."""

    OK = 0
    BREAKAGE = 1
    """A harness command found breakage: a broken selector, a failing scenario, drift, a
    leaked secret."""
    USAGE = 2
    """Wrong arguments (also click's own status for usage errors)."""
    PARTIAL = 3
    """A sync returned some accounts but not all (``account_failures`` say which)."""
    SYNC_FAILED = 4
    """A sync failed; its kind is in the output (``--json``: ``error.kind``). Also drift when
    the live sync failed for another reason, so nothing could be compared."""
    RECIPE_INVALID = 5
    """A recipe file does not validate (one ``file:line:col`` line per problem)."""
    INTERNAL = 70
    """A bug in the engine (the stack trace is logged)."""


# ----------------------------------------------------------------------------- options

@dataclass
class CliState:
    """What the shared options asked for; commands read it with :func:`state`."""

    quiet: bool = False
    """No progress display, logs at ERROR only, per-item lines only for failures."""
    verbose: int = 0
    log_level: str = "WARNING"
    log_format: str = "text"

    @property
    def progress(self) -> bool:
        """Show progress: not with ``--quiet``, nor with JSON logs (stderr is then JSON lines
        only; the same stage events are in the logs at INFO, ``-v``)."""
        return not self.quiet and self.log_format != "json"


_STATE_KEY = "engine.cli.state"
_COMMON = ("quiet", "verbose", "log_level", "log_format")


def state() -> CliState:
    """The running command's :class:`CliState` (defaults outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().meta.get(_STATE_KEY) if ctx is not None else None
    return found if isinstance(found, CliState) else CliState()


def _setup(values: dict[str, Any], own_logging: bool) -> CliState:
    from engine import logs
    from engine.settings import EngineSettings, SettingsError

    try:
        env = EngineSettings.load()
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    quiet, verbose = bool(values.get("quiet")), int(values.get("verbose") or 0)
    level = (values.get("log_level") or ("ERROR" if quiet else "DEBUG" if verbose > 1
                                         else "INFO" if verbose else env.log_level))
    fmt = values.get("log_format") or env.log_format
    asked = any(values.get(k) for k in _COMMON) or fmt == "json"
    if not own_logging or asked:
        logs.configure(getattr(logging, str(level).upper()), fmt)
        if own_logging:  # the command's root handler would print every record again
            logging.getLogger("engine").propagate = False
    return CliState(quiet=quiet, verbose=verbose, log_level=str(level).upper(), log_format=fmt)


def add_common_options(command: click.Command, *, own_logging: bool = False) -> click.Command:
    """Give ``command`` the shared options (skipping any it declares itself, e.g. its own
    ``--quiet``) and set up logging before it runs. Idempotent; the ``engine`` group applies
    it to every command it loads, so commands defined elsewhere get the options too.

    ``own_logging``: the command sets up logging itself (``engine worker``: Celery's); the
    engine's handler is then installed only when one of the options or ``ENGINE_LOG_FORMAT=
    json`` asks for it."""
    if getattr(command, "_engine_common", False):
        return command
    taken = {opt for param in command.params for opt in getattr(param, "opts", [])}
    options = [
        click.Option(["-q", "--quiet"], is_flag=True,
                     help="No progress display; only errors in the logs."),
        click.Option(["-v", "--verbose"], count=True,
                     help="More logs on stderr (-v: INFO, -vv: DEBUG)."),
        click.Option(["--log-level"], type=click.Choice(
            ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], case_sensitive=False),
            help="Level of the engine's logs on stderr (default: ENGINE_LOG_LEVEL, WARNING)."),
        click.Option(["--log-format"], type=click.Choice(["text", "json"]),
                     help="json: one JSON object per line (default: ENGINE_LOG_FORMAT, text)."),
    ]
    added = [o for o in options if not set(o.opts) & taken]
    command.params.extend(added)
    names = {o.name for o in added}
    callback = command.callback

    @functools.wraps(callback)  # type: ignore[arg-type]
    def run(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) if name in names else kwargs.get(name)
                  for name in _COMMON}
        ctx = click.get_current_context()
        ctx.find_root().meta[_STATE_KEY] = _setup(values, own_logging)
        return ctx.invoke(callback, **kwargs) if callback is not None else None

    command.callback = run
    command._engine_common = True  # type: ignore[attr-defined]
    return command


def json_option(function: F) -> F:
    """``--json``: print the command's outcome as JSON on stdout (for programs)."""
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the outcome as JSON on stdout.")(function)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


# ----------------------------------------------------------------------------- locations

def recipe_path(value: str) -> Path:
    """A recipe file, or the id of a recipe bundled with the package (``banque-demo``)."""
    path = Path(value)
    if path.is_file():
        return path
    from engine.bundled import bundled_recipe, bundled_recipes

    found = bundled_recipe(value) if "/" not in value else None
    if found is None:
        known = ", ".join(bundled_recipes()) or "none"
        raise click.BadParameter(f"no such file, nor a bundled recipe named {value!r} "
                                 f"(bundled: {known})", param_hint="RECIPE")
    return found


class RecipeArgument(click.ParamType[str]):
    """Click type of a RECIPE argument: see :func:`recipe_path`."""

    name = "recipe"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        return str(recipe_path(str(value)))


RECIPE = RecipeArgument()

FIXTURES_HELP = "Fixtures root (default: ./fixtures)."


def fixtures_root(option: str | None, *, create: bool = False) -> Path:
    """Where fixtures are: ``--fixtures``, else ``./fixtures`` of the current folder; never
    the installed package's. ``create``: the folder a recording goes into may be new."""
    if option:
        return Path(option)
    here = Path.cwd() / "fixtures"
    if here.is_dir() or create:
        return here
    raise click.UsageError(f"no fixtures folder here ({here}): pass --fixtures DIR or run "
                           "from the folder that holds fixtures/")


def load_or_exit(path: str | Path) -> Recipe:
    """The recipe, or every problem on stderr (one line each) and exit ``RECIPE_INVALID``."""
    from engine.errors import RecipeError
    from engine.recipe import load_recipe

    try:
        return load_recipe(path)
    except RecipeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(ExitCode.RECIPE_INVALID) from None


def read_credentials(recipe: Recipe, file: str | None, interactive: bool) -> dict[str, str]:
    """Credentials from a file, then ``ENGINE_CREDENTIAL_<NAME>``, then a prompt on a TTY."""
    import yaml

    from engine.settings import credential_from_env

    values: dict[str, str] = {}
    if file:
        text = Path(file).read_text(encoding="utf-8")
        loaded = yaml.safe_load(text) if text.strip() else {}
        if not isinstance(loaded, dict):
            raise click.UsageError(f"{file}: expected a mapping of credential names to values")
        values.update({str(k): str(v) for k, v in loaded.items()})
    for field in recipe.credentials:
        env = credential_from_env(field.name)
        if field.name not in values and env is not None:
            values[field.name] = env
        if field.name not in values:
            if not interactive:
                raise click.UsageError(
                    f"credential '{field.name}' missing: set ENGINE_CREDENTIAL_"
                    f"{field.name.upper()}, use --credentials FILE, or run on a terminal")
            values[field.name] = click.prompt(field.label or field.name,
                                              hide_input=field.secret, err=True)
    return values
