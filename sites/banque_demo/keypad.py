"""The scrambled virtual keypad French banks use for the secret code.

Each render shuffles the digits over a 4×4 grid (with blank cells) and gives every digit an
opaque random token; the page posts tokens, never digits, and only the server (which kept the
token → digit map in the session) can turn them back into the code. A client therefore has to
read the rendered keypad to log in, exactly as against a real bank, and a replayed form from
an older render no longer decodes.
"""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

SESSION_KEY = "keypad"
GRID_CELLS = 16
SEPARATOR = ","


@dataclass(frozen=True)
class Key:
    """One digit button: ``token`` is what the page posts, ``digit`` what the user sees."""

    token: str
    digit: str


def new_keypad(store: MutableMapping[str, Any]) -> list[Key | None]:
    """A freshly shuffled grid (``None`` = blank cell); remembers its map in ``store``."""
    tokens: list[str] = []
    while len(tokens) < 10:  # independent random draws: token order says nothing of digits
        token = secrets.token_hex(4)
        if token not in tokens:
            tokens.append(token)
    keys: list[Key | None] = [Key(t, str(d)) for d, t in enumerate(tokens)]
    keys += [None] * (GRID_CELLS - len(keys))
    secrets.SystemRandom().shuffle(keys)
    store[SESSION_KEY] = {k.token: k.digit for k in keys if k is not None}
    return keys


def decode(store: MutableMapping[str, Any], posted: str) -> str | None:
    """The digits behind ``posted`` (tokens joined by ``,``), or ``None`` if any is unknown.

    The map is consumed: one render, one attempt.
    """
    mapping = store.pop(SESSION_KEY, None)
    if not isinstance(mapping, dict):
        return None
    tokens = [t for t in posted.split(SEPARATOR) if t]
    if not tokens or any(t not in mapping for t in tokens):
        return None
    return "".join(str(mapping[t]) for t in tokens)
