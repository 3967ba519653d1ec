"""Command line: a thin shell over the Python API (``engine --help``).

Commands are loaded on demand (:class:`LazyGroup`): ``engine --version`` imports click and
nothing else, ``engine validate`` the recipe models but neither Playwright nor httpx, and a
command whose extra is not installed (``engine worker`` without ``[workers]``) still shows in
``--help`` and says which extra to install when run. Every command gets the shared options of
``engine.cli.common`` (``--quiet``, ``--verbose``, ``--log-level``, ``--log-format``).

Secrets never come from arguments (they would land in shell history and ``ps``): credentials
are read from ``ENGINE_CREDENTIAL_<NAME>`` variables, a file, or a hidden prompt.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click

from engine import __version__
from engine.cli.common import ExitCode, add_common_options
from engine.extras import DISTRIBUTION, MissingExtra

COMMANDS: dict[str, str] = {
    "run": "engine.cli.sync:run",
    "demo": "engine.cli.sync:demo",
    "validate": "engine.cli.recipes:validate",
    "schema": "engine.cli.recipes:schema",
    "recipes": "engine.cli.recipes:recipes_command",
    "stats": "engine.cli.stats:stats",
    "record": "engine.cli.recording:record",
    "replay": "engine.cli.recording:replay",
    "audit": "engine.cli.recording:audit",
    "import": "engine.cli.recording:import_command",
    "check": "engine.cli.reports:check_command",
    "canary": "engine.cli.reports:canary_command",
    "drift": "engine.cli.reports:drift_command",
    "worker": "engine.workers.cli:worker",
    "fleet": "engine.workers.cli:fleet",
}
"""Command name → ``module:attribute``: the fast path (one module imported per command)."""

OWN_LOGGING = frozenset({"worker"})
"""Commands whose logging is set up by what they run (Celery hijacks the root logger)."""

MODULES = ("engine.cli.sync", "engine.cli.recipes", "engine.cli.stats", "engine.cli.recording",
           "engine.cli.reports")
"""Modules whose ``COMMANDS`` tuple may hold commands not in the table yet."""


def _unavailable(name: str, error: MissingExtra) -> click.Command:
    """A stand-in for a command whose extra is missing: listed, and says what to install."""

    def fail() -> None:
        raise click.ClickException(str(error))

    return click.Command(name, callback=fail, help=f"(not installed: pip install "
                         f"'{DISTRIBUTION}[{error.extra}]')",
                         context_settings={"ignore_unknown_options": True,
                                           "allow_extra_args": True})


class LazyGroup(click.Group):
    """A group importing each command's module only when that command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(COMMANDS) | set(self.commands)
        for module in MODULES:
            names |= {c.name for c in getattr(importlib.import_module(module), "COMMANDS", ())
                      if isinstance(c, click.Command) and c.name}
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None:
            try:
                command = self._load(cmd_name)
            except MissingExtra as exc:
                return _unavailable(cmd_name, exc)
        if command is None:
            return None
        return add_common_options(command, own_logging=cmd_name in OWN_LOGGING)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is not None:
            module, _, attribute = target.partition(":")
            found = getattr(importlib.import_module(module), attribute)
            return found if isinstance(found, click.Command) else None
        for module in MODULES:
            for command in getattr(importlib.import_module(module), "COMMANDS", ()):
                if isinstance(command, click.Command) and command.name == name:
                    return command
        return None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MissingExtra as exc:  # an extra needed only by this recipe or scenario
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(ExitCode.USAGE)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception:  # a bug: logged with its stack trace, a distinct exit status
            logging.getLogger("engine.cli").critical("internal error", exc_info=True)
            ctx.exit(ExitCode.INTERNAL)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="engine")
def main() -> None:
    """Bank synchronization engine: run, validate and test institution recipes."""


def add_command(command: click.Command) -> None:
    """Register a command defined elsewhere (plug-ins, tests)."""
    main.add_command(command)


if __name__ == "__main__":
    main()
