"""Waiting for the page: ``wait_for`` a condition, ``expect`` what success looks like.

Both poll the page and check the detection rules all along, so an error page that appears
instead of the awaited one is classified at once, not after the timeout.
"""

from __future__ import annotations

from engine.recipe.conditions import Condition
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime


async def _await(rt: StepRuntime, condition: Condition, message: str) -> None:
    if await rt.wait_any([condition]) is None:
        raise rt.missing(condition.describe(), message)


class WaitForStep(Step, verb="wait_for"):
    wait_for: Condition

    async def run(self, rt: StepRuntime) -> None:
        await _await(rt, self.wait_for, "the page never showed what this step waits for")


class ExpectStep(Step, verb="expect"):
    expect: Condition

    async def run(self, rt: StepRuntime) -> None:
        await _await(rt, self.expect, "the page never showed what this step expects")
