"""Value detectors: personal numbers and tokens recognised by their own proof, labelled or not.

Each detector yields ``Span(start, end, kind)`` over a text and is strict on purpose: what it
reports is masked in recordings and failed by the audit, so a false positive corrupts a page
and a false negative leaks. Hence validation, not shape alone:

- **IBAN**: python-stdnum's ISO 13616 registry (per-country length and BBAN structure, plus
  national checks where it has them) and the mod-97 check, and check digits 02-98 as the
  standard requires (masks use ``00``, so a masked IBAN is never "found"). stdnum was chosen
  over schwifty because it is pure Python with no dependencies and also provides the Luhn
  and ABA routing-number checks used here, from one well-kept package.
- **Card**: Luhn (stdnum) with the networks' prefixes and lengths (Visa, Mastercard, Amex,
  Discover, Diners, JCB, UnionPay, Maestro), so a millisecond timestamp is not a card.
- **Phone**: Google's libphonenumber (``phonenumbers``), which knows every country's numbering
  plan. International forms (``+33 6...``, ``0044...``) are accepted anywhere; national forms
  only for ``NATIONAL_REGIONS`` and only when written like a phone (separators, or a leading
  trunk ``0``), because a bare ten-digit run in a page is far more often an account id or a
  reference than a phone. A hand-written pattern would either miss national forms or flag
  every long number.
- **E-mail**: a pattern (addresses have no checksum; a library would only add DNS checks).
- **JWT** (three base64url parts, the first a JSON header) and **bearer** tokens.
- **Routing numbers** (US ABA, 9 digits with the 3-7-1 checksum) only *where labelled*
  ("routing", "ABA", "RTN" just before): nine random digits pass the checksum one time in ten.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn, numdb
from stdnum.us import rtn

from engine.privacy.vocabulary import Kind

NATIONAL_REGIONS = ("FR", "BE", "CH", "LU", "GB", "DE", "ES", "IT", "NL", "US")
"""Regions whose national phone formats are recognised without a leading ``+``."""

JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
BEARER = re.compile(r"(?i)\b(bearer)\s+([A-Za-z0-9._~+/-]{8,}=*)")
EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
                   r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
                   r"(?![A-Za-z0-9-])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?=[A-Z0-9 \u00a0-]{11})")
_IBAN_RUN = re.compile(r"[A-Z0-9]+(?:[ \u00a0-][A-Z0-9]+)*")
_CARD = re.compile(r"(?<![0-9A-Za-z.,])(?<![0-9][ -])[1-9][0-9](?:[ -]?[0-9]){10,17}"
                   r"(?![ -]?[0-9])(?![.,][0-9])")
_PHONE_CANDIDATE = re.compile(r"(?<![\w+-])(?:\+|00|\()?[0-9][0-9 .()/\u00a0\u202f-]{6,20}"
                              r"[0-9](?![\w-])")
"""A run that could be a phone: not glued to a word or a hyphenated id (a UUID's groups)."""
_DATE_LIKE = re.compile(r"^\(?(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
                        r"(?:[ T]\d{1,2}(?::\d{2})*)?$|^\d{1,2}:\d{2}")
_AMOUNT_LIKE = re.compile(r"^-?(?:\d{1,3}(?:[,. \u00a0\u202f]\d{3})+|\d+)[.,]\d{2}$")
"""A sum of money (25000.00, 1 234,56, 12,345.67): balances are not phone numbers."""
_ROUTING = re.compile(r"(?i)\b(?:routing|aba|rtn)\b[^0-9\n]{0,24}(?<![0-9])([0-9]{9})(?![0-9])")
_CARD_NETWORKS: tuple[tuple[tuple[int, int], tuple[int, ...]], ...] = (
    ((4, 4), (13, 16, 19)),                     # Visa
    ((51, 55), (16,)), ((2221, 2720), (16,)),   # Mastercard
    ((34, 34), (15,)), ((37, 37), (15,)),       # American Express
    ((6011, 6011), (16, 17, 18, 19)), ((644, 649), (16, 19)), ((65, 65), (16, 19)),  # Discover
    ((300, 305), (14, 16, 19)), ((36, 36), (14, 16, 19)), ((38, 39), (14, 16, 19)),  # Diners
    ((3528, 3589), (16, 17, 18, 19)),           # JCB
    ((62, 62), (16, 17, 18, 19)),               # UnionPay
    ((50, 50), (12, 13, 14, 15, 16, 17, 18, 19)), ((56, 69), (12, 13, 16, 19)),  # Maestro
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Kind


# ----------------------------------------------------------------------------- validators

@lru_cache(maxsize=256)
def iban_length(country: str) -> int | None:
    """The IBAN length of a country, from stdnum's copy of the SWIFT registry."""
    info = numdb.get("iban").info(country + "00")
    structure = info[0][1].get("bban") if info and info[0][1] else None
    if not structure:
        return None
    return 4 + sum(int(n) for n in re.findall(r"([0-9]+)!", structure))


def is_iban(value: str) -> bool:
    """A real IBAN: registry length and structure, mod 97, check digits 02-98."""
    compact = re.sub(r"[\s\u00a0-]", "", value).upper()
    if len(compact) < 15 or not compact[2:4].isdigit() or not 2 <= int(compact[2:4]) <= 98:
        return False
    return bool(stdnum_iban.is_valid(compact, check_country=True))


def is_card(value: str) -> bool:
    """A number a card network could have issued: network prefix and length, then Luhn."""
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    for (low, high), lengths in _CARD_NETWORKS:
        width = len(str(low))
        if low <= int(digits[:width]) <= high and len(digits) in lengths:
            return bool(luhn.is_valid(digits))
    return False


def is_routing_number(value: str) -> bool:
    """A US ABA routing number (nine digits, 3-7-1 checksum, a Federal Reserve prefix)."""
    digits = re.sub(r"[\s-]", "", value)
    return len(digits) == 9 and digits[:2] not in ("00", "99") and bool(rtn.is_valid(digits))


def is_phone(value: str, *, labelled: bool = False) -> bool:
    """A valid phone number. ``labelled`` (a ``phone`` key or field) also accepts national
    forms without separators for every region in ``NATIONAL_REGIONS``."""
    return any(True for _ in find_phones(value, labelled=labelled))


def is_jwt(value: str) -> bool:
    match = JWT.fullmatch(value.strip())
    if match is None:
        return False
    header = value.split(".", 1)[0]
    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except (binascii.Error, ValueError):
        return False
    return decoded.lstrip().startswith(b"{")


# ----------------------------------------------------------------------------- finders

def find_ibans(text: str) -> Iterator[Span]:
    """Valid IBANs, compact or grouped by spaces, non-breaking spaces or hyphens."""
    after = 0
    for match in _IBAN_START.finditer(text):
        start = match.start()
        if start < after:
            continue
        run = _IBAN_RUN.match(text, start)
        chunk = run.group(0)[:50] if run else ""
        want = iban_length(chunk[:2])
        if want is None:
            continue
        count = 0
        for end, char in enumerate(chunk, 1):
            count += char.isalnum()
            if count == want:
                boundary = end == len(chunk) or not chunk[end].isalnum()
                if boundary and is_iban(chunk[:end]):
                    after = start + end
                    yield Span(start, after, Kind.IBAN)
                break


def find_cards(text: str) -> Iterator[Span]:
    for match in _CARD.finditer(text):
        separators = set(re.sub(r"[0-9]", "", match.group(0)))
        if len(separators) <= 1 and is_card(match.group(0)):
            yield Span(match.start(), match.end(), Kind.CARD)


def find_emails(text: str) -> Iterator[Span]:
    for match in EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Kind.EMAIL)


def find_jwts(text: str) -> Iterator[Span]:
    for match in JWT.finditer(text):
        if is_jwt(match.group(0)):
            yield Span(match.start(), match.end(), Kind.TOKEN)


def find_bearer_tokens(text: str) -> Iterator[Span]:
    """The token after ``Bearer`` (the word itself is kept)."""
    for match in BEARER.finditer(text):
        if "scrubbed" not in match.group(2) and not match.group(2).startswith("__"):
            yield Span(match.start(2), match.end(2), Kind.TOKEN)


def find_routing_numbers(text: str) -> Iterator[Span]:
    """Labelled US routing numbers ("Routing number: 021000021")."""
    for match in _ROUTING.finditer(text):
        if is_routing_number(match.group(1)):
            yield Span(match.start(1), match.end(1), Kind.ROUTING)


def find_phones(text: str, *, labelled: bool = False) -> Iterator[Span]:
    """Valid phone numbers, international anywhere, national as the module docstring says."""
    for candidate in _PHONE_CANDIDATE.finditer(text):
        for start, end in _phones_in(candidate.group(0), labelled):
            yield Span(candidate.start() + start, candidate.start() + end, Kind.PHONE)


@lru_cache(maxsize=8192)
def _phones_in(raw: str, labelled: bool) -> tuple[tuple[int, int], ...]:
    """The phone numbers in one candidate run (cached: pages repeat the same runs)."""
    if _DATE_LIKE.search(raw) or _AMOUNT_LIKE.match(raw):
        return ()  # 2026-11-19, 19/11/2026, 19.11.26 10:30; 25000.00
    digits = sum(c.isdigit() for c in raw)
    if not 7 <= digits <= 16:
        return ()
    separated = any(not c.isdigit() for c in raw.lstrip("+("))
    international = raw.startswith(("+", "00"))
    if not (labelled or international or separated or raw.startswith("0")):
        return ()
    regions: Iterable[str | None] = (None,) if international else NATIONAL_REGIONS
    for region in regions:
        found = tuple((a, b) for a, b in _match_phones(raw, region)
                      if sum(c.isdigit() for c in raw[a:b]) >= 7)  # not a short code inside
        if found:
            return found
    return ()


def _match_phones(raw: str, region: str | None) -> Iterator[tuple[int, int]]:
    """libphonenumber's matches in one candidate run; ``00`` is read as ``+``."""
    text = "+" + raw[2:] if region is None and raw.startswith("00") else raw
    shift = len(raw) - len(text)
    for match in phonenumbers.PhoneNumberMatcher(text, region,
                                                 leniency=phonenumbers.Leniency.VALID):
        yield match.start + (shift if match.start else 0), match.end + shift


Finder = Callable[[str], Iterator[Span]]
DATA_FINDERS: tuple[Finder, ...] = (find_ibans, find_cards, find_emails, find_phones,
                                    find_routing_numbers, find_jwts, find_bearer_tokens)
"""Everything a data part of a document (JSON value, HTML text, attribute, URL) is read for."""


def find_all(text: str, finders: Iterable[Finder] = DATA_FINDERS) -> list[Span]:
    """Non-overlapping spans of every finder, earliest (then longest) first."""
    spans = sorted((s for finder in finders for s in finder(text)),
                   key=lambda s: (s.start, -(s.end - s.start)))
    out: list[Span] = []
    for span in spans:
        if not out or span.start >= out[-1].end:
            out.append(span)
    return out


__all__ = ["BEARER", "DATA_FINDERS", "EMAIL", "JWT", "NATIONAL_REGIONS", "Span", "find_all",
           "find_bearer_tokens", "find_cards", "find_emails", "find_ibans", "find_jwts",
           "find_phones", "find_routing_numbers", "iban_length", "is_card", "is_iban",
           "is_jwt", "is_phone", "is_routing_number"]
