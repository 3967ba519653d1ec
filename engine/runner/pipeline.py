"""The one collection pipeline: accounts → per-account blocks, for every kind of recipe.

Authentication (``auth``) hands over a function giving each list block its page source; from
there browser, hybrid and API recipes run through the very same steps: ``paging.read_list`` for
every list, the same record → model rules, the same partial-result rules. Nothing already read
is thrown away: when an account's history fails at page 4, its first three pages are in the
result and the failure says where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from engine.errors import RecipeBroken, SyncError
from engine.models import Account, SyncResult
from engine.recipe.lists import ListBlock
from engine.runner.context import SyncContext
from engine.runner.paging import read_list
from engine.runner.progress import ProgressEvent, emit
from engine.runner.records import (
    account_of,
    holdings_of,
    record_account_failure,
    sanity_warnings,
    transactions_of,
)
from engine.runner.sources import PageSource

Record = dict[str, Any]
SourceFor = Callable[[str, ListBlock], PageSource]


async def collect(ctx: SyncContext, result: SyncResult, source_for: SourceFor) -> None:
    """Fill ``result`` with everything the recipe extracts."""
    started = time.perf_counter()
    emit(ctx.options.progress, ProgressEvent("accounts", "start"))
    records = await _account_records(ctx, source_for)
    records = await _complete_balances(ctx, result, source_for, records)
    emit(ctx.options.progress, ProgressEvent("accounts", "done", count=len(records),
                                             duration_ms=_ms(started)))
    accounts: list[tuple[Account, Record]] = []
    for record in records:
        account = account_of(ctx, record)
        result.accounts.append(account)
        accounts.append((account, {**record, "id": account.id}))
    for section in ("transactions", "holdings"):
        await _per_account(ctx, result, source_for, section, accounts)
    sanity_warnings(ctx, result)


async def _per_account(ctx: SyncContext, result: SyncResult, source_for: SourceFor,
                       section: str, accounts: list[tuple[Account, Record]]) -> None:
    """Every block of ``section`` whose ``when`` holds, for each account in turn. An account's
    rows from all its blocks become its models together, so the occurrence counter of
    transaction ids spans them (a pending line equal to a booked one stays distinct)."""
    blocks = ctx.recipe.section_blocks(section)
    sources = {name: source_for(name, block) for name, block in blocks}
    for account, record in accounts:
        rows: list[Record] = []
        for name, block in blocks:
            if not applies(block, record):
                continue
            begun = time.perf_counter()
            try:
                outcome = await read_list(
                    ctx, name, block, sources[name],
                    ctx.url(block.goto or "", record, where=f"{name}.goto"), record,
                    since=ctx.options.since if section == "transactions" else None)
            except SyncError as exc:
                record_account_failure(exc, account.id, section, result)
                emit(ctx.options.progress, ProgressEvent(
                    name, "failed", account_id=account.id, duration_ms=_ms(begun),
                    error_code=exc.code))
                continue
            emit(ctx.options.progress, ProgressEvent(
                name, "failed" if outcome.failure else "done", account_id=account.id,
                count=len(outcome.records), duration_ms=_ms(begun),
                error_code=outcome.failure.code if outcome.failure else None))
            rows.extend(outcome.records)
            if outcome.failure is not None:
                record_account_failure(outcome.failure, account.id, section, result)
        if section == "transactions":
            result.transactions.extend(transactions_of(ctx, account, rows))
        else:
            result.holdings.extend(holdings_of(ctx, account, rows))


async def _account_records(ctx: SyncContext, source_for: SourceFor) -> list[Record]:
    records: list[Record] = []
    for name, block in ctx.recipe.section_blocks("accounts"):
        outcome = await read_list(ctx, name, block, source_for(name, block),
                                  ctx.url(block.goto or "", where=f"{name}.goto"))
        records.extend(outcome.records)
        if outcome.failure is not None:
            # the list of accounts is incomplete: the sync fails, with what was read
            ctx.partial_accounts = records
            raise outcome.failure
    return records


async def _complete_balances(ctx: SyncContext, result: SyncResult, source_for: SourceFor,
                             records: list[Record]) -> list[Record]:
    """API recipes read each account's balance from its own endpoint."""
    balances = ctx.recipe.api.balances if ctx.recipe.api is not None else None
    if balances is None:
        return records
    source = source_for("balances", balances)
    complete = []
    for record in records:
        if not applies(balances, record):
            complete.append(record)
            continue
        try:
            outcome = await read_list(ctx, "balances", balances, source,
                                      ctx.url(balances.goto or "", record,
                                              where="api.balances.goto"), record)
            if not outcome.records:
                raise RecipeBroken(f"no balance matches '{balances.each}'", reason="no_rows",
                                   step="balances", selector=balances.each)
        except SyncError as exc:
            record_account_failure(exc, str(record.get("id")), "balances", result)
            continue
        record.update({k: v for k, v in outcome.records[0].items() if v is not None})
        complete.append(record)
    return complete


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def applies(block: ListBlock, account: Record) -> bool:
    if not block.when:
        return True
    return all(str(account.get(key)) in values for key, values in block.when.items())
