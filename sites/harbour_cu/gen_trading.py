"""The share-trading account: six ASX positions, each bought in one order.

Prices are fixed (not drawn from the seed) because they stand for the market's close on the
reference day, the same for every member. Buying at ``price`` once means the average price the
holdings page shows is that order's price, so the OFX download (which carries trades and
positions, not average prices) and the HTML agree exactly. Settlement is T+2 (ASX), debited
from Everyday Access by direct debit; dividends are paid into Everyday Access too, as CHESS
sponsored holdings usually are.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from . import formats
from .ledger import CENT
from .models import Holding, Trade

BROKERAGE = Decimal("9.50")

# code, ISIN, name, units, trade date, price, last price, contract note
_POSITIONS: tuple[tuple[str, str, str, str, date, str, str, str], ...] = (
    ("BHP", "AU000000BHP4", "BHP Group Limited", "220", date(2025, 3, 14), "41.62", "43.18",
     "C3318820"),
    ("CBA", "AU000000CBA7", "Commonwealth Bank of Australia", "40", date(2024, 11, 6),
     "118.30", "156.42", "C2904417"),
    ("CSL", "AU000000CSL8", "CSL Limited", "25", date(2025, 8, 22), "284.15", "268.90",
     "C3710062"),
    ("WES", "AU000000WES1", "Wesfarmers Limited", "60", date(2026, 2, 10), "66.02", "79.64",
     "C4102285"),
    ("VAS", "AU000000VAS1", "Vanguard Australian Shares Index ETF", "60", date(2026, 6, 17),
     "92.88", "104.37", "C4471203"),
    ("TLS", "AU000000TLS2", "Telstra Group Limited", "1500", date(2026, 9, 30), "3.86", "4.02",
     "C4839951"),
)

DIVIDENDS: tuple[tuple[date, str, Decimal], ...] = (
    (date(2026, 7, 17), "VANGUARD AUS SHARES DIST VAS JUN26/00519340", Decimal("62.89")),
    (date(2026, 9, 25), "BHP GROUP DIV AF394/00412877", Decimal("171.60")),
    (date(2026, 9, 29), "CBA FNL DIV 001285663412", Decimal("102.00")),
    (date(2026, 10, 2), "CSL LTD DIV 26AUD/00837712", Decimal("54.25")),
    (date(2026, 10, 8), "WESFARMERS LTD FIN26/01162233", Decimal("66.60")),
    (date(2026, 10, 16), "VANGUARD AUS SHARES DIST VAS SEP26/00519340", Decimal("48.76")),
)
"""(paid on, description on Everyday Access, amount): dividends and ETF distributions."""


def settlement_day(trade_day: date) -> date:
    """T+2 business days (ASX settlement; public holidays ignored in this demo)."""
    day = trade_day
    remaining = 2
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def trades() -> list[Trade]:
    """Every order, newest first."""
    out = [
        Trade(traded, settlement_day(traded), code, isin, Decimal(units), Decimal(price),
              BROKERAGE, note)
        for code, isin, _name, units, traded, price, _last, note in _POSITIONS
    ]
    return sorted(out, key=lambda t: t.trade_date, reverse=True)


def holdings() -> list[Holding]:
    """The positions as at the reference day, in the order the holdings page lists them."""
    out: list[Holding] = []
    for code, isin, name, units, _traded, price, last, _note in _POSITIONS:
        qty, last_price = Decimal(units), Decimal(last)
        value = (qty * last_price).quantize(CENT, ROUND_HALF_UP)
        out.append(Holding(code, isin, name, qty, last_price, Decimal(price), value))
    return out


def settlement_label(trade: Trade) -> str:
    """How the settlement direct debit reads on Everyday Access."""
    return f"DIRECT DEBIT HARBOUR SHARE TRADING {trade.reference}"


def trade_label(trade: Trade) -> str:
    """How the order reads in the trading account's history (``Bought 220 BHP @ $41.62``)."""
    return f"Bought {formats.units(trade.units)} {trade.code} @ {formats.price(trade.price)}"
