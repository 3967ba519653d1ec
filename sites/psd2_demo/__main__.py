"""Run API Banque Ouverte in the foreground: ``python -m sites.psd2_demo --port 8403``.

The client credentials go to stderr so a human can configure the engine, while stdout carries
only the ``LISTENING <url>`` line that parent processes (``sites._server.ChildServer``) wait for.
"""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from sites._server import serve_forever

from . import create_app, release_waiters
from .data import CLIENT_ID, CLIENT_SECRET, PSU_ID, REDIRECT_URI, SCENARIOS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sites.psd2_demo", description=__doc__)
    parser.add_argument("--port", type=int, default=8403, help="0 picks a free port")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=None,
                        help="force one scenario for every PSU")
    parser.add_argument("--token-ttl", type=int, default=300, help="access-token lifetime (s)")
    parser.add_argument("--slow-seconds", type=float, default=30.0,
                        help="how long the slow scenario holds /v1/accounts")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the demo data")
    args = parser.parse_args(argv)

    app = create_app(args.scenario, seed=args.seed, token_ttl=args.token_ttl,
                     slow_seconds=args.slow_seconds)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        # Wake parked slow requests first, so the server's close does not wait on them.
        release_waiters(app)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    print(
        f"API Banque Ouverte (scenario: {args.scenario or 'per PSU'})\n"
        f"  client_id={CLIENT_ID} client_secret={CLIENT_SECRET}\n"
        f"  redirect_uri={REDIRECT_URI} psu_id={PSU_ID} (or psu-<scenario>: "
        f"{', '.join(sorted(SCENARIOS))})",
        file=sys.stderr,
        flush=True,
    )
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
