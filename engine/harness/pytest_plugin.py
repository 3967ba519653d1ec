"""pytest plugin: every recorded scenario (``fixtures/<institution>/<scenario>/meta.json``) is a
test item that replays it with the current recipe, with no per-recipe test code.

Enabled from ``tests/conftest.py`` (``pytest_plugins = ["engine.harness.pytest_plugin"]``):
a plain ``pytest`` (arguments from ``testpaths``) then also collects ``<rootdir>/fixtures``.
``pytest tests fixtures/banque-demo`` picks scenarios; without tests/ on the command line,
name the plugin: ``pytest -p engine.harness.pytest_plugin fixtures/``. ``--no-replays``
leaves them out; browser scenarios carry the ``browser`` marker (``-m "not browser"``).
All items share one Engine, so one Chromium, for the session. A failure prints the field
differences and the requests the recording had no answer for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from engine.api import Engine
from engine.harness.fixture import META
from engine.harness.replay import ReplayOutcome, format_outcome, replay_scenario

T = TypeVar("T")


class _SharedEngine:
    """One event loop and one Engine for every replay item of the session."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine: Engine | None = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def get(self) -> Engine:
        if self.engine is None:
            async def make() -> Engine:
                return Engine(max_concurrency=1)

            self.engine = self.run(make())
        return self.engine

    def close(self) -> None:
        if self.engine is not None:
            self.run(self.engine.close())
        self.loop.close()


SHARED = pytest.StashKey[_SharedEngine]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("recorded sites").addoption(
        "--no-replays", action="store_true",
        help="Do not collect the recorded scenarios under fixtures/.")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--no-replays", False):
        return
    root = Path(config.rootpath) / "fixtures"
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS and root.is_dir() \
            and str(root) not in config.args:
        config.args.append(str(root))


def pytest_unconfigure(config: pytest.Config) -> None:
    shared = config.stash.get(SHARED, None)
    if shared is not None:
        shared.close()
        del config.stash[SHARED]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if parent.config.getoption("--no-replays", False) or file_path.name != META:
        return None
    if not ((file_path.parent / "expected.json").exists()
            or (file_path.parent / "exchanges.json").exists()):
        return None
    collector: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
    return collector


class ScenarioFailed(Exception):
    def __init__(self, outcome: ReplayOutcome) -> None:
        super().__init__("replay differs from the recording's expected result")
        self.outcome = outcome


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        meta = json.loads(self.path.read_text(encoding="utf-8"))
        if meta.get("kind") == "imported":
            return  # pages saved from a browser: no recording of a whole sync to replay
        name = f"replay[{meta.get('institution')}/{meta.get('scenario')}]"
        yield ScenarioItem.from_parent(self, name=name, meta=meta)


class ScenarioItem(pytest.Item):
    def __init__(self, *, meta: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.meta = meta
        if meta.get("kind") != "api":
            self.add_marker("browser")

    def recipe_path(self) -> Path:
        root = Path(self.config.rootpath)
        stored = self.meta.get("recipe")
        if stored and (root / str(stored)).is_file():
            return root / str(stored)
        return root / "recipes" / f"{self.meta.get('institution')}.yaml"

    def runtest(self) -> None:
        recipe = self.recipe_path()
        if not recipe.is_file():
            pytest.fail(f"no recipe for {self.meta.get('institution')} at {recipe}",
                        pytrace=False)
        shared = self.config.stash.setdefault(SHARED, _SharedEngine())
        outcome = shared.run(replay_scenario(recipe, self.path.parent, engine=shared.get()))
        if not outcome.ok:
            raise ScenarioFailed(outcome)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            outcome = excinfo.value.outcome
            error = outcome.result.error
            head = [f"{self.meta.get('institution')}/{self.meta.get('scenario')}: replay of "
                    f"{self.path.parent} differs from expected.json"]
            if error is not None:
                head.append(f"sync ended with {error.code}: {error.message}")
            return "\n".join(head + format_outcome(outcome))
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.name
