"""The recipe template language, deliberately tiny: ``{{ namespace.key }}`` and nothing else.

No expressions, filters, loops or attribute access beyond one level: recipes are data, and a
general template engine would be a way to run code. Namespaces: ``credentials`` (declared
credential fields), ``account`` (fields extracted for the current account), ``institution``,
``vars`` (values ``capture`` steps kept), ``options`` (the sync's options: ``since``),
``origins`` (the institution's other origins) and ``consent`` (values an API recipe saves from
its consent answer, see ``recipe/api.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from engine.secrets import Secret

NAMESPACES = ("credentials", "account", "institution", "vars", "options", "origins", "consent")
OPTION_KEYS = ("since", "until", "today")
INSTITUTION_KEYS = ("id", "name", "base_url", "currency", "country")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\.([A-Za-z0-9_]+)\s*\}\}")
_ANY_BRACES = re.compile(r"\{\{.*?\}\}|\{%|\{#|\{\{|\}\}")

Path_ = tuple[str | int, ...]


class TemplateError(ValueError):
    pass


def template_references(text: str) -> Iterator[tuple[str, str]]:
    for match in _PLACEHOLDER.finditer(text):
        yield match.group(1), match.group(2)


def template_problems(text: str) -> list[str]:
    """Why ``text`` is not a valid template (empty list when it is)."""
    problems = []
    for match in _ANY_BRACES.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            problems.append(f"unbalanced {token!r}: a template is {{{{ namespace.key }}}}")
            continue
        placeholder = _PLACEHOLDER.fullmatch(token)
        if placeholder is None:
            problems.append(
                f"{token[:60]!r} is not a template; use {{{{ namespace.key }}}} with "
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


def check_references(data: Any) -> list[tuple[Path_, str]]:
    """Every template in the raw recipe data that names something that cannot exist: an
    undeclared credential, an account field the accounts block does not extract, a variable
    no ``capture`` step sets, an unknown option or origin."""
    if not isinstance(data, dict):
        return []
    declared = {c.get("name") for c in _as_list(data.get("credentials")) if isinstance(c, dict)}
    account_fields: set[str] = set()
    for block in _as_list(data.get("accounts")):
        if isinstance(block, dict) and isinstance(block.get("fields"), dict):
            account_fields.update(block["fields"])
    institution = data.get("institution") if isinstance(data.get("institution"), dict) else {}
    origins = set(institution.get("origins") or {}) if isinstance(institution, dict) else set()
    captured = _captured(data)
    problems: list[tuple[Path_, str]] = []

    def visit(node: Any, path: Path_) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                visit(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, (*path, i))
        elif isinstance(node, str) and ("{" in node or "}" in node):
            messages = template_problems(node)
            for namespace, key in template_references(node):
                messages.extend(_reference_problems(namespace, key, path, declared,
                                                    account_fields, captured, origins))
            problems.extend((path, m) for m in messages)

    visit(data, ())
    return problems


def _reference_problems(namespace: str, key: str, path: Path_, declared: set[Any],
                        account_fields: set[str], captured: set[str],
                        origins: set[str]) -> list[str]:
    out: list[str] = []
    if namespace == "credentials" and key not in declared:
        out.append(f"credentials.{key} is not declared under credentials "
                   f"(declared: {', '.join(sorted(map(str, declared)))})")
    if namespace == "account":
        if account_fields and key not in account_fields:
            out.append(f"account.{key} is not a field of accounts "
                       f"(fields: {', '.join(sorted(account_fields))})")
        if path[:1] in (("login",), ("accounts",)):
            out.append("account.* is only available in per-account blocks")
    if namespace == "vars" and key not in captured:
        out.append(f"vars.{key} is not set by any capture step"
                   + (f" (captured: {', '.join(sorted(captured))})" if captured else ""))
    if namespace == "options" and key not in OPTION_KEYS:
        out.append(f"options.{key} is not an option (options: {', '.join(OPTION_KEYS)})")
    if namespace == "origins" and key not in origins:
        out.append(f"origins.{key} is not declared under institution.origins"
                   + (f" (declared: {', '.join(sorted(origins))})" if origins else ""))
    if namespace == "institution" and key not in INSTITUTION_KEYS:
        out.append(f"institution.{key} is not available (use: {', '.join(INSTITUTION_KEYS)})")
    return out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _captured(data: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    steps: list[Any] = list(_as_list(data.get("login")))  # a copy: never grow the recipe's
    for section in ("accounts", "transactions", "holdings"):
        for block in _as_list(data.get(section)):
            if isinstance(block, dict):
                steps.extend(_as_list(block.get("steps")))
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("capture"), dict):
            names.update(str(k) for k in step["capture"])
    return names
