"""Keep credential values out of every string the engine produces.

Two layers: ``Secret`` wraps a value so that ``str``/``repr``/f-strings/JSON never show it, and
``Redactor`` (``engine.privacy.redactor``, re-exported here) scrubs any known secret (and its
URL-, HTML- or JSON-encoded forms) out of free text: error messages built from page content,
logs, warnings. Both are needed because a site may echo a typed value back into a page we quote
in an error.
"""

from __future__ import annotations

from engine.privacy.redactor import MASK, Redactor


class Secret:
    """A credential value that never prints itself; ``reveal()`` where it is typed, only."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Secret values are not picklable; store them encrypted instead")


__all__ = ["MASK", "Redactor", "Secret"]
