"""The other doors: ``engine record`` and replay on the attacker's pages, the HTTP backend's
redirects, and the controls that show the attacks are real (without containment they do reach
the foreign host) and that the browser's flags are what containment relies on."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from engine import Engine
from engine.backends.base import RequestRefused
from engine.backends.browser import BrowserSession
from engine.backends.chromium import (
    BASE_ARGS,
    LOCAL_NETWORK_CHECKS,
    PLAYWRIGHT_DISABLED_FEATURES,
    find_chromium,
)
from engine.backends.http import HttpSession
from engine.harness.record import record_sync
from engine.harness.replay import replay_scenario
from engine.runner.context import SyncOptions
from sites.exfil import INJECTED_LABEL, ForeignListener
from tests.security.conftest import CREDENTIALS, RECIPE

pytestmark = pytest.mark.browser


def _counts(foreign: ForeignListener) -> tuple[int, int, int]:
    return foreign.tcp_connections, foreign.udp_datagrams, foreign.bytes_received


@pytest.mark.parametrize("case", ["everything", "redirect-303"])
async def test_record_and_replay_contact_nothing_and_report_the_refusal(
        case: str, guarded_engine: tuple[Engine, dict[tuple[str, str], BrowserSession]],
        foreign: ForeignListener, exfil_url: str, tmp_path: Path) -> None:
    """Recording fetches every request itself (route.fetch) and renders screenshots from the
    saved HTML, whose preconnect and prefetch tags still point at the foreign host."""
    engine, _sessions = guarded_engine
    recipe = tmp_path / "banque-exfil.yaml"
    recipe.write_text(RECIPE.read_text(encoding="utf-8").replace("case=none", f"case={case}"),
                      encoding="utf-8")
    foreign.reset()
    outcome = await record_sync(recipe, CREDENTIALS, tmp_path / "fixtures", scenario=case,
                                options=SyncOptions(base_url=exfil_url), engine=engine)
    await asyncio.sleep(0.3)
    assert _counts(foreign) == (0, 0, 0), foreign.summary()
    foreign_host = f"localhost:{foreign.port}"
    assert any(foreign_host in w for w in outcome.result.warnings), outcome.result.warnings
    if case == "redirect-303":
        assert outcome.result.error is not None
        assert outcome.result.error.code == "recipe_broken.host_refused"
    else:
        assert outcome.result.error is None and len(outcome.result.transactions) == 2
    saved = (outcome.fixture_dir / "recording.har").read_text(encoding="utf-8")
    assert INJECTED_LABEL not in saved, "nothing the foreign host could say was recorded"

    replayed = await replay_scenario(recipe, outcome.fixture_dir, engine=engine)
    await asyncio.sleep(0.3)
    assert _counts(foreign) == (0, 0, 0), foreign.summary()
    if case == "everything":
        assert replayed.diffs == [], replayed.diffs


async def test_the_http_backend_checks_every_hop_before_following_it(
        foreign: ForeignListener, exfil_url: str) -> None:
    """httpx never follows a redirect; a caller that follows ``Location`` by hand goes back
    through ``request()``, which refuses the foreign hop before it is sent."""
    foreign.reset()
    http = HttpSession(allowed_domains=["127.0.0.1"])
    try:
        url = f"{exfil_url}/r/2/api/accounts?token=abc"
        for _hop in range(3):  # two hops on the allowed host, then one to the foreign host
            answer = await http.request("GET", url, timeout=5)
            assert answer.status == 302, "a redirect is handed back, never followed"
            url = answer.headers["location"]
        with pytest.raises(RequestRefused) as refused:
            await http.request("GET", url, timeout=5)
        assert refused.value.url == f"http://localhost:{foreign.port}/api/accounts"
        assert refused.value.initiator == f"{exfil_url}/r/0/api/accounts"
        assert [r.host for r in http.refused] == [f"localhost:{foreign.port}"]
    finally:
        await http.close()
    assert _counts(foreign) == (0, 0, 0), foreign.summary()


async def test_without_containment_the_attacks_do_reach_the_foreign_host(
        foreign: ForeignListener, exfil_url: str) -> None:
    """The control: the same page in a plain Chromium (no guard proxy, no WebRTC policy,
    local-network checks off) reaches the foreign host over TCP and UDP. So the zeros above
    are the engine's doing, and the listener does count."""
    foreign.reset()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_chromium(), args=[*BASE_ARGS, "--disable-features=" + ",".join(
                [*PLAYWRIGHT_DISABLED_FEATURES, *LOCAL_NETWORK_CHECKS])])
        try:
            page = await browser.new_page()
            await page.goto(f"{exfil_url}/connexion?case=everything", wait_until="commit")
            await page.fill("#mdp", "typed-secret")
            for _ in range(30):
                if foreign.udp_datagrams and foreign.tcp_connections >= 10:
                    break
                await asyncio.sleep(0.1)
        finally:
            await browser.close()
    assert foreign.tcp_connections >= 10, foreign.summary()
    assert foreign.udp_datagrams >= 1, foreign.summary()
    seen = b"".join(c.first_bytes for c in foreign.contacts)
    assert b"GET /fetch?c=prefs=lang-fr-client-42" in seen  # the cookie, in the URL


def test_our_disable_features_keep_playwrights_own() -> None:
    """Chromium keeps only the last --disable-features it is given, and ours comes after
    Playwright's: ours must repeat every feature the installed Playwright turns off."""
    import playwright

    driver = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    sources = [p for p in driver.rglob("*.js") if "disabledFeatures" in
               p.read_text(encoding="utf-8", errors="replace")]
    assert sources, "Playwright's switch list moved: find it and update this test"
    text = sources[0].read_text(encoding="utf-8", errors="replace")
    block = re.search(r"disabledFeatures\s*=\s*\[(.*?)\]", text, re.DOTALL)
    assert block is not None
    theirs = set(re.findall(r'"([A-Za-z0-9]+)"', block.group(1)))
    assert theirs, block.group(0)[:300]
    assert theirs <= set(PLAYWRIGHT_DISABLED_FEATURES), theirs - set(PLAYWRIGHT_DISABLED_FEATURES)


async def test_a_guarded_context_resolves_no_host_name_itself(tmp_path: Path) -> None:
    """Chromium's net-log records every host resolution job. A page in an engine session
    (behind its guard proxy, an IP literal) names a host in every way a page can (dns-prefetch,
    preconnect, prefetch, an image, a script, fetch): the browser resolves none of them, the
    proxy would. The same markup in an unguarded context of the same browser, the control,
    shows its resolutions in the same log."""
    log = tmp_path / "netlog.json"
    engine = Engine(max_concurrency=1)
    engine.host.disable_features = list(LOCAL_NETWORK_CHECKS)
    engine.host.extra_args = [f"--log-net-log={log}"]
    markup = ('<link rel="dns-prefetch" href="//NAME"><link rel="preconnect" href="http://NAME">'
              '<link rel="prefetch" href="http://NAME/p"><img src="http://NAME/i.png">'
              '<script src="http://NAME/s.js"></script>'
              '<script>fetch("http://NAME/f").catch(() => {})</script>')
    try:
        session = await engine.host.new_session(allowed_domains=["127.0.0.1"])
        await session.page.set_content(markup.replace("NAME", "guarded-probe.invalid"))
        browser = await engine.host.start()
        control = await browser.new_context()
        page = await control.new_page()
        await page.set_content(markup.replace("NAME", "control-probe.invalid"))
        await asyncio.sleep(1.0)
        await control.close()
        await session.close()
    finally:
        await engine.close()
    resolved = _resolution_jobs(log)
    assert any("control-probe.invalid" in h for h in resolved), resolved
    assert not [h for h in resolved if "guarded-probe" in h], resolved


def _resolution_jobs(path: Path) -> list[str]:
    """Hosts of the net-log's resolution jobs (lookups actually started)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:  # a log cut short: close it
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    job = data["constants"]["logEventTypes"]["HOST_RESOLVER_MANAGER_JOB"]
    return [str((event.get("params") or {}).get("host")) for event in data.get("events", [])
            if event.get("type") == job and (event.get("params") or {}).get("host")]
