"""Second factors: a one-time code (``otp``) and an approval in the customer's app (``approve``).

Both run only when the institution asks (their ``when`` condition shows before what success
looks like), so the same recipe works on a trusted device that skips them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from engine.errors import ActionRequired, ChallengeRequired, InvalidCredentials, PolicyOverride
from engine.recipe.base import Seconds, Strict
from engine.recipe.conditions import Condition, Selector
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime

Medium = Literal["sms", "email", "app", "token", "letter"]


async def _asked(rt: StepRuntime, shown: Condition) -> bool:
    """Whether the institution asks now: ``shown`` holds before what success looks like.

    When a sync resumes at this step and the page no longer shows it (a single-page app that
    kept the challenge in page memory, a challenge that timed out), the challenge is gone:
    the backend must start a new login and ask for a new code — never "the site changed"."""
    following = rt.expected_after()
    wanted = [shown] + ([following] if following is not None else [])
    form = rt.login_form() if rt.resuming() else None
    matched = await rt.wait_any(wanted + ([form] if form is not None else []))
    if matched == 0:
        return True
    back_at_login = form is not None and matched == len(wanted)
    if (matched is None or back_at_login) and rt.resuming():
        raise ChallengeRequired(
            "the institution no longer shows the challenge this sync was resuming (expired, "
            "or kept in a page that is gone): start a new sync to get a new code",
            reason="challenge_expired", step=rt.step, details={"restart": True})
    return False


class OtpSpec(Strict):
    """A one-time code: typed into one input (``fill``) or one character per box (``boxes``)."""

    when: Condition = Field(description="What the page shows when it asks for a code.")
    prompt: str = Field(default="One-time code", max_length=200,
                        description="Shown to the person asked.")
    medium: Medium = "sms"
    fill: Selector | None = Field(default=None, description="The code input.")
    boxes: Selector | None = Field(default=None, description="Single-character inputs, one "
                                   "per character of the code, in order.")
    submit: Selector = Field(description="The button that sends the code.")
    remember: Selector | None = Field(
        default=None, description="A 'remember this device' checkbox, ticked before the code "
        "is sent, so the trusted-device cookie lands in session_state and later syncs skip "
        "the code; skipped when the page no longer offers it.")
    error: Condition | None = Field(default=None,
                                    description="Shown by the site after a wrong code.")

    @model_validator(mode="after")
    def _one_input(self) -> OtpSpec:
        if (self.fill is None) == (self.boxes is None):
            raise ValueError("needs exactly one of: fill, boxes")
        return self


class OtpStep(Step, verb="otp"):
    otp: OtpSpec

    async def run(self, rt: StepRuntime) -> None:
        spec = self.otp
        if not await _asked(rt, spec.when):
            return  # no code asked (trusted device, or this login never asks)
        code = await rt.one_time_code(spec.prompt, spec.medium)
        if spec.boxes is not None:
            await rt.fill_boxes(spec.boxes, code)
        else:
            assert spec.fill is not None
            await rt.fill(spec.fill, code)
        if spec.remember is not None:
            # part of this step, not a step before it: a sync resumed at the code ticks it too
            await rt.click(spec.remember, optional=True)
        await rt.click(spec.submit)
        following = rt.expected_after()
        checks = ([spec.error] if spec.error is not None else []) + (
            [following] if following is not None else [])
        if spec.error is not None and checks and await rt.wait_any(checks) == 0:
            raise InvalidCredentials("the institution rejected the one-time code",
                                     reason="wrong_code", step=rt.step)


APP_ACTION = PolicyOverride(user_action="approve_in_app")


class ApproveSpec(Strict):
    """An approval the customer gives in the institution's mobile app while the page polls."""

    when: Condition = Field(description="What the page shows while it waits for approval.")
    approved: Condition | None = Field(default=None, description="Shown once approved "
                                       "(default: the login's next expect).")
    refused: Condition | None = None
    expired: Condition | None = None
    prompt: str = Field(default="Approve the access in your banking app", max_length=200)


class ApproveStep(Step, verb="approve"):
    approve: ApproveSpec
    timeout: Seconds | None = Field(default=120, description="How long to wait for the "
                                    "person to approve.")

    async def run(self, rt: StepRuntime) -> None:
        spec = self.approve
        if not await _asked(rt, spec.when):
            return
        details = {"medium": "app", "prompt": spec.prompt}
        if not rt.interactive():
            raise ChallengeRequired("the institution asks for an approval in its app and "
                                    "nobody can give it now", reason="app_validation",
                                    step=rt.step, details=details, policy=APP_ACTION)
        approved = spec.approved or rt.expected_after()
        outcomes = [c for c in (approved, spec.refused, spec.expired)]
        matched = await rt.wait_any([c for c in outcomes if c is not None])
        kept = [i for i, c in enumerate(outcomes) if c is not None]
        outcome = kept[matched] if matched is not None else None
        if outcome == 0:
            return
        if outcome == 1:
            raise ActionRequired("the approval was refused in the app",
                                 reason="app_validation_refused", step=rt.step,
                                 details=details, policy=APP_ACTION)
        raise ChallengeRequired("the approval in the app expired before it was given",
                                reason="app_validation_expired", step=rt.step,
                                details=details, policy=APP_ACTION)
