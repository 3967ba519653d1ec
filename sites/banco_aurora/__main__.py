"""Run Banco Aurora: ``python -m sites.banco_aurora --port 8404 --api-port 8405``.

By default both origins run in this process: the web app on ``http://127.0.0.1:PORT`` and the
API on ``http://localhost:API_PORT``. Stdout carries ``API <url>`` then ``LISTENING <web url>``
(parents such as ``ChildServer`` wait for the latter; the web page also names the API in
``<meta name="aurora-api">``); people read the demo users on stderr.

To run the origins as two processes instead, give each the other's URL:

    python -m sites.banco_aurora --role api --port 8405 --web-origin http://127.0.0.1:8404
    python -m sites.banco_aurora --role web --port 8404 --api-url http://localhost:8405
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from sites._server import LOOPBACK
from sites.banco_aurora.data import DEFAULT_SEED, DEMO_PASSWORD, EMAIL_CODE, SCENARIOS, user_cpf
from sites.banco_aurora.servers import LateApp, api_url_for, wire
from sites.banco_aurora.web import LIST_MODES, create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sites.banco_aurora",
                                     description="Banco Aurora, a Brazilian demo bank (SPA + API).")
    parser.add_argument("--role", choices=("both", "web", "api"), default="both")
    parser.add_argument("--port", type=int, default=8404,
                        help="the web app's port (the API's with --role api); 0 picks one")
    parser.add_argument("--api-port", type=int, default=8405, help="with --role both")
    parser.add_argument("--api-url", help="with --role web: where the API is")
    parser.add_argument("--web-origin", help="with --role api: the web origin CORS admits")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default=None,
                        help="force this scenario for every login (manutencao: site-wide)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--approve-after", type=float, default=2.0)
    parser.add_argument("--approval-ttl", type=float, default=8.0)
    parser.add_argument("--token-ttl", type=float, default=900.0)
    parser.add_argument("--email-code", default=EMAIL_CODE)
    parser.add_argument("--list-mode", choices=LIST_MODES, default="virtual")
    args = parser.parse_args(argv)
    if args.role == "web" and not args.api_url:
        parser.error("--role web needs --api-url")
    if args.role == "api" and not args.web_origin:
        parser.error("--role api needs --web-origin")
    return args


def _api_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"scenario": args.scenario, "seed": args.seed, "approve_after": args.approve_after,
            "approval_ttl": args.approval_ttl, "token_ttl": args.token_ttl,
            "email_code": args.email_code}


def _serve(servers: list[BaseWSGIServer]) -> None:
    """Serve every server until interrupted (the last one in the foreground)."""
    for server in servers[:-1]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        servers[-1].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.server_close()


def _bind(port: int, app: Any) -> BaseWSGIServer:
    server = make_server(LOOPBACK, port, app, threaded=True)
    server.daemon_threads = True  # type: ignore[attr-defined]
    return server


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from sites.banco_aurora.api_app import create_api_app

    if args.role == "web":
        server = _bind(args.port, create_app(args.api_url, list_mode=args.list_mode))
        print(f"LISTENING http://{LOOPBACK}:{server.server_port}", flush=True)
        servers = [server]
    elif args.role == "api":
        server = _bind(args.port, create_api_app([args.web_origin], **_api_options(args)))
        print(f"LISTENING {api_url_for(server.server_port)}", flush=True)
        servers = [server]
    else:
        web_slot, api_slot = LateApp(), LateApp()
        api_server, web_server = _bind(args.api_port, api_slot), _bind(args.port, web_slot)
        web_url, api_url = f"http://{LOOPBACK}:{web_server.server_port}", api_url_for(
            api_server.server_port)
        web_slot.app, api_slot.app = wire(web_url, api_url, list_mode=args.list_mode,
                                          **_api_options(args))
        print(f"API {api_url}", flush=True)
        print(f"LISTENING {web_url}", flush=True)
        servers = [api_server, web_server]
    print(f"Banco Aurora — CPF {user_cpf('demo')}, senha {DEMO_PASSWORD} "
          f"(aprovação no app em {args.approve_after:g} s)", file=sys.stderr)
    for name, description in SCENARIOS.items():
        print(f"  {user_cpf(name)}  {name:<16} {description}", file=sys.stderr)
    sys.stderr.flush()
    _serve(servers)


if __name__ == "__main__":
    main()
