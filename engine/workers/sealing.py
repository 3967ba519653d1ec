"""Encryption of everything secret that crosses Redis: credentials, codes, resume state, results.

Redis is shared infrastructure (operators run ``MONITOR``, dumps land on disks, replicas copy
everything), so nothing a bank would call sensitive is stored there in the clear. Backend and
workers share one key (``ENGINE_WORKER_KEY``); from it two Fernet keys are derived, one per
purpose, so the key that seals job payloads is never the one the engine uses for its own
session/resume state blobs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from engine.errors import EngineError, refined_error

SealError = refined_error(
    EngineError, "SealError",
    "A sealed value cannot be opened: the backend and the worker keys differ, or it was "
    "tampered with.")


def _subkey(root: str | bytes, purpose: str) -> bytes:
    raw = root.encode() if isinstance(root, str) else root
    digest = hmac.new(raw, f"bank-sync-engine/workers/{purpose}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest())


class Sealer:
    """Seals JSON-able values with the fleet key. ``repr`` never shows the key."""

    __slots__ = ("_fernet", "_state_key")

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise ValueError("an empty key would encrypt nothing")
        self._fernet = Fernet(_subkey(key, "payload"))
        self._state_key = _subkey(key, "engine-state")

    @property
    def state_key(self) -> bytes:
        """The key given to the engine (``SyncOptions.state_key``) for session/resume state."""
        return self._state_key

    def seal(self, value: Any) -> str:
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()

    def open(self, token: str) -> Any:
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise SealError("a sealed job value cannot be opened with this worker key "
                            "(ENGINE_WORKER_KEY differs between backend and workers?)",
                            reason="bad_worker_key") from None

    def __repr__(self) -> str:
        return "Sealer(key='***')"
