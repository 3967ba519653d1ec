"""What every model of the recipe language shares: strictness, bounds, and where templates go.

- Unknown keys are errors (``extra="forbid"``), so a typo has a location instead of being
  silently ignored.
- A ``{{ ... }}`` placeholder is only accepted in a string the language actually renders
  (a ``Templated`` field). Anywhere else it would be sent or matched literally — the bug where a
  template inside a JSON path was never rendered and 14 amounts came back with the wrong sign —
  so it is rejected at load time, at its line and column.
- Numbers an author writes are bounded and strictly typed: a timeout of ``"10"``, ``true``,
  ``.inf`` or ``1e-9`` is an error, not a surprise at run time.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class _TemplateMarker:
    """Annotation metadata: the string is rendered with the template language."""

    def __repr__(self) -> str:
        return "Templated"


class _SelectorMarker:
    """Annotation metadata: the string is a selector evaluated on pages (see ``selectors_of``)."""

    def __repr__(self) -> str:
        return "Selector"


TEMPLATED = _TemplateMarker()
SELECTOR = _SelectorMarker()
Templated = Annotated[str, TEMPLATED]
"""A string the engine renders (``{{ credentials.x }}``, ``{{ account.x }}``...)."""

MAX_STRING = 20_000
"""Longest string a recipe may hold (a selector, a regex, a label): beyond this it is a
mistake or an attack, and regexes or selectors that long would be slow to compile."""

Seconds = Annotated[float, Field(strict=True, ge=0.1, le=3600, allow_inf_nan=False)]
"""A duration an author writes: a real number of seconds, from 0.1 to one hour."""


def _placeholder_problem(value: Any) -> str | None:
    if isinstance(value, str):
        if "{{" in value or "}}" in value:
            return f"templates are not rendered here: {value[:60]!r}"
        if len(value) > MAX_STRING:
            return f"string of {len(value)} characters; at most {MAX_STRING}"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _placeholder_problem(key) or _placeholder_problem(item)
            if problem:
                return problem
    if isinstance(value, list | tuple):
        for item in value:
            problem = _placeholder_problem(item)
            if problem:
                return problem
    return None


def _mentions_marker(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated and any(
            meta is TEMPLATED for meta in get_args(annotation)[1:]):
        return True
    return any(_mentions_marker(arg) for arg in get_args(annotation))


@cache
def _templated_fields(cls: type[BaseModel]) -> frozenset[str]:
    return frozenset(name for name, info in cls.model_fields.items()
                     if any(meta is TEMPLATED for meta in info.metadata)
                     or _mentions_marker(info.annotation))


class Strict(BaseModel):
    """Base of every recipe model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _templates_only_where_rendered(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name in _templated_fields(cls):
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise ValueError(f"string of {len(value)} characters; at most {MAX_STRING}")
            return value
        problem = _placeholder_problem(value)
        if problem:
            raise ValueError(problem)
        return value


def one_of(model: BaseModel, *names: str) -> None:
    """Exactly the keys an author must choose between: at least one given."""
    if not any(getattr(model, n) is not None for n in names):
        raise ValueError(f"needs one of: {', '.join(names)}")


_UNSAFE_SCHEMES = ("javascript", "data", "file", "blob", "about", "chrome", "view-source",
                   "ftp", "ws", "wss")


def _check_location(value: str) -> str:
    """A place to navigate to: a path relative to the institution, or an http(s) URL."""
    text = value.strip()
    if not text:
        raise ValueError("empty URL")
    if text.startswith("{{"):
        return value  # the whole URL comes from a template (an account's link): checked live
    scheme = urlsplit(text).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        raise ValueError(f"{scheme}: URLs are not allowed; use a path or an http(s) URL")
    if re.match(r"^\s*(?:" + "|".join(_UNSAFE_SCHEMES) + "):", text, re.IGNORECASE):
        raise ValueError("only paths and http(s) URLs may be visited")
    return value


Location = Annotated[str, TEMPLATED, AfterValidator(_check_location)]
"""A URL or path to visit (templates allowed); ``javascript:``, ``file:``, ``data:`` refused."""


def _has_meta(annotation: Any, marker: object) -> bool:
    if get_origin(annotation) is Annotated and any(m is marker for m in get_args(annotation)[1:]):
        return True
    return any(_has_meta(arg, marker) for arg in get_args(annotation))


def selectors_of(model: BaseModel, path: str = "", *, optional: bool = False
                 ) -> list[tuple[str, str, bool]]:
    """Every selector a model holds, as (key path, selector, optional), found through the
    ``Selector`` annotation: a new step or rule needs no list of its selectors to keep."""
    found: list[tuple[str, str, bool]] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        is_selector = any(m is SELECTOR for m in info.metadata) or _has_meta(
            info.annotation, SELECTOR)
        conditional = optional or name == "when"
        if isinstance(value, str) and is_selector:
            found.append((where, value, conditional))
        elif isinstance(value, BaseModel):
            found.extend(selectors_of(value, where, optional=conditional))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    found.extend(selectors_of(item, f"{where}[{i}]", optional=conditional))
    return found
