"""The login steps' selectors on the recorded pages: what they matched at recording time, and
whether they still match the same pages.

Why: list pages are saved as snapshots, but the login is a sequence of steps on pages that
are only in the recording's HTTP answers. Counting, at record time, what each login selector
matches on each HTML document of the recording (``meta.json`` ``login_selectors``) lets the
fast check and drift say "``login[1] fill`` ``#identifiant``: matched 1 on GET /connexion at
recording, 0 now" without a browser. Pages drawn by JavaScript (single-page apps) show no
login form in their HTML: nothing is recorded for them, and replay covers them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.extraction.records import count_matches
from engine.harness.har import exchange_html
from engine.recipe.model import Recipe


@dataclass(frozen=True)
class LoginSelector:
    step: str
    """The step as the runner names it: ``login[1] fill``."""
    selector: str
    page: str
    """``GET /connexion``: method and path of the recorded document."""
    matched: int


def login_selectors(recipe: Recipe) -> list[tuple[str, str]]:
    """(step name as the runner reports it, selector) for every selector a login step uses,
    from the step registry (a new step's selectors are found without a list to update);
    conditional ones (a ``when``, an optional click) are left out: their absence is normal."""
    out: list[tuple[str, str]] = []
    for index, step in enumerate(recipe.login):
        name = step.label(f"login[{index}]")
        conditional = step.when is not None
        out.extend((name, selector) for _, selector, optional in step.selectors()
                   if not (optional or conditional))
    return out


def page_key(exchange: dict[str, Any]) -> str:
    return f"{exchange.get('method', 'GET')} {urlsplit(str(exchange.get('url'))).path}"


def dom_key(url: str) -> str:
    """A login document as the browser showed it (``DOM /#/login``): path and fragment."""
    parts = urlsplit(url)
    return f"DOM {parts.path or '/'}" + (f"#{parts.fragment}" if parts.fragment else "")


def saved_documents(folder: Path, meta: dict[str, Any]) -> dict[str, list[str]]:
    """The login documents saved as snapshots (``meta.json`` ``login_pages``)."""
    out: dict[str, list[str]] = {}
    for item in meta.get("login_pages") or []:
        path = folder / "snapshots" / str(item.get("file", ""))
        if isinstance(item, dict) and path.is_file():
            out.setdefault(str(item.get("url")), []).append(path.read_text(encoding="utf-8"))
    return out


def fixture_documents(folder: Path, meta: dict[str, Any],
                      exchanges: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Every page a login step may act on: the recording's HTML answers and the saved DOM."""
    return {**documents(exchanges), **saved_documents(folder, meta)}


def safe_count(document: str, selector: str) -> int:
    with contextlib.suppress(Exception):
        return count_matches(document, selector)
    return 0


def documents(exchanges: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """HTML bodies of a recording by page key (a page loaded twice has two)."""
    out: dict[str, list[str]] = {}
    for exchange in exchanges:
        body = exchange_html(exchange)
        if body is not None:
            out.setdefault(page_key(exchange), []).append(body)
    return out


def measure(recipe: Recipe, pages: dict[str, list[str]]) -> list[LoginSelector]:
    """What each login selector matches on each recorded page where it matches anything."""
    out: list[LoginSelector] = []
    for step, selector in login_selectors(recipe):
        for key, bodies in pages.items():
            matched = max(safe_count(body, selector) for body in bodies)
            if matched:
                out.append(LoginSelector(step, selector, key, matched))
    return out


def as_json(found: list[LoginSelector]) -> list[dict[str, Any]]:
    return [{"step": f.step, "selector": f.selector, "page": f.page, "matched": f.matched}
            for f in found]


def recorded(meta: dict[str, Any]) -> list[LoginSelector]:
    items = meta.get("login_selectors") or []
    return [LoginSelector(str(i["step"]), str(i["selector"]), str(i["page"]),
                          int(i["matched"])) for i in items if isinstance(i, dict)]


def lost(recipe: Recipe, before: list[LoginSelector],
         pages: dict[str, list[str]]) -> list[tuple[LoginSelector, int]]:
    """Login selectors of the *current* recipe that matched a recorded page and match the
    same page (when it is still there) no more: (what was recorded, matched now)."""
    wanted = set(login_selectors(recipe))
    out: list[tuple[LoginSelector, int]] = []
    for item in before:
        if (item.step, item.selector) not in wanted or item.page not in pages:
            continue
        now = max(safe_count(body, item.selector) for body in pages[item.page])
        if not now:
            out.append((item, now))
    return out


__all__ = [
    "LoginSelector",
    "as_json",
    "documents",
    "dom_key",
    "fixture_documents",
    "login_selectors",
    "lost",
    "measure",
    "page_key",
    "recorded",
    "safe_count",
    "saved_documents",
]
