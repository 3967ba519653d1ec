"""Serve the statement pages: ``python -m sites.statements --port 8405``.

Stdout carries exactly one line, ``LISTENING <url>``; the page list goes to stderr.
"""

from __future__ import annotations

import argparse
import sys

from sites._server import serve_forever

from . import create_app
from .data import STATEMENTS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sites.statements",
                                     description="Statement pages in eight locales.")
    parser.add_argument("--port", type=int, default=8405, help="0 picks a free port")
    args = parser.parse_args(argv)
    for locale, s in STATEMENTS.items():
        print(f"  /{locale:<3} {s.bank} — {s.product}", file=sys.stderr)
    sys.stderr.flush()
    serve_forever(create_app(), args.port)


if __name__ == "__main__":
    main()
