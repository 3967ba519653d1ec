"""The one vocabulary of personal-data and credential keys.

A key is whatever names a value: a JSON key, a form field or query parameter, an HTML
``id``/``class``/``name``/``itemprop``/``autocomplete`` hint or a ``data-*`` attribute name.
Matching ignores case and separators (``creditorName``, ``creditor_name`` and
``Creditor-Name`` are one key) so that one list serves every site and every document type.

Why a list and not a heuristic on values: a name, a postcode or a customer number has no
checksum and no shape that tells it apart from a label or an id; only what the site calls it
does. Values that *do* carry their own proof (IBAN, card, phone, e-mail, JWT) are found by
``engine.privacy.detectors`` wherever they are, labelled or not.

Bare ``name`` and ``nom`` are deliberately absent: an account's ``name`` is its label
("Compte courant"). They count as a person's name only in a person's context: a profile
endpoint (``/me``, ``/user``...) or an object that also holds a first name, an e-mail, a
phone, a birth date or an address (``person_object``). A BIC identifies a bank, not a person,
and is not listed; nor are ``code`` (ISIN codes, OAuth codes: handled where they occur) and
``state`` (a status word in most JSON; an OAuth state only in query strings).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache


class Kind(enum.Enum):
    """What a value is, which decides how it is masked and how the audit names it."""

    NAME = "name"
    EMAIL = "e-mail address"
    PHONE = "phone number"
    ADDRESS = "postal address"
    BIRTH_DATE = "birth date"
    NATIONAL_ID = "national identifier"
    ACCOUNT_NUMBER = "account number"
    IBAN = "IBAN"
    ROUTING = "routing number"
    CARD = "card number"
    CUSTOMER_ID = "customer identifier"
    CREDENTIAL = "credential"
    TOKEN = "token"  # noqa: S105 - the name of a kind, not a secret

    @property
    def secret(self) -> bool:
        """Credentials and tokens are replaced whole by placeholders; the rest is masked in
        shape (``engine.privacy.masking``)."""
        return self in (Kind.CREDENTIAL, Kind.TOKEN)


PERSONAL_KINDS = frozenset(k for k in Kind if not k.secret)
NUMBER_KINDS = frozenset({Kind.ACCOUNT_NUMBER, Kind.IBAN, Kind.CARD})
"""Long numbers of these kinds keep their last four characters when masked."""

_EXACT: dict[Kind, set[str]] = {
    Kind.NAME: {
        "firstname", "givenname", "forename", "prenom", "middlename", "lastname", "surname",
        "familyname", "nomdefamille", "nomdenaissance", "nomusage", "fullname", "displayname",
        "customername", "clientname", "nomclient", "customer", "client", "holder",
        "holdername", "accountholder", "accountholdername", "owner", "ownername", "titulaire",
        "nomtitulaire", "creditorname", "debtorname", "ultimatecreditor", "ultimatedebtor",
        "beneficiary", "beneficiaryname", "payeename", "payername", "remittername",
        "ordername", "counterpartyname", "psuname", "contactname", "personname",
        "userfullname", "profilename", "membername",
    },
    Kind.EMAIL: {"email", "mail", "courriel", "emailaddress", "adressemail", "adresseemail",
                 "adresseelectronique", "mailaddress"},
    Kind.PHONE: {"phone", "tel", "telephone", "phonenumber", "telnumber", "mobile",
                 "mobilenumber", "mobilephone", "cellphone", "portable", "msisdn",
                 "fax", "numerotelephone", "numerodetelephone", "telephoneportable", "gsm"},
    Kind.ADDRESS: {"address", "adresse", "street", "streetaddress", "streetname", "rue",
                   "addressline", "addressline1", "addressline2", "addressline3", "line1",
                   "line2", "postcode", "postalcode", "zip", "zipcode", "codepostal", "city",
                   "town", "ville", "commune", "housenumber", "buildingnumber",
                   "billingaddress", "postaladdress", "homeaddress", "adressepostale"},
    Kind.BIRTH_DATE: {"birthdate", "dateofbirth", "dob", "birthday", "bday", "datenaissance",
                      "datedenaissance", "naissance", "birthplace", "placeofbirth",
                      "lieudenaissance"},
    Kind.NATIONAL_ID: {"ssn", "socialsecuritynumber", "nationalid", "nationalidentifier",
                       "nationalidnumber", "nir", "numerosecu", "numerosecuritesociale",
                       "insee", "taxid", "tin", "taxnumber", "passportnumber", "passport",
                       "idcardnumber", "nif", "dni", "nino", "personalnumber"},
    Kind.ACCOUNT_NUMBER: {"accountnumber", "accountno", "acctnumber", "acctno", "accountnum",
                          "numerocompte", "numerodecompte", "numcompte", "nocompte", "bban",
                          "rib", "accountidentifier"},
    Kind.IBAN: {"iban", "ibannumber"},
    Kind.ROUTING: {"routingnumber", "routing", "aba", "abanumber", "rtn", "sortcode", "bsb",
                   "bsbnumber", "transitnumber", "routingcode"},
    Kind.CARD: {"cardnumber", "pan", "cardno", "ccnumber", "creditcardnumber", "numerocarte",
                "maskedpan", "primaryaccountnumber", "ccnum", "cardnum"},
    Kind.CUSTOMER_ID: {"customerid", "customernumber", "customerno", "clientnumber",
                       "clientno", "numeroclient", "psuid", "memberid", "membernumber",
                       "subscriberid", "contractnumber", "numerocontrat", "identifiantclient",
                       "userid", "personid"},
    Kind.CREDENTIAL: {"password", "passwd", "pwd", "passcode", "passphrase", "pin",
                      "pincode", "otp", "otpcode", "onetimecode", "smscode", "secret",
                      "clientsecret", "motdepasse", "mdp", "codesecret", "codeconfidentiel",
                      "securitycode", "cvv", "cvc", "cvv2", "apikey", "privatekey"},
    Kind.TOKEN: {"token", "authorization", "proxyauthorization", "cookie", "setcookie",
                 "session", "sessionid", "sid", "jsessionid", "phpsessid", "aspsessionid",
                 "csrf", "xsrf", "csrfmiddlewaretoken", "authenticitytoken", "nonce",
                 "challenge", "jwt", "bearer", "assertion", "samlresponse", "ticket"},
}
"""Normalised keys, by kind. Also matched with any prefix in ``_SUFFIXES``' sense below."""

_SUFFIXES: tuple[tuple[str, Kind], ...] = (
    ("token", Kind.TOKEN), ("sessionid", Kind.TOKEN), ("sessid", Kind.TOKEN),
    ("csrf", Kind.TOKEN), ("xsrf", Kind.TOKEN), ("apikey", Kind.CREDENTIAL),
    ("password", Kind.CREDENTIAL), ("passwd", Kind.CREDENTIAL), ("secret", Kind.CREDENTIAL),
    ("email", Kind.EMAIL), ("emailaddress", Kind.EMAIL), ("phone", Kind.PHONE),
    ("phonenumber", Kind.PHONE), ("mobilenumber", Kind.PHONE), ("iban", Kind.IBAN),
    ("accountnumber", Kind.ACCOUNT_NUMBER), ("cardnumber", Kind.CARD),
    ("routingnumber", Kind.ROUTING), ("sortcode", Kind.ROUTING),
    ("firstname", Kind.NAME), ("lastname", Kind.NAME), ("fullname", Kind.NAME),
    ("givenname", Kind.NAME), ("familyname", Kind.NAME), ("surname", Kind.NAME),
    ("holdername", Kind.NAME), ("ownername", Kind.NAME), ("creditorname", Kind.NAME),
    ("debtorname", Kind.NAME), ("beneficiaryname", Kind.NAME), ("customername", Kind.NAME),
    ("membername", Kind.NAME), ("birthdate", Kind.BIRTH_DATE), ("dateofbirth", Kind.BIRTH_DATE),
    ("streetaddress", Kind.ADDRESS), ("postcode", Kind.ADDRESS), ("postalcode", Kind.ADDRESS),
    ("zipcode", Kind.ADDRESS), ("customerid", Kind.CUSTOMER_ID),
    ("customernumber", Kind.CUSTOMER_ID),
)
"""Compound keys: ``debtorIban``, ``user_email``, ``x-csrf-token``, ``partnerFirstName``."""

_NOT_PERSONAL = frozenset({
    "bic", "swift", "bankname", "accountname", "accounttype", "cardtype", "cardholdertype",
    "emailverified", "phoneverified", "tokentype", "sessiontimeout", "tokenexpiry",
    "ipaddress", "macaddress", "webaddress", "remoteaddress", "serveraddress",
})
"""Keys a suffix rule would catch that name something public or not a value of that kind."""

_HTML_EXTRA: dict[str, Kind] = {
    "username": Kind.NAME, "userfullname": Kind.NAME, "profilename": Kind.NAME,
    "usernom": Kind.NAME, "identite": Kind.NAME, "nomprenom": Kind.NAME,
    "ime": Kind.NAME, "imeprezime": Kind.NAME,  # Serbian, Croatian, Slovene: "name"
    "tel": Kind.PHONE, "cc-number": Kind.CARD, "ccnumber": Kind.CARD,
    "given-name": Kind.NAME, "family-name": Kind.NAME, "additional-name": Kind.NAME,
    "honorific-prefix": Kind.NAME, "street-address": Kind.ADDRESS,
    "address-line1": Kind.ADDRESS, "address-line2": Kind.ADDRESS,
    "postal-code": Kind.ADDRESS, "address-level2": Kind.ADDRESS,
}
"""Hints that mean personal data only in HTML: a ``.username`` element shows the customer,
and the ``autocomplete`` tokens of the HTML standard (``given-name``, ``cc-number``...)."""

PROFILE_PATHS = frozenset({"me", "user", "users", "profile", "customer", "client", "identity",
                           "userinfo", "whoami", "account-holder", "holder", "person"})
"""Last URL path segments whose answer describes the customer: there, ``name`` is theirs."""

CONTEXT_NAME_KEYS = frozenset({"name", "nom", "namefull"})
"""Keys that are a person's name only in a person's context (see the module docstring)."""

SENSITIVE_HEADERS = frozenset({
    "cookie", "set-cookie", "authorization", "proxy-authorization", "x-csrf-token",
    "x-xsrf-token", "x-auth-token", "x-api-key", "x-session-token", "x-access-token"})
"""Headers dropped whole from recordings: their values are credentials by definition."""

_SEPARATORS = re.compile(r"[\s_\-.:\[\]]+")


def normalize_key(key: str) -> str:
    """``Creditor-Name``, ``creditor_name``, ``creditorName`` -> ``creditorname``."""
    return _SEPARATORS.sub("", key).lower()


@lru_cache(maxsize=4096)
def classify_key(key: str) -> Kind | None:
    """The kind of value a key names, or None when the key says nothing personal."""
    norm = normalize_key(key)
    if not norm or norm in _NOT_PERSONAL:
        return None
    for kind, keys in _EXACT.items():
        if norm in keys:
            return kind
    for suffix, kind in _SUFFIXES:
        if norm.endswith(suffix) and len(norm) > len(suffix):
            return kind
    return None


@lru_cache(maxsize=4096)
def classify_hint(hint: str) -> Kind | None:
    """An HTML hint (one class token, an id, a name, an autocomplete token, a ``data-*``
    attribute name without its ``data-`` prefix)."""
    lowered = hint.strip().lower()
    if lowered in _HTML_EXTRA:
        return _HTML_EXTRA[lowered]
    norm = normalize_key(lowered)
    if norm in _HTML_EXTRA:
        return _HTML_EXTRA[norm]
    return classify_key(lowered)


def classify_hints(hints: Iterable[str]) -> Kind | None:
    """The first personal kind among an element's hints (credentials and tokens included)."""
    for hint in hints:
        kind = classify_hint(hint)
        if kind is not None:
            return kind
    return None


_WEAK_NAME_KEYS = frozenset({"customer", "client", "holder", "owner", "beneficiary",
                             "titulaire", "username", "identite"})
"""Name keys that also name other things (a ``client`` type, a Stripe ``customer`` id):
their value counts only when it is shaped like a person's name."""

_NAME_SHAPE = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ '’.\-])*$")


def plausible(kind: Kind, value: str, key: str = "") -> bool:
    """Could ``value`` be a ``kind`` at all? Hints collide with ordinary words (a ``.mobile``
    layout block, a ``client: "web"`` field), so a value must also have its kind's shape."""
    text = value.strip()
    digits = sum(c.isdigit() for c in text)
    alnum = sum(c.isalnum() for c in text)
    if not text or len(text) > 200:
        return False
    if kind is Kind.NAME:
        words = text.split()
        shaped = bool(_NAME_SHAPE.match(text)) and len(words) <= 6 and len(text) <= 80
        if normalize_key(key) in _WEAK_NAME_KEYS:
            return shaped and any(c.isupper() for c in text)
        return shaped
    if kind is Kind.EMAIL:
        return "@" in text and " " not in text
    if kind is Kind.PHONE:
        return 6 <= digits <= 16
    if kind is Kind.IBAN:
        return alnum >= 10
    if kind is Kind.CARD:
        return digits >= 12
    if kind is Kind.ROUTING:
        return 5 <= digits <= 12
    if kind in (Kind.ACCOUNT_NUMBER, Kind.NATIONAL_ID, Kind.BIRTH_DATE):
        return digits >= 4
    if kind is Kind.CUSTOMER_ID:
        return alnum >= 4 and digits >= 1
    return alnum >= 1


def person_object(obj: Mapping[str, object]) -> bool:
    """Does this JSON object describe a person (so that its bare ``name`` is theirs)?"""
    kinds = {classify_key(str(k)) for k, v in obj.items() if isinstance(v, str | int)}
    return bool(kinds & {Kind.EMAIL, Kind.PHONE, Kind.BIRTH_DATE, Kind.ADDRESS,
                         Kind.NATIONAL_ID, Kind.CUSTOMER_ID}) or any(
        normalize_key(str(k)) in {"firstname", "givenname", "prenom", "lastname", "surname",
                                  "familyname"} for k in obj)


def profile_path(path: str) -> bool:
    """Is this URL path (``/api/me``) one whose answer describes the customer?"""
    segment = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    return segment in PROFILE_PATHS


__all__ = ["CONTEXT_NAME_KEYS", "NUMBER_KINDS", "PERSONAL_KINDS", "PROFILE_PATHS",
           "SENSITIVE_HEADERS", "Kind", "classify_hint", "classify_hints", "classify_key",
           "normalize_key", "person_object", "plausible", "profile_path"]
