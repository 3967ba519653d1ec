"""Candidate replacements for a selector that stopped matching, derived from the new page.

Two ways, tried in this order, the nearest to the recipe first:

- **substitution**: the names a selector is made of (ids, classes, attribute values; keys of
  a JMESPath) that the new document no longer has are replaced by names it has, on elements
  of the same tag — ``td.montant`` → ``td.col-montant``, ``table#comptes tbody tr.compte`` →
  ``table#liste-comptes tbody tr.compte``, ``balance.amount`` → ``balance.value`` — or
  dropped (``td.montant`` → ``td``);
- **enumeration** (fields read inside a row): every element of the first rows, described the
  simple ways (``tag.class``, ``.class``, ``tag``, ``tag:nth-of-type(n)``).

Nothing here decides: the caller scores every candidate against the values the recording
expects (``suggest.py``) and keeps one only if the whole recipe then reproduces them.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from engine.extraction.records import is_xpath, select

PSEUDO = re.compile(r"(::(?:text|attr\([^)]*\)))\s*$")
TOKEN = re.compile(r"(?P<kind>[#.])(?P<name>-?[A-Za-z_][\w-]*)"
                   r"|\[(?P<attr>[\w-]+)(?P<op>[~|^$*]?=)(?P<quote>[\"']?)(?P<value>[^\"'\]]+)"
                   r"(?P=quote)\]")
TAG_BEFORE = re.compile(r"([A-Za-z][\w-]*)$")
JMES_NAME = re.compile(r"(?<![\w'`\"@.])([A-Za-z_][A-Za-z0-9_]*)(?![\w(])|(?<=\.)([A-Za-z_]\w*)")
JMES_WORDS = frozenset({"null", "true", "false"})
MAX_CANDIDATES = 400


@dataclass(frozen=True)
class Candidate:
    selector: str
    how: str
    """substitution, dropped or enumeration."""
    old_name: str = ""
    new_name: str = ""

    def closeness(self) -> float:
        """How near the new name is to the old one (1.0: same letters)."""
        if not self.old_name or not self.new_name:
            return 0.0
        return difflib.SequenceMatcher(None, self.old_name, self.new_name).ratio()


@dataclass(frozen=True)
class _Token:
    kind: str
    """id, class or attr."""
    name: str
    """The id or class, or the attribute's value."""
    attr: str | None
    start: int
    end: int
    tag: str | None
    """The tag of the compound the token belongs to (``td`` in ``td.montant``)."""


def split_pseudo(selector: str) -> tuple[str, str]:
    match = PSEUDO.search(selector)
    return (selector[:match.start()], match.group(1)) if match else (selector, "")


def _tokens(css: str) -> list[_Token]:
    out = []
    for match in TOKEN.finditer(css):
        before = css[:match.start()]
        compound = re.split(r"[\s>+~]", before)[-1]
        tag_match = re.match(r"[A-Za-z][\w-]*", compound)
        tag = tag_match.group(0) if tag_match else None
        if match.group("kind"):
            kind = "id" if match.group("kind") == "#" else "class"
            out.append(_Token(kind, match.group("name"), None, match.start(), match.end(), tag))
        else:
            out.append(_Token("attr", match.group("value"), match.group("attr"), match.start(),
                              match.end(), tag))
    return out


@dataclass
class PageNames:
    """Ids, classes and attribute values an HTML document has, per tag."""

    ids: dict[str, set[str]]
    classes: dict[str, set[str]]
    attrs: dict[tuple[str, str], set[str]]

    @classmethod
    def of(cls, documents: list[str]) -> PageNames:
        names = cls({}, {}, {})
        for document in documents:
            root = Selector(text=document, type="html")
            for node in root.xpath("//*"):
                tag = str(node.root.tag) if isinstance(node.root.tag, str) else ""
                attrib = node.attrib
                if attrib.get("id"):
                    names.ids.setdefault(tag, set()).add(attrib["id"])
                for name in str(attrib.get("class", "")).split():
                    names.classes.setdefault(tag, set()).add(name)
                for key, value in attrib.items():
                    if key not in ("id", "class", "style") and value and len(value) <= 60:
                        names.attrs.setdefault((tag, key), set()).add(value)
        return names

    def has(self, token: _Token) -> bool:
        pool = self._pool(token, any_tag=True)
        return token.name in pool

    def _pool(self, token: _Token, *, any_tag: bool = False) -> set[str]:
        if token.kind == "attr":
            return {v for (tag, key), values in self.attrs.items() if key == token.attr
                    and (any_tag or token.tag in (None, tag)) for v in values}
        table = self.ids if token.kind == "id" else self.classes
        return {v for tag, values in table.items() if any_tag or token.tag in (None, tag)
                for v in values}

    def alternatives(self, token: _Token) -> list[str]:
        return sorted(self._pool(token) - {token.name})


def _replace(css: str, token: _Token, name: str | None) -> str:
    """``css`` with ``token`` replaced by one named ``name`` (None: dropped)."""
    if name is None:
        text = css[:token.start] + css[token.end:]
        # a compound left empty (".foo" alone) becomes the universal selector
        text = re.sub(r"(^|[\s>+~])(?=[\s>+~]|$)", r"\1*", text) if not text.strip() else text
        return re.sub(r"\s+", " ", text).strip() or "*"
    if token.kind == "attr":
        piece = f'[{token.attr}="{name}"]' if re.search(r"[^\w-]", name) else \
            f"[{token.attr}={name}]"
    else:
        piece = ("#" if token.kind == "id" else ".") + name
    return css[:token.start] + piece + css[token.end:]


def css_substitutions(selector: str, documents: list[str]) -> list[Candidate]:
    """Replace (or drop) the names of ``selector`` the documents no longer have."""
    if is_xpath(selector):
        return []
    base, pseudo = split_pseudo(selector)
    tokens = _tokens(base)
    if not tokens:
        return []
    names = PageNames.of(documents)
    missing = [t for t in tokens if not names.has(t)] or tokens
    out: list[Candidate] = []
    for token in reversed(missing[:3]):  # positions stay valid from the right
        for name in [*names.alternatives(token), None]:
            new = _replace(base, token, name)
            out.append(Candidate(new + pseudo, "dropped" if name is None else "substitution",
                                 token.name, name or ""))
            if len(out) >= MAX_CANDIDATES:
                return out
    if len(missing) > 1:  # two names renamed at once: both substituted
        first, second = missing[-1], missing[-2]
        for a, b in itertools.islice(itertools.product(
                names.alternatives(first), names.alternatives(second)), MAX_CANDIDATES):
            new = _replace(_replace(base, first, a), second, b)
            out.append(Candidate(new + pseudo, "substitution", first.name, a))
    return out


def describe(node: Selector) -> Iterator[str]:
    """The simple ways to name one element relative to its row."""
    root = node.root
    tag = str(root.tag) if isinstance(root.tag, str) else ""
    if not tag:
        return
    classes = str(node.attrib.get("class", "")).split()
    for name in classes:
        yield f"{tag}.{name}"
        yield f".{name}"
    yield tag
    parent = root.getparent()
    if parent is not None:
        same = [c for c in parent if c.tag == root.tag]
        if len(same) > 1:
            yield f"{tag}:nth-of-type({same.index(root) + 1})"


def row_descendants(rows: list[Selector], limit: int = 3) -> list[Candidate]:
    """Every element inside the first rows, named simply (fields read within a row)."""
    seen: dict[str, Candidate] = {}
    for row in rows[:limit]:
        for node in row.xpath(".//*"):
            for css in describe(node):
                seen.setdefault(css, Candidate(css, "enumeration"))
    return list(seen.values())


def rows_of(document: str, each: str) -> list[Selector]:
    try:
        return list(select(Selector(text=document, type="html"), each))
    except Exception:
        return []


# ----------------------------------------------------------------------------- JSON

def json_keys(documents: list[str]) -> set[str]:
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and re.fullmatch(r"[A-Za-z_]\w*", key):
                    keys.add(key)
                walk(item)
        elif isinstance(value, list):
            for item in value[:50]:
                walk(item)

    for document in documents:
        try:
            walk(json.loads(document))
        except ValueError:
            continue
    return keys


def jmes_substitutions(expression: str, documents: list[str]) -> list[Candidate]:
    """Replace the names of a JMESPath the JSON answers no longer have by keys they have."""
    keys = json_keys(documents)
    spans = []
    for match in JMES_NAME.finditer(expression):
        name = match.group(1) or match.group(2)
        start = match.start(1) if match.group(1) else match.start(2)
        if name in JMES_WORDS or _inside_quotes(expression, start):
            continue
        spans.append((name, start, start + len(name)))
    missing = [s for s in spans if s[0] not in keys]
    out: list[Candidate] = []
    for name in {s[0] for s in missing}:
        for key in sorted(keys):
            new = expression
            for old, start, end in sorted((s for s in missing if s[0] == name),
                                          key=lambda s: -s[1]):
                new = new[:start] + key + new[end:]
                del old
            out.append(Candidate(new, "substitution", name, key))
    return out[:MAX_CANDIDATES]


def _inside_quotes(text: str, index: int) -> bool:
    return text[:index].count("'") % 2 == 1 or text[:index].count("`") % 2 == 1


__all__ = ["Candidate", "PageNames", "css_substitutions", "describe", "jmes_substitutions",
           "json_keys", "row_descendants", "rows_of", "split_pseudo"]
