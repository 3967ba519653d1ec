"""Learning a login's HTTP plan from a real browser login, by checking it step by step.

``LearningRuntime`` *is* the browser login (``PageRuntime``: every step acts on the rendered
page as usual) with a shadow beside it: the HTML of each document the browser loaded, read
from the browser's own answer (not fetched again), on which the same steps are emulated the
way the HTTP login would (``html_forms``). After every step the shadow must agree with the
rendered page — every detection rule, every condition of the login, how many elements each
step's selector matches — and every form the browser posted must be the form data set the
emulation computes, field by field, once the keypad and the values scripts copied are
explained. The first disagreement ends the learning with the verdict "browser" and its
reason; a login that reaches its goal (or stops at a one-time code) with none yields a
``LoginPlan``. A failed login teaches nothing.

The shadow only ever holds what the browser itself received; the plan keeps names and
digests, never a value (``login_plan``).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from engine.backends.base import FormPost, RequestRefused, ResponseSeen
from engine.recipe.steps.capture import CaptureSource
from engine.runner import html_forms as forms
from engine.runner.detection import PageSnapshot, classify, condition_met
from engine.runner.html_forms import FormProblem, Page, Submission
from engine.runner.login_plan import (
    BROWSER,
    KeypadRule,
    LoginPlan,
    SubmitRule,
    login_conditions,
    plan_digest,
    step_selectors,
)
from engine.runner.page_runtime import PageRuntime

log = logging.getLogger("engine.sync")
SEPARATORS = (",", "", ";", "|", " ", "-", ":", ".")


@dataclass
class LearningRuntime(PageRuntime):
    """The browser login, watched (see the module docstring)."""

    restored_cookies: set[str] = field(default_factory=set)
    """Cookie names the sync restored (session state): not the login's own doing."""
    known: LoginPlan | None = None
    """What was learnt before (a login handed over by the HTTP path adds to it)."""
    shadow: Page | None = None
    why_not: str | None = None
    """The first disagreement: the login needs the browser (None: none so far)."""
    pages: set[str] = field(default_factory=set)
    submits: dict[int, SubmitRule] = field(default_factory=dict)
    keypads: dict[int, KeypadRule] = field(default_factory=dict)
    noops: list[int] = field(default_factory=list)
    pressed: dict[int, tuple[str, list[int]]] = field(default_factory=dict)
    typed: dict[int, str] = field(default_factory=dict, repr=False)
    scripts: dict[str, str] = field(default_factory=dict)

    # -- the verdict -------------------------------------------------------------------------
    def disagree(self, why: str) -> None:
        if self.why_not is None:
            self.why_not = why
            log.info("%s: the login needs the browser (%s)", self.institution, why)

    def verdict(self, *, reached: bool) -> LoginPlan | str | None:
        """The plan, ``BROWSER``, or None (a login that failed teaches nothing)."""
        if self.why_not is not None:
            return BROWSER
        if not reached:
            return None
        base = self.ctx.base_url
        plan = LoginPlan(plan_digest(self.ctx.recipe, base), sorted(self.pages),
                         dict(self.submits), dict(self.keypads), sorted(self.noops))
        return self.known.merge(plan) if self.known is not None else plan

    # -- the shadow --------------------------------------------------------------------------
    async def adopt(self, mark: int) -> None:
        """The document the browser loaded since ``mark``, if any, becomes the shadow."""
        backend = self.ctx.backend
        here = backend.url.split("#")[0]
        found: ResponseSeen | None = None
        for seen in backend.responses_since(mark):
            if seen.resource_type == "document" and seen.url.split("#")[0] == here \
                    and not 300 <= seen.status < 400:
                found = seen
        if found is None:
            return
        body = await backend.response_body(found)
        if body is None:
            self.shadow = None
            self.disagree("the browser's answer for the page could not be read")
            return
        self.shadow = Page(url=found.url, status=found.status, html=body,
                           headers=dict(found.headers), method=found.method)
        self.pressed, self.typed = {}, {}
        fingerprint = forms.page_fingerprint(self.shadow, await self._digests(self.shadow))
        if fingerprint:
            self.pages.add(fingerprint)

    async def _digests(self, page: Page) -> dict[str, str]:
        for source in forms.script_sources(page):
            if source not in self.scripts:
                try:
                    answer = await self.ctx.backend.fetch(
                        source, timeout=self.timeout or self.ctx.step_timeout)
                except RequestRefused:  # a third party's script: the browser never runs it
                    self.scripts[source] = forms.digest(f"refused {source}")
                    continue
                self.scripts[source] = forms.digest(f"{answer.status} {answer.text}")
        return self.scripts

    def compare(self, rendered: PageSnapshot) -> None:
        """The page check's own snapshot of the rendered page (no extra read) against the
        shadow: every rule, condition and step selector must answer alike."""
        if self.why_not is not None or self.shadow is None:
            return
        static = PageSnapshot(url=self.shadow.url, status=self.shadow.status,
                              html=self.shadow.html, headers=self.shadow.headers)
        recipe, values = self.ctx.recipe, self.ctx.expression_context()
        for condition in login_conditions(recipe.login) + [r for _, r in recipe.rules()]:
            if condition_met(condition, static, values) != condition_met(condition, rendered,
                                                                         values):
                self.disagree(f"'{condition.describe()}' holds on the rendered page and not "
                              "in its HTML, or the reverse")
                return
        for selector in step_selectors(recipe.login):
            try:
                counts = (len(Page(static.url, 0, static.html, _selector=static.selector)
                              .find(selector)),
                          len(Page(rendered.url, 0, rendered.html,
                                   _selector=rendered.selector).find(selector)))
            except FormProblem as exc:
                self.disagree(str(exc))
                return
            if counts[0] != counts[1]:
                self.disagree(f"{selector!r} matches {counts[1]} elements on the rendered page "
                              f"and {counts[0]} in its HTML")
                return
        kinds = [getattr(classify(recipe.rules(), page, step=self.step, values=values),
                         "code", None) for page in (static, rendered)]
        if kinds[0] != kinds[1]:
            self.disagree("detection classifies the rendered page and its HTML differently")

    def _shadow_or_disagree(self) -> Page | None:
        if self.shadow is None:
            self.disagree("a step acted on a page whose HTML the browser did not load")
        return self.shadow

    # -- acting, watched ---------------------------------------------------------------------
    async def goto(self, url: str) -> None:
        mark = self.ctx.backend.response_mark()
        await self.ctx.backend.goto(url, timeout=self.timeout)
        rendered = await self.ctx.check(self.step)
        await self.adopt(mark)
        self.compare(rendered)

    async def fill(self, selector: str, value: str) -> None:
        await super().fill(selector, value)
        shadow = self._shadow_or_disagree()
        if shadow is not None:
            try:
                if forms.fill(shadow, selector, value) != value:
                    self.disagree(f"{selector!r} would not hold the value in its HTML")
            except FormProblem as exc:
                self.disagree(str(exc))
        if self.login_index is not None:
            self.typed[self.login_index] = value

    async def fill_boxes(self, selector: str, value: str) -> None:
        await super().fill_boxes(selector, value)
        shadow = self._shadow_or_disagree()
        if shadow is not None:
            try:
                for index, char in enumerate(value):
                    forms.fill(shadow, selector, char, nth=index)
            except FormProblem as exc:
                self.disagree(str(exc))
        if self.login_index is not None:
            self.typed[self.login_index] = value

    async def labels(self, selector: str, attribute: str) -> list[str]:
        rendered = await super().labels(selector, attribute)
        shadow = self._shadow_or_disagree()
        try:
            if shadow is not None and forms.labels(shadow, selector, attribute) != rendered:
                self.disagree("the keypad's keys read differently in the page's HTML")
        except FormProblem as exc:
            self.disagree(str(exc))
        return rendered

    async def click_sequence(self, selector: str, indices: list[int]) -> None:
        await super().click_sequence(selector, indices)
        if self.login_index is not None:
            self.pressed[self.login_index] = (selector, list(indices))

    async def click(self, selector: str, *, optional: bool = False) -> bool:
        emulated = self._emulate_click(selector) if self.why_not is None else None
        backend = self.ctx.backend

        async def act() -> PageSnapshot | None:
            if optional and not await backend.count(selector):
                return None
            await backend.click(selector, timeout=self.timeout)
            return await self.ctx.check(self.step)

        return await self._watch(act, emulated)

    async def press(self, selector: str, key: str) -> None:
        emulated = None
        shadow = self._shadow_or_disagree()
        if shadow is not None and self.why_not is None:
            try:
                element = shadow.first(selector, "press")
                form = forms.form_of(shadow, element)
                if key != "Enter" or form is None:
                    self.disagree(f"pressing {key} is handled by a script")
                else:
                    emulated = forms.submission(shadow, form, forms.default_button(shadow, form))
            except FormProblem as exc:
                self.disagree(str(exc))

        async def act() -> PageSnapshot:
            await self.ctx.backend.press(selector, key, timeout=self.timeout)
            return await self.ctx.check(self.step)

        await self._watch(act, emulated)

    async def select(self, selector: str, *, value: str | None = None,
                     label: str | None = None) -> None:
        shadow = self._shadow_or_disagree()
        if shadow is not None:
            try:
                forms.choose(shadow, selector, value=value, label=label)
            except FormProblem as exc:
                self.disagree(str(exc))

        async def act() -> PageSnapshot:
            await self.ctx.backend.select(selector, value=value, label=label,
                                          timeout=self.timeout)
            return await self.ctx.check(self.step)

        await self._watch(act, None, navigation_allowed=False)

    async def scroll(self, selector: str | None) -> None:
        self.disagree("scrolling needs the page's scripts")
        await super().scroll(selector)

    async def read(self, source: CaptureSource) -> str | None:
        value = await super().read(source)
        if source.css is not None and self.shadow is not None:
            from engine.extraction.records import extract_one

            if extract_one(self.shadow.html, source.css) != value:
                self.disagree(f"{source.css!r} reads differently in the page's HTML")
        elif source.cookie is None:
            self.disagree("a captured value comes from what only a browser keeps")
        return value

    # -- submissions -------------------------------------------------------------------------
    def _emulate_click(self, selector: str) -> Submission | bool | None:
        """What the HTTP login would send for this click: a submission, None (nothing:
        not a link nor a submitter), or False when the shadow cannot tell."""
        shadow = self._shadow_or_disagree()
        if shadow is None:
            return False
        try:
            found = shadow.find(selector)
            if not found:
                return None
            element = found[0]
            target = forms.link(shadow, element)
            if target is None and forms.is_submitter(element):
                form = forms.form_of(shadow, element)
                if form is not None:
                    target = forms.submission(shadow, form, element)
            return target
        except FormProblem as exc:
            self.disagree(str(exc))
            return False

    async def _watch(self, act: Callable[[], Awaitable[PageSnapshot | None]],
                     emulated: Submission | bool | None, *,
                     navigation_allowed: bool = True) -> bool:
        """Act in the browser (``act`` returns the page check's snapshot, None when an
        optional element was absent), then hold what happened against the emulation."""
        backend = self.ctx.backend
        posts, mark = len(backend.form_posts()), backend.response_mark()
        url_before = backend.url
        cookies_before = await self._cookie_names()
        rendered = await act()
        if rendered is None:
            return False  # an optional element absent: nothing happened on either side
        new_posts = backend.form_posts()[posts:]
        navigated = any(s.resource_type == "document" for s in backend.responses_since(mark))
        index = self.login_index
        if self.why_not is None and index is not None:
            if not navigation_allowed and (new_posts or navigated):
                self.disagree("a script submitted the page")
            elif isinstance(emulated, Submission):
                self._compare(index, emulated, new_posts, navigated, cookies_before)
            elif emulated is None:
                if new_posts or navigated or backend.url != url_before \
                        or await self._cookie_names() != cookies_before:
                    self.disagree("a script acts on this click (a request, a page or a cookie)")
                elif navigation_allowed:
                    self.noops.append(index)
        await self.adopt(mark)
        self.compare(rendered)
        return True

    async def _cookie_names(self) -> set[str]:
        return {c.name for c in await self.ctx.backend.cookies()}

    def _compare(self, index: int, emulated: Submission, posts: list[FormPost],
                 navigated: bool, cookies_before: set[str]) -> None:
        if emulated.method == "GET":
            if posts or not navigated:
                self.disagree("the browser did not follow the link or GET form as HTML says")
            return
        if len(posts) != 1:
            self.disagree(f"the browser sent {len(posts)} form posts where the form sends one")
            return
        post = posts[0]
        if post.method != "POST" or urlsplit(post.url).path != urlsplit(emulated.url).path \
                or not post.content_type.startswith(forms.URLENCODED):
            self.disagree("the browser posted elsewhere or otherwise than the form says")
            return
        sent = parse_qsl(post.body or "", keep_blank_values=True)
        if Counter(n for n, _ in sent) != Counter(n for n, _ in emulated.fields):
            self.disagree("a script added or removed fields of the form")
            return
        rule = SubmitRule("POST", urlsplit(post.url).path, sorted(n for n, _ in sent),
                          sorted(cookies_before - self.restored_cookies))
        mine: dict[str, list[str]] = defaultdict(list)
        for name, value in emulated.fields:
            mine[name].append(value)
        theirs: dict[str, list[str]] = defaultdict(list)
        for name, value in sent:
            theirs[name].append(value)
        for name, values in theirs.items():
            if sorted(values) == sorted(mine[name]):
                continue
            if len(values) != 1 or not self._explain(index, rule, name, values[0]):
                self.disagree(f"a script sets field {name!r} in a way not learnt")
                return
        self.submits[index] = rule

    def _explain(self, index: int, rule: SubmitRule, name: str, value: str) -> bool:
        """A field the HTML leaves otherwise: a keypad's tokens, or a typed value copied."""
        shadow = self.shadow
        assert shadow is not None
        for step_index, (selector, keys) in self.pressed.items():
            buttons = shadow.find(selector)
            if any(k >= len(buttons) for k in keys):
                continue
            pressed = [buttons[k] for k in keys]
            attributes = sorted({a for b in pressed for a in b.attrib} - {"class", "type",
                                                                          "style"})
            for attribute in ["text", *attributes]:
                tokens = [" ".join(b.text_content().split()) if attribute == "text"
                          else b.get(attribute) for b in pressed]
                if any(t is None for t in tokens):
                    continue
                for separator in SEPARATORS:
                    if separator.join(str(t) for t in tokens) == value:
                        self.keypads[step_index] = KeypadRule(name, attribute, separator)
                        return True
        for step_index, typed in self.typed.items():
            if typed == value:
                rule.copies[name] = step_index
                return True
        return False


__all__ = ["LearningRuntime"]
