"""Session and resume state: opaque to callers, encrypted at rest with their key (Fernet).

Two kinds, one format. *Session state* keeps the institution's long-lived cookies (the
"trusted device" set after a one-time code) so the next sync skips the code. *Resume state*
freezes a sync stopped at a one-time-code step (URL, cookies, which step) for a few minutes, so
another process can continue it with the code without typing the password again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from engine.backends.base import Cookie
from engine.errors import EngineError, refined_error
from engine.secrets import Secret
from engine.settings import default_key_file as settings_key_file

RESUME_TTL_SECONDS = 300


StateError = refined_error(
    EngineError, "StateError",
    "A state blob is unreadable, tampered with, for another institution, or expired.")


def new_key() -> str:
    return Fernet.generate_key().decode()


# -- keys -------------------------------------------------------------------------------------
#
# A caller gives either a real Fernet key (used as is: it is already 256 bits of randomness) or
# a passphrase. A passphrase is stretched with scrypt and a random salt, and the salt travels in
# the blob: ``v2.<salt>.<fernet token>``. Blobs sealed before this format (a bare Fernet token,
# the passphrase hashed once with SHA-256) still open, so no session or trusted device is lost
# on upgrade; they are re-sealed in the new format the next time the engine writes them.

V2_PREFIX = "v2."
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
"""Part of format v2: changing them needs a new version prefix (about 80 ms, 32 MiB once)."""
SALT_BYTES = 16
_CACHE_SIZE = 64


class _KeyCache:
    """Derived keys per (passphrase, salt), and the salt this process seals new blobs with.

    scrypt is slow on purpose; a sync opens a state and seals a new one with the same
    passphrase, and must pay the derivation at most once. Entries are keyed by a digest of the
    passphrase, so the cache does not keep the passphrase itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: OrderedDict[tuple[bytes, bytes], bytes] = OrderedDict()
        self._sealing_salt: dict[bytes, bytes] = {}

    def key(self, passphrase: bytes, salt: bytes) -> bytes:
        slot = (hashlib.sha256(passphrase).digest(), salt)
        with self._lock:
            cached = self._keys.get(slot)
            if cached is not None:
                self._keys.move_to_end(slot)
                return cached
        derived = base64.urlsafe_b64encode(
            Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase))
        with self._lock:
            self._keys[slot] = derived
            self._sealing_salt.setdefault(slot[0], salt)  # seal with a salt already paid for
            while len(self._keys) > _CACHE_SIZE:
                self._keys.popitem(last=False)
        return derived

    def sealing_salt(self, passphrase: bytes) -> bytes:
        digest = hashlib.sha256(passphrase).digest()
        with self._lock:
            salt = self._sealing_salt.get(digest)
            if salt is None or (digest, salt) not in self._keys:
                salt = os.urandom(SALT_BYTES)
                self._sealing_salt[digest] = salt
            return salt


_cache = _KeyCache()


def _raw(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def is_fernet_key(secret: str | bytes) -> bool:
    """True for a real Fernet key (32 random bytes, url-safe base64), used as given."""
    try:
        Fernet(_raw(secret))
    except (ValueError, TypeError, binascii.Error):
        return False
    return True


def derive_key(secret: str | bytes, salt: bytes | None = None) -> bytes:
    """The Fernet key for ``secret``: a Fernet key as is; a passphrase through scrypt with
    ``salt`` (a fresh process-wide one when None). Cached per passphrase and salt."""
    raw = _raw(secret)
    if is_fernet_key(raw):
        return raw
    return _cache.key(raw, salt if salt is not None else _cache.sealing_salt(raw))


def _legacy_key(secret: str | bytes) -> bytes:
    """Format v1 (before scrypt): a passphrase hashed once with SHA-256. Opening only."""
    raw = _raw(secret)
    if is_fernet_key(raw):
        return raw
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


def encrypt(payload: bytes, secret: str | bytes) -> str:
    """Seal ``payload``: a bare Fernet token for a Fernet key, ``v2.<salt>.<token>`` for a
    passphrase."""
    raw = _raw(secret)
    if is_fernet_key(raw):
        return Fernet(raw).encrypt(payload).decode()
    salt = _cache.sealing_salt(raw)
    token = Fernet(_cache.key(raw, salt)).encrypt(payload).decode()
    return f"{V2_PREFIX}{base64.urlsafe_b64encode(salt).decode().rstrip('=')}.{token}"


def decrypt(blob: str, secret: str | bytes) -> bytes:
    """Open a blob of either format; ``InvalidToken`` for a wrong key or a damaged blob."""
    if blob.startswith(V2_PREFIX):
        encoded, _, token = blob[len(V2_PREFIX):].partition(".")
        try:
            salt = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (ValueError, binascii.Error):
            raise InvalidToken from None
        if len(salt) != SALT_BYTES or not token:
            raise InvalidToken
        return Fernet(derive_key(secret, salt)).decrypt(token.encode())
    return Fernet(_legacy_key(secret)).decrypt(blob.encode())


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


def login_digest(credentials: Mapping[str, Secret], key: str | bytes) -> str:
    """Whose login a live session is: a keyed hash of every credential (name and value), kept
    inside the sealed state. A saved session is reused only by a sync given the very same
    credentials, so one customer's session never serves another's sync (a CLI state folder
    shared by two logins, a backend that mixed up states), and a changed password is checked
    by a real login."""
    material = key.encode() if isinstance(key, str) else key
    text = json.dumps({name: secret.reveal() for name, secret in sorted(credentials.items())})
    return hmac.new(hashlib.sha256(b"engine-login:" + material).digest(), text.encode(),
                    hashlib.sha256).hexdigest()


def seal(state: SavedState, key: str | bytes) -> str:
    payload = zlib.compress(json.dumps(asdict(state)).encode())
    return encrypt(payload, key)


def unseal(blob: str, key: str | bytes, *, kind: str, institution: str) -> SavedState:
    try:
        payload = decrypt(blob, key)
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
    """Where the CLI keeps its state key (``engine.settings``: under the user's XDG dirs)."""
    return str(settings_key_file())
