"""The steps of the recipe language, one module per verb family, and their tagged union.

Every module of this package is imported here, so defining a ``Step`` subclass with a verb
anywhere in it is all it takes to add a step: the union, the JSON Schema, the loader's hints
and drift's selector list all come from ``REGISTRY``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Discriminator, Tag

from engine.recipe.steps.base import REGISTRY, Step
from engine.recipe.steps.runtime import StepRuntime

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("base", "runtime"):
        importlib.import_module(f"{__name__}.{_module.name}")


def step_verb(value: Any) -> str | None:
    """The discriminator: the first key of the mapping that is a known verb."""
    if isinstance(value, dict):
        return next((key for key in value if key in REGISTRY), None)
    return value.verb if isinstance(value, Step) and value.verb else None


if TYPE_CHECKING:
    AnyStep = Step
else:
    AnyStep = Annotated[
        Union[tuple(Annotated[cls, Tag(verb)] for verb, cls in REGISTRY.items())],  # noqa: UP007
        Discriminator(
            step_verb,
            custom_error_type="unknown_step",
            custom_error_message="not a known step; a step is one of: " + ", ".join(REGISTRY),
        ),
    ]

__all__ = ["REGISTRY", "AnyStep", "Step", "StepRuntime", "step_verb"]
