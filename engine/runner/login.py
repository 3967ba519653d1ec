"""Run a recipe's login steps, one handler per verb, checking the page after each one."""

from __future__ import annotations

import time

from parsel import Selector

from engine.errors import ChallengeRequired, InvalidCredentials, RecipeBroken
from engine.extraction.records import select
from engine.extraction.transforms import clean_text
from engine.recipe.model import (
    ClickStep,
    Condition,
    ExpectStep,
    FillStep,
    GotoStep,
    KeypadSpec,
    KeypadStep,
    OtpStep,
    PressStep,
    SelectStep,
    WaitForStep,
    describe_step,
)
from engine.recipe.templates import render
from engine.runner.context import OtpChallenge, SyncContext
from engine.runner.state import RESUME_TTL_SECONDS, SavedState, seal

AnyStep = (GotoStep | FillStep | ClickStep | PressStep | SelectStep | WaitForStep | ExpectStep
           | KeypadStep | OtpStep)


async def run_login(ctx: SyncContext, start: int = 0) -> None:
    """Execute ``login[start:]``; raises a classified ``SyncError`` on any failure."""
    steps = ctx.recipe.login
    for index in range(start, len(steps)):
        step = steps[index]
        name = describe_step(step, index)
        timeout = step.timeout or ctx.step_timeout
        started = time.perf_counter()
        try:
            await _run_step(ctx, step, index, name, timeout)
        except Exception as exc:  # every failure is classified, never leaked raw
            raise ctx.translate(exc, name) from None
        finally:
            ctx.step_ms[name] = round((time.perf_counter() - started) * 1000, 1)


async def _run_step(ctx: SyncContext, step: AnyStep, index: int, name: str,
                    timeout: float) -> None:
    backend = ctx.backend
    values = ctx.template_context()
    if isinstance(step, GotoStep):
        await backend.goto(ctx.url(step.goto), timeout=timeout)
        await ctx.check(name)
    elif isinstance(step, FillStep):
        await backend.fill(step.fill.css, render(step.fill.value, values, reveal=True),
                           timeout=timeout)
    elif isinstance(step, ClickStep):
        spec = step.spec
        if spec.optional and not (await ctx.snapshot()).has(spec.css):
            return
        await backend.click(spec.css, timeout=timeout)
        await ctx.check(name)
    elif isinstance(step, PressStep):
        await backend.press(step.press.css, step.press.key, timeout=timeout)
        await ctx.check(name)
    elif isinstance(step, SelectStep):
        await backend.select(step.select.css, render(step.select.value, values),
                             timeout=timeout)
    elif isinstance(step, WaitForStep | ExpectStep):
        condition = step.wait_for if isinstance(step, WaitForStep) else step.expect
        if await ctx.wait_any(name, [condition], timeout) is None:
            what = condition.css or condition.text or condition.url
            raise ctx.not_found(name, what, "the page never showed what this step expects")
    elif isinstance(step, KeypadStep):
        await _keypad(ctx, step.keypad, name, timeout)
    elif isinstance(step, OtpStep):
        await _otp(ctx, step, index, name, timeout)


async def _keypad(ctx: SyncContext, spec: KeypadSpec, name: str, timeout: float) -> None:
    """Click each character's button on a scrambled pad, found by its label, in order."""
    html = await ctx.backend.content()
    buttons = select(Selector(text=html, type="html"), spec.buttons)
    if not buttons:
        raise RecipeBroken("the keypad has no buttons", reason="element_missing", step=name,
                           selector=spec.buttons, url=ctx.backend.url)
    position: dict[str, int] = {}
    for i, button in enumerate(buttons):
        label = (button.attrib.get(spec.label, "") if spec.label != "text"
                 else str(button.xpath("string()").get() or ""))
        position.setdefault(clean_text(label), i)
    secret = render(spec.value, ctx.template_context(), reveal=True)
    if any(char not in position for char in secret):
        # never say which character: it is part of the password
        raise RecipeBroken("the keypad has no button for one of the characters to type",
                           reason="keypad_mismatch", step=name, selector=spec.buttons,
                           url=ctx.backend.url)
    await ctx.backend.click_sequence(spec.buttons, [position[c] for c in secret],
                                     timeout=timeout)


async def _otp(ctx: SyncContext, step: OtpStep, index: int, name: str, timeout: float) -> None:
    spec = step.otp
    following = _next_expectation(ctx, index)
    wanted = [spec.when] + ([following] if following is not None else [])
    matched = await ctx.wait_any(name, wanted, timeout)
    if matched != 0:
        return  # no code asked (trusted device, or this login never asks)
    code = ctx.options.otp_code
    ctx.options.otp_code = None  # a code is good for one attempt only
    if code is None and ctx.options.otp_callback is not None:
        code = await ctx.options.otp_callback(
            OtpChallenge(ctx.recipe.institution.id, spec.prompt, spec.medium))
    if not code:
        raise ChallengeRequired(
            f"the institution asks for a one-time code ({spec.medium})", prompt=spec.prompt,
            step=name, url=ctx.backend.url, resume_state=await _resume_state(ctx, index),
            details={"medium": spec.medium})
    ctx.redactor.add(code)
    await ctx.backend.fill(spec.fill, code, timeout=timeout)
    await ctx.backend.click(spec.submit, timeout=timeout)
    checks = [spec.error] if spec.error is not None else []
    if following is not None:
        checks.append(following)
    if checks and await ctx.wait_any(name, checks, timeout) == 0 and spec.error is not None:
        raise InvalidCredentials("the institution rejected the one-time code",
                                 reason="wrong_code", step=name, url=ctx.backend.url)


def _next_expectation(ctx: SyncContext, index: int) -> Condition | None:
    for step in ctx.recipe.login[index + 1:]:
        if isinstance(step, ExpectStep):
            return step.expect
        if isinstance(step, WaitForStep):
            return step.wait_for
    return None


async def _resume_state(ctx: SyncContext, index: int) -> str | None:
    if ctx.options.state_key is None:
        ctx.warnings.append("no state key given: this challenge cannot be resumed later")
        return None
    state = SavedState(kind="resume", institution=ctx.recipe.institution.id,
                       cookies=await ctx.backend.cookies(), url=ctx.backend.url,
                       step_index=index, expires_at=time.time() + RESUME_TTL_SECONDS)
    return seal(state, ctx.options.state_key)
