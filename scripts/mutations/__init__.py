"""The mutation corpus's mutations, one module per site (``scripts/mutation_corpus.py`` applies
and judges them)."""

from __future__ import annotations

from scripts.mutations.api import api
from scripts.mutations.aurora import aurora
from scripts.mutations.demo import demo
from scripts.mutations.edits import Doc, Mutation
from scripts.mutations.harbour import harbour
from scripts.mutations.sever import sever


def corpus() -> list[Mutation]:
    """Every mutation, names unique."""
    found = [*demo(), *harbour(), *sever(), *aurora(), *api()]
    names = [m.name for m in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"mutation names used twice: {', '.join(duplicates)}")
    return found


QUICK = ("bd-rename-montant-operations", "bd-rename-row-operation", "bd-next-dropped-page2",
         "bd-rows-half-page2", "bd-format-amount-unsigned", "bd-format-date-iso",
         "bd-banner", "bd-new-classes-on-rows", "bd-analytics-script", "hy-key-amount",
         "hy-extra-keys", "bd-wrapper-around-tables")
"""The short corpus the test suite runs (a few seconds per mutation with the browser)."""

__all__ = ["QUICK", "Doc", "Mutation", "corpus"]
