"""A list page that runs no script is what its HTML parses to: no browser needed to judge it.

``paging.BlockPages`` decides per block whether pages need rendering by rendering the first
one and comparing its records with a plain fetch's. For a page that runs nothing — no script,
no inline handler, no ``javascript:`` URL, no meta refresh (``html_forms.page_fingerprint``),
and no ``<noscript>`` (whose content a scripting browser reads as text) — rendering adds
only one thing: the browser's HTML5 parser, which repairs markup its own way (a ``tbody``
inserted, a paragraph closed, a misplaced cell moved). So instead of rendering, the HTML is
parsed the way browsers parse it (lexbor, through selectolax: a WHATWG-conformant parser) and
serialized, and the records extracted from that are compared with those lxml reads from the
raw HTML: the same records, at least one, no field problem — and the page reads the same as
rendered. Any doubt (scripts, a difference, nothing to compare) leaves the decision to the
browser as before.
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from engine.extraction.records import extract_list
from engine.recipe.lists import ListBlock
from engine.runner import html_forms as forms


def needs_no_browser(html: str, url: str, block: ListBlock, context: Any, *,
                     reference: Any, institution: Any) -> bool:
    """Whether ``html`` (a list page fetched plainly) reads the same as it would rendered."""
    if block.format != "html" or block.rendered_only or not html:
        return False
    page = forms.Page(url=url, status=200, html=html)
    if forms.page_fingerprint(page) or page.root.xpath("//noscript"):
        return False
    parsed = LexborHTMLParser(html).html or ""
    raw = extract_list(html, block, context, reference=reference, institution=institution)
    browser_like = extract_list(parsed, block, context, reference=reference,
                                institution=institution)
    return bool(raw.records) and not raw.problems and not browser_like.problems \
        and raw.records == browser_like.records


__all__ = ["needs_no_browser"]
