"""``capture``: keep a value the site shows or stores (a token, a customer id, a CSRF token, a
date range) as ``{{ vars.<name> }}`` for later URLs, headers, paths and filters."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from engine.errors import RecipeBroken
from engine.recipe.base import Strict
from engine.recipe.conditions import JmesPath, Regex, ResponseMatch, Selector
from engine.recipe.steps.base import Step
from engine.recipe.steps.runtime import StepRuntime

VarName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,40}$")]
StorageKey = Annotated[str, Field(min_length=1, max_length=200)]


class CaptureSource(Strict):
    """Where one value comes from (exactly one source), then an optional JSON path / regex."""

    css: Selector | None = None
    cookie: StorageKey | None = None
    local_storage: StorageKey | None = None
    session_storage: StorageKey | None = None
    response: ResponseMatch | None = Field(default=None, description="The body of a "
                                           "background answer (the last one matching).")
    path: JmesPath | None = Field(default=None, description="JMESPath into the value, read "
                                  "as JSON (a token inside a stored JSON object).")
    regex: Regex | None = None
    secret: bool = Field(default=True, description="Mask it in every message (tokens); "
                         "false for plain identifiers.")
    optional: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> CaptureSource:
        given = [n for n in ("css", "cookie", "local_storage", "session_storage", "response")
                 if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("needs exactly one of: css, cookie, local_storage, "
                             "session_storage, response")
        return self


class CaptureStep(Step, verb="capture"):
    capture: dict[VarName, CaptureSource] = Field(min_length=1, max_length=50)

    @field_validator("capture")
    @classmethod
    def _names(cls, value: dict[str, CaptureSource]) -> dict[str, CaptureSource]:
        return value

    async def run(self, rt: StepRuntime) -> None:
        for name, source in self.capture.items():
            value = await rt.read(source)
            if value is None or value == "":
                if source.optional:
                    continue
                raise RecipeBroken(f"nothing to capture as vars.{name}", reason="capture_missing",
                                   step=rt.step, selector=source.css)
            rt.set_var(name, value, secret=source.secret)

    def selectors(self) -> list[tuple[str, str, bool]]:
        return [(f"capture.{name}.css", s.css, s.optional) for name, s in self.capture.items()
                if s.css is not None]
