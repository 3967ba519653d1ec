"""The recipe JSON Schema, generated from the models and committed next to them.

Editors (VS Code's YAML extension, JetBrains) read it through the ``# yaml-language-server:
$schema=`` comment at the top of each recipe and offer completion and checks as authors type.
A test fails when the committed file is stale.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.recipe.model import Recipe

SCHEMA_PATH = Path(__file__).with_name("recipe.schema.json")


def recipe_schema() -> dict[str, Any]:
    schema = Recipe.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Institution recipe"
    return schema


def schema_text() -> str:
    return json.dumps(recipe_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text(), encoding="utf-8")
    return path


def schema_is_current(path: Path = SCHEMA_PATH) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == schema_text()
