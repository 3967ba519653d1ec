"""Well-formed French RIB keys and IBANs, so the demo numbers pass a real checksum.

An engine or a test may validate IBANs; numbers that merely *look* right would make such a
check fail on demo data and hide real bugs, so the check digits are computed, not typed.
"""

from __future__ import annotations


def rib_key(bank: str, branch: str, account: str) -> str:
    """The two-digit French RIB key of numeric bank/branch/account codes."""
    total = 89 * int(bank) + 15 * int(branch) + 3 * int(account)
    return f"{97 - total % 97:02d}"


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 check digits: move country + "00" to the end, letters to numbers, mod 97."""
    rearranged = bban + country + "00"
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(digits) % 97:02d}"


def french_iban(bank: str, branch: str, account: str) -> str:
    """A valid French IBAN, printed in groups of four as bank statements do."""
    bban = f"{bank}{branch}{account}{rib_key(bank, branch, account)}"
    compact = f"FR{iban_check_digits('FR', bban)}{bban}"
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def is_valid_iban(iban: str) -> bool:
    """True when the IBAN's mod-97 checksum holds (spaces ignored)."""
    compact = iban.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
