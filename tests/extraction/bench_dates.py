"""Date parsing on 10,000 rows: the registry's babel-table parser against the strptime path
it replaced (loaded from git, commit d0bb094). Run: ``.venv/bin/python -m
tests.extraction.bench_dates``. Not collected by pytest (timings belong in reports)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

from engine.recipe.transforms.dates import parse_date

BASE = "d0bb094"
ROWS = 10_000


def _old_module() -> ModuleType:
    folder = Path(tempfile.mkdtemp())
    for name in ("dates", "transforms"):
        command = ["git", "show", f"{BASE}:engine/extraction/{name}.py"]
        text = subprocess.run(command, check=True, capture_output=True,
                              text=True).stdout
        text = text.replace("from engine.extraction.dates import", "from old_dates import")
        (folder / f"old_{name}.py").write_text(text, encoding="utf-8")
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("old_transforms", folder / "old_transforms.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows() -> dict[str, tuple[list[str], str]]:
    days = [date(2024, 1, 1) + timedelta(days=i % 900) for i in range(ROWS)]
    fr = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc."]
    return {
        "numeric %d/%m/%Y": ([f"{d:%d/%m/%Y}" for d in days], "%d/%m/%Y"),
        "French %d %b %Y": ([f"{d.day} {fr[d.month - 1]} {d.year}" for d in days], "%d %b %Y"),
    }


def main() -> None:
    old = _old_module()
    for label, (texts, fmt) in _rows().items():
        timings = []
        for parse in (old.parse_date, parse_date):
            parse(texts[0], [fmt])  # warm the caches, as a long-lived worker has them
            started = time.perf_counter()
            results = [parse(text, [fmt]) for text in texts]
            timings.append(time.perf_counter() - started)
            assert len(results) == ROWS
        assert [old.parse_date(t, [fmt]) for t in texts[:500]] == \
            [parse_date(t, [fmt]) for t in texts[:500]]
        print(f"{label}: old {timings[0] * 1000:.0f} ms, new {timings[1] * 1000:.0f} ms, "
              f"new/old {timings[1] / timings[0]:.2f}")
    polish = [f"{d.day} listopada {d.year}" for d in (date(2026, 11, 1 + i % 30)
                                                      for i in range(ROWS))]
    parse_date(polish[0], ["%d %B %Y"], locale="pl")
    started = time.perf_counter()
    for text in polish:
        parse_date(text, ["%d %B %Y"], locale="pl")
    print(f"Polish %d %B %Y (no old equivalent): {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
