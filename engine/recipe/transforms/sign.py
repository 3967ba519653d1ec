"""The ``sign`` transform: an amount's sign read from elsewhere than the number.

Banks show direction with a row class or an arrow icon (``expense``/``income``), a type column
(``Isplata``/``Uplata``, ``Débit``/``Crédit``, ``Withdrawal``), or only relative to the account
(``row.from_account == account.id``). ``sign`` reads that value on the same row and matches it
by token, case- and accent-insensitively (a class attribute "row tx--expense" has the tokens
row, tx, expense), or evaluates ``negative_when``. The amount is then made negative or
positive whatever the number itself said (pages often show the absolute value). ``flip_when``
is the other case: the number is signed, but from the wrong side (a card's balance shown as
the positive amount owed), so it is negated when the expression holds and kept otherwise — an
overdrawn account or an overpaid card keeps the sign its number says.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from engine.recipe.compile import check_expression
from engine.recipe.transforms.registry import Example, FieldEnv, TransformError, quote, transform
from engine.recipe.transforms.source import Source
from engine.recipe.transforms.text import fold

__all__ = ["SignOptions", "tokens"]


class SignOptions(Source):
    """Where the direction is (css, xpath, column, path) and which words mean what, or an
    expression."""

    negative: list[str] = Field(default_factory=list, description="Words meaning a debit.")
    positive: list[str] = Field(default_factory=list, description="Words meaning a credit "
                                "(empty: anything not negative is positive).")
    negative_when: Annotated[str, AfterValidator(check_expression)] | None = Field(
        default=None, description="Expression over {row, account, vars, options}; true "
        "makes the amount negative, e.g. row.from_account == account.id.")
    flip_when: Annotated[str, AfterValidator(check_expression)] | None = Field(
        default=None, description="Expression over {row, account, vars, options}; true "
        "negates the amount as written (a card balance a site shows positive when owed: "
        "row.kind == 'CARD'), false keeps its sign.")

    def expressions(self) -> list[str]:
        """The expressions these options evaluate (the loader checks the fields they read)."""
        return [e for e in (self.negative_when, self.flip_when) if e]

    @model_validator(mode="after")
    def _one_way(self) -> SignOptions:
        expressions = [n for n in ("negative_when", "flip_when") if getattr(self, n) is not None]
        if len(expressions) > 1:
            raise ValueError("give negative_when or flip_when, not both")
        if expressions:
            if self.own_sources() or self.negative or self.positive:
                raise ValueError(f"{expressions[0]} stands alone: no css/column/path or word "
                                 "lists")
            return self
        self.check_source()
        if not self.negative:
            raise ValueError("needs negative: [words meaning a debit] (or negative_when)")
        return self


_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _contains(haystack: list[str], words: list[str]) -> bool:
    for word in words:
        needle = tokens(word)
        if needle and any(haystack[i:i + len(needle)] == needle
                          for i in range(len(haystack) - len(needle) + 1)):
            return True
    return False


def _holds(expression: str, env: FieldEnv) -> bool:
    return env.evaluate(expression) not in (None, False, "", [], {})


def negative(options: SignOptions, env: FieldEnv) -> bool:
    if options.negative_when is not None:
        return _holds(options.negative_when, env)
    text = env.read(options)
    if text is None:
        raise TransformError(f"sign: nothing at {options.selector} on this row")
    found = tokens(text)
    if _contains(found, options.negative):
        return True
    if not options.positive or _contains(found, options.positive):
        return False
    raise TransformError(f"sign: {quote(text)} at {options.selector} is neither negative "
                         f"({', '.join(options.negative)}) nor positive "
                         f"({', '.join(options.positive)})")


def _sources(options: SignOptions) -> list[Any]:
    return [options] if options.own_sources() else []


@transform("sign", options=SignOptions, order=80, row_sources=_sources,
           doc="Sign from the row: a class, icon or type column matched by word, or "
               "negative_when: an expression; flip_when negates a signed number.",
           example=Example({"parse": "amount", "sign": {"negative_when": "row.kind == 'out'"}},
                           "45,90", Decimal("-45.90"), row={"kind": "out"}))
def apply_sign(value: Any, options: SignOptions, env: FieldEnv) -> Any:
    if not isinstance(value, Decimal | int | float) or isinstance(value, bool):
        raise TransformError(f"sign applies to numbers, not {quote(value)}: add parse: amount")
    if options.flip_when is not None:  # the number keeps its own sign unless flipped
        return -value if _holds(options.flip_when, env) else value
    magnitude: Any = abs(value)
    return -magnitude if negative(options, env) else magnitude
