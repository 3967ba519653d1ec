"""The recipes shipped with the package, found through ``importlib.resources``.

They are package data (``engine/recipes/*.yaml``; in a checkout that folder is a symbolic link
to the top-level ``recipes/``), so an installed engine finds them wherever it is installed,
and nothing resolves files relative to a source checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def recipes_dir() -> Path:
    """The folder of the bundled recipes (a real folder: wheels are installed unpacked)."""
    return Path(str(files("engine") / "recipes"))


def bundled_recipes() -> dict[str, Path]:
    """Recipe id (file name without ``.yaml``) → path, sorted by id."""
    folder = recipes_dir()
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def bundled_recipe(recipe_id: str) -> Path | None:
    """The bundled recipe with this id, or None."""
    return bundled_recipes().get(recipe_id)


__all__ = ["bundled_recipe", "bundled_recipes", "recipes_dir"]
