"""Scrub a browser recording before anything reaches disk: no credential, cookie, token,
account number or personal data may be written, yet the recording must still replay to the
same result.

Two passes (``engine.privacy.text``). *Discovery* (``plan_scrub``) reads the whole recording
by document type through ``engine.privacy.documents`` and learns what is secret or personal in
it: the credentials (given), tokens the site issued (hidden CSRF inputs, token-named form
fields, query parameters and JSON keys, cookie and authorization values), every personal value
by its key (``creditorName``, ``displayName``, ``email``, ``phone``, ``iban``, ``routingNumber``
...) or by its own proof (IBAN, card, phone, e-mail), the customer's name where pages show it,
the raw values of ``mask: true`` fields, the recipe's own ``scrub.texts``. *Replacement*
(``Scrubber``) then rewrites every string (URLs, form bodies, headers, HTML, JSON, scripts)
with that one deterministic table, in raw, URL-encoded, HTML-escaped and JSON-escaped forms.

Masks keep the shape extraction needs (``engine.privacy.masking``): letters stay letters,
digits digits, separators stay; long account, card and IBAN numbers keep their last four
characters (so ``mask: true`` fields come out the same), names and e-mails nothing. Amounts and
dates are never touched. Literals only match on alphanumeric boundaries, so a six-digit PIN is
not "found" inside an eleven-digit account id.

The scrambled keypad needs care: the login page maps random tokens to digits and the posted
field lists the tokens typed, so page plus post reveal the PIN. Discovery renames the page's
tokens and rewrites the posted list into the tokens of the *placeholder* PIN, which leaves a
self-consistent recording (as if the placeholder had been typed) from which the real PIN
cannot be recovered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from parsel import Selector
from stdnum import luhn
from stdnum.br import cpf

from engine.extraction.records import select
from engine.extraction.transforms import clean_text
from engine.harness.fixture import Exchange
from engine.privacy.detectors import BEARER, JWT, find_cards, find_ibans
from engine.privacy.documents import (
    authorization_token,
    cookie_values,
    scan_body,
    scan_headers,
    scan_url,
)
from engine.privacy.masking import LONG_NUMBER, SITE_MASK_CHARS, fill, mask_keep_tail
from engine.privacy.text import CIVILITY, ScrubTable, TextScrubber, encoded_forms
from engine.privacy.vocabulary import SENSITIVE_HEADERS
from engine.recipe.model import Recipe
from engine.recipe.steps.keypad import KeypadSpec, KeypadStep

PLACEHOLDER_DIGITS = "2468013579"
Scrubber = TextScrubber
"""The recording scrubber: one table plus built-in patterns (``engine.privacy.text``)."""


def luhn_valid(digits: str) -> bool:
    return bool(luhn.is_valid(digits))


def mask_name(value: str) -> str:
    """Letters become X/x (case kept), digits 0: same length and shape, no content."""
    return fill(value)


# ----------------------------------------------------------------------------- placeholders

def make_placeholder(value: str, index: int = 0, alphabet: Iterable[str] | None = None) -> str:
    """A stand-in typed at replay: same length and character classes (digits stay digits, so
    a keypad can type it; letters become q), different from the value."""
    allowed = sorted(set(alphabet or ())) if alphabet else []
    if value.isdigit():
        pool = [d for d in PLACEHOLDER_DIGITS if not allowed or d in allowed] or allowed
        chars = [pool[(index + i) % len(pool)] for i in range(len(value))]
    elif allowed and not all(c.isalnum() for c in allowed):
        chars = [allowed[(index + i) % len(allowed)] for i in range(len(value))]
    else:
        chars = ["Q" if c.isupper() else "q" if c.isalpha() else
                 PLACEHOLDER_DIGITS[(index + i) % 10] if c.isdigit() else c
                 for i, c in enumerate(value)]
    out = "".join(chars)
    if out == value:
        out = "".join(PLACEHOLDER_DIGITS[(index + i + 1) % 10] if c.isdigit() else
                      "w" if c.isalpha() else c for i, c in enumerate(value))
    return _checked_like(value, out)


def _checked_like(value: str, placeholder: str) -> str:
    """A login form may verify an identifier's check digits before sending it (a Brazilian
    CPF's two mod-11 digits): the stand-in of a valid CPF gets valid check digits too, or the
    replayed page would refuse it where the recorded one went on."""
    if not cpf.is_valid(value):
        return placeholder
    digits = [i for i, c in enumerate(placeholder) if c.isdigit()]
    base = "".join(placeholder[i] for i in digits[:9])
    suffix = next(f"{n:02d}" for n in range(100) if cpf.is_valid(f"{base}{n:02d}"))
    chars = list(placeholder)
    for position, digit in zip(digits[9:], suffix, strict=True):
        chars[position] = digit
    return "".join(chars)


def keypad_specs(recipe: Recipe) -> list[KeypadSpec]:
    return [step.keypad for step in recipe.login if isinstance(step, KeypadStep)]


def keypad_pages(specs: Sequence[KeypadSpec], documents: Iterable[str]) -> list[dict[str, str]]:
    """For each page showing a keypad: its per-button token → label map. Token attributes are
    those with a distinct value on every button (data-key...), other than the label itself."""
    pages = []
    for text in documents:
        for spec in specs:
            buttons = select(Selector(text=text, type="html"), spec.buttons)
            if len(buttons) < 2:
                continue
            common = set.intersection(*(set(b.attrib) for b in buttons))
            names = [a for a in sorted(common - {"class", "style", "type", spec.label})
                     if len({b.attrib[a] for b in buttons}) == len(buttons)
                     and all(len(b.attrib[a]) >= 4 for b in buttons)]
            mapping: dict[str, str] = {}
            for button in buttons:
                label = (button.attrib.get(spec.label, "") if spec.label != "text"
                         else str(button.xpath("string()").get() or ""))
                for name in names:
                    mapping[button.attrib[name]] = clean_text(label)
            if mapping:
                pages.append(mapping)
    return pages


# ----------------------------------------------------------------------------- discovery

def plan_scrub(recipe: Recipe, secrets: Mapping[str, str], exchanges: Sequence[Exchange],
               documents: Sequence[str], masked_values: Iterable[str] = (),
               keypad_typed: str | None = None) -> Scrubber:
    """Learn what is secret or personal in a recording and build the scrubber for all of it.

    ``secrets`` maps each real credential (and one-time code) to its placeholder;
    ``keypad_typed`` is the placeholder the keypad step would type.
    """
    table = ScrubTable(secrets)
    pages = [ex.text() or "" for ex in exchanges if _is_html(ex)] + list(documents)
    _plan_keypad(table, keypad_pages(keypad_specs(recipe), pages), exchanges, keypad_typed)
    # before the detectors' guesses: a number the recipe masks keeps its last four digits
    # however it looks (a grouped account number can pass for a phone, which keeps none)
    for value in masked_values:
        for form in _number_forms(value.strip()):
            table.literals.setdefault(form, mask_keep_tail(form))
    for ex in exchanges:
        _plan_request(table, ex)
        _plan_headers(table, ex)
        text = ex.text()
        if text is not None and not ex.skipped:
            table.learn_all(scan_body(text, ex.headers.get("content-type", ""), url=ex.url))
    for text in documents:
        table.learn_all(scan_body(text))
    for text in recipe.scrub.texts:
        table.literals.setdefault(text, fill(text))
    return table.scrubber(recipe.scrub.patterns)


_GROUPING = re.compile(r"[\s\u00a0\u202f.-]+")


def _number_forms(value: str) -> list[str]:
    """A ``mask: true`` value as pages print it and, for a long number printed in groups
    ("2047 8815"), compact as ids and downloads carry it ("20478815") and regrouped with the
    other usual separators ("2047-8815": an id the recipe builds with ``replace``, a select's
    value). A number the site already masked itself ("4564 71•• •••• 4821") is left as it is:
    masking it again would change the ids derived from it and hide nothing more."""
    if len(value) < 6 or any(c in SITE_MASK_CHARS for c in value):
        return []
    compact = _GROUPING.sub("", value)
    if compact != value and sum(c.isalnum() for c in compact) >= LONG_NUMBER \
            and compact.isalnum():
        regrouped = [_GROUPING.sub(sep, value) for sep in (" ", "-", ".")]
        return list(dict.fromkeys([value, compact, *regrouped]))
    return [value]


def _is_html(ex: Exchange) -> bool:
    return "html" in ex.headers.get("content-type", "") and not ex.skipped


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _plan_keypad(plan: ScrubTable, pages: list[dict[str, str]], exchanges: Sequence[Exchange],
                 typed: str | None) -> None:
    renamed: list[dict[str, str]] = []
    named: dict[str, str] = {}  # one keypad is on several documents (answer, DOM): one name
    for number, mapping in enumerate(pages, 1):
        names = {tok: named.get(tok) or f"scrubbed-key{number}-{i:02d}"
                 for i, tok in enumerate(mapping)}
        named.update(names)
        renamed.append(names)
        plan.literals.update(names)
    posted = [v for ex in exchanges if ex.post_data for v in _posted_values(ex.post_data)]
    for value in posted:
        for mapping, names in zip(pages, renamed, strict=True):
            alternation = "|".join(re.escape(t) for t in sorted(mapping, key=len, reverse=True))
            found = list(re.finditer(alternation, value))
            rest = re.sub(alternation, "", value)
            if not found or any(c.isalnum() for c in rest):
                continue
            by_label = {label: names[tok] for tok, label in mapping.items()}
            chars = (typed or "")[:len(found)]
            if typed and len(typed) == len(found) and all(c in by_label for c in chars):
                separator = value[found[0].end():found[1].start()] if len(found) > 1 else ""
                plan.literals[value] = separator.join(by_label[c] for c in chars)
            else:
                plan.literals[value] = "scrubbed-keypad-entry"
                plan.notes.append("a keypad entry could not be rewritten; it was replaced whole")
            break


def _posted_values(post_data: str) -> list[str]:
    data = _loads(post_data)
    if data is not None:
        return [v for _k, v in _walk(data)]
    return [v for _k, v in parse_qsl(post_data, keep_blank_values=True)]


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)
    elif isinstance(value, str):
        yield key, value


def _plan_request(table: ScrubTable, ex: Exchange) -> None:
    """The URL and the posted body, by parameter name and value detectors; an OAuth-style
    ``state`` in a query string is a token too."""
    table.learn_all(scan_url(ex.url))
    for key, value in parse_qsl(ex.url.partition("?")[2], keep_blank_values=True):
        if key.lower() == "state":
            table.token(value)
    if ex.post_data:
        ctype = ex.request_headers.get("content-type", "")
        if not ctype:
            ctype = "application/json" if _loads(ex.post_data) is not None else \
                "application/x-www-form-urlencoded"
        table.learn_all(scan_body(ex.post_data, ctype, url=ex.url))


def _plan_headers(table: ScrubTable, ex: Exchange) -> None:
    """Cookie and authorization values (the headers themselves are dropped, but the values
    reappear in pages, scripts and URLs), then every other header by name and detectors."""
    for headers in (ex.headers, ex.request_headers):
        for name, value in headers.items():
            lower = name.lower()
            if lower in ("cookie", "set-cookie"):
                for found in cookie_values(lower, value):
                    table.token(found, "cookie")
            elif lower in ("authorization", "proxy-authorization"):
                table.token(authorization_token(value))
            elif lower in SENSITIVE_HEADERS:
                table.token(value.strip())
        table.learn_all(scan_headers(headers))


__all__ = ["BEARER", "CIVILITY", "JWT", "Scrubber", "encoded_forms", "find_cards",
           "find_ibans", "keypad_pages", "keypad_specs", "luhn_valid", "make_placeholder",
           "mask_keep_tail", "mask_name", "plan_scrub"]
