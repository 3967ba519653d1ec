"""Run Harbour Credit Union in the foreground: ``python -m sites.harbour_cu --port 8406``.

Stdout carries exactly one line, ``LISTENING <url>`` (parents such as ``ChildServer`` wait for
it); everything meant for a person (credentials, scenarios, the e-mailed codes) goes to stderr.
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever

from . import create_app
from .data import (
    DEFAULT_OTP_CODE,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    SCENARIOS,
    masked_email,
    scenario_username,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sites.harbour_cu",
                                     description="Harbour Credit Union, a local demo bank.")
    parser.add_argument("--port", type=int, default=8406, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--otp-code", default=DEFAULT_OTP_CODE,
                        help="the code e-mailed at each login from a new device")
    parser.add_argument("--code-ttl", type=float, default=600.0, help="code validity, seconds")
    parser.add_argument("--maintenance", action="store_true",
                        help="every page, login included, shows the maintenance notice (503)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    app = create_app(seed=args.seed, otp_code=args.otp_code, code_ttl_seconds=args.code_ttl,
                     maintenance=args.maintenance)
    print(f"Harbour Credit Union: username {scenario_username('normal')}, password "
          f"{DEMO_PASSWORD}; code {args.otp_code} (e-mailed to {masked_email()})",
          file=sys.stderr)
    for name, description in SCENARIOS.items():
        print(f"  {scenario_username(name):<14} {description}", file=sys.stderr)
    sys.stderr.flush()
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
