"""In-memory OAuth and consent state of one app: codes, tokens, refresh tokens, consents.

Each ``create_app()`` owns one ``DemoState`` so tests never share tokens. Every read and write
goes through one lock because the demo server is threaded and a client may refresh while
another request is still using the old token. Identifiers are derived from the seed and a
counter rather than ``secrets`` so a sequential flow mints the same ids on every run, which
keeps recorded fixtures (whose URLs carry consent ids) replayable.

The clock is an attribute, not ``time.monotonic`` called inline, so tests can age a token past
``token_ttl`` without sleeping.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .data import CONSENT_MAX_DAYS, REFERENCE_DATE, SCENARIOS, Bank

AUTH_CODE_TTL = 600.0


@dataclass
class Consent:
    """An AIS consent; ``scenario`` is fixed when the PSU approves it (or created with it)."""

    consent_id: str
    client_id: str
    status: str  # received | valid | expired
    valid_until: date
    frequency_per_day: int
    recurring: bool
    psu_id: str | None
    scenario: str


@dataclass
class AccessToken:
    """A bearer token; ``consent_id`` is None for client-credentials (consent-creation) tokens."""

    value: str
    client_id: str
    issued_at: float
    origin: str  # client_credentials | authorization_code | refresh_token
    consent_id: str | None = None
    forced_expired: bool = False


@dataclass
class AuthCode:
    value: str
    client_id: str
    redirect_uri: str
    consent_id: str
    issued_at: float
    used: bool = False


@dataclass
class RefreshToken:
    value: str
    client_id: str
    consent_id: str


def scenario_for_psu(psu_id: str | None) -> str:
    """``psu-<scenario>`` selects that scenario; any other PSU (e.g. ``psu-demo``) is normal."""
    if psu_id and psu_id.startswith("psu-") and psu_id[4:] in SCENARIOS:
        return psu_id[4:]
    return "normal"


class DemoState:
    """All mutable state of one demo app, guarded by a single re-entrant lock."""

    def __init__(self, *, bank: Bank, seed: int, scenario: str | None, token_ttl: int,
                 slow_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if scenario is not None and scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; choose from {sorted(SCENARIOS)}")
        self.bank = bank
        self.seed = seed
        self.forced_scenario = scenario
        self.token_ttl = token_ttl
        self.slow_seconds = slow_seconds
        self.clock = clock
        self.release = threading.Event()  # set to wake requests parked by the slow scenario
        self._lock = threading.RLock()
        self._counter = 0
        self._consents: dict[str, Consent] = {}
        self._tokens: dict[str, AccessToken] = {}
        self._codes: dict[str, AuthCode] = {}
        self._refresh: dict[str, RefreshToken] = {}

    def _mint(self, kind: str) -> str:
        with self._lock:
            self._counter += 1
            digest = hashlib.sha256(f"{self.seed}:{kind}:{self._counter}".encode()).hexdigest()
        return f"{kind}-{digest[:32]}"

    # Scenario resolution -------------------------------------------------------------------

    def scenario_of(self, consent: Consent | None = None, psu_id: str | None = None) -> str:
        """A start-up ``scenario=`` wins for everyone; else the consent's, else the PSU's."""
        if self.forced_scenario is not None:
            return self.forced_scenario
        if consent is not None:
            return consent.scenario
        return scenario_for_psu(psu_id)

    # Consents ------------------------------------------------------------------------------

    def create_consent(self, *, client_id: str, valid_until: date | None, frequency: int,
                       recurring: bool, psu_id: str | None) -> Consent:
        """Record a ``received`` consent; validity is capped at the PSD2 90 days."""
        cap = REFERENCE_DATE + timedelta(days=CONSENT_MAX_DAYS)
        consent = Consent(
            consent_id=self._mint("consent"), client_id=client_id, status="received",
            valid_until=min(valid_until or cap, cap), frequency_per_day=frequency,
            recurring=recurring, psu_id=psu_id, scenario=scenario_for_psu(psu_id),
        )
        with self._lock:
            self._consents[consent.consent_id] = consent
        return consent

    def consent(self, consent_id: str | None) -> Consent | None:
        with self._lock:
            return self._consents.get(consent_id or "")

    def consent_status(self, consent: Consent) -> str:
        """The status as the bank reports it, after applying time and the scenario."""
        with self._lock:
            if consent.status == "valid" and (
                consent.valid_until < REFERENCE_DATE
                or self.scenario_of(consent) == "expired-consent"
            ):
                consent.status = "expired"
            return consent.status

    # Authorization codes -------------------------------------------------------------------

    def authorize(self, consent: Consent, *, psu_id: str | None, redirect_uri: str) -> str:
        """Simulate the PSU approving ``consent``: it becomes valid and a code is issued."""
        code = AuthCode(self._mint("code"), consent.client_id, redirect_uri,
                        consent.consent_id, self.clock())
        with self._lock:
            consent.status = "valid"
            if psu_id:
                consent.psu_id = psu_id
                consent.scenario = scenario_for_psu(psu_id)
            self._codes[code.value] = code
        return code.value

    def redeem_code(self, value: str, *, client_id: str, redirect_uri: str) -> Consent | None:
        """Consume a code once; None if unknown, used, stale or issued to someone else."""
        with self._lock:
            code = self._codes.get(value)
            if code is None or code.used or code.client_id != client_id:
                return None
            code.used = True
            if self.clock() - code.issued_at > AUTH_CODE_TTL:
                return None
            if redirect_uri != code.redirect_uri:
                return None
            return self._consents[code.consent_id]

    # Tokens --------------------------------------------------------------------------------

    def issue_token(self, client_id: str, origin: str,
                    consent: Consent | None = None) -> tuple[AccessToken, RefreshToken | None]:
        """An access token, plus a refresh token when it is bound to a consent."""
        token = AccessToken(self._mint("at"), client_id, self.clock(), origin,
                            consent.consent_id if consent else None)
        refresh = (RefreshToken(self._mint("rt"), client_id, consent.consent_id)
                   if consent else None)
        with self._lock:
            self._tokens[token.value] = token
            if refresh is not None:
                self._refresh[refresh.value] = refresh
        return token, refresh

    def rotate_refresh(self, value: str, *, client_id: str) -> Consent | None:
        """Spend a refresh token (they rotate, so each works once); None if unknown."""
        with self._lock:
            refresh = self._refresh.get(value)
            if refresh is None or refresh.client_id != client_id:
                return None
            del self._refresh[value]
            return self._consents.get(refresh.consent_id)

    def token(self, value: str | None) -> AccessToken | None:
        with self._lock:
            return self._tokens.get(value or "")

    def token_expired(self, token: AccessToken) -> bool:
        """Older than ``token_ttl`` seconds, or already declared expired by a scenario."""
        with self._lock:
            return token.forced_expired or self.clock() - token.issued_at > self.token_ttl

    def expire_token(self, token: AccessToken) -> None:
        """Make an expiry reported once stick, as a real expired token would."""
        with self._lock:
            token.forced_expired = True
