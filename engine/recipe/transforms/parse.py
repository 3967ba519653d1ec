"""The ``parse`` transform: one parser per field, ``parse: name`` or ``parse: {name: options}``.

Its options are the union of every registered parser, built once all are registered (hence
``Lazy``): a parse name nobody registered cannot validate, so dispatch never falls through.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, create_model

from engine.recipe.transforms.registry import (
    PARSERS,
    Example,
    FieldEnv,
    Lazy,
    TransformError,
    transform,
)

__all__ = ["parse_union", "parser_of"]


class _OneParser(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@functools.cache
def parse_models() -> dict[str, type[BaseModel]]:
    """One model per parser that takes options: ``{amount: {decimal: ","}}``."""
    models: dict[str, type[BaseModel]] = {}
    for name, entry in PARSERS.items():
        if entry.options is None:
            continue
        models[name] = create_model(  # type: ignore[call-overload]
            _model_name(name), __base__=_OneParser,
            __doc__=f"parse: {{{name}: options}} — {entry.doc}",
            **{name: (entry.options, Field(description=entry.doc))})
    return models


def _tag(value: Any) -> str | None:
    """The discriminator: "name" for ``parse: amount``, the key for ``parse: {amount: ...}``."""
    if isinstance(value, str):
        return "Name"
    if isinstance(value, dict):
        name = next((key for key in value if key in parse_models()), None)
    elif isinstance(value, BaseModel):
        name = next(iter(type(value).model_fields), None)
    else:
        return None
    return _model_name(name) if name else None


def _model_name(name: str) -> str:
    """Upper-case, so the loader never mistakes the union tag for a recipe key."""
    return f"Parse{name.title().replace('_', '')}"


@functools.cache
def parse_union() -> Any:
    names = Literal[tuple(sorted(PARSERS))]  # type: ignore[valid-type]
    branches = [Annotated[names, Tag("Name")],
                *(Annotated[model, Tag(_model_name(name)),
                            ] for name, model in parse_models().items())]
    with_options = ", ".join(parse_models())
    return Annotated[Union[tuple(branches)],  # noqa: UP007
                     Discriminator(_tag, custom_error_type="unknown_parser",
                                   custom_error_message="a parser name (" + ", ".join(
                                       sorted(PARSERS)) + ") or {name: options} with name one "
                                   f"of {with_options}")]


def parser_of(spec_parse: Any) -> tuple[str, Any]:
    """(parser name, its options) for a validated ``parse`` value."""
    if isinstance(spec_parse, str):
        entry = PARSERS[spec_parse]
        return spec_parse, entry.defaults() if entry.defaults else None
    name = next(iter(type(spec_parse).model_fields))
    return name, getattr(spec_parse, name)


@transform("parse", options=Lazy(parse_union), order=70,
           doc="Convert the text with one parser (see the parsers below).",
           example=Example({"parse": "int"}, "12", 12))
def parse_value(value: Any, options: Any, env: FieldEnv) -> Any:
    name, parser_options = parser_of(options)
    if not isinstance(value, str):
        value = str(value)
    try:
        return PARSERS[name].function(value, parser_options, env)
    except TransformError:
        raise
    except (ValueError, ArithmeticError) as exc:  # a parser bug must still name the value
        raise TransformError(f"parse {name}: {exc}") from None
