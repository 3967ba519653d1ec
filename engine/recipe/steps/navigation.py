"""Moving around: ``goto`` a URL, ``scroll`` to let a page load more."""

from __future__ import annotations

from pydantic import Field

from engine.recipe.base import Location, Strict
from engine.recipe.conditions import Selector
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime


class GotoStep(Step, verb="goto"):
    goto: Location = Field(description="URL or path relative to base_url; templates allowed.")

    async def run(self, rt: StepRuntime) -> None:
        await rt.goto(rt.url(self.goto))


class ScrollSpec(Strict):
    css: Selector | None = Field(default=None, description="Element to scroll (default: the "
                                 "page).")


class ScrollStep(Step, verb="scroll"):
    scroll: ScrollSpec = Field(default_factory=ScrollSpec)

    async def run(self, rt: StepRuntime) -> None:
        await rt.scroll(self.scroll.css)
