"""``engine validate``, ``engine schema`` and ``engine recipes``: recipes as files, before any
sync. None of them imports Playwright or httpx, so they start fast (a pre-commit hook)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from engine.cli.common import RECIPE, ExitCode, echo_json, json_option, state


@click.command()
@click.argument("recipes", nargs=-1, required=True, type=RECIPE)
@json_option
def validate(recipes: tuple[str, ...], as_json: bool) -> None:
    """Check recipe files (or bundled recipes by id); one line per problem, naming
    file:line:column and key. Exit 5 when any recipe is invalid."""
    from engine.errors import RecipeError
    from engine.recipe import load_recipe

    report = []
    for path in recipes:
        try:
            load_recipe(path)
            report.append({"path": path, "ok": True, "problems": []})
        except RecipeError as exc:
            report.append({"path": path, "ok": False,
                           "problems": [asdict(p) for p in exc.problems]})
            if not as_json:
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
            continue
        if not as_json and not state().quiet:
            click.echo(f"{path}: ok")
    if as_json:
        echo_json({"ok": all(r["ok"] for r in report), "recipes": report})
    raise SystemExit(ExitCode.OK if all(r["ok"] for r in report) else ExitCode.RECIPE_INVALID)


@click.command()
@click.option("--write", is_flag=True, help="Write it to engine/recipe/recipe.schema.json.")
@click.option("--check", is_flag=True, help="Fail if the committed schema is stale.")
@json_option
def schema(write: bool, check: bool, as_json: bool) -> None:
    """Print (or write, or check) the recipe JSON Schema (printed, it is JSON already;
    --json makes --check and --write answer in JSON too)."""
    from engine.recipe.schema import SCHEMA_PATH, schema_is_current, schema_text, write_schema

    if check:
        ok = schema_is_current()
        if as_json:
            echo_json({"current": ok, "path": str(SCHEMA_PATH)})
        else:
            click.echo("schema is current" if ok
                       else "schema is stale: run `engine schema --write`")
        raise SystemExit(ExitCode.OK if ok else ExitCode.BREAKAGE)
    if write:
        written = write_schema()
        echo_json({"written": str(written)}) if as_json else click.echo(f"wrote {written}")
        return
    click.echo(schema_text(), nl=False)


@click.command("recipes")
@json_option
def recipes_command(as_json: bool) -> None:
    """List the recipes bundled with the package (usable by id: `engine run banque-demo`)."""
    from engine.bundled import bundled_recipes

    found = {name: str(path) for name, path in bundled_recipes().items()}
    if as_json:
        echo_json(found)
        return
    for name, path in found.items():
        click.echo(f"{name}\t{Path(path)}")


COMMANDS = (validate, schema, recipes_command)

__all__ = ["COMMANDS", "recipes_command", "schema", "validate"]
