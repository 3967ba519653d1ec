"""The shared-browser engine under stress: crashes, leaks, evidence."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from engine import Engine, SyncOptions, SyncResult, load_recipe
from tests.conftest import RECIPES, ServerFactory
from tests.procs import chromium_main_processes, chromium_processes

pytestmark = pytest.mark.browser
RECIPE = load_recipe(RECIPES / "banque-demo.yaml")
CREDENTIALS = {"username": "demo", "password": "123456"}


async def test_browser_killed_mid_batch_fails_only_running_syncs(
        banque_demo_site: ServerFactory) -> None:
    site = banque_demo_site()
    others = chromium_main_processes()  # e.g. the suite's shared engine: not ours to kill
    async with Engine(max_concurrency=2) as engine:
        first = await engine.sync(RECIPE, CREDENTIALS, base_url=site.url)  # warm, finished
        assert first.ok
        [ours] = chromium_main_processes() - others
        tasks = [asyncio.create_task(engine.sync(RECIPE, CREDENTIALS, base_url=site.url,
                                                 render="browser"))
                 for _ in range(6)]
        await asyncio.sleep(1.5)  # the first two are inside the site now
        os.kill(ours, signal.SIGKILL)  # the browser this engine launched
        results: list[SyncResult] = await asyncio.gather(*tasks)
        after = await engine.sync(RECIPE, CREDENTIALS, base_url=site.url)
    crashed = [r for r in results if r.error is not None]
    finished = [r for r in results if r.error is None]
    assert crashed, "some syncs were running when the browser died"
    assert all(r.error is not None and r.error.code == "engine_error.browser_crashed"
               for r in crashed), [r.error for r in crashed]
    assert finished, "syncs queued behind the crash run on a relaunched browser"
    for result in [first, *finished, after]:
        assert (len(result.accounts), len(result.transactions), len(result.holdings)) == (
            4, 185, 5)
        assert result.transactions == first.transactions


async def test_failing_syncs_leave_no_contexts_or_processes(
        banque_demo_site: ServerFactory) -> None:
    site = banque_demo_site(layout="redesign")
    before = set(chromium_processes())  # other engines of the suite, not ours
    async with Engine(max_concurrency=4) as engine:
        await engine.sync(RECIPE, CREDENTIALS, base_url=site.url, step_timeout=1)
        processes = len(chromium_processes())
        results = await asyncio.gather(*[
            engine.sync(RECIPE, {"username": login, "password": "123456"},
                        SyncOptions(base_url=site.url, step_timeout=1))
            for login in ["demo", "demo-locked", "demo-maint", "demo"] * 5])
        assert all(r.error is not None for r in results)
        assert engine.host.browser is not None
        assert engine.host.browser.contexts == []
        # renderer processes may take a moment to exit after their context closed
        for _ in range(50):
            if len(chromium_processes()) <= processes:
                break
            await asyncio.sleep(0.1)
        assert len(chromium_processes()) <= processes
    for _ in range(50):
        if not set(chromium_processes()) - before:
            break
        await asyncio.sleep(0.1)
    assert set(chromium_processes()) - before == set(), "closing the engine ends its browser"


async def test_recipe_broken_saves_scrubbed_evidence(banque_demo_site: ServerFactory,
                                                     engine: Engine, tmp_path: Path) -> None:
    site = banque_demo_site(layout="redesign")
    result = await engine.sync(RECIPE, {"username": "demo", "password": "904613"},
                               SyncOptions(base_url=site.url, step_timeout=1,
                                           evidence_dir=tmp_path))
    assert result.error is not None and result.error.kind == "recipe_broken"
    html = Path(result.error.evidence["html"])
    shot = Path(result.error.evidence["screenshot"])
    assert html.is_relative_to(tmp_path) and "pinpad" in html.read_text()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "904613" not in html.read_text()


async def test_heavy_resources_blocked_unless_the_recipe_asks(banque_demo_site: ServerFactory,
                                                              engine: Engine) -> None:
    def fetched(site: object, suffix: str) -> int:
        log = site.app.extensions["request_log"]  # type: ignore[attr-defined]
        return sum(1 for entry in log if str(entry["path"]).endswith(suffix))

    lean = banque_demo_site()
    assert (await engine.sync(RECIPE, CREDENTIALS, base_url=lean.url)).ok
    assert fetched(lean, ".css") == fetched(lean, ".svg") == 0
    wants_images = RECIPE.model_copy(update={"institution": RECIPE.institution.model_copy(
        update={"load_resources": ["image", "stylesheet"]})})
    full = banque_demo_site()
    assert (await engine.sync(wants_images, CREDENTIALS, base_url=full.url)).ok
    assert fetched(full, ".css") > 0 and fetched(full, ".svg") > 0
