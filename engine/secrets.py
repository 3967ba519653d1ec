"""Keep credential values out of every string the engine produces.

Two layers: ``Secret`` wraps a value so that ``str``/``repr``/f-strings/JSON never show it, and
``Redactor`` (``engine.privacy.redactor``, re-exported here) scrubs any known secret (and its
URL-, HTML- or JSON-encoded forms) out of free text: error messages built from page content,
logs, warnings. Both are needed because a site may echo a typed value back into a page we quote
in an error.
"""

from __future__ import annotations

import contextlib
import logging
import numbers
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

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


_active: ContextVar[Redactor | None] = ContextVar("engine_log_redactor", default=None)


_PLAIN = (numbers.Number, type(None))
"""Arguments kept as they are (``%d`` and ``%.2f`` need numbers); all others are redacted
as text."""


class _RedactingFilter(logging.Filter):
    """Masks the running sync's secrets in every record of the ``engine`` loggers (and
    httpx's), stack traces included (formatted here, before any handler sees them).

    The message and each argument are redacted separately and the record keeps its shape
    (``msg % args``), so filters that read the arguments still work after it (the HTTP
    backend's, which drops query strings from httpx's request lines)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = _active.get()
        if redactor is None:
            return True
        record.msg = redactor(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(a if isinstance(a, _PLAIN) else redactor(str(a))
                                for a in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {k: v if isinstance(v, _PLAIN) else redactor(str(v))
                           for k, v in record.args.items()}
        if record.exc_info:
            record.exc_text = redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = _RedactingFilter()
_NAMESPACES = frozenset({"engine", "httpx", "httpcore"})


def _install_record_factory() -> None:
    """Redact where records are made. A filter on the ``engine`` logger would not do: Python
    applies a logger's filters only to records logged on that very logger, so records of
    ``engine.sync`` or ``engine.workers`` would pass unredacted to every handler."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "engine_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name.partition(".")[0] in _NAMESPACES:
            _FILTER.filter(record)
        return record

    factory.engine_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


_install_record_factory()


@contextlib.contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """While the block runs (in this task), log records from the engine are redacted."""
    token = _active.set(redactor)
    try:
        yield
    finally:
        _active.reset(token)
