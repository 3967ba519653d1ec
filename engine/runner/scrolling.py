"""Reading an infinite, *virtualized* list: scroll one viewport at a time, keep every row that
passes by its identity, stop at the bottom when nothing new comes.

A virtualized list (react-window, react-virtuoso, Banco Aurora's statement) keeps only the
rows near its viewport in the DOM: rows scrolled away are removed, so the final page holds the
last screenful only, and scrolling straight to the end skips every row in between. So the
list is scrolled by most of a viewport at a time (consecutive screens overlap), each screen's
rows are collected by the key the block declares (``scroll: {key: "::attr(data-id)"}``), and
the page handed to extraction is the final DOM with *all* collected rows put back where the
rows were, in the order they were first seen. Extraction stays pure and unchanged, and the
recorded snapshot is that merged page, so ``engine check`` reads what the sync read.

The list is complete when a step no longer moves the viewport (its bottom), no new row came
after the page settled (a page being fetched counts as not settled), and the block's ``end``
marker, if it has one, is shown. A list that stops growing without its end marker fails
rather than passing for a shorter history; the scroll budget (``max``) running out is a
warning, like the load-more budget.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from lxml import etree, html
from parsel import Selector

from engine.errors import RecipeBroken
from engine.extraction.fields import node_text
from engine.extraction.records import select
from engine.recipe.compile import render_selector
from engine.recipe.lists import ListBlock
from engine.recipe.templates import Context
from engine.runner.context import SyncContext

QUIET_AFTER_SCROLL = 2.0
"""Longest wait for a screen to settle after one scroll step (a page fetch in flight)."""
END_POLL = 0.2


@dataclass
class RowAccumulator:
    """The rows of one list seen so far, by identity, in first-seen order. Pure: HTML in."""

    block: ListBlock
    context: Context
    step: str = ""
    rows: dict[str, str] = field(default_factory=dict)
    """Row key -> the row's outer HTML as it was first seen."""

    def add(self, page: str) -> int:
        """Collect the rows ``page`` shows; the number that were new."""
        assert self.block.scroll is not None and self.block.scroll.key is not None
        key_selector = self.block.scroll.key
        before = len(self.rows)
        for index, row in enumerate(self._present(Selector(text=page, type="html"))):
            found = select(row, key_selector)
            key = node_text(found[0]).strip() if found else ""
            if not key:
                raise RecipeBroken(f"row {index + 1} on screen has no identity at scroll.key "
                                   f"{key_selector!r}: rows of a virtualized list cannot be "
                                   "collected without one", reason="scroll_key_missing",
                                   step=self.step or None, selector=key_selector)
            self.rows.setdefault(key, row.get())
        return len(self.rows) - before

    def document(self, page: str) -> str:
        """``page`` with its rows replaced by every row collected, where its first row was."""
        root = Selector(text=page, type="html")
        present = [r.root for r in self._present(root)]
        if not present or not self.rows:
            return page
        parent = present[0].getparent()
        if parent is None:
            return page
        position = parent.index(present[0])
        for element in present:
            owner = element.getparent()
            if owner is not None:
                _remove_keeping_tail(owner, element)
        for offset, markup in enumerate(self.rows.values()):
            parent.insert(position + offset, html.fragment_fromstring(markup))
        return str(etree.tostring(root.root.getroottree(), method="html", encoding="unicode"))

    def _present(self, root: Selector) -> list[Selector]:
        return [r for r in select(root, render_selector(self.block.each, self.context))
                if not isinstance(r.root, str)]


def _remove_keeping_tail(parent: Any, element: Any) -> None:
    """Remove an element without losing the text that follows it."""
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


async def read_virtualized(ctx: SyncContext, block: ListBlock, step: str, page: str,
                           account: dict[str, Any] | None) -> str:
    """Scroll ``block``'s list to its end one viewport at a time; the merged page."""
    scroll = block.scroll
    assert scroll is not None and scroll.key is not None
    backend, timeout = ctx.backend, ctx.step_timeout
    rows = RowAccumulator(block, ctx.template_context(account), step)
    rows.add(page)
    for _ in range(scroll.max):
        moved = await backend.scroll(scroll.css, timeout=timeout, step=True)
        page = (await ctx.check(step)).html
        if rows.add(page) or moved:
            continue  # the screen moved on: rows a fetch brings come into later screens
        # At the bottom with nothing new: let a page of rows still being fetched land first.
        settled = await backend.settle(timeout=min(timeout, QUIET_AFTER_SCROLL))
        page = (await ctx.check(step)).html
        if rows.add(page) or not settled:
            continue  # never judge the end while the page is still busy
        final = await _await_end(ctx, rows, step, page)
        if final is None:
            continue  # more rows came after all: keep scrolling
        return rows.document(final)
    ctx.warnings.append(f"{step}: still more rows after {scroll.max} scrolls; read the "
                        f"{len(rows.rows)} rows seen")
    return rows.document(page)


async def _await_end(ctx: SyncContext, rows: RowAccumulator, step: str, page: str) -> str | None:
    """At the bottom with nothing new: the end, once the end marker (if any) shows. None when
    new rows arrived meanwhile."""
    scroll = rows.block.scroll
    assert scroll is not None
    if scroll.end is None or select(Selector(text=page, type="html"), scroll.end):
        return page
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ctx.step_timeout
    while loop.time() < deadline:
        await asyncio.sleep(END_POLL)
        page = (await ctx.check(step)).html
        if rows.add(page):
            return None
        if select(Selector(text=page, type="html"), scroll.end):
            return page
    raise ctx.not_found(step, scroll.end, f"the list stopped growing after {len(rows.rows)} "
                        "rows but never showed its end marker")
