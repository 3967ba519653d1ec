"""How one value is read out of a row: a field's source and its transforms."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ParseName = Literal["text", "amount", "decimal", "int", "currency"]


class DateParse(_Strict):
    date: str | list[str] = Field(description="strptime formats; %b/%B accept French months.")

    @field_validator("date")
    @classmethod
    def _check_formats(cls, value: str | list[str]) -> str | list[str]:
        for fmt in [value] if isinstance(value, str) else value:
            if "%" not in fmt or re.search(r"%[^aAbBdmyYHMSjp%]", fmt):
                raise ValueError(
                    f"bad date format {fmt!r}: use strptime directives %d %m %Y %y %b %B %a %A"
                )
        return value

    @property
    def formats(self) -> list[str]:
        return [self.date] if isinstance(self.date, str) else list(self.date)


class FieldSpec(_Strict):
    """How to get one value out of a row. A plain string is shorthand for ``{css: ...}``."""

    css: str | None = Field(default=None, description="CSS; ::text and ::attr(name) allowed.")
    xpath: str | None = None
    path: str | None = Field(default=None, description="JMESPath into a JSON row.")
    const: str | int | float | bool | None = None
    template: str | None = Field(default=None, description="E.g. '{{ account.id }}'.")
    attr: str | None = Field(default=None, description="Take this attribute of the match.")
    join: bool = Field(default=False, description="Join every match instead of the first.")
    regex: str | None = Field(default=None, description="Keep group 1 (or the whole match).")
    map: dict[str, str] | None = Field(default=None, description="Translate values.")
    parse: ParseName | DateParse | None = None
    mask: bool = Field(default=False, description="Keep only the last 4 characters visible.")
    default: str | None = Field(default=None, description="Used when nothing matched.")
    required: bool = Field(default=True, description="A required field that is empty is an "
                           "error; an optional one becomes null.")

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        sources = [n for n in ("css", "xpath", "path", "const", "template")
                   if getattr(self, n) is not None]
        if len(sources) != 1:
            raise ValueError("needs exactly one of: css, xpath, path, const, template"
                             + (f" (got {', '.join(sources)})" if sources else ""))
        if self.regex is not None:
            re.compile(self.regex)
        return self

    @property
    def selector(self) -> str:
        """The selector as an author wrote it, for messages and reports."""
        return str(self.css or self.xpath or self.path or self.template or repr(self.const))


FieldValue = str | FieldSpec
