"""What ``engine check`` verifies beyond a block's rows and fields: the controls the runner
acts on before reading (a tab to click, an account to choose, an element to wait for), and
each part of a row selector written as a group.

Why these need their own rules: the snapshot is the page *after* the block's steps ran, and
the recording's answer is the page *before*; the steps ran at recording time (the snapshot
exists), so each step's element was on one of the two. A step selector that matches neither
now is a step that would fail — a renamed tab, a renamed account drop-down — although every
row and field still matches the saved page. Likewise, a row selector written as a group
(``tr.stavka, tr.stavka-opis``: two rows per record) keeps matching when one of its parts is
renamed; the rows it finds fall, and the part that matches nothing is the cause.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.extraction.records import count_matches, is_xpath
from engine.harness.har import exchange_html
from engine.recipe.lists import ListBlock


@dataclass(frozen=True)
class Control:
    """One selector the runner acts on in a block, on one snapshot."""

    name: str
    """``transactions[0].steps[0] click``, ``transactions.wait_for``."""
    selector: str
    now: int
    """Matches on the page as read (the snapshot)."""
    served: int | None
    """Matches on the page as the recording served it (None: no such answer)."""

    @property
    def broken(self) -> bool:
        return self.now == 0 and not self.served

    @property
    def reason(self) -> str:
        served = ("" if self.served is None else " nor on the page as served")
        return f"matches nothing on the page as read{served}: the runner would stop here"


def served_pages(exchanges: Iterable[dict[str, object]]) -> dict[str, list[str]]:
    """The recording's HTML answers by path: the pages before any step ran on them."""
    out: dict[str, list[str]] = {}
    for exchange in exchanges:
        body = exchange_html(exchange)
        if body is not None:
            out.setdefault(urlsplit(str(exchange.get("url", ""))).path, []).append(body)
    return out


def _count(document: str, selector: str) -> int:
    with contextlib.suppress(Exception):
        return count_matches(document, selector)
    return 0


def controls(block: ListBlock, stage: str, html: str, served: list[str]) -> list[Control]:
    """The block's unconditional step selectors and its ``wait_for``, counted on the
    snapshot and on the recorded answers for its URL (HTML blocks only)."""
    if block.format != "html":
        return []
    wanted: list[tuple[str, str]] = []
    for index, step in enumerate(block.steps):
        if step.when is not None:
            continue
        label = step.label(f"{stage}.steps[{index}]")
        wanted.extend((label, selector) for _path, selector, optional in step.selectors()
                      if not optional)
    if block.wait_for:
        wanted.append((f"{stage}.wait_for", block.wait_for))
    out = []
    for name, selector in wanted:
        on_served = max((_count(d, selector) for d in served), default=None) if served \
            else None
        out.append(Control(name, selector, _count(html, selector), on_served))
    return out


def group_parts(selector: str) -> list[str]:
    """The parts of a CSS selector group (``a, b``); a single selector is one part."""
    if is_xpath(selector):
        return [selector]
    parts, depth, quote, current = [], 0, "", ""
    for char in selector:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return [p for p in parts if p]


def lost_part(block: ListBlock, html: str, recorded_rows: int, rows_now: int) -> str | None:
    """The part of a grouped row selector that matches nothing now, when the rows fell."""
    if block.format != "html" or rows_now >= recorded_rows:
        return None
    parts = group_parts(block.each)
    if len(parts) < 2:
        return None
    return next((p for p in parts if _count(html, p) == 0), None)


__all__ = ["Control", "controls", "group_parts", "lost_part", "served_pages"]
