"""A field of a list block: one source, then transforms in their one registered order.

The model is generated: the source keys are written here (``css``, ``xpath``, ``path``,
``column``, ``const``, ``template``, ``debit``/``credit``, ``lookup``); one key per registered
transform and the ``parse`` union come from ``engine.recipe.transforms``. So a new transform
appears in the model, the JSON Schema and ``docs/transforms.md`` by being registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model, model_validator

from engine.recipe.compile import expression_rows
from engine.recipe.transforms import PARSERS, TRANSFORMS, ordered_transforms
from engine.recipe.transforms.dates import DateOptions
from engine.recipe.transforms.parse import parse_union, parser_of
from engine.recipe.transforms.registry import options_annotation
from engine.recipe.transforms.source import Css, Source

__all__ = ["DateParse", "FieldSpec", "FieldValue", "ParseName", "Source"]

DateParse = DateOptions
"""The ``date`` parser's options (``{formats, locale, relative_to}``)."""

if TYPE_CHECKING:
    ParseName = str
else:
    from typing import Literal

    ParseName = Literal[tuple(sorted(PARSERS))]


class FieldBase(Source):
    """How to get one value out of a row. A plain string is shorthand for ``{css: ...}``."""

    const: str | int | float | bool | None = None
    template: str | None = Field(default=None, description="E.g. '{{ account.id }}'.")
    debit: Source | None = Field(default=None, description="Where a debit amount is (made "
                                 "negative); with credit, exactly one of the two is non-empty.")
    credit: Source | None = Field(default=None, description="Where a credit amount is.")
    lookup: str | None = Field(
        default=None, pattern=r"^[a-z_][a-z0-9_]*$",
        description="Read the source in the record the block's lookups joined to this row "
        "(e.g. the security of a holding) instead of the row itself.")
    join: bool = Field(default=False, description="Join every match instead of the first.")
    span_row: int | None = Field(default=None, ge=1, le=10, description="With the block's "
                                 "span: which of the record's rows to read (default: the first "
                                 "where the source matches).")
    required: bool = Field(default=True, description="A required field that is empty is an "
                           "error; an optional one becomes null.")

    @model_validator(mode="after")
    def _one_source(self) -> FieldBase:
        self.check_source(required=False)
        sources = self.own_sources() + [n for n in ("const", "template") if getattr(self, n)
                                        is not None]
        if self.debit is not None or self.credit is not None:
            if self.debit is None or self.credit is None:
                raise ValueError("debit and credit go together (one of the two is non-empty "
                                 "on each row)")
            sources.append("debit/credit")
            if getattr(self, "sign", None) is not None:
                raise ValueError("debit/credit already give the sign: remove sign")
        if self.column is not None and len(sources) == 2 and (self.css or self.xpath):
            sources.remove("column")
        if len(sources) != 1:
            raise ValueError("needs exactly one of: css, xpath, path, column, const, template, "
                             "debit/credit" + (f" (got {', '.join(sources)})" if sources else ""))
        return self

    @property
    def selector(self) -> str:
        """The source as an author wrote it, for messages and reports."""
        if self.debit is not None and self.credit is not None:
            return f"debit {self.debit.selector} / credit {self.credit.selector}"
        if self.template is not None:
            return self.template
        if self.const is not None:
            return repr(self.const)
        return super().selector

    def parser(self) -> tuple[str, Any] | None:
        """(name, options) of the field's parser, or None."""
        value = getattr(self, "parse", None)
        return None if value is None else parser_of(value)

    def expressions(self) -> list[str]:
        """Expressions the field's transforms evaluate (to check the fields they read): any
        transform or parser options with an ``expressions()`` method declare their own, so a
        new one needs no line here."""
        options = [getattr(self, entry.name, None) for entry in ordered_transforms()]
        parsed = self.parser()
        if parsed:
            options.append(parsed[1])
        found: list[str] = []
        for option in options:
            declared = getattr(option, "expressions", None)
            if callable(declared):
                found.extend(declared())
        return found

    def row_fields(self) -> set[str]:
        return {name for expr in self.expressions() for name in expression_rows(expr)}


def _transform_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for entry in ordered_transforms():
        annotation = options_annotation(entry)
        fields[entry.name] = (annotation | None, Field(default=None, description=entry.doc))
    return fields


if TYPE_CHECKING:
    class FieldSpec(FieldBase):
        """Static view for type checkers: transform keys are generated (read them with
        getattr or through the registry)."""

        def __getattr__(self, name: str) -> Any: ...
else:
    FieldSpec = create_model("FieldSpec", __base__=FieldBase, __module__=__name__,
                             __doc__=FieldBase.__doc__, **_transform_fields())

assert set(TRANSFORMS) <= set(FieldSpec.model_fields), "every transform is a FieldSpec key"
assert parse_union() is not None

FieldValue = Css | FieldSpec
"""A plain string is a CSS selector (checked as one), shorthand for ``{css: ...}``."""
