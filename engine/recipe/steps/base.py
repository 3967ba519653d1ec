"""The base of every step and the registry: one class per verb declares everything about it.

A step class is the whole plug-in, as in Scrapy: its verb (the YAML key), its options (pydantic
fields, which the JSON Schema and the loader derive from), what it does (``run``, written
against ``StepRuntime``) and the selectors it uses (found through their ``Selector``
annotation, see ``engine.recipe.base.selectors_of``). Registration is checked when the class is
defined: a verb without a model field, or a step that does not implement ``run``, is an error at
import time, never a silent no-op at run time. Adding a step is one module in this package.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from engine.recipe.base import Seconds, Strict, selectors_of
from engine.recipe.conditions import Condition
from engine.recipe.steps.runtime import StepRuntime

REGISTRY: dict[str, type[Step]] = {}


class Step(Strict):
    """Keys every step accepts next to its verb."""

    verb: ClassVar[str] = ""
    name: str | None = Field(default=None, max_length=80,
                             description="Shown in errors instead of the verb.")
    timeout: Seconds | None = Field(default=None, description="Overrides timeouts.step.")
    when: Condition | None = Field(
        default=None, description="Run the step only if this holds when it is reached "
        "(a cookie banner, a terms page, an already-open session); checked without waiting.")

    def __init_subclass__(cls, verb: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not verb:
            return  # an intermediate base class
        if verb in REGISTRY:
            raise TypeError(f"step verb {verb!r} is registered twice")
        if cls.run is Step.run:
            raise TypeError(f"step {verb!r} ({cls.__name__}) does not implement run()")
        cls.verb = verb
        REGISTRY[verb] = cls

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.verb and cls.verb not in cls.model_fields:
            raise TypeError(f"step {cls.__name__} registers verb {cls.verb!r} but has no "
                            f"field of that name")

    async def run(self, rt: StepRuntime) -> None:
        raise NotImplementedError

    def label(self, where: str) -> str:
        """How errors name this step: its ``name``, or where it is and its verb."""
        return self.name or f"{where} {self.verb}"

    def selectors(self) -> list[tuple[str, str, bool]]:
        """(key path, selector, optional) for each selector of this step."""
        return selectors_of(self)
