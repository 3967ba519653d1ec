"""Seeded histories of a Serbian retail customer's four accounts.

The labels and amounts imitate a Belgrade employee's year: the salary in two parts (an
advance on the 25th, the balance on the 10th), Infostan, EPS, mts and SBB bills, rent, a
monthly transfer to savings, repayments of the Visa Classic credit card, card payments at
MAXI, IDEA, Lidl, DIS..., cash from ATMs, remittances from a relative in Vienna on the EUR
account, euros bought and sold, and the savings account's yearly interest with its 15 % tax.
Transfers between the customer's own accounts appear on both sides, same day, same amount.

Everything derives from one ``random.Random``; the window is fixed (1 December 2025 to the
reference day 20 November 2026), so it crosses a year boundary on purpose.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .formats import MONTHS, amount

CENT = Decimal("0.01")
PERIOD_START = date(2025, 12, 1)
REFERENCE_DATE = date(2026, 11, 20)

CHECKING, SAVINGS, FX, CARD = "tekuci", "stedni", "devizni", "kartica"

Entry = tuple[date, str, str, Decimal]
"""(date, kind, label, signed amount) before references and balances are assigned."""

# (terminal text, min RSD, max RSD): what a POS terminal prints, upper case as received.
_SHOPS: tuple[tuple[str, int, int], ...] = (
    ("MAXI 0147 BEOGRAD", 900, 7800),
    ("IDEA 0312 NOVI BEOGRAD", 600, 5400),
    ("LIDL SRBIJA KD 1008 BEOGRAD", 1200, 8900),
    ("UNIVEREXPORT 45 BEOGRAD", 500, 4200),
    ("DIS MARKET ZEMUN", 800, 6200),
    ("NIS PETROL BS 112 BEOGRAD", 3000, 7500),
    ("GOMEX 211 BEOGRAD", 400, 3600),
    ("LILLY DROGERIE 88 BEOGRAD", 350, 2900),
    ("DM DROGERIE MARKT 0215 BEOGRAD", 450, 3800),
    ("APOTEKA BENU 37 BEOGRAD", 300, 4100),
    ("KAFE BEOGRAD", 280, 1900),
    ("RESTORAN TRI ŠEŠIRA BEOGRAD", 2400, 7800),
    ("PEKARA TOMA BEOGRAD", 120, 890),
    ("VULKAN 12 BEOGRAD", 990, 4500),
)
_ONLINE: tuple[tuple[str, int, int], ...] = (
    ("GLOVO BEOGRAD", 890, 3200),
    ("WOLT SRBIJA BEOGRAD", 750, 2900),
)
_CARD_SHOPS: tuple[tuple[str, str, int, int], ...] = (
    ("Internet kupovina", "BOOKING.COM AMSTERDAM", 6000, 22000),
    ("Internet kupovina", "WIZZ AIR BUDAPEST", 3500, 12000),
    ("Kupovina karticom", "GIGATRON 17 BEOGRAD", 2500, 18000),
    ("Kupovina karticom", "TEHNOMANIJA UŠĆE BEOGRAD", 3000, 15000),
    ("Kupovina karticom", "ZARA SRBIJA UŠĆE BEOGRAD", 2990, 9990),
    ("Kupovina karticom", "IKEA BEOGRAD", 1500, 12000),
    ("Kupovina karticom", "CINEPLEXX UŠĆE BEOGRAD", 450, 1600),
    ("Internet kupovina", "ALIEXPRESS LUXEMBOURG", 700, 4500),
)
_ATM = "BANKOMAT SEVER, KNEZ MIHAILOVA 30, BEOGRAD"
_CASH = (Decimal(2000), Decimal(3000), Decimal(5000), Decimal(10000))


@dataclass(frozen=True)
class Profile:
    """What differs between two customers: employer, pay, rent, relative abroad, volumes."""

    employer: str
    advance: tuple[int, int]
    salary: tuple[int, int]
    landlord: str
    rent: Decimal
    relative: str
    numbers: dict[str, str]
    shop_count: int
    card_count: int


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def _business_day(day: date) -> date:
    """The next Monday when ``day`` falls on a weekend (bills and salaries book on weekdays)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _months() -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    y, m = PERIOD_START.year, PERIOD_START.month
    while (y, m) <= (REFERENCE_DATE.year, REFERENCE_DATE.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _rate(rate: Decimal) -> str:
    """An exchange rate as the bank prints it, four decimals: ``117,9200``."""
    return f"{rate:.4f}".replace(".", ",")


def _previous(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


class Plan:
    """Entries per account; refuses accidental duplicates and days outside the window."""

    def __init__(self) -> None:
        self.entries: dict[str, list[Entry]] = {CHECKING: [], SAVINGS: [], FX: [], CARD: []}
        self._seen: set[tuple[str, date, str, Decimal]] = set()

    def add(self, account: str, day: date, kind: str, label: str, value: Decimal) -> bool:
        value = value.quantize(CENT)
        key = (account, day, label, value)
        if not PERIOD_START <= day <= REFERENCE_DATE or key in self._seen:
            return False
        self._seen.add(key)
        self.entries[account].append((day, kind, label, value))
        return True

    def transfer(self, day: date, source: str, target: str, value: Decimal,
                 kinds: tuple[str, str], labels: tuple[str, str]) -> None:
        """Money moving between two of the customer's accounts shows on both, same day."""
        if self.add(source, day, kinds[0], labels[0], -value):
            self.add(target, day, kinds[1], labels[1], value)


def _monthly(plan: Plan, rng: random.Random, p: Profile) -> None:
    n = p.numbers
    for year, month in _months():
        py, pm = _previous(year, month)
        this, last = f"{MONTHS[month - 1]} {year}", f"{MONTHS[pm - 1]} {py}"
        winter = month in (11, 12, 1, 2, 3)
        plan.add(CHECKING, _business_day(date(year, month, 1)), "Naknada banke",
                 "Mesečna naknada za paket računa Sever Plus", Decimal("-290.00"))
        plan.add(CHECKING, _business_day(date(year, month, 3)), "Nalog za prenos",
                 f"Zakupnina stana za {this} – {p.landlord}", -p.rent)
        plan.add(CHECKING, _business_day(date(year, month, 5)), "Plaćanje računa",
                 f"Infostan tehnologije – račun za {last}", -_money(rng, 5400, 9800))
        plan.add(CHECKING, _business_day(date(year, month, 10)), "Priliv na račun",
                 f"{p.employer} – zarada za {last}", _money(rng, *p.salary))
        plan.add(CHECKING, _business_day(date(year, month, 12)), "Plaćanje računa",
                 f"EPS Snabdevanje – električna energija za {last}",
                 -(_money(rng, 6000, 11000) if winter else _money(rng, 2800, 4500)))
        mts = Decimal("-2899.00") if (year, month) < (2026, 3) else Decimal("-3099.00")
        plan.add(CHECKING, _business_day(date(year, month, 14)), "Plaćanje računa",
                 "Telekom Srbija a.d. – mts račun", mts)
        plan.add(CHECKING, _business_day(date(year, month, 16)), "Plaćanje računa",
                 "SBB d.o.o. – kablovska televizija i internet", Decimal("-3490.00"))
        plan.transfer(_business_day(date(year, month, 20)), CHECKING, SAVINGS,
                      Decimal("10000.00"), ("Interni prenos", "Interni prenos"),
                      (f"Prenos na štedni račun {n[SAVINGS]}",
                       f"Prenos sa tekućeg računa {n[CHECKING]}"))
        plan.add(CHECKING, _business_day(date(year, month, 25)), "Priliv na račun",
                 f"{p.employer} – akontacija zarade za {this}", _money(rng, *p.advance))
        plan.transfer(_business_day(date(year, month, 26)), CHECKING, CARD,
                      Decimal(rng.randrange(15000, 32000, 500)),
                      ("Otplata kartice", "Uplata na karticu"),
                      ("Otplata kreditne kartice Visa Classic",
                       f"Uplata sa tekućeg računa {n[CHECKING]}"))


def _fx(plan: Plan, rng: random.Random, p: Profile) -> None:
    """Remittances from Vienna (with the bank's fee), euros bought twice and sold once."""
    for year, month in _months():
        day = date(year, month, rng.randint(2, 27))
        if plan.add(FX, day, "Priliv iz inostranstva", f"{p.relative} – doznaka",
                    Decimal(rng.randrange(150, 450, 10))):
            plan.add(FX, day, "Naknada banke", "Naknada za devizni priliv", Decimal("-3.00"))
    for day, euros, rate in ((date(2026, 1, 19), Decimal(300), Decimal("117.9200")),
                             (date(2026, 6, 8), Decimal(500), Decimal("118.0500"))):
        rsd = (euros * rate).quantize(CENT, ROUND_HALF_UP)
        if plan.add(CHECKING, day, "Kupovina deviza",
                    f"Kupovina deviza {amount(euros)} EUR po kursu {_rate(rate)}", -rsd):
            plan.add(FX, day, "Kupovina deviza", f"Kupovina deviza sa računa {p.numbers[CHECKING]}",
                     euros)
    day, euros, rate = date(2026, 8, 24), Decimal(400), Decimal("116.4800")
    if plan.add(FX, day, "Prodaja deviza", f"Prodaja deviza na račun {p.numbers[CHECKING]}",
                -euros):
        plan.add(CHECKING, day, "Prodaja deviza",
                 f"Prodaja deviza {amount(euros)} EUR po kursu {_rate(rate)}",
                 (euros * rate).quantize(CENT, ROUND_HALF_UP))


def _savings(plan: Plan, rng: random.Random, p: Profile) -> None:
    interest = _money(rng, 21000, 26000)
    tax = (interest * Decimal("0.15")).quantize(CENT, ROUND_HALF_UP)
    day = date(2025, 12, 31)
    plan.add(SAVINGS, day, "Obračun kamate", "Kamata za 2025. godinu", interest)
    plan.add(SAVINGS, day, "Porez na kamatu", "Porez na prihod od kamate 15%", -tax)
    plan.transfer(date(2026, 7, 13), SAVINGS, CHECKING, Decimal("80000.00"),
                  ("Interni prenos", "Interni prenos"),
                  (f"Prenos na tekući račun {p.numbers[CHECKING]}",
                   f"Prenos sa štednog računa {p.numbers[SAVINGS]}"))


def _card_payments(plan: Plan, rng: random.Random, p: Profile) -> None:
    days = [PERIOD_START + timedelta(days=i)
            for i in range((REFERENCE_DATE - PERIOD_START).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    count = 0
    while count < p.shop_count:
        day = rng.choice(days)
        if rng.random() < 0.12:
            count += plan.add(CHECKING, rng.choice(workdays), "Podizanje gotovine", _ATM,
                              -rng.choice(_CASH))
            continue
        shops, kind = (_ONLINE, "Internet kupovina") if rng.random() < 0.15 else (
            _SHOPS, "Kupovina karticom")
        text, low, high = rng.choice(shops)
        count += plan.add(CHECKING, day, kind, text, -_money(rng, low, high))
    for year, month in _months():
        plan.add(CARD, date(year, month, 7), "Internet kupovina", "SPOTIFY P2C4F1 STOCKHOLM",
                 Decimal("-549.00"))
    count = 0
    while count < p.card_count:
        kind, text, low, high = rng.choice(_CARD_SHOPS)
        count += plan.add(CARD, rng.choice(days), kind, text, -_money(rng, low, high))


def histories(rng: random.Random, profile: Profile) -> dict[str, list[Entry]]:
    """Every account's entries, newest first; same-day entries keep the order planned."""
    plan = Plan()
    _monthly(plan, rng, profile)
    _fx(plan, rng, profile)
    _savings(plan, rng, profile)
    _card_payments(plan, rng, profile)
    return {key: sorted(entries, key=lambda e: e[0], reverse=True)
            for key, entries in plan.entries.items()}


def reference(rng: random.Random, day: date, used: set[str]) -> str:
    """A core-banking transaction reference, ``FT`` + year + day of year + five characters."""
    while True:
        ref = f"FT{day:%y}{day.timetuple().tm_yday:03d}" + "".join(
            rng.choices(string.ascii_uppercase + string.digits, k=5))
        if ref not in used:
            used.add(ref)
            return ref
