"""Compile what a recipe writes in another language — CSS, XPath, regexes, JMESPath — at load.

A selector that cannot compile is a recipe mistake: it must be reported by ``engine validate``
at its line and column, never discovered at run time as a traceback or an ``engine_error``.
Each check raises ``ValueError`` with a message for the recipe author.

Regexes come from recipe authors and run on pages an institution controls, so they go through
the ``regex`` package with a time bound: a catastrophic pattern such as ``(a+)+$`` on a long
page ends with a clear error instead of hanging a sync past its deadline.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jmespath
import regex
from cssselect import SelectorError
from jmespath.exceptions import IncompleteExpressionError, JMESPathError, ParseError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

REGEX_TIMEOUT_SECONDS = 0.5
"""Longest one recipe regex may run on one value or page."""

_CSS = HTMLTranslator()
_EMPTY_DOC = etree.fromstring("<html><body/></html>")


class RegexTimeout(ValueError):
    """A recipe regex ran longer than ``REGEX_TIMEOUT_SECONDS`` on one input."""


def check_css(selector: str) -> str:
    """A CSS selector parsel accepts (with its ``::text`` and ``::attr(name)`` extensions)."""
    if not selector.strip():
        raise ValueError("empty CSS selector")
    try:
        _CSS.css_to_xpath(selector)
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
    except Exception as exc:  # cssselect raises a few others on odd input
        raise ValueError(f"invalid CSS selector {selector!r}: {type(exc).__name__}") from None
    return selector


def check_xpath(expression: str) -> str:
    """An XPath 1.0 expression lxml compiles *and* can evaluate (arity errors such as
    ``concat(`` only show on evaluation)."""
    if not expression.strip():
        raise ValueError("empty XPath")
    try:
        compiled = etree.XPath(expression, smart_strings=False)
        compiled(_EMPTY_DOC)
    except etree.XPathError as exc:
        raise ValueError(f"invalid XPath {expression!r}: {exc}") from None
    return expression


@lru_cache(maxsize=2048)
def compiled_regex(pattern: str) -> Any:
    return regex.compile(pattern, regex.VERSION0)


def check_regex(pattern: str) -> str:
    try:
        compiled_regex(pattern)
    except (regex.error, OverflowError, RecursionError, ValueError) as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return pattern


def bounded_search(pattern: str, text: str) -> Any:
    """``regex.search`` with the recipe time bound; ``RegexTimeout`` when it runs too long."""
    try:
        return compiled_regex(pattern).search(text, timeout=REGEX_TIMEOUT_SECONDS)
    except TimeoutError:
        raise RegexTimeout(f"regular expression {pattern!r} ran longer than "
                           f"{REGEX_TIMEOUT_SECONDS:g} s on {len(text)} characters") from None


def check_jmespath(expression: str) -> str:
    if not expression.strip():
        raise ValueError("empty JMESPath")
    try:
        jmespath.compile(expression)
    except IncompleteExpressionError:
        raise ValueError(f"invalid JMESPath {expression!r}: incomplete expression") from None
    except ParseError as exc:
        raise ValueError(f"invalid JMESPath {expression!r}: {exc.msg} at column "
                         f"{exc.lex_position + 1}") from None
    except JMESPathError as exc:
        raise ValueError(f"invalid JMESPath {expression!r}: {type(exc).__name__}") from None
    return expression


def is_xpath_syntax(selector: str) -> bool:
    """Row and field selectors written in the CSS slot may be XPath when they start like one
    (``//tr``, ``(//tr)[1]``, ``./td``): the historical shorthand. An explicit ``xpath:`` key
    is always XPath, whatever it starts with."""
    return selector.lstrip().startswith(("/", "(", "./"))


def check_selector(selector: str) -> str:
    """A selector in a CSS slot: XPath when it starts like one, else CSS."""
    return check_xpath(selector) if is_xpath_syntax(selector) else check_css(selector)
