"""Bearer tokens, approvals in the mobile app, e-mail codes and trusted devices.

How Brazilian digital banks authenticate a new device: after the password, a push
notification asks the customer to approve the access in the bank's app, and the web page polls
until it is approved, refused or expired; some customers get a code by e-mail instead. Once
approved, the device (an id the web app keeps in ``localStorage``) is trusted and the next
login skips the step. Tokens are opaque bearer tokens with a short life, sent by the app in
``Authorization: Bearer``; everything lives in memory, so a restart logs everyone out.

The clock is injectable (``store.clock``) so tests can jump past expiries without sleeping.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from sites.banco_aurora.data import TERMS_VERSION, customer_id

EMAIL_CODE_TTL = 600.0
EMAIL_ATTEMPTS = 3
APPROVING_SCENARIOS = frozenset({"demo", "recusa", "expira"})
"""Logins that need the app's approval on a new device; the others' devices are trusted."""


@dataclass
class Session:
    token: str
    cpf: str
    scenario: str
    customer_id: str
    expires_at: float


@dataclass
class Approval:
    id: str
    cpf: str
    scenario: str
    device: str | None
    created_at: float


@dataclass
class EmailChallenge:
    id: str
    cpf: str
    scenario: str
    device: str | None
    created_at: float
    attempts_left: int = EMAIL_ATTEMPTS


class ApprovalStatus(Enum):
    PENDING = "pendente"
    APPROVED = "aprovado"
    REFUSED = "recusado"
    EXPIRED = "expirado"
    UNKNOWN = "inexistente"


class CodeOutcome(Enum):
    OK = "ok"
    INVALID = "codigo_invalido"
    EXPIRED = "codigo_expirado"
    BLOCKED = "codigo_bloqueado"
    UNKNOWN = "desafio_inexistente"


@dataclass
class AuthStore:
    approve_after: float = 2.0
    """Seconds until the demo user taps "Aprovar" (or "Recusar") on the phone."""
    approval_ttl: float = 8.0
    """Seconds an approval request stays open."""
    token_ttl: float = 900.0
    email_code: str = "482913"
    clock: Callable[[], float] = time.time
    _sessions: dict[str, Session] = field(default_factory=dict)
    _approvals: dict[str, Approval] = field(default_factory=dict)
    _challenges: dict[str, EmailChallenge] = field(default_factory=dict)
    _trusted: set[tuple[str, str]] = field(default_factory=set)
    _accepted_terms: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- sessions ---------------------------------------------------------------------------
    def open_session(self, cpf: str, scenario: str) -> Session:
        ttl = 0.0 if scenario == "sessao-expirada" else self.token_ttl
        session = Session(secrets.token_urlsafe(32), cpf, scenario, customer_id(cpf),
                          self.clock() + ttl)
        with self._lock:
            self._sessions[session.token] = session
        return session

    def session(self, token: str | None) -> Session | None:
        """The session of a token, expired or not (the caller tells the two apart)."""
        with self._lock:
            return self._sessions.get(token or "")

    def is_expired(self, session: Session) -> bool:
        return self.clock() >= session.expires_at

    def remaining(self, session: Session) -> int:
        return max(0, round(session.expires_at - self.clock()))

    def revoke(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)

    # -- trusted devices --------------------------------------------------------------------
    def is_trusted(self, cpf: str, device: str | None) -> bool:
        with self._lock:
            return device is not None and (cpf, device) in self._trusted

    def _trust(self, cpf: str, device: str | None) -> None:
        if device:
            self._trusted.add((cpf, device))

    # -- approval in the app ----------------------------------------------------------------
    def start_approval(self, cpf: str, scenario: str, device: str | None) -> Approval:
        approval = Approval(secrets.token_hex(12), cpf, scenario, device, self.clock())
        with self._lock:
            self._approvals[approval.id] = approval
        return approval

    def poll_approval(self, approval_id: str) -> tuple[ApprovalStatus, Session | None, int]:
        """The status of a request, the session once approved, and seconds left to answer.

        An approved request gives its token to the first poll only, then ceases to exist,
        as a one-time authorization should.
        """
        now = self.clock()
        with self._lock:
            approval = self._approvals.get(approval_id)
            if approval is None:
                return ApprovalStatus.UNKNOWN, None, 0
            elapsed = now - approval.created_at
            left = max(0, round(self.approval_ttl - elapsed))
            if elapsed >= self.approval_ttl:
                return ApprovalStatus.EXPIRED, None, 0
            if approval.scenario == "expira" or elapsed < self.approve_after:
                return ApprovalStatus.PENDING, None, left
            if approval.scenario == "recusa":
                return ApprovalStatus.REFUSED, None, 0
            del self._approvals[approval_id]
            self._trust(approval.cpf, approval.device)
        return ApprovalStatus.APPROVED, self.open_session(approval.cpf, approval.scenario), 0

    # -- code by e-mail ---------------------------------------------------------------------
    def start_email_code(self, cpf: str, scenario: str, device: str | None,
                         masked_email: str) -> EmailChallenge:
        challenge = EmailChallenge(secrets.token_hex(12), cpf, scenario, device, self.clock())
        with self._lock:
            self._challenges[challenge.id] = challenge
        print(f"[Banco Aurora] e-mail para {masked_email}: código de acesso {self.email_code}",
              file=sys.stderr, flush=True)
        return challenge

    def verify_email_code(self, challenge_id: str,
                          code: str) -> tuple[CodeOutcome, int, Session | None]:
        """Check a code: three wrong ones end the challenge; a right one trusts the device."""
        with self._lock:
            challenge = self._challenges.get(challenge_id)
            if challenge is None:
                return CodeOutcome.UNKNOWN, 0, None
            if self.clock() - challenge.created_at >= EMAIL_CODE_TTL:
                del self._challenges[challenge_id]
                return CodeOutcome.EXPIRED, 0, None
            if not secrets.compare_digest(code.encode(), self.email_code.encode()):
                challenge.attempts_left -= 1
                if challenge.attempts_left <= 0:
                    del self._challenges[challenge_id]
                    return CodeOutcome.BLOCKED, 0, None
                return CodeOutcome.INVALID, challenge.attempts_left, None
            del self._challenges[challenge_id]
            self._trust(challenge.cpf, challenge.device)
        return CodeOutcome.OK, 0, self.open_session(challenge.cpf, challenge.scenario)

    # -- terms ------------------------------------------------------------------------------
    def terms_pending(self, session: Session) -> bool:
        with self._lock:
            return session.scenario == "termos" and session.cpf not in self._accepted_terms

    def accept_terms(self, session: Session, version: str) -> bool:
        if version != TERMS_VERSION:
            return False
        with self._lock:
            self._accepted_terms.add(session.cpf)
        return True
