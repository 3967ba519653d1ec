"""The live redactor: secrets out of every message, warning and error detail a sync returns.

It masks *secret* values only (passwords, one-time codes, tokens learned during the sync),
in their raw, URL-encoded, form-encoded, HTML-escaped and JSON-escaped forms. Identifiers are
deliberately left alone, even when they are credentials: a username equal to an account id
must read the same in ``accounts`` and in ``account_failures``, or a backend can no longer
tell which account failed (issue 9 §4). Personal data in pages is the recordings' concern
(``engine.privacy.text``), not this one: a sync's result *is* the customer's data.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from typing import Protocol
from urllib.parse import quote, quote_plus

MASK = "***"
MIN_SECRET_LENGTH = 3


class Revealable(Protocol):
    """``engine.secrets.Secret`` (not imported: that module re-exports this one)."""

    def reveal(self) -> str: ...


def secret_forms(value: str) -> set[str]:
    """How a secret may appear in text: raw, URL/form-encoded, HTML- and JSON-escaped."""
    return {value, quote(value, safe=""), quote_plus(value), html.escape(value),
            json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


class Redactor:
    """Replaces every occurrence of known secret values (and encodings of them) in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._needles: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        for value in secrets:
            self.add(value)

    @classmethod
    def for_credentials(cls, credentials: Mapping[str, str | Revealable],
                        secret_names: Iterable[str]) -> Redactor:
        """The redactor a sync starts with: the values of the credentials declared
        ``secret: true`` (``secret_names``), and no identifier."""
        names = set(secret_names)
        redactor = cls()
        for name, value in credentials.items():
            if name in names:
                redactor.add(value if isinstance(value, str) else value.reveal())
        return redactor

    def add(self, value: str, *, min_length: int = MIN_SECRET_LENGTH) -> None:
        """Mask ``value`` from now on. Values shorter than ``min_length`` are skipped: masking
        a 2-digit PIN would shred ordinary text (amounts, dates) while protecting nothing."""
        if len(value) < min_length:
            return
        self._needles.extend(f for f in secret_forms(value) if f and f not in self._needles)
        self._needles.sort(key=len, reverse=True)
        # whole words only: a PIN 123456 is not "leaked" by account 40001234567, and masking
        # inside it would corrupt the account number instead
        self._pattern = re.compile("|".join(
            rf"(?<![0-9A-Za-z]){re.escape(n)}(?![0-9A-Za-z])" for n in self._needles))

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

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


__all__ = ["MASK", "Redactor", "Revealable", "secret_forms"]
