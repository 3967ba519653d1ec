"""The login verdict of a recipe: whether its login may run over plain HTTP, and how.

Like the render verdicts of list blocks (``runner.paging.BlockPages``), it is learnt from a
real browser login and kept in the engine's memory (``SyncContext.render_memory``), one entry
per recipe and origin. What the plan holds is only what a browser login *showed*:

- ``pages``: fingerprints (``html_forms.page_fingerprint``) of the pages the login went
  through whose HTML, read without running its scripts, gave the same answer to every
  detection rule, every condition and every selector of the login as the rendered page did.
  A page that runs no script at all needs no entry; one that runs other scripts than those
  seen is loaded in the browser instead;
- ``submits``: per submitting step, the form data set the browser really posted (method,
  action path, field *names*, cookie names it carried), so the HTTP login sends nothing a
  browser would not have sent;
- ``keypads`` and ``copies``: how a script filled a field the HTML leaves empty (each key's
  token in an attribute, joined by a separator; a typed value copied into a hidden input).

Never a value: no credential, token, cookie value or CSRF token is in a plan, only names and
digests. The digest of the recipe's login, detection rules, institution and base URL keys the
entry, so an edited recipe or another site never uses a plan learnt elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.recipe.conditions import Condition
from engine.recipe.model import Recipe
from engine.recipe.steps.capture import CaptureStep
from engine.recipe.steps.codes import ApproveStep, OtpStep
from engine.recipe.steps.navigation import ScrollStep
from engine.recipe.steps.waits import ExpectStep, WaitForStep

PLAN_VERSION = 1
BROWSER = "browser"
"""Memory value of a recipe whose login was seen to need the browser."""


@dataclass
class KeypadRule:
    """A scrambled keypad's posting: ``field`` = ``separator``.join(key[``attribute``])."""

    field: str
    attribute: str
    separator: str


@dataclass
class SubmitRule:
    """What the browser posted when this step submitted its form."""

    method: str
    path: str
    fields: list[str]
    """Sorted names of the form data set (repeated names repeated)."""
    cookies: list[str] = field(default_factory=list)
    """Cookie names the browser sent that the login itself obtained (not restored ones)."""
    copies: dict[str, int] = field(default_factory=dict)
    """Field name → login step index whose typed value a script copied into it."""


@dataclass
class LoginPlan:
    digest: str
    pages: list[str] = field(default_factory=list)
    submits: dict[int, SubmitRule] = field(default_factory=dict)
    keypads: dict[int, KeypadRule] = field(default_factory=dict)
    noops: list[int] = field(default_factory=list)
    """Clicks a browser login showed to change nothing a server sees (no request, no page,
    no cookie, no condition): a banner closed by a script."""

    def to_json(self) -> str:
        data = asdict(self)
        data["v"] = PLAN_VERSION
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LoginPlan | None:
        try:
            data = json.loads(text)
            if data.pop("v", None) != PLAN_VERSION:
                return None
            return cls(digest=data["digest"], pages=list(data["pages"]),
                       submits={int(k): SubmitRule(**v) for k, v in data["submits"].items()},
                       keypads={int(k): KeypadRule(**v) for k, v in data["keypads"].items()},
                       noops=[int(i) for i in data.get("noops", [])])
        except (ValueError, KeyError, TypeError):
            return None

    def merge(self, other: LoginPlan) -> LoginPlan:
        """What a later browser login (after a hand-over) adds to what was known."""
        return LoginPlan(self.digest, sorted(set(self.pages) | set(other.pages)),
                         {**self.submits, **other.submits}, {**self.keypads, **other.keypads},
                         sorted(set(self.noops) | set(other.noops)))

    def knows_page(self, fingerprint: str) -> bool:
        return not fingerprint or fingerprint in self.pages


def plan_digest(recipe: Recipe, base_url: str) -> str:
    """What a plan was learnt for: the login, what detection reads, the institution, where."""
    material = json.dumps([
        [step.model_dump(mode="json", exclude_none=True) for step in recipe.login],
        {kind: [r.model_dump(mode="json", exclude_none=True) for r in
                (rules if isinstance(rules, list) else [rules])]
         for kind, rules in recipe.detect.items()},
        recipe.institution.model_dump(mode="json", exclude_none=True),
        base_url,
    ], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def memory_key(recipe: Recipe, base_url: str) -> str:
    return f"{recipe.institution.id}/login@{base_url}"


def remembered(memory: dict[str, str], recipe: Recipe, base_url: str) -> LoginPlan | str | None:
    """The plan for this recipe here, ``BROWSER`` when its login needs the browser, None when
    nothing (valid) is known."""
    value = memory.get(memory_key(recipe, base_url))
    if value is None:
        return None
    digest = plan_digest(recipe, base_url)
    if value.startswith(BROWSER + "|"):
        return BROWSER if value == f"{BROWSER}|{digest}" else None
    plan = LoginPlan.from_json(value)
    return plan if plan is not None and plan.digest == digest else None


def remember(memory: dict[str, str], recipe: Recipe, base_url: str,
             verdict: LoginPlan | str) -> None:
    key = memory_key(recipe, base_url)
    if isinstance(verdict, LoginPlan):
        memory[key] = verdict.to_json()
    else:
        memory[key] = f"{BROWSER}|{plan_digest(recipe, base_url)}"


def forget(memory: dict[str, str], recipe: Recipe, base_url: str) -> None:
    memory.pop(memory_key(recipe, base_url), None)


def http_ineligible(recipe: Recipe) -> str | None:
    """Why this recipe's login can never run without the browser (None: it may)."""
    if recipe.institution.backend != "browser" or not recipe.login:
        return "not a browser login"
    if recipe.login_render == "browser":
        return "login_render: browser"
    if recipe.institution.load_resources:
        return "the recipe loads page resources (load_resources)"
    if any(rule.response is not None for _, rule in recipe.rules()):
        return "a detection rule reads background answers"
    for step in recipe.login:
        if isinstance(step, ScrollStep | ApproveStep):
            return f"a {step.verb} step needs a page that runs its scripts"
        if isinstance(step, CaptureStep) and any(
                s.response is not None or s.local_storage or s.session_storage
                for s in step.capture.values()):
            return "a capture reads what only a browser keeps"
        if any(c.response is not None for c in login_conditions([step])):
            return "a login condition reads background answers"
    return None


def login_conditions(steps: list[Any]) -> list[Condition]:
    """Every condition the login steps evaluate (when, expect, wait_for, the code's)."""
    found: list[Condition] = []
    for step in steps:
        if step.when is not None:
            found.append(step.when)
        if isinstance(step, ExpectStep):
            found.append(step.expect)
        elif isinstance(step, WaitForStep):
            found.append(step.wait_for)
        elif isinstance(step, OtpStep):
            found += [c for c in (step.otp.when, step.otp.error) if c is not None]
        elif isinstance(step, ApproveStep):
            spec = step.approve
            found += [c for c in (spec.when, spec.approved, spec.refused, spec.expired)
                      if c is not None]
    return found


def step_selectors(steps: list[Any]) -> list[str]:
    """The selectors the login acts on (fields, buttons, keys), for the static/rendered
    comparison: each must match as many elements in the HTML as in the rendered page."""
    found: list[str] = []
    for step in steps:
        found += [selector for _, selector, _ in step.selectors()]
    return list(dict.fromkeys(found))


__all__ = ["BROWSER", "KeypadRule", "LoginPlan", "SubmitRule", "forget", "http_ineligible",
           "login_conditions", "memory_key", "plan_digest", "remember", "remembered",
           "step_selectors"]
