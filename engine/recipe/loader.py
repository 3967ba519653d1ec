"""Load a recipe file into a validated ``Recipe``, with errors a person can fix.

YAML is composed with PyYAML's safe loader (no tags, no object construction) into nodes, so
every key and value keeps its line and column. Pydantic validates the plain data; each of its
errors is then mapped back through the node positions to ``file:line:column: key.path: what
was expected``. All problems are reported at once, one line each, never as a traceback.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from engine.errors import RecipeError, RecipeProblem
from engine.recipe.model import STEP_TYPES, Recipe, recipe_models
from engine.recipe.templates import template_problems, template_references

Path_ = tuple[str | int, ...]

# Every key the language knows, for "did you mean" hints on a misspelled key.
_KNOWN_KEYS = sorted({name for cls in (*STEP_TYPES.values(), *recipe_models())
                      for name in cls.model_fields})
Positions = dict[Path_, tuple[int, int]]


class _Composer:
    """Turns a YAML node tree into plain data plus a map of key paths to (line, column)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: Positions = {}
        self.problems: list[RecipeProblem] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag.startswith("tag:yaml.org,2002:python") or node.tag.startswith("!"):
            self.problems.append(self._problem(path, node, f"YAML tag {node.tag} is not allowed"
                                               " in a recipe (recipes are plain data)"))
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._constructor.construct_object(key_node, deep=True)
                if not isinstance(key, str | int):
                    key = str(key)
                child = (*path, key)
                if key in result:
                    self.problems.append(self._problem(child, key_node, "duplicate key"))
                self.positions[child] = (key_node.start_mark.line + 1,
                                         key_node.start_mark.column + 1)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._constructor.construct_object(node, deep=True)

    def _problem(self, path: Path_, node: yaml.Node, message: str) -> RecipeProblem:
        return RecipeProblem(self.file, node.start_mark.line + 1, node.start_mark.column + 1,
                             dotted(path), message)


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fail(file: str, line: int, column: int, message: str) -> RecipeError:
    return RecipeError([RecipeProblem(file, line, column, "", message)])


def load_recipe(source: str | Path) -> Recipe:
    """Load and validate a recipe file. Raises ``RecipeError`` listing every problem."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(str(path), 0, 0, f"cannot read: {exc.strerror}") from None
    return parse_recipe(text, str(path))


def parse_recipe(text: str, file: str = "<recipe>") -> Recipe:
    composer = _Composer(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise _fail(file, line, col, f"YAML syntax: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise _fail(file, 0, 0, f"YAML: {exc}") from None
    if root is None:
        raise _fail(file, 1, 1, "the file is empty")
    try:
        data = composer.build(root, ())
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise _fail(file, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                    str(exc.problem)) from None
    if not isinstance(data, dict):
        raise _fail(file, 1, 1, "a recipe is a mapping of sections")
    problems = list(composer.problems)
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        problems.extend(_from_pydantic(exc.errors(), data, composer.positions, file))
    problems.extend(_template_problems(data, composer.positions, file))
    if problems or recipe is None:
        unique = sorted(set(problems), key=lambda p: (p.line, p.column, p.key))
        raise RecipeError(unique)
    return recipe


def _data_path(loc: tuple[str | int, ...], data: Any) -> Path_:
    """Follow pydantic's error location through the data, skipping union tags it inserts."""
    path: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            path.append(part)
        elif isinstance(node, dict | list):
            # a union member name such as 'str' or 'FieldSpec', or the missing key itself
            if isinstance(part, str) and part.islower() and "[" not in part and part not in (
                "str", "int", "float", "bool", "list", "dict") and part not in STEP_TYPES:
                path.append(part)
                node = None
        else:
            break
    return tuple(path)


def _position(path: Path_, positions: Positions) -> tuple[int, int]:
    for end in range(len(path), -1, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return (1, 1)


# Errors from the branch of a union that did not apply (a plain string where a mapping was
# written): noise when another branch reports something more precise at or below the same key.
_BRANCH_MISMATCH = {"string_type", "literal_error", "int_type", "float_type", "bool_type",
                    "model_type", "model_attributes_type", "list_type", "dict_type"}


def _from_pydantic(errors: list[ErrorDetails], data: Any, positions: Positions,
                   file: str) -> list[RecipeProblem]:
    located = [(_data_path(tuple(err["loc"]), data), err) for err in errors]
    problems = []
    for path, err in located:
        if err["type"] in _BRANCH_MISMATCH and any(
            other is not err and other_path[: len(path)] == path
            and (len(other_path) > len(path) or other["type"] not in _BRANCH_MISMATCH)
            for other_path, other in located
        ):
            continue
        line, col = _position(path, positions)
        problems.append(RecipeProblem(file, line, col, dotted(path), _explain(err, path, data)))
    return problems


def _explain(err: ErrorDetails, path: Path_, data: Any) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = path[-1] if path else ""
        hint = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1)
        return "unknown key" + (f"; did you mean '{hint[0]}'?" if hint else "")
    if kind == "missing":
        return "required key is missing"
    if kind == "unknown_step":
        given = err.get("input")
        keys = list(given) if isinstance(given, dict) else [given]
        hint = difflib.get_close_matches(str(keys[0]) if keys else "", STEP_TYPES, n=1)
        return (f"unknown step {keys[0]!r}" if keys else "empty step") + (
            f"; did you mean '{hint[0]}'?" if hint else
            f"; a step is one of: {', '.join(STEP_TYPES)}")
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {_short(err.get('input'))})" if kind.endswith("_type") else msg


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _template_problems(data: Any, positions: Positions, file: str) -> list[RecipeProblem]:
    declared = {c.get("name") for c in data.get("credentials", []) if isinstance(c, dict)}
    account_fields = set()
    accounts = data.get("accounts")
    if isinstance(accounts, dict) and isinstance(accounts.get("fields"), dict):
        account_fields = set(accounts["fields"])
    problems: list[RecipeProblem] = []

    def visit(node: Any, path: Path_) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, (*path, i))
        elif isinstance(node, str) and "{" in node:
            messages = template_problems(node)
            for namespace, key in template_references(node):
                if namespace == "credentials" and key not in declared:
                    messages.append(f"credentials.{key} is not declared under credentials "
                                    f"(declared: {', '.join(sorted(map(str, declared)))})")
                if namespace == "account" and account_fields and key not in account_fields:
                    messages.append(f"account.{key} is not a field of accounts "
                                    f"(fields: {', '.join(sorted(account_fields))})")
                if namespace == "account" and path[:1] in (("login",), ("accounts",)):
                    messages.append("account.* is only available in per-account blocks")
            line, col = _position(path, positions)
            problems.extend(RecipeProblem(file, line, col, dotted(path), m) for m in messages)

    visit(data, ())
    return problems
