"""How a ``SyncResult`` looks to a person: tables for accounts and holdings, a clear failure."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from engine.errors import ErrorInfo
from engine.models import SyncResult


def money(amount: Decimal, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups = f"{int(whole):,}".replace(",", "\u202f")
    return f"{sign}{groups},{cents} {'€' if currency == 'EUR' else currency}"


def number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    whole, _, decimals = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", "\u202f") if whole.lstrip("-").isdigit() else whole
    return grouped + ("," + decimals if decimals else "")


def print_result(result: SyncResult, console: Console, *, recent: int = 8) -> None:
    counts = Counter(t.account_id for t in result.transactions)
    failed = {f.account_id: f for f in result.account_failures}
    if result.accounts:
        table = Table(title=f"{result.institution}: {len(result.accounts)} accounts",
                      title_justify="left")
        for column, justify in (("Account", "left"), ("Type", "left"), ("Number", "left"),
                                ("Balance", "right"), ("Transactions", "right"),
                                ("Holdings", "right")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for account in result.accounts:
            holdings = result.holdings_of(account.id)
            tx = "failed" if account.id in failed else str(counts.get(account.id, 0))
            table.add_row(account.label, account.type.value, account.number_masked or "",
                          money(account.balance, account.currency), tx,
                          str(len(holdings)) if holdings else "")
        console.print(table)
    if result.holdings:
        table = Table(title="Holdings", title_justify="left")
        for column in ("Label", "ISIN", "Quantity", "Price", "Valuation"):
            table.add_column(column, justify="left" if column in ("Label", "ISIN") else "right")
        for h in result.holdings:
            table.add_row(h.label, h.code or "", number(h.quantity),
                          money(h.unit_price, h.currency) if h.unit_price is not None else "",
                          money(h.valuation, h.currency))
        console.print(table)
    if result.transactions and recent:
        labels = {a.id: a.label for a in result.accounts}
        table = Table(title=f"Latest {recent} operations", title_justify="left")
        for column in ("Date", "Account", "Label", "Amount"):
            table.add_column(column, justify="right" if column == "Amount" else "left")
        latest = sorted(result.transactions, key=lambda t: t.date, reverse=True)[:recent]
        for t in latest:
            table.add_row(t.date.strftime("%d/%m/%Y"), labels.get(t.account_id, t.account_id),
                          t.label, money(t.amount, t.currency))
        console.print(table)
    for failure in result.account_failures:
        console.print(f"[yellow]account {failure.account_id} ({failure.stage}) failed:[/] "
                      f"{failure.error.code}: {failure.error.message}", highlight=False)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False, markup=True)
    if result.error is not None:
        console.print(_error_panel(result.error))
    total = result.timings_ms.get("total", 0.0)
    status = "partial" if result.partial else ("failed" if result.error else "ok")
    console.print(f"{status}: {len(result.accounts)} accounts, {len(result.transactions)} "
                  f"transactions, {len(result.holdings)} holdings in {total / 1000:.2f} s")


def _error_panel(error: ErrorInfo) -> Panel:
    lines = [f"[bold]{error.code}[/]: {error.message}", "", error.user_message, ""]
    where = [(k, v) for k, v in (("step", error.step), ("selector", error.selector),
                                 ("url", error.url), ("account", error.account_id)) if v]
    lines.extend(f"{key}: {value}" for key, value in where)
    policy = error.policy
    retry = (f"retry after {policy.retry_after_seconds} s" if policy.retry
             else "do not retry automatically")
    lines.append(f"policy: {retry}" + (f"; user must {policy.user_action}"
                                       if policy.user_action else "")
                 + (f"; alert {policy.alert}" if policy.alert else ""))
    lines.extend(f"evidence {k}: {v}" for k, v in error.evidence.items())
    return Panel("\n".join(lines), title=f"sync failed: {error.kind.value}", border_style="red")
