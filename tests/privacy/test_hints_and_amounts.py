"""Two gaps a Serbian bank's recording showed in the privacy detectors.

- An element known as a name *only by an HTML hint* (``.username``, the HTML autocomplete
  vocabulary, Serbian ``.ime``) must have its text found as a name: the customer's name in a
  page header is the one value every recording of a logged-in page contains.
- A result's JSON writes ``Decimal`` amounts as ``"71002.88"``; libphonenumber read some of
  them as national phone numbers, so every salary above 10 000 failed the audit.
"""

from __future__ import annotations

import pytest

from engine.privacy.detectors import find_phones
from engine.privacy.documents import scan_html
from engine.privacy.vocabulary import Kind


@pytest.mark.parametrize("hint", ['class="ime"', 'class="username"', 'class="nomprenom"',
                                  'id="x" class="tekst imePrezime"'])
def test_a_name_known_only_by_an_html_hint_is_found(hint: str) -> None:
    page = f'<header><span id="lblKorisnik" {hint}>Marko Petrović</span></header>'
    names = {hit.value for hit in scan_html(page) if hit.kind is Kind.NAME}
    assert "Marko Petrović" in names


def test_an_html_hint_still_needs_a_name_shaped_value() -> None:
    page = '<span class="ime">2026-11-20 12:00</span><span class="username">42</span>'
    assert not [hit for hit in scan_html(page) if hit.kind is Kind.NAME]


@pytest.mark.parametrize("amount", ["71002.88", "53327.76", "1208966.64", "74893.89"])
def test_a_decimal_amount_is_not_a_phone(amount: str) -> None:
    assert list(find_phones(amount)) == []


@pytest.mark.parametrize("phone", ["+381 64 123 4567", "06 12 34 56 78", "0612345678",
                                   "01 23 45 67 89", "+33 6 12 34 56 78"])
def test_phones_are_still_phones(phone: str) -> None:
    assert [(s.start, s.end) for s in find_phones(phone)] == [(0, len(phone))]
