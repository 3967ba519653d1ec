"""Why a synchronization failed, in a form a backend can act on without reading prose.

Every failure maps to one *kind*, and every kind to one *policy* (retry or not, when, what the
user must do, whom to alert). The Python exceptions and the JSON form carried in
``SyncResult.error`` hold the same information: ``SyncError.info()`` is the bridge.

Everything about a kind is written once, in ``FAILURE_KINDS`` below: its policy, the message a
customer is shown, its exception class name, whether a recipe may ``detect`` it from a page and
whether it concerns one account's pages only. The policies, the user messages, the exception
classes (``InvalidCredentials``, ``Unavailable``...), the kinds a recipe may detect and the
README table are all derived from it; adding a kind is one ``ErrorKind`` member and one row.

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
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class ErrorKind(StrEnum):
    """The contract with backends. Each member has exactly one row in ``FAILURE_KINDS``."""

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

    model_config = ConfigDict(frozen=True, extra="forbid")

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


@dataclass(frozen=True)
class FailureKind:
    """One row of the taxonomy."""

    exception: str
    """Name of the exception class generated for it."""
    meaning: str
    policy: Policy
    user_message: str
    detectable: bool
    """A recipe's ``detect`` rules may classify a page or an answer as this kind."""
    per_account: bool
    """It can concern one account's pages only: recorded in ``account_failures`` while the
    other accounts go on (a partial result), instead of ending the sync."""


def _policy(retry: bool, after: int | None = None, user_action: str | None = None,
            alert: str | None = None) -> Policy:
    return Policy(retry=retry, retry_after_seconds=after, user_action=user_action, alert=alert)


FAILURE_KINDS: dict[ErrorKind, FailureKind] = {
    ErrorKind.INVALID_CREDENTIALS: FailureKind(
        "InvalidCredentials", "the institution rejected the login (or a one-time code)",
        _policy(False, user_action="update_credentials"),
        "The institution rejected your credentials. Check them and update them; we will not "
        "retry automatically, to avoid locking your access.",
        detectable=True, per_account=False),
    ErrorKind.PASSWORD_EXPIRED: FailureKind(
        "PasswordExpired", "the password must be changed at the institution",
        _policy(False, user_action="change_password_at_institution"),
        "Your password has expired. Change it on the institution's website, then update it "
        "here.",
        detectable=True, per_account=False),
    ErrorKind.ACTION_REQUIRED: FailureKind(
        "ActionRequired", "the user must act at the institution (security validation, terms, "
        "locked access, expired consent)",
        _policy(False, user_action="log_in_with_web_browser"),
        "The institution needs you to do something first (security validation, new terms, "
        "re-authentication). Log in on its website with a web browser.",
        detectable=True, per_account=False),
    ErrorKind.CHALLENGE_REQUIRED: FailureKind(
        "ChallengeRequired", "a one-time code or an approval is needed now",
        _policy(False, user_action="provide_one_time_code"),
        "The institution sent you a one-time code. Enter it to continue.",
        detectable=True, per_account=False),
    ErrorKind.UNAVAILABLE: FailureKind(
        "Unavailable", "maintenance, server errors, timeouts, network failures",
        _policy(True, HOUR),
        "The institution is temporarily unavailable (maintenance or technical incident). We "
        "will retry in a few hours.",
        detectable=True, per_account=True),
    ErrorKind.BLOCKED: FailureKind(
        "Blocked", "captcha, rate limit, WAF, a deliberate block of automated access",
        _policy(True, DAY, alert="operations"),
        "The institution is currently refusing automated access. We will retry later; our "
        "team has been told.",
        detectable=True, per_account=False),
    ErrorKind.RECIPE_BROKEN: FailureKind(
        "RecipeBroken", "the site changed, or the recipe is wrong: an expected element, field "
        "or value is missing",
        _policy(False, alert="recipe_maintainers"),
        "The institution changed its website and synchronization needs an update on our "
        "side. Our team has been told.",
        detectable=True, per_account=True),
    ErrorKind.ENGINE_ERROR: FailureKind(
        "EngineError", "a bug or crash on our side",
        _policy(True, 300, alert="engineering"),
        "A technical problem on our side interrupted the synchronization. We will retry soon.",
        detectable=False, per_account=True),
}

if set(FAILURE_KINDS) != set(ErrorKind):  # pragma: no cover - caught by any import
    raise RuntimeError("every ErrorKind needs exactly one row in FAILURE_KINDS")

POLICIES: dict[ErrorKind, Policy] = {kind: row.policy for kind, row in FAILURE_KINDS.items()}
USER_MESSAGES: dict[ErrorKind, str] = {kind: row.user_message
                                       for kind, row in FAILURE_KINDS.items()}
DETECTABLE_KINDS: tuple[str, ...] = tuple(k.value for k, row in FAILURE_KINDS.items()
                                          if row.detectable)
PER_ACCOUNT_KINDS: frozenset[ErrorKind] = frozenset(k for k, row in FAILURE_KINDS.items()
                                                    if row.per_account)

if TYPE_CHECKING:
    DetectKind = str
else:  # a Literal built from the table, so the recipe schema offers exactly these kinds
    DetectKind = Literal[DETECTABLE_KINDS]


class PolicyOverride(BaseModel):
    """A recipe's correction of a kind's default policy for one detection rule (a captcha an
    institution shows on every login will never pass on a retry: ``retry: false``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    retry: bool | None = None
    retry_after_seconds: int | None = None
    user_action: str | None = None
    alert: str | None = None

    def apply(self, base: Policy) -> Policy:
        update = {k: v for k, v in self.model_dump().items() if v is not None}
        if update.get("retry") is False:
            update.setdefault("retry_after_seconds", None)
        return base.model_copy(update=update)


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
        policy: PolicyOverride | None = None,
        prompt: str | None = None,
        resume_state: str | None = None,
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
        self.policy_override = policy
        self.evidence: dict[str, str] = {}
        self.prompt = prompt
        """For challenges: what to ask the person (``Code reçu par SMS``)."""
        self.resume_state = resume_state
        """For challenges: opaque state a later sync resumes from, with the code."""
        if prompt is not None:
            self.details.setdefault("prompt", prompt)

    @property
    def code(self) -> str:
        return f"{self.kind.value}.{self.reason}" if self.reason else self.kind.value

    @property
    def policy(self) -> Policy:
        base = POLICIES[self.kind]
        if self.policy_override is not None:
            base = self.policy_override.apply(base)
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


def _exception_class(kind: ErrorKind, base: type[SyncError] = SyncError,
                     name: str | None = None, doc: str | None = None) -> type[SyncError]:
    row = FAILURE_KINDS[kind]
    cls = type(name or row.exception, (base,), {
        "kind": kind, "__doc__": doc or f"{kind.value}: {row.meaning}.",
        "__module__": __name__,
    })
    return cls


ERROR_CLASSES: dict[ErrorKind, type[SyncError]] = {
    kind: _exception_class(kind) for kind in FAILURE_KINDS
}

InvalidCredentials = ERROR_CLASSES[ErrorKind.INVALID_CREDENTIALS]
PasswordExpired = ERROR_CLASSES[ErrorKind.PASSWORD_EXPIRED]
ActionRequired = ERROR_CLASSES[ErrorKind.ACTION_REQUIRED]
ChallengeRequired = ERROR_CLASSES[ErrorKind.CHALLENGE_REQUIRED]
Unavailable = ERROR_CLASSES[ErrorKind.UNAVAILABLE]
Blocked = ERROR_CLASSES[ErrorKind.BLOCKED]
RecipeBroken = ERROR_CLASSES[ErrorKind.RECIPE_BROKEN]
EngineError = ERROR_CLASSES[ErrorKind.ENGINE_ERROR]


def refined_error(base: type[SyncError], name: str, doc: str) -> type[SyncError]:
    """A named refinement of a generated class (same kind and policy), for callers that
    want to catch one failure family: ``StateError = refined_error(EngineError, ...)``."""
    return _exception_class(base.kind, base, name, doc)


BrowserNotFound = refined_error(EngineError, "BrowserNotFound",
                                "No Chromium or Chrome executable could be found or launched.")


def error_for(kind: ErrorKind | str, message: str, **kwargs: Any) -> SyncError:
    """Build the exception class of ``kind`` (used by detection rules and the HTTP backend)."""
    return ERROR_CLASSES[ErrorKind(kind)](message, **kwargs)


def taxonomy_table() -> str:
    """The README's error table, generated from ``FAILURE_KINDS`` (a test keeps them equal)."""
    lines = ["| kind | meaning | policy (`error.policy`) |", "|---|---|---|"]
    for kind, row in FAILURE_KINDS.items():
        p = row.policy
        if p.retry:
            policy = f"retry after {_duration(p.retry_after_seconds)} (or `Retry-After`)"
        else:
            policy = "never retry automatically"
        if p.user_action:
            policy += f"; user must `{p.user_action}`"
        if p.alert:
            policy += f"; alert {p.alert.replace('_', ' ')}"
        lines.append(f"| `{kind.value}` | {row.meaning} | {policy} |")
    return "\n".join(lines)


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "a while"
    if seconds % DAY == 0:
        return f"{seconds // DAY} day" + ("s" if seconds // DAY > 1 else "")
    if seconds % HOUR == 0:
        return f"{seconds // HOUR} h"
    return f"{seconds // 60} min"
