"""The mutation corpus: the committed fixtures changed the ways real sites change, and what
``engine check``, replay, the canary and ``--suggest`` say about each change.

    .venv/bin/python scripts/mutation_corpus.py [--quick] [--no-replay] [--no-suggest]
        [--site harbour-cu ...] [--only NAME ...] [--json out/mutations.json]

Each mutation (``scripts/mutations/``, one module per site) edits a copy of a committed
scenario consistently — the saved snapshots *and* the recording's answers (HTML pages and
fragments, JSON answers, camt.053 and OFX files, the single-page app's JavaScript), so the
check (snapshots, no browser) and the replay (the real browser on the recording) see the same
site change. Mutations are *breaking* (renamed classes, ids, test ids and column headers for
the selectors the recipes use, moved values, new number, date and sign formats the recipes do
not read, dropped rows, dropped or lost next links, renamed JSON keys and XML elements),
*innocuous* (banners, marketing text, reordered links, tracking attributes, wrapper elements,
a third-party analytics script, columns added or moved where the recipe reads by header,
extra JSON keys, reordered XML siblings, the interface in another script) or *data* (the
customer's data changed).

Targets (issue 15): check alarms on >= 95% of breaking mutations naming the right
step/selector or field/value in its first line, and on <= 5% of innocuous ones; replay and
canary name the cause in their first line in >= 95% of their alarms; ``--suggest`` proposes a
verified patch for >= 70% of rename/move mutations and never an unverified one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine  # noqa: E402 - after the path set-up above
from engine.harness.canary import run_scenario  # noqa: E402
from engine.harness.check import check_scenario  # noqa: E402
from engine.harness.fixture import load_fixture  # noqa: E402
from engine.harness.har import write_exchanges  # noqa: E402
from engine.harness.suggest import suggest_async  # noqa: E402
from engine.recipe import load_recipe  # noqa: E402
from scripts.mutations import QUICK, Doc, Mutation, corpus  # noqa: E402

SHELLS = ("neobanque", "banco-aurora")
"""Sites whose HTML answers are a single-page app's shell (the app draws the page)."""
SUFFIX_KINDS = {".json": "json", ".xml": "xml", ".ofx": "ofx"}
STEP_TIMEOUT = 4.0
"""Seconds a replay waits per step: broken pages wait it out on every missing element, and
a loaded machine still loads a single-page app's modules within it."""


# ----------------------------------------------------------------------------- applying

def _kind(content_type: str, fixture: str) -> str:
    if "json" in content_type:
        return "json"
    if "javascript" in content_type:
        return "js"
    if "ofx" in content_type:
        return "ofx"
    if "xml" in content_type:
        return "xml"
    if "html" in content_type:
        return "shell" if fixture.startswith(SHELLS) else "html"
    return ""


def _apply_cassette(mutation: Mutation, path: Path) -> int:
    """An API recording's answers (a vcrpy cassette) changed like any other JSON answer."""
    if not path.exists():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed = 0
    for item in data.get("interactions") or []:
        body = (item.get("response") or {}).get("body") or {}
        text = body.get("string")
        if not isinstance(text, str):
            continue
        parts = urlsplit(str(item["request"]["uri"]))
        new = mutation.edit(Doc("json", parts.path + (f"?{parts.query}" if parts.query
                                                      else ""), text))
        if new != text:
            body["string"] = new
            changed += 1
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return changed


def apply(mutation: Mutation, fixtures: Path, target: Path) -> Path:
    """Copy the scenario under ``target`` and apply the mutation to its snapshots and its
    recording; fails when the mutation changed nothing (a corpus must not hold no-ops)."""
    source = fixtures / mutation.fixture
    folder = target / mutation.fixture
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("screenshots"))
    fixture = load_fixture(folder)
    changed = 0
    for info in fixture.snapshots:
        path = folder / "snapshots" / info.file
        kind = SUFFIX_KINDS.get(path.suffix, "html")
        text = path.read_text(encoding="utf-8")
        new = mutation.edit(Doc(kind, info.url, text, info.stage, info.page_number))
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    for item in fixture.meta.get("login_pages") or []:  # the login forms as the DOM showed them
        path = folder / "snapshots" / str(item["file"])
        text = path.read_text(encoding="utf-8")
        new = mutation.edit(Doc("html", str(item["url"]).removeprefix("DOM "), text, "login"))
        if new != text:
            path.write_text(new, encoding="utf-8")
    exchanges = fixture.exchanges()
    for exchange in exchanges:
        body = exchange.get("body")
        if not isinstance(body, str):
            continue
        ctype = str({k.lower(): v for k, v in (exchange.get("headers") or {}).items()}
                    .get("content-type", ""))
        kind = _kind(ctype, mutation.fixture)
        if not kind:
            continue
        new = mutation.edit(Doc(kind, str(exchange["url"]).split("#")[0], body))
        if new != body:
            exchange["body"] = new
            changed += 1
    if exchanges:
        write_exchanges(folder, exchanges, str(fixture.meta.get("base_url") or ""))
    changed += _apply_cassette(mutation, folder / "cassette.yaml")
    if not changed:
        raise RuntimeError(f"mutation {mutation.name} changed nothing")
    return folder


# ----------------------------------------------------------------------------- judging

@dataclass
class Verdict:
    mutation: Mutation
    check_alarm: bool = False
    check_line: str = ""
    check_named: bool = False
    replay_alarm: bool | None = None
    replay_line: str = ""
    replay_named: bool | None = None
    canary_line: str = ""
    canary_named: bool | None = None
    suggested: bool | None = None
    suggestion_verified: bool | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in vars(self).items() if k != "mutation"}
        data.update(name=self.mutation.name, category=self.mutation.category,
                    kind=self.mutation.kind, fixture=self.mutation.fixture)
        return data


def named(line: str | None, tokens: tuple[str, ...]) -> bool:
    return bool(line) and any(t in str(line) for t in tokens)


async def judge(mutation: Mutation, folder: Path, engine: Engine | None,
                suggest: bool) -> Verdict:
    started = time.perf_counter()
    verdict = Verdict(mutation)
    recipe_path = ROOT / "recipes" / f"{mutation.recipe or mutation.fixture.split('/')[0]}.yaml"
    recipe = load_recipe(recipe_path)
    check = check_scenario(recipe, folder)
    verdict.check_alarm = not check.ok
    verdict.check_line = check.headline() or ""
    verdict.check_named = named(verdict.check_line, mutation.expect)
    if engine is not None:
        outcome = await run_scenario(recipe_path, recipe, folder, engine,
                                     step_timeout=STEP_TIMEOUT)
        replay = outcome.replay
        verdict.replay_alarm = replay is None or not replay.ok
        verdict.replay_line = (replay.headline() or "") if replay is not None else "crashed"
        verdict.replay_named = named(verdict.replay_line, mutation.expect)
        verdict.canary_line = outcome.headline() or ""
        verdict.canary_named = named(verdict.canary_line, mutation.expect)
    if suggest and mutation.repairable and verdict.check_alarm:
        patches = await suggest_async(recipe_path, folder, engine=engine)
        verdict.suggested = bool(patches)
        if patches:  # proposed only when verified; verify again here, independently
            (folder.parent / "patched").mkdir(exist_ok=True)
            patched = load_recipe(patches[0].write(folder.parent / "patched" / recipe_path.name))
            verdict.suggestion_verified = check_scenario(patched, folder).ok
    verdict.seconds = round(time.perf_counter() - started, 2)
    return verdict


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "-"


@dataclass
class Figures:
    """The issue's measures over a set of verdicts (one site, or all)."""

    verdicts: list[Verdict]

    def of(self, category: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.mutation.category == category]

    def counts(self) -> str:
        return (f"{len(self.verdicts)} ({len(self.of('breaking'))} B, "
                f"{len(self.of('innocuous'))} I, {len(self.of('data'))} D)")

    def check_named(self) -> str:
        breaking = self.of("breaking")
        return _pct(sum(v.check_alarm and v.check_named for v in breaking), len(breaking))

    def check_false(self) -> str:
        innocuous = self.of("innocuous")
        return _pct(sum(v.check_alarm for v in innocuous), len(innocuous))

    def data_named(self) -> str:
        data = self.of("data")
        return _pct(sum(v.check_alarm and v.check_named for v in data), len(data))

    def replay_alarms(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.replay_alarm and v.mutation.category != "innocuous"]

    def replay_named(self) -> str:
        alarms = self.replay_alarms()
        return _pct(sum(bool(v.replay_named) for v in alarms), len(alarms))

    def replay_missed(self) -> str:
        breaking = [v for v in self.of("breaking") if v.replay_alarm is not None]
        return _pct(sum(not v.replay_alarm for v in breaking), len(breaking))

    def replay_false(self) -> str:
        innocuous = [v for v in self.of("innocuous") if v.replay_alarm is not None]
        return _pct(sum(bool(v.replay_alarm) for v in innocuous), len(innocuous))

    def canary_named(self) -> str:
        alarms = [v for v in self.verdicts if v.replay_alarm is not None
                  and (v.check_alarm or v.replay_alarm) and v.mutation.category != "innocuous"]
        return _pct(sum(bool(v.canary_named) for v in alarms), len(alarms))

    def suggested(self) -> str:
        repairable = [v for v in self.verdicts if v.mutation.repairable
                      and v.suggested is not None]
        return _pct(sum(bool(v.suggested) for v in repairable), len(repairable))

    def unverified(self) -> int:
        return sum(v.suggested is True and v.suggestion_verified is False
                   for v in self.verdicts)


COLUMNS = ("mutations", "check: breaking, cause in line 1 (>=95%)",
           "check: innocuous alarms (<=5%)", "check: data, value named",
           "replay: breaking missed", "replay: innocuous alarms",
           "replay: cause in line 1 (>=95%)", "canary: cause in line 1 (>=95%)",
           "suggest: verified on rename/move (>=70%)", "suggest: unverified (0)")


def table(verdicts: list[Verdict]) -> list[str]:
    """The figures per site and overall, as a Markdown table."""
    sites = list(dict.fromkeys(v.mutation.site for v in verdicts))
    replayed = any(v.replay_alarm is not None for v in verdicts)
    lines = ["| site | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, group in [*((s, [v for v in verdicts if v.mutation.site == s]) for s in sites),
                        ("**all**", verdicts)]:
        f = Figures(group)
        row = [f.counts(), f.check_named(), f.check_false(), f.data_named(),
               *((f.replay_missed(), f.replay_false(), f.replay_named(), f.canary_named())
                 if replayed else ("-",) * 4), f.suggested(), str(f.unverified())]
        lines.append(f"| {name} | " + " | ".join(row) + " |")
    return lines


def misses(verdicts: list[Verdict]) -> list[str]:
    out = []
    for v in verdicts:
        m = v.mutation
        problems = []
        if m.category == "innocuous" and v.check_alarm:
            problems.append(f"check false alarm: {v.check_line}")
        if m.category == "innocuous" and v.replay_alarm:
            problems.append(f"replay false alarm: {v.replay_line}")
        if m.category != "innocuous" and not (v.check_alarm and v.check_named):
            problems.append(f"check: {v.check_line or 'no alarm'}")
        if m.category != "innocuous" and v.replay_alarm and not v.replay_named:
            problems.append(f"replay: {v.replay_line}")
        if m.category != "innocuous" and v.replay_alarm is False:
            problems.append("replay: no alarm")
        if m.category != "innocuous" and v.canary_named is False:
            problems.append(f"canary: {v.canary_line}")
        if m.repairable and v.suggested is False:
            problems.append("suggest: no patch")
        if problems:
            out.append(f"{m.name} [{m.category}/{m.kind}]: " + " | ".join(problems))
    return out


async def run(mutations: list[Mutation], *, replay: bool, suggest: bool,
              fixtures: Path) -> list[Verdict]:
    verdicts: list[Verdict] = []
    engine = Engine(max_concurrency=1) if replay else None
    try:
        for mutation in mutations:
            with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
                folder = apply(mutation, fixtures, Path(tmp))
                verdict = await judge(mutation, folder, engine, suggest)
            verdicts.append(verdict)
            flag = "ALARM" if verdict.check_alarm else "quiet"
            replayed = "" if verdict.replay_alarm is None else (
                " | replay " + ("ALARM" if verdict.replay_alarm else "quiet"))
            print(f"{mutation.name:40} {mutation.category:9} check {flag}{replayed}: "
                  f"{verdict.check_line[:100]}", flush=True)
    finally:
        if engine is not None:
            await engine.close()
    return verdicts


def select(mutations: list[Mutation], *, quick: bool, sites: list[str],
           only: list[str]) -> list[Mutation]:
    if quick:
        mutations = [m for m in mutations if m.name in QUICK]
    if sites:
        mutations = [m for m in mutations if m.site in sites]
    if only:
        mutations = [m for m in mutations if m.name in only]
    return mutations


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short corpus of the suite")
    parser.add_argument("--no-replay", action="store_true", help="check only (no browser)")
    parser.add_argument("--no-suggest", action="store_true")
    parser.add_argument("--site", action="append", default=[],
                        help="only this fixture's institution (repeatable)")
    parser.add_argument("--only", action="append", default=[], help="only this mutation")
    parser.add_argument("--fixtures", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--json", type=Path, help="write every verdict here")
    args = parser.parse_args()
    mutations = select(corpus(), quick=args.quick, sites=args.site, only=args.only)
    started = time.perf_counter()
    verdicts = asyncio.run(run(mutations, replay=not args.no_replay,
                               suggest=not args.no_suggest, fixtures=args.fixtures))
    print(f"\n{len(verdicts)} mutations in {time.perf_counter() - started:.0f} s\n")
    for line in table(verdicts):
        print(line)
    missed = misses(verdicts)
    if missed:
        print("\nmisses:")
        for line in missed:
            print(f"  {line}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([v.as_json() for v in verdicts], indent=1),
                             encoding="utf-8")


if __name__ == "__main__":
    main()
