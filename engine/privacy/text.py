"""The text redactor of recordings: one replacement table, applied to every string.

Scrubbing a recording is two passes. Discovery reads every document by type
(``engine.privacy.documents``) and ``learn``s what it finds into a ``ScrubTable``: secrets get
placeholders (``scrubbed-token-001``), personal values get their shape-keeping mask
(``engine.privacy.masking``), names in the case variants sites print them in (``Jean Dupont``,
``JEAN DUPONT``). Replacement (``TextScrubber``) then
rewrites every string of the recording (URLs, form bodies, headers, HTML, JSON, scripts,
``expected.json``) with that one table, in each value's raw, URL-encoded, HTML-, JSON-escaped
forms, so a value masked in a page is masked identically in the request that echoes it and in
the expected result. Built-in patterns run after the table wherever a value has its own proof:
JWT and bearer tokens, valid IBANs, card numbers.

Literals of one or two characters would shred ordinary text, so they are never replaced
everywhere; a short value found under a key (``"firstName": "Al"``) is replaced under that
key only. Literals match on alphanumeric boundaries: a six-digit PIN is not "found" inside an
eleven-digit account id.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, quote_plus

from engine.privacy.detectors import BEARER, JWT, find_cards, find_ibans, is_jwt
from engine.privacy.documents import Hit, document_type, looks_like_token
from engine.privacy.masking import CIVILITY, fill, is_masked, is_placeholder, mask, mask_keep_tail
from engine.privacy.vocabulary import SENSITIVE_HEADERS, Kind

MIN_LITERAL = 3


def encoded_forms(value: str) -> list[str]:
    """How a value may appear: raw, URL-encoded, form-encoded, HTML- and JSON-escaped (one
    entry per encoding, duplicates kept, so a value's and its replacement's forms pair up)."""
    return [value, quote(value, safe=""), quote(value), quote_plus(value),
            html.escape(value), html.escape(value, quote=False), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            # a browser's serialization of the DOM (page.content(), "Save page as") writes a
            # no-break space as an entity: "2047&nbsp;8815"
            html.escape(value, quote=False).replace("\xa0", "&nbsp;")]


NO_BREAK_SPACES = ("\u00a0", "\u202f", "&nbsp;", "&#160;", "&#xa0;")
"""How pages print the spaces of a grouped number ("2047&nbsp;8815"), which discovery reads
as the plain space of the element's cleaned text."""


def spacings(value: str, replacement: str) -> list[tuple[str, str]]:
    """A value with spaces and its replacement, then both with each no-break space instead."""
    pairs = [(value, replacement)]
    if " " in value:
        pairs += [(value.replace(" ", space), replacement.replace(" ", space))
                  for space in NO_BREAK_SPACES]
    return pairs


class ScrubTable:
    """What discovery learned: value -> replacement, plus short values under their key."""

    def __init__(self, literals: Mapping[str, str] | None = None) -> None:
        self.literals: dict[str, str] = dict(literals or {})
        self.keyed: dict[tuple[str, str], str] = {}
        self.notes: list[str] = []
        self._tokens = 0

    def known(self, value: str) -> bool:
        return value in self.literals or value in self.literals.values()

    def token(self, value: str, kind: str = "token", *, min_length: int = 6) -> None:
        """Replace a secret the site issued (or a credential nobody declared) by a
        numbered placeholder."""
        if len(value) >= min_length and not self.known(value) and not is_placeholder(value):
            self._tokens += 1
            self.literals[value] = f"scrubbed-{kind}-{self._tokens:03d}"

    def personal(self, value: str, kind: Kind, key: str | None = None, *,
                 number: bool = False) -> None:
        """Mask a personal value (and, for names and e-mails, the variants sites print)."""
        value = value.strip()
        if not value or self.known(value) or is_masked(value, kind):
            return
        if kind is Kind.NAME:
            self.name(value, key)
        elif kind is Kind.EMAIL:
            for form in {value, value.lower()}:
                self._literal(form, mask(form, kind), key)
        else:
            self._literal(value, mask(value, kind, number=number), key)

    def name(self, text: str, key: str | None = None) -> None:
        """A person's name as sites show it ("M. Jean Dupont"), in every case. The words of
        a full name are not masked alone (a relative's "PAUL DUPONT" keeps its surname, a
        merchant's name its words); a first or last name a site sends on its own is."""
        name = CIVILITY.sub("", " ".join(text.split()))
        if not name or is_masked(name, Kind.NAME):
            return
        words = name.split()
        forms = {name, name.upper(), name.title()} | ({name.lower()} if len(words) > 1 else set())
        for form in forms:
            self._literal(form, fill(form), key)

    def learn(self, hit: Hit) -> None:
        """Take one finding of ``engine.privacy.documents`` into the table."""
        if hit.kind is Kind.TOKEN:
            if is_jwt(hit.value) or looks_like_token(hit.value):
                self.token(hit.value)
        elif hit.kind is Kind.CREDENTIAL:
            self.token(hit.value, "credential", min_length=MIN_LITERAL)
        else:
            self.personal(hit.value, hit.kind, hit.key, number=hit.number)

    def learn_all(self, hits: Iterable[Hit]) -> None:
        for hit in hits:
            self.learn(hit)

    def _literal(self, value: str, replacement: str, key: str | None) -> None:
        if value == replacement:
            return
        if len(value) >= MIN_LITERAL:
            self.literals.setdefault(value, replacement)
        elif key:
            self.keyed.setdefault((key, value), replacement)

    def scrubber(self, patterns: Sequence[str] = ()) -> TextScrubber:
        scrubber = TextScrubber(self.literals, patterns, self.keyed)
        scrubber.notes = list(self.notes)
        return scrubber


class TextScrubber:
    """Applies one replacement table plus the built-in patterns to any string or structure."""

    def __init__(self, literals: Mapping[str, str] | None = None,
                 patterns: Sequence[str] = (),
                 keyed: Mapping[tuple[str, str], str] | None = None) -> None:
        self._table: dict[str, str] = {}
        for value, replacement in (literals or {}).items():
            if len(value) < MIN_LITERAL or value == replacement:
                continue  # 1-2 characters would shred ordinary text
            for spaced, spaced_by in spacings(value, replacement):
                for form, encoded in zip(encoded_forms(spaced), encoded_forms(spaced_by),
                                         strict=True):
                    if form:
                        self._table.setdefault(form, encoded)
        pieces = []
        for form in sorted(self._table, key=len, reverse=True):
            head = r"(?<![A-Za-z0-9_-])" if form[0].isalnum() else ""
            tail = r"(?![A-Za-z0-9_-])" if form[-1].isalnum() else ""
            pieces.append(head + re.escape(form) + tail)
        self._literal = re.compile("|".join(pieces)) if pieces else None
        self._keyed = [(re.compile(rf'((\\?)"{re.escape(k)}\2"\s*:\s*\2"){re.escape(v)}(?=\2")'),
                        r) for (k, v), r in (keyed or {}).items()]
        self._patterns = [re.compile(p) for p in patterns]
        self.notes: list[str] = []
        """What discovery could not guarantee (kept in meta.json for the author)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._table)} forms, {len(self._patterns)} patterns)"

    def text(self, value: str) -> str:
        if self._literal is not None:
            value = self._literal.sub(lambda m: self._table[m.group(0)], value)
        for pattern, replacement in self._keyed:
            value = pattern.sub(lambda m, r=replacement: m.group(1) + r, value)  # type: ignore[misc]
        value = JWT.sub(lambda m: "[scrubbed-jwt]" if is_jwt(m.group(0)) else m.group(0), value)
        value = BEARER.sub(lambda m: m.group(0) if is_placeholder(m.group(2))
                           else f"{m.group(1)} [scrubbed]", value)
        value = _mask_spans(value, [(s.start, s.end) for s in find_ibans(value)], Kind.IBAN)
        value = _mask_spans(value, [(s.start, s.end) for s in find_cards(value)], Kind.CARD)
        for pattern in self._patterns:
            value = pattern.sub(_mask_match, value)
        return value

    def body(self, value: str, content_type: str = "") -> str:
        """A body by its type: code (scripts, stylesheets) gets the table only, so the
        site's public keys and constants stay intact and its code still runs at replay,
        while every secret and personal value learned from the recording is replaced."""
        if document_type(content_type, value) in ("script", "css"):
            if self._literal is None:
                return value
            return self._literal.sub(lambda m: self._table[m.group(0)], value)
        return self.text(value)

    def obj(self, value: Any) -> Any:
        """Scrub every string inside dicts and lists (keys included)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.obj(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.obj(v) for v in value]
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Drop cookies and credentials-bearing headers, scrub the rest."""
        return {name: self.text(value) for name, value in headers.items()
                if name.lower() not in SENSITIVE_HEADERS}


def _mask_spans(text: str, spans: Iterable[tuple[int, int]], kind: Kind) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(mask(text[start:end], kind))
        last = end
    out.append(text[last:])
    return "".join(out)


def _mask_match(match: re.Match[str]) -> str:
    """A recipe's ``scrub.patterns`` match: group 1 when there is one, else the whole."""
    if match.re.groups and match.group(1) is not None:
        whole, start = match.group(0), match.start(1) - match.start(0)
        return whole[:start] + mask_keep_tail(match.group(1)) + whole[match.end(1)
                                                                       - match.start(0):]
    return mask_keep_tail(match.group(0))


__all__ = ["CIVILITY", "ScrubTable", "TextScrubber", "encoded_forms"]
