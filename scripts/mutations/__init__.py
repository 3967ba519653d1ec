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


QUICK = ("bd-rename-montant-operations", "bd-next-dropped-page2", "hcu-analytics-script",
         "hy-key-amount", "hy-extra-keys", "hcu-header-amount", "hcu-columns-reordered-recent",
         "bs-next-postback-lost-page3", "hco-camt-siblings-reordered", "api-key-next-link")
"""The short corpus the test suite runs, one or two of each kind of site and change: a
renamed class and a renamed column header (both repaired by --suggest), a lost next link and
a lost postback control, a renamed JSON key and paging link, a third-party script, extra
JSON keys, columns reordered where the recipe reads by header, reordered XML siblings."""

__all__ = ["QUICK", "Doc", "Mutation", "corpus"]
