"""The interface's texts, written once in Serbian Latin; Cyrillic is derived from them.

Serbian banks offer both scripts (latinica / ћирилица) from one set of texts, which is why
:func:`text` transliterates rather than keeping a second catalogue: the two interfaces then
cannot drift apart, and a recipe written for one reads the other after ``transliterate``.
"""

from __future__ import annotations

from .formats import CYRILLIC, LATIN
from .script import to_cyrillic

SCRIPTS = (LATIN, CYRILLIC)
COOKIE_NAME = "sever_pismo"

TEXTS: dict[str, str] = {
    "bank": "Banka Sever",
    "ebanking": "Elektronsko bankarstvo",
    "login_title": "Prijava na elektronsko bankarstvo",
    "username": "Korisničko ime",
    "password": "Lozinka",
    "login": "Prijavi se",
    "forgot": "Zaboravili ste lozinku?",
    "wrong_credentials": "Pogrešno korisničko ime ili lozinka.",
    "locked": ("Vaš korisnički nalog je blokiran. Za deblokadu se obratite Kontakt centru "
               "na 0800 100 200."),
    "expired_session": "Vaša sesija je istekla. Prijavite se ponovo.",
    "otp_too_many": "Kod je tri puta pogrešno unet. Prijavite se ponovo.",
    "otp_expired": "Jednokratni kod je istekao. Prijavite se ponovo.",
    "security": ("Banka Sever Vas nikada neće tražiti lozinku ili jednokratni kod putem "
                 "elektronske pošte ili telefona."),
    "cookies": ("Koristimo kolačiće kako bismo Vam omogućili bezbedno korišćenje "
                "elektronskog bankarstva i pratili posećenost sajta. Klikom na „Prihvatam“ "
                "pristajete na korišćenje kolačića."),
    "cookies_title": "Kolačići",
    "cookies_accept": "Prihvatam",
    "cookies_settings": "Podešavanja kolačića",
    "otp_title": "Potvrda identiteta",
    "otp_hint": "Unesite jednokratni kod koji smo Vam poslali SMS porukom na broj {phone}.",
    "otp_validity": "Kod važi 5 minuta.",
    "otp_label": "Jednokratni kod",
    "otp_submit": "Potvrdi",
    "otp_wrong": "Uneti kod nije ispravan. Preostalo pokušaja: {remaining}.",
    "terms_title": "Novi uslovi korišćenja",
    "terms_intro": ("Od 01.12.2026. primenjuju se izmenjeni Opšti uslovi poslovanja za "
                    "fizička lica i Uslovi korišćenja elektronskog bankarstva."),
    "terms_body": ("Izmene se odnose na instant plaćanja (IPS), naknade za devizne prilive i "
                   "rokove za prigovore. Klikom na „Prihvatam nove uslove“ potvrđujete da "
                   "ste se upoznali sa izmenama i da ih prihvatate."),
    "terms_accept": "Prihvatam nove uslove",
    "terms_later": "Odustani i odjavi se",
    "home": "Početna",
    "accounts": "Računi",
    "statement": "Promet i izvodi",
    "payments": "Plaćanja",
    "exchange": "Menjačnica",
    "logout": "Odjava",
    "welcome": "Dobro došli",
    "last_login": "Poslednja prijava: 19.11.2026. u 18:42",
    "overview": "Brzi pregled",
    "available": "raspoloživo",
    "limit": "limit",
    "accounts_title": "Pregled računa",
    "balance_on": "Stanje na dan {day}",
    "number": "Broj računa",
    "type": "Vrsta računa",
    "currency": "Valuta",
    "balance": "Stanje",
    "available_col": "Raspoloživo",
    "details": "Promet",
    "statement_title": "Promet po računu",
    "account": "Račun",
    "period": "Period",
    "opening": "Početno stanje",
    "closing": "Stanje na dan {day}",
    "show": "Prikaži",
    "date": "Datum",
    "description": "Opis",
    "debit": "Isplata",
    "credit": "Uplata",
    "running": "Stanje",
    "reference": "Referenca",
    "previous": "Prethodna",
    "next": "Sledeća",
    "page_of": "Strana {page} od {pages}",
    "no_rows": "Nema prometa za izabrani period.",
    "maintenance_title": "Održavanje sistema",
    "maintenance": ("Poštovani klijenti, elektronsko bankarstvo trenutno nije dostupno zbog "
                    "redovnog održavanja sistema. Usluga će ponovo biti dostupna od 06:00. "
                    "Hvala na razumevanju."),
    "error_title": "Došlo je do greške",
    "error": "Vaš zahtev nije moguće obraditi. Vratite se na početnu stranu i pokušajte ponovo.",
    "not_found": "Tražena stranica ne postoji.",
    "footer": ("Banka Sever a.d. Beograd · Kontakt centar 0800 100 200 · Izmišljena banka "
               "za demonstraciju."),
}

SCRIPT_LINKS = {LATIN: "Latinica", CYRILLIC: "Ћирилица"}
"""Each script's switch link is written in its own script, whatever the interface shows."""


def text(key: str, script: str, **values: str) -> str:
    """The interface text ``key`` in ``script``, with ``{placeholders}`` filled in.

    Values are filled in before transliteration so that, like the rest of the page, they
    appear in the interface's script (phone numbers and amounts are unaffected).
    """
    latin = TEXTS[key].format(**values)
    return to_cyrillic(latin) if script == CYRILLIC else latin


def label(value: str, script: str) -> str:
    """A data text (account type, booking kind, description) in the interface's script."""
    return to_cyrillic(value) if script == CYRILLIC else value


def normalize_script(value: str | None) -> str | None:
    """``sr-Cyrl``/``cyrl``/``cirilica`` → ``sr-Cyrl``; Latin likewise; else ``None``."""
    if not value:
        return None
    short = value.lower().removeprefix("sr-")
    if short in ("cyrl", "cirilica", "ћирилица"):
        return CYRILLIC
    if short in ("latn", "latinica"):
        return LATIN
    return None
