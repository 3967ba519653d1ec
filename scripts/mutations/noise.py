"""The changes every site goes through that no recipe should notice: a banner, marketing
text, a tag manager, an A/B-test attribute on rows, a wrapper for a responsive table, a cookie
notice, comments and whitespace from a new template engine — written once, applied to each
site in its own language and markup (``Texts``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scripts.mutations.edits import MARKUP, Doc, Edit, Mutation, html_sub, inject, wanted
from scripts.mutations.structure import element_end

ANALYTICS = '<script async src="https://analytics.example-tracker.com/t.js?id=123"></script>'
TAG_MANAGER = ("<script>window.dataLayer = window.dataLayer || []; "
               "dataLayer.push({event: 'page_view'});</script>")


@dataclass(frozen=True)
class Texts:
    """What a site's changes say, in its language."""

    banner: str
    marketing: str
    cookie: str
    footer_links: str
    main: str = r"<main[^>]*>"
    """Where the page's content starts (the banner goes right after it)."""
    end_main: str = r"</main>"
    kinds: tuple[str, ...] = MARKUP
    """Which documents carry the page chrome (``shell`` only: a single-page app)."""


def wrap_tables(css: str, *, urls: str | None = None) -> Edit:
    """Every top-level table wrapped in ``<div class=css>`` (tables inside tables left as
    they are)."""
    def edit(doc: Doc) -> str:
        if not wanted(doc, MARKUP, urls):
            return doc.text
        text, position, out = doc.text, 0, []
        for match in re.finditer(r"<table\b", text):
            if match.start() < position:
                continue
            end = element_end(text, match.start(), "table")
            out.append(text[position:match.start()] + f'<div class="{css}">'
                       + text[match.start():end] + "</div>")
            position = end
        return "".join(out) + text[position:]
    return edit


def html_noise(prefix: str, fixture: str, texts: Texts, *, recipe: str | None = None,
               rows: str | None = r"<tr(?=[\s>])", skip: tuple[str, ...] = ()
               ) -> list[Mutation]:
    """The generic innocuous changes for one site (``skip``: names that do not apply)."""
    kinds = texts.kinds
    found = [
        ("banner", inject(texts.banner, after=texts.main, kinds=kinds)),
        ("marketing-text", html_sub(f"({texts.end_main})", f"{texts.marketing}\\1",
                                    kinds=kinds, count=1)),
        ("analytics-script", inject(ANALYTICS, after=r"<head>", kinds=kinds)),
        ("tag-manager", inject(TAG_MANAGER, after=r"<head>", kinds=kinds)),
        ("meta-tags", inject('<meta name="robots" content="noindex">'
                             '<meta name="theme-color" content="#0b3d91">', after=r"<head>",
                             kinds=kinds)),
        ("cookie-notice", html_sub(r"(</body>)", f'<div class="cookie-consent" hidden>'
                                   f"<p>{texts.cookie}</p></div>\\1", kinds=kinds, count=1)),
        ("footer-links", html_sub(f"({texts.end_main})", f"\\1{texts.footer_links}",
                                  kinds=kinds, count=1)),
        ("title-change", html_sub(r"<title>(.*?)</title>", r"<title>\1 | 2026</title>",
                                  kinds=kinds)),
        ("html-comments", html_sub(r"(<tbody[^>]*>)", r"\1<!-- rendered by tpl v2 -->")),
        ("whitespace", html_sub(r"(</td>)(<td)", r"\1\n        \2")),
        ("wrapper-around-tables", wrap_tables("table-responsive")),
    ]
    if rows is not None:
        found.append(("tracking-attributes-rows",
                      html_sub(rows, lambda m: m.group(0) + ' data-track="row-view"')))
    return [Mutation(f"{prefix}-{name}", fixture, "innocuous", "noise", edit, recipe=recipe)
            for name, edit in found if name not in skip]


__all__ = ["ANALYTICS", "TAG_MANAGER", "Texts", "html_noise", "wrap_tables"]
