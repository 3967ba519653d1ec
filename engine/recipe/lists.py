"""List blocks: where the accounts, transactions and holdings are, and how to page through them.

A block says how to reach its first page (``goto``, then optional ``steps`` such as a tab to
click or an account to choose), how to read it (``format``, ``each`` rows, ``fields``) and how
to go on (``next_page`` a link, ``load_more`` a button appending rows, ``next_click`` a
control replacing them, ``scroll``). Every selector and path is compiled here,
in the language its format implies, so a typo is a load-time error at its line.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from engine.recipe.base import Location, Strict, Templated
from engine.recipe.compile import check_jmespath, check_selector
from engine.recipe.fields import FieldSpec, FieldValue
from engine.recipe.rows import EmbeddedSpec, GroupSpec, LookupSpec, check_rows
from engine.recipe.steps import AnyStep

_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
HeaderName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,60}$")]


def _compile(expression: str, fmt: str, where: str) -> None:
    """Compile a row/next/empty expression in its block's language; placeholders (rendered at
    run time with the account's values) are replaced by a plain word first."""
    probe = _PLACEHOLDER.sub("x", expression)
    try:
        check_jmespath(probe) if fmt == "json" else check_selector(probe)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}" if where else str(exc)) from None


class ScrollLoad(Strict):
    """Infinite or virtualized lists: scroll to the end until no new row appears."""

    css: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="The scrolling element (default: the page).")
    max: int = Field(default=50, strict=True, ge=1, le=1000,
                     description="At most this many scrolls.")


class ListBlock(Strict):
    """A list of records: rows matched by ``each``, fields extracted from each row."""

    format: Literal["html", "json", "xml", "ofx"] = Field(
        default="html", description="html, json (JMESPath), xml (XPath; namespaces below) or "
        "ofx (OFX 2 XML, or OFX 1 SGML converted to XML first).")
    goto: Location | None = Field(default=None, description="Page to open first; templates "
                                  "allowed.")
    steps: list[AnyStep] = Field(default_factory=list, max_length=50, description="Steps run "
                                 "after goto, before reading: click a tab, select an account, "
                                 "submit a form.")
    wait_for: str | None = Field(default=None, description="Selector to await (JS pages).")
    render: Literal["browser", "http", "auto"] = Field(
        default="auto",
        description="browser: navigate and render. http: fetch with the session's cookies and "
        "parse, no rendering. auto: http for plain pages once the engine saw they need no JS.",
    )
    headers: dict[HeaderName, Templated] = Field(
        default_factory=dict, max_length=30, description="Sent with plain fetches of this "
        "block's pages (JSON endpoints): 'Authorization: Bearer {{ vars.token }}'.")
    for_each: Literal["account"] | None = None
    when: dict[str, list[str]] | None = Field(
        default=None, description="Only for accounts whose field is in the list."
    )
    each: Templated = Field(description="Row selector (CSS, XPath starting with / or (, or "
                            "JMESPath for JSON); account templates allowed.")
    fields: dict[str, FieldValue] = Field(max_length=100)
    next_page: str | None = Field(default=None, description="Selector of the next page's URL "
                                  "(JMESPath for JSON).")
    load_more: str | None = Field(default=None, description="Button that appends more rows.")
    next_click: str | None = Field(
        default=None, description="Link or button that replaces the rows with the next "
        "page's in place (an ASP.NET or JSF postback, a script-driven pager): clicked after "
        "each page is read, until it is absent. Select only the enabled control "
        "(a#next[href]); the URL may stay the same.")
    scroll: ScrollLoad | None = None
    max_pages: int = Field(default=100, strict=True, ge=1, le=10_000)
    empty: str | None = Field(default=None, description="Selector (JMESPath for JSON) proving "
                              "the list is legitimately empty (otherwise zero rows is an error; "
                              "for JSON, an empty list where rows are expected is empty).")
    # Row structure (rows.py): how rows map to records.
    header: str | None = Field(default=None, description="Where column names are for "
                               "column: fields (default: the row's table thead).")
    span: int = Field(default=1, strict=True, ge=1, le=10, description="A record spread over "
                      "this many consecutive rows.")
    group: GroupSpec | None = None
    filter: str | None = Field(default=None, description="Keep rows where this expression "
                               "over {row, account, vars, options} is true.")
    embedded: EmbeddedSpec | None = None
    namespaces: dict[str, str] | None = Field(default=None, description="XML namespace "
                                              "prefixes for XPath: {camt: urn:iso:...}.")
    lookups: dict[str, LookupSpec] | None = None

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldValue]) -> dict[str, FieldValue]:
        for name in value:
            if not re.fullmatch(r"[a-z_][a-z0-9_]{0,40}", name):
                raise ValueError(f"field name {name!r} must be lower_snake_case")
        return value

    @field_validator("next_page", "empty")
    @classmethod
    def _compile_in_format(cls, value: str | None, info: ValidationInfo) -> str | None:
        """``each`` is compiled with the row structure (``rows.check_rows``), which knows
        whether an HTML block reads embedded JSON."""
        if value is not None:
            _compile(value, info.data.get("format", "html"), "")
        return value

    @field_validator("wait_for", "load_more", "next_click")
    @classmethod
    def _compile_rendered(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            if info.data.get("format") == "json":
                raise ValueError("JSON lists are fetched, not rendered")
            _compile(value, "html", "")
        return value

    @model_validator(mode="after")
    def _compile_expressions(self) -> ListBlock:
        check_rows(self)
        if self.format == "json" and (self.scroll or self.steps):
            raise ValueError("JSON lists are fetched, not rendered: no steps or scroll")
        if self.next_click is not None:
            others = [k for k in ("next_page", "load_more", "scroll") if getattr(self, k)]
            if others:
                raise ValueError(f"next_click replaces the page: it does not combine with "
                                 f"{' or '.join(others)}")
        return self

    def field_specs(self) -> dict[str, FieldSpec]:
        return {name: FieldSpec(css=spec) if isinstance(spec, str) else spec
                for name, spec in self.fields.items()}

    @property
    def rendered_only(self) -> bool:
        """Its rows appear only through the page's own JavaScript (clicks, scrolling)."""
        return bool(self.load_more or self.next_click or self.wait_for or self.scroll
                    or self.steps)
