"""How a list block's rows are shaped: header row, spans, heading groups, lookups, embedded
data, row filters. ``ListBlock`` (``model.py``) holds these keys; this module holds their
models and the load-time checks tying them to the fields.

Block-level selectors follow the rule ``each`` always had: on HTML and XML pages a selector
starting with ``/``, ``(`` or ``./`` is XPath, anything else CSS; on JSON (``format: json`` or
``embedded``) it is JMESPath. Each is compiled now, templates included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from engine.recipe.compile import check_css, check_expression, check_jmespath, check_xpath
from engine.recipe.fields import FieldSpec, FieldValue

__all__ = ["EmbeddedSpec", "GroupSpec", "LookupSpec", "check_rows", "check_selector",
           "is_xpath", "specs_of"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def is_xpath(selector: str) -> bool:
    return selector.startswith(("/", "(", "./"))


def check_selector(selector: str, *, json: bool) -> str:
    if json:
        return check_jmespath(selector)
    return check_xpath(selector) if is_xpath(selector) else check_css(selector)


def specs_of(fields: Mapping[str, FieldValue]) -> dict[str, FieldSpec]:
    return {name: FieldSpec(css=spec) if isinstance(spec, str) else spec
            for name, spec in fields.items()}


class GroupSpec(_Strict):
    """Rows grouped under heading rows (a date or an account as a heading): each row gets the
    fields of the last heading before it in the document."""

    heading: Annotated[str, AfterValidator(lambda s: check_selector(s, json=False))] = Field(
        description="Selector of the heading rows (CSS, or XPath when it starts with / ( ./).")
    fields: dict[str, FieldValue] = Field(description="Fields read from the heading, given to "
                                          "every row under it (e.g. a month parsed as a date).")


class EmbeddedSpec(_Strict):
    """JSON embedded in the page, read with JMESPath (``each``, field ``path``)."""

    script: str | None = Field(
        default=None, pattern=r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$",
        description="The JavaScript name the data is assigned to or passed to: "
        "window.__STATE__ (window.__STATE__ = {...};) or hydrate (hydrate({...})).")
    css: Annotated[str, AfterValidator(check_css)] | None = Field(
        default=None, description="A <script> whose whole text is JSON, e.g. "
        "script#__NEXT_DATA__.")

    @model_validator(mode="after")
    def _one(self) -> EmbeddedSpec:
        if (self.script is None) == (self.css is None):
            raise ValueError("needs exactly one of: script, css")
        return self


class LookupSpec(_Strict):
    """Other records of the same document, joined to each row by key (holdings to their
    security, transactions to their category)."""

    each: str = Field(description="Selector (or JMESPath on JSON) of the records to join.")
    key: str = Field(description="The key inside each joined record (selector or path).")
    row_key: str = Field(description="The same key read in the row (selector or path).")


def check_rows(block: Any) -> None:
    """The row-structure rules of a ``ListBlock``: selectors compiled for the block's format,
    ``column``/``lookup``/``span_row`` used where they can work, and expressions reading only
    fields declared before them (or given by the group heading)."""
    json = block.format == "json" or block.embedded is not None
    if block.embedded is not None and block.format != "html":
        raise ValueError("embedded reads JSON out of an HTML page: keep format: html")
    if block.group is not None and json:
        raise ValueError("group reads heading rows of an HTML or XML page, not JSON")
    places: dict[str, str | None] = {"each": block.each, "header": block.header}
    for name, lookup in (block.lookups or {}).items():
        places.update({f"lookups.{name}.{k}": getattr(lookup, k)
                       for k in ("each", "key", "row_key")})
    for where, selector in places.items():
        if selector is not None:
            try:
                check_selector(selector, json=json and where != "header")
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
    if block.filter is not None:
        check_expression(block.filter)
    known: set[str] = set(block.group.fields) if block.group else set()
    problems = []
    for name, spec in specs_of(block.fields).items():
        try:
            _check_field(name, spec, block, json=json, known=known)
        except ValueError as exc:
            problems.append(str(exc))
        known.add(name)
    if problems:  # every field's problem at once (the loader shows this as one line)
        raise ValueError("; ".join(problems))
    if block.filter is not None:
        from engine.recipe.compile import expression_rows

        missing = expression_rows(block.filter) - known
        if missing:
            raise ValueError(f"filter reads row.{sorted(missing)[0]}, which is not a field "
                             f"(fields: {', '.join(sorted(known))})")


def _check_field(name: str, spec: FieldSpec, block: Any, *, json: bool, known: set[str]) -> None:
    where = f"fields.{name}"
    if json and (spec.css is not None or spec.xpath is not None or spec.column is not None):
        raise ValueError(f"{where}: JSON rows are read with path: (JMESPath), const: or "
                         "template:, not CSS, XPath or column")
    # path: on an HTML block is left to the recipe-level check (an http recipe's missing
    # "format: json" is the likelier mistake, and that check says so); at run time such a
    # field matches nothing and a required one fails with its name.
    if spec.lookup is not None and spec.lookup not in (block.lookups or {}):
        raise ValueError(f"{where}: lookup {spec.lookup!r} is not one of the block's lookups "
                         f"({', '.join(block.lookups or {}) or 'none declared'})")
    if spec.span_row is not None and spec.span_row > block.span:
        raise ValueError(f"{where}: span_row {spec.span_row} but the block's span is "
                         f"{block.span}")
    missing = spec.row_fields() - known
    if missing:
        raise ValueError(f"{where}: reads row.{sorted(missing)[0]}, which is not declared "
                         "before it (expressions see the fields above them and the group's)")
