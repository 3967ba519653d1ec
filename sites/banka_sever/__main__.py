"""Run Banka Sever in the foreground: ``python -m sites.banka_sever --port 8404``.

Stdout carries exactly one line, ``LISTENING <url>`` (parents such as ``ChildServer`` wait for
it); everything meant for a person (credentials, SMS codes) goes to stderr.
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever

from . import create_app
from .data import CYRILLIC_USERNAME, DEFAULT_SEED, DEMO_PASSWORD, DEMO_USERNAME, OTP_CODE, SCENARIOS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sites.banka_sever",
                                     description="Banka Sever, a local Serbian demo bank.")
    parser.add_argument("--port", type=int, default=8404, help="0 picks a free port")
    parser.add_argument("--otp-code", default=OTP_CODE)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--maintenance", action="store_true",
                        help="every page answers the maintenance notice with HTTP 503")
    parser.add_argument("--terms-accepted", action="store_true",
                        help="no customer is shown the new-terms page")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    app = create_app(seed=args.seed, otp_code=args.otp_code, maintenance=args.maintenance,
                     terms_pending=() if args.terms_accepted else (DEMO_USERNAME,
                                                                   CYRILLIC_USERNAME))
    print(f"Banka Sever — korisnici: {DEMO_USERNAME} (latinica), {CYRILLIC_USERNAME} "
          f"(ћирилица); lozinka: {DEMO_PASSWORD}; SMS kod: {args.otp_code}", file=sys.stderr)
    for name, description in SCENARIOS.items():
        print(f"  {name:<12} {description}", file=sys.stderr)
    sys.stderr.flush()
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
