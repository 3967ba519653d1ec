"""``StepRuntime`` over a live backend: what a step's ``run`` calls, with the sync's rules.

Each primitive adds what makes it trustworthy: navigation is followed by a page check
(detection rules, background answers, statuses); a filled input is read back (a ``maxlength``
that truncates a code is caught here); waits poll with detection; one-time codes come from the
caller's options, its callback, or end the sync with a resumable ``challenge_required``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jmespath

from engine.errors import ChallengeRequired, RecipeBroken, SyncError
from engine.recipe.compile import bounded_search
from engine.recipe.conditions import Condition
from engine.recipe.steps.capture import CaptureSource
from engine.recipe.steps.waits import ExpectStep, WaitForStep
from engine.runner.context import OtpChallenge, SyncContext
from engine.runner.detection import response_matches
from engine.runner.state import RESUME_TTL_SECONDS, SavedState, seal
from engine.secrets import Secret


@dataclass
class PageRuntime:
    """One step at a time: ``begin`` names the step, the primitives do the work."""

    ctx: SyncContext
    account: dict[str, Any] | None = None
    login_index: int | None = None
    """Index of the running login step (None for steps inside list blocks)."""
    _step: str = ""
    _timeout: float = 0.0
    _where: str = ""
    _following: Condition | None = field(default=None)

    def begin(self, step: str, timeout: float, where: str,
              following: Condition | None = None) -> None:
        self._step, self._timeout, self._where, self._following = (
            step, timeout, where, following)
        self.ctx.response_mark = self.ctx.checked_upto

    # -- identity ----------------------------------------------------------------------------
    @property
    def step(self) -> str:
        return self._step

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def institution(self) -> str:
        return self.ctx.recipe.institution.id

    def render(self, template: str, *, reveal: bool = False) -> str:
        return self.ctx.render(template, self.account, reveal=reveal, where=self._where)

    def url(self, template: str) -> str:
        return self.ctx.url(template, self.account, where=self._where)

    # -- acting ------------------------------------------------------------------------------
    async def goto(self, url: str) -> None:
        await self.ctx.backend.goto(url, timeout=self._timeout)
        await self.ctx.check(self._step)

    async def fill(self, selector: str, value: str) -> None:
        await self.ctx.backend.fill(selector, value, timeout=self._timeout)
        await self._verify(selector, value)

    async def fill_boxes(self, selector: str, value: str) -> None:
        boxes = await self.ctx.backend.count(selector)
        if boxes != len(value):
            raise RecipeBroken(f"the code has {len(value)} characters but the page has {boxes} "
                               "boxes for it", reason="code_boxes_mismatch", step=self._step,
                               selector=selector, url=self.ctx.backend.url)
        backend = self.ctx.backend
        for index, char in enumerate(value):
            await backend.click(selector, timeout=self._timeout, nth=index, settle=False)
            held = await backend.input_value(selector, nth=index)
            if held != char:  # an auto-advance script may have filled it already
                await _fill_nth(backend, selector, index, char, self._timeout)
        for index, char in enumerate(value):
            if await backend.input_value(selector, nth=index) != char:
                raise RecipeBroken(f"box {index + 1} of {boxes} does not hold the character "
                                   "typed", reason="fill_mismatch", step=self._step,
                                   selector=selector, url=backend.url)

    async def _verify(self, selector: str, value: str) -> None:
        held = await self.ctx.backend.input_value(selector)
        if held is None or held == value:
            return  # not an input (a contenteditable): nothing to compare
        if value.startswith(held) and len(held) < len(value):
            problem = (f"the field holds {len(held)} of the {len(value)} characters typed "
                       "(a maxlength? several boxes need otp.boxes)")
        else:
            problem = "the field does not hold what was typed (a script rewrote it?)"
        raise RecipeBroken(problem, reason="fill_mismatch", step=self._step, selector=selector,
                           url=self.ctx.backend.url)

    async def click(self, selector: str, *, optional: bool = False) -> bool:
        backend = self.ctx.backend
        if optional and not await backend.count(selector):
            return False
        await backend.click(selector, timeout=self._timeout)
        await self.ctx.check(self._step)
        return True

    async def press(self, selector: str, key: str) -> None:
        await self.ctx.backend.press(selector, key, timeout=self._timeout)
        await self.ctx.check(self._step)

    async def select(self, selector: str, *, value: str | None = None,
                     label: str | None = None) -> None:
        await self.ctx.backend.select(selector, value=value, label=label, timeout=self._timeout)
        await self.ctx.check(self._step)

    async def click_sequence(self, selector: str, indices: list[int]) -> None:
        await self.ctx.backend.click_sequence(selector, indices, timeout=self._timeout)

    async def labels(self, selector: str, attribute: str) -> list[str]:
        return await self.ctx.backend.labels(selector, attribute)

    async def scroll(self, selector: str | None) -> None:
        await self.ctx.backend.scroll(selector, timeout=self._timeout)
        await self.ctx.backend.settle(timeout=min(self._timeout, 3.0))

    # -- waiting -----------------------------------------------------------------------------
    async def holds(self, condition: Condition) -> bool:
        return await self.ctx.holds(condition, account=self.account)

    async def wait_any(self, conditions: list[Condition]) -> int | None:
        return await self.ctx.wait_any(self._step, conditions, self._timeout)

    def missing(self, what: str | None, message: str) -> SyncError:
        return self.ctx.not_found(self._step, what, message)

    def expected_after(self) -> Condition | None:
        return self._following

    def resuming(self) -> bool:
        return self.ctx.resuming_at is not None and self.ctx.resuming_at == self.login_index

    def login_form(self) -> Condition | None:
        from engine.recipe.steps.forms import FillStep
        from engine.recipe.steps.keypad import KeypadStep

        for step in self.ctx.recipe.login[: self.login_index or 0]:
            if isinstance(step, FillStep) and step.when is None:
                return Condition(css=step.fill.css)
            if isinstance(step, KeypadStep) and step.when is None:
                return Condition(css=step.keypad.buttons)
        return None

    def interactive(self) -> bool:
        return self.ctx.options.interactive

    # -- values ------------------------------------------------------------------------------
    async def read(self, source: CaptureSource) -> str | None:
        backend = self.ctx.backend
        raw: str | None = None
        if source.css is not None:
            page = await self.ctx.snapshot()
            from engine.extraction.records import extract_one

            raw = extract_one(page.html, source.css)
        elif source.cookie is not None:
            raw = next((c.value for c in await backend.cookies() if c.name == source.cookie),
                       None)
        elif source.local_storage is not None:
            raw = await backend.storage("local", source.local_storage)
        elif source.session_storage is not None:
            raw = await backend.storage("session", source.session_storage)
        elif source.response is not None:
            page = await self.ctx.snapshot(html="")
            page.responses = backend.responses_since(0)
            seen = response_matches(source.response.model_copy(update={"text": None}), page)
            raw = await backend.response_body(seen) if seen is not None else None
        if raw is None:
            return None
        if source.path is not None:
            try:
                found = jmespath.search(source.path, json.loads(raw))
            except ValueError:
                return None
            raw = None if found is None else (found if isinstance(found, str)
                                              else json.dumps(found))
        if raw is not None and source.regex is not None:
            match = bounded_search(source.regex, raw)
            raw = None if match is None else next(
                (g for g in match.groups() if g is not None), match.group(0))
        return raw

    def set_var(self, name: str, value: str, *, secret: bool) -> None:
        if secret:
            self.ctx.redactor.add(value)
            self.ctx.variables[name] = Secret(value)
        else:
            self.ctx.variables[name] = value

    async def one_time_code(self, prompt: str, medium: str) -> str:
        ctx = self.ctx
        code, ctx.otp_code = ctx.otp_code, None  # a code is good for one attempt only
        if code is None and ctx.options.otp_callback is not None:
            code = await ctx.options.otp_callback(
                OtpChallenge(ctx.recipe.institution.id, prompt, medium))
        if not code:
            raise ChallengeRequired(
                f"the institution asks for a one-time code ({medium})", prompt=prompt,
                step=self._step, url=ctx.backend.url, resume_state=await self._resume_state(),
                details={"medium": medium})
        ctx.redactor.add(code, min_length=1)
        return code

    async def _resume_state(self) -> str | None:
        ctx = self.ctx
        if ctx.options.state_key is None or self.login_index is None:
            ctx.warnings.append("no state key given: this challenge cannot be resumed later")
            return None
        state = SavedState(kind="resume", institution=ctx.recipe.institution.id,
                           cookies=await ctx.backend.cookies(), url=ctx.backend.url,
                           step_index=self.login_index,
                           expires_at=time.time() + RESUME_TTL_SECONDS,
                           extra={"vars": {k: v.reveal() if isinstance(v, Secret) else v
                                           for k, v in ctx.variables.items()},
                                  "secret_vars": [k for k, v in ctx.variables.items()
                                                  if isinstance(v, Secret)],
                                  "login": ctx.login_identity})
        return seal(state, ctx.options.state_key)


async def _fill_nth(backend: Any, selector: str, index: int, char: str, timeout: float) -> None:
    """Type into the n-th box only (``Backend.fill`` fills the first match)."""
    await backend.fill(f"{selector} >> nth={index}", char, timeout=timeout)


def following_expectation(steps: list[Any], index: int) -> Condition | None:
    """The next ``expect``/``wait_for`` after step ``index``: what success looks like."""
    for step in steps[index + 1:]:
        if isinstance(step, ExpectStep):
            return step.expect
        if isinstance(step, WaitForStep):
            return step.wait_for
    return None
