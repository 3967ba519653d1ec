"""Backend failures and recipe mistakes seen at run time, mapped into the taxonomy in one place.

This is the runner's counterpart of httpx's ``map_httpcore_exceptions``: every exception that
can come out of a step, a page load or an extraction is translated here, keeping its cause
(``raise ... from exc`` at the call sites). The kind follows the evidence:

- a navigation the browser or client reported as failed is ``unavailable`` with the reason it
  gave (``redirect_loop``, ``empty_page``, ``network``...), at once — never a wait that ends
  as ``recipe_broken``;
- a refused host, a page over the size limit, an element that is missing, hidden or covered, a
  template or expression of the recipe that cannot be evaluated, a regex that runs too long:
  ``recipe_broken``, naming the step, the selector and the recipe line when known;
- only what is really ours (a bug, the browser crashing) is ``engine_error``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cssselect import SelectorError
from jmespath.exceptions import JMESPathError

from engine.backends.base import (
    BackendCrashed,
    ElementMissing,
    NavigationFailed,
    PageTooLarge,
    RequestRefused,
    RequestVetoed,
)
from engine.backends.browser_errors import first_line
from engine.errors import EngineError, RecipeBroken, SyncError, Unavailable
from engine.recipe.compile import RegexTimeout
from engine.recipe.templates import TemplateError

if TYPE_CHECKING:
    from engine.backends.base import Backend
    from engine.recipe.model import Recipe

log = logging.getLogger("engine.sync")

RECIPE_MISTAKES = (TemplateError, JMESPathError, RegexTimeout, SelectorError)
"""Exceptions that mean the recipe asked for something impossible on this page."""


def recipe_error(recipe: Recipe | None, message: str, where: str | None = None, *,
                 step: str | None = None) -> SyncError:
    """A recipe mistake found at run time, pointing at the recipe line when known."""
    located = recipe.where(where) if recipe is not None and where else None
    return RecipeBroken(message + (f" (recipe {located})" if located else ""),
                        reason="recipe_error", step=step,
                        details={"recipe": located} if located else None)


def translate(exc: BaseException, step: str, backend: Backend | None,
              recipe: Recipe | None = None) -> SyncError:
    """The ``SyncError`` for anything raised while running ``step``."""
    if isinstance(exc, SyncError):
        if exc.step is None:
            exc.step = step
        return exc
    if isinstance(exc, BackendCrashed):
        return EngineError(str(exc), reason="browser_crashed", step=step)
    if isinstance(exc, RequestVetoed):
        return RecipeBroken(f"the request was refused: {exc.reason}", reason="request_refused",
                            step=step, url=exc.url)
    if isinstance(exc, RequestRefused):
        return RecipeBroken("the sync was led to a host outside allowed_domains, and the "
                            "request was refused", reason="host_refused", step=step,
                            url=exc.url)
    if isinstance(exc, PageTooLarge):
        return RecipeBroken(f"the page is {exc.size // 1_000_000} MB, over the "
                            f"{exc.limit // 1_000_000} MB the recipe allows "
                            "(institution.max_page_mb)", reason="page_too_large", step=step,
                            url=exc.url, details={"bytes": exc.size})
    if isinstance(exc, NavigationFailed):
        details = {"navigation_error": exc.detail} if exc.detail else None
        return Unavailable(f"the page did not load: {exc.reason}", reason=exc.kind, step=step,
                           url=exc.url, details=details)
    if isinstance(exc, ElementMissing):
        if backend is not None and backend.pending_requests:
            return Unavailable("the institution's server did not answer in time",
                               reason="timeout", step=step, url=backend.pending_requests[0])
        if exc.covered_by:
            return RecipeBroken(f"the element to {exc.action} is covered by {exc.covered_by}",
                                reason="element_covered", step=step, selector=exc.selector,
                                url=exc.url, details={"covered_by": exc.covered_by})
        if exc.hidden:
            return RecipeBroken(f"the element to {exc.action} is on the page but not visible",
                                reason="element_hidden", step=step, selector=exc.selector,
                                url=exc.url)
        return RecipeBroken(f"no element matches the selector to {exc.action}",
                            reason="element_missing", step=step, selector=exc.selector,
                            url=exc.url)
    if isinstance(exc, RECIPE_MISTAKES):
        return recipe_error(recipe, f"{type(exc).__name__}: {exc}", step=step)
    log.error("engine error in step %s", step, exc_info=exc)
    return EngineError(f"{type(exc).__name__}: {first_line(str(exc))[:300]}", reason="crash",
                       step=step)
