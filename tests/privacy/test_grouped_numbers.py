"""Numbers printed in groups, and sums of money, as Australian bank pages show them.

Discovery reads an element's cleaned text ("2047 8815") while the page's source spells the
space as a no-break space ("2047&nbsp;8815"); a mask must reach every spelling. A balance
("25000.00") must never pass for a phone number, whatever a lenient numbering plan allows.
"""

from __future__ import annotations

import pytest

from engine.privacy.detectors import find_phones
from engine.privacy.text import TextScrubber
from engine.privacy.vocabulary import Kind, classify_hint


@pytest.mark.parametrize("page", [
    "<td>2047&nbsp;8815</td>", "<td>2047\u00a08815</td>", "<td>2047&#160;8815</td>",
    "<td>2047\u202f8815</td>", "<td>2047 8815</td>", '{"n": "2047\\u00a08815"}'])
def test_a_learned_grouped_number_is_masked_however_the_space_is_written(page: str) -> None:
    scrubber = TextScrubber({"2047 8815": "0000 8815"})
    scrubbed = scrubber.text(page)
    assert "2047" not in scrubbed and "8815" in scrubbed
    assert scrubbed == page.replace("2047", "0000")


def test_other_numbers_sharing_a_group_are_left_alone() -> None:
    scrubber = TextScrubber({"2047 8815": "0000 8815"})
    assert scrubber.text("2047&nbsp;8823 and 12047&nbsp;8815") == (
        "2047&nbsp;8823 and 12047&nbsp;8815")


@pytest.mark.parametrize("amount", ["25000.00", "39549.50", "5430.13", "1 234,56",
                                    "12,345.67", "1.234.567,89", "-5799.50"])
def test_sums_of_money_are_not_phone_numbers(amount: str) -> None:
    assert list(find_phones(amount)) == []
    assert list(find_phones(f"Balance {amount}")) == []


@pytest.mark.parametrize("phone", ["06.12.34.56.78", "01 23 45 67 89", "+61 2 9876 5432"])
def test_phones_with_dots_or_spaces_are_still_phones(phone: str) -> None:
    assert [phone[s.start:s.end] for s in find_phones(phone)] == [phone]


def test_a_member_name_is_a_persons_name() -> None:
    """Credit unions call their customers members: ``data-testid="member-name"``."""
    assert classify_hint("member-name") is Kind.NAME
    assert classify_hint("member-number") is Kind.CUSTOMER_ID
