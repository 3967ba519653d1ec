"""The registry of field transforms and parsers: one entry each, everything else derived.

An entry is declared once, next to its function, by the ``@transform`` or ``@parser``
decorator: its name (the recipe key), its options (a type pydantic validates), a one-line doc,
an example (raw text, the keys, the expected value) and, for transforms, its place in the one
order transforms apply in. From the entries come the ``FieldSpec`` model (one key per
transform, the ``parse`` union), hence the JSON Schema, the ``docs/transforms.md`` table and a
test running every example. A name without a function cannot exist (the decorator is the only
way to register), and ``check_registry`` refuses duplicates, clashing orders and options
pydantic cannot validate when the package is imported.

Why here and not in ``engine/extraction``: the recipe model is generated from this registry,
and the recipe layer may not import the extraction layer (``recipe ← extraction``). The
functions are pure value functions (text in, value out); what they need from the row they are
read from (another cell, the expression context) comes through ``FieldEnv``, implemented by
the extraction layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from pydantic import TypeAdapter

__all__ = [
    "PARSERS",
    "TRANSFORMS",
    "Example",
    "FieldEnv",
    "FieldSettings",
    "Lazy",
    "Parser",
    "PlainEnv",
    "Transform",
    "TransformError",
    "check_registry",
    "options_annotation",
    "ordered_transforms",
    "parser",
    "quote",
    "transform",
]

_QUOTE_LIMIT = 80


class TransformError(ValueError):
    """A value could not be converted; the message quotes the offending input (truncated to 80
    chars) and says what was expected."""


def quote(value: object) -> str:
    """repr() of the input, cut to 80 characters so a whole scraped page never lands in a log."""
    text = str(value)
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return repr(text)


@dataclass(frozen=True)
class FieldSettings:
    """Institution-level defaults a field falls back on (``institution.decimal_separator``,
    ``country``, ``currency``)."""

    decimal_separator: str | None = None
    country: str | None = None
    currency: str | None = None

    @classmethod
    def of(cls, institution: Any) -> FieldSettings:
        """From an ``Institution`` (duck-typed: the recipe model imports this module)."""
        if institution is None:
            return cls()
        return cls(decimal_separator=getattr(institution, "decimal_separator", None),
                   country=getattr(institution, "country", None),
                   currency=getattr(institution, "currency", None))


class FieldEnv(Protocol):
    """What a transform may know beyond its value: the row it comes from."""

    @property
    def settings(self) -> FieldSettings: ...

    @property
    def reference(self) -> date | None:
        """The sync's reference day (resolves years of dates written without one)."""

    @property
    def row(self) -> Mapping[str, Any]:
        """The row's fields converted so far (declared earlier, or given by a heading)."""

    def read(self, source: Any) -> str | None:
        """The text of another source (css, xpath, column, path) on the same row."""

    def evaluate(self, expression: str) -> Any:
        """A JMESPath over ``{row, account, vars, options}``."""


@dataclass
class PlainEnv:
    """A row-less environment: for converting lone values (tests, docs examples, headings)."""

    settings: FieldSettings = field(default_factory=FieldSettings)
    reference: date | None = None
    row: Mapping[str, Any] = field(default_factory=dict)

    def read(self, source: Any) -> str | None:
        del source
        return None

    def evaluate(self, expression: str) -> Any:
        from engine.recipe.compile import search

        return search(expression, {"row": dict(self.row), "account": {},
                                                     "vars": {}, "options": {}})


@dataclass(frozen=True)
class Example:
    """A documented and tested use: these keys on a field whose raw text is ``raw`` give
    ``result`` (``row`` pre-fills fields an expression reads)."""

    keys: Mapping[str, Any]
    raw: str
    result: Any
    settings: FieldSettings = FieldSettings()
    reference: date | None = None
    row: Mapping[str, Any] = field(default_factory=dict)


TransformFn = Callable[[Any, Any, FieldEnv], Any]
ParserFn = Callable[[str, Any, FieldEnv], Any]


@dataclass(frozen=True)
class Transform:
    name: str
    options: Any
    """A type annotation pydantic validates (``str``, ``dict[str, str]``, a model), or a
    ``Lazy`` one (``parse``'s union is known only once every parser is registered)."""
    function: TransformFn
    doc: str
    example: Example
    order: int
    """Transforms apply by increasing order; declared here, once, with the transform."""
    on_empty: bool = False
    """Runs only when the value is missing or empty (``default``), instead of only when not."""
    row_sources: Callable[[Any], list[Any]] | None = None
    """The other sources (css, column...) its options read on the row, for checks and drift."""


@dataclass(frozen=True)
class Parser:
    name: str
    options: Any | None
    """Options annotation, or None when the parser takes none (``parse: int``)."""
    function: ParserFn
    doc: str
    example: Example
    defaults: Callable[[], Any] | None = None
    """Options used for ``parse: name`` written without options."""


TRANSFORMS: dict[str, Transform] = {}
PARSERS: dict[str, Parser] = {}


def transform(name: str, *, options: Any, order: int, doc: str, example: Example,
              on_empty: bool = False,
              row_sources: Callable[[Any], list[Any]] | None = None
              ) -> Callable[[TransformFn], TransformFn]:
    def register(function: TransformFn) -> TransformFn:
        if name in TRANSFORMS:
            raise RuntimeError(f"transform {name!r} registered twice")
        TRANSFORMS[name] = Transform(name, options, function, doc, example, order, on_empty,
                                     row_sources)
        return function
    return register


def parser(name: str, *, options: Any | None = None, doc: str, example: Example,
           defaults: Callable[[], Any] | None = None) -> Callable[[ParserFn], ParserFn]:
    def register(function: ParserFn) -> ParserFn:
        if name in PARSERS:
            raise RuntimeError(f"parser {name!r} registered twice")
        PARSERS[name] = Parser(name, options, function, doc, example, defaults)
        return function
    return register


def ordered_transforms() -> list[Transform]:
    return sorted(TRANSFORMS.values(), key=lambda t: t.order)


@dataclass(frozen=True)
class Lazy:
    """Options known only once every entry is registered (``parse``: the parsers' union)."""

    build: Callable[[], Any]


def options_annotation(entry: Transform) -> Any:
    return entry.options.build() if isinstance(entry.options, Lazy) else entry.options


def check_registry() -> None:
    """Refuse an inconsistent registry at import: duplicate orders, options pydantic cannot
    validate, examples using keys nobody registered."""
    orders: dict[int, str] = {}
    for entry in TRANSFORMS.values():
        if entry.order in orders:
            raise RuntimeError(f"transforms {orders[entry.order]!r} and {entry.name!r} share "
                               f"order {entry.order}: the order must be total")
        orders[entry.order] = entry.name
        TypeAdapter(options_annotation(entry))
    for item in PARSERS.values():
        if item.options is not None:
            TypeAdapter(item.options)
    known = set(TRANSFORMS) | {"css", "xpath", "path", "column", "const", "template"}
    for example in [*(t.example for t in TRANSFORMS.values()),
                    *(p.example for p in PARSERS.values())]:
        unknown = set(example.keys) - known
        if unknown:
            raise RuntimeError(f"example uses unregistered keys {sorted(unknown)}")
