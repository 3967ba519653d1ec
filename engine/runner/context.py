"""What every part of one sync shares: recipe, backend, options, credentials, page checks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from engine.backends.base import (
    Backend,
    BackendCrashed,
    ElementMissing,
    NavigationFailed,
    RequestRefused,
)
from engine.errors import EngineError, RecipeBroken, SyncError, Unavailable
from engine.recipe.model import Condition, Recipe
from engine.recipe.templates import Context, render
from engine.runner.detection import PageSnapshot, classify
from engine.secrets import Redactor, Secret


@dataclass(frozen=True)
class OtpChallenge:
    """What a caller's one-time-code callback is told."""

    institution: str
    prompt: str
    medium: str


OtpCallback = Callable[[OtpChallenge], Awaitable[str | None]]


@dataclass(frozen=True)
class DocumentSeen:
    """A document the runner extracted from (the harness saves these as snapshots)."""

    stage: str
    """accounts, transactions or holdings."""
    url: str
    html: str
    account_id: str | None
    page_number: int


DocumentObserver = Callable[[DocumentSeen], None]


@dataclass
class SyncOptions:
    """Per-sync settings a caller may give (all optional)."""

    base_url: str | None = None
    """Overrides the recipe's base_url (tests and demos run sites on ephemeral ports)."""
    since: date | None = None
    """Stop paginating history before this date, and drop older transactions."""
    otp_callback: OtpCallback | None = None
    state_key: str | bytes | None = None
    """Encrypts session and resume state; without it neither is produced."""
    session_state: str | None = None
    resume_state: str | None = None
    otp_code: str | None = None
    """The one-time code to resume a ``challenge_required`` sync with."""
    evidence_dir: Path | None = None
    """Where ``recipe_broken`` evidence (scrubbed HTML, screenshot) is saved."""
    timeout: float | None = None
    step_timeout: float | None = None
    reference_date: date | None = None
    """'Today' for year-less dates; defaults to the real today."""
    render: str | None = None
    """Force 'browser' or 'http' rendering for every list page (benchmarks, tests)."""
    observer: DocumentObserver | None = None
    """Called with every document extracted from (recording, drift, debugging)."""


@dataclass
class SyncContext:
    recipe: Recipe
    backend: Backend
    options: SyncOptions
    credentials: dict[str, Secret]
    redactor: Redactor
    warnings: list[str] = field(default_factory=list)
    step_ms: dict[str, float] = field(default_factory=dict)
    render_memory: dict[str, str] = field(default_factory=dict)
    """Per recipe block, whether its pages need rendering; shared by an Engine's syncs."""

    @property
    def base_url(self) -> str:
        return (self.options.base_url or self.recipe.institution.base_url).rstrip("/") + "/"

    @property
    def step_timeout(self) -> float:
        return self.options.step_timeout or self.recipe.timeouts.step

    def template_context(self, account: dict[str, object] | None = None) -> Context:
        return {
            "credentials": self.credentials,
            "account": account or {},
            "institution": {"id": self.recipe.institution.id, "base_url": self.base_url},
        }

    def url(self, template: str, account: dict[str, object] | None = None) -> str:
        return urljoin(self.base_url, render(template, self.template_context(account)))

    async def snapshot(self, html: str | None = None) -> PageSnapshot:
        backend = self.backend
        return PageSnapshot(url=backend.url, status=backend.status,
                            html=html if html is not None else await backend.content(),
                            headers=backend.headers)

    async def check(self, step: str, html: str | None = None) -> PageSnapshot:
        """Raise the error the current page shows, if any; return the snapshot otherwise."""
        escaped = getattr(self.backend, "escaped", None)
        if escaped:
            raise RecipeBroken("a redirect chain led the browser to a host outside "
                               f"allowed_domains: {escaped[0]}", reason="host_escaped",
                               step=step, url=escaped[0])
        page = await self.snapshot(html)
        error = classify(self.recipe.rules(), page, step=step)
        if error is not None:
            raise error
        return page

    async def wait_any(self, step: str, wanted: list[Condition], timeout: float) -> int | None:
        """Index of the first condition to hold, checking detect rules each time; None on
        timeout. Polling (rather than one Playwright wait) lets an error page that appears
        instead of the expected one be classified at once."""
        from engine.runner.detection import condition_met

        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            page = await self.check(step)
            for index, condition in enumerate(wanted):
                if condition_met(condition, page):
                    return index
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(0.1)

    def not_found(self, step: str, what: str | None, message: str) -> SyncError:
        """A wait timed out: the site is slow if it still owes us answers, else it changed."""
        pending = self.backend.pending_requests
        if pending:
            return Unavailable("the institution's server did not answer in time",
                               reason="timeout", step=step, url=pending[0])
        return RecipeBroken(message, reason="expectation_failed", step=step, selector=what,
                            url=self.backend.url)

    def translate(self, exc: Exception, step: str) -> SyncError:
        """Turn a backend failure into the taxonomy, naming the step."""
        if isinstance(exc, SyncError):
            return exc
        if isinstance(exc, BackendCrashed):
            return EngineError(str(exc), reason="browser_crashed", step=step)
        if isinstance(exc, RequestRefused):
            return RecipeBroken("the recipe tried to reach a host outside allowed_domains",
                                reason="host_refused", step=step, url=exc.url)
        if isinstance(exc, NavigationFailed):
            return Unavailable(f"the page did not load: {exc.reason}",
                               reason="timeout" if exc.timed_out else "network", step=step,
                               url=exc.url)
        if isinstance(exc, ElementMissing):
            if self.backend.pending_requests:
                return self.not_found(step, exc.selector, "")
            return RecipeBroken(f"no element matches the selector to {exc.action}",
                                reason="element_missing", step=step, selector=exc.selector,
                                url=exc.url)
        return EngineError(f"{type(exc).__name__}: {exc}", step=step)
