"""``--suggest``: propose the repair of a recipe whose selector stopped matching, verified.

The harness has what a person fixing the recipe would use: the values the recording expects
(``expected.json``, attributed page by page), the new page, and the old selector. For every
selector the check found broken — a row selector, a field, a next link, a login step's
element — candidates are derived from the new page (``selector_repair``: names substituted
first, then the row's elements described simply), each is scored against what it must yield
(the expected values of every row of every page; the recorded next URL of every page; as many
login elements as at recording), the best are written into the recipe's YAML at the
selector's own line, and the *whole* patched recipe is run again: ``engine check`` over every
snapshot must then pass — values, counts and all — and, for a login selector, a browser replay
of the recording must reproduce expected.json. Only then is the patch shown, as a YAML diff.
A patch that was not verified is never shown.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import RecipeError
from engine.extraction.records import extract_list, extract_next
from engine.harness.check import CheckReport, ScenarioCheck, check_fixture
from engine.harness.check_values import attribute_expected
from engine.harness.fixture import Fixture, block_of, load_fixture
from engine.harness.har import read_exchanges
from engine.harness.login_pages import LoginSelector, fixture_documents, recorded, safe_count
from engine.harness.selector_repair import (
    Candidate,
    css_substitutions,
    jmes_substitutions,
    row_descendants,
    rows_of,
)
from engine.harness.snapshots import account_records, snapshot_path, template_context
from engine.recipe import Recipe, load_recipe
from engine.recipe.lists import ListBlock
from engine.recipe.loader import parse_recipe

if TYPE_CHECKING:
    from engine.api import Engine

TRIES = 3
"""Candidates tried per broken selector, best first, before giving up."""


@dataclass
class Target:
    """One broken selector and where it sits in the recipe."""

    kind: str
    """field, each, next or login."""
    step: str
    selector: str
    path: str
    """Dotted key path in the recipe (``transactions.fields.amount.css``)."""
    stage: str | None = None
    field: str | None = None
    page: str | None = None
    matched: int = 0


@dataclass
class Patch:
    """A verified repair: what changed, the YAML diff, and how it was verified."""

    institution: str
    scenario: str
    changes: list[tuple[str, str, str]]
    """(step, old selector, new selector)."""
    text: str
    diff: list[str] = field(default_factory=list)
    verified: str = ""

    def lines(self) -> list[str]:
        head = "; ".join(f"{step} `{old}` → `{new}`" for step, old, new in self.changes)
        return [f"SUGGEST {self.institution}/{self.scenario}: {head} (verified: {self.verified})",
                *self.diff]

    def as_json(self) -> dict[str, Any]:
        return {"institution": self.institution, "scenario": self.scenario,
                "changes": [{"step": s, "old": o, "new": n} for s, o, n in self.changes],
                "verified": self.verified, "diff": "".join(self.diff)}

    def write(self, path: Path) -> Path:
        path.write_text(self.text, encoding="utf-8")
        return path


# ----------------------------------------------------------------------------- targets

def targets(recipe: Recipe, scenario: ScenarioCheck, fixture: Fixture) -> list[Target]:
    """The broken selectors the check named, each once."""
    out: dict[tuple[str, str], Target] = {}
    logins = recorded(fixture.meta)
    for cause in scenario.causes:
        if not cause.step or not cause.selector:
            continue
        target = _target(recipe, cause.kind, cause.step, cause.selector, cause.page, logins)
        if target is not None:
            out.setdefault((target.step, target.selector), target)
    return list(out.values())


def _target(recipe: Recipe, kind: str, step: str, selector: str, page: str | None,
            logins: list[LoginSelector]) -> Target | None:
    if kind == "login":
        match = re.match(r"login\[(\d+)\]", step)
        if not match:
            return None
        index = int(match.group(1))
        path = next((p for p, s, _ in recipe.login[index].selectors() if s == selector), None)
        if path is None:
            return None
        found = next((r for r in logins if (r.step, r.selector, r.page) ==
                      (step, selector, page)), None)
        return Target("login", step, selector, f"login[{index}].{path}", page=page,
                      matched=found.matched if found else 1)
    stage, _, rest = step.partition(".")
    block = block_of(recipe, stage)
    if block is None:
        return None
    if kind == "selector" and rest == "each":
        return Target("each", step, selector, f"{stage}.each", stage)
    if kind == "selector" and rest.startswith("fields."):
        name = rest.removeprefix("fields.")
        raw = block.fields.get(name)
        spec = block.field_specs().get(name)
        if spec is None or spec.selector != selector:
            return None
        key = next((k for k in ("css", "path", "xpath") if getattr(spec, k, None)), "css")
        path = f"{stage}.fields.{name}" + ("" if isinstance(raw, str) else f".{key}")
        return Target("field", step, selector, path, stage, name)
    if kind == "truncated" and block.next_page == selector:
        return Target("next", f"{stage}.next_page", selector, f"{stage}.next_page", stage)
    return None


# ----------------------------------------------------------------------------- scoring

@dataclass
class _Pages:
    """The snapshots of one stage, read once: (info, text, context, expected items)."""

    items: list[tuple[Any, str, Any, list[dict[str, Any]]]]


def _stage_pages(recipe: Recipe, fixture: Fixture, stage: str) -> _Pages:
    expected = fixture.expected or {}
    page_of: dict[int, Any] = {}
    attribute_expected(fixture, expected, page_of)
    collection = "accounts" if stage.startswith("accounts") else stage
    accounts = account_records(recipe, fixture)
    out = []
    for info in fixture.snapshots:
        if info.stage != stage:
            continue
        path = snapshot_path(fixture.path, info)
        if not path.exists():
            continue
        mine = [i for i in expected.get(collection) or [] if isinstance(i, dict)
                and (facts := page_of.get(id(i))) is not None
                and (facts.stage, facts.account_id, facts.page_number) ==
                (info.stage, info.account_id, info.page_number)]
        account = accounts.get(info.account_id or "") if info.account_id else None
        context = template_context(fixture.meta, account or (
            {"id": info.account_id} if info.account_id else None))
        out.append((info, path.read_text(encoding="utf-8"), context, mine))
    return _Pages(out)


def _same(value: Any, expected: Any) -> bool:
    if value is None or expected is None:
        return value is expected
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        try:
            return Decimal(str(value)) == Decimal(str(expected))
        except InvalidOperation:
            return False
    if isinstance(value, date):
        return value.isoformat() == str(expected)
    if isinstance(value, bool):
        return bool(value == expected)
    return str(value).strip() == str(expected).strip()


def _score_block(recipe: Recipe, block: ListBlock, pages: _Pages,
                 names: list[str]) -> float:
    """Share of expected (row, field) values the block yields, over every page; -1 when
    the pages hold no expectation to score against."""
    good = total = 0
    for _info, text, context, expected in pages.items:
        try:
            extraction = extract_list(text, block, context, institution=recipe.institution)
        except Exception:
            return 0.0
        if len(extraction.records) != len(expected):
            total += max(len(expected), 1) * max(len(names), 1)
            continue
        for record, item in zip(extraction.records, expected, strict=True):
            for name in names:
                if name in item:
                    total += 1
                    good += _same(record.get(name), item[name])
    return good / total if total else -1.0


def _with_field(block: ListBlock, name: str, selector: str) -> ListBlock | None:
    spec = block.field_specs()[name]
    key = next((k for k in ("css", "path", "xpath") if getattr(spec, k, None)), "css")
    try:
        patched = spec.model_copy(update={key: selector})
    except Exception:
        return None
    return block.model_copy(update={"fields": {**block.field_specs(), name: patched}})


def _field_candidates(block: ListBlock, target: Target, pages: _Pages) -> list[Candidate]:
    documents = [text for _i, text, _c, _e in pages.items]
    if block.format == "json":
        return jmes_substitutions(target.selector, documents)
    found = css_substitutions(target.selector, documents)
    rows = [r for text in documents[:2] for r in rows_of(text, block.each)]
    from engine.harness.selector_repair import split_pseudo

    _base, pseudo = split_pseudo(target.selector)
    found += [Candidate(c.selector + pseudo, c.how) for c in row_descendants(rows)]
    return found


def _rank(candidates: list[tuple[float, Candidate]]) -> list[Candidate]:
    order = {"substitution": 0, "enumeration": 1, "dropped": 2}
    good = [(s, c) for s, c in candidates if s == 1.0]
    good.sort(key=lambda sc: (order.get(sc[1].how, 3), -sc[1].closeness(),
                              len(sc[1].selector)))
    return [c for _s, c in good]


def solve(recipe: Recipe, fixture: Fixture, target: Target) -> list[Candidate]:
    """Candidates for one target that yield what the recording expects, best first."""
    if target.kind == "login":
        return _solve_login(fixture, target)
    assert target.stage is not None
    block = block_of(recipe, target.stage)
    if block is None:
        return []
    pages = _stage_pages(recipe, fixture, target.stage)
    scored: list[tuple[float, Candidate]] = []
    if target.kind == "field" and target.field is not None:
        for candidate in _field_candidates(block, target, pages):
            patched = _with_field(block, target.field, candidate.selector)
            if patched is not None:
                score = _score_block(recipe, patched, pages, [target.field])
                scored.append((1.0 if score == -1.0 and candidate.how == "substitution"
                               and _fills(recipe, patched, pages, target.field) else score,
                               candidate))
    elif target.kind == "each":
        names = list(block.field_specs())
        documents = [text for _i, text, _c, _e in pages.items]
        candidates = (jmes_substitutions(target.selector, documents) if block.format == "json"
                      else css_substitutions(target.selector, documents))
        for candidate in candidates:
            patched = block.model_copy(update={"each": candidate.selector})
            scored.append((_score_block(recipe, patched, pages, names), candidate))
    elif target.kind == "next":
        documents = [text for _i, text, _c, _e in pages.items]
        candidates = (jmes_substitutions(target.selector, documents) if block.format == "json"
                      else css_substitutions(target.selector, documents))
        for candidate in candidates:
            scored.append((_score_next(block, candidate.selector, pages), candidate))
    return _rank(scored)


def _fills(recipe: Recipe, block: ListBlock, pages: _Pages, name: str) -> bool:
    """A field the expectation does not hold (a link): it must yield a value in every row."""
    for _info, text, context, _expected in pages.items:
        extraction = extract_list(text, block, context, institution=recipe.institution)
        if not extraction.records or any(not r.get(name) for r in extraction.records):
            return False
    return True


def _score_next(block: ListBlock, selector: str, pages: _Pages) -> float:
    try:
        patched = block.model_copy(update={"next_page": selector})
    except Exception:
        return 0.0
    good = total = 0
    for info, text, _context, _expected in pages.items:
        wanted = (info.next or {}).get("url") if info.next else None
        if info.next is None:
            continue
        total += 1
        got = extract_next(text, patched)
        good += (got or None) == (wanted or None) or bool(
            got and wanted and str(wanted).endswith(str(got)))
    return good / total if total else 0.0


def _solve_login(fixture: Fixture, target: Target) -> list[Candidate]:
    pages = fixture_documents(fixture.path, fixture.meta, read_exchanges(fixture.path))
    documents = pages.get(target.page or "", [])
    if not documents:
        return []
    scored = []
    for candidate in css_substitutions(target.selector, documents):
        count = max(safe_count(d, candidate.selector) for d in documents)
        scored.append((1.0 if count == target.matched else 0.0, candidate))
    return _rank(scored)


# ----------------------------------------------------------------------------- patching

def _offset(text: str, position: tuple[int, int]) -> int:
    lines = text.splitlines(keepends=True)
    line, column = position
    return sum(len(x) for x in lines[:line - 1]) + column - 1


def patch_text(text: str, recipe: Recipe, path: str, old: str, new: str) -> str | None:
    """``text`` with ``old`` replaced by ``new`` at the key ``path`` (quoted as needed)."""
    where = recipe.where(path)
    if where is None:
        return None
    line, column = (int(x) for x in where.rsplit(":", 2)[1:])
    start = _offset(text, (line, column))
    index = text.find(old, start)
    if index < 0:
        return None
    before = text[index - 1] if index else ""
    if before == '"':
        piece = json.dumps(new)[1:-1]
    elif before == "'":
        piece = new.replace("'", "''")
    elif re.search(r"[:#{}\[\],&*!|>'\"%@`]|^[-?]", new):
        piece = json.dumps(new)
    else:
        piece = new
    return text[:index] + piece + text[index + len(old):]


def _verify(recipe_path: Path, text: str, fixture: Fixture) -> Recipe | None:
    try:
        patched = parse_recipe(text, str(recipe_path), expect_id=recipe_path.stem)
    except RecipeError:
        return None
    return patched if check_fixture(patched, fixture).ok else None


async def _replays(recipe_path: Path, text: str, fixture: Fixture, engine: Engine) -> bool:
    import tempfile

    from engine.harness.replay import replay_scenario

    with tempfile.TemporaryDirectory(prefix="engine-suggest-") as tmp:
        path = Path(tmp) / recipe_path.name
        path.write_text(text, encoding="utf-8")
        outcome = await replay_scenario(path, fixture.path, engine=engine, step_timeout=3)
        return outcome.ok


def _prepare(recipe_path: Path, fixture_dir: Path) -> tuple[
        Recipe, Fixture, ScenarioCheck, list[Target], list[list[Candidate]], str] | None:
    """The check, its broken selectors and the best candidates for each (no I/O after)."""
    recipe = load_recipe(recipe_path)
    fixture = load_fixture(fixture_dir)
    scenario = check_fixture(recipe, fixture)
    if scenario.ok:
        return None
    wanted = targets(recipe, scenario, fixture)
    if not wanted:
        return None
    options = [solve(recipe, fixture, t)[:TRIES] for t in wanted]
    if any(not o for o in options):
        return None  # a broken selector with no candidate: no complete repair to verify
    return recipe, fixture, scenario, wanted, options, recipe_path.read_text(encoding="utf-8")


async def suggest_async(recipe_path: Path, fixture_dir: Path, *,
                        engine: Engine | None = None, browser: bool = False) -> list[Patch]:
    """A verified patch for the scenario's broken selectors, or nothing. A login selector's
    patch is verified by a browser replay: on ``engine``, or one started here when
    ``browser`` (without either, no login patch is proposed)."""
    prepared = _prepare(recipe_path, fixture_dir)
    if prepared is None:
        return []
    recipe, fixture, scenario, wanted, options, original = prepared
    logins = any(t.kind == "login" for t in wanted)
    for attempt in range(TRIES):
        chosen = [o[min(attempt, len(o) - 1)] for o in options]
        text: str | None = original
        for target, candidate in sorted(zip(wanted, chosen, strict=True),
                                        key=lambda tc: -_line(recipe, tc[0].path)):
            text = patch_text(text, recipe, target.path, target.selector,
                              candidate.selector) if text is not None else None
        if text is None or _verify(recipe_path, text, fixture) is None:
            continue
        how = "engine check passes on every snapshot: values, counts, pages"
        if logins:
            if not await _login_verified(recipe_path, text, fixture, engine, browser):
                continue
            how += "; the replay reproduces expected.json"
        diff = list(difflib.unified_diff(original.splitlines(keepends=True),
                                         text.splitlines(keepends=True),
                                         fromfile=str(recipe_path),
                                         tofile=f"{recipe_path} (suggested)"))
        return [Patch(scenario.institution, scenario.scenario,
                      [(t.step, t.selector, c.selector) for t, c in zip(wanted, chosen,
                                                                         strict=True)],
                      text, diff, how)]
    return []


async def _login_verified(recipe_path: Path, text: str, fixture: Fixture,
                          engine: Engine | None, browser: bool) -> bool:
    if engine is not None:
        return await _replays(recipe_path, text, fixture, engine)
    if not browser:
        return False
    from engine.api import Engine

    async with Engine(max_concurrency=1) as own:
        return await _replays(recipe_path, text, fixture, own)


def _line(recipe: Recipe, path: str) -> int:
    where = recipe.where(path)
    return int(where.rsplit(":", 2)[1]) if where else 0


def suggest_for_scenario(recipe_path: Path, fixture_dir: Path, *,
                         browser: bool = True) -> list[Patch]:
    """``suggest_async`` from synchronous code (the command line)."""
    import asyncio

    return asyncio.run(suggest_async(recipe_path, fixture_dir, browser=browser))


def suggest_for_check(recipe_path: Path, report: CheckReport, *,
                      browser: bool = True) -> list[Patch]:
    """A verified patch per failing scenario of an ``engine check`` report, where one exists."""
    out: list[Patch] = []
    for scenario in report.scenarios:
        if not scenario.ok and not scenario.expects_breakage:
            out.extend(suggest_for_scenario(recipe_path, scenario.path, browser=browser))
    return out


__all__ = ["Patch", "Target", "patch_text", "solve", "suggest_async", "suggest_for_check",
           "suggest_for_scenario", "targets"]
