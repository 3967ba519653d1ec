"""Session and resume state: opaque to callers, encrypted at rest with their key (Fernet).

Two kinds, one format. *Session state* keeps the institution's long-lived cookies (the
"trusted device" set after a one-time code) so the next sync skips the code. *Resume state*
freezes a sync stopped at a one-time-code step (URL, cookies, which step) for a few minutes, so
another process can continue it with the code without typing the password again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from engine.backends.base import Cookie
from engine.errors import EngineError, refined_error

RESUME_TTL_SECONDS = 300


StateError = refined_error(
    EngineError, "StateError",
    "A state blob is unreadable, tampered with, for another institution, or expired.")


def new_key() -> str:
    return Fernet.generate_key().decode()


def derive_key(secret: str | bytes) -> bytes:
    """Accept a Fernet key, or any passphrase (hashed into one)."""
    raw = secret.encode() if isinstance(secret, str) else secret
    try:
        Fernet(raw)
        return raw
    except ValueError:
        return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


@dataclass
class SavedState:
    kind: str  # "session" or "resume"
    institution: str
    cookies: list[Cookie] = field(default_factory=list)
    expires_at: float = 0.0
    url: str | None = None
    step_index: int | None = None
    recipe_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"SavedState(kind={self.kind!r}, institution={self.institution!r}, "
                f"cookies={len(self.cookies)}, step_index={self.step_index!r})")


def seal(state: SavedState, key: str | bytes) -> str:
    payload = zlib.compress(json.dumps(asdict(state)).encode())
    return Fernet(derive_key(key)).encrypt(payload).decode()


def unseal(blob: str, key: str | bytes, *, kind: str, institution: str) -> SavedState:
    try:
        payload = Fernet(derive_key(key)).decrypt(blob.encode())
        data = json.loads(zlib.decompress(payload))
    except (InvalidToken, ValueError, zlib.error):
        raise StateError(f"{kind} state cannot be read with this key (wrong key or damaged)",
                         reason="bad_state") from None
    data["cookies"] = [Cookie(**c) for c in data.get("cookies", [])]
    state = SavedState(**data)
    if state.kind != kind or state.institution != institution:
        raise StateError(f"this {state.kind} state belongs to {state.institution}, not to "
                         f"{kind} of {institution}", reason="bad_state")
    if state.expires_at and state.expires_at < time.time():
        raise StateError(f"{kind} state expired", reason="state_expired")
    return state


def default_key_file() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "bank-sync-engine", "state.key")
