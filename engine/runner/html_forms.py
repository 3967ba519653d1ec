"""HTML forms without a browser: what a page's form would post, computed from its HTML.

The HTTP login (``runner.http_login``) acts on a page the way a browser's form does without
its scripts: typing sets a control's value, clicking a submit button builds the form data set
(the controls HTML calls *successful*, in tree order: named, enabled, checked for boxes, the
submitter only among buttons, the selected options of a select) and sends it to the form's
action with its method. Anything a script could have done (a keypad that writes tokens into
a hidden input, a field copied elsewhere) is not guessed here: it is applied as an explicit
override the login learned from a real browser POST (``runner.login_plan``).

Pure functions over parsed HTML (lxml through parsel): no network, no secrets kept beyond the
``Page`` object of one step.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement
from parsel import Selector

from engine.backends.base import FetchResponse, RequestRefused
from engine.extraction.records import select
from engine.recipe.model import host_allowed

CONTROL_TAGS = ("input", "select", "textarea", "button")
SUBMIT_TYPES = frozenset({"submit", "image"})
NEVER_SUCCESSFUL = frozenset({"reset", "button", "file"})
TEXT_TYPES = frozenset({"", "text", "password", "email", "tel", "number", "search", "url"})
URLENCODED = "application/x-www-form-urlencoded"


class FormProblem(Exception):
    """The page cannot be acted on without its scripts (no such element, not a form control,
    a form posting somewhere only a script knows). Never a verdict on the site: the login
    goes to the browser, which decides."""


@dataclass
class Submission:
    """A request a form (or a link) would send."""

    method: str
    url: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    enctype: str = URLENCODED

    @property
    def names(self) -> list[str]:
        return sorted(name for name, _ in self.fields)

    def body(self) -> bytes:
        return urlencode(self.fields).encode()

    def __repr__(self) -> str:  # values are credentials: never shown
        return f"Submission({self.method} {self.url.split('?')[0]}, fields={self.names})"


@dataclass
class Page:
    """One document of the HTTP login and what the steps typed into its forms."""

    url: str
    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    """Of the request whose answer this is (a POST answer cannot be loaded again by URL)."""
    values: dict[str, str] = field(default_factory=dict, repr=False)
    """Control path (lxml ``getpath``) → value typed or chosen, overriding the HTML's."""
    _selector: Selector | None = field(default=None, repr=False)

    @property
    def selector(self) -> Selector:
        if self._selector is None:
            self._selector = Selector(text=self.html or "<html></html>", type="html")
        return self._selector

    @property
    def root(self) -> HtmlElement:
        root: HtmlElement = self.selector.root
        return root

    def path(self, element: HtmlElement) -> str:
        return str(element.getroottree().getpath(element))

    def find(self, css: str) -> list[HtmlElement]:
        """Elements matching a step's selector (CSS, or XPath starting with / or ()."""
        try:
            found = select(self.selector, css)
        except Exception as exc:  # a Playwright-only selector (>>, :has-text()...)
            raise FormProblem(f"selector {css!r} cannot be evaluated without a browser "
                              f"({type(exc).__name__})") from None
        return [s.root for s in found if isinstance(s.root, HtmlElement)]

    def first(self, css: str, action: str) -> HtmlElement:
        found = self.find(css)
        if not found:
            raise FormProblem(f"no element matches {css!r} to {action} in the page's HTML")
        return found[0]

    def base(self) -> str:
        href = self.root.xpath("string(//base/@href)")
        return urljoin(self.url, str(href)) if href else self.url


# -- typing ---------------------------------------------------------------------------------
def fill(page: Page, css: str, value: str, *, nth: int = 0) -> str:
    """Type into a text input or textarea; returns what it holds (``maxlength`` applies)."""
    matches = page.find(css)
    if len(matches) <= nth:
        raise FormProblem(f"no element matches {css!r} to fill in the page's HTML")
    element = matches[nth]
    kind = (element.get("type") or "").lower()
    if element.tag == "textarea" or (element.tag == "input" and kind in TEXT_TYPES):
        limit = element.get("maxlength")
        held = value[:int(limit)] if limit and limit.isdigit() else value
        page.values[page.path(element)] = held
        return held
    raise FormProblem(f"{css!r} is a <{element.tag}> a browser types into only by script")


def choose(page: Page, css: str, *, value: str | None, label: str | None) -> None:
    """Select an option of a ``<select>`` by value or by (part of) its visible label."""
    element = page.first(css, "select")
    if element.tag != "select":
        raise FormProblem(f"{css!r} is not a <select>")
    for option in element.iter("option"):
        text = " ".join(option.text_content().split())
        if (value is not None and _option_value(option) == value) or (
                label is not None and label.casefold() in text.casefold()):
            page.values[page.path(element)] = _option_value(option)
            return
    raise FormProblem(f"{css!r} has no such option")


def value_of(page: Page, element: HtmlElement) -> str:
    """What a control holds now: typed, or as the HTML gives it."""
    typed = page.values.get(page.path(element))
    if typed is not None:
        return typed
    if element.tag == "textarea":
        return str(element.text_content()).replace("\r\n", "\n").replace("\n", "\r\n")
    if element.tag == "select":
        chosen = _selected(element)
        return _option_value(chosen[0]) if chosen else ""
    default = "on" if (element.get("type") or "").lower() in ("checkbox", "radio") else ""
    return str(element.get("value", default))


# -- submitting -----------------------------------------------------------------------------
def form_of(page: Page, element: HtmlElement) -> HtmlElement | None:
    owner = element.get("form")
    if owner:
        found = page.root.xpath("//form[@id=$id]", id=owner)
        return found[0] if found else None
    for ancestor in element.iterancestors("form"):
        return ancestor
    return None


def is_submitter(element: HtmlElement) -> bool:
    kind = (element.get("type") or "").lower()
    if element.tag == "button":
        return kind in ("", "submit")
    return element.tag == "input" and kind in SUBMIT_TYPES


def default_button(page: Page, form: HtmlElement) -> HtmlElement | None:
    return next((c for c in controls(page, form) if is_submitter(c)), None)


def controls(page: Page, form: HtmlElement) -> list[HtmlElement]:
    """The form's controls in tree order, those associated by ``form=`` included."""
    form_id = form.get("id")
    out = []
    for element in page.root.iter(*CONTROL_TAGS):
        owner = element.get("form")
        if owner is not None:
            if owner == form_id:
                out.append(element)
        elif form_of(page, element) is form:
            out.append(element)
    return out


def submission(page: Page, form: HtmlElement, submitter: HtmlElement | None) -> Submission:
    """The request submitting ``form`` (through ``submitter``) sends, as HTML defines it."""
    fields: list[tuple[str, str]] = []
    chosen_button = page.path(submitter) if submitter is not None else None
    for element in controls(page, form):
        name = element.get("name")
        if not name or element.get("disabled") is not None or _in_disabled_fieldset(element):
            continue
        kind = (element.get("type") or "").lower()
        if element.tag == "button" or (element.tag == "input" and kind in SUBMIT_TYPES):
            if page.path(element) == chosen_button and kind != "button":
                if kind == "image":
                    fields += [(f"{name}.x", "0"), (f"{name}.y", "0")]
                else:
                    fields.append((name, value_of(page, element)))
            continue
        if element.tag == "input" and kind in NEVER_SUCCESSFUL:
            continue
        if element.tag == "input" and kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                fields.append((name, value_of(page, element)))
            continue
        if element.tag == "select" and element.get("multiple") is not None:
            typed = page.values.get(page.path(element))
            chosen = [typed] if typed is not None else [_option_value(o)
                                                       for o in _selected(element)]
            fields += [(name, v) for v in chosen]
            continue
        fields.append((name, value_of(page, element)))
    method = (_attribute(form, submitter, "method") or "get").upper()
    enctype = (_attribute(form, submitter, "enctype") or URLENCODED).lower()
    action = (_attribute(form, submitter, "action") or "").strip()
    if action.lower().startswith("javascript:") or method not in ("GET", "POST"):
        raise FormProblem("the form is submitted by a script")
    url = urljoin(page.base(), action) if action else page.url
    if method == "GET":
        parts = urlsplit(url)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(fields), ""))
        return Submission("GET", url, [], URLENCODED)
    if enctype != URLENCODED:
        raise FormProblem(f"the form posts {enctype}, which the HTTP login does not send")
    return Submission("POST", url.split("#")[0], fields, enctype)


def link(page: Page, element: HtmlElement) -> Submission | None:
    """Following a link with an ``href`` (a GET), or None when it is not one."""
    href = (element.get("href") or "").strip()
    if element.tag != "a" or not href or href.lower().startswith("javascript:"):
        return None
    if href.startswith("#"):
        return None  # an in-page anchor: a script's business, no request
    return Submission("GET", urljoin(page.base(), href).split("#")[0])


def _attribute(form: HtmlElement, submitter: HtmlElement | None, key: str) -> str | None:
    """A submitter's ``formaction``/``formmethod``/``formenctype`` override the form's."""
    own = submitter.get(f"form{key}") if submitter is not None else None
    value = own or form.get(key)
    return str(value) if value is not None else None


def _selected(select_element: HtmlElement) -> list[HtmlElement]:
    options = [o for o in select_element.iter("option")]
    chosen = [o for o in options if o.get("selected") is not None]
    if chosen or select_element.get("multiple") is not None:
        return chosen
    enabled = [o for o in options if o.get("disabled") is None]
    return enabled[:1]


def _option_value(option: HtmlElement) -> str:
    value = option.get("value")
    return value if value is not None else " ".join(option.text_content().split())


def _in_disabled_fieldset(element: HtmlElement) -> bool:
    return any(f.get("disabled") is not None for f in element.iterancestors("fieldset"))


# -- what a page runs -----------------------------------------------------------------------
_EVENT_ATTRIBUTE = re.compile(r"^on[a-z]+$")
_VOLATILE = re.compile(r"[A-Za-z0-9_+/=-]{16,}|\d+")


def script_sources(page: Page) -> list[str]:
    """External scripts of the page (absolute URLs, in order)."""
    return [urljoin(page.base(), str(src)) for src in page.root.xpath("//script/@src")]


REFUSED_SCRIPT = "refused: outside allowed_domains"
"""The digest of a script on a host the recipe does not allow: the browser's guard refuses it
too, so it never runs, and it is never fetched to be digested."""


async def script_digests(page: Page, known: dict[str, str], allowed: list[str],
                         fetch: Callable[[str], Awaitable[FetchResponse]]) -> dict[str, str]:
    """``known`` completed with a digest of each external script of ``page`` (status and
    body), fetched once; a script outside ``allowed_domains``, or whose fetch the guard
    refused (a redirect to another host), is digested as refused without a request."""
    for source in script_sources(page):
        if source in known:
            continue
        if not host_allowed(source, allowed):
            known[source] = digest(REFUSED_SCRIPT)
            continue
        try:
            answer = await fetch(source)
        except RequestRefused:
            known[source] = digest(REFUSED_SCRIPT)
            continue
        known[source] = digest(f"{answer.status} {answer.text}")
    return known


def page_fingerprint(page: Page, external: dict[str, str] | None = None) -> str:
    """What the page would run in a browser: every script (inline bodies with long tokens and
    numbers blanked, external ones by URL without query and, when given, a digest of their
    content), inline event handlers, ``javascript:`` URLs and meta refreshes. Empty when the
    page runs nothing: then its forms post exactly what ``submission`` computes."""
    parts: list[str] = []
    for script in page.root.iter("script"):
        src = script.get("src")
        kind = (script.get("type") or "").lower()
        if kind and "javascript" not in kind and kind != "module":
            continue  # data blocks (JSON-LD, templates) do not run
        if src:
            absolute = urljoin(page.base(), src)
            parts.append("src " + absolute.split("?")[0] + " "
                         + (external or {}).get(absolute, ""))
        else:
            parts.append("inline " + _VOLATILE.sub("~", " ".join((script.text or "").split())))
    for element in page.root.iter():
        if not isinstance(element, HtmlElement):
            continue
        for name, value in element.attrib.items():
            if _EVENT_ATTRIBUTE.match(name.lower()) or str(value).strip().lower().startswith(
                    "javascript:"):
                parts.append(f"{element.tag}@{name.lower()}")
        if element.tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            parts.append("meta refresh")
    if not parts:
        return ""
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:20]


def digest(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(raw).hexdigest()[:20]


def labels(page: Page, css: str, attribute: str) -> list[str]:
    """Each match's label as the keypad step reads it: its text or an attribute."""
    out = []
    for element in page.find(css):
        raw: Any = (element.text_content() if attribute == "text"
                    else element.get(attribute, ""))
        out.append(" ".join(str(raw).split()))
    return out


__all__ = ["FormProblem", "Page", "Submission", "choose", "controls", "default_button",
           "digest", "fill", "form_of", "is_submitter", "labels", "link", "page_fingerprint",
           "script_digests", "script_sources", "submission", "value_of"]
