"""National account-number check digits, so every number on the pages passes real checks.

IBANs use ISO 13616 (MOD 97-10); inside them, Portugal's NIB, Spain's CCC and Italy's CIN
have their own control characters, and Serbian account numbers end in MOD 97-10 digits.
Small, exact and documented algorithms; no library covers the national ones.
"""

from __future__ import annotations

_CIN_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22,
            25, 24, 23)


def iban(country: str, bban: str) -> str:
    """A valid IBAN grouped by four for display."""
    digits = "".join(str(int(c, 36)) for c in f"{bban}{country}00")
    raw = f"{country}{98 - int(digits) % 97:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def iban_is_valid(value: str) -> bool:
    raw = value.replace(" ", "")
    return int("".join(str(int(c, 36)) for c in raw[4:] + raw[:4])) % 97 == 1


def mod97_pair(digits: str) -> str:
    """Two control digits ``98 - (n × 100 mod 97)`` (Portuguese NIB, Serbian accounts)."""
    return f"{98 - int(digits) * 100 % 97:02d}"


def portuguese_bban(bank: str, branch: str, account: str) -> str:
    """Bank (4) + branch (4) + account (11) + NIB check (2): its IBAN is always PT50."""
    body = f"{bank}{branch}{account}"
    return body + mod97_pair(body)


def spanish_bban(bank: str, branch: str, account: str) -> str:
    """Bank (4) + branch (4) + CCC control digits (2) + account (10)."""

    def digit(ten: str) -> str:
        weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
        d = 11 - sum(int(c) * w for c, w in zip(ten, weights, strict=True)) % 11
        return {10: "1", 11: "0"}.get(d, str(d))

    return f"{bank}{branch}{digit('00' + bank + branch)}{digit(account)}{account}"


def italian_bban(abi: str, cab: str, account: str) -> str:
    """CIN letter + ABI (5) + CAB (5) + account (12)."""
    body = f"{abi}{cab}{account}"
    total = 0
    for i, char in enumerate(body):
        value = int(char, 36) % 26 if char.isalpha() else int(char)
        index = int(char, 36) - 10 if char.isalpha() else int(char)
        total += _CIN_ODD[index] if i % 2 == 0 else value
    return chr(ord("A") + total % 26) + body


def serbian_account(bank: str, account: str) -> str:
    """``160-0000000412377-NN`` with valid control digits."""
    return f"{bank}-{account}-{mod97_pair(bank + account)}"
