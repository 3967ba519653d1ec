"""Recipes: the YAML language describing one institution (models, loader, schema)."""

from engine.recipe.loader import load_recipe, parse_recipe
from engine.recipe.model import Recipe

__all__ = ["Recipe", "load_recipe", "parse_recipe"]
