"""What every command of the CLI shares: exit codes, loading a recipe (problems printed, exit
``RECIPE_INVALID``) and reading credentials (file, then ``ENGINE_CREDENTIAL_<NAME>``, then a
hidden prompt)."""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path

import click
import yaml

from engine.errors import RecipeError
from engine.recipe import Recipe, load_recipe


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



def load_or_exit(path: str | Path) -> Recipe:
    """The recipe, or every problem on stderr (one line each) and exit code 2."""
    try:
        return load_recipe(path)
    except RecipeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(ExitCode.RECIPE_INVALID) from None


def read_credentials(recipe: Recipe, file: str | None, interactive: bool) -> dict[str, str]:
    """Credentials from a file, then ``ENGINE_CREDENTIAL_<NAME>``, then a prompt on a TTY."""
    values: dict[str, str] = {}
    if file:
        text = Path(file).read_text(encoding="utf-8")
        loaded = yaml.safe_load(text) if text.strip() else {}
        if not isinstance(loaded, dict):
            raise click.UsageError(f"{file}: expected a mapping of credential names to values")
        values.update({str(k): str(v) for k, v in loaded.items()})
    for field in recipe.credentials:
        env = os.environ.get(f"ENGINE_CREDENTIAL_{field.name.upper()}")
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
