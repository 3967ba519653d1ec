"""Keep credential values out of every string the engine produces.

Two layers: ``Secret`` wraps a value so that ``str``/``repr``/f-strings/JSON never show it, and
``Redactor`` scrubs any known secret (and its URL- or HTML-encoded forms) out of free text:
error messages built from page content, logs, warnings. Both are needed because a site may echo
a typed value back into a page we quote in an error.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from urllib.parse import quote, quote_plus

MASK = "***"


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


class Redactor:
    """Replaces every occurrence of known secret values (and encodings of them) in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._needles: list[str] = []
        for value in secrets:
            self.add(value)

    def add(self, value: str, *, min_length: int = 3) -> None:
        """Mask ``value`` from now on. Values shorter than ``min_length`` are skipped: masking
        a 2-digit PIN, or a login such as "demo", would shred ordinary text (amounts, the
        institution's own name) while protecting nothing."""
        if len(value) < min_length:
            return
        forms = {value, quote(value, safe=""), quote_plus(value), html.escape(value)}
        self._needles.extend(form for form in forms if form not in self._needles)
        self._needles.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for needle in self._needles:
            if needle in text:
                # whole words only: a PIN 123456 is not "leaked" by account 40001234567,
                # and masking inside it would corrupt the account number instead
                text = re.sub(rf"(?<![0-9A-Za-z]){re.escape(needle)}(?![0-9A-Za-z])", MASK,
                              text)
        return text

    def scrub_obj(self, value: object) -> object:
        """Redact strings inside nested dicts/lists (used on error details and warnings)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self.scrub_obj(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_obj(v) for v in value]
        return value

    def __repr__(self) -> str:
        return f"Redactor({len(self._needles)} needles)"


_active: ContextVar[Redactor | None] = ContextVar("engine_log_redactor", default=None)


class _RedactingFilter(logging.Filter):
    """Masks the running sync's secrets in every record of the ``engine`` loggers, stack
    traces included (they are formatted here, before any handler sees them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactor = _active.get()
        if redactor is None:
            return True
        record.msg = redactor(record.getMessage())
        record.args = ()
        if record.exc_info:
            record.exc_text = redactor(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


_FILTER = _RedactingFilter()
for _name in ("engine", "httpx", "httpcore"):
    _log = logging.getLogger(_name)
    if not any(isinstance(f, _RedactingFilter) for f in _log.filters):
        _log.addFilter(_FILTER)


@contextlib.contextmanager
def redacting_logs(redactor: Redactor) -> Iterator[None]:
    """While the block runs (in this task), log records from the engine are redacted."""
    token = _active.set(redactor)
    try:
        yield
    finally:
        _active.reset(token)
