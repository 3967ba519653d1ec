"""Cleaning transforms (strip, replace, transliterate, regex, map, default, mask) and the
``text`` and ``bool`` parsers.

Every function is pure (no I/O, no locale, no global state), so the same recipe gives the same
records on any machine, live or replayed from a fixture. Failures raise ``TransformError``
whose message quotes the offending input and says what was expected: that message is what a
recipe author sees in ``engine check`` when a bank changes its page.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import cyrtranslit
from pydantic import AfterValidator, Field, model_validator

from engine.recipe.compile import check_regex, regex_search
from engine.recipe.transforms.registry import (
    Example,
    FieldEnv,
    TransformError,
    parser,
    quote,
    transform,
)
from engine.recipe.transforms.source import _Strict

__all__ = ["apply_regex", "clean_text", "fold", "map_value", "mask_account_number",
           "parse_bool", "transliterate"]

# Invisible characters that are not whitespace but still break matching when scraped:
# zero-width space, word joiner, BOM, soft hyphen.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))


def clean_text(value: str) -> str:
    """NFC-normalise, drop invisible characters, collapse every run of Unicode whitespace
    (U+00A0, U+202F, U+2009, tabs, newlines...) to one space, and strip.

    Applied to every scraped value before any transform. NFC so that "é" typed as e +
    combining accent compares equal to the precomposed "é".
    """
    return " ".join(unicodedata.normalize("NFC", value).translate(_INVISIBLE).split())


def fold_chars(text: str) -> str:
    """Lower-case and strip accents, keeping whitespace as is (formats need their spaces)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` with whitespace collapsed.

    NFKD (not NFD) so that compatibility characters fold too: U+00A0 and U+202F become spaces
    and the superscript in "1ᵉʳ" becomes "1er".
    """
    return " ".join(fold_chars(text).split())


# ----------------------------------------------------------------------------- strip, replace

# Bounds on options: a recipe is hand-written; a huge table is a mistake (or an attack on
# the loader), and every value goes through these once per row.
Chars = Annotated[str, Field(min_length=1, max_length=200)]
Texts = Annotated[dict[str, str], Field(max_length=500)]
Mapped = str | bool | int | float
Mapping_ = Annotated[dict[str, Mapped], Field(min_length=1, max_length=2000)]


@transform("strip", options=Chars, order=10,
           doc="Delete every one of these characters anywhere in the value.",
           example=Example({"strip": " ."}, "RS35 2600 0560 1001 6113.", "RS352600056010016113"))
def strip_chars(value: str, chars: str, env: FieldEnv) -> str:
    del env
    return value.translate(dict.fromkeys(map(ord, chars)))


@transform("replace", options=Texts, order=20,
           doc="Replace each text by another, in the order written.",
           example=Example({"replace": {"Uplata": "Credit", "-": " "}}, "Uplata-zarada",
                           "Credit zarada"))
def replace_texts(value: str, mapping: Mapping[str, str], env: FieldEnv) -> str:
    del env
    for old, new in mapping.items():
        value = value.replace(old, new)
    return value


# ----------------------------------------------------------------------------- transliterate

Language = Literal["sr", "ru", "ua", "bg", "mk", "me", "by", "mn", "tj"]
_BY_COUNTRY: dict[str, Language] = {"RS": "sr", "BA": "sr", "ME": "me", "RU": "ru", "UA": "ua",
                                    "BG": "bg", "MK": "mk", "BY": "by", "MN": "mn", "TJ": "tj",
                                    "KZ": "ru", "KG": "ru"}


def transliterate(value: str, language: str) -> str:
    """Cyrillic to Latin with cyrtranslit's per-language tables (Serbian ђ→đ, љ→lj; Russian
    ж→zh, щ→shh): a language's own standard, not unidecode's ASCII approximation."""
    return str(cyrtranslit.to_latin(value, language))


@transform("transliterate", options=Language | bool, order=30,
           doc="Cyrillic to Latin (true: the institution country's language, else Russian; "
               "or a language: sr, ru, ua, bg, mk, me, by).",
           example=Example({"transliterate": "sr"}, "Исплата Ђорђе Љубић", "Isplata Đorđe Ljubić"))
def transliterate_value(value: str, language: str | bool, env: FieldEnv) -> str:
    if language is False:
        return value
    if language is True:
        language = _BY_COUNTRY.get(env.settings.country or "", "ru")
    return transliterate(value, language)


# ----------------------------------------------------------------------------- regex

def apply_regex(value: str, pattern: str) -> str:
    """The first capture group that took part in the match, or the whole match if the pattern
    has no groups; ``search`` semantics (the pattern may match anywhere), with a time bound.

    "First that took part" so that alternations such as ``a(\\d+)|b(\\d+)`` work. A group
    that matched nothing gives "" (and ``default`` then applies).
    """
    try:
        match = regex_search(pattern, value)
    except ValueError as exc:
        raise TransformError(str(exc)) from None
    if match is None:
        raise TransformError(f"regex {pattern!r} does not match {quote(value)}")
    if not match.re.groups:
        return str(match.group())
    return next((str(g) for g in match.groups() if g is not None), "")


@transform("regex", options=Annotated[str, AfterValidator(check_regex)], order=40,
           doc="Keep capture group 1 (or the whole match); no match is an error.",
           example=Example({"regex": r"Ref\. ?(\w*)", "default": "none"}, "Uplata Ref. ", "none"))
def regex_value(value: str, pattern: str, env: FieldEnv) -> str:
    del env
    return apply_regex(value, pattern)


# ----------------------------------------------------------------------------- map

def map_value(value: str, mapping: Mapping[str, Any], default: Any = None) -> Any:
    """Translate a label through ``mapping`` (e.g. "Carte bancaire" -> "card").

    Exact match on the cleaned text first, then a case- and accent-insensitive match (first
    key in mapping order wins), so "DEBIT" finds "Débit". Otherwise ``default`` if given,
    else TransformError listing the known keys so the recipe author sees what is missing.
    """
    key = clean_text(value)
    if key in mapping:
        return mapping[key]
    folded = fold(key)
    for candidate, result in mapping.items():
        if fold(candidate) == folded:
            return result
    if default is not None:
        return default
    known = ", ".join(repr(k) for k in list(mapping)[:20]) + (", …" if len(mapping) > 20 else "")
    raise TransformError(f"unknown value {quote(value)}: expected one of {known or 'nothing'}")


@transform("map", options=Mapping_, order=50,
           doc="Translate values (case- and accent-insensitive) to text, true/false or "
               "numbers; an unknown value is an error.",
           example=Example({"map": {"Tekući račun": "checking", "Štednja": "savings"}},
                           "TEKUCI RACUN", "checking"))
def map_field(value: str, mapping: Mapping[str, Any], env: FieldEnv) -> Any:
    del env
    return map_value(value, mapping)


# ----------------------------------------------------------------------------- default

@transform("default", options=Annotated[str, Field(max_length=1000)] | int | float | bool,
           order=60, on_empty=True,
           doc="Used when the value is missing or empty, including a regex yielding \"\".",
           example=Example({"regex": r"\(([^)]*)\)", "default": "-"}, "Kartica ()", "-"))
def default_value(value: Any, default: str | float | bool, env: FieldEnv) -> Any:
    del value, env
    return default


# ----------------------------------------------------------------------------- mask

def mask_account_number(value: str, visible: int = 4) -> str:
    """Keep the last ``visible`` letters or digits: "FR76 3000 4000 0100 0123 4567 890" ->
    "•••• 7890", so a user can tell accounts apart without the number being stored in clear.

    Pages that already mask ("XXXX XXXX 1234", "****1234") give "•••• 1234" as well.
    """
    if visible < 0:
        raise ValueError(f"visible must be >= 0, not {visible}")
    chars = [c for c in value if c.isalnum()]
    if not chars:
        raise TransformError(f"no account number in {quote(value)}: expected letters or digits")
    tail = "".join(chars[-visible:]) if visible else ""
    return f"•••• {tail}" if tail else "••••"


@transform("mask", options=bool, order=90,
           doc="Keep only the last 4 letters or digits visible.",
           example=Example({"mask": True}, "RS35 2600 0560 1001 6113 79", "•••• 1379"))
def mask_value(value: Any, enabled: bool, env: FieldEnv) -> Any:
    del env
    return mask_account_number(str(value)) if enabled else value


# ----------------------------------------------------------------------------- parsers

@parser("text", doc="Keep the cleaned text as it is (the default).",
        example=Example({"parse": "text"}, " Plaćanje\u00a0karticom ", "Plaćanje karticom"))
def parse_text(value: str, options: None, env: FieldEnv) -> str:
    del options, env
    return value


_TRUE = ("true", "yes", "y", "1", "on", "oui", "vrai", "ja", "si", "sim", "da", "tak", "да",
         "x", "✓", "✔")  # fmt: skip
_FALSE = ("false", "no", "n", "0", "off", "non", "faux", "nein", "nao", "ne", "nie", "нет",
          "не", "-")  # fmt: skip


class BoolOptions(_Strict):
    true_values: list[str] = Field(default_factory=list, description="More texts meaning "
                                   "true (YAML reads a bare true:/yes: key as a boolean).")
    false_values: list[str] = Field(default_factory=list, description="More texts meaning "
                                    "false.")

    @model_validator(mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        if isinstance(value, dict) and any(isinstance(k, bool) for k in value):
            raise ValueError("write true_values: and false_values: (YAML reads a bare true: "
                             "or false: key as a boolean)")
        return value


def parse_bool(value: str, options: BoolOptions | None = None) -> bool:
    """True/false from the words banks use (yes/no, oui/non, da/ne, ja/nein, 1/0, ✓), case-
    and accent-insensitive; "false" is False. Anything else is an error, never a guess."""
    options = options or BoolOptions()
    key = fold(value)
    if key in _TRUE or key in {fold(t) for t in options.true_values}:
        return True
    if key in _FALSE or key in {fold(f) for f in options.false_values}:
        return False
    raise TransformError(f"{quote(value)} is not a yes/no value: expected one of "
                         f"{', '.join((*_TRUE[:6], *_FALSE[:6]))}…")


@parser("bool", options=BoolOptions, defaults=BoolOptions,
        doc="true/false, yes/no, oui/non, da/ne, ja/nein, 1/0 …; \"false\" is False.",
        example=Example({"parse": "bool"}, "NE", False))
def parse_bool_field(value: str, options: BoolOptions, env: FieldEnv) -> bool:
    del env
    return parse_bool(value, options)
