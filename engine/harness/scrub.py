"""Scrub a recording before anything reaches disk: no credential, cookie, token, account
number or customer name may be written, yet the recording must still replay to the same result.

Two passes. *Discovery* (``plan_scrub``) reads the whole recording and learns what is secret in
it: the credentials (given), tokens the site issued (hidden CSRF inputs, token-named form
fields, query parameters and JSON keys, cookie values), the customer's name (where sites show
it), the raw values of ``mask: true`` fields, the recipe's own ``scrub.texts``. *Replacement*
(``Scrubber``) then rewrites every string (URLs, form bodies, headers, HTML, JSON) with one
deterministic table, so a value replaced in a page is replaced identically in the request that
echoes it back, including its URL-encoded, HTML-escaped and JSON-escaped forms. Built-in
patterns run after the table: JWT and bearer tokens, valid IBANs and Luhn-valid card numbers.

Masks keep the shape extraction needs: an IBAN or card keeps its separators and last four
characters (so ``mask: true`` fields come out the same), a name keeps its letter case and
punctuation. Amounts and dates are never touched. Literals only match on alphanumeric
boundaries, so a six-digit PIN is not "found" inside an eleven-digit account id.

The scrambled keypad needs care: the login page maps random tokens to digits and the posted
field lists the tokens typed, so page plus post reveal the PIN. Discovery renames the page's
tokens and rewrites the posted list into the tokens of the *placeholder* PIN, which leaves a
self-consistent recording (as if the placeholder had been typed) from which the real PIN
cannot be recovered.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

from parsel import Selector

from engine.extraction.records import select
from engine.extraction.transforms import clean_text, is_valid_iban
from engine.harness.fixture import Exchange
from engine.recipe.model import Recipe
from engine.recipe.steps.keypad import KeypadSpec, KeypadStep

SENSITIVE_HEADERS = frozenset({
    "cookie", "set-cookie", "authorization", "proxy-authorization", "x-csrf-token",
    "x-xsrf-token", "x-auth-token", "x-api-key", "x-session-token"})
TOKEN_NAME = re.compile(r"(?i)csrf|xsrf|token|nonce|secret|session|challenge|authenticity|jwt"
                        r"|sessid|api[-_]?key|password|passwd|^pin$|sid$|^state$")
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/-]{8,}=*")
CARD = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][ -])[2-6][0-9](?:[ -]?[0-9]){11,17}"
                  r"(?![ -]?[0-9])")
IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?=[A-Z0-9 \u00a0]{11})")
IBAN_RUN = re.compile(r"[A-Z0-9]+(?:[ \u00a0][A-Z0-9]+)*")
CIVILITY = re.compile(r"^(?:M\.|Mme\.?|Mlle\.?|Monsieur|Madame|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s+")
NAME_CLASSES = ("client", "customer", "customer-name", "user-fullname", "fullname", "full-name",
                "user-name", "username", "holder", "titulaire", "nom-client", "profile-name")
NAME_KEYS = frozenset({
    "customer_name", "customername", "full_name", "fullname", "display_name", "displayname",
    "holder", "holder_name", "holdername", "owner", "owner_name", "ownername",
    "account_holder", "accountholder", "client_name", "clientname", "titulaire"})
PROFILE_PATHS = frozenset({"me", "user", "profile", "customer", "client", "identity",
                           "userinfo", "whoami"})
PLACEHOLDER_DIGITS = "2468013579"
IBAN_LENGTHS = {"FR": 27, "MC": 27, "DE": 22, "GB": 22, "IE": 22, "ES": 24, "IT": 27, "PT": 25,
                "BE": 16, "NL": 18, "LU": 20, "AT": 20, "CH": 21, "LI": 21, "SE": 24,
                "DK": 18, "FI": 18, "NO": 15, "PL": 28, "GR": 27, "CZ": 24, "SK": 24}


# ----------------------------------------------------------------------------- masks

def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def mask_keep_tail(value: str, visible: int = 4) -> str:
    """Every letter and digit but the last ``visible`` becomes X; separators stay."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    hidden = set(positions[:-visible] if visible else positions)
    return "".join("X" if i in hidden else c for i, c in enumerate(value))


def mask_name(value: str) -> str:
    """Letters become X/x (case kept), digits 0: same length and shape, no content."""
    return "".join("X" if c.isupper() else "x" if c.isalpha() else "0" if c.isdigit() else c
                   for c in value)


def find_ibans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of valid IBANs (spaced or compact); the mod-97 check rules out lookalikes."""
    after = 0
    for match in IBAN_START.finditer(text):
        start = match.start()
        if start < after:
            continue
        run = IBAN_RUN.match(text, start)
        chunk = run.group(0)[:45] if run else ""
        want = IBAN_LENGTHS.get(chunk[:2])
        for end in range(len(chunk), 14, -1):
            if not chunk[end - 1].isalnum() or (end < len(chunk) and chunk[end].isalnum()):
                continue
            compact = re.sub(r"[ \u00a0]", "", chunk[:end])
            if want is None and end < len(chunk):
                break  # unknown country: the whole run or nothing (each try is a 1/97 lottery)
            if (want or len(compact)) == len(compact) and 15 <= len(compact) <= 34 \
                    and is_valid_iban(compact):
                after = start + end
                yield start, after
                break


def find_cards(text: str) -> Iterator[tuple[int, int]]:
    """Spans of Luhn-valid 13-19 digit numbers with a card-network first digit (2-6)."""
    for match in CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield match.span()


def _mask_spans(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(mask_keep_tail(text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def encoded_forms(value: str) -> list[str]:
    """How a value may appear: raw, URL-encoded, form-encoded, HTML- and JSON-escaped (one
    entry per encoding, duplicates kept, so a value's and its replacement's forms pair up)."""
    return [value, quote(value, safe=""), quote(value), quote_plus(value),
            html.escape(value), html.escape(value, quote=False), json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1]]


# ----------------------------------------------------------------------------- replacement

class Scrubber:
    """Applies one replacement table plus the built-in patterns to any string or structure."""

    def __init__(self, literals: Mapping[str, str] | None = None,
                 patterns: Sequence[str] = ()) -> None:
        self._table: dict[str, str] = {}
        for value, replacement in (literals or {}).items():
            if len(value) < 3 or value == replacement:
                continue  # 1-2 characters would shred ordinary text
            pairs = zip(encoded_forms(value), encoded_forms(replacement), strict=True)
            for form, encoded in pairs:
                if form:
                    self._table.setdefault(form, encoded)
        pieces = []
        for form in sorted(self._table, key=len, reverse=True):
            head = r"(?<![A-Za-z0-9_-])" if form[0].isalnum() else ""
            tail = r"(?![A-Za-z0-9_-])" if form[-1].isalnum() else ""
            pieces.append(head + re.escape(form) + tail)
        self._literal = re.compile("|".join(pieces)) if pieces else None
        self._patterns = [re.compile(p) for p in patterns]
        self.notes: list[str] = []
        """What discovery could not guarantee (kept in meta.json for the author)."""

    def text(self, value: str) -> str:
        if self._literal is not None:
            value = self._literal.sub(lambda m: self._table[m.group(0)], value)
        value = JWT.sub("[scrubbed-jwt]", value)
        value = BEARER.sub(lambda m: f"{m.group(1)} [scrubbed]", value)
        value = _mask_spans(value, list(find_ibans(value)))
        value = _mask_spans(value, list(find_cards(value)))
        for pattern in self._patterns:
            value = pattern.sub(_mask_match, value)
        return value

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


def _mask_match(match: re.Match[str]) -> str:
    if match.re.groups and match.group(1) is not None:
        whole, start = match.group(0), match.start(1) - match.start(0)
        return whole[:start] + mask_keep_tail(match.group(1)) + whole[match.end(1)
                                                                       - match.start(0):]
    return mask_keep_tail(match.group(0))


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
    return out


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

@dataclass
class ScrubPlan:
    literals: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _tokens: int = 0

    def token(self, value: str, kind: str = "token") -> None:
        if len(value) >= 6 and value not in self.literals and "scrubbed" not in value:
            self._tokens += 1
            self.literals[value] = f"scrubbed-{kind}-{self._tokens:03d}"


def plan_scrub(recipe: Recipe, secrets: Mapping[str, str], exchanges: Sequence[Exchange],
               documents: Sequence[str], masked_values: Iterable[str] = (),
               keypad_typed: str | None = None) -> Scrubber:
    """Learn what is secret in a recording and build the scrubber for all of it.

    ``secrets`` maps each real credential (and one-time code) to its placeholder;
    ``keypad_typed`` is the placeholder the keypad step would type.
    """
    plan = ScrubPlan(literals=dict(secrets))
    pages = [ex.text() or "" for ex in exchanges if _is_html(ex)] + list(documents)
    _plan_keypad(plan, keypad_pages(keypad_specs(recipe), pages), exchanges, keypad_typed)
    for ex in exchanges:
        _plan_request(plan, ex)
        _plan_cookies(plan, ex)
        text = ex.text()
        if text is None:
            continue
        if _is_html(ex):
            _plan_html(plan, text)
        elif "json" in ex.headers.get("content-type", ""):
            _plan_json(plan, urlsplit(ex.url).path, _loads(text))
    for text in documents:
        _plan_html(plan, text)
    for value in masked_values:
        value = value.strip()
        if len(value) >= 6:
            plan.literals.setdefault(value, mask_keep_tail(value))
    for text in recipe.scrub.texts:
        plan.literals.setdefault(text, mask_name(text))
    scrubber = Scrubber(plan.literals, recipe.scrub.patterns)
    scrubber.notes = plan.notes
    return scrubber


def _is_html(ex: Exchange) -> bool:
    return "html" in ex.headers.get("content-type", "") and not ex.skipped


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _plan_keypad(plan: ScrubPlan, pages: list[dict[str, str]], exchanges: Sequence[Exchange],
                 typed: str | None) -> None:
    renamed: list[dict[str, str]] = []
    for number, mapping in enumerate(pages, 1):
        names = {tok: f"scrubbed-key{number}-{i:02d}" for i, tok in enumerate(mapping)}
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


def _plan_request(plan: ScrubPlan, ex: Exchange) -> None:
    pairs = parse_qsl(urlsplit(ex.url).query, keep_blank_values=True)
    if ex.post_data:
        data = _loads(ex.post_data)
        pairs += list(_walk(data)) if data is not None else parse_qsl(ex.post_data,
                                                                      keep_blank_values=True)
    for key, value in pairs:
        if TOKEN_NAME.search(key):
            plan.token(value)


def _plan_cookies(plan: ScrubPlan, ex: Exchange) -> None:
    for name in ("set-cookie", "cookie"):
        for header in (ex.headers.get(name, ""), ex.request_headers.get(name, "")):
            for line in header.splitlines():
                for part in line.split(";") if name == "cookie" else line.split(";")[:1]:
                    _key, _, value = part.strip().partition("=")
                    plan.token(value.strip('"'), "cookie")


def _plan_html(plan: ScrubPlan, text: str) -> None:
    page = Selector(text=text, type="html")
    for node in page.css("input[type=hidden], meta[name][content]"):
        name = node.attrib.get("name", "") or node.attrib.get("id", "")
        value = node.attrib.get("value", node.attrib.get("content", ""))
        if TOKEN_NAME.search(name):
            plan.token(value)
    for css in NAME_CLASSES:
        for node in page.css(f".{css}, #{css}"):
            _add_name(plan, str(node.xpath("string()").get() or ""))


def _plan_json(plan: ScrubPlan, path: str, data: Any) -> None:
    profile = path.rstrip("/").rsplit("/", 1)[-1].lower() in PROFILE_PATHS
    for key, value in _walk(data):
        lowered = key.lower()
        if TOKEN_NAME.search(key):
            plan.token(value)
        elif lowered in NAME_KEYS or (profile and lowered in ("name", "nom")):
            _add_name(plan, value)
    for obj in _objects(data):
        first = next((obj[k] for k in ("first_name", "firstName", "prenom") if k in obj), None)
        last = next((obj[k] for k in ("last_name", "lastName", "nom") if k in obj), None)
        if isinstance(first, str) and isinstance(last, str):
            _add_name(plan, f"{first} {last}")


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _add_name(plan: ScrubPlan, text: str) -> None:
    """A person's name as sites show it ("M. Jean Dupont"): mask the name in every case."""
    name = CIVILITY.sub("", clean_text(text))
    words = name.split()
    if not 2 <= len(words) <= 5 or len(name) > 60 or any(c.isdigit() for c in name):
        return
    for variant in {name, name.upper(), name.title(), name.lower()}:
        plan.literals.setdefault(variant, mask_name(variant))


__all__ = ["Scrubber", "encoded_forms", "find_cards", "find_ibans", "keypad_pages",
           "keypad_specs", "luhn_valid", "make_placeholder", "mask_keep_tail", "mask_name",
           "plan_scrub"]
