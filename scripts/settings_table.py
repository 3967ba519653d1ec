"""Write (or check) the README's table of ``ENGINE_*`` variables, generated from the settings
models (``engine.settings.EngineSettings`` and ``engine.workers.settings.WorkerEnv``).

    python scripts/settings_table.py          # print it
    python scripts/settings_table.py --write  # replace it in README.md
    python scripts/settings_table.py --check  # exit 1 when README.md is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.settings import EngineSettings, markdown_table
from engine.workers.settings import WorkerEnv

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def table() -> str:
    return markdown_table([EngineSettings, WorkerEnv])


def with_table(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    head, found, rest = text.partition(START)
    if not found or END not in rest:
        raise ValueError(f"README.md has no {START} ... {END} block")
    return f"{head}{START}\n{table()}\n{END}{rest.partition(END)[2]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    if args.check:
        current = with_table(text) == text
        print("settings table is current" if current else
              "settings table is stale: run python scripts/settings_table.py --write")
        return 0 if current else 1
    if args.write:
        README.write_text(with_table(text), encoding="utf-8")
        print(f"wrote the settings table into {README}")
        return 0
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
