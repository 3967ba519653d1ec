"""Run a recipe's login steps through the step registry, checking the page after each one.

Two shortcuts keep a returning customer's sync from failing on a page the steps did not expect:
a step whose ``when`` does not hold is skipped (a cookie banner that is not shown), and when the
login's final expectation already holds right after a navigation — a saved session that the
institution still accepts lands on the customer area, not on the form — the remaining login
steps are skipped and collection starts.

The loop is the same whatever runs the steps: the rendered page (``PageRuntime``), the
rendered page watched to learn an HTTP plan (``LearningRuntime``), or plain HTTP
(``HttpRuntime``).
"""

from __future__ import annotations

import time

from engine.recipe.conditions import Condition
from engine.recipe.steps.navigation import GotoStep
from engine.recipe.steps.waits import ExpectStep
from engine.runner.context import SyncContext
from engine.runner.page_runtime import PageRuntime, following_expectation


def final_expectation(ctx: SyncContext) -> tuple[int, Condition] | None:
    """The last ``expect`` of the login: what a logged-in page looks like."""
    for index in range(len(ctx.recipe.login) - 1, -1, -1):
        step = ctx.recipe.login[index]
        if isinstance(step, ExpectStep):
            return index, step.expect
    return None


async def run_login(ctx: SyncContext, start: int = 0,
                    runtime: PageRuntime | None = None) -> bool:
    """Execute ``login[start:]``; raises a classified ``SyncError`` on any failure. Returns
    True when the steps were cut short because the session was already logged in."""
    steps = ctx.recipe.login
    final = final_expectation(ctx)
    runtime = runtime if runtime is not None else PageRuntime(ctx)
    for index in range(start, len(steps)):
        step = steps[index]
        where = f"login[{index}]"
        name = step.label(where)
        runtime.login_index = index
        runtime.begin(name, step.timeout or ctx.step_timeout, where,
                      following_expectation(steps, index))
        started = time.perf_counter()
        try:
            if step.when is not None and not await runtime.holds(step.when):
                continue
            await step.run(runtime)
            if (isinstance(step, GotoStep) and final is not None and index < final[0]
                    and final[1].response is None and await runtime.holds(final[1])):
                return True
        except Exception as exc:  # every failure is classified, never leaked raw
            raise ctx.translate(exc, name) from exc
        finally:
            ctx.step_ms[name] = round((time.perf_counter() - started) * 1000, 1)
    return False
