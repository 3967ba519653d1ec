"""Masks keep the shape and nothing else (a short value never survives, long numbers keep
their last four only, a masked number never passes its checksum); the audit's ``is_masked``
tells them from real values; the live redactor masks secrets and never identifiers."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from engine.extraction.transforms import mask_account_number
from engine.privacy.detectors import is_card, is_iban, is_phone, is_routing_number
from engine.privacy.masking import is_masked, is_placeholder, mask
from engine.privacy.redactor import MASK, Redactor
from engine.privacy.text import ScrubTable, TextScrubber
from engine.privacy.vocabulary import Kind
from engine.secrets import Redactor as ReExported
from engine.secrets import Secret


@pytest.mark.parametrize(("value", "kind", "masked"), [
    ("Ana", Kind.NAME, "Xxx"),
    ("Éloïse O'Brien-Lefèvre", Kind.NAME, "Xxxxxx X'Xxxxx-Xxxxxxx"),
    ("ana.silva+1@gmail.com", Kind.EMAIL, "xxx.xxxxx+0@xxxxx.xxx"),
    ("+33 6 12 34 56 78", Kind.PHONE, "+00 0 00 00 00 00"),
    ("12 rue des Lilas", Kind.ADDRESS, "00 xxx xxx Xxxxx"),
    ("40001234567", Kind.ACCOUNT_NUMBER, "00000004567"),
    ("ACC-99887766", Kind.ACCOUNT_NUMBER, "XXX-00007766"),
    ("1234", Kind.ACCOUNT_NUMBER, "0000"),  # short numbers keep nothing
    ("4970 1012 3456 7893", Kind.CARD, "0000 0000 0000 7893"),
    ("FR76 3000 4000 1000 1234 5678 978", Kind.IBAN, "FR00 0000 0000 0000 0000 0008 978"),
    ("021000021", Kind.ROUTING, "000000000"),
])
def test_masks_keep_length_classes_and_layout(value: str, kind: Kind, masked: str) -> None:
    assert mask(value, kind) == masked
    assert len(masked) == len(value)
    assert mask(masked, kind) == masked  # idempotent: a replay's request is normalized
    assert is_masked(masked, kind) and not is_masked(value, kind)


def test_masked_numbers_never_pass_their_checks_and_keep_the_displayed_tail() -> None:
    iban, card = "FR76 3000 4000 1000 1234 5678 978", "4970 1012 3456 7893"
    assert not is_iban(mask(iban, Kind.IBAN)) and not is_card(mask(card, Kind.CARD))
    assert not is_routing_number(mask("021000021", Kind.ROUTING))
    assert not is_phone(mask("06 12 34 56 78", Kind.PHONE), labelled=True)
    assert mask_account_number(mask(iban, Kind.IBAN)) == mask_account_number(iban)


def test_a_json_number_stays_a_number() -> None:
    masked = mask("40001234567", Kind.ACCOUNT_NUMBER, number=True)
    assert masked == "10000004567" and json.loads(f'{{"n": {masked}}}')["n"] == 10000004567
    assert is_masked(masked, Kind.ACCOUNT_NUMBER)


def test_what_counts_as_masked() -> None:
    assert is_masked("06 •• •• •• 17", Kind.PHONE)  # masked by the site itself
    assert is_masked("XXXX XXXX XXXX XXXX XXXX XXX3 536", Kind.IBAN)  # older fixtures
    assert is_masked("M. Xxxx Xxxxxx", Kind.NAME)
    assert is_masked("qqqq@qqqqqqqqq.qqqq", Kind.EMAIL)  # a credential placeholder
    assert is_masked("246801", Kind.CREDENTIAL) and not is_masked("hunter2", Kind.CREDENTIAL)
    assert not is_masked("00000001234", Kind.PHONE)  # no tail for a phone
    assert all(map(is_placeholder, ["scrubbed-token-001", "[scrubbed-jwt]", "__SECRET__", "***"]))


def test_the_table_masks_names_in_their_variants_and_short_values_only_under_their_key() -> None:
    table = ScrubTable()
    table.personal("M. Jean Dupont", Kind.NAME)
    table.personal("Al", Kind.NAME, "firstName")
    scrub = table.scrubber()
    assert scrub.text("VIR JEAN DUPONT / jean dupont / Jean Dupont") == \
        "VIR XXXX XXXXXX / xxxx xxxxxx / Xxxx Xxxxxx"
    assert scrub.text('{"firstName": "Al", "city": "Al"}') == '{"firstName": "Xx", "city": "Al"}'
    assert scrub.text('"{\\"firstName\\":\\"Al\\"}"') == '"{\\"firstName\\":\\"Xx\\"}"'
    assert scrub.text("Alain, Jeannette") == "Alain, Jeannette"  # whole words only


def test_scripts_get_the_table_only() -> None:
    scrub = TextScrubber({"s3cr3t-value": "scrubbed-token-001"})
    code = ('var k="s3cr3t-value", card=4111111111111111, '
            'pub="eyJhbGciOiJI.eyJyb2xlIjoiYW5vbiJ9.x1";')
    assert scrub.body(code, "application/javascript") == code.replace(
        "s3cr3t-value", "scrubbed-token-001")
    assert "4111111111111111" not in scrub.body(code, "text/plain")


# ----------------------------------------------------------------------------- live redactor

def test_the_live_redactor_masks_secrets_in_every_encoding() -> None:
    secret = "p@ss w&rd<é>"
    redact = Redactor([secret])
    for form in (secret, quote(secret, safe=""), quote_plus(secret), "p@ss w&amp;rd&lt;é&gt;",
                 json.dumps(secret)[1:-1]):
        assert redact(f"x={form};") == f"x={MASK};", form
    assert redact("/compte/40001234567 and 123456") == "/compte/40001234567 and 123456"


def test_the_live_redactor_never_masks_identifiers() -> None:
    """Issue 9 §4: a username equal to an account id must read the same in ``accounts`` and
    in ``account_failures``; only ``secret: true`` credentials are masked."""
    credentials = {"username": Secret("40001234567"), "password": Secret("s3cr3t-pin")}
    redact = Redactor.for_credentials(credentials, secret_names={"password"})
    detail = {"account_id": "40001234567", "message": "login s3cr3t-pin refused for 40001234567"}
    assert redact.scrub_obj(detail) == {
        "account_id": "40001234567", "message": f"login {MASK} refused for 40001234567"}
    assert "40001234567" not in repr(redact) and ReExported is Redactor
    redact.add("654321")  # a one-time code learned during the sync
    assert redact("code 654321 wrong") == f"code {MASK} wrong"
