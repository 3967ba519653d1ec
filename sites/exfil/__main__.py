"""Run Banque Exfil and its foreign host: ``python -m sites.exfil --port 8404``.

Stdout carries one line, ``LISTENING <url>`` (the bank); the foreign host's address and what
reaches it go to stderr. Open ``<url>/connexion?case=NAME`` (names: ``attacks.CASES``).
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever
from sites.exfil import CASES, PASSWORD, USERNAME, ForeignListener, create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sites.exfil")
    parser.add_argument("--port", type=int, default=8404, help="0 picks a free port")
    parser.add_argument("--foreign-port", type=int, default=0)
    args = parser.parse_args(argv)
    with ForeignListener(port=args.foreign_port) as foreign:
        print(f"foreign host: {foreign.url} (TCP and UDP); login {USERNAME} / {PASSWORD}; "
              f"cases: {', '.join(CASES)}", file=sys.stderr, flush=True)
        try:
            serve_forever(create_app(foreign.url), args.port)
        finally:
            print(f"foreign host saw {foreign.summary()}", file=sys.stderr)


if __name__ == "__main__":
    main()
