"""Repair suggestions (work in progress)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.harness.check import CheckReport


@dataclass
class Patch:
    step: str
    old: str
    new: str
    diff: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return self.diff

    def as_json(self) -> dict[str, Any]:
        return {"step": self.step, "old": self.old, "new": self.new, "diff": self.diff}


def suggest_for_check(recipe_path: Path, report: CheckReport) -> list[Patch]:
    return []


def suggest_for_scenario(recipe_path: Path, folder: Path) -> list[Patch]:
    return []
