"""What every command of the CLI shares: loading a recipe (problems printed, exit 2) and
reading credentials (file, then ``ENGINE_CREDENTIAL_<NAME>``, then a hidden prompt).

A module of its own so that the harness's commands (``engine.harness.cli_*``) use the very
same rules as ``engine run`` without importing ``engine.cli``, which registers them.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
import yaml

from engine.errors import RecipeError
from engine.recipe import Recipe, load_recipe

EXIT_USAGE = 2


def load_or_exit(path: str | Path) -> Recipe:
    """The recipe, or every problem on stderr (one line each) and exit code 2."""
    try:
        return load_recipe(path)
    except RecipeError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise SystemExit(EXIT_USAGE) from None


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
