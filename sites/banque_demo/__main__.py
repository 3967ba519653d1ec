"""Run Banque Démo in the foreground: ``python -m sites.banque_demo --port 8401``.

Stdout carries exactly one line, ``LISTENING <url>`` (parents such as ``ChildServer`` wait for
it); everything meant for a person (credentials, scenario identifiants, SMS codes) goes to
stderr.
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever

from . import create_app
from .config import LAYOUTS
from .data import DEFAULT_SEED, DEMO_PASSWORD, DEMO_USERNAME, SCENARIOS, scenario_username


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sites.banque_demo",
                                     description="Banque Démo, a local demo bank site.")
    parser.add_argument("--port", type=int, default=8401, help="0 picks a free port")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="classic")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=None,
                        help="force this scenario for every login (site-wide for maintenance)")
    parser.add_argument("--otp-code", default="123456")
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--analytics-host", default=None,
                        help="host[:port] of a third-party tracking pixel added to every page")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    app = create_app(
        args.layout,
        args.scenario,
        seed=args.seed,
        otp_code=args.otp_code,
        slow_seconds=args.slow_seconds,
        analytics_host=args.analytics_host,
    )
    print(f"Banque Démo ({args.layout}) — identifiant : {DEMO_USERNAME}, "
          f"code secret : {DEMO_PASSWORD}", file=sys.stderr)
    if args.scenario:
        print(f"Scénario imposé : {args.scenario} — {SCENARIOS[args.scenario]}", file=sys.stderr)
    else:
        for name, description in SCENARIOS.items():
            print(f"  {scenario_username(name):<20} {description}", file=sys.stderr)
    sys.stderr.flush()
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
