"""Sessions, one-time-code challenges and trusted devices: NeoBanque's strong authentication.

This mirrors how French banks apply PSD2 strong customer authentication: a password alone is
not enough on a new device, an SMS code is; a correct code marks the browser as trusted (a
signed, 90-day cookie) so the next login skips the code. Sessions live in memory, so restarting
the site logs everyone out while trusted-device cookies survive (their key derives from the
seed), which is exactly what an engine persisting device state must cope with.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "nb_session"
TRUSTED_COOKIE = "nb_trusted"
TRUSTED_MAX_AGE = 90 * 24 * 3600
OTP_TTL_SECONDS = 5 * 60
OTP_ATTEMPTS = 3
OTP_HINT = "06 •• •• •• 17"


@dataclass
class Session:
    email: str
    scenario: str
    """Fixed at login, so a running session keeps its behaviour."""


@dataclass
class Challenge:
    id: str
    email: str
    scenario: str
    issued_at: float
    attempts_left: int = OTP_ATTEMPTS


class OtpOutcome(Enum):
    OK = "ok"
    INVALID = "invalid_otp"
    EXPIRED = "otp_expired"
    LOCKED = "account_locked"
    UNKNOWN = "invalid_challenge"


@dataclass(frozen=True)
class OtpResult:
    outcome: OtpOutcome
    challenge: Challenge | None = None
    attempts_left: int = 0


class AuthStore:
    """All authentication state of one running site; thread-safe (the server is threaded)."""

    def __init__(self, secret: str, otp_code: str) -> None:
        self.otp_code = otp_code
        self.clock: Callable[[], float] = time.time
        """Replaceable so tests can age a challenge past its lifetime without sleeping."""
        self._signer = URLSafeTimedSerializer(secret, salt="nb-trusted-device")
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._challenges: dict[str, Challenge] = {}
        self._locked: set[str] = set()

    # -- sessions -------------------------------------------------------------------------
    def open_session(self, email: str, scenario: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = Session(email, scenario)
        return token

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            return self._sessions.get(token)

    def close_session(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    # -- lockout --------------------------------------------------------------------------
    def is_locked(self, email: str) -> bool:
        with self._lock:
            return email in self._locked

    # -- one-time codes -------------------------------------------------------------------
    def issue_challenge(self, email: str, scenario: str) -> Challenge:
        """Start an SMS challenge; the 'SMS' goes to stderr, where a human or test can read it."""
        challenge = Challenge(secrets.token_urlsafe(16), email, scenario, self.clock())
        with self._lock:
            self._challenges[challenge.id] = challenge
        print(f"[neobanque] SMS code for {email}: {self.otp_code} (challenge {challenge.id})",
              file=sys.stderr, flush=True)
        return challenge

    def verify(self, challenge_id: str, code: str) -> OtpResult:
        """Check a code; a third wrong code locks the customer out, as banks do."""
        with self._lock:
            challenge = self._challenges.get(challenge_id)
            if challenge is None:
                return OtpResult(OtpOutcome.UNKNOWN)
            if challenge.email in self._locked:
                del self._challenges[challenge_id]
                return OtpResult(OtpOutcome.LOCKED, challenge)
            if self.clock() - challenge.issued_at > OTP_TTL_SECONDS:
                del self._challenges[challenge_id]
                return OtpResult(OtpOutcome.EXPIRED, challenge)
            if secrets.compare_digest(code.strip(), self.otp_code):
                del self._challenges[challenge_id]
                return OtpResult(OtpOutcome.OK, challenge)
            challenge.attempts_left -= 1
            if challenge.attempts_left <= 0:
                del self._challenges[challenge_id]
                self._locked.add(challenge.email)
                return OtpResult(OtpOutcome.LOCKED, challenge)
            return OtpResult(OtpOutcome.INVALID, challenge, challenge.attempts_left)

    # -- trusted devices ------------------------------------------------------------------
    def trusted_token(self, email: str) -> str:
        return self._signer.dumps({"email": email})

    def is_trusted(self, token: str | None, email: str) -> bool:
        """True if ``token`` is our signature, under 90 days old, for this very customer."""
        if not token:
            return False
        try:
            payload = self._signer.loads(token, max_age=TRUSTED_MAX_AGE)
        except BadSignature:  # also covers SignatureExpired
            return False
        return isinstance(payload, dict) and payload.get("email") == email
