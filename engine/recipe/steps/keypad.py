"""A scrambled on-screen keypad: each character's button is found by its label, then clicked."""

from __future__ import annotations

from pydantic import Field

from engine.errors import RecipeBroken
from engine.recipe.base import Strict, Templated
from engine.recipe.conditions import Selector
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime


class KeypadSpec(Strict):
    buttons: Selector = Field(description="Selector matching every key of the pad.")
    value: Templated = Field(max_length=200,
                             description="What to type, e.g. '{{ credentials.password }}'.")
    label: str = Field(
        default="text", pattern=r"^[A-Za-z_:][-A-Za-z0-9_:.]{0,60}$",
        description="How a button shows its character: 'text' or an attribute name "
        "(aria-label, data-digit...).",
    )


class KeypadStep(Step, verb="keypad"):
    keypad: KeypadSpec

    async def run(self, rt: StepRuntime) -> None:
        spec = self.keypad
        labels = await rt.labels(spec.buttons, spec.label)
        if not labels:
            raise RecipeBroken("the keypad has no buttons", reason="element_missing",
                               step=rt.step, selector=spec.buttons)
        position: dict[str, int] = {}
        for index, label in enumerate(labels):
            position.setdefault(label, index)
        secret = rt.render(spec.value, reveal=True)
        if any(char not in position for char in secret):
            # never say which character: it is part of the password
            raise RecipeBroken("the keypad has no button for one of the characters to type",
                               reason="keypad_mismatch", step=rt.step, selector=spec.buttons)
        await rt.click_sequence(spec.buttons, [position[c] for c in secret])
