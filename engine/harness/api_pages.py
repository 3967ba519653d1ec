"""An API recording's answers as pages ``engine check`` can read, like a browser recording's
snapshots.

Why: an API recipe is recorded as a vcrpy cassette (every request and its JSON answer), not
as snapshots, so the fast check had nothing to read and said so. Yet the answers *are* the
recipe's pages: the account list, each account's balances, each page of its transactions.
Here each recorded answer is assigned to the block that asked for it — by the block's
``goto`` rendered for each account the account list gives, then from page to page by the
block's own ``next_page`` — and written as a snapshot with an index, so every rule of the
check applies (values against expected.json per page and field, the runner's refusals, the
built models, a history that stops before the recording's last page). Answers of a list that
its next links no longer reach keep their page numbers after the reachable ones, so a lost
next link reads as a truncated history.

Nothing is written in the fixture: the pages live in a temporary folder for one check. The
counts "at recording" are those of the answers themselves (a cassette keeps no others).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import yaml

from engine.extraction.records import extract_list, extract_next
from engine.harness.fixture import EXPECTED, INDEX, META, SNAPSHOTS, Fixture, load_fixture
from engine.harness.pages import next_facts
from engine.harness.snapshots import template_context
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from engine.recipe.templates import TemplateError, render

CASSETTE = "cassette.yaml"


@dataclass(frozen=True)
class Answer:
    number: int
    """The interaction's place in the cassette (1-based): how snapshots are named."""
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    text: str

    @property
    def url(self) -> str:
        return self.path + ("?" + "&".join(f"{k}={v}" for k, v in self.query)
                            if self.query else "")


def _key(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    return parts.path, tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def answers(folder: Path) -> list[Answer]:
    """The cassette's successful JSON answers, in recorded order."""
    path = folder / CASSETTE
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for number, item in enumerate(data.get("interactions") or [], 1):
        request, response = item.get("request") or {}, item.get("response") or {}
        headers = {str(k).lower(): v for k, v in (response.get("headers") or {}).items()}
        kind = " ".join(map(str, headers.get("content-type") or []))
        status = int((response.get("status") or {}).get("code") or 0)
        body = (response.get("body") or {}).get("string")
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        if status == 200 and "json" in kind and isinstance(body, str):
            path_, query = _key(str(request.get("uri", "")))
            out.append(Answer(number, str(request.get("method", "GET")), path_, query, body))
    return out


def _blocks(recipe: Recipe) -> list[tuple[str, ListBlock]]:
    found = recipe.section_blocks("accounts")
    if recipe.api is not None and recipe.api.balances is not None:
        found.append(("balances", recipe.api.balances))
    return found + recipe.section_blocks("transactions") + recipe.section_blocks("holdings")


@dataclass
class _Page:
    stage: str
    block: ListBlock
    answer: Answer
    account: dict[str, Any] | None
    number: int


def assign(recipe: Recipe, fixture: Fixture, found: list[Answer]) -> list[_Page]:
    """Each answer a block asked for, with its account and page number."""
    pages: list[_Page] = []
    accounts: list[dict[str, Any]] = []
    used: set[int] = set()
    for stage, block in _blocks(recipe):
        if block.format != "json" or not block.goto:
            continue
        owners: list[dict[str, Any] | None] = [None] if not block.for_each else list(accounts)
        for account in owners:
            chain = _chain(block, fixture, found, account, used,
                           recipe.api.cursor_param if recipe.api is not None else None)
            for number, answer in enumerate(chain, 1):
                pages.append(_Page(stage, block, answer, account, number))
                if stage.startswith("accounts"):
                    accounts.extend(_records(recipe, fixture, block, answer, None))
    return pages


def _records(recipe: Recipe, fixture: Fixture, block: ListBlock, answer: Answer,
             account: dict[str, Any] | None) -> list[dict[str, Any]]:
    extraction = extract_list(answer.text, block, template_context(fixture.meta, account),
                              institution=recipe.institution)
    return [dict(r) for r in extraction.records if r.get("id") is not None]


def _following(current: Answer, found: str, cursor: str | None) -> list[str]:
    """Where a next link leads: joined to the page's URL, or (an API's cursor parameter)
    the page's URL with the cursor set."""
    out = [urljoin(current.url, found)]
    if cursor:
        query = [(k, v) for k, v in current.query if k != cursor] + [(cursor, found)]
        out.append(current.path + "?" + "&".join(f"{k}={v}" for k, v in query))
    return out


def _chain(block: ListBlock, fixture: Fixture, found: list[Answer],
           account: dict[str, Any] | None, used: set[int],
           cursor: str | None = None) -> list[Answer]:
    """Page 1 (the block's goto for this account), the pages its next links reach, then
    the other recorded answers for the same path (pages no next link reaches now)."""
    try:
        first = render(block.goto or "", template_context(fixture.meta, account))
    except TemplateError:
        return []
    path, query = _key(first)
    by_key = {(a.path, a.query): a for a in found if a.number not in used}
    start = by_key.get((path, query)) or next(
        (a for a in found if a.path == path and a.number not in used
         and set(query) <= set(a.query)), None)
    chain: list[Answer] = []
    current = start
    while current is not None and current not in chain:
        chain.append(current)
        used.add(current.number)
        following = extract_next(current.text, block)
        current = next((by_key[_key(u)] for u in _following(current, following, cursor)
                        if _key(u) in by_key), None) if following else None
    chain += [a for a in found if a.path == path and a.number not in used and a not in chain]
    used.update(a.number for a in chain)
    return chain


def _entry(recipe: Recipe, fixture: Fixture, page: _Page) -> dict[str, Any]:
    extraction = extract_list(page.answer.text, page.block,
                              template_context(fixture.meta, page.account),
                              institution=recipe.institution)
    return {"file": f"{page.answer.number:03d}-{page.stage}.json", "stage": page.stage,
            "account_id": str(page.account["id"]) if page.account else None,
            "page_number": page.number, "url": page.answer.url, "rows": extraction.rows,
            "records": len(extraction.records),
            "fields": {k: s.matched for k, s in extraction.fields.items()},
            "next": next_facts(page.block, page.answer.text)}


@contextlib.contextmanager
def checkable(recipe: Recipe, fixture: Fixture) -> Iterator[Fixture | None]:
    """The API fixture with its cassette's answers as snapshots (in a temporary folder), or
    None when it has snapshots already or no answer any block asked for."""
    if fixture.snapshots or fixture.meta.get("kind") != "api":
        yield None
        return
    pages = assign(recipe, fixture, answers(fixture.path))
    if not pages:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="engine-check-api-") as tmp:
        folder = Path(tmp) / fixture.path.name
        (folder / SNAPSHOTS).mkdir(parents=True)
        for name in (META, EXPECTED, CASSETTE):
            if (fixture.path / name).exists():
                shutil.copy(fixture.path / name, folder / name)
        entries = [_entry(recipe, fixture, page) for page in pages]
        for entry, page in zip(entries, pages, strict=True):
            (folder / SNAPSHOTS / entry["file"]).write_text(page.answer.text, encoding="utf-8")
        (folder / SNAPSHOTS / INDEX).write_text(json.dumps(entries, indent=1),
                                                encoding="utf-8")
        yield load_fixture(folder)


__all__ = ["Answer", "answers", "assign", "checkable"]
