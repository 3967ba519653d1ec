"""``engine import``: turn pages saved from a real bank (or answers saved from an app) into a
fixture scenario that ``engine check`` passes, in one command.

Why: the pages an author has are the ones a customer's browser saved — a statement page
saved with "Save page as…", a HAR exported from DevTools, the JSON an app received, an OFX
download. Hand-making a fixture from them (meta.json, an index with seven keys per page, an
expected result) is an hour of scaffolding and a traceback at the first missing key.

What it does, in order:

1. reads every source (``import_sources``);
2. assigns each page to a stage of the recipe by trying the recipe's own blocks on it (the
   one whose row selector and fields find the most), orders a list's pages by their next
   links, and finds which account a per-account page belongs to (the accounts page's links,
   or the block's ``goto`` template); a page no stage reads fails the import, naming what
   was tried on it; a page the login steps act on is kept as a login page;
3. scrubs everything through the privacy module and the recording scrubber
   (``engine/privacy``, ``harness/scrub.py``) — names, e-mails, phones, IBANs, cards, tokens,
   cookies, the recipe's ``mask: true`` fields and ``scrub`` rules — before writing;
4. writes the fixture and ``expected.json`` from a first extraction through the output models,
   for the author to review, then runs ``engine check`` and the secret audit on it.

An imported scenario has no complete recording of a sync (``meta.json`` ``kind: imported``):
check reads it; replay and the canary's browser half leave it alone.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from engine import __version__
from engine.extraction.records import Extraction, extract_list, extract_next
from engine.harness import fixture as fx
from engine.harness import login_pages
from engine.harness.check import ScenarioCheck, check_fixture
from engine.harness.check_values import build, walk
from engine.harness.fixture import Exchange
from engine.harness.har import write_har
from engine.harness.import_sources import ImportError_, Source, read_sources
from engine.harness.pages import next_facts
from engine.harness.scrub import plan_scrub
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from engine.recipe.templates import template_references

IMPORTED_ORIGIN = "https://imported.invalid"


@dataclass
class Placed:
    """A source assigned to a stage."""

    source: Source
    stage: str
    block: ListBlock
    extraction: Extraction
    account_id: str | None = None
    page_number: int = 1
    path: str = ""
    """The page's origin-relative URL (or the source's name)."""


@dataclass
class ImportResult:
    folder: Path
    placed: list[Placed] = field(default_factory=list)
    login: list[Source] = field(default_factory=list)
    check: ScenarioCheck | None = None
    audit: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check is not None and self.check.ok and not self.audit


class NoStage(ImportError_):
    """A page no stage of the recipe reads."""


def _score(extraction: Extraction) -> float:
    """Rows found × share of the fields found; 0 unless half the fields or more are found
    (a block whose row selector fits anything, JSON's ``@``, must not claim every page)."""
    if extraction.document_error or not extraction.rows:
        return 0.0
    fields = extraction.fields
    found = sum(1 for s in fields.values() if s.matched) / max(len(fields), 1)
    if found < 0.5:
        return 0.0
    return extraction.rows * found - len(extraction.problems) * 0.01


def place(recipe: Recipe, source: Source) -> Placed | None:
    """The stage whose block reads the most from the page (None: none reads anything)."""
    best: tuple[float, Placed] | None = None
    for stage, block in recipe.blocks():
        if block.format != source.kind:
            continue
        extraction = extract_list(source.text, block, _context(None),
                                  institution=recipe.institution)
        score = _score(extraction)
        if score > 0 and (best is None or score > best[0]):
            best = (score, Placed(source, stage, block, extraction))
    return best[1] if best else None


def _context(account: dict[str, Any] | None) -> Any:
    return {"account": account or {"id": ""}, "credentials": {}, "vars": {}, "origins": {},
            "institution": {}, "options": {"since": "", "until": "", "today": ""}}


def _tried(recipe: Recipe, source: Source) -> str:
    parts = []
    for stage, block in recipe.blocks():
        if block.format != source.kind:
            parts.append(f"{stage} (reads {block.format}, the page is {source.kind})")
            continue
        extraction = extract_list(source.text, block, _context(None),
                                  institution=recipe.institution)
        parts.append(f"{stage}.each `{block.each}` matched {extraction.rows}"
                     + (f" ({extraction.document_error})" if extraction.document_error else ""))
    return "; ".join(parts)


ACTIONS = ("fill", "keypad", "click", "select", "press", "otp")


def _is_login(recipe: Recipe, source: Source) -> bool:
    """A page a login step acts on (fills, clicks) — not one an ``expect`` merely checks,
    which every page after the login passes."""
    return source.kind == "html" and any(
        login_pages.safe_count(source.text, selector)
        for step, selector in login_pages.login_selectors(recipe)
        if step.rsplit(" ", 1)[-1] in ACTIONS)


def _path(url: str, name: str) -> str:
    parts = urlsplit(url)
    if not parts.scheme:
        return url or "/" + Path(name.split(": ")[-1]).name
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")


def _origin(sources: list[Source], base_url: str | None) -> str:
    if base_url:
        return fx.origin(base_url)
    for source in sources:
        if urlsplit(source.url).scheme in ("http", "https"):
            return fx.origin(source.url)
    return IMPORTED_ORIGIN


# ----------------------------------------------------------------------------- accounts, pages

def _goto_pattern(template: str) -> re.Pattern[str] | None:
    """``/compte/{{ account.id }}/titres`` → a regex capturing the id from a URL path."""
    if not template or not any(ns == "account" for ns, _ in template_references(template)):
        return None
    pieces = re.split(r"\{\{\s*account\.(\w+)\s*\}\}", template)
    pattern = ""
    for index, piece in enumerate(pieces):
        pattern += re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/?#]+)"
    return re.compile(pattern.split(r"\?")[0] + r"(?:[?#]|$)")


def assign_accounts(recipe: Recipe, placed: list[Placed]) -> list[str]:
    """Which account each per-account page belongs to; notes for the guesses."""
    notes: list[str] = []
    accounts = [r for p in placed if p.stage.startswith("accounts")
                for r in p.extraction.records if r.get("id")]
    for page in placed:
        if page.stage.startswith("accounts"):
            continue
        page.account_id = _account_of(page, accounts)
        if page.account_id is None:
            page.account_id = "account-1"
            notes.append(f"{page.source.name}: which account it belongs to is not said by the "
                         f"page; named 'account-1' (rename it in snapshots/index.json)")
    return notes


def _account_of(page: Placed, accounts: list[dict[str, Any]]) -> str | None:
    path = page.path.split("#")[0]
    for record in accounts:
        url = str(record.get("url") or "")
        if url and urlsplit(urljoin("/", url)).path == urlsplit(path).path:
            return str(record["id"])
    pattern = _goto_pattern(page.block.goto or "")
    if pattern is not None:
        found = pattern.search(urlsplit(path).path)
        if found:
            values = found.groupdict()
            if "id" in values:
                return values["id"]
            for record in accounts:
                if all(str(record.get(k)) == v for k, v in values.items()):
                    return str(record["id"])
    ids = [str(r["id"]) for r in accounts]
    return ids[0] if len(ids) == 1 else None


def order_pages(placed: list[Placed]) -> None:
    """Page numbers within each list, from the next links (page 2 is where page 1 leads)."""
    groups: dict[tuple[str, str | None], list[Placed]] = {}
    for page in placed:
        groups.setdefault((page.stage, page.account_id), []).append(page)
    for group in groups.values():
        by_path = {urlsplit(p.path).path + "?" + urlsplit(p.path).query: p for p in group}
        following: dict[int, Placed] = {}
        for page in group:
            target = extract_next(page.source.text, page.block)
            if target:
                joined = urlsplit(urljoin(page.path, target))
                nxt = by_path.get(joined.path + "?" + joined.query)
                if nxt is not None and nxt is not page:
                    following[id(page)] = nxt
        pointed = {id(p) for p in following.values()}
        ordered: list[Placed] = []
        for start in [p for p in group if id(p) not in pointed]:
            current: Placed | None = start
            while current is not None and current not in ordered:
                ordered.append(current)
                current = following.get(id(current))
        ordered += [p for p in group if p not in ordered]
        for number, page in enumerate(ordered, 1):
            page.page_number = number


# ----------------------------------------------------------------------------- writing

def _exchange(source: Source) -> Exchange:
    ex = source.exchange or {}
    ctype = {"html": "text/html; charset=utf-8", "json": "application/json",
             "xml": "application/xml", "ofx": "application/x-ofx"}[source.kind]
    return Exchange(method=str(ex.get("method", "GET")), url=source.url or "/",
                    resource_type=str(ex.get("resource_type", "document")), via="browser",
                    request_headers=dict(ex.get("request_headers") or {}),
                    post_data=ex.get("post_data"), status=int(ex.get("status") or 200),
                    headers=dict(ex.get("headers") or {"content-type": ctype}),
                    body=source.text.encode("utf-8"))


def _masked(recipe: Recipe, sources: list[Source]) -> list[str]:
    """Raw values of ``mask: true`` fields on any page a block reads, whatever format the
    page shows them in: what the recipe hides in its output is hidden on disk too."""
    out = []
    for source in sources:
        for _stage, block in recipe.blocks():
            specs = block.field_specs()
            names = [n for n, s in specs.items() if s.mask]
            if not names or block.format != source.kind:
                continue
            plain = block.model_copy(update={"fields": {
                n: s.model_copy(update={"mask": False}) if n in names else s
                for n, s in specs.items()}})
            extraction = extract_list(source.text, plain, _context(None),
                                      institution=recipe.institution)
            out += [str(r[n]) for r in extraction.records for n in names if r.get(n)]
    return out


def import_pages(recipe: Recipe, recipe_path: Path, sources: list[Path], fixtures: Path, *,
                 scenario: str = "imported", base_url: str | None = None,
                 reference: date | None = None, force: bool = False) -> ImportResult:
    """Import ``sources`` as ``fixtures/<institution>/<scenario>/``; raises ``ImportError_``
    (``NoStage`` for a page no stage reads) before writing anything."""
    read = _distinct(read_sources(sources))
    folder = fixtures / recipe.institution.id / scenario
    if folder.exists() and not force:
        raise ImportError_(f"{folder} exists: choose another --scenario or pass --force")
    base = _origin(read, base_url)
    exchanges = [_exchange(s) for s in read]
    # scrubbed first, everything after reads the scrubbed pages: an account id masked on the
    # accounts page is the same id in every later page and in expected.json
    scrub = plan_scrub(recipe, {}, exchanges, [s.text for s in read],
                       _masked(recipe, read))
    clean = [Source(s.name, scrub.text(s.url), s.kind, scrub.text(s.text), s.exchange)
             for s in read]
    placed: list[Placed] = []
    login: list[Source] = []
    for source in clean:
        page = place(recipe, source)
        if page is None:
            if _is_login(recipe, source):
                login.append(source)
                continue
            if source.exchange is not None:
                continue  # a HAR holds every answer of a visit: not each is a list page
            raise NoStage(f"{source.name}: no stage of {recipe.institution.id} reads this "
                          f"{source.kind} page: {_tried(recipe, source)}")
        page.path = _path(source.url, source.name)
        placed.append(page)
    if not placed:
        raise NoStage("none of the sources is a page the recipe reads (a list of accounts, "
                      "transactions or holdings)")
    result = ImportResult(folder, placed, login)
    result.notes += assign_accounts(recipe, placed)
    order_pages(placed)
    result.notes += _collisions(placed)
    _write(recipe, recipe_path, read, exchanges, scrub, result, base, scenario,
           reference or date.today())
    result.check = check_fixture(recipe, fx.load_fixture(folder))
    from engine.harness.audit import audit_paths

    result.audit = [str(f) for f in audit_paths([folder])]
    return result


def _distinct(sources: list[Source]) -> list[Source]:
    """The same answer saved twice (a HAR holds a page's data for each visit) once."""
    seen: set[tuple[str, str]] = set()
    out = []
    for source in sources:
        key = (source.url, source.text)
        if key not in seen:
            seen.add(key)
            out.append(source)
    return out


def _collisions(placed: list[Placed]) -> list[str]:
    ids = [str(r.get("id")) for p in placed if p.stage.startswith("accounts")
           for r in p.extraction.records if r.get("id")]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    return [f"account id {i!r} is shared by {ids.count(i)} accounts once masked: their pages "
            "are told apart by their addresses, review expected.json" for i in twice]


def _write(recipe: Recipe, recipe_path: Path, read: list[Source], exchanges: list[Exchange],
           scrub: Any, result: ImportResult, base: str, scenario: str,
           reference: date) -> None:
    """Write the (already scrubbed) pages, the index, meta, expected.json; the HAR's own
    exchanges go through the recording scrubber like a recording's."""
    placed = result.placed
    staging = result.folder.with_name(f".{result.folder.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / fx.SNAPSHOTS).mkdir(parents=True)
    entries = []
    ordered = sorted(placed, key=lambda p: (not p.stage.startswith("accounts"), p.stage,
                                            p.account_id or "", p.page_number))
    for number, page in enumerate(ordered, 1):
        name = f"{number:03d}-{page.stage}{fx.SUFFIXES.get(page.block.format, '.html')}"
        text = page.source.text
        (staging / fx.SNAPSHOTS / name).write_text(text, encoding="utf-8")
        account = page.account_id
        extraction = extract_list(text, page.block, _context({"id": account or ""}),
                                  reference=reference, institution=recipe.institution)
        following = next_facts(page.block, text)
        entries.append({
            "file": name, "stage": page.stage, "account_id": account,
            "page_number": page.page_number, "url": page.path,
            "rows": extraction.rows, "records": len(extraction.records),
            "fields": {k: s.matched for k, s in extraction.fields.items()},
            "next": following})
    fx.write_json(staging / fx.SNAPSHOTS / fx.INDEX, entries)
    meta: dict[str, Any] = {
        "institution": recipe.institution.id, "scenario": scenario, "kind": "imported",
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recipe": fx.recipe_ref(recipe_path, result.folder), "recipe_hash": "",
        "engine_version": __version__, "base_url": base, "credentials": {},
        "otp_code": None, "reference_date": reference.isoformat(), "expected_error": None,
        "outcome": "ok", "site": None, "scrub_notes": sorted(set(scrub.notes)),
        "imported_from": [scrub.text(s.name) for s in read], "login_pages": []}
    for number, source in enumerate(result.login, 1):
        login_name = f"login-{number:02d}.html"
        (staging / fx.SNAPSHOTS / login_name).write_text(source.text, "utf-8")
        meta["login_pages"].append({"file": login_name, "url": login_pages.dom_key(
            _path(source.url, source.name))})
    fx.write_json(staging / fx.META, meta)
    pages = login_pages.saved_documents(staging, meta)
    meta["login_selectors"] = login_pages.as_json(login_pages.measure(recipe, pages))
    fx.write_json(staging / fx.META, meta)
    if any(s.exchange is not None for s in read):
        bodies: dict[str, int] = {}
        write_har(staging / fx.EXCHANGES, [fx.exchange_json(i, ex, scrub, base, bodies)
                                           for i, ex in enumerate(exchanges, 1)
                                           if read[i - 1].exchange is not None], base,
                  comment=f"imported, scrubbed: {recipe.institution.id}/{scenario}")
    fixture = fx.load_fixture(staging)
    view = build(recipe, fixture, walk(recipe, fixture)).view
    fx.write_json(staging / fx.EXPECTED, {
        "institution": recipe.institution.id, **view, "warnings": [],
        "account_failures": [], "error": None})
    fx.replace_dir(staging, result.folder)


__all__ = ["IMPORTED_ORIGIN", "ImportResult", "NoStage", "Placed", "assign_accounts",
           "import_pages", "order_pages", "place"]
