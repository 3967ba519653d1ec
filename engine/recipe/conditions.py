"""Conditions on what the browser or client received, and detection rules built on them.

A ``Condition`` looks at the current page (an element, a visible text, the URL), at the
background answers the page received (``response``: the fetch/XHR calls of a single-page app,
where the real evidence of an outage or a rate limit is), or at the sync's own values
(``expr``, a JMESPath over ``{vars, options, account}``). A ``Rule`` is a condition that
classifies: all its keys must hold (AND); a list of rules under one kind is an OR.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from engine.errors import PolicyOverride
from engine.recipe.base import SELECTOR, Strict, one_of
from engine.recipe.compile import check_jmespath, check_regex, check_selector

Selector = Annotated[str, SELECTOR, AfterValidator(check_selector)]
"""CSS (with parsel's ::text and ::attr()), or XPath when it starts with / ( or ./ — and a
marker, so drift and check find every selector a step or rule uses without a list to forget."""
Regex = Annotated[str, AfterValidator(check_regex)]
JmesPath = Annotated[str, AfterValidator(check_jmespath)]
Reason = Annotated[str, Field(pattern=r"^[a-z0-9_]{1,40}$")]
Statuses = Annotated[list[Annotated[int, Field(strict=True, ge=100, le=599)]],
                     Field(min_length=1, max_length=50)]


class ResponseMatch(Strict):
    """A background answer the page received since the last step began (fetch, XHR, or the
    document itself): its URL, its status, and optionally a text in its body."""

    url: Regex = Field(description="Regular expression searched in the answer's URL.")
    status: Statuses | None = Field(default=None, description="HTTP statuses that match; "
                                    "0 is a request that got no answer (connection refused).")
    text: str | None = Field(default=None, description="Text contained in the answer's body "
                             "(case-insensitive; bodies of JSON and text answers only).")


class Condition(Strict):
    """What must hold (every key given: AND). Used by waits, expectations and ``when``."""

    css: Selector | None = Field(default=None, description="An element matching this exists.")
    text: str | None = Field(default=None, description="Visible text contained in the page.")
    url: Regex | None = Field(default=None, description="Regular expression searched in the URL.")
    response: ResponseMatch | None = Field(
        default=None, description="A background answer seen since the step began.")
    expr: JmesPath | None = Field(
        default=None, description="JMESPath over {vars, options, account}; holds when it "
        "yields something other than null, false, '' or an empty list.")

    @model_validator(mode="after")
    def _needs_condition(self) -> Condition:
        one_of(self, "css", "text", "url", "response", "expr")
        return self

    def describe(self) -> str:
        parts = [self.css, self.text and f"text {self.text!r}", self.url and f"url ~ {self.url}",
                 self.response and f"answer from {self.response.url}", self.expr]
        return " and ".join(p for p in parts if p)


class Rule(Condition):
    """A condition that classifies the sync: its kind is the ``detect`` key it sits under."""

    status: Statuses | None = Field(default=None, description="HTTP status of the document.")
    reason: Reason | None = Field(default=None, description="Refines the error code: "
                                  "kind.reason.")
    message: str | None = Field(default=None, max_length=500)
    retry_after: Selector | None = Field(
        default=None, description="Selector whose value is the retry delay in seconds, for "
        "pages that show it (single-page apps never expose the Retry-After header).")
    policy: PolicyOverride | None = Field(
        default=None, description="Overrides the kind's policy for this rule, e.g. a captcha "
        "shown on every login: {retry: false, user_action: contact_support}.")

    @model_validator(mode="after")
    def _needs_condition(self) -> Rule:
        one_of(self, "css", "text", "url", "response", "expr", "status")
        return self


RuleSet = Rule | list[Rule]
