"""The vocabulary matches keys whatever their spelling, and says nothing of keys that are
not personal; the detectors prove what they report (checksums, numbering plans) and leave
amounts, dates, ids and timestamps alone."""

from __future__ import annotations

import pytest

from engine.privacy.detectors import (
    find_all,
    find_cards,
    find_emails,
    find_ibans,
    find_jwts,
    find_phones,
    find_routing_numbers,
    iban_length,
    is_card,
    is_iban,
    is_phone,
    is_routing_number,
)
from engine.privacy.vocabulary import Kind, classify_hint, classify_key, plausible

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(("keys", "kind"), [
    (["creditorName", "creditor_name", "Creditor-Name", "CREDITOR NAME"], Kind.NAME),
    (["firstName", "first_name", "prenom", "lastName", "surname", "displayName",
      "debtorName", "ultimateCreditor", "accountHolderName", "psuName"], Kind.NAME),
    (["email", "e-mail", "userEmail", "contact_email", "courriel"], Kind.EMAIL),
    (["phone", "phoneNumber", "mobile", "telephone", "homePhone", "msisdn"], Kind.PHONE),
    (["street", "postcode", "postal_code", "zipCode", "city", "addressLine1"], Kind.ADDRESS),
    (["birthDate", "date_of_birth", "dob", "dateNaissance"], Kind.BIRTH_DATE),
    (["ssn", "nationalId", "nir", "taxId"], Kind.NATIONAL_ID),
    (["accountNumber", "account_number", "numeroCompte", "bban"], Kind.ACCOUNT_NUMBER),
    (["iban", "IBAN", "debtorIban", "account-iban"], Kind.IBAN),
    (["routingNumber", "routing_number", "sortCode", "sort-code", "bsb", "aba"], Kind.ROUTING),
    (["cardNumber", "card_number", "pan", "maskedPan"], Kind.CARD),
    (["customerId", "customer_id", "clientNumber", "psuId", "PSU-ID"], Kind.CUSTOMER_ID),
    (["password", "pin", "otp", "client_secret", "motDePasse"], Kind.CREDENTIAL),
    (["token", "access_token", "refreshToken", "id_token", "Authorization", "cookie",
      "session", "sessionId", "csrf_token", "X-XSRF-TOKEN", "challenge"], Kind.TOKEN),
])
def test_keys_match_whatever_their_case_and_separators(keys: list[str], kind: Kind) -> None:
    assert {key: classify_key(key) for key in keys} == dict.fromkeys(keys, kind)


@pytest.mark.parametrize("key", ["name", "nom", "bic", "BIC", "swift", "id", "code", "state",
                                 "status", "amount", "label", "tokenType", "token_type",
                                 "accountName", "bankName", "currency", "ipAddress", "date",
                                 "first", "last", "type", "kind", "resourceId"])
def test_keys_that_say_nothing_personal(key: str) -> None:
    assert classify_key(key) is None


def test_html_hints_and_the_shape_a_value_must_have() -> None:
    assert classify_hint("customer-name") is Kind.NAME
    assert classify_hint("given-name") is Kind.NAME  # an autocomplete token
    assert classify_hint("cc-number") is Kind.CARD
    assert classify_hint("account-name") is None
    assert plausible(Kind.NAME, "M. Jean Dupont", "client")
    assert not plausible(Kind.NAME, "web", "client")  # a `client: "web"` field
    assert not plausible(Kind.PHONE, "Menu", "mobile")  # a `.mobile` layout block
    assert not plausible(Kind.EMAIL, "Adresse e-mail", "email")
    assert plausible(Kind.ROUTING, "021000021", "routingNumber")


# ----------------------------------------------------------------------------- IBAN

@pytest.mark.parametrize("iban", [
    "FR76 3000 4000 1000 1234 5678 978", "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819",
    "BE71 0961 2345 6769", "NL91ABNA0417164300", "CH93 0076 2011 6238 5295 7",
    "IT60X0542811101000000123456", "ES91 2100 0418 4502 0005 1332", "NO9386011117947"])
def test_valid_ibans_of_many_countries_are_found_spaced_or_compact(iban: str) -> None:
    assert is_iban(iban)
    text = f"IBAN : {iban}. Merci"
    assert [text[s.start:s.end] for s in find_ibans(text)] == [iban]


def test_iban_lengths_come_from_the_registry_and_lookalikes_fail() -> None:
    assert (iban_length("FR"), iban_length("DE"), iban_length("NO"), iban_length("MT")) == (
        27, 22, 15, 31)
    assert not is_iban("FR76 3000 4000 1000 1234 5678 900")  # check digits wrong
    assert not is_iban("DE89 3704 0044 0532 0130 0")  # one character short for Germany
    assert not is_iban("FR00 0000 0000 0000 0000 0008 978")  # a mask: check digits 00
    assert list(find_ibans("ref DE89370400440532013000123 end")) == []  # too long a run


# ----------------------------------------------------------------------------- cards

@pytest.mark.parametrize("card", ["4970 1012 3456 7893", "4111111111111111", "5555 5555 5555 4444",
                                  "2223 0031 2200 3222", "3782 822463 10005", "6011-1111-1111-1117",
                                  "3530 1113 3330 0000"])
def test_card_numbers_by_network_and_luhn(card: str) -> None:
    assert is_card(card)
    assert [card in f"x {card} y"[s.start:s.end] for s in find_cards(f"x {card} y")] == [True]


@pytest.mark.parametrize("text", [
    "4970 1012 3456 7894",  # Luhn fails
    "ref 1700000000000",  # a millisecond timestamp (no network starts with 17)
    "9999 9999 9999 9995",  # Luhn-valid, no network
    "montant 4 970 101,23 EUR",  # an amount
    "0000 0000 0000 7893",  # a mask
])
def test_not_card_numbers(text: str) -> None:
    assert list(find_cards(text)) == []


# ----------------------------------------------------------------------------- phones

@pytest.mark.parametrize("phone", ["+33 6 12 34 56 78", "+33612345678", "0033 6 12 34 56 78",
                                   "06 12 34 56 78", "01.23.45.67.89", "+44 20 7946 0958",
                                   "020 7946 0958", "(415) 555-2671", "+1 415-555-2671",
                                   "+49 30 1234567"])
def test_phone_numbers_international_and_national(phone: str) -> None:
    text = f"Tél. {phone}, merci"
    assert [text[s.start:s.end] for s in find_phones(text)] == [phone]


@pytest.mark.parametrize("text", [
    "compte 40001234567", "le 20/11/2026 à 10:30", "2026-11-20T10:00:00Z", "1 234,56 EUR",
    "ref 12345678901", "+00 0 00 00 00 00", "00 00 00 00 00", "VIR SEPA SALAIRE 08/2026",
    "FRANPRIX 5128", "4155552671", "34923.15", '"balance": "34923.15"', "1.234.567,89",
    "conta 4832157-5", "94832157-1"])
def test_not_phone_numbers_in_free_text(text: str) -> None:
    assert list(find_phones(text)) == []


def test_a_labelled_value_may_be_a_bare_national_number() -> None:
    assert is_phone("4155552671", labelled=True) and not is_phone("4155552671")
    assert not is_phone("00000000", labelled=True)


# ----------------------------------------------------------------------------- the rest

def test_emails_jwts_and_labelled_routing_numbers() -> None:
    text = "Write to ana.silva+bank@gmail.com (not to @handle or a@b)."
    assert [text[s.start:s.end] for s in find_emails(text)] == ["ana.silva+bank@gmail.com"]
    assert [s.kind for s in find_jwts(f"t={JWT}&")] == [Kind.TOKEN]
    assert list(find_jwts("eyJhbGciOi.notbase64json!.x")) == []
    assert is_routing_number("021000021") and not is_routing_number("021000022")
    labelled = "Routing number: 021000021, account 000123456789"
    assert [labelled[s.start:s.end] for s in find_routing_numbers(labelled)] == ["021000021"]
    assert list(find_routing_numbers("order 021000021 shipped")) == []  # not labelled


def test_find_all_keeps_one_span_per_place() -> None:
    text = f"IBAN FR76 3000 4000 1000 1234 5678 978, tel +33 6 12 34 56 78, jwt {JWT}"
    kinds = [s.kind for s in find_all(text)]
    assert kinds == [Kind.IBAN, Kind.PHONE, Kind.TOKEN]
