"""Seeded histories of a São Paulo customer of a Brazilian digital bank.

One ledger of movements between parties (each with an origin and a destination, as the API
serves them), from which every account's history is cut: a transfer from the checking account
to the savings account is *one* movement that appears in both, negative in one and positive in
the other. What a Paulistana's statement really holds: salary by TED on the 5th business day,
rent and condominium by boleto, utilities by débito automático, the weekly Pix to the
cleaning lady, Pix among friends (with emoji messages), metro fares, iFood late at night, a
credit card with installments (``PARC 04/10``), an international purchase with its IOF line, a
refund, and the card invoice paid on its due day. Boletos and débitos move on business days
(national holidays included, 20/11 being one); Pix and card purchases any day at any hour.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sites.banco_aurora.documents import pix_end_to_end_id, random_cnpj, random_cpf
from sites.banco_aurora.models import BRASILIA, Movement, Party

AURORA = "Banco Aurora S.A."
AURORA_ISPB = "31415926"
NOW = dt.datetime(2026, 11, 20, 18, 0, tzinfo=BRASILIA)
"""The demo's "now": the reference day 2026-11-20 at 18:00 in Brasília; nothing is later."""
CHECKING_START = dt.date(2026, 7, 21)
"""The app shows 120 days of checking/investment history ..."""
CARD_START = dt.date(2026, 8, 4)
"""... the card from the opening of the oldest invoice it still shows ..."""
SAVINGS_START = dt.date(2025, 11, 5)
"""... and the savings account a full year (its opening balance is on this day)."""

HOLIDAYS = frozenset({
    dt.date(2025, 11, 20), dt.date(2025, 12, 25), dt.date(2026, 1, 1), dt.date(2026, 2, 16),
    dt.date(2026, 2, 17), dt.date(2026, 4, 3), dt.date(2026, 4, 21), dt.date(2026, 5, 1),
    dt.date(2026, 6, 4), dt.date(2026, 9, 7), dt.date(2026, 10, 12), dt.date(2026, 11, 2),
    dt.date(2026, 11, 15), dt.date(2026, 11, 20),
})
"""Brazilian national bank holidays in the period (Consciência Negra, 20/11, is one)."""

_BANKS = (("Nu Pagamentos S.A.", "18236120"), ("Itaú Unibanco S.A.", "60701190"),
          ("Banco Bradesco S.A.", "60746948"), ("Caixa Econômica Federal", "00360305"),
          ("Banco Inter S.A.", "00416968"), ("PicPay Serviços S.A.", "22896431"),
          (AURORA, AURORA_ISPB))

_FRIENDS = ("João Pedro Almeida", "Ana Clara Souza", "Lucas Martins Ferreira",
            "Beatriz Nogueira Lopes", "Rafael Oliveira Santos", "Camila Duarte Rocha",
            "Thiago Barbosa Lima", "Fernanda Araújo Castro")
_PIX_SHOPS = (
    ("PADARIA BELLA PAULISTA LTDA", 1200, 6800),
    ("FEIRA LIVRE SOUZA HORTIFRUTI", 2500, 9000),
    ("AUTO POSTO PAULISTÃO LTDA", 9000, 26000),
    ("BARBEARIA DO ZÉ ME", 4500, 7000),
    ("AÇAÍ DA VILA LTDA", 1800, 4200),
)
_DEBIT_SHOPS = (
    ("PAG*PADARIABELLAPAULISTA", 650, 4800),
    ("DROGASIL 1432", 1290, 9800),
    ("OXXO VILA MADALENA", 890, 4600),
    ("MINUTO PÃO DE AÇÚCAR", 1500, 12000),
    ("ST MARCHE", 3500, 21000),
    ("CACAU SHOW", 2990, 8990),
    ("BANCA DO JORNAL M&M", 700, 2500),
)
# (merchant as the card network prints it, min cents, max cents, (first hour, last hour))
_CARD_SHOPS = (
    ("IFOOD *IFOOD", 3200, 11900, (19, 23)),
    ("UBER *TRIP HELP.UBER.COM", 1400, 5800, (7, 23)),
    ("99APP *99POP", 1100, 4700, (7, 22)),
    ("PAO DE ACUCAR-1523", 4500, 38000, (9, 21)),
    ("CARREFOUR HIPER SP", 8000, 52000, (10, 21)),
    ("RAIA DROGASIL", 1900, 14500, (9, 22)),
    ("POSTO SHELL SELECT", 12000, 28000, (7, 22)),
    ("MERCADOLIVRE*3PRODUTOS", 3900, 32000, (9, 23)),
    ("CINEMARK JK IGUATEMI", 3800, 11200, (14, 22)),
    ("LIVRARIA DA VILA", 4900, 18900, (10, 20)),
    ("OUTBACK STEAKHOUSE", 14000, 32000, (12, 22)),
    ("STARBUCKS VILA OLIMPIA", 1500, 4800, (8, 19)),
    ("SHOPEE *SHOPEE", 2300, 15800, (8, 23)),
    ("RENNER 0187", 7900, 29900, (11, 21)),
)
# (label, cents, day of month): monthly card subscriptions
_SUBSCRIPTIONS = (
    ("NETFLIX.COM", 4490, 12),
    ("SPOTIFY", 2190, 18),
    ("AMAZON PRIME CANAIS", 1990, 25),
    ("SMARTFIT", 11990, 1),
    ("APPLE.COM/BILL", 990, 9),
)
# (label, min cents, max cents, day of month): débitos automáticos on the checking account
_DIRECT_DEBITS = (
    ("VIVO FIBRA", 12999, 12999, 8),
    ("ENEL SP", 16000, 29000, 12),
    ("SABESP", 7000, 12500, 16),
    ("CLARO", 6490, 6490, 22),
)
CHECKING_TARGET = 162
CARD_TARGET = 92


def at(day: dt.date, hour: int, minute: int, second: int = 0, ms: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, ms * 1000,
                       tzinfo=BRASILIA)


def business_day(day: dt.date) -> dt.date:
    """``day`` or the next business day (boletos and débitos fall due that way)."""
    while day.weekday() >= 5 or day in HOLIDAYS:
        day += dt.timedelta(days=1)
    return day


def nth_business_day(year: int, month: int, n: int) -> dt.date:
    day, count = dt.date(year, month, 1), 0
    while True:
        if day.weekday() < 5 and day not in HOLIDAYS:
            count += 1
            if count == n:
                return day
        day += dt.timedelta(days=1)


def months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out, (y, m) = [], (first.year, first.month)
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Ledger:
    """Every movement of the customer, in creation order, with seed-determined opaque ids."""

    rng: random.Random
    movements: list[Movement] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def new_id(self) -> str:
        while True:
            value = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            if value not in self._seen:
                self._seen.add(value)
                return value

    def add(self, when: dt.datetime, description: str, kind: str, cents: int, origin: str,
            destination: str, counterparty: Party | None = None,
            pix_payer_ispb: str | None = None) -> Movement:
        """Book one movement; a Pix gets its end-to-end id from the payer's ISPB."""
        assert cents > 0, description
        assert when <= NOW, (when, description)
        pix_id = None if pix_payer_ispb is None else pix_end_to_end_id(pix_payer_ispb, when,
                                                                      self.rng)
        movement = Movement(self.new_id(), when, description, kind, cents, origin, destination,
                            counterparty, pix_id)
        self.movements.append(movement)
        return movement


@dataclass
class Parties:
    """Counterparties with stable ids (used as origin/destination) and valid documents."""

    ledger: Ledger
    ids: dict[str, str] = field(default_factory=dict)
    people: dict[str, Party] = field(default_factory=dict)

    def id_of(self, name: str) -> str:
        if name not in self.ids:
            self.ids[name] = self.ledger.new_id()
        return self.ids[name]

    def person(self, name: str, bank: tuple[str, str] | None = None) -> Party:
        if name not in self.people:
            rng = self.ledger.rng
            institution, ispb = bank or rng.choice(_BANKS)
            self.people[name] = Party(name, random_cpf(rng), "cpf", institution, ispb)
        return self.people[name]

    def company(self, name: str) -> Party:
        if name not in self.people:
            institution, ispb = self.ledger.rng.choice(_BANKS[:5])
            self.people[name] = Party(name, random_cnpj(self.ledger.rng), "cnpj", institution, ispb)
        return self.people[name]


@dataclass(frozen=True)
class AccountIds:
    checking: str
    savings: str
    card: str
    investments: str


def _money(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


def _random_moment(rng: random.Random, start: dt.date, hours: tuple[int, int]) -> dt.datetime:
    span = (NOW.date() - start).days
    while True:
        day = start + dt.timedelta(days=rng.randint(0, span))
        when = at(day, rng.randint(*hours), rng.randint(0, 59), rng.randint(0, 59),
                  rng.randint(0, 999))
        if when <= NOW:
            return when


def card_history(ledger: Ledger, parties: Parties, ids: AccountIds) -> None:
    """Card purchases since the oldest shown invoice opened, and each closed invoice paid."""
    rng, card = ledger.rng, ids.card
    first = len(ledger.movements)

    def buy(when: dt.datetime, label: str, cents: int, kind: str = "COMPRA_CREDITO") -> None:
        ledger.add(when, label, kind, cents, card, parties.id_of(label.split(" PARC ")[0]))

    for year, month in months(CARD_START, NOW.date()):
        for label, cents, day in _SUBSCRIPTIONS:
            when = at(dt.date(year, month, day), 3, 12 + day, 5)
            if when.date() >= CARD_START and when <= NOW:
                buy(when, label, cents)
        parcel = month - 5 + 12 * (year - 2026)  # bought on 15/06/2026 in ten installments
        when = at(dt.date(year, month, 15), 2, 40)
        if when.date() >= CARD_START and when <= NOW and 1 <= parcel <= 10:
            buy(when, f"MAGALU*MAGAZINELUIZA PARC {parcel:02d}/10", 29999)
    steam = at(dt.date(2026, 9, 21), 20, 14, 33)
    buy(steam, "STEAMGAMES.COM 4259522985", 10835)
    buy(steam + dt.timedelta(seconds=1), "IOF de transação internacional", 379, "IOF")
    airbnb = at(dt.date(2026, 10, 14), 9, 51, 2)
    buy(airbnb, "AIRBNB * HM2QZX9KTR", 114271)
    buy(airbnb + dt.timedelta(seconds=1), "IOF de transação internacional", 3999, "IOF")
    buy(at(dt.date(2026, 11, 6), 15, 22, 8), "ZARA BRASIL LTDA", 38970)
    ledger.add(at(dt.date(2026, 11, 12), 11, 3, 40), "Estorno · ZARA BRASIL LTDA", "ESTORNO",
               38970, parties.id_of("ZARA BRASIL LTDA"), card)
    buy(at(dt.date(2026, 11, 19), 23, 41, 17), "IFOOD *IFOOD", 6890)  # UTC: the 20th
    while len(ledger.movements) - first < CARD_TARGET - 3:  # three invoice payments follow
        label, low, high, hours = rng.choice(_CARD_SHOPS)
        buy(_random_moment(rng, CARD_START, hours), label, _money(rng, low, high))

    purchases = ledger.movements[first:]
    for close in (dt.date(2026, 9, 3), dt.date(2026, 10, 3), dt.date(2026, 11, 3)):
        opened = dt.date(close.year, close.month - 1, 4)
        owed = sum((m.cents if m.origin == card else -m.cents) for m in purchases
                   if opened <= m.local_date <= close)
        due = business_day(dt.date(close.year, close.month, 10))
        ledger.add(at(due, 9, 0, 12), "Pagamento de fatura · Aurora Platinum Mastercard",
                   "PAGAMENTO_FATURA", owed, ids.checking, card)


def savings_history(ledger: Ledger, parties: Parties, ids: AccountIds, opening: int) -> None:
    """A year of monthly deposits and anniversary-day yields (about 0.6 % a month)."""
    balance, bank = opening, parties.id_of(AURORA)
    events: list[tuple[dt.datetime, Callable[[], None]]] = []

    def deposit(when: dt.datetime, cents: int) -> Callable[[], None]:
        def run() -> None:
            nonlocal balance
            ledger.add(when, "Transferência · Conta corrente → Poupança", "TRANSFERENCIA", cents,
                       ids.checking, ids.savings)
            balance += cents
        return run

    def yield_(when: dt.datetime) -> Callable[[], None]:
        def run() -> None:
            nonlocal balance
            cents = (balance * 61 + 5000) // 10000  # 0.61 %, rounded to the cent
            ledger.add(when, "Rendimento da poupança", "RENDIMENTO", cents, bank, ids.savings)
            balance += cents
        return run

    def withdraw(when: dt.datetime, cents: int) -> Callable[[], None]:
        def run() -> None:
            nonlocal balance
            ledger.add(when, "Transferência · Poupança → Conta corrente", "TRANSFERENCIA", cents,
                       ids.savings, ids.checking)
            balance -= cents
        return run

    for year, month in months(SAVINGS_START, NOW.date())[1:]:
        day = dt.date(year, month, 6)
        events.append((at(day, 3, 0, 0), yield_(at(day, 3, 0, 0))))
        when = at(day, 9, 10 + month, 44, 120)
        events.append((when, deposit(when, 50000)))
    new_year = at(dt.date(2025, 12, 31), 23, 47, 5)  # UTC: already 2026-01-01
    events.append((new_year, deposit(new_year, 100000)))
    rescue = at(dt.date(2026, 9, 15), 10, 30, 19)
    events.append((rescue, withdraw(rescue, 200000)))
    for _, run in sorted(events, key=lambda e: e[0]):
        run()


def checking_history(ledger: Ledger, parties: Parties, ids: AccountIds) -> None:
    """Salary, bills, Pix and debit purchases; card, savings and investment moves come first."""
    rng, cc = ledger.rng, ids.checking
    customer_count = sum(1 for m in ledger.movements
                         if cc in (m.origin, m.destination) and m.local_date >= CHECKING_START)

    seen: set[tuple[dt.date, str, int]] = set()

    def add(when: dt.datetime, label: str, kind: str, cents: int, incoming: bool,
            party: Party | None = None, other: str | None = None, twin: bool = False) -> None:
        """Book a checking movement; a random draw repeating a (day, label, amount) is dropped,
        so the one pair of identical rows is the deliberate one."""
        nonlocal customer_count
        key = (when.date(), label, cents)
        if when.date() < CHECKING_START or when > NOW or (key in seen and not twin):
            return
        seen.add(key)
        other = other or parties.id_of(party.name if party else label)
        origin, destination = (other, cc) if incoming else (cc, other)
        payer_ispb = None
        if kind == "PIX":
            assert party is not None
            payer_ispb = party.ispb if incoming else AURORA_ISPB
        ledger.add(when, label, kind, cents, origin, destination, party, payer_ispb)
        customer_count += 1

    employer = parties.company("TECNOVA SOLUÇÕES EM SOFTWARE LTDA")
    landlord = parties.company("LELLO ADMINISTRADORA DE IMÓVEIS LTDA")
    cleaner = parties.person("Maria das Graças Lima", ("Caixa Econômica Federal", "00360305"))
    for year, month in months(CHECKING_START, NOW.date()):
        salary_day = nth_business_day(year, month, 5)
        add(at(salary_day, 4, 31, 9), f"Crédito de salário · {employer.name}", "TED", 791236,
            True, employer)
        add(at(business_day(dt.date(year, month, 5)), 8, 2, 51),
            f"Pagamento de boleto · {landlord.name}", "BOLETO",
            285000 + _money(rng, 64000, 72000), False, other=parties.id_of(landlord.name))
        for label, low, high, day in _DIRECT_DEBITS:
            add(at(business_day(dt.date(year, month, day)), 6, 15, 0),
                f"Débito automático · {label}", "DEBITO_AUTOMATICO", _money(rng, low, high), False)
        add(at(dt.date(year, month, 7), 10, 2, 37), "Aplicação · CDB Aurora 110% do CDI",
            "APLICACAO", 100000, False, other=ids.investments)
    friday = CHECKING_START
    while friday <= NOW.date():
        if friday.weekday() == 4 and friday not in HOLIDAYS:  # the weekly cleaning, by Pix
            add(at(friday, 17, rng.randint(5, 40), rng.randint(0, 59)),
                f"Pix enviado · {cleaner.name}", "PIX", 18000, False, cleaner)
        friday += dt.timedelta(days=1)
    # Edge cases on purpose: late evenings whose UTC date is the next day (and next month).
    lucas, ana = parties.person("Lucas Martins Ferreira"), parties.person("Ana Clara Souza")
    add(at(dt.date(2026, 11, 19), 23, 30, 0), f"Pix enviado · {lucas.name}", "PIX", 6250, False,
        lucas)
    add(at(dt.date(2026, 10, 31), 23, 58, 12), f"Pix recebido · {ana.name}", "PIX", 15000, True,
        ana)
    add(at(dt.date(2026, 8, 31), 22, 15, 3), "Compra no débito · OXXO VILA MADALENA",
        "COMPRA_DEBITO", 2370, False)
    for hour, minute in ((8, 12), (18, 47)):  # two identical fares on one day: both are real
        add(at(dt.date(2026, 10, 27), hour, minute, 30), "Compra no débito · METRÔ SÃO PAULO",
            "COMPRA_DEBITO", 540, False, twin=True)
    for when, cents in ((at(dt.date(2026, 8, 14), 12, 5, 0), 20000),
                        (at(dt.date(2026, 10, 2), 19, 44, 0), 10000)):
        add(when, "Saque · Banco24Horas", "SAQUE", cents, False)
    add(at(dt.date(2026, 8, 18), 11, 20, 4), "Aplicação · Tesouro Selic 2029", "APLICACAO",
        300000, False, other=ids.investments)
    while customer_count < CHECKING_TARGET:
        roll = rng.random()
        if roll < 0.22:
            friend = parties.person(rng.choice(_FRIENDS))
            when = _random_moment(rng, CHECKING_START, (8, 23))
            add(when, f"Pix enviado · {friend.name}", "PIX", _money(rng, 1500, 40000), False,
                friend)
        elif roll < 0.34:
            friend = parties.person(rng.choice(_FRIENDS))
            when = _random_moment(rng, CHECKING_START, (8, 23))
            add(when, f"Pix recebido · {friend.name}", "PIX", _money(rng, 1500, 25000), True,
                friend)
        elif roll < 0.46:
            name, low, high = rng.choice(_PIX_SHOPS)
            shop = parties.company(name)
            add(_random_moment(rng, CHECKING_START, (7, 21)), f"Pix enviado · {name}", "PIX",
                _money(rng, low, high), False, shop)
        elif roll < 0.62:
            add(_random_moment(rng, CHECKING_START, (6, 21)), "Compra no débito · METRÔ SÃO PAULO",
                "COMPRA_DEBITO", 540, False)
        else:
            name, low, high = rng.choice(_DEBIT_SHOPS)
            add(_random_moment(rng, CHECKING_START, (7, 22)), f"Compra no débito · {name}",
                "COMPRA_DEBITO", _money(rng, low, high), False)


def investment_history(ledger: Ledger, ids: AccountIds) -> None:
    """Moves between checking and investments not made by ``checking_history`` (a rescue)."""
    ledger.add(at(dt.date(2026, 10, 20), 11, 2, 45), "Resgate · CDB Aurora Liquidez Diária",
               "RESGATE", 150000, ids.investments, ids.checking)

