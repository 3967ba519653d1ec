"""Brazilian identifiers with real check digits: CPF, CNPJ, ISIN, Pix end-to-end ids, accounts.

An engine (or a recipe test) may validate or mask these, so a fake with wrong check digits
would make correct code look broken against our own demo. Check digits come from
python-stdnum, the well-kept implementation of these standards; only the LGPD-style masking
and the Pix id layout (fixed by the Banco Central's Pix manual) are written here.
"""

from __future__ import annotations

import datetime as dt
import random
import string

from stdnum import isin as _isin
from stdnum.br import cnpj as _cnpj
from stdnum.br import cpf as _cpf


def _complete(base: str, is_valid: object, width: int) -> str:
    """``base`` followed by the only ``width``-digit suffix the validator accepts.

    stdnum exposes validation publicly but not the check-digit computation for CPF/CNPJ;
    the check digits are unique, so trying the 100 suffixes finds them with public API only.
    """
    assert callable(is_valid)
    for suffix in range(10**width):
        candidate = f"{base}{suffix:0{width}d}"
        if is_valid(candidate):
            return candidate
    raise ValueError(f"no check digits make {base!r} valid")


def cpf(base9: str) -> str:
    """A formatted CPF (``529.982.247-25``) from its first nine digits."""
    return str(_cpf.format(_complete(base9, _cpf.is_valid, 2)))


def random_cpf(rng: random.Random) -> str:
    return cpf(f"{rng.randint(100_000_000, 999_999_999)}")


def mask_cpf(formatted: str) -> str:
    """The masked CPF Pix receipts and apps show under the LGPD: ``***.982.247-**``."""
    return f"***{formatted[3:11]}-**"


def cnpj(base12: str) -> str:
    """A formatted CNPJ (``12.345.678/0001-95``) from its first twelve digits."""
    return str(_cnpj.format(_complete(base12, _cnpj.is_valid, 2)))


def random_cnpj(rng: random.Random) -> str:
    return cnpj(f"{rng.randint(10_000_000, 99_999_999)}0001")


def isin(base11: str) -> str:
    """An ISIN from its first eleven characters, with the check digit of ISO 6166."""
    return base11 + str(_isin.calc_check_digit(base11))


def is_valid_isin(code: str) -> bool:
    return bool(_isin.is_valid(code))


_E2E_ALPHABET = string.ascii_letters + string.digits


def pix_end_to_end_id(ispb: str, instant: dt.datetime, rng: random.Random) -> str:
    """A Pix ``endToEndId``: ``E`` + payer's ISPB + UTC ``yyyyMMddHHmm`` + 11 characters.

    The Banco Central's layout is 32 characters, the time being the payment's in UTC, so a
    Pix sent at 23:30 in Brasília on the 19th carries ``…20261120 0230…`` in its id.
    """
    utc = instant.astimezone(dt.UTC)
    tail = "".join(rng.choice(_E2E_ALPHABET) for _ in range(11))
    return f"E{ispb}{utc:%Y%m%d%H%M}{tail}"


def account_number(base: str) -> str:
    """``4832157-3``: a Brazilian account number with its modulo-11 verification digit."""
    total = sum(int(d) * w for d, w in zip(reversed(base), range(2, 2 + len(base)), strict=True))
    digit = 11 - total % 11
    return f"{base}-{0 if digit >= 10 else digit}"
