"""The recipe template language, deliberately tiny: ``{{ namespace.key }}`` and nothing else.

No expressions, filters, loops or attribute access beyond one level: recipes are data, and a
general template engine would be a way to run code. Namespaces: ``credentials`` (declared
credential fields), ``account`` (fields extracted for the current account), ``institution``,
and ``consent`` (values an API recipe saves from its consent answer, see ``recipe/api.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping

from engine.secrets import Secret

NAMESPACES = ("credentials", "account", "institution", "consent")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\.([A-Za-z0-9_]+)\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{.*?\}\}|\{%|\{#")


class TemplateError(ValueError):
    pass


def template_references(text: str) -> Iterator[tuple[str, str]]:
    for match in _PLACEHOLDER.finditer(text):
        yield match.group(1), match.group(2)


def template_problems(text: str) -> list[str]:
    """Why ``text`` is not a valid template (empty list when it is)."""
    problems = []
    for match in _ANY_BRACES.finditer(text):
        placeholder = _PLACEHOLDER.fullmatch(match.group(0))
        if placeholder is None:
            problems.append(
                f"{match.group(0)!r} is not a template; use {{{{ namespace.key }}}} with "
                f"namespace one of {', '.join(NAMESPACES)}"
            )
        elif placeholder.group(1) not in NAMESPACES:
            problems.append(f"unknown template namespace {placeholder.group(1)!r}; "
                            f"expected one of {', '.join(NAMESPACES)}")
    return problems


Context = Mapping[str, Mapping[str, object]]


def render(template: str, context: Context, *, reveal: bool = False) -> str:
    """Substitute placeholders. Secrets stay masked unless ``reveal`` (only for typing them)."""

    def substitute(match: re.Match[str]) -> str:
        namespace, key = match.group(1), match.group(2)
        try:
            value = context[namespace][key]
        except KeyError:
            raise TemplateError(f"{{{{ {namespace}.{key} }}}} has no value here") from None
        if isinstance(value, Secret):
            return value.reveal() if reveal else str(value)
        return "" if value is None else str(value)

    return _PLACEHOLDER.sub(substitute, template)


def uses_secret(template: str, is_secret: Callable[[str], bool]) -> bool:
    return any(ns == "credentials" and is_secret(key)
               for ns, key in template_references(template))
