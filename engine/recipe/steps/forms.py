"""Acting on a form like a person: ``fill``, ``click``, ``press``, ``select``."""

from __future__ import annotations

from pydantic import Field, model_validator

from engine.recipe.base import Strict, Templated
from engine.recipe.conditions import Selector
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime


class FillSpec(Strict):
    css: Selector
    value: Templated = Field(max_length=2000,
                             description="Usually a template: '{{ credentials.username }}'.")


class FillStep(Step, verb="fill"):
    """Type a value; the engine then checks the input really holds it (a ``maxlength`` that
    truncates a code is a broken recipe, not a wrong password)."""

    fill: FillSpec

    async def run(self, rt: StepRuntime) -> None:
        await rt.fill(self.fill.css, rt.render(self.fill.value, reveal=True))


class ClickSpec(Strict):
    css: Selector
    optional: bool = Field(default=False, description="Skip silently if the element is absent.")


class ClickStep(Step, verb="click"):
    click: Selector | ClickSpec

    @property
    def spec(self) -> ClickSpec:
        return self.click if isinstance(self.click, ClickSpec) else ClickSpec(css=self.click)

    async def run(self, rt: StepRuntime) -> None:
        await rt.click(self.spec.css, optional=self.spec.optional)

    def selectors(self) -> list[tuple[str, str, bool]]:
        return [("click.css", self.spec.css, self.spec.optional or self.when is not None)]


class PressSpec(Strict):
    css: Selector
    key: str = Field(pattern=r"^[A-Za-z0-9+]{1,30}$", description="Playwright key name: "
                     "Enter, Tab...")


class PressStep(Step, verb="press"):
    press: PressSpec

    async def run(self, rt: StepRuntime) -> None:
        await rt.press(self.press.css, self.press.key)


class SelectSpec(Strict):
    """Choose an option by its value, or by (part of) its visible label — the way to pick
    an account in a bank's ``<select>`` whose values are opaque ids."""

    css: Selector
    value: Templated | None = None
    label: Templated | None = Field(default=None, description="Visible text of the option "
                                    "(contained, case-insensitive).")

    @model_validator(mode="after")
    def _exactly_one(self) -> SelectSpec:
        if (self.value is None) == (self.label is None):
            raise ValueError("needs exactly one of: value, label")
        return self


class SelectStep(Step, verb="select"):
    select: SelectSpec

    async def run(self, rt: StepRuntime) -> None:
        spec = self.select
        await rt.select(spec.css,
                        value=rt.render(spec.value) if spec.value is not None else None,
                        label=rt.render(spec.label) if spec.label is not None else None)
