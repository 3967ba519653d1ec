"""What every part of one sync shares: recipe, backend, options, values, page checks.

``SyncOptions`` is what the caller asked for and is never changed by a sync (it is frozen: a
caller reusing one options object for many syncs gets the same behaviour each time). What a
sync learns as it goes — captured variables, the one-time code already used, warnings — lives
in ``SyncContext``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from engine.backends.base import Backend, PageTooLarge
from engine.errors import SyncError
from engine.recipe.conditions import Condition
from engine.recipe.model import Recipe
from engine.recipe.templates import Context, TemplateError, render
from engine.runner.detection import PageSnapshot, classify, condition_met, needed_bodies
from engine.runner.failures import recipe_error, translate
from engine.runner.progress import ProgressObserver
from engine.secrets import Redactor, Secret

LARGE_PAGE = 500_000
"""Characters beyond which parsing a page goes to a worker thread."""


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


@dataclass(frozen=True)
class SyncOptions:
    """Per-sync settings a caller may give (all optional). Build a variant with
    ``dataclasses.replace(options, ...)``."""

    base_url: str | None = None
    """Overrides the recipe's base_url (tests and demos run sites on ephemeral ports)."""
    origins: dict[str, str] = field(default_factory=dict)
    """Overrides ``institution.origins`` by name (an API on another port)."""
    since: date | None = None
    """Stop paginating history before this date, and drop older transactions."""
    otp_callback: OtpCallback | None = None
    interactive: bool = True
    """A person can act while the sync waits (approve in an app). False for background runs:
    such steps then stop with ``challenge_required`` at once."""
    state_key: str | bytes | None = None
    """Encrypts session and resume state; without it neither is produced."""
    session_state: str | None = None
    resume_state: str | None = None
    otp_code: str | None = None
    """The one-time code to resume a ``challenge_required`` sync with."""
    evidence_dir: Path | None = None
    """Where ``recipe_broken`` evidence (scrubbed HTML, masked screenshot) is saved."""
    timeout: float | None = None
    step_timeout: float | None = None
    reference_date: date | None = None
    """'Today' for year-less dates; defaults to the real today."""
    render: str | None = None
    """Force 'browser' or 'http' rendering for every list page (benchmarks, tests)."""
    observer: DocumentObserver | None = None
    """Called with every document extracted from (recording, drift, debugging)."""
    progress: ProgressObserver | None = None
    """Called at stage and account boundaries (``engine.runner.progress.ProgressEvent``):
    progress displays; the same events are logged for operators."""


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
    variables: dict[str, str | Secret] = field(default_factory=dict)
    otp_code: str | None = None
    """The code still to use (from options); consumed once: a code is good for one try."""
    resuming_at: int | None = None
    """Login step index a resumed sync restarts at."""
    login_identity: str | None = None
    """Whose login this is (``state.login_digest`` of the credentials; on a resume, the
    suspended sync's): sealed into session and resume states, so a saved live session is
    reused only for the same login."""
    response_mark: int = 0
    """Answers before this index belong to earlier steps (each step classifies its own)."""
    checked_upto: int = 0
    """Answers before this index were in a page check already; the next step starts here,
    so an answer that arrived after a step's last check still counts for the next one."""
    partial_accounts: list[dict[str, Any]] = field(default_factory=list)
    """Account records read before the list of accounts failed (kept in the result)."""
    fresh_page: str | None = None
    """URL of the rendered page the session check (``runner.reuse``) has just loaded and
    settled: the first list page at that URL is read as it is, not loaded a second time."""
    to_browser: Callable[[bool], Awaitable[None]] | None = None
    """Set while the sync runs without a browser (``backends.plain``): moves it to a browser
    context (``True``: with the cookies so far) when a page turns out to need rendering."""

    @property
    def base_url(self) -> str:
        return (self.options.base_url or self.recipe.institution.base_url).rstrip("/") + "/"

    def origin(self, name: str) -> str:
        url = self.options.origins.get(name) or self.recipe.institution.origins[name]
        return url.rstrip("/")

    @property
    def step_timeout(self) -> float:
        return self.options.step_timeout or self.recipe.timeouts.step

    def template_context(self, account: dict[str, object] | None = None) -> Context:
        options = self.options
        return {
            "credentials": self.credentials,
            "account": account or {},
            "institution": {"id": self.recipe.institution.id, "base_url": self.base_url,
                            "name": self.recipe.institution.name,
                            "currency": self.recipe.institution.currency,
                            "country": self.recipe.institution.country},
            "vars": self.variables,
            "options": {"since": options.since.isoformat() if options.since else "",
                        "until": "", "today": (options.reference_date or date.today())
                        .isoformat()},
            "origins": {name: self.origin(name) for name in self.recipe.institution.origins},
        }

    def expression_context(self, account: dict[str, Any] | None = None) -> dict[str, Any]:
        """The document ``expr`` conditions and filters are evaluated on."""
        values = self.template_context(account)
        return {"vars": {k: v.reveal() if isinstance(v, Secret) else v
                         for k, v in self.variables.items()},
                "options": dict(values["options"]), "account": dict(account or {})}

    def render(self, template: str, account: dict[str, object] | None = None, *,
               reveal: bool = False, where: str | None = None) -> str:
        try:
            return render(template, self.template_context(account), reveal=reveal)
        except TemplateError as exc:
            raise recipe_error(self.recipe, str(exc), where) from None

    def url(self, template: str, account: dict[str, object] | None = None, *,
            where: str | None = None) -> str:
        return urljoin(self.base_url, self.render(template, account, reveal=True, where=where))

    @property
    def max_page_bytes(self) -> int:
        return int(self.recipe.institution.max_page_mb * 1_000_000)

    def check_size(self, text: str, url: str) -> None:
        """Refuse a document too large to parse safely (it would stall every sync)."""
        if len(text) > self.max_page_bytes:
            raise PageTooLarge(url, len(text), self.max_page_bytes)

    async def snapshot(self, html: str | None = None) -> PageSnapshot:
        backend = self.backend
        if html is None:
            html = await backend.content(max_chars=self.max_page_bytes)
        self.check_size(html, backend.url)
        self.checked_upto = backend.response_mark()
        return PageSnapshot(url=backend.url, status=backend.status, html=html,
                            headers=backend.headers,
                            responses=backend.responses_since(self.response_mark))

    async def _read_bodies(self, page: PageSnapshot, conditions: list[Condition]) -> None:
        for index in needed_bodies(self.recipe.rules(), conditions, page):
            body = await self.backend.response_body(page.responses[index])
            if body is not None:
                page.bodies[index] = body

    async def check(self, step: str, html: str | None = None) -> PageSnapshot:
        """Raise the error the current page (or its background answers) shows, if any;
        return the snapshot otherwise."""
        escaped = self.backend.escaped
        if escaped:
            from engine.errors import RecipeBroken

            raise RecipeBroken("an answer from a host outside allowed_domains reached the "
                               f"browser: {escaped[0]}", reason="host_escaped", step=step,
                               url=escaped[0])
        page = await self.snapshot(html)
        await self._read_bodies(page, [])
        values = self.expression_context()
        rules = self.recipe.rules()
        allowed = self.recipe.institution.allowed_domains
        refused = {r.url for r in self.backend.refused}
        if len(page.html) > LARGE_PAGE:  # parsing a large page must not stall other syncs
            error = await asyncio.to_thread(classify, rules, page, step=step, values=values,
                                            allowed=allowed, refused=refused)
        else:
            error = classify(rules, page, step=step, values=values, allowed=allowed,
                             refused=refused)
        if error is not None:
            raise error
        return page

    async def holds(self, condition: Condition, page: PageSnapshot | None = None,
                    account: dict[str, Any] | None = None) -> bool:
        if page is None:
            page = await self.snapshot()
        await self._read_bodies(page, [condition])
        values = self.expression_context(account)
        if len(page.html) > LARGE_PAGE:  # parsing a large page must not stall other syncs
            return await asyncio.to_thread(condition_met, condition, page, values)
        return condition_met(condition, page, values)

    async def wait_any(self, step: str, wanted: list[Condition], timeout: float) -> int | None:
        """Index of the first condition to hold, checking detect rules each time; None on
        timeout. Polling (rather than one Playwright wait) lets an error page that appears
        instead of the expected one be classified at once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        read: str | None = None
        while True:
            # The page is read and parsed again only when it may have changed (its document,
            # its DOM or the answers it received): polling an unchanged page costs one small
            # evaluate, not a serialization of the whole DOM and a parse.
            version = await self.backend.dom_version()
            if version is None or version != read:
                page = await self.check(step)
                for index, condition in enumerate(wanted):
                    if await self.holds(condition, page):
                        return index
                read = version
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(0.1)

    def not_found(self, step: str, what: str | None, message: str) -> SyncError:
        """A wait timed out: the site is slow if it still owes us answers, else it changed."""
        from engine.errors import RecipeBroken, Unavailable

        pending = self.backend.pending_requests
        if pending:
            return Unavailable("the institution's server did not answer in time",
                               reason="timeout", step=step, url=pending[0])
        return RecipeBroken(message, reason="expectation_failed", step=step, selector=what,
                            url=self.backend.url)

    def translate(self, exc: Exception, step: str) -> SyncError:
        """Turn a backend failure into the taxonomy, naming the step."""
        return translate(exc, step, self.backend, self.recipe)
