"""OFX statements: one document tree, written as OFX 2.2 (XML) or OFX 1.02 (SGML).

Australian banks still offer both for accounting software (Xero and MYOB read OFX 2, older
Quicken and Money read OFX 1.02). The tree is built once from the bank's data and serialized
twice, so both files carry the same values by construction:

- OFX 2: an XML declaration and an ``<?OFX ...?>`` processing instruction, every element closed.
- OFX 1.02: a colon-separated header, CRLF line ends, and *unclosed* leaf elements
  (``<TRNAMT>-45.90``); only aggregates have end tags. A parser must add the missing ones.

Quirks a reader must handle, all as real banks emit them: dates are local midnight with the
offset of the day (``20261119000000.000[+11:AEDT]``, ``[+10:AEST]`` before 4 October), so
converting to UTC moves the date back a day; ``NAME`` is cut to the 32 characters OFX allows
and the full description is in ``MEMO``; card balances owed are negative; a foreign purchase
carries ``ORIGCURRENCY`` (``CURRATE`` is AUD per unit of ``CURSYM``). The share-trading
statement has trades (``INVTRANLIST``) and positions (``INVPOSLIST``) naming securities only by
``UNIQUEID`` (an ISIN); names and tickers are in ``SECLIST``, a separate message set.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from .data import BSB, REFERENCE_DATE
from .models import Account

Node = tuple[str, "str | list[Node]"]
"""``(TAG, text)`` for an element, ``(TAG, [children])`` for an aggregate."""

SYDNEY = ZoneInfo("Australia/Sydney")
BROKER_ID = "harbourcu.com.au"
FI: Node = ("FI", [("ORG", "Harbour Credit Union"), ("FID", BSB.replace("-", ""))])
NAME_MAX = 32

_TRNTYPE = {
    "pos": "POS", "atm": "ATM", "bpay": "PAYMENT", "direct_debit": "DIRECTDEBIT",
    "direct_credit": "DIRECTDEP", "dividend": "DIV", "osko": "XFER", "internal": "XFER",
    "interest": "INT", "fee": "FEE", "purchase": "DEBIT", "refund": "CREDIT",
    "card_payment": "CREDIT",
}
_ACCTTYPE = {"checking": "CHECKING", "savings": "SAVINGS", "deposit": "CD"}


def ofx_datetime(day: date, at: time = time(0, 0, 0)) -> str:
    """``20261119000000.000[+11:AEDT]``: local Sydney time with that day's offset."""
    moment = datetime.combine(day, at, SYDNEY)
    offset = moment.utcoffset()
    assert offset is not None
    hours = int(offset.total_seconds() // 3600)
    return f"{moment:%Y%m%d%H%M%S}.000[{hours:+d}:{moment.tzname()}]"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _status() -> Node:
    return ("STATUS", [("CODE", "0"), ("SEVERITY", "INFO")])


def _signon() -> Node:
    return ("SIGNONMSGSRSV1", [("SONRS", [
        _status(),
        ("DTSERVER", ofx_datetime(REFERENCE_DATE, time(9, 0, 0))),
        ("LANGUAGE", "ENG"),
        FI,
    ])])


def _stmttrn(account: Account, start: date, end: date) -> list[Node]:
    out: list[Node] = []
    for txn in account.between(start, end):
        children: list[Node] = [
            ("TRNTYPE", _TRNTYPE[txn.channel]),
            ("DTPOSTED", ofx_datetime(txn.date)),
            ("TRNAMT", _amount(txn.amount)),
            ("FITID", txn.reference),
            ("NAME", txn.description[:NAME_MAX].rstrip()),
            ("MEMO", txn.description),
        ]
        if txn.foreign is not None:
            children.append(("ORIGCURRENCY", [("CURRATE", f"{txn.foreign.rate}"),
                                              ("CURSYM", txn.foreign.currency)]))
        out.append(("STMTTRN", children))
    return out


def _balances(account: Account, end: date) -> list[Node]:
    ledger = account.balance_on(end)
    available = account.available if end >= REFERENCE_DATE else ledger
    if account.kind == "card" and account.credit_limit is not None:
        available = account.credit_limit + ledger
    as_of = ofx_datetime(end, time(23, 59, 59))
    return [("LEDGERBAL", [("BALAMT", _amount(ledger)), ("DTASOF", as_of)]),
            ("AVAILBAL", [("BALAMT", _amount(available)), ("DTASOF", as_of)])]


def _tranlist(account: Account, start: date, end: date) -> Node:
    return ("BANKTRANLIST", [("DTSTART", ofx_datetime(start)),
                             ("DTEND", ofx_datetime(end, time(23, 59, 59))),
                             *_stmttrn(account, start, end)])


def _trnuid(account: Account, start: date, end: date) -> Node:
    return ("TRNUID", f"{account.id[-4:]}{start:%Y%m%d}{end:%Y%m%d}")


def bank_statement(account: Account, start: date, end: date) -> Node:
    """A deposit account's statement (``BANKMSGSRSV1``) or a card's (``CREDITCARDMSGSRSV1``)."""
    if account.kind == "card":
        body: Node = ("CCSTMTRS", [("CURDEF", account.currency),
                                   ("CCACCTFROM", [("ACCTID", account.id)]),
                                   _tranlist(account, start, end), *_balances(account, end)])
        message: Node = ("CREDITCARDMSGSRSV1", [("CCSTMTTRNRS", [
            _trnuid(account, start, end), _status(), body])])
    else:
        body = ("STMTRS", [("CURDEF", account.currency),
                           ("BANKACCTFROM", [("BANKID", BSB.replace("-", "")),
                                             ("ACCTID", account.id),
                                             ("ACCTTYPE", _ACCTTYPE[account.kind])]),
                           _tranlist(account, start, end), *_balances(account, end)])
        message = ("BANKMSGSRSV1", [("STMTTRNRS", [_trnuid(account, start, end), _status(),
                                                   body])])
    return ("OFX", [_signon(), message])


def _secid(isin: str) -> Node:
    return ("SECID", [("UNIQUEID", isin), ("UNIQUEIDTYPE", "ISIN")])


def investment_statement(account: Account, start: date, end: date) -> Node:
    """The share-trading statement: trades in the range, positions as at the reference day."""
    buys: list[Node] = [
        ("BUYSTOCK", [("INVBUY", [
            ("INVTRAN", [("FITID", t.reference), ("DTTRADE", ofx_datetime(t.trade_date)),
                         ("DTSETTLE", ofx_datetime(t.settle_date)),
                         ("MEMO", f"Contract note {t.reference}")]),
            _secid(t.isin),
            ("UNITS", f"{t.units:f}"), ("UNITPRICE", f"{t.price:f}"),
            ("COMMISSION", _amount(t.brokerage)), ("TOTAL", _amount(t.total)),
            ("SUBACCTSEC", "CASH"), ("SUBACCTFUND", "CASH"),
        ]), ("BUYTYPE", "BUY")])
        for t in account.trades if start <= t.trade_date <= end
    ]
    priced = ofx_datetime(REFERENCE_DATE, time(16, 0, 0))
    positions: list[Node] = [
        ("POSSTOCK", [("INVPOS", [
            _secid(h.isin), ("HELDINACCT", "CASH"), ("POSTYPE", "LONG"),
            ("UNITS", f"{h.units:f}"), ("UNITPRICE", f"{h.last_price:f}"),
            ("MKTVAL", _amount(h.market_value)), ("DTPRICEASOF", priced),
        ])])
        for h in account.holdings
    ]
    securities: list[Node] = [
        ("STOCKINFO", [("SECINFO", [
            _secid(h.isin), ("SECNAME", h.name), ("TICKER", h.code),
            ("UNITPRICE", f"{h.last_price:f}"), ("DTASOF", priced),
        ])])
        for h in account.holdings
    ]
    statement: Node = ("INVSTMTRS", [
        ("DTASOF", priced),
        ("CURDEF", account.currency),
        ("INVACCTFROM", [("BROKERID", BROKER_ID), ("ACCTID", account.id)]),
        ("INVTRANLIST", [("DTSTART", ofx_datetime(start)),
                         ("DTEND", ofx_datetime(end, time(23, 59, 59))), *buys]),
        ("INVPOSLIST", positions),
        ("INVBAL", [("AVAILCASH", "0.00"), ("MARGINBALANCE", "0.00"),
                    ("SHORTBALANCE", "0.00")]),
    ])
    return ("OFX", [
        _signon(),
        ("INVSTMTMSGSRSV1", [("INVSTMTTRNRS", [_trnuid(account, start, end), _status(),
                                                statement])]),
        ("SECLISTMSGSRSV1", [("SECLIST", securities)]),
    ])


def statement(account: Account, start: date, end: date) -> Node:
    """The right statement for ``account``'s kind."""
    if account.kind == "brokerage":
        return investment_statement(account, start, end)
    return bank_statement(account, start, end)


def _lines(node: Node, depth: int, close_leaves: bool) -> list[str]:
    tag, content = node
    pad = "  " * depth
    if isinstance(content, str):
        end = f"</{tag}>" if close_leaves else ""
        return [f"{pad}<{tag}>{escape(content)}{end}"]
    inner = [line for child in content for line in _lines(child, depth + 1, close_leaves)]
    return [f"{pad}<{tag}>", *inner, f"{pad}</{tag}>"]


def to_ofx2(tree: Node, file_uid: str) -> str:
    """OFX 2.2: XML, every element closed."""
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
            f'<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" '
            f'NEWFILEUID="{file_uid}"?>\n')
    return head + "\n".join(_lines(tree, 0, close_leaves=True)) + "\n"


def to_ofx1(tree: Node, file_uid: str) -> str:
    """OFX 1.02: SGML with a colon header, CRLF line ends and unclosed leaf elements."""
    header = ["OFXHEADER:100", "DATA:OFXSGML", "VERSION:102", "SECURITY:NONE",
              "ENCODING:USASCII", "CHARSET:1252", "COMPRESSION:NONE", "OLDFILEUID:NONE",
              f"NEWFILEUID:{file_uid}", ""]
    body = [line.strip() for line in _lines(tree, 0, close_leaves=False)]
    return "\r\n".join(header + body) + "\r\n"
