"""A small bank whose login can be changed under a running engine, the ways sites change.

The login is Banque Démo's shape (CSRF token, a scrambled keypad whose script posts each key's
opaque token into a hidden field) on one page, the customer area on another. ``changes`` flip,
between syncs, what a learnt HTTP plan relies on:

- ``pad``: the keypad script's content (same URL): ``v2`` joins the tokens with ``|``, and the
  server decodes accordingly — a plan learnt on ``v1`` would post what ``v2`` rejects;
- ``browser_check``: the server answers a plain "enable JavaScript" page to any client that
  does not send the header a real browser's navigation sends (``Sec-Fetch-Mode``), as bot
  shields do: the HTTP login reaches an unexpected page;
- ``script_cookie``: the page's inline script sets a cookie the server then requires;
- ``device_field``: an inline script writes a device fingerprint into a hidden field, a value
  no step typed and no key gave (the login cannot be reproduced without the script).

Every POST to ``/login`` is counted (``posts``): a wrong password must reach the server once
per sync, on either path.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, make_response, redirect, request, session

USER, PASSWORD = "alice", "4821"

PAD_JS = {
    "v1": "document.querySelectorAll('.pad button').forEach(b => b.addEventListener('click',"
          " () => { const f = document.getElementById('pin'); f.value = (f.value ? f.value"
          " + ',' : '') + b.dataset.token; }));",
    "v2": "document.querySelectorAll('.pad button').forEach(b => b.addEventListener('click',"
          " () => { const f = document.getElementById('pin'); f.value = (f.value ? f.value"
          " + '|' : '') + b.dataset.token; }));",
}
SEPARATOR = {"v1": ",", "v2": "|"}

RECIPE = """
institution: {id: ID, name: Petite Banque, base_url: http://127.0.0.1,
              allowed_domains: [127.0.0.1]}
credentials: [{name: user}, {name: password, secret: true}]
timeouts: {step: 5, sync: 60}
detect:
  invalid_credentials: {css: .erreur}
login:
  - goto: /login
  - fill: {css: "#user", value: "{{ credentials.user }}"}
  - keypad: {buttons: ".pad button", value: "{{ credentials.password }}"}
  - click: "#go"
  - expect: {css: "a.logout"}
accounts:
  goto: /home
  each: "tr.acct"
  fields: {id: "::attr(data-id)", label: td.label, balance: {css: td.balance, parse: amount}}
"""


@dataclass
class Changes:
    pad: str = "v1"
    browser_check: bool = False
    script_cookie: bool = False
    device_field: bool = False


@dataclass
class SmallBank:
    changes: Changes = field(default_factory=Changes)
    posts: int = 0
    issued: list[str] = field(default_factory=list)
    """Every token, CSRF value and session cookie the site handed out (none may be kept)."""
    app: Flask = field(init=False)

    def __post_init__(self) -> None:
        app = Flask("small_bank")
        app.secret_key = secrets.token_hex(16)
        app.add_url_rule("/login", "login", self.login, methods=["GET"])
        app.add_url_rule("/login", "post", self.post, methods=["POST"])
        app.add_url_rule("/pad.js", "pad", self.pad)
        app.add_url_rule("/home", "home", self.home)
        self.app = app

    def login(self, error: str = "") -> Any:
        tokens = {str(d): secrets.token_hex(3) for d in range(10)}
        session["pad"] = {t: d for d, t in tokens.items()}
        session["csrf"] = secrets.token_hex(8)
        self.issued += [*tokens.values(), session["csrf"]]
        keys = "".join(f'<button type="button" data-token="{tokens[d]}">{d}</button>'
                       for d in "7305194862")
        cookie = ("<script>document.cookie = 'js_ok=1; path=/';</script>"
                  if self.changes.script_cookie else "")
        if self.changes.device_field:
            cookie += ('<input type="hidden" form="f" id="device" name="device" value="">'
                       "<script>document.getElementById('device').value = 'd-' + "
                       "Math.random().toString(36).slice(2);</script>")
        return (f'<!doctype html><html><body>{error}<form id="f" method="post" action="/login">'
                f'<input type="hidden" name="csrf" value="{session["csrf"]}">'
                '<input id="user" name="user"><div class="pad">' + keys + '</div>'
                '<input type="hidden" id="pin" name="pin" value="">'
                '<button id="go" type="submit">Entrer</button></form>'
                f'<script src="/pad.js"></script>{cookie}</body></html>')

    def pad(self) -> Response:
        return Response(PAD_JS[self.changes.pad], mimetype="text/javascript")

    def post(self) -> Any:
        self.posts += 1
        if self.changes.browser_check and not request.headers.get("Sec-Fetch-Mode"):
            return "<!doctype html><html><body><p>Activez JavaScript.</p></body></html>"
        if self.changes.script_cookie and request.cookies.get("js_ok") != "1":
            return "<!doctype html><html><body><p>Session invalide.</p></body></html>"
        mapping = session.pop("pad", {})
        tokens = request.form.get("pin", "").split(SEPARATOR[self.changes.pad])
        typed = "".join(mapping.get(t, "?") for t in tokens)
        if request.form.get("csrf") != session.get("csrf") or request.form.get("user") != USER \
                or typed != PASSWORD:
            return self.login('<p class="erreur">Identifiant ou code incorrect.</p>')
        session["user"] = USER
        response = redirect("/home")
        return response

    def home(self) -> Any:
        if session.get("user") != USER:
            return redirect("/login")
        return make_response(
            '<!doctype html><html><body><a class="logout" href="/logout">Sortir</a><table>'
            '<tr class="acct" data-id="c1"><td class="label">Courant</td>'
            '<td class="balance">1 250,40 €</td></tr>'
            '<tr class="acct" data-id="s1"><td class="label">Épargne</td>'
            '<td class="balance">8 000,00 €</td></tr></table></body></html>')
