"""Load-time compilation of everything a recipe hands to another language.

A recipe embeds four small languages: CSS and XPath selectors, regular expressions, JMESPath
(paths into JSON and the expressions of filters and conditions). Each is compiled here when the
recipe loads, so a typo is a ``file:line:col`` validation error instead of a traceback, a
``engine_error`` or — worst — a sync that silently reads nothing. Every ``check_*`` raises a
plain ``ValueError`` whose message an author understands; no ``SelectorSyntaxError``,
``re.error`` or ``OverflowError`` leaks out of this module.

Strings may hold templates (``section[data-account='{{ account.id }}'] tr``): they are checked
with each placeholder replaced by a neutral value, and rendered with the row's context before
use (``render_selector``). Regexes run on the ``regex`` package with a time bound, so a
catastrophic pattern ends with a clear error instead of hanging a sync.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import jmespath
import regex
from cssselect import SelectorError
from cssselect.xpath import ExpressionError
from jmespath.exceptions import IncompleteExpressionError, JMESPathError, ParseError
from jmespath.functions import Functions
from lxml import etree
from parsel.csstranslator import css2xpath

from engine.recipe.templates import Context, render

__all__ = [
    "EXPRESSION_ROOTS",
    "MAX_PATTERN",
    "REGEX_TIMEOUT",
    "check_css",
    "check_expression",
    "check_jmespath",
    "check_regex",
    "check_xpath",
    "compiled_jmespath",
    "compiled_regex",
    "expression_rows",
    "has_template",
    "regex_search",
    "render_selector",
    "search",
]

MAX_PATTERN = 2000
"""Longest selector, regex or expression a recipe may hold: longer ones are mistakes (a pasted
page) and make compilation itself costly."""

REGEX_TIMEOUT = 0.5
"""Seconds one regex search may take on one value before it is abandoned with an error."""

MAX_REGEX_INPUT = 100_000
"""Characters of a value a regex is run on: scraped values are short; a whole page is a bug."""

EXPRESSION_ROOTS = ("row", "account", "vars", "options")
"""What an expression may read: the context document ``{row, account, vars, options}``."""

_PLACEHOLDER = re.compile(r"\{\{.*?\}\}")
_EMPTY_DOCUMENT = etree.fromstring("<html/>")
_XPATH_NAMESPACES = {"re": "http://exslt.org/regular-expressions",
                     "set": "http://exslt.org/sets"}  # the two parsel registers


def has_template(text: str) -> bool:
    return "{{" in text


def _neutral(text: str) -> list[str]:
    """The text with placeholders replaced by neutral values: an identifier-like value and a
    number, because ``[data-id={{ account.id }}]`` needs the first and ``nth-child({{ vars.n
    }})`` the second."""
    if not has_template(text):
        return [text]
    return [_PLACEHOLDER.sub(value, text) for value in ("x", "0")]


def _bounded(text: str, what: str) -> None:
    if len(text) > MAX_PATTERN:
        raise ValueError(f"{what} is {len(text)} characters long: at most {MAX_PATTERN}")
    if not text.strip():
        raise ValueError(f"{what} is empty")


def _first_valid(text: str, check: Callable[[str], object]) -> None:
    """Accept a templated string when one of its neutral renderings is valid."""
    error: ValueError | None = None
    for candidate in _neutral(text):
        try:
            check(candidate)
        except ValueError as exc:
            error = error or exc
        else:
            return
    assert error is not None
    raise error


# ----------------------------------------------------------------------------- selectors

def check_css(selector: str) -> str:
    """A CSS selector as parsel runs it (``::text`` and ``::attr(name)`` allowed)."""
    _bounded(selector, "CSS selector")

    def compile_one(text: str) -> None:
        try:
            css2xpath(text)
        except (SelectorError, ExpressionError) as exc:
            raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from None
        except Exception as exc:  # cssselect raises odd types on odd input
            raise ValueError(f"invalid CSS selector {selector!r}: {type(exc).__name__}") \
                from None

    _first_valid(selector, compile_one)
    return selector


def check_xpath(expression: str) -> str:
    """An XPath 1.0 expression (EXSLT ``re:`` and ``set:`` allowed, as in parsel)."""
    _bounded(expression, "XPath")

    def compile_one(text: str) -> None:
        # lxml finds wrong arities and unknown functions only when evaluating: try it once on
        # an empty document; a namespace prefix is fine (the block declares namespaces).
        try:
            etree.XPath(text, namespaces=_XPATH_NAMESPACES)(_EMPTY_DOCUMENT)
        except etree.XPathEvalError as exc:
            if "namespace prefix" not in str(exc):
                raise ValueError(f"invalid XPath {expression!r}: {exc}") from None
        except etree.XPathError as exc:
            raise ValueError(f"invalid XPath {expression!r}: {exc}") from None

    _first_valid(expression, compile_one)
    return expression


def render_selector(text: str, context: Context) -> str:
    """A selector or path with its templates filled from the row's context (account, vars).

    Values are escaped for the quoted strings they usually sit in (``'...'`` in CSS
    attribute selectors and JMESPath raw strings), so an id with a quote cannot change the
    selector's meaning."""
    if not has_template(text):
        return text
    safe = {ns: {k: (str(v).replace("\\", "\\\\").replace("'", "\\'") if v is not None else v)
                 for k, v in values.items()} for ns, values in context.items()
            if ns != "credentials"}
    return render(text, safe)


# ----------------------------------------------------------------------------- regexes

@functools.lru_cache(maxsize=1024)
def _compile_regex(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def check_regex(pattern: str) -> str:
    """A regular expression (Python syntax, run by the ``regex`` package with a time bound)."""
    _bounded(pattern, "regex")
    try:
        _compile_regex(pattern)
    except regex.error as exc:
        where = f" at position {exc.pos}" if getattr(exc, "pos", None) is not None else ""
        raise ValueError(f"invalid regex {pattern!r}: {exc.msg}{where}") from None
    except (OverflowError, RecursionError, ValueError, TypeError) as exc:
        raise ValueError(f"invalid regex {pattern!r}: {type(exc).__name__}") from None
    return pattern


def compiled_regex(pattern: str) -> regex.Pattern[str]:
    check_regex(pattern)
    return _compile_regex(pattern)


def regex_search(pattern: str, text: str,
                 timeout: float = REGEX_TIMEOUT) -> regex.Match[str] | None:
    """``search`` with a time bound; a pattern that backtracks past it raises ``ValueError``."""
    compiled = compiled_regex(pattern)
    if len(text) > MAX_REGEX_INPUT:
        raise ValueError(f"regex {pattern!r} given a {len(text)}-character value: at most "
                         f"{MAX_REGEX_INPUT}")
    try:
        return compiled.search(text, timeout=timeout)
    except TimeoutError:
        raise ValueError(f"regex {pattern!r} took longer than {timeout} s on a "
                         f"{len(text)}-character value (catastrophic backtracking?): "
                         "simplify the pattern") from None


# ----------------------------------------------------------------------------- JMESPath

@functools.lru_cache(maxsize=1024)
def _compile_jmespath(expression: str) -> jmespath.parser.ParsedResult:
    return jmespath.compile(expression)


def compiled_jmespath(expression: str) -> jmespath.parser.ParsedResult:
    check_jmespath(expression)
    return _compile_jmespath(expression)


def search(expression: str, data: Any) -> Any:
    """Run a JMESPath; a run-time failure (``length(`1`)``: a type error) is a ValueError
    naming the expression, like a load-time one, never a jmespath exception."""
    try:
        return compiled_jmespath(expression).search(data)
    except JMESPathError as exc:
        raise ValueError(f"JMESPath {expression!r} failed on this data: {exc}") from None
    except RecursionError:
        raise ValueError(f"JMESPath {expression!r}: data nested too deeply") from None


def check_jmespath(expression: str) -> str:
    """A JMESPath; unknown functions are refused now (jmespath only finds them when run)."""
    _bounded(expression, "JMESPath")

    def compile_one(text: str) -> None:
        try:
            parsed = _compile_jmespath(text)
        except IncompleteExpressionError:
            raise ValueError(f"invalid JMESPath {expression!r}: incomplete expression") \
                from None
        except ParseError as exc:
            raise ValueError(f"invalid JMESPath {expression!r}: {exc.msg} at column "
                             f"{exc.lex_position + 1}") from None
        except JMESPathError as exc:
            raise ValueError(f"invalid JMESPath {expression!r}: {type(exc).__name__}") \
                from None
        except RecursionError:
            raise ValueError(f"invalid JMESPath {expression!r}: nested too deeply") from None
        for name in _functions(parsed.parsed):
            if name not in _FUNCTIONS:
                raise ValueError(f"JMESPath {expression!r}: unknown function {name}(); "
                                 f"known: {', '.join(sorted(_FUNCTIONS))}")

    _first_valid(expression, compile_one)
    return expression


_FUNCTIONS = frozenset(Functions.FUNCTION_TABLE)


def _functions(node: Mapping[str, Any]) -> list[str]:
    found = [str(node["value"])] if node.get("type") == "function_expression" else []
    for child in node.get("children", []):
        if isinstance(child, Mapping):
            found.extend(_functions(child))
    return found


# Node types whose children after the first are evaluated against each element, not the root.
_SCOPING = {"subexpression", "index_expression", "projection", "value_projection",
            "filter_projection", "flatten", "pipe"}


def _root_fields(node: Mapping[str, Any], at_root: bool = True) -> list[list[str]]:
    """Field chains read from the root document: ``row.amount`` -> ``['row', 'amount']``."""
    kind, children = node.get("type"), [c for c in node.get("children", [])
                                        if isinstance(c, Mapping)]
    if kind == "field":
        return [[str(node["value"])]] if at_root else []
    if kind == "subexpression" and at_root:
        chains = _root_fields(children[0], True)
        if chains and children[1].get("type") == "field" and len(chains[-1]) == 1:
            chains[-1].append(str(children[1]["value"]))
        return chains
    if kind == "expref":
        return []
    out: list[list[str]] = []
    for i, child in enumerate(children):
        out.extend(_root_fields(child, at_root and (kind not in _SCOPING or i == 0)))
    return out


def check_expression(expression: str, roots: tuple[str, ...] = EXPRESSION_ROOTS) -> str:
    """A condition or value over ``{row, account, vars, options}``.

    A bare name (``amount > `0` `` instead of ``row.amount``) would read nothing and be
    silently false forever, so every name read from the root must be one of ``roots``."""
    check_jmespath(expression)
    for chain in _root_fields(_compile_jmespath(_neutral(expression)[0]).parsed):
        if chain[0] not in roots:
            raise ValueError(f"expression {expression!r} reads {chain[0]!r}: names start with "
                             f"one of {', '.join(roots)} (e.g. row.{chain[0]})")
    return expression


def expression_rows(expression: str) -> set[str]:
    """The ``row.<field>`` names an expression reads (to check they are declared before)."""
    parsed = _compile_jmespath(_neutral(expression)[0]).parsed
    return {chain[1] for chain in _root_fields(parsed) if chain[0] == "row" and len(chain) > 1}


# ----------------------------------------------------------------------------- runtime use

class RegexTimeout(ValueError):
    """A recipe regex ran longer than ``REGEX_TIMEOUT`` on one input (a page URL, a body)."""


def bounded_search(pattern: str, text: str) -> regex.Match[str] | None:
    """``regex.search`` with the recipe time bound, on inputs of any length (detection rules
    read whole URLs and answers); ``RegexTimeout`` when it runs too long."""
    try:
        return compiled_regex(pattern).search(text, timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise RegexTimeout(f"regular expression {pattern!r} ran longer than "
                           f"{REGEX_TIMEOUT:g} s on {len(text)} characters") from None


def is_xpath_syntax(selector: str) -> bool:
    """Row and field selectors written in a CSS slot may be XPath when they start like one
    (``//tr``, ``(//tr)[1]``, ``./td``): the historical shorthand. An explicit ``xpath:`` key
    is always XPath, whatever it starts with."""
    return selector.lstrip().startswith(("/", "(", "./"))


def check_selector(selector: str) -> str:
    """A selector in a CSS slot: XPath when it starts like one, else CSS."""
    return check_xpath(selector) if is_xpath_syntax(selector) else check_css(selector)

