"""Load a recipe file into a validated ``Recipe``, with errors a person can fix.

YAML is composed with PyYAML's safe loader (no tags, no object construction) into nodes, so
every key and value keeps its line and column. Pydantic validates the plain data; each of its
errors is then mapped back through the node positions to ``file:line:column: key.path: what
was expected``. All problems are reported at once, one line each, never as a traceback.

Recipe files are input like any other, possibly hostile: the file size, the nesting depth and
the number of values after YAML alias expansion are bounded (a 300-byte "billion laughs" alias
bomb must not grow to gigabytes), invalid UTF-8 is located, and every exception the YAML
library raises becomes a located problem.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from engine.errors import RecipeError, RecipeProblem
from engine.recipe.model import Recipe, recipe_models
from engine.recipe.origin import Positions, RecipeOrigin, dotted
from engine.recipe.steps import REGISTRY
from engine.recipe.templates import check_references

Path_ = tuple[str | int, ...]

# libyaml's parser when PyYAML was built with it (it is ten times faster than the pure-Python
# one, which matters to a pre-commit `engine validate`); same nodes, same positions.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_VALUES = 50_000

# Every key the language knows, for "did you mean" hints on a misspelled key.
_KNOWN_KEYS = sorted({name for cls in recipe_models() for name in cls.model_fields})


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class _Composer:
    """Turns a YAML node tree into plain data plus a map of key paths to (line, column)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: Positions = {}
        self.problems: list[RecipeProblem] = []
        self._constructor = yaml.SafeLoader("")
        self._values = 0
        self._stack: set[int] = set()

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self._values += 1
        if self._values > MAX_VALUES:
            raise _TooLarge(node, f"the recipe holds more than {MAX_VALUES} values (YAML "
                            "aliases expanding?); recipes are small")
        if len(path) > MAX_DEPTH:
            raise _TooLarge(node, f"nested more than {MAX_DEPTH} levels deep")
        if id(node) in self._stack:
            raise _TooLarge(node, "a YAML alias refers to itself")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag.startswith("tag:yaml.org,2002:python") or node.tag.startswith("!"):
            self.problems.append(self._problem(path, node, f"YAML tag {node.tag} is not allowed"
                                               " in a recipe (recipes are plain data)"))
            return None
        self._stack.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self._scalar(node, path)
        finally:
            self._stack.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(self._problem(path, key_node, "keys must be plain names"))
                continue
            key = self._scalar(key_node, path)
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(self._problem(path, key_node, "YAML merge keys (<<) are "
                                                   "not supported in recipes"))
                continue
            if not isinstance(key, str | int):
                key = str(key)
            child = (*path, key)
            if key in result:
                self.problems.append(self._problem(child, key_node, "duplicate key"))
            self.positions[child] = (key_node.start_mark.line + 1,
                                     key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result

    def _scalar(self, node: yaml.Node, path: Path_) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as exc:
            self.problems.append(self._problem(path, node, f"unreadable value: {exc}"[:200]))
            return None

    def _problem(self, path: Path_, node: yaml.Node, message: str) -> RecipeProblem:
        return RecipeProblem(self.file, node.start_mark.line + 1, node.start_mark.column + 1,
                             dotted(path), message)


def _fail(file: str, line: int, column: int, message: str) -> RecipeError:
    return RecipeError([RecipeProblem(file, line, column, "", message)])


def load_recipe(source: str | Path) -> Recipe:
    """Load and validate a recipe file. Raises ``RecipeError`` listing every problem."""
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(str(path), 1, 1, f"file of {size} bytes; a recipe is at most "
                        f"{MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise _fail(str(path), 0, 0, f"cannot read: {exc.strerror}") from None
    return parse_recipe(decode(raw, str(path)), str(path), expect_id=path.stem)


def decode(raw: bytes, file: str) -> str:
    """UTF-8 text (a leading BOM allowed), or the position of the first invalid byte."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(file, line, column, "not UTF-8 text (save the recipe as UTF-8)") from None


def parse_recipe(text: str, file: str = "<recipe>", *, expect_id: str | None = None) -> Recipe:
    if len(text) > MAX_FILE_BYTES:
        raise _fail(file, 1, 1, f"a recipe is at most {MAX_FILE_BYTES} characters")
    if "\x00" in text:
        raise _fail(file, 1, 1, "the file contains NUL characters: not a text recipe")
    _check_depth(text, file)
    composer = _Composer(file)
    try:
        root = yaml.compose(text, Loader=Loader)
        data = composer.build(root, ()) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise _fail(file, line, col, f"YAML syntax: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _fail(file, 1, 1, f"YAML: {str(exc)[:200]}") from None
    except _TooLarge as exc:
        mark = exc.node.start_mark
        raise _fail(file, mark.line + 1, mark.column + 1, exc.message) from None
    except RecursionError:
        raise _fail(file, 1, 1, f"nested more than {MAX_DEPTH} levels deep") from None
    if data is None:
        raise _fail(file, 1, 1, "the file is empty")
    if not isinstance(data, dict):
        raise _fail(file, 1, 1, "a recipe is a mapping of sections")
    problems = list(composer.problems)
    recipe: Recipe | None = None
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        problems.extend(_from_pydantic(exc.errors(), data, composer.positions, file))
    except (RecursionError, ValueError, TypeError) as exc:  # a validator crashed: still located
        problems.append(RecipeProblem(file, 1, 1, "", f"invalid recipe: {exc}"[:300]))
    for path, message in check_references(data):
        line, col = _position(path, composer.positions)
        problems.append(RecipeProblem(file, line, col, dotted(path), message))
    if recipe is not None and expect_id is not None and recipe.institution.id != expect_id:
        line, col = _position(("institution", "id"), composer.positions)
        problems.append(RecipeProblem(file, line, col, "institution.id",
                                      f"{recipe.institution.id!r} must equal the file name "
                                      f"({expect_id!r})"))
    if problems or recipe is None:
        unique = sorted(set(problems), key=lambda p: (p.line, p.column, p.key))
        raise RecipeError(unique)
    recipe.attach_origin(RecipeOrigin(file, composer.positions))
    return recipe


def _check_depth(text: str, file: str) -> None:
    """Refuse deep nesting before composing: PyYAML composes recursively."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=Loader):
            if isinstance(token, yaml.BlockMappingStartToken | yaml.BlockSequenceStartToken
                          | yaml.FlowMappingStartToken | yaml.FlowSequenceStartToken):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = token.start_mark
                    raise _fail(file, mark.line + 1, mark.column + 1,
                                f"nested more than {MAX_DEPTH} levels deep")
            elif isinstance(token, yaml.BlockEndToken | yaml.FlowMappingEndToken
                            | yaml.FlowSequenceEndToken):
                depth -= 1
    except yaml.YAMLError:
        return  # reported with its position by compose


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
                "str", "int", "float", "bool", "list", "dict") and part not in REGISTRY:
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
        problems.append(RecipeProblem(file, line, col, dotted(path), _explain(err, path)))
    return problems


def _explain(err: ErrorDetails, path: Path_) -> str:
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
        hint = difflib.get_close_matches(str(keys[0]) if keys else "", REGISTRY, n=1)
        return (f"unknown step {_short(keys[0])}" if keys else "empty step") + (
            f"; did you mean '{hint[0]}'?" if hint else
            f"; a step is one of: {', '.join(REGISTRY)}")
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {_short(err.get('input'))})" if kind.endswith("_type") else msg


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
