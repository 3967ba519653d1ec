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


def _replace_all(css: str, tokens: list[_Token], name: str | None) -> str:
    """``css`` with every token of ``tokens`` (one name, used several times: ``#grid tr.a,
    #grid tr.b``) replaced, from the right so positions stay valid."""
    for token in sorted(tokens, key=lambda t: -t.start):
        css = _replace(css, token, name)
    return css


def css_substitutions(selector: str, documents: list[str]) -> list[Candidate]:
    """Replace (or drop) the names of ``selector`` the documents no longer have; a name used
    several times in the selector is replaced everywhere at once."""
    if is_xpath(selector):
        return []
    base, pseudo = split_pseudo(selector)
    tokens = _tokens(base)
    if not tokens:
        return []
    names = PageNames.of(documents)
    missing = [t for t in tokens if not names.has(t)] or tokens
    groups: dict[tuple[str, str, str | None], list[_Token]] = {}
    for token in missing:
        groups.setdefault((token.kind, token.name, token.attr), []).append(token)
    ordered = list(groups.values())[::-1][:3]  # the last name first, as before
    out: list[Candidate] = []
    for group in ordered:
        for name in [*names.alternatives(group[0]), None]:
            new = _replace_all(base, group, name)
            out.append(Candidate(new + pseudo, "dropped" if name is None else "substitution",
                                 group[0].name, name or ""))
            if len(out) >= MAX_CANDIDATES:
                return out
    if len(ordered) > 1:  # two names renamed at once: both substituted
        first, second = ordered[0], ordered[1]
        for a, b in itertools.islice(itertools.product(
                names.alternatives(first[0]), names.alternatives(second[0])), MAX_CANDIDATES):
            new = _replace_all(_replace_all(base, first, a), second, b)
            out.append(Candidate(new + pseudo, "substitution", first[0].name, a))
    return out


def attribute_substitutions(selector: str, documents: list[str]) -> list[Candidate]:
    """``…::attr(data-conta-id)`` whose attribute the documents no longer have: the same
    selector reading each attribute they do have (``::attr(data-id)``)."""
    base, pseudo = split_pseudo(selector)
    match = re.fullmatch(r"::attr\(([^)]+)\)", pseudo)
    if match is None:
        return []
    names = PageNames.of(documents)
    present = {key for _tag, key in names.attrs} | {"id", "class"}
    old = match.group(1)
    if old in present:
        return []
    return [Candidate(f"{base}::attr({name})", "substitution", old, name)
            for name in sorted(present) if name != "style"][:MAX_CANDIDATES]


XPATH_NAME = re.compile(r"(?<![\w:.@$-])((?:[A-Za-z_][\w.-]*:)?)([A-Za-z_][\w.-]*)"
                        r"(?=\s*(?:/|\[|$|\)|\|))")
XML_TAG = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")


def xml_names(documents: list[str]) -> set[str]:
    """Element names (without prefix) in XML or OFX (SGML) documents."""
    return {m.group(1) for document in documents for m in XML_TAG.finditer(document)}


def xpath_substitutions(expression: str, documents: list[str]) -> list[Candidate]:
    """An XPath whose element names (``c:Ustrd``, ``UNITPRICE``) the XML or OFX documents no
    longer have, with each replaced by a name they have (the prefix kept)."""
    names = xml_names(documents)
    spans = [(m.group(1), m.group(2), m.start(2), m.end(2))
             for m in XPATH_NAME.finditer(expression)
             if m.group(2) not in ("text", "node", "comment") and not _inside_quotes(
                 expression, m.start())]
    # a name the documents still have elsewhere (UNITPRICE of an order, not of a position)
    # may be the renamed one: then every name of the path is a suspect, last first
    missing = [s for s in spans if s[1] not in names] or spans[::-1]
    out: list[Candidate] = []
    for _prefix, name, start, end in missing[:3]:
        for other in sorted(names - {name}):
            out.append(Candidate(expression[:start] + other + expression[end:],
                                 "substitution", name, other))
    return out[:MAX_CANDIDATES]


def header_texts(documents: list[str]) -> list[str]:
    """Every table header text of the documents (``th`` cells), in order, once each: what a
    ``column:`` field may be renamed to."""
    out: dict[str, None] = {}
    for document in documents:
        root = Selector(text=document, type="html")
        for cell in root.xpath("//th"):
            text = " ".join(str(cell.xpath("string()").get() or "").split())
            if text and len(text) <= 80:
                out.setdefault(text, None)
    return list(out)


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


__all__ = ["Candidate", "PageNames", "attribute_substitutions", "css_substitutions", "describe",
           "header_texts", "jmes_substitutions", "json_keys", "row_descendants", "rows_of",
           "split_pseudo", "xml_names", "xpath_substitutions"]
