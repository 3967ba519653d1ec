"""Banque Démo after a change that a learnt HTTP login plan does not survive, for the
benchmark's fallback configurations:

    python -m bench.changed_site --change shield|script [--port 0]

* ``shield``: a bot shield in front of the login form. A form POST that does not carry the
  ``Sec-Fetch-Mode`` header every browser sends on a navigation gets a plain "enable
  JavaScript" page (status 200) instead of the customer area. The HTTP login posts the form,
  lands on that page, its ``expect`` fails: the plan is dropped and the browser logs in again
  from the start (``LoginDiverged``), the worst fallback — the HTTP attempt is paid in full.
* ``script``: a new build of the keypad script (same URL, same behaviour, other bytes). The
  login page now runs a script no browser login was seen to run: the HTTP login hands over
  to the browser after its first GET, before posting anything (``LoginHandover``), and the
  browser login learns the page again.

The change starts only when the benchmark asks (``POST /__bench/change``, answered 204), so
the plan is first learnt on the site as it was, on the same origin: a plan names the page's
scripts by their absolute URL, so a plan learnt on another port would not match either and
would measure a different fallback. The site is otherwise Banque Démo, unchanged (same seeded
data, same scenarios), so a sync that falls back must still return exactly
``sites/banque_demo/data.py``. The same changes are
provoked in the HTTP-login tests on a small site (``tests/http_login/test_plan_changes.py``);
this wraps the real demo bank so their cost is measured on the benchmark's own site.
"""

from __future__ import annotations

import argparse

from flask import Flask, Response, request

from sites._server import serve_forever
from sites.banque_demo import create_app

SHIELD_PAGE = ("<!doctype html><html lang=fr><head><meta charset=utf-8><title>Vérification"
               "</title></head><body><p class=shield>Activez JavaScript pour accéder à votre "
               "espace client.</p></body></html>")
SCRIPT_SUFFIX = b"\n/* build 2: same behaviour, new bytes */\n"


CONTROL = "/__bench/change"


def changed_app(change: str) -> Flask:
    app = create_app()
    changed = [False]

    @app.post(CONTROL)
    def _start_change() -> Response:
        changed[0] = True
        return Response(status=204)

    if change == "shield":
        @app.before_request
        def _shield() -> Response | None:
            if (changed[0] and request.method == "POST" and request.path == "/connexion"
                    and "Sec-Fetch-Mode" not in request.headers):
                return Response(SHIELD_PAGE, mimetype="text/html")
            return None
    elif change == "script":
        @app.after_request
        def _new_build(response: Response) -> Response:
            if changed[0] and request.path.endswith("/keypad.js") \
                    and response.status_code == 200:
                response.direct_passthrough = False  # static files are streamed otherwise
                response.set_data(response.get_data() + SCRIPT_SUFFIX)
                response.headers.pop("ETag", None)
            return response
    else:
        raise ValueError(f"unknown change {change!r}")
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.changed_site", description=__doc__)
    parser.add_argument("--change", choices=["shield", "script"], required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    serve_forever(changed_app(args.change), args.port)


if __name__ == "__main__":
    main()
