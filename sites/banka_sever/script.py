"""Serbian Latin ↔ Cyrillic, the way a bank's interface switches script.

Serbian is written in both scripts with a one-to-one letter mapping (three Latin digraphs, lj,
nj and dž, are single Cyrillic letters), so the site stores every text once, in Latin, and
derives the Cyrillic interface from it. Words that are not Serbian, containing q, w, x or y
(MAXI, WOLT, LILLY), codes such as RSD or EUR, and web addresses stay in Latin, as Serbian
Cyrillic typesetting leaves them. Thirty letters do not justify a dependency; the tests check
that every text of the demo data survives the round trip.
"""

from __future__ import annotations

import re

_LETTERS = (
    ("Lj", "Љ"), ("Nj", "Њ"), ("Dž", "Џ"), ("LJ", "Љ"), ("NJ", "Њ"), ("DŽ", "Џ"),
    ("lj", "љ"), ("nj", "њ"), ("dž", "џ"),
    ("A", "А"), ("B", "Б"), ("V", "В"), ("G", "Г"), ("D", "Д"), ("Đ", "Ђ"), ("E", "Е"),
    ("Ž", "Ж"), ("Z", "З"), ("I", "И"), ("J", "Ј"), ("K", "К"), ("L", "Л"), ("M", "М"),
    ("N", "Н"), ("O", "О"), ("P", "П"), ("R", "Р"), ("S", "С"), ("T", "Т"), ("Ć", "Ћ"),
    ("U", "У"), ("F", "Ф"), ("H", "Х"), ("C", "Ц"), ("Č", "Ч"), ("Š", "Ш"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("đ", "ђ"), ("e", "е"),
    ("ž", "ж"), ("z", "з"), ("i", "и"), ("j", "ј"), ("k", "к"), ("l", "л"), ("m", "м"),
    ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("ć", "ћ"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("c", "ц"), ("č", "ч"), ("š", "ш"),
)
_TO_CYRILLIC = re.compile("|".join(latin for latin, _ in _LETTERS))
_CYRILLIC_OF = dict(_LETTERS)
_LATIN_OF = {cyr: latin for latin, cyr in _LETTERS if not latin.isupper() or len(latin) == 1}
_TO_LATIN = re.compile("|".join(_LATIN_OF))

KEPT_IN_LATIN = frozenset({"RSD", "EUR", "USD", "CHF", "Visa", "Classic", "SMS", "OTP", "PIN",
                           "IPS", "POS", "ID"})
"""Codes and brand words a Serbian Cyrillic page still prints in Latin."""

_WORD = re.compile(r"\S+")
_FOREIGN = re.compile(r"[qwxy]|\.(com|rs|net|org|eu)\b|https?:|@|^FT\d", re.IGNORECASE)


def _keep(word: str) -> bool:
    bare = word.strip(".,:;()„“”\"'–-")
    return bare in KEPT_IN_LATIN or bool(_FOREIGN.search(bare))


def to_cyrillic(text: str) -> str:
    """Serbian Latin text in Cyrillic, foreign words and codes left as they are."""

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        return w if _keep(w) else _TO_CYRILLIC.sub(lambda m: _CYRILLIC_OF[m.group(0)], w)

    return _WORD.sub(word, text)


def to_latin(text: str) -> str:
    """Serbian Cyrillic text in Latin; Љ, Њ, Џ become LJ, NJ, DŽ inside upper-case words."""

    def letter(match: re.Match[str]) -> str:
        latin = _LATIN_OF[match.group(0)]
        following = text[match.end() : match.end() + 1]
        if len(latin) == 2 and following.isupper():
            return latin.upper()
        return latin

    return _TO_LATIN.sub(letter, text)
