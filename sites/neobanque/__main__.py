"""Run NeoBanque in the foreground: ``python -m sites.neobanque --port 8402``.

Prints ``LISTENING <url>`` on stdout (for a parent process) and the demo credentials on stderr
(for a human); one-time codes are printed to stderr as they are "sent".
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever
from sites.neobanque import LAYOUTS, create_app
from sites.neobanque.data import DEMO_EMAIL, DEMO_PASSWORD, SCENARIOS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sites.neobanque", description=__doc__)
    parser.add_argument("--port", type=int, default=8402, help="0 picks a free port")
    parser.add_argument("--layout", choices=LAYOUTS, default="classic")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=None,
                        help="force this scenario for every login")
    parser.add_argument("--otp-code", default="654321")
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    args = parser.parse_args(argv)
    app = create_app(args.layout, args.scenario, otp_code=args.otp_code,
                     slow_seconds=args.slow_seconds)
    print(f"NeoBanque demo login: {DEMO_EMAIL} / {DEMO_PASSWORD} (SMS code {args.otp_code})",
          file=sys.stderr, flush=True)
    print("Scenarios: " + ", ".join(f"{name}@neobanque.test" for name in SCENARIOS),
          file=sys.stderr, flush=True)
    serve_forever(app, args.port)


if __name__ == "__main__":
    main()
