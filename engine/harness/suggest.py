"""``--suggest``: propose the repair of a recipe whose selector stopped matching, verified.

The harness has what a person fixing the recipe would use: the values the recording expects
(``expected.json``, attributed page by page), the new page, and the old selector. For every
selector the check found broken — a row selector, a field, a column header, a next link or
next control, a block's step or ``wait_for`` or ``empty``, a login step's element
(``repair_targets``) — candidates are derived from the new page (``selector_repair``: names
substituted first, then the row's elements described simply) and scored against what they
must yield (``repair_solve``). A name the site renamed is renamed wherever the recipe uses
it (the same id in the row selector, the header selector and a heading's, a class in a
``wait_for``). The best candidates are written into the recipe's YAML at each selector's own
line, and the *whole* patched recipe is run again: ``engine check`` over every snapshot must
then pass — values, counts and all — and, for a patch that touches a step (a login step's
page is no snapshot; the tab a block's step clicks shows its effect only in a browser) or
when asked, a replay of the recording in the browser must reproduce
expected.json. Only then is the patch shown, as a YAML diff. A patch that was not verified is
never shown.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import RecipeError
from engine.harness.check import CheckReport, check_fixture
from engine.harness.fixture import Fixture, load_fixture
from engine.harness.repair_solve import renamed, solve
from engine.harness.repair_targets import Target, recipe_selectors, targets
from engine.harness.selector_repair import Candidate
from engine.recipe import Recipe, load_recipe
from engine.recipe.loader import parse_recipe

if TYPE_CHECKING:
    from engine.api import Engine

TRIES = 3
"""Candidates tried per broken selector, best first, before giving up."""
Change = tuple[str, str, str, str]
"""(step, key path, old text, new text)."""


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


# ----------------------------------------------------------------------------- renames

def follow_renames(recipe: Recipe, fixture: Fixture, wanted: list[Target],
                   chosen: list[Candidate]) -> list[Change]:
    """The other selectors of the recipe that use a name a chosen candidate renamed (an id,
    a class, an attribute or its value), renamed the same way — where their own pages no
    longer have the old name (a class renamed on one page only stays as it is elsewhere)."""
    renames = [(c.old_name, c.new_name) for t, c in zip(wanted, chosen, strict=True)
               if t.kind != "column" and c.how == "substitution" and c.old_name
               and c.new_name and c.old_name != c.new_name]
    if not renames:
        return []
    targeted = {t.path for t in wanted}
    out: list[Change] = []
    gone = _gone_names(fixture, {old for old, _new in renames})
    for path, selector in recipe_selectors(recipe):
        if path in targeted:
            continue
        new = selector
        for old, name in renames:
            if old in gone.get(_stage(path), {old}):
                new = renamed(new, old, name)
        if new != selector:
            out.append((path, path, selector, new))
    return out


def _stage(path: str) -> str:
    return "login" if path.startswith("login") else path.split(".", 1)[0]


def _gone_names(fixture: Fixture, names: set[str]) -> dict[str, set[str]]:
    """Per stage (``login`` for the login pages), which of ``names`` its pages lack now."""
    from engine.harness.har import read_exchanges
    from engine.harness.login_pages import fixture_documents
    from engine.harness.selector_repair import PageNames
    from engine.harness.snapshots import snapshot_path

    documents: dict[str, list[str]] = {}
    for info in fixture.snapshots:
        path = snapshot_path(fixture.path, info)
        if path.exists():
            documents.setdefault(info.stage, []).append(path.read_text(encoding="utf-8"))
    logins = fixture_documents(fixture.path, fixture.meta, read_exchanges(fixture.path))
    documents["login"] = [d for pages in logins.values() for d in pages]
    out: dict[str, set[str]] = {}
    for stage, texts in documents.items():
        found = PageNames.of(texts)
        present = {n for pool in (*found.ids.values(), *found.classes.values(),
                                  *found.attrs.values()) for n in pool}
        present |= {key for _tag, key in found.attrs}
        out[stage] = names - present
    return out


def _with_renames(wanted: list[Target], options: list[list[Candidate]]
                  ) -> list[list[Candidate]]:
    """A control (a ``wait_for``, a step's element) that uses a name another target's best
    candidate renamed is tried with that rename first: the site renamed it there too."""
    renames = [(o[0].old_name, o[0].new_name) for t, o in zip(wanted, options, strict=True)
               if t.kind != "control" and o and o[0].how == "substitution"
               and o[0].old_name and o[0].new_name]
    out = []
    for target, found in zip(wanted, options, strict=True):
        if target.kind == "control":
            selector = target.selector
            for old, new in renames:
                selector = renamed(selector, old, new)
            if selector != target.selector:
                first = Candidate(selector, "substitution", renames[0][0], renames[0][1])
                found = [first, *[c for c in found if c.selector != selector]][:TRIES]
        out.append(found)
    return out


# ----------------------------------------------------------------------------- patching

def _offset(text: str, position: tuple[int, int]) -> int:
    lines = text.splitlines(keepends=True)
    line, column = position
    return sum(len(x) for x in lines[:line - 1]) + column - 1


def _position(recipe: Recipe, path: str) -> tuple[int, int]:
    where = recipe.where(path)
    if where is None:
        return 0, 0
    line, column = where.rsplit(":", 2)[1:]
    return int(line), int(column)


def patch_text(text: str, recipe: Recipe, path: str, old: str, new: str) -> str | None:
    """``text`` with ``old`` replaced by ``new`` at the key ``path`` (quoted as needed)."""
    if recipe.where(path) is None:
        return None
    start = _offset(text, _position(recipe, path))
    index, end = text.find(old, start), 0
    if index >= 0:
        end = index + len(old)
    else:  # a long selector written over several lines (a folded YAML scalar)
        folded = re.compile(r"\s+".join(re.escape(part) for part in old.split()))
        match = folded.search(text, start)
        if match is None:
            return None
        index, end = match.start(), match.end()
    before = text[index - 1] if index else ""
    if before == '"':
        piece = json.dumps(new, ensure_ascii=False)[1:-1]
    elif before == "'":
        piece = new.replace("'", "''")
    elif re.search(r"[:#{}\[\],&*!|>'\"%@`]|^[-?]", new):
        piece = json.dumps(new, ensure_ascii=False)
    else:
        piece = new
    return text[:index] + piece + text[end:]


def apply_changes(text: str, recipe: Recipe, changes: list[Change]) -> str | None:
    """Every change written, the last in the file first (positions stay valid)."""
    patched: str | None = text
    for _step, path, old, new in sorted(changes, key=lambda c: _position(recipe, c[1]),
                                        reverse=True):
        if patched is None:
            return None
        patched = patch_text(patched, recipe, path, old, new)
    return patched


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
        Recipe, Fixture, str, list[Target], list[list[Candidate]], str] | None:
    """The check, its broken selectors and the best candidates for each (no I/O after)."""
    recipe = load_recipe(recipe_path)
    fixture = load_fixture(fixture_dir)
    scenario = check_fixture(recipe, fixture)
    if scenario.ok:
        return None
    wanted = targets(recipe, scenario, fixture)
    if not wanted:
        return None
    options = _with_renames(wanted, [solve(recipe, fixture, t)[:TRIES] for t in wanted])
    if any(not o for o in options):
        return None  # a broken selector with no candidate: no complete repair to verify
    return (recipe, fixture, f"{scenario.institution}/{scenario.scenario}", wanted, options,
            recipe_path.read_text(encoding="utf-8"))


async def suggest_async(recipe_path: Path, fixture_dir: Path, *,
                        engine: Engine | None = None, browser: bool = False,
                        replay: bool = False) -> list[Patch]:
    """A verified patch for the scenario's broken selectors, or nothing. A patch touching a
    step (of the login or of a block) must replay the recording on ``engine`` (or a browser
    started here when ``browser``), any patch when ``replay``; without a browser, no such
    patch is proposed."""
    prepared = _prepare(recipe_path, fixture_dir)
    if prepared is None:
        return []
    recipe, fixture, name, wanted, options, original = prepared
    for attempt in range(TRIES):
        chosen = [o[min(attempt, len(o) - 1)] for o in options]
        changes: list[Change] = [(t.step, t.path, t.selector, c.selector)
                                 for t, c in zip(wanted, chosen, strict=True)]
        changes += follow_renames(recipe, fixture, wanted, chosen)
        text = apply_changes(original, recipe, changes)
        if text is None or _verify(recipe_path, text, fixture) is None:
            continue
        how = "engine check passes on every snapshot: values, counts, pages"
        # a login step's page is not a snapshot, and what a block's step did (the tab it
        # clicked) shows only in a browser: such patches must replay the recording
        acted = any(path.startswith("login") or ".steps[" in path
                    for _s, path, _o, _n in changes)
        if replay or acted:
            if not await _replay_verified(recipe_path, text, fixture, engine, browser):
                continue
            how += "; the replay reproduces expected.json"
        diff = list(difflib.unified_diff(original.splitlines(keepends=True),
                                         text.splitlines(keepends=True),
                                         fromfile=str(recipe_path),
                                         tofile=f"{recipe_path} (suggested)"))
        institution, scenario = name.split("/", 1)
        return [Patch(institution, scenario, [(s, o, n) for s, _p, o, n in changes], text,
                      diff, how)]
    return []


async def _replay_verified(recipe_path: Path, text: str, fixture: Fixture,
                           engine: Engine | None, browser: bool) -> bool:
    if engine is not None:
        return await _replays(recipe_path, text, fixture, engine)
    if not browser:
        return False
    from engine.api import Engine

    async with Engine(max_concurrency=1) as own:
        return await _replays(recipe_path, text, fixture, own)


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


__all__ = ["Patch", "Target", "apply_changes", "follow_renames", "patch_text", "solve",
           "suggest_async", "suggest_for_check", "suggest_for_scenario", "targets"]
