"""What ``--suggest`` repairs: the broken selectors the check named, each with the key path
where it sits in the recipe, and every other selector of the recipe (a site that renames an
id renames it everywhere, so a repair follows it everywhere).

A target is one of: a row selector (``each``), a field's selector, a field's column header
(``column: Amount``, or one of a list of alternatives), a next link (``next_page``) or next
control (``next_click``), a block's control (a step's element, ``wait_for``, ``empty``), or a
login step's element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.extraction.columns import header_key
from engine.harness.check import ScenarioCheck
from engine.harness.fixture import Fixture, block_of
from engine.harness.login_pages import LoginSelector, recorded
from engine.harness.selector_repair import header_texts
from engine.harness.snapshots import snapshot_path
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from engine.recipe.transforms.source import Source

STEP = re.compile(r"^(?P<stage>\w+(?:\[\d+\])?)\.steps\[(?P<index>\d+)\]")


@dataclass
class Target:
    """One broken selector and where it sits in the recipe."""

    kind: str
    """field, each, next, login, column, control or embedded."""
    step: str
    selector: str
    """The text to replace at ``path`` (a header name for a column target)."""
    path: str
    """Dotted key path in the recipe (``transactions.fields.amount.css``)."""
    stage: str | None = None
    field: str | None = None
    page: str | None = None
    matched: int = 0
    sub: str | None = None
    """For a column target of a debit/credit field: which of the two."""


def targets(recipe: Recipe, scenario: ScenarioCheck, fixture: Fixture) -> list[Target]:
    """The broken selectors the check named, each once."""
    out: dict[tuple[str, str], Target] = {}
    logins = recorded(fixture.meta)
    seen: set[tuple[str, str, str]] = set()
    headers: dict[str, set[str]] = {}
    for cause in scenario.causes:
        if not cause.step or not cause.selector or (cause.kind, cause.step,
                                                     cause.selector) in seen:
            continue  # the same selector on every page: one target
        seen.add((cause.kind, cause.step, cause.selector))
        if "embedded: no <script>" in cause.message:
            found = _embedded_target(recipe, cause.step)
            if found is not None:
                out.setdefault((found.path, found.selector), found)
            continue
        for target in _targets(recipe, fixture, cause.kind, cause.step, cause.selector,
                               cause.page, logins, headers):
            out.setdefault((target.path, target.selector), target)
    return list(out.values())


def _targets(recipe: Recipe, fixture: Fixture, kind: str, step: str, selector: str,
             page: str | None, logins: list[LoginSelector],
             headers: dict[str, set[str]]) -> list[Target]:
    if kind == "login":
        match = re.match(r"login\[(\d+)\]", step)
        if not match:
            return []
        index = int(match.group(1))
        path = next((p for p, s, _ in recipe.login[index].selectors() if s == selector), None)
        if path is None:
            return []
        found = next((r for r in logins if (r.step, r.selector, r.page) ==
                      (step, selector, page)), None)
        return [Target("login", step, selector, f"login[{index}].{path}", page=page,
                       matched=found.matched if found else 1)]
    stage_step = STEP.match(step)
    if stage_step is not None:
        return _step_target(recipe, stage_step.group("stage"), int(stage_step.group("index")),
                            step, selector)
    stage, _, rest = step.partition(".")
    block = block_of(recipe, stage)
    if block is None:
        return []
    if rest in ("wait_for", "empty") and getattr(block, rest) == selector:
        return [Target("control", step, selector, step, stage)]
    if kind == "selector" and rest == "each":
        return [Target("each", step, selector, f"{stage}.each", stage)]
    if kind == "selector" and rest.startswith("fields."):
        if stage not in headers:
            headers[stage] = {header_key(h) for h in header_texts(
                _documents(fixture, stage))} if block.format == "html" else set()
        return _field_targets(block, stage, step, rest.removeprefix("fields."), selector,
                              headers[stage])
    if kind == "truncated" and block.next_page == selector:
        return [Target("next", f"{stage}.next_page", selector, f"{stage}.next_page", stage)]
    if kind == "truncated" and block.next_click == selector:
        return [Target("control", f"{stage}.next_click", selector, f"{stage}.next_click",
                       stage)]
    return []


def _embedded_target(recipe: Recipe, step: str) -> Target | None:
    """The page no longer assigns the JavaScript name the block reads its data from."""
    stage = step.split(".", 1)[0]
    block = block_of(recipe, stage)
    if block is None or block.embedded is None or block.embedded.script is None:
        return None
    return Target("embedded", step, block.embedded.script, f"{stage}.embedded.script", stage)


def _step_target(recipe: Recipe, stage: str, index: int, step: str,
                 selector: str) -> list[Target]:
    block = block_of(recipe, stage)
    if block is None or index >= len(block.steps):
        return []
    path = next((p for p, s, _ in block.steps[index].selectors() if s == selector), None)
    if path is None:
        return []
    return [Target("control", step, selector, f"{stage}.steps[{index}].{path}", stage)]


def _field_targets(block: ListBlock, stage: str, step: str, name: str, selector: str,
                   headers: set[str]) -> list[Target]:
    raw = block.fields.get(name)
    spec = block.field_specs().get(name)
    if spec is None or spec.selector != selector:
        return []
    columns = [(sub, source) for sub, source in (("debit", spec.debit), ("credit", spec.credit),
                                                  (None, spec)) if source is not None
               and isinstance(source.column, str | list)]
    lost = [(sub, source) for sub, source in columns if not _has_column(source, headers)]
    if lost:
        return [Target("column", step, _names(source)[0],
                       f"{stage}.fields.{name}" + (f".{sub}" if sub else "") + ".column",
                       stage, name, sub=sub) for sub, source in lost]
    key = next((k for k in ("css", "path", "xpath") if getattr(spec, k, None)), None)
    if key is None:
        return []
    path = f"{stage}.fields.{name}" + ("" if isinstance(raw, str) else f".{key}")
    inner = str(getattr(spec, key))
    return [Target("field", step, inner if spec.column is not None else selector, path, stage,
                   name)]


def _names(source: Source) -> list[str]:
    column = source.column
    if isinstance(column, list):
        return [str(c) for c in column]
    return [str(column)] if column is not None else []


def _has_column(source: Source, headers: set[str]) -> bool:
    return any(header_key(n) in headers for n in _names(source))


def _documents(fixture: Fixture, stage: str) -> list[str]:
    out = []
    for info in fixture.snapshots:
        path = snapshot_path(fixture.path, info)
        if info.stage == stage and path.exists():
            out.append(path.read_text(encoding="utf-8"))
    return out


def recipe_selectors(recipe: Recipe) -> list[tuple[str, str]]:
    """Every CSS selector of the recipe with its key path: login steps, and each block's row
    selector, controls, steps and fields (XPath and JMESPath ones left out: their names are
    not a page's ids and classes)."""
    out: list[tuple[str, str]] = []
    for index, step in enumerate(recipe.login):
        out.extend((f"login[{index}].{path}", selector) for path, selector, _ in step.selectors())
    for stage, block in recipe.blocks():
        if block.format != "html":
            continue
        plain = [("each", block.each), ("wait_for", block.wait_for),
                 ("next_page", block.next_page), ("next_click", block.next_click),
                 ("load_more", block.load_more), ("empty", block.empty),
                 ("header", block.header),
                 ("group.heading", block.group.heading if block.group else None),
                 ("scroll.css", block.scroll.css if block.scroll else None),
                 ("scroll.end", block.scroll.end if block.scroll else None)]
        out.extend((f"{stage}.{key}", value) for key, value in plain if isinstance(value, str))
        for index, step in enumerate(block.steps):
            out.extend((f"{stage}.steps[{index}].{path}", selector)
                       for path, selector, _ in step.selectors())
        for name, raw in block.fields.items():
            if isinstance(raw, str):
                out.append((f"{stage}.fields.{name}", raw))
            elif raw.css:
                out.append((f"{stage}.fields.{name}.css", raw.css))
    return out


__all__ = ["Target", "recipe_selectors", "targets"]
