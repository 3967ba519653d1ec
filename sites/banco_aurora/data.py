"""Banco Aurora's data and demo users: the single source of truth of the API and of tests.

Pure Python, no Flask. ``build_bank(seed)`` gives the accounts, balances, holdings, histories
and Pix section of the demo customer, dated from the fixed reference day 2026-11-20; the same
seed always gives identical data. ``Account.expected_transactions()`` and
``PixTransfer.amount_for_customer`` are the values a correct sync must return.

Every demo user (a CPF chosen by scenario) sees the same bank, as on the other demo sites.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sites.banco_aurora.documents import account_number, cpf, isin
from sites.banco_aurora.generators import (
    AURORA,
    AURORA_ISPB,
    CHECKING_START,
    NOW,
    AccountIds,
    Ledger,
    Parties,
    card_history,
    checking_history,
    investment_history,
    savings_history,
)
from sites.banco_aurora.models import (
    Account,
    Bank,
    CardInvoice,
    Customer,
    Holding,
    Movement,
    Party,
    PixTransfer,
)

__all__ = [
    "CUSTOMER",
    "DEFAULT_SEED",
    "DEMO_CPF",
    "DEMO_PASSWORD",
    "NOW",
    "REFERENCE_DATE",
    "SCENARIOS",
    "TERMS_VERSION",
    "User",
    "build_bank",
    "customer_id",
    "user_by_cpf",
    "user_cpf",
]

REFERENCE_DATE = dt.date(2026, 11, 20)
DEFAULT_SEED = 2026
DEMO_PASSWORD = "Aurora@2026"
TERMS_VERSION = "2026.11"
EMAIL_CODE = "482913"
CHECKING_OPENING_CENTS = 1_284_517
SAVINGS_OPENING_CENTS = 800_000

CUSTOMER = Customer(name="Mariana Costa Ribeiro", first_name="Mariana",
                    email="mariana.c.ribeiro@exemplo.com.br", phone_device="Galaxy S23 de Mariana")

SCENARIOS: dict[str, str] = {
    "demo": "Approves the access in the app after ~2 s (a notification on the phone).",
    "recusa": "Refuses the access in the app after ~2 s.",
    "expira": "Never answers the notification: the approval expires after ~8 s.",
    "email": "A 6-digit code by e-mail (six one-character boxes); then the accounts.",
    "termos": "Updated terms to accept (\"Termos atualizados\") before the accounts.",
    "bloqueado": "Correct password, but the access is blocked (403 conta_bloqueada).",
    "manutencao": "Data API answers 503 with Retry-After: 1800 (scheduled maintenance).",
    "limite": "Data API answers 429 with Retry-After: 60.",
    "sessao-expirada": "The bearer token is expired at once: the data API answers 401.",
    "falha-extrato": "The savings account's movements answer 500; the other accounts work.",
}
"""Scenario → behaviour. Chosen by the CPF at login (see ``user_cpf``) or forced at start-up."""

_CPF_BASES = {"demo": "529982247", "recusa": "123456789", "expira": "987654321",
              "email": "246813579", "termos": "135792468", "bloqueado": "111444777",
              "manutencao": "222555888", "limite": "333666999", "sessao-expirada": "444777000",
              "falha-extrato": "555888111"}


@dataclass(frozen=True)
class User:
    cpf: str
    """Formatted, with valid check digits: the login identifier."""
    scenario: str


_USERS = {cpf(base): User(cpf(base), name) for name, base in _CPF_BASES.items()}
DEMO_CPF = cpf(_CPF_BASES["demo"])
_CUSTOMER_NAMESPACE = uuid.UUID("5f0c8a4e-2b1d-4c6e-9a7f-3e2d1c0b9a88")


def user_cpf(scenario: str) -> str:
    """The CPF whose login selects ``scenario`` (``demo`` is the normal customer)."""
    if scenario not in _CPF_BASES:
        raise ValueError(f"unknown scenario {scenario!r}")
    return cpf(_CPF_BASES[scenario])


def user_by_cpf(value: str) -> User | None:
    """The demo user for a CPF typed with or without punctuation."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) != 11:
        return None
    return _USERS.get(f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}")


def customer_id(user_cpf_value: str) -> str:
    """The opaque customer id of a login, stable across restarts."""
    return str(uuid.uuid5(_CUSTOMER_NAMESPACE, user_cpf_value))


def _holdings(ledger: Ledger) -> tuple[Holding, ...]:
    """The investment positions; their valuations sum to the investment account's balance."""
    rows = [
        ("CDB Aurora 110% do CDI", "CDB", isin("BRAURACDB01"), None, "9", 108734, 100000,
         dt.date(2028, 11, 20)),
        ("CDB Aurora Liquidez Diária 100% do CDI", "CDB", isin("BRAURACDB02"), None, "4", 104518,
         100000, dt.date(2027, 7, 1)),
        ("LCI Aurora 94% do CDI", "LCI", isin("BRAURALCI03"), None, "3", 106281, 100000,
         dt.date(2027, 9, 14)),
        ("Tesouro Selic 2029", "TESOURO_DIRETO", "BRSTNCLF1RC4", None, "0.18", 1765312, 1741050,
         dt.date(2029, 3, 1)),
        ("Tesouro IPCA+ 2035", "TESOURO_DIRETO", isin("BRSTNCNTB0A"), None, "1.37", 246893,
         238710, dt.date(2035, 5, 15)),
        ("iShares Ibovespa Fundo de Índice", "ETF", "BRBOVACTF003", "BOVA11", "35", 13245, 12610,
         None),
        ("CSHG Logística FII", "FII", "BRHGLGCTF004", "HGLG11", "18", 15890, 16402, None),
        ("Petrobras PN", "ACAO", "BRPETRACNPR6", "PETR4", "100", 3712, 3388, None),
    ]
    return tuple(Holding(ledger.new_id(), product, kind, code, ticker, Decimal(quantity), price,
                         average, maturity)
                 for product, kind, code, ticker, quantity, price, average, maturity in rows)


def _history(movements: list[Movement], account_id: str, since: dt.date) -> tuple[Movement, ...]:
    mine = [m for m in movements
            if account_id in (m.origin, m.destination) and m.local_date >= since]
    return tuple(sorted(mine, key=lambda m: (m.at, m.id), reverse=True))


def _total(account_id: str, movements: tuple[Movement, ...]) -> int:
    return sum((m.cents if m.destination == account_id else -m.cents) for m in movements)


def _pix_messages(seed: int, movement: Movement) -> str | None:
    """The payer's message (``infoPagador``): a few fixed ones, the rest seed-chosen."""
    if movement.counterparty is None or movement.counterparty.document_kind == "cnpj":
        return None
    name, day = movement.counterparty.name, movement.local_date
    fixed = {("Lucas Martins Ferreira", dt.date(2026, 11, 19)): "racha da pizza 🍕",
             ("Ana Clara Souza", dt.date(2026, 10, 31)): "festa de halloween 🎃"}
    if (name, day) in fixed:
        return fixed[(name, day)]
    if name == "Maria das Graças Lima":
        return "diária"
    choices = (None, "churrasco sábado", "racha do Uber", "presente da Bia 🎁", "ingresso show",
               "vaquinha do café ☕", None, "almoço", "aluguel da quadra ⚽")
    return random.Random(f"{seed}:{movement.id}").choice(choices)


def build_bank(seed: int = DEFAULT_SEED) -> Bank:
    """The whole bank for ``seed``; the same seed always gives identical data."""
    ledger = Ledger(random.Random(seed))
    parties = Parties(ledger)
    ids = AccountIds(*(ledger.new_id() for _ in range(4)))
    card_history(ledger, parties, ids)
    savings_history(ledger, parties, ids, SAVINGS_OPENING_CENTS)
    investment_history(ledger, ids)
    checking_history(ledger, parties, ids)
    holdings = _holdings(ledger)
    moves = ledger.movements

    checking = _history(moves, ids.checking, CHECKING_START)
    savings = _history(moves, ids.savings, dt.date(2025, 1, 1))
    card = _history(moves, ids.card, dt.date(2025, 1, 1))
    investments = _history(moves, ids.investments, CHECKING_START)
    accounts = (
        Account(ids.checking, "checking", "CONTA_CORRENTE", "Conta corrente",
                f"0001 / {account_number('4832157')}",
                CHECKING_OPENING_CENTS + _total(ids.checking, checking), checking),
        Account(ids.savings, "savings", "POUPANCA", "Poupança Aurora",
                f"0001 / {account_number('94832157')}",
                SAVINGS_OPENING_CENTS + _total(ids.savings, savings), savings),
        Account(ids.card, "card", "CARTAO_CREDITO", "Aurora Platinum Mastercard", "•••• 4821",
                _total(ids.card, card), card,
                invoice=CardInvoice(dt.date(2026, 12, 3), dt.date(2026, 12, 10), 1_500_000,
                                    "4821")),
        Account(ids.investments, "brokerage", "INVESTIMENTOS", "Investimentos Aurora",
                f"0001 / {account_number('74832157')}",
                sum(h.valuation_cents for h in holdings), investments, holdings),
    )
    me = Party(CUSTOMER.name, DEMO_CPF, "cpf", AURORA, AURORA_ISPB, is_customer=True)
    pix = []
    for m in checking:
        if m.pix_id is None or m.counterparty is None:
            continue
        outgoing = m.origin == ids.checking
        payer, payee = (me, m.counterparty) if outgoing else (m.counterparty, me)
        pix.append(PixTransfer(m.pix_id, m.at, m.cents, payer, payee, _pix_messages(seed, m),
                               m.id))
    return Bank(CUSTOMER, accounts, tuple(pix),
                {ids.checking: CHECKING_OPENING_CENTS, ids.savings: SAVINGS_OPENING_CENTS})

