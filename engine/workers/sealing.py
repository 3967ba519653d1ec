"""Encryption of everything secret that crosses Redis: credentials, codes, resume state, results.

Redis is shared infrastructure (operators run ``MONITOR``, dumps land on disks, replicas copy
everything), so nothing a bank would call sensitive is stored there in the clear. Backend and
workers share one key (``ENGINE_WORKER_KEY``), a Fernet key or a passphrase, and derive from it
one key per purpose with HKDF, so the key that seals job payloads is never the one the engine
uses for its own session/resume state blobs, nor the one that pseudonymizes customers:

* a **Fernet key** is 256 random bits already: its bytes are HKDF's input as they are;
* a **passphrase** is first stretched with scrypt. The salt is fixed (every process of the
  fleet must derive the same keys, with nothing to exchange first), which makes the scrypt
  cost the whole defence against guessing: prefer a generated Fernet key.

Format: ``v2.<fernet token>``. Values sealed before (a bare Fernet token, under keys derived
with one HMAC) still open, so an upgrade in the middle of a queue loses no job; the engine's
state blobs from before are re-sealed on their way in (:meth:`Sealer.upgrade_state`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from engine.errors import EngineError, refined_error
from engine.runner.state import (
    SCRYPT_N,
    SCRYPT_P,
    SCRYPT_R,
    StateError,
    is_fernet_key,
    seal,
    unseal,
)

V2_PREFIX = "v2."
FLEET_SALT = b"bank-sync-engine/workers/v2/passphrase"
_INFO = "bank-sync-engine/workers/v2/{purpose}"


SealError = refined_error(
    EngineError, "SealError",
    "A sealed value cannot be opened: the backend and the worker keys differ, or it was "
    "tampered with.")


_roots: dict[bytes, bytes] = {}
_roots_lock = threading.Lock()


def _root(secret: bytes) -> bytes:
    """HKDF's input keying material: a Fernet key's bytes, or scrypt of a passphrase (cached
    per process: a worker builds a few ``Sealer`` objects and must not pay scrypt for each)."""
    if is_fernet_key(secret):
        return base64.urlsafe_b64decode(secret)
    digest = hashlib.sha256(secret).digest()
    with _roots_lock:
        cached = _roots.get(digest)
    if cached is None:
        cached = Scrypt(salt=FLEET_SALT, length=32, n=SCRYPT_N, r=SCRYPT_R,
                        p=SCRYPT_P).derive(secret)
        with _roots_lock:
            _roots[digest] = cached
    return cached


def _hkdf(root: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO.format(purpose=purpose).encode()).derive(root)


def _legacy_subkey(secret: bytes, purpose: str) -> bytes:
    """Format v1: one HMAC of the raw key as a KDF. Kept to open what it sealed, never to seal."""
    digest = hmac.new(secret, f"bank-sync-engine/workers/{purpose}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest())


class Sealer:
    """Seals JSON-able values with the fleet key. ``repr`` never shows the key."""

    __slots__ = ("_customer_key", "_fernet", "_legacy", "_legacy_state_key", "_state_key")

    def __init__(self, key: str | bytes) -> None:
        if not key:
            raise ValueError("an empty key would encrypt nothing")
        raw = key.encode() if isinstance(key, str) else key
        root = _root(raw)
        self._fernet = Fernet(base64.urlsafe_b64encode(_hkdf(root, "payload")))
        self._state_key = base64.urlsafe_b64encode(_hkdf(root, "engine-state"))
        self._customer_key = _hkdf(root, "customer-id")
        self._legacy = Fernet(_legacy_subkey(raw, "payload"))
        self._legacy_state_key = _legacy_subkey(raw, "engine-state")

    @property
    def state_key(self) -> bytes:
        """The key given to the engine (``SyncOptions.state_key``) for session/resume state: a
        Fernet key, so the engine uses it as is (no passphrase stretching per sync)."""
        return self._state_key

    def seal(self, value: Any) -> str:
        token = self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode())
        return V2_PREFIX + token.decode()

    def open(self, token: str) -> Any:
        try:
            if token.startswith(V2_PREFIX):
                return json.loads(self._fernet.decrypt(token[len(V2_PREFIX):].encode()))
            return json.loads(self._legacy.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise SealError("a sealed job value cannot be opened with this worker key "
                            "(ENGINE_WORKER_KEY differs between backend and workers?)",
                            reason="bad_worker_key") from None

    def customer_id(self, *parts: str) -> str:
        """A stable pseudonym for a customer (a lock name in Redis): an HMAC, so Redis never
        holds a username, and nobody without the key can tell whose lock it is."""
        message = "\x1f".join(parts).encode()
        return hmac.new(self._customer_key, message, hashlib.sha256).hexdigest()[:32]

    def upgrade_state(self, blob: str, *, kind: str, institution: str) -> str:
        """An engine state blob readable with :attr:`state_key`: as given if it already is,
        re-sealed if it was sealed under the previous derivation, as given otherwise (the
        engine then reports it as unreadable, as it would any damaged state)."""
        try:
            unseal(blob, self._state_key, kind=kind, institution=institution)
            return blob
        except StateError:
            pass
        try:
            state = unseal(blob, self._legacy_state_key, kind=kind, institution=institution)
        except StateError:
            return blob
        return seal(state, self._state_key)

    def __repr__(self) -> str:
        return "Sealer(key='***')"
