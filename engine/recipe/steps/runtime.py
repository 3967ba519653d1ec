"""What a step may ask of the sync running it: the ``StepRuntime`` protocol.

Steps are data with behaviour: each step class says what it does in terms of this protocol and
nothing else, so the same step runs in a real browser (``engine.runner.page_runtime``) and
could run on any other implementation (a plain-HTTP form runtime, a test double) without the
recipe layer knowing Playwright, httpx or the runner. Every method raises a classified
``SyncError`` (``engine.errors``) on failure, naming ``step``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from engine.errors import SyncError
    from engine.recipe.conditions import Condition
    from engine.recipe.steps.capture import CaptureSource


class StepRuntime(Protocol):
    @property
    def step(self) -> str:
        """Name of the running step, for messages (``login[3] click``)."""

    @property
    def timeout(self) -> float:
        """Seconds the running step may take."""

    @property
    def institution(self) -> str: ...

    def render(self, template: str, *, reveal: bool = False) -> str:
        """A template with the sync's values; secrets stay masked unless ``reveal``."""

    def url(self, template: str) -> str:
        """A rendered location resolved against the institution's base URL."""

    async def goto(self, url: str) -> None:
        """Navigate, then check the page for errors (detection rules, statuses)."""

    async def fill(self, selector: str, value: str) -> None:
        """Type into an input, then verify the input holds what was typed."""

    async def fill_boxes(self, selector: str, value: str) -> None:
        """Type one character into each input matching ``selector``, in order."""

    async def click(self, selector: str, *, optional: bool = False) -> bool:
        """Click, let any navigation finish, check the page. False when ``optional`` and absent."""

    async def press(self, selector: str, key: str) -> None: ...

    async def select(self, selector: str, *, value: str | None = None,
                     label: str | None = None) -> None: ...

    async def click_sequence(self, selector: str, indices: list[int]) -> None:
        """Click the n-th matches of ``selector`` in this order (an on-screen keypad)."""

    async def labels(self, selector: str, attribute: str) -> list[str]:
        """The label of every element matching ``selector``: its text, or an attribute."""

    async def scroll(self, selector: str | None) -> None:
        """Scroll the page (or an element) to its end, letting new content load."""

    async def holds(self, condition: Condition) -> bool:
        """Whether ``condition`` holds now (no waiting)."""

    async def wait_any(self, conditions: list[Condition]) -> int | None:
        """Index of the first condition to hold within the step's time, checking detection
        rules all along; None when none did."""

    def missing(self, what: str | None, message: str) -> SyncError:
        """The error for an expectation that never held: ``unavailable.timeout`` while the
        institution still owes answers, else ``recipe_broken``."""

    async def read(self, source: CaptureSource) -> str | None:
        """A value from the page, a cookie, web storage or a background answer."""

    def set_var(self, name: str, value: str, *, secret: bool) -> None:
        """Make ``{{ vars.<name> }}`` available to later templates."""

    async def one_time_code(self, prompt: str, medium: str) -> str:
        """The code to type: given by the caller, asked through the callback, or
        ``challenge_required`` (with a resume state) when nobody can answer now."""

    def resuming(self) -> bool:
        """Whether this sync resumes a stopped one at the running step."""

    def login_form(self) -> Condition | None:
        """What the page shows when it is back at the login form (the first field the login
        fills): a resumed challenge that lands there is gone."""

    def expected_after(self) -> Condition | None:
        """The next ``expect``/``wait_for`` of the login, if any (what success looks like)."""

    def interactive(self) -> bool:
        """Whether a person can act now (approve in an app) while the sync waits."""
