"""Logs an operator can aggregate: JSON lines on stderr, tagged with the sync they belong to.

Why: a fleet's operators count error codes per institution and follow one sync across
stages; free text makes both a regex exercise. Every record of the ``engine`` loggers made
while a sync runs carries its ``institution`` and ``sync_id`` (:func:`sync_context`, set by
the runner); stage events add ``stage``, ``duration_ms``, ``account_id`` and ``error_code``
(``extra=``). Secrets never reach a handler: records are redacted where they are made
(``engine.secrets``), and only the fields below are written, never arbitrary attributes.

``--log-format json`` or ``ENGINE_LOG_FORMAT=json`` selects JSON lines; the default is one
human line per record. Results go to stdout; logs always go to stderr.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Literal

LogFormat = Literal["text", "json"]

FIELDS = ("institution", "sync_id", "stage", "account_id", "duration_ms", "error_code",
          "event", "outcome")
"""What a JSON line may carry besides time, level, logger and message (nothing else is
copied from a record, so a stray attribute cannot leak anything)."""

_sync: ContextVar[dict[str, str] | None] = ContextVar("engine_log_sync", default=None)


@contextlib.contextmanager
def sync_context(**fields: str) -> Iterator[None]:
    """Tag every ``engine`` record made in this block (this task) with these fields."""
    token = _sync.set({**(_sync.get() or {}), **fields})
    try:
        yield
    finally:
        _sync.reset(token)


def current_sync() -> dict[str, str]:
    """The fields of the sync running in this task (empty outside one)."""
    return dict(_sync.get() or {})


class SyncFields(logging.Filter):
    """Adds the running sync's fields to a record (on a handler: it sees every record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_sync.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``ts``, ``level``, ``logger``, ``message``, the known
    fields present, and ``exc`` (an already redacted stack trace) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name,
            "message": record.getMessage()}
        for key in FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``LEVEL logger [institution sync] message key=value...``: short, greppable."""

    def format(self, record: logging.LogRecord) -> str:
        tags = " ".join(str(getattr(record, k)) for k in ("institution", "sync_id")
                        if getattr(record, k, None))
        extra = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS[2:]
                         if getattr(record, k, None) is not None)
        text = (f"{record.levelname:<7} {record.name}" + (f" [{tags}]" if tags else "")
                + f" {record.getMessage()}" + (f" ({extra})" if extra else ""))
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        elif record.exc_text:
            text += "\n" + record.exc_text
        return text


_HANDLER_MARK = "engine_cli_handler"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (as ``logging.lastResort``
    does), so a redirected or replaced stderr never leaves it writing to a closed file."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__()
        self._fixed = stream

    @property
    def stream(self) -> IO[str]:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:  # StreamHandler.__init__ assigns it
        pass


def configure(level: int = logging.WARNING, fmt: LogFormat = "text",
              stream: IO[str] | None = None) -> logging.Handler:
    """Send the ``engine`` loggers to ``stream`` (default: stderr) at ``level`` in ``fmt``.

    Replaces a handler an earlier call installed, leaves other handlers and propagation
    alone (an application's own logging keeps working), and lowers the ``engine`` logger's
    level only when more is asked for than it lets through."""
    logger = logging.getLogger("engine")
    for old in [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]:
        logger.removeHandler(old)
    handler = _StderrHandler(stream)
    setattr(handler, _HANDLER_MARK, True)
    handler.setLevel(level)
    handler.addFilter(SyncFields())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    if level < logger.getEffectiveLevel():
        logger.setLevel(level)
    return handler


__all__ = ["FIELDS", "JsonFormatter", "LogFormat", "SyncFields", "TextFormatter", "configure",
           "current_sync", "sync_context"]
