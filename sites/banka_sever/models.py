"""The shape of Banka Sever's data, as frozen dataclasses (no Flask, no formatting).

Texts are stored once, in Serbian Latin; the Cyrillic interface derives its texts with
:func:`sites.banka_sever.script.to_cyrillic`, which is how Serbian banks drive both scripts from
one database. Amounts are signed ``Decimal`` (money leaving the account is negative) so the
expected results tests compute from these objects are exact to the para.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Operation:
    """One booked line of an account's history (newest first in :attr:`Account.operations`).

    ``kind`` is what the statement's first row shows under "Opis" (the booking type); ``label``
    is the second row's text (merchant, payer or purpose), the value a sync calls the label.
    ``balance`` is the "Stanje" after this line (``None`` on the card, whose grid has no such
    column); ``reference`` is the core-banking reference ("Referenca" on the EUR statement).
    """

    date: date
    kind: str
    label: str
    amount: Decimal
    balance: Decimal | None
    reference: str


@dataclass(frozen=True)
class Account:
    """An account as the accounts page lists it, with its whole statement history.

    ``id`` is the account number in its canonical dashed form (``265-0000001234567-89``);
    ``engine_type`` is the type a sync should report. ``limit`` is the authorised overdraft
    (current account) or the credit limit (card); ``available`` is balance plus limit, the
    "Raspoloživo" column and the overview widget's figure (rounded there to whole units).
    """

    id: str
    type_label: str
    engine_type: str
    currency: str
    balance: Decimal
    opening_balance: Decimal
    limit: Decimal
    operations: list[Operation] = field(default_factory=list)
    card_number: str | None = None
    """The masked card number ("4058 •••• •••• 4321") for the card, else ``None``."""

    @property
    def available(self) -> Decimal:
        return self.balance + self.limit

    @property
    def label(self) -> str:
        """What the accounts page shows as the account's name (the card adds its number)."""
        return f"{self.type_label} {self.card_number}" if self.card_number else self.type_label


@dataclass(frozen=True)
class Customer:
    """One e-banking user: credentials, preferred script and accounts."""

    username: str
    name: str
    script: str
    """``"sr-Latn"`` or ``"sr-Cyrl"``: the interface shown after login unless switched."""
    phone_hint: str
    accounts: list[Account]

    def account(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)
