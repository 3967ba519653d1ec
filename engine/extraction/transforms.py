"""The value functions the rest of the engine uses, and the check digits it validates with.

The transforms and parsers themselves are registry entries under ``engine.recipe.transforms``
(the recipe model is generated from them, and the recipe layer sits left of this one); this
module is the stable façade the runner and the harness import from.
"""

from __future__ import annotations

import re

from engine.recipe.transforms.currency import parse_currency
from engine.recipe.transforms.dates import parse_date, parse_datetime
from engine.recipe.transforms.numbers import parse_amount, parse_decimal, parse_int
from engine.recipe.transforms.registry import FieldSettings, TransformError
from engine.recipe.transforms.text import (
    apply_regex,
    clean_text,
    fold,
    map_value,
    mask_account_number,
    parse_bool,
    transliterate,
)

__all__ = [
    "FieldSettings",
    "TransformError",
    "apply_regex",
    "clean_text",
    "fold",
    "is_valid_iban",
    "is_valid_isin",
    "map_value",
    "mask_account_number",
    "parse_amount",
    "parse_bool",
    "parse_currency",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_int",
    "transliterate",
]



def _letters_to_digits(text: str) -> str:
    """A=10 ... Z=35, digits unchanged: the expansion ISO 6166 and ISO 13616 both use."""
    return "".join(str(int(c, 36)) for c in text)


def is_valid_isin(value: str) -> bool:
    """ISO 6166: 2 letters, 9 alphanumerics, 1 check digit; Luhn over the letters-as-digits."""
    isin = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", isin):
        return False
    total = 0
    for position, char in enumerate(reversed(_letters_to_digits(isin))):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_valid_iban(value: str) -> bool:
    """ISO 13616 mod-97 check; spaces allowed, case ignored. Country lengths are not checked
    (mod 97 already catches a dropped or swapped character)."""
    iban = "".join(value.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", iban):
        return False
    return int(_letters_to_digits(iban[4:] + iban[:4])) % 97 == 1
