"""A tiny Flask site serving one realistic statement page per locale.

The pages are for extraction-only tests: no login, no state, each page rendered from
:mod:`sites.statements.data` with the country's own formats (:mod:`sites.statements.formats`)
and a layout imitating that country's banks. ``/`` lists the pages.
"""

from __future__ import annotations

from itertools import groupby

from flask import Flask, abort, render_template
from markupsafe import Markup, escape

from . import formats
from .data import STATEMENTS, Row

__all__ = ["create_app"]


def _nbsp(value: str) -> Markup:
    """Escape ``value``, writing no-break spaces as entities so page sources show them."""
    return (escape(value).replace("\u00a0", Markup("&nbsp;"))
            .replace("\u202f", Markup("&#8239;")).replace("\u2212", Markup("&minus;")))


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_env.filters["nbsp"] = _nbsp

    @app.get("/")
    def index() -> str:
        return render_template("index.html", statements=STATEMENTS)

    @app.get("/<locale>")
    def statement(locale: str) -> str:
        s = STATEMENTS.get(locale)
        if s is None:
            abort(404)
        indexed = list(enumerate(s.rows))
        days: list[tuple[object, list[tuple[int, Row]]]] = [
            (day, list(group)) for day, group in groupby(indexed, key=lambda ir: ir[1].date)]
        return render_template(f"{locale}.html", s=s, fmt=formats, rows=indexed, days=days)

    return app
