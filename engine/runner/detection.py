"""Classify what a page says: the recipe's ``detect`` rules first, then built-in statuses.

Pure functions over a ``PageSnapshot`` (URL, status, headers, HTML), so the same rules run on a
live page, on a recorded snapshot, and in unit tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC

from parsel import Selector

from engine.errors import Blocked, SyncError, Unavailable, error_for
from engine.extraction.records import select
from engine.extraction.transforms import clean_text
from engine.recipe.model import Condition, Rule


@dataclass
class PageSnapshot:
    url: str
    status: int | None
    html: str
    headers: dict[str, str] = field(default_factory=dict)
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

    def has(self, selector: str) -> bool:
        return bool(select(self.selector, selector))


def retry_after_seconds(headers: dict[str, str]) -> int | None:
    value = headers.get("retry-after", "").strip()
    if value.isdigit():
        return int(value)
    if value:
        from datetime import datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0, int((when - datetime.now(UTC)).total_seconds()))
    return None


def condition_met(condition: Condition | Rule, page: PageSnapshot) -> bool:
    """All the conditions given hold on the page."""
    checks: list[bool] = []
    if condition.css is not None:
        checks.append(page.has(condition.css))
    if condition.text is not None:
        checks.append(clean_text(condition.text).lower() in page.text.lower())
    if condition.url is not None:
        checks.append(re.search(condition.url, page.url) is not None)
    if isinstance(condition, Rule) and condition.status is not None:
        checks.append(page.status in condition.status)
    return bool(checks) and all(checks)


def classify(rules: list[tuple[str, Rule]], page: PageSnapshot, *, step: str) -> SyncError | None:
    """The error the page shows, if any: first matching recipe rule, else the HTTP status."""
    for kind, rule in rules:
        if condition_met(rule, page):
            message = rule.message or _default_message(kind, rule, page)
            return error_for(kind, message, reason=rule.reason, step=step, url=page.url,
                             selector=rule.css, retry_after=_rule_retry_after(rule, page),
                             details={"status": page.status} if page.status else None)
    return classify_status(page, step=step)


def classify_status(page: PageSnapshot, *, step: str) -> SyncError | None:
    status = page.status
    if status is None or status < 400:
        return None
    retry = retry_after_seconds(page.headers)
    if status == 429:
        return Blocked("the institution is rate limiting us (HTTP 429)", reason="rate_limited",
                       step=step, url=page.url, retry_after=retry)
    if status in (401, 403):
        return Blocked(f"access refused (HTTP {status})", reason=f"http_{status}", step=step,
                       url=page.url)
    if status >= 500:
        return Unavailable(f"the institution answered HTTP {status}", reason="server_error",
                           step=step, url=page.url, retry_after=retry,
                           details={"status": status})
    return None


def _rule_retry_after(rule: Rule, page: PageSnapshot) -> int | None:
    if rule.retry_after:
        found = select(page.selector, rule.retry_after).get()
        value = "" if found is None else clean_text(found)
        if value.isdigit():
            return int(value)
    return retry_after_seconds(page.headers)


def _default_message(kind: str, rule: Rule, page: PageSnapshot) -> str:
    what = rule.text or rule.css or rule.url or f"HTTP {page.status}"
    return f"the page shows {kind.replace('_', ' ')} ({what})"
