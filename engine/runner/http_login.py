"""``StepRuntime`` over plain HTTP: the recipe's own login steps, run without a browser.

The steps are the recipe's, unchanged (``engine.recipe.steps``); only what their primitives
mean changes. ``goto`` is a GET, ``fill`` sets a control of the parsed form, a click on a
submit button (or Enter in a field) posts the form as HTML defines it (``html_forms``), a
click on a link follows it, a keypad's keys are read from the HTML and its field is set the
way the learnt plan says the browser's script sets it; waits and expectations are evaluated
once on the document (nothing changes a page without scripts), detection rules after every
page, one-time codes and resume states exactly as in the browser (``PageRuntime``'s own code).

It never guesses. Whatever a browser could do differently — a page running scripts the plan
has not seen, an element missing from the HTML, a form data set other than the one the
browser posted, a cookie the browser sent that the jar lacks — raises ``LoginHandover``
*before* anything is sent, and the login continues in the browser from the page it was on.
An expectation that does not hold after acting raises ``LoginDiverged``: the HTTP login did
not reach the state the browser reaches, so the plan is dropped (the verdict becomes
"browser") and the browser logs in again from the start. The HTTP path therefore never
reports the site as changed (``recipe_broken``): the browser has the last word on that.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from engine.backends.base import RequestRefused
from engine.backends.plain import PlainSession
from engine.errors import EngineError, RecipeBroken, SyncError, refined_error
from engine.recipe.conditions import Condition
from engine.recipe.steps.capture import CaptureSource
from engine.runner import html_forms as forms
from engine.runner.context import SyncContext
from engine.runner.detection import PageSnapshot, classify, condition_met
from engine.runner.html_forms import FormProblem, Page, Submission
from engine.runner.login_plan import LoginPlan, SubmitRule
from engine.runner.page_runtime import PageRuntime

LoginHandover = refined_error(
    EngineError, "LoginHandover",
    "The HTTP login cannot be sure to act as a browser would on this page: the browser takes "
    "over from the page (details: resume_at, url, why). Never leaves the authentication stage.")
LoginDiverged = refined_error(
    RecipeBroken, "LoginDiverged",
    "The HTTP login did not reach what the login expects: the browser logs in again and the "
    "plan is forgotten. Never leaves the authentication stage.")


def handover(resume_at: int, url: str | None, why: str, *, final: bool = False) -> SyncError:
    """``final``: the plan can never do what the browser does here (a cookie only a script
    sets): the login stays in the browser from now on."""
    return LoginHandover(f"the login continues in the browser: {why}", reason="handover",
                         details={"resume_at": resume_at, "url": url, "why": why,
                                  "final": final})


@dataclass
class HttpRuntime(PageRuntime):
    """One login over ``session`` (the sync's ``PlainSession``), following ``plan``.

    ``plan`` None is ``login_render: http`` without a learnt plan: pages are trusted as the
    recipe's author asserted, and failures are classified here instead of handed over."""

    session: PlainSession | None = None
    plan: LoginPlan | None = None
    forced: bool = False
    page: Page | None = None
    loaded_by: int = -1
    """Index of the login step whose navigation produced ``page``."""
    pressed: dict[int, tuple[str, list[int]]] = field(default_factory=dict)
    typed: dict[int, str] = field(default_factory=dict, repr=False)
    scripts: dict[str, str] = field(default_factory=dict)
    """External script URL → digest of its content, fetched once per login."""

    # -- pages -------------------------------------------------------------------------------
    def _unsure(self, why: str, *, final: bool = False) -> SyncError:
        page = self.page
        url = page.url if page is not None and page.method == "GET" else None
        if self.forced:
            return RecipeBroken(f"the login cannot run over HTTP: {why}", reason="http_login",
                                step=self.step, url=page.url if page else None)
        return handover(self.loaded_by + 1, url, why, final=final)

    async def load(self, url: str, index: int) -> None:
        """Open the page a resumed login continues on, as if step ``index`` had loaded it."""
        self.login_index = index
        await self._navigate("GET", url)

    async def _navigate(self, method: str, url: str, body: bytes | None = None) -> None:
        assert self.session is not None
        await self.session.navigate(method, url, timeout=self.timeout, body=body)
        await self._take(self.login_index if self.login_index is not None else -1)
        await self._check()

    async def _take(self, index: int) -> None:
        assert self.session is not None
        session = self.session
        self.page = Page(url=session.url, status=session.status or 0,
                         html=await session.content(), headers=session.headers,
                         method=session.responses_since(0)[-1].method
                         if session.responses_since(0) else "GET")
        self.ctx.check_size(self.page.html, self.page.url)
        self.loaded_by, self.pressed, self.typed = index, {}, {}
        if self.forced:
            return
        fingerprint = forms.page_fingerprint(self.page, await self._script_digests(self.page))
        if self.plan is None or not self.plan.knows_page(fingerprint):
            raise self._unsure("the page runs scripts no browser login was seen to go through")

    async def _script_digests(self, page: Page) -> dict[str, str]:
        assert self.session is not None
        for source in forms.script_sources(page):
            if source not in self.scripts:
                try:
                    answer = await self.session.fetch(source, timeout=self.timeout)
                except RequestRefused:  # a third party's script: the browser never runs it
                    self.scripts[source] = forms.digest(f"refused {source}")
                    continue
                self.scripts[source] = forms.digest(f"{answer.status} {answer.text}")
        return self.scripts

    def _snapshot(self) -> PageSnapshot:
        page = self.page
        if page is None:
            return PageSnapshot(url="", status=None, html="")
        return PageSnapshot(url=page.url, status=page.status, html=page.html,
                            headers=page.headers)

    async def _check(self) -> None:
        ctx = self.ctx
        error = classify(ctx.recipe.rules(), self._snapshot(), step=self.step,
                         values=ctx.expression_context(),
                         allowed=ctx.recipe.institution.allowed_domains,
                         refused={r.url for r in ctx.backend.refused})
        if error is not None:
            raise error

    def _current(self) -> Page:
        if self.page is None:
            raise self._unsure("no page is loaded yet")
        return self.page

    # -- acting ------------------------------------------------------------------------------
    async def goto(self, url: str) -> None:
        await self._navigate("GET", url)

    async def fill(self, selector: str, value: str) -> None:
        page = self._current()
        try:
            held = forms.fill(page, selector, value)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        if held != value:
            raise self._unsure(f"{selector!r} would not hold what is typed (maxlength)")
        if self.login_index is not None:
            self.typed[self.login_index] = value

    async def fill_boxes(self, selector: str, value: str) -> None:
        page = self._current()
        try:
            if len(page.find(selector)) != len(value):
                raise FormProblem(f"{selector!r} does not have one box per character")
            for index, char in enumerate(value):
                forms.fill(page, selector, char, nth=index)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        if self.login_index is not None:
            self.typed[self.login_index] = value

    async def click(self, selector: str, *, optional: bool = False) -> bool:
        page = self._current()
        try:
            found = page.find(selector)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        if not found:
            if optional:
                return False
            raise self._unsure(f"no element matches {selector!r} to click in the page's HTML")
        index = self.login_index
        if self.plan is not None and index is not None and index in self.plan.noops:
            return True  # a browser login showed this click changes nothing a server sees
        element = found[0]
        target = forms.link(page, element)
        if target is None:
            form = forms.form_of(page, element) if forms.is_submitter(element) else None
            if form is None:
                raise self._unsure(f"{selector!r} is handled by a script, not a form or link")
            target = self._submission(form, element)
        await self._send(target)
        return True

    async def press(self, selector: str, key: str) -> None:
        page = self._current()
        if key != "Enter":
            raise self._unsure(f"pressing {key} is a script's business")
        try:
            element = page.first(selector, "press")
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        form = forms.form_of(page, element)
        if form is None:
            raise self._unsure(f"Enter in {selector!r} submits no form")
        await self._send(self._submission(form, forms.default_button(page, form)))

    async def select(self, selector: str, *, value: str | None = None,
                     label: str | None = None) -> None:
        try:
            forms.choose(self._current(), selector, value=value, label=label)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None

    async def click_sequence(self, selector: str, indices: list[int]) -> None:
        if self.login_index is None or self.plan is None \
                or self.login_index not in self.plan.keypads:
            raise self._unsure("no browser login showed what this keypad posts")
        self.pressed[self.login_index] = (selector, list(indices))

    async def labels(self, selector: str, attribute: str) -> list[str]:
        try:
            return forms.labels(self._current(), selector, attribute)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None

    async def scroll(self, selector: str | None) -> None:
        raise self._unsure("scrolling is a script's business")

    def _submission(self, form: Any, submitter: Any) -> Submission:
        page = self._current()
        try:
            sent = forms.submission(page, form, submitter)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        plan, index = self.plan, self.login_index
        rule = plan.submits.get(index) if plan is not None and index is not None else None
        try:
            self._apply_scripts(page, sent, rule)
        except FormProblem as exc:
            raise self._unsure(str(exc)) from None
        if self.forced:
            return sent
        scripted = forms.page_fingerprint(page, self.scripts) != ""
        if scripted or self.pressed:
            if rule is None:
                raise self._unsure("no browser login showed what this form posts")
            if (rule.method, rule.path, rule.fields) != (sent.method, urlsplit(sent.url).path,
                                                         sent.names):
                raise self._unsure("the form would post other fields than the browser did")
        if rule is not None:
            assert self.session is not None
            missing = set(rule.cookies) - self.session.cookie_names(sent.url)
            if missing:
                raise self._unsure("the browser sent cookies a script sets", final=True)
        return sent

    def _apply_scripts(self, page: Page, sent: Submission, rule: SubmitRule | None) -> None:
        """What the browser's scripts put in the form, as a browser login showed it."""
        plan = self.plan
        for step_index, (selector, keys) in self.pressed.items():
            assert plan is not None
            keypad = plan.keypads[step_index]
            buttons = page.find(selector)
            if any(k >= len(buttons) for k in keys):
                raise FormProblem("the keypad has fewer keys than were pressed")
            values = [" ".join(b.text_content().split()) if keypad.attribute == "text"
                      else b.get(keypad.attribute) for b in (buttons[k] for k in keys)]
            if any(v is None for v in values):
                raise FormProblem(f"a key has no {keypad.attribute} attribute")
            _set(sent, keypad.field, keypad.separator.join(str(v) for v in values))
        if rule is not None:
            for name, typed_by in rule.copies.items():
                if typed_by not in self.typed:
                    raise FormProblem(f"{name} copies a value no step typed")
                _set(sent, name, self.typed[typed_by])

    async def _send(self, target: Submission) -> None:
        if target.method == "POST":
            await self._navigate("POST", target.url, target.body())
        else:
            await self._navigate("GET", target.url)

    # -- waiting and reading -----------------------------------------------------------------
    async def holds(self, condition: Condition) -> bool:
        return condition_met(condition, self._snapshot(),
                             self.ctx.expression_context(self.account))

    async def wait_any(self, conditions: list[Condition]) -> int | None:
        """A page without scripts does not change: what holds now is the answer."""
        for index, condition in enumerate(conditions):
            if await self.holds(condition):
                return index
        return None

    def missing(self, what: str | None, message: str) -> SyncError:
        if self.forced:
            page = self.page
            return RecipeBroken(message, reason="expectation_failed", step=self.step,
                                selector=what, url=page.url if page else None)
        return LoginDiverged(f"over HTTP, {message}", reason="diverged", step=self.step,
                             selector=what)

    async def read(self, source: CaptureSource) -> str | None:
        if source.css is None and source.cookie is None:
            raise self._unsure("this value is kept by the browser only")
        return await super().read(source)


def _set(sent: Submission, name: str, value: str) -> None:
    """Replace the value of the one field ``name`` (a script's doing, learnt from a browser)."""
    positions = [i for i, (n, _) in enumerate(sent.fields) if n == name]
    if len(positions) != 1:
        raise FormProblem(f"the form has {len(positions)} fields named {name!r}")
    sent.fields[positions[0]] = (name, value)


def same_fields(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> bool:
    return Counter(a) == Counter(b)


def http_runtime(ctx: SyncContext, session: PlainSession, plan: LoginPlan | None, *,
                 forced: bool) -> HttpRuntime:
    return HttpRuntime(ctx, session=session, plan=plan, forced=forced)


__all__ = ["HttpRuntime", "LoginDiverged", "LoginHandover", "handover", "http_runtime",
           "same_fields"]
