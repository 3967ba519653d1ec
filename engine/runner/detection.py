"""Classify what the browser or client received: recipe rules, background answers, statuses.

The order encodes which evidence is strongest:

1. the recipe's ``detect`` rules that look at background answers (``response:``), in file
   order — the author said exactly what an answer means;
2. built-in: a background data call (fetch/XHR) of the page that got no answer, a 429 or a 5xx —
   a single-page app draws its own message after such an answer, often a misleading one
   ("wrong password" after an API outage), so the answer outranks what the page shows;
3. the recipe's page rules (text, CSS, URL, document status), in file order;
4. built-in document statuses (429 → blocked, 5xx → unavailable, 401/403 → blocked) and an
   empty 200 answer (unavailable).

Everything here is a pure function over a ``PageSnapshot`` (URL, status, headers, HTML, the
answers seen and the bodies fetched for rules that read them), so the same rules run on a live
page, on a recorded snapshot and in unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import jmespath
from parsel import Selector

from engine.backends.base import NAVIGATION_KINDS, ResponseSeen
from engine.errors import Blocked, SyncError, Unavailable, error_for
from engine.extraction.records import select
from engine.extraction.transforms import clean_text
from engine.recipe.compile import bounded_search
from engine.recipe.conditions import Condition, ResponseMatch, Rule

DATA_CALLS = frozenset({"xhr", "fetch", "eventsource"})
_NOT_THE_INSTITUTION = frozenset({"net::ERR_FAILED", "net::ERR_ABORTED",
                                  "net::ERR_BLOCKED_BY_CLIENT"})
"""Failures the engine causes (the guard refusing a hop, a route aborting, a navigation
cancelling a call): the institution's own failures reach the page through the guard proxy as
its upstream-error answer, with their kind."""


@dataclass
class PageSnapshot:
    url: str
    status: int | None
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    responses: list[ResponseSeen] = field(default_factory=list)
    """Answers received since the running step began (background calls included)."""
    bodies: dict[int, str] = field(default_factory=dict)
    """Bodies of ``responses`` (by index) that a rule needs to read."""
    _selector: Selector | None = field(default=None, repr=False)
    _text: str | None = field(default=None, repr=False)

    @property
    def selector(self) -> Selector:
        if self._selector is None:
            self._selector = Selector(text=self.html or "<html></html>", type="html")
        return self._selector

    @property
    def text(self) -> str:
        """Visible text: body text without scripts and styles, whitespace collapsed."""
        if self._text is None:
            parts = self.selector.xpath(
                "//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
            self._text = clean_text(" ".join(parts))
        return self._text

    @property
    def empty_document(self) -> bool:
        """Nothing at all in the page: what Chromium shows for an answer with no body."""
        return not self.html.strip() or (
            not self.selector.xpath("//body/*") and not self.text)

    def has(self, selector: str) -> bool:
        return bool(select(self.selector, selector))


def retry_after_seconds(headers: dict[str, str]) -> int | None:
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return int(value)
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0, int((when - datetime.now(UTC)).total_seconds()))
    return None


def response_matches(match: ResponseMatch, page: PageSnapshot) -> ResponseSeen | None:
    """The last answer ``match`` describes, if any."""
    for index in range(len(page.responses) - 1, -1, -1):
        seen = page.responses[index]
        if bounded_search(match.url, seen.url) is None:
            continue
        if match.status is not None and seen.status not in match.status:
            continue
        if match.text is not None:
            body = page.bodies.get(index)
            if body is None or clean_text(match.text).lower() not in clean_text(body).lower():
                continue
        return seen
    return None


def condition_met(condition: Condition, page: PageSnapshot,
                  values: dict[str, Any] | None = None) -> bool:
    """All the conditions given hold on the page."""
    checks: list[bool] = []
    if condition.css is not None:
        checks.append(page.has(condition.css))
    if condition.text is not None:
        checks.append(clean_text(condition.text).lower() in page.text.lower())
    if condition.url is not None:
        checks.append(bounded_search(condition.url, page.url) is not None)
    if condition.response is not None:
        checks.append(response_matches(condition.response, page) is not None)
    if condition.expr is not None:
        found = jmespath.search(condition.expr, values or {})
        checks.append(found not in (None, False, "", [], {}))
    if isinstance(condition, Rule) and condition.status is not None:
        checks.append(page.status in condition.status)
    return bool(checks) and all(checks)


def classify(rules: list[tuple[str, Rule]], page: PageSnapshot, *, step: str,
             values: dict[str, Any] | None = None, allowed: list[str] | None = None,
             refused: set[str] | None = None) -> SyncError | None:
    """The error the page or its background answers show, if any (see the module doc)."""
    page_rules = [(k, r) for k, r in rules if r.response is None]
    answered = classify_answers(rules, page, step=step, values=values)
    if answered is not None:
        return answered
    background = classify_background(page, step=step, allowed=allowed, refused=refused)
    if background is not None:
        return background
    for kind, rule in page_rules:
        if condition_met(rule, page, values):
            return _from_rule(kind, rule, page, step)
    return classify_status(page, step=step)


def classify_answers(rules: list[tuple[str, Rule]], page: PageSnapshot, *, step: str,
                     values: dict[str, Any] | None = None) -> SyncError | None:
    """The first ``response:`` rule that holds on the answers seen (step 1 above): also how
    the runner reads the answers of its own JSON fetches."""
    for kind, rule in rules:
        if rule.response is not None and condition_met(rule, page, values):
            return _from_rule(kind, rule, page, step)
    return None


def _from_rule(kind: str, rule: Rule, page: PageSnapshot, step: str) -> SyncError:
    seen = response_matches(rule.response, page) if rule.response is not None else None
    message = rule.message or _default_message(kind, rule, page, seen)
    details: dict[str, Any] = {"status": seen.status if seen else page.status}
    if seen is not None:
        details["response_url"] = _bare(seen.url)
    return error_for(kind, message, reason=rule.reason, step=step,
                     url=_bare(seen.url) if seen else page.url, selector=rule.css,
                     retry_after=_rule_retry_after(rule, page, seen),
                     details={k: v for k, v in details.items() if v is not None},
                     policy=rule.policy)


def classify_background(page: PageSnapshot, *, step: str, allowed: list[str] | None = None,
                        refused: set[str] | None = None) -> SyncError | None:
    """A data call of the page to the institution that failed outright: its servers are the
    cause, whatever the page drew afterwards. Calls to other hosts (refused by the network
    guard, or a third party's) are not the institution's evidence."""
    for seen in page.responses:
        if seen.resource_type not in DATA_CALLS:
            continue
        if refused and _bare(seen.url) in refused:
            continue
        if allowed is not None and not _host_in(seen.url, allowed):
            continue
        url = _bare(seen.url)
        details = {"status": seen.status, "response_url": url}
        if seen.status == 0 and seen.failure in _NOT_THE_INSTITUTION:
            continue  # aborted or refused on our side (a redirect to a refused host)
        if seen.status == 0:
            reason = seen.failure if seen.failure in NAVIGATION_KINDS else "network"
            return Unavailable(f"a data request of the page got no answer ({seen.failure})",
                               reason=reason, step=step, url=url,
                               details={**details, "navigation_error": seen.failure})
        if seen.status == 429:
            return Blocked(f"the institution's API is rate limiting us (HTTP 429 from {url})",
                           reason="rate_limited", step=step, url=url,
                           retry_after=retry_after_seconds(seen.headers), details=details)
        if seen.status >= 500:
            return Unavailable(f"the institution's API answered HTTP {seen.status} ({url})",
                               reason="server_error", step=step, url=url,
                               retry_after=retry_after_seconds(seen.headers), details=details)
    return None


def classify_status(page: PageSnapshot, *, step: str) -> SyncError | None:
    status = page.status
    if status is not None and status < 400 and page.empty_document:
        return Unavailable(f"the institution answered HTTP {status} with an empty page",
                           reason="empty_page", step=step, url=page.url,
                           details={"status": status})
    if status is None or status < 400:
        return None
    retry = retry_after_seconds(page.headers)
    if status == 429:
        return Blocked("the institution is rate limiting us (HTTP 429)", reason="rate_limited",
                       step=step, url=page.url, retry_after=retry)
    if status in (401, 403):
        return Blocked(f"access refused (HTTP {status})", reason=f"http_{status}", step=step,
                       url=page.url, details={"status": status})
    if status >= 500:
        return Unavailable(f"the institution answered HTTP {status}", reason="server_error",
                           step=step, url=page.url, retry_after=retry,
                           details={"status": status})
    return None


def _rule_retry_after(rule: Rule, page: PageSnapshot, seen: ResponseSeen | None) -> int | None:
    if rule.retry_after:
        found = select(page.selector, rule.retry_after).get()
        value = "" if found is None else clean_text(found)
        if value.isdigit():
            return int(value)
    return retry_after_seconds(seen.headers if seen is not None else page.headers)


def _default_message(kind: str, rule: Rule, page: PageSnapshot,
                     seen: ResponseSeen | None) -> str:
    if seen is not None:
        return (f"the institution's answer means {kind.replace('_', ' ')} "
                f"(HTTP {seen.status} from {_bare(seen.url)})")
    what = rule.text or rule.css or rule.url or f"HTTP {page.status}"
    return f"the page shows {kind.replace('_', ' ')} ({what})"


def _host_in(url: str, allowed: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and any(host == p or (p.startswith("*.") and host.endswith(p[1:]))
                              for p in allowed)


def _bare(url: str) -> str:
    return url.split("?")[0].split("#")[0]


def needed_bodies(rules: list[tuple[str, Rule]], conditions: list[Condition],
                  page: PageSnapshot) -> list[int]:
    """Indices of the answers whose body a rule or condition will read."""
    matches = [c.response for _, c in rules if c.response is not None and c.response.text]
    matches += [c.response for c in conditions if c.response is not None and c.response.text]
    wanted = []
    for index, seen in enumerate(page.responses):
        if index not in page.bodies and any(
                bounded_search(m.url, seen.url) is not None for m in matches):
            wanted.append(index)
    return wanted
