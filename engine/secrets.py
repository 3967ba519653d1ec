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
from collections.abc import Iterator
from contextvars import ContextVar

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


_PREFIXES = ("engine", "httpx", "httpcore", "celery", "kombu")
_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    """Masks the running sync's secrets in every record of the engine's (and its libraries')
    loggers, stack traces included (formatted here, before any handler sees them). A record
    factory, not a logger filter: filters do not apply to child loggers' records."""
    record = _base_factory(*args, **kwargs)
    redactor = _active.get()
    if redactor is None or not record.name.startswith(_PREFIXES):
        return record
    if isinstance(record.msg, str):
        record.msg = redactor(record.msg)
    if isinstance(record.args, tuple):  # keep the structure: filters (httpx's) read the args
        record.args = tuple(_redacted_arg(redactor, arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redacted_arg(redactor, v) for k, v in record.args.items()}
    if record.exc_info:
        record.exc_text = redactor(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    return record


def _redacted_arg(redactor: Redactor, value: object) -> object:
    if isinstance(value, str):
        return redactor(value)
    text = str(value)
    masked = redactor(text)
    return masked if masked != text else value


if getattr(logging.getLogRecordFactory(), "__name__", "") != "_redacting_factory":
    logging.setLogRecordFactory(_redacting_factory)


@contextlib.contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """While the block runs (in this task), log records from the engine are redacted."""
    token = _active.set(redactor)
    try:
        yield
    finally:
        _active.reset(token)
