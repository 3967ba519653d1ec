"""``docs/transforms.md``, generated from the registry (``python -m
engine.recipe.transforms.docs --write``, which also regenerates the currency symbols from
babel; ``--check`` fails when a committed file is stale).

Every example in the table is also run by the test suite, so the documentation cannot drift
from what the code does.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from engine.recipe.transforms.guide import SECTIONS
from engine.recipe.transforms.registry import (
    PARSERS,
    Example,
    options_annotation,
    ordered_transforms,
)

__all__ = ["DOCS_PATH", "docs_are_current", "markdown"]

DOCS_PATH = Path("docs") / "transforms.md"
"""The checkout's generated page, relative to the folder the tool is run from (a checkout's
root): the installed package knows nothing of the repository around it."""


def _type(annotation: Any) -> str:
    """A compact, recipe-author view of an options type."""
    if annotation is None or annotation is type(None):
        return "—"
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(dict.fromkeys(_type(a) for a in typing.get_args(annotation)
                                        if a is not type(None)))
    if origin is typing.Literal:
        return " | ".join(json.dumps(a) for a in typing.get_args(annotation))
    if origin is list:
        return f"[{_type(typing.get_args(annotation)[0])}, …]"
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"{{{_type(key)}: {_type(value)}}}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        inner = ", ".join(f"{name}: {_type(info.annotation)}"
                          for name, info in annotation.model_fields.items())
        return f"{{{inner}}}"
    return getattr(annotation, "__name__", str(annotation))


def _value(value: Any) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return json.dumps(value, ensure_ascii=False, default=str)


def _example(example: Example) -> str:
    keys = ", ".join(f"{k}: {_value(v)}" for k, v in example.keys.items())
    extra = []
    if example.settings.country or example.settings.currency:
        extra.append(f"institution {example.settings.country or example.settings.currency}")
    if example.row:
        extra.append(f"row {_value(dict(example.row))}")
    where = f" ({'; '.join(extra)})" if extra else ""
    result = example.result
    shown = result.isoformat() if hasattr(result, "isoformat") else (
        str(result) if not isinstance(result, str) else json.dumps(result, ensure_ascii=False))
    return f"`{{{keys}}}`: `{_value(example.raw)}` → `{shown}`{where}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# Field transforms and parsers",
        "",
        "Generated from the registry in `engine/recipe/transforms/` by "
        "`python -m engine.recipe.transforms.docs --write`; do not edit by hand. Every "
        "example below is run by the test suite.",
        "",
        "A field has one source (`css`, `xpath`, `path`, `column`, `const`, `template`, or "
        "`debit`/`credit`), then its transforms apply in this order, top to bottom. Each "
        "runs on a non-empty value, except `default`, which runs only on a missing or empty "
        "one.",
        "",
        "## Transforms",
        "",
        "| order | key | options | what it does | example |",
        "|---|---|---|---|---|",
    ]
    for entry in ordered_transforms():
        options = "a parser (below)" if entry.name == "parse" else _type(
            options_annotation(entry))
        lines.append(f"| {entry.order} | `{entry.name}` | {_cell(options)} | "
                     f"{_cell(entry.doc)} | {_cell(_example(entry.example))} |")
    lines += [
        "",
        "## Parsers (`parse: name` or `parse: {name: options}`)",
        "",
        "| parser | options | what it does | example |",
        "|---|---|---|---|",
    ]
    for name in sorted(PARSERS):
        item = PARSERS[name]
        lines.append(f"| `{name}` | {_cell(_type(item.options))} | {_cell(item.doc)} | "
                     f"{_cell(_example(item.example))} |")
    lines += ["", "## Patterns of real bank pages", ""]
    for title, prose, example in SECTIONS:
        lines += [f"### {title}", "", prose, "", "```yaml", example, "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def docs_are_current(path: Path = DOCS_PATH) -> bool:
    return path.exists() and path.read_text(encoding="utf-8") == markdown()


def main(argv: list[str]) -> int:
    """``--write``: the docs table and the currency symbols (both generated); ``--check``:
    fail when either committed file is stale."""
    from engine.recipe.transforms.currency import SYMBOLS_PATH, symbols_text

    if "--write" in argv:
        DOCS_PATH.write_text(markdown(), encoding="utf-8")
        SYMBOLS_PATH.write_text(symbols_text(), encoding="utf-8")
        print(f"wrote {DOCS_PATH} and {SYMBOLS_PATH}")
        return 0
    if "--check" in argv:
        current = {DOCS_PATH: docs_are_current(),
                   SYMBOLS_PATH: SYMBOLS_PATH.exists()
                   and SYMBOLS_PATH.read_text(encoding="utf-8") == symbols_text()}
        for path in (p for p, ok in current.items() if not ok):
            print(f"{path} is stale: run python -m engine.recipe.transforms.docs --write")
        return 0 if all(current.values()) else 1
    sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
