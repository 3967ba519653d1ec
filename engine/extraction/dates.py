"""French and English month and weekday names for ``parse_date``, independent of the OS locale.

``time.strptime`` only knows the month names of the process locale, and changing the locale is
process-wide and unsafe in a threaded engine. So instead of teaching strptime French, we rewrite
both sides into a language-free form: the text gets month names replaced by two-digit month
numbers and weekday names removed; the format gets ``%b``/``%B`` replaced by ``%m`` and
``%a``/``%A`` removed. Both sides go through the same rules, so whatever punctuation the rules
swallow on one side they swallow on the other.

Matching is case- and accent-insensitive (``févr.``, ``FEVR``, ``Fév`` are all February) because
bank pages are inconsistent about both.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["date_text_variants", "fold", "normalize_date_format", "normalize_date_text"]

# Folded (lower-case, accent-free) names. Abbreviations are listed without their dot: the dot is
# handled by the regexes below so that "nov." and "nov" behave the same.
_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("janvier", "janv", "jan", "january"),
    2: ("fevrier", "fevr", "fev", "february", "feb"),
    3: ("mars", "march", "mar"),
    4: ("avril", "avr", "april", "apr"),
    5: ("mai", "may"),
    6: ("juin", "june", "jun"),
    7: ("juillet", "juil", "july", "jul"),
    8: ("aout", "august", "aug"),
    9: ("septembre", "sept", "september", "sep"),
    10: ("octobre", "october", "oct"),
    11: ("novembre", "november", "nov"),
    12: ("decembre", "december", "dec"),
}
_MONTH_NUMBER: dict[str, int] = {name: n for n, names in _MONTHS.items() for name in names}

# "mar" is both French "mardi" (abbr.) and English "March": it is deliberately absent here and
# resolved by trying both readings (see date_text_variants).
_WEEKDAYS: tuple[str, ...] = (
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "lun", "mer", "jeu", "ven", "sam", "dim",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
)  # fmt: skip


def _alternation(names: list[str] | tuple[str, ...]) -> str:
    """Longest names first, so "mars" wins over "mar" and "sept" over "sep"."""
    return "|".join(sorted(names, key=len, reverse=True))


# A name counts only as a whole word; a trailing dot belongs to the abbreviation when a space or
# the end follows it ("nov. 2026"), but stays a separator in "24.nov.2026".
_MONTH_RE = re.compile(rf"(?<![a-z])({_alternation(list(_MONTH_NUMBER))})(?![a-z])(?:\.(?=\s|$))?")
_WEEKDAY_RE = re.compile(rf"(?<![a-z])(?:{_alternation(_WEEKDAYS)})(?![a-z])\.?,?\s*")
_LEADING_MAR_RE = re.compile(r"^mar(?![a-z])\.?,?\s*")
# "1er", "2e", "2eme" (French) and "1st", "22nd", "3rd", "24th" (English) are plain day numbers.
_ORDINAL_RE = re.compile(r"(?<![0-9])([0-9]{1,2})(?:er|eme|e|st|nd|rd|th)(?![a-z])")
_DIRECTIVE_RE = re.compile(r"%.|[^%]+|%", re.DOTALL)
# Sentinels stand for removed/rewritten directives while the format is being normalised.
_WEEKDAY_MARK = "\x01"
_MONTH_MARK = "\x02"


def _fold_chars(text: str) -> str:
    """Lower-case and strip accents, keeping whitespace as is (formats need their spaces)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` with whitespace collapsed.

    NFKD (not NFD) so that compatibility characters fold too: U+00A0 and U+202F become spaces
    and the superscript in "1ᵉʳ" becomes "1er".
    """
    return " ".join(_fold_chars(text).split())


def normalize_date_text(text: str, *, leading_mar_is_weekday: bool = False) -> str:
    """Rewrite a date text into digits and separators only, as ``normalize_date_format`` expects.

    Ordinal suffixes go, weekday names go (with a following "." or ","), month names become
    two-digit numbers: "Lundi 1er Déc. 2026" -> "1 12 2026". Zero-padding matters: it keeps
    ``%m`` unambiguous in compact forms like "24dec2026" -> "24122026".
    """
    folded = _ORDINAL_RE.sub(r"\1", fold(text))
    if leading_mar_is_weekday:
        folded = _LEADING_MAR_RE.sub("", folded)
    folded = _WEEKDAY_RE.sub("", folded)
    folded = _MONTH_RE.sub(lambda m: f"{_MONTH_NUMBER[m.group(1)]:02d}", folded)
    return " ".join(folded.split())


def date_text_variants(text: str) -> tuple[str, ...]:
    """The readings of ``text`` worth trying, most likely first.

    A leading "mar" is March in "mar 2026" but Tuesday in "mar. 24 nov. 2026"; rather than
    guess, the caller tries the March reading first and the Tuesday reading second, and the
    format decides which one parses.
    """
    first = normalize_date_text(text)
    if not _LEADING_MAR_RE.match(fold(text)):
        return (first,)
    return first, normalize_date_text(text, leading_mar_is_weekday=True)


def normalize_date_format(fmt: str) -> tuple[str, bool]:
    """Rewrite a strptime format to match ``normalize_date_text`` output.

    Returns the rewritten format and whether it contains a year (``%Y`` or ``%y``), which the
    caller needs to decide whether a reference date is required. Literal text is folded like
    the input text, so a format "Le %d %B" matches "le 24 novembre".
    """
    parts: list[str] = []
    has_year = False
    for token in _DIRECTIVE_RE.findall(fmt):
        if token in ("%a", "%A"):
            parts.append(_WEEKDAY_MARK)
        elif token in ("%b", "%B"):
            parts.append(_MONTH_MARK)
        elif len(token) == 2 and token.startswith("%"):
            has_year = has_year or token in ("%Y", "%y")
            parts.append(token)
        else:
            parts.append(_fold_chars(token))
    pattern = "".join(parts)
    # Same punctuation rules as the text side: see _WEEKDAY_RE and _MONTH_RE.
    pattern = re.sub(rf"{_WEEKDAY_MARK}\.?,?\s*", "", pattern)
    pattern = re.sub(rf"{_MONTH_MARK}\.(?=\s|$)", _MONTH_MARK, pattern)
    pattern = pattern.replace(_MONTH_MARK, "%m")
    return " ".join(pattern.split()), has_year
