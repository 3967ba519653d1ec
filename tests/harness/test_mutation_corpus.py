"""The mutation corpus's short version (``scripts/mutation_corpus.py --quick``): a dozen site
changes of the committed fixtures, judged by check, replay in the real browser, the canary
and ``--suggest``, as ``make mutations`` judges the whole corpus.

Why a subprocess: it is the script ``make mutations`` runs, with its own browser, and its
JSON verdicts are what the closing figures are computed from; this keeps the short version
and the full one the same program.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    out = tmp_path_factory.mktemp("corpus") / "verdicts.json"
    started = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "mutation_corpus.py"),
                          "--quick", "--json", str(out)], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    data.append({"elapsed": time.monotonic() - started, "stdout": run.stdout})
    return data


def _of(verdicts: list[dict[str, object]], category: str) -> list[dict[str, object]]:
    return [v for v in verdicts if v.get("category") == category]


def test_the_short_corpus_covers_several_sites_and_kinds_of_change(
        verdicts: list[dict[str, object]]) -> None:
    fixtures = {str(v["fixture"]).split("/")[0] for v in verdicts if "fixture" in v}
    assert {"banque-demo", "neobanque-hybrid", "harbour-cu", "banka-sever", "harbour-cu-ofx",
            "api-banque-ouverte"} <= fixtures
    assert len(_of(verdicts, "breaking")) >= 5 and len(_of(verdicts, "innocuous")) >= 4


def test_every_breaking_change_is_named_in_the_first_line_by_check_replay_and_canary(
        verdicts: list[dict[str, object]]) -> None:
    for v in _of(verdicts, "breaking"):
        assert v["check_alarm"] and v["check_named"], (v["name"], v["check_line"])
        assert v["replay_alarm"] and v["replay_named"], (v["name"], v["replay_line"])
        assert v["canary_named"], (v["name"], v["canary_line"])


def test_no_innocuous_change_raises_an_alarm(verdicts: list[dict[str, object]]) -> None:
    for v in _of(verdicts, "innocuous"):
        assert not v["check_alarm"], (v["name"], v["check_line"])
        assert not v["replay_alarm"], (v["name"], v["replay_line"])


def test_renamed_elements_get_a_verified_patch_and_no_patch_is_unverified(
        verdicts: list[dict[str, object]]) -> None:
    repairable = [v for v in verdicts if v.get("kind") in ("rename", "move")]
    assert len(repairable) >= 2
    for v in repairable:
        assert v["suggested"], v["name"]
        assert v["suggestion_verified"], v["name"]


def test_the_short_corpus_stays_short(verdicts: list[dict[str, object]]) -> None:
    elapsed = float(verdicts[-1]["elapsed"])  # type: ignore[arg-type]
    assert elapsed < 150, f"{elapsed:.0f} s:\n{verdicts[-1]['stdout']}"
