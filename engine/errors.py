"""Why a synchronization failed, in a form a backend can act on without reading prose.

Every failure maps to one *kind*, and every kind to one *policy* (retry or not, when, what the
user must do, whom to alert). The Python exceptions and the JSON form carried in
``SyncResult.error`` hold the same information: ``SyncError.info()`` is the bridge.

The tree::

    EngineException
    ├── RecipeError                 a recipe file is invalid (raised at load time, file:line:col)
    └── SyncError                   a sync failed; .kind/.code/.policy say how to react
        ├── InvalidCredentials      invalid_credentials   stop, ask the user, never auto-retry
        ├── PasswordExpired         password_expired      stop, user changes it at the bank
        ├── ActionRequired          action_required       stop, user logs in with a web browser
        ├── ChallengeRequired       challenge_required    ask for the one-time code, or resume
        ├── Unavailable             unavailable           retry later (hours), honour Retry-After
        ├── Blocked                 blocked               retry much later (days), alert ops
        ├── RecipeBroken            recipe_broken         alert recipe maintainers with evidence
        └── EngineError             engine_error          retry soon, alert engineering
            └── BrowserNotFound     no Chromium to drive

Codes are ``kind`` or ``kind.reason`` (``action_required.account_locked``,
``unavailable.timeout``); the kind is the contract, the reason is a refinement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class ErrorKind(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    PASSWORD_EXPIRED = "password_expired"  # noqa: S105 - a kind, not a password
    ACTION_REQUIRED = "action_required"
    CHALLENGE_REQUIRED = "challenge_required"
    UNAVAILABLE = "unavailable"
    BLOCKED = "blocked"
    RECIPE_BROKEN = "recipe_broken"
    ENGINE_ERROR = "engine_error"


class Policy(BaseModel):
    """What a backend does with a failure of one kind."""

    model_config = ConfigDict(frozen=True)

    retry: bool
    """Whether the backend may retry automatically (never for credentials: lockout risk)."""
    retry_after_seconds: int | None
    """Minimum delay before that retry; a server's ``Retry-After`` overrides the default."""
    user_action: str | None
    """What the user must do first, as a stable token (``update_credentials``...)."""
    alert: str | None
    """Who inside the company should hear about it (``operations``, ``recipe_maintainers``...)."""


HOUR = 3600
DAY = 24 * HOUR

POLICIES: dict[ErrorKind, Policy] = {
    ErrorKind.INVALID_CREDENTIALS: Policy(
        retry=False, retry_after_seconds=None, user_action="update_credentials", alert=None
    ),
    ErrorKind.PASSWORD_EXPIRED: Policy(
        retry=False, retry_after_seconds=None, user_action="change_password_at_institution",
        alert=None,
    ),
    ErrorKind.ACTION_REQUIRED: Policy(
        retry=False, retry_after_seconds=None, user_action="log_in_with_web_browser", alert=None
    ),
    ErrorKind.CHALLENGE_REQUIRED: Policy(
        retry=False, retry_after_seconds=None, user_action="provide_one_time_code", alert=None
    ),
    ErrorKind.UNAVAILABLE: Policy(
        retry=True, retry_after_seconds=HOUR, user_action=None, alert=None
    ),
    ErrorKind.BLOCKED: Policy(
        retry=True, retry_after_seconds=DAY, user_action=None, alert="operations"
    ),
    ErrorKind.RECIPE_BROKEN: Policy(
        retry=False, retry_after_seconds=None, user_action=None, alert="recipe_maintainers"
    ),
    ErrorKind.ENGINE_ERROR: Policy(
        retry=True, retry_after_seconds=300, user_action=None, alert="engineering"
    ),
}

USER_MESSAGES: dict[ErrorKind, str] = {
    ErrorKind.INVALID_CREDENTIALS: "The institution rejected your credentials. Check them and "
    "update them; we will not retry automatically, to avoid locking your access.",
    ErrorKind.PASSWORD_EXPIRED: "Your password has expired. Change it on the institution's "
    "website, then update it here.",
    ErrorKind.ACTION_REQUIRED: "The institution needs you to do something first (security "
    "validation, new terms, re-authentication). Log in on its website with a web browser.",
    ErrorKind.CHALLENGE_REQUIRED: "The institution sent you a one-time code. Enter it to "
    "continue.",
    ErrorKind.UNAVAILABLE: "The institution is temporarily unavailable (maintenance or "
    "technical incident). We will retry in a few hours.",
    ErrorKind.BLOCKED: "The institution is currently refusing automated access. We will retry "
    "later; our team has been told.",
    ErrorKind.RECIPE_BROKEN: "The institution changed its website and synchronization needs an "
    "update on our side. Our team has been told.",
    ErrorKind.ENGINE_ERROR: "A technical problem on our side interrupted the synchronization. "
    "We will retry soon.",
}


class ErrorInfo(BaseModel):
    """The JSON form of a failure, as stored in ``SyncResult.error``."""

    model_config = ConfigDict(extra="forbid")

    kind: ErrorKind
    code: str
    message: str
    user_message: str
    policy: Policy
    step: str | None = None
    selector: str | None = None
    url: str | None = None
    account_id: str | None = None
    evidence: dict[str, str] = {}
    """Paths of saved evidence (``html``, ``screenshot``) for ``recipe_broken``."""
    details: dict[str, Any] = {}


class EngineException(Exception):
    """Root of everything this package raises on purpose."""


@dataclass(frozen=True)
class RecipeProblem:
    """One reason a recipe file is invalid, located precisely for its author."""

    file: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class RecipeError(EngineException):
    """A recipe could not be loaded; ``problems`` lists every issue found, one line each."""

    def __init__(self, problems: list[RecipeProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class SyncError(EngineException):
    """A classified synchronization failure. Subclasses fix the kind; ``code`` refines it."""

    kind: ClassVar[ErrorKind] = ErrorKind.ENGINE_ERROR

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        step: str | None = None,
        selector: str | None = None,
        url: str | None = None,
        account_id: str | None = None,
        retry_after: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.step = step
        self.selector = selector
        self.url = url
        self.account_id = account_id
        self.retry_after = retry_after
        self.details = dict(details or {})
        self.evidence: dict[str, str] = {}

    @property
    def code(self) -> str:
        return f"{self.kind.value}.{self.reason}" if self.reason else self.kind.value

    @property
    def policy(self) -> Policy:
        base = POLICIES[self.kind]
        if self.retry_after is not None and base.retry:
            return base.model_copy(update={"retry_after_seconds": self.retry_after})
        return base

    def info(self) -> ErrorInfo:
        return ErrorInfo(
            kind=self.kind,
            code=self.code,
            message=self.message,
            user_message=USER_MESSAGES[self.kind],
            policy=self.policy,
            step=self.step,
            selector=self.selector,
            url=self.url,
            account_id=self.account_id,
            evidence=dict(self.evidence),
            details=dict(self.details),
        )

    def __str__(self) -> str:
        where = ", ".join(
            f"{name} {value}"
            for name, value in (("step", self.step), ("selector", self.selector),
                                ("url", self.url))
            if value
        )
        return f"[{self.code}] {self.message}" + (f" ({where})" if where else "")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidCredentials(SyncError):
    kind = ErrorKind.INVALID_CREDENTIALS


class PasswordExpired(SyncError):
    kind = ErrorKind.PASSWORD_EXPIRED


class ActionRequired(SyncError):
    kind = ErrorKind.ACTION_REQUIRED


class ChallengeRequired(SyncError):
    """A one-time code is needed now. ``resume_state`` lets a later call continue from here."""

    kind = ErrorKind.CHALLENGE_REQUIRED

    def __init__(self, message: str, *, prompt: str = "", resume_state: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.prompt = prompt
        self.resume_state = resume_state
        self.details.setdefault("prompt", prompt)


class Unavailable(SyncError):
    kind = ErrorKind.UNAVAILABLE


class Blocked(SyncError):
    kind = ErrorKind.BLOCKED


class RecipeBroken(SyncError):
    kind = ErrorKind.RECIPE_BROKEN


class EngineError(SyncError):
    kind = ErrorKind.ENGINE_ERROR


class BrowserNotFound(EngineError):
    """No Chromium or Chrome executable could be found or launched."""


ERROR_CLASSES: dict[ErrorKind, type[SyncError]] = {
    cls.kind: cls
    for cls in (InvalidCredentials, PasswordExpired, ActionRequired, ChallengeRequired,
                Unavailable, Blocked, RecipeBroken, EngineError)
}


def error_for(kind: ErrorKind | str, message: str, **kwargs: Any) -> SyncError:
    """Build the exception class of ``kind`` (used by detection rules and the HTTP backend)."""
    return ERROR_CLASSES[ErrorKind(kind)](message, **kwargs)
