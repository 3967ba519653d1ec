"""Where a value is read on a row: the keys a field and a ``sign:`` lookup share.

Defined here, below ``fields.py``, because transforms' options use it too (``sign: {column:
Type, negative: [Isplata]}`` reads another cell of the same row).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from engine.recipe.compile import check_css, check_jmespath, check_xpath

__all__ = ["Css", "JmesPath", "Source", "XPath"]

Css = Annotated[str, AfterValidator(check_css)]
XPath = Annotated[str, AfterValidator(check_xpath)]
JmesPath = Annotated[str, AfterValidator(check_jmespath)]
HeaderNames = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                        Field(min_length=1, max_length=10)]
"""Alternative header texts of one column: a site shown in two scripts or languages."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """One place on the row: ``css``, ``xpath``, ``path`` (JMESPath into a JSON row) or
    ``column`` (a table cell by header text or 1-based index, negative from the end), where
    ``column`` may be combined with ``css``/``xpath`` applied inside that cell."""

    css: Css | None = Field(default=None, description="CSS; ::text and ::attr(name) allowed; "
                            "templates allowed ({{ account.id }}).")
    xpath: XPath | None = Field(default=None, description="XPath 1.0, always (never guessed "
                                "from its first character); templates allowed.")
    path: JmesPath | None = Field(default=None, description="JMESPath into a JSON row; "
                                  "templates allowed.")
    column: str | int | HeaderNames | None = Field(
        default=None, description="Table cell by header text (case-, accent- and "
        "space-insensitive) or by 1-based index, negative from the end (-1: last cell); a "
        "list of header texts takes the first one the table has ([Isplata, Исплата]: a "
        "site in two scripts or languages).")
    attr: str | None = Field(default=None, description="Take this attribute of the match.")

    def own_sources(self) -> list[str]:
        return [n for n in ("css", "xpath", "path", "column") if getattr(self, n) is not None]

    def check_source(self, *, required: bool = True) -> None:
        given = self.own_sources()
        names = self.column if isinstance(self.column, list) else [self.column]
        if self.column == 0 or any(isinstance(n, str) and not n.strip() for n in names):
            raise ValueError("column: a header text, or an index from 1 (negative from the end)")
        inside_cell = self.column is not None and len(given) == 2 and (
            self.css is not None or self.xpath is not None)
        if len(given) > 1 and not inside_cell:
            raise ValueError(f"needs exactly one of css, xpath, path, column (got "
                             f"{', '.join(given)}); only column combines with css or xpath")
        if required and not given:
            raise ValueError("needs one of: css, xpath, path, column")

    @model_validator(mode="after")
    def _one_place(self) -> Source:
        if type(self) is Source:
            self.check_source()
        return self

    @property
    def selector(self) -> str:
        """The place as an author wrote it, for messages and reports."""
        column = f"column {self.column!r}" if self.column is not None else ""
        inner = self.css or self.xpath or self.path or ""
        return " ".join(p for p in (column, inner) if p) or "?"
