"""What the saved pages say about an error a replay ended with.

Why: the runner reports what it met — "no rows match the list selector" on a list whose
``empty`` marker was renamed, "field 'date' of row 1: matched an empty value" when one part
of a grouped row selector stopped matching, "the approval in the app expired" when the page
after it no longer has the element the next step waits for. Each is true, and none names what
changed. The recording's snapshots are the same pages the replay was served, and the check
locates the change on them in milliseconds, so a replay's first line can carry both: the
error, then the located cause the saved pages show for the same stage and account.
"""

from __future__ import annotations

import re

from engine.harness.causes import Cause
from engine.harness.fixture import Fixture
from engine.recipe.model import Recipe

LOCATED = ("login", "selector", "runner", "truncated", "rows_lost", "rows_fell")
EXPLAINED = ("recipe_broken", "challenge_required")
"""Error kinds a change of the pages may be behind (not maintenance, blocks, passwords)."""
STAGE = re.compile(r"^(accounts|transactions|holdings)(\[\d+\])?(?=[ .,]|$)")


class Evidence:
    """The check's located causes on the fixture's saved pages, computed when first asked."""

    def __init__(self, recipe: Recipe | None, fixture: Fixture) -> None:
        self.recipe = recipe
        self.fixture = fixture
        self._causes: list[Cause] | None = None

    def causes(self) -> list[Cause]:
        if self._causes is None:
            self._causes = []
            if self.recipe is not None and self.fixture.snapshots:
                from engine.harness.check import check_fixture

                check = check_fixture(self.recipe, self.fixture)
                self._causes = [c for c in check.causes if c.kind in LOCATED]
        return self._causes

    def explain(self, step: str | None, account_id: str | None, selector: str | None,
                code: str | None = None) -> str:
        """``; the saved pages show: <cause>`` for an error at ``step`` (of ``account_id``),
        or '' when they show nothing more."""
        if code is not None and not code.startswith(EXPLAINED):
            return ""
        stage = STAGE.match(step or "")
        found = self.causes()
        if stage is not None:
            found = [c for c in found if _stage(c.step) == stage.group(0)
                     and (account_id is None or f"account {account_id}" in c.message)]
        elif selector:
            return ""  # a located login error says it all
        best = next(iter(found), None)
        if best is None or (selector and best.selector == selector and best.kind != "runner"):
            return ""
        return f"; the saved pages show: {best.message}"


def _stage(step: str | None) -> str | None:
    match = STAGE.match(step or "")
    return match.group(0) if match else None


def evidence(recipe: Recipe | None, fixture: Fixture) -> Evidence:
    return Evidence(recipe, fixture)


__all__ = ["Evidence", "evidence"]
