"""Record the committed fixtures: start each demo site on 127.0.0.1, sync it through the
recorder with the demo credentials, save the scrubbed scenario under fixtures/.

    .venv/bin/python scripts/record_fixtures.py [--fixtures DIR] [--only banque-demo/otp ...]

Each scenario gets a fresh site (ephemeral port, stopped right after) so no session,
trusted-device cookie or lockout leaks from one scenario into the next; all share one browser.
The demo scenario is chosen by the login, as on the sites themselves (``demo-otp``...).
Re-run it after changing a demo site or the recorder; then ``engine audit`` and ``pytest``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine, SyncOptions  # noqa: E402 - after the path set-up above
from engine.harness.record import record_sync  # noqa: E402
from sites._server import ThreadedServer  # noqa: E402


@dataclass(frozen=True)
class Scenario:
    recipe: str
    name: str
    module: str
    login: str
    otp_code: str | None = None
    site_scenario: str | None = None
    """The demo site's scenario this login exercises (for meta.json's ``site``)."""
    reference_date: date | None = None
    """'Today' for the sync (sites whose data is dated from a fixed day); default today."""

    @property
    def key(self) -> str:
        return f"{self.recipe}/{self.name}"


def _banque(name: str, login: str, otp: str | None = None) -> Scenario:
    return Scenario("banque-demo", name, "sites.banque_demo", login, otp,
                    login.removeprefix("demo-") if login != "demo" else "normal")


LAYOUTS = ("sites.banque_demo", "sites.neobanque")
"""Sites started with a ``layout`` (classic, redesign...)."""

SCENARIOS = (
    _banque("normal", "demo"),
    _banque("otp", "demo-otp", "123456"),
    _banque("maintenance", "demo-maint"),
    _banque("broken-history", "demo-brokenhistory"),
    Scenario("neobanque", "normal", "sites.neobanque", "demo", "654321", "demo"),
    Scenario("neobanque-hybrid", "normal", "sites.neobanque", "demo", "654321", "demo"),
    Scenario("api-banque-ouverte", "normal", "sites.psd2_demo", "psu-demo"),
    *(Scenario(recipe, "normal", "sites.harbour_cu", "demo", "739204", "normal",
               date(2026, 11, 20))
      for recipe in ("harbour-cu", "harbour-cu-search", "harbour-cu-ofx")),
    Scenario("banka-sever", "normal", "sites.banka_sever", "marko.petrovic", "135790", "normal"),
)


"""Sites without the classic/redesign layouts of Banque Démo and NeoBanque."""


def _site(scenario: Scenario) -> tuple[Callable[..., Any], dict[str, str]]:
    """The site's app factory and the credentials for this scenario's login."""
    if scenario.module == "sites.banque_demo":
        from sites.banque_demo import create_app
        from sites.banque_demo.data import DEMO_PASSWORD

        return create_app, {"username": scenario.login, "password": DEMO_PASSWORD}
    if scenario.module == "sites.harbour_cu":
        from sites.harbour_cu import create_app as create_harbour
        from sites.harbour_cu.data import DEMO_PASSWORD as HARBOUR_PASSWORD

        return create_harbour, {"username": scenario.login, "password": HARBOUR_PASSWORD}
    if scenario.module == "sites.banka_sever":
        from sites.banka_sever import create_app as create_sever
        from sites.banka_sever.data import DEMO_PASSWORD as SEVER_PASSWORD

        return create_sever, {"username": scenario.login, "password": SEVER_PASSWORD}
    if scenario.module == "sites.psd2_demo":
        from sites.psd2_demo import create_app as create_api
        from sites.psd2_demo.data import CLIENT_ID, CLIENT_SECRET

        return create_api, {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                            "psu_id": scenario.login}
    from sites.neobanque import create_app as create_neo
    from sites.neobanque.data import DEMO_PASSWORD as NEO_PASSWORD
    from sites.neobanque.data import scenario_email

    return create_neo, {"email": scenario_email(scenario.login), "password": NEO_PASSWORD}


async def record_all(root: Path, only: set[str]) -> int:
    failures = 0
    async with Engine(max_concurrency=1) as engine:
        for scenario in SCENARIOS:
            if only and scenario.key not in only:
                continue
            create_app, credentials = _site(scenario)
            started = time.perf_counter()
            with ThreadedServer(create_app()) as server:
                outcome = await record_sync(
                    ROOT / "recipes" / f"{scenario.recipe}.yaml", credentials, root,
                    scenario=scenario.name, engine=engine,
                    options=SyncOptions(base_url=server.url, otp_code=scenario.otp_code,
                                        reference_date=scenario.reference_date),
                    site={"module": scenario.module,
                          "layout": "classic" if scenario.module in LAYOUTS else None,
                          "scenario": scenario.site_scenario})
            result = outcome.result
            state = (f"error {result.error.code}" if result.error else
                     "partial" if result.partial else "ok")
            size = sum(p.stat().st_size for p in outcome.fixture_dir.rglob("*") if p.is_file())
            print(f"{scenario.key}: {state}, {len(result.transactions)} transactions, "
                  f"{size / 1024:.0f} KiB, {time.perf_counter() - started:.1f} s")
            if result.error is not None and result.error.kind.value == "engine_error":
                failures += 1
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=ROOT / "fixtures")
    parser.add_argument("--only", action="append", default=[],
                        help="recipe/scenario to record (repeatable; default: all)")
    args = parser.parse_args()
    raise SystemExit(1 if asyncio.run(record_all(args.fixtures, set(args.only))) else 0)


if __name__ == "__main__":
    main()
