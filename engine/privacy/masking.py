"""Masks that keep a value's shape and nothing of its content.

A mask replaces every letter by ``X``/``x`` (case kept) and every digit by ``0``; separators,
``@``, dots and spaces stay. So the length, the character classes and the layout survive
(selectors, regexes and parsers still work on scrubbed pages: an e-mail still has its ``@``,
a grouped card number its groups) while no character of the value does: a three-letter first
name becomes ``Xxx``, never itself. Long account, card and IBAN numbers keep their last four
characters, as the engine's ``mask: true`` does for displayed numbers (``•••• 7890``), so a
masked field comes out the same from the recording as from the live site; an IBAN also keeps
its country code, its check digits become ``00`` (never valid, so a masked IBAN is never
mistaken for a real one). Names, e-mails and phones never keep anything.

Masks are a fixed function of the value: the same value masks the same way everywhere in a
recording (a name in a page and in ``expected.json`` still match), and nothing can be
recovered from a mask, since it is a function of the shape alone.

The fixed alphabet is also what lets the audit tell a masked value from a real one without
knowing how the scrub ran: ``is_masked`` accepts the mask letters, the credential
placeholders' ``q`` (``engine.harness.scrub.make_placeholder``), the bullets and asterisks
sites mask with themselves, and the four kept characters where a kind keeps them.
"""

from __future__ import annotations

import re

from engine.privacy.vocabulary import NUMBER_KINDS, Kind

MASK_UPPER, MASK_LOWER, MASK_DIGIT = "X", "x", "0"
KEEP_TAIL = 4
LONG_NUMBER = 8
"""Numbers with at least this many letters or digits keep their last ``KEEP_TAIL``."""
SITE_MASK_CHARS = frozenset("•*●·∗#✱")
_MASK_ALNUM = frozenset("xXqQ0")
CIVILITY = re.compile(r"^(?:M\.|MM\.|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle|Mr\.?|Mrs\.?"
                      r"|Ms\.?|Miss|Dr\.?|Herr|Frau|Sr\.?|Sra\.?)\s+", re.I)
"""A title before a name ("M. Jean Dupont"): not part of what is masked or judged."""
_PLACEHOLDER = re.compile(r"__[A-Z0-9_]+__|\[scrubbed[^\]]*\]|scrubbed-[a-z0-9-]+")


def fill(value: str) -> str:
    """Letters to X/x, digits to 0, everything else kept."""
    return "".join(MASK_UPPER if c.isupper() else MASK_LOWER if c.isalpha() else
                   MASK_DIGIT if c.isdigit() else c for c in value)


def mask(value: str, kind: Kind, *, number: bool = False) -> str:
    """The shape-keeping mask of ``value`` (see the module docstring). ``number``: the value
    is a JSON number, whose mask must stay one (``40001234567`` -> ``10000004567``, since
    ``00000004567`` is not JSON)."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    keep: set[int] = set()
    if kind in NUMBER_KINDS and len(positions) >= LONG_NUMBER:
        keep.update(positions[-KEEP_TAIL:])
    out = [c if i in keep else fill(c) for i, c in enumerate(value)]
    if kind is Kind.IBAN and len(positions) >= 4 and value[positions[0]].isalpha() \
            and value[positions[1]].isalpha():
        out[positions[0]], out[positions[1]] = value[positions[0]], value[positions[1]]
        out[positions[2]], out[positions[3]] = MASK_DIGIT, MASK_DIGIT
    masked = "".join(out)
    if number and masked.isdigit() and len(masked) > 1 and masked[0] == MASK_DIGIT:
        return "1" + masked[1:]
    return masked


def is_placeholder(value: str) -> bool:
    """A stand-in the scrubbers write: ``scrubbed-token-001``, ``[scrubbed-jwt]``,
    ``__SECRET__``, or nothing but mask characters (``***``)."""
    stripped = value.strip()
    return not stripped or bool(_PLACEHOLDER.search(stripped)) or all(
        c in SITE_MASK_CHARS or c.isspace() for c in stripped)


def is_masked(value: str, kind: Kind | None = None) -> bool:
    """Does ``value`` show nothing of what it stood for (see the module docstring)?"""
    if is_placeholder(value):
        return True
    if kind is Kind.NAME:
        value = CIVILITY.sub("", value.strip())
    chars = [c for c in value if c.isalnum()]
    if kind is Kind.CREDENTIAL:  # placeholders keep digits as digits: only letters tell
        return all(c in _MASK_ALNUM or c.isdigit() for c in chars)
    clear = [i for i, c in enumerate(chars) if c not in _MASK_ALNUM]
    if clear and clear[0] == 0 and chars[0] == "1" and "".join(chars).isdigit():
        clear = clear[1:]  # the leading 1 that keeps a masked JSON number a number
    if not clear:
        return True
    site_masked = any(c in SITE_MASK_CHARS for c in value)
    if not (site_masked or (kind in NUMBER_KINDS and len(chars) >= LONG_NUMBER)):
        return False
    allowed = set(range(max(0, len(chars) - KEEP_TAIL), len(chars)))
    if kind is Kind.IBAN or (site_masked and len(chars) > KEEP_TAIL + 2):
        allowed |= {0, 1}  # a country code, or a prefix the site itself left visible
    return all(i in allowed for i in clear)


def mask_keep_tail(value: str, visible: int = KEEP_TAIL) -> str:
    """Every letter and digit but the last ``visible`` masked, separators kept (for the
    recipe's own ``scrub.patterns`` and ``mask: true`` values, whatever they are)."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    hidden = set(positions[:-visible] if visible else positions)
    if len(positions) < LONG_NUMBER:
        hidden = set(positions)
    return "".join(fill(c) if i in hidden else c for i, c in enumerate(value))


__all__ = ["CIVILITY", "KEEP_TAIL", "LONG_NUMBER", "SITE_MASK_CHARS", "fill", "is_masked",
           "is_placeholder", "mask", "mask_keep_tail"]
