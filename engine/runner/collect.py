"""Navigate list pages and turn their records into accounts, transactions and holdings.

One account's failure is recorded against that account and the others go on: a partial result
is worth more to a user than none.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin

from pydantic import ValidationError

from engine.errors import RecipeBroken, SyncError
from engine.extraction.records import Extraction, count_matches, extract_list, extract_next
from engine.extraction.transforms import is_valid_isin
from engine.models import (
    Account,
    AccountFailure,
    AccountType,
    Holding,
    SyncResult,
    Transaction,
    transaction_id,
)
from engine.recipe.model import Condition, ListBlock
from engine.runner.context import DocumentSeen, SyncContext

# Failures that concern one account's pages; anything else stops the whole sync.
PER_ACCOUNT_KINDS = {"unavailable", "recipe_broken", "engine_error"}


class ListReader:
    """Reads every page of one list block, rendering in the browser only when needed."""

    def __init__(self, ctx: SyncContext, name: str, block: ListBlock) -> None:
        self.ctx = ctx
        self.name = name
        self.block = block
        forced = ctx.options.render
        self.mode: str | None = forced or (None if block.render == "auto" else block.render)
        if block.format == "json":
            self.mode = "http"
        if block.load_more or block.wait_for:
            self.mode = "browser"  # content appears only through the page's own JavaScript
        self.loaded_url: str | None = None
        # What earlier syncs of this recipe learnt (Engine-wide): rendering is the cost to
        # avoid, and the probe that proves a page needs none costs a render itself.
        self.memory_key = f"{ctx.recipe.institution.id}/{name}"
        self.remembered = self.mode is None and self.memory_key in ctx.render_memory
        if self.remembered:
            self.mode = ctx.render_memory[self.memory_key]

    async def read(self, url: str, account: dict[str, Any] | None = None,
                   since: date | None = None) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        seen: set[str] = set()
        step = self.name + (f" (account {account.get('id')})" if account else "")
        for page_number in range(1, self.block.max_pages + 1):
            seen.add(url)
            html = await self._load(url, step)
            if self.ctx.options.observer is not None:
                self.ctx.options.observer(DocumentSeen(
                    self.name, self.ctx.backend.url, html,
                    str(account.get("id")) if account else None, page_number))
            extraction = extract_list(html, self.block, self.ctx.template_context(account),
                                      reference=self.ctx.options.reference_date)
            if self.remembered and self.mode == "http" and (
                    extraction.problems or (extraction.rows == 0 and page_number == 1)):
                # the remembered verdict no longer holds (the site changed): render again
                self.ctx.render_memory.pop(self.memory_key, None)
                self.mode, self.remembered = "browser", False
                html = await self._load(url, step)
                extraction = extract_list(html, self.block,
                                          self.ctx.template_context(account),
                                          reference=self.ctx.options.reference_date)
            self._require(extraction, step, first_page=page_number == 1)
            records.extend(extraction.records)
            if since is not None and _all_older(extraction.records, since):
                break
            next_url = extract_next(html, self.block)
            if not next_url:
                break
            url = urljoin(self.loaded_url or self.ctx.backend.url, next_url)
            if url in seen:
                self.ctx.warnings.append(f"{step}: pagination loops back to an earlier page")
                break
        else:
            self.ctx.warnings.append(f"{step}: stopped after max_pages={self.block.max_pages}")
        return records

    async def _load(self, url: str, step: str) -> str:
        ctx, backend, timeout = self.ctx, self.ctx.backend, self.ctx.step_timeout
        try:
            if self.mode == "http":
                response = await backend.fetch(url, timeout=timeout)
                self.loaded_url = response.url
                await ctx.check(step, response.text if self.block.format == "html" else "")
                if self.block.format == "json" and not _is_json(response.text):
                    raise RecipeBroken("expected a JSON document", reason="not_json",
                                       step=step, url=response.url,
                                       details={"status": response.status})
                return response.text
            self.loaded_url = None
            if backend.url != url or self.block.wait_for or self.block.load_more:
                await backend.goto(url, timeout=timeout)
            # else: the login already landed on this very page; reading it again is free
            if self.block.wait_for:
                found = await ctx.wait_any(step, [_css(self.block.wait_for)], timeout)
                if found is None:
                    raise ctx.not_found(step, self.block.wait_for,
                                        "the page never showed the element to wait for")
            html = (await ctx.check(step)).html
            if self.block.load_more:
                html = await self._load_all(step, timeout, html)
            if self.mode is None:
                self.mode = await self._probe_static(url, html)
                self.ctx.render_memory[self.memory_key] = self.mode
            return html
        except SyncError:
            raise
        except Exception as exc:
            raise ctx.translate(exc, step) from None

    async def _load_all(self, step: str, timeout: float, html: str) -> str:
        button = self.block.load_more or ""
        rows = count_matches(html, self.block.each)
        for _ in range(self.block.max_pages):
            if not count_matches(html, button):
                break
            await self.ctx.backend.click(button, timeout=timeout)
            for _wait in range(int(timeout * 10)):
                html = (await self.ctx.check(step)).html
                if count_matches(html, self.block.each) != rows or not count_matches(html, button):
                    break
                await asyncio.sleep(0.1)
            rows = count_matches(html, self.block.each)
        return html

    async def _probe_static(self, url: str, rendered: str) -> str:
        """Decide once per block whether its pages need JavaScript: fetch the same URL without
        rendering and compare what the row selector finds. Identical → plain HTTP from now on,
        which is several times cheaper than rendering."""
        try:
            plain = await self.ctx.backend.fetch(url, timeout=self.ctx.step_timeout)
        except Exception:
            return "browser"
        if plain.status >= 400:
            return "browser"
        same = count_matches(plain.text, self.block.each) == count_matches(rendered,
                                                                          self.block.each)
        return "http" if same and count_matches(rendered, self.block.each) > 0 else "browser"

    def _require(self, extraction: Extraction, step: str, first_page: bool) -> None:
        url = self.ctx.backend.url
        if extraction.rows == 0 and first_page and not extraction.empty_marker:
            raise RecipeBroken("no rows match the list selector", reason="no_rows", step=step,
                               selector=self.block.each, url=url)
        if extraction.problems:
            problem = extraction.problems[0]
            raise RecipeBroken(
                f"field '{problem.field}' of row {problem.row + 1}: {problem.message}",
                reason="field_invalid", step=step, selector=problem.selector, url=url,
                details={"field": problem.field, "problems": len(extraction.problems)})


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _css(selector: str) -> Condition:
    return Condition(css=selector)


def _all_older(records: list[dict[str, Any]], since: date) -> bool:
    dates = [d for d in (r.get("date") for r in records) if isinstance(d, date)]
    return bool(dates) and all(d < since for d in dates)


async def collect(ctx: SyncContext, result: SyncResult) -> None:
    """Fill ``result`` with everything the recipe extracts."""
    recipe = ctx.recipe
    block = recipe.accounts
    records = await ListReader(ctx, "accounts", block).read(ctx.url(block.goto or ""))
    accounts: list[tuple[Account, dict[str, Any]]] = []
    for record in records:
        account = _account(ctx, record)
        result.accounts.append(account)
        accounts.append((account, {**record, "id": account.id}))
    for name, block_or_none in (("transactions", recipe.transactions),
                                ("holdings", recipe.holdings)):
        if block_or_none is None:
            continue
        reader = ListReader(ctx, name, block_or_none)
        for account, record in accounts:
            if not _applies(block_or_none, record):
                continue
            try:
                rows = await reader.read(ctx.url(block_or_none.goto or "", record), record,
                                         ctx.options.since if name == "transactions" else None)
            except SyncError as exc:
                record_account_failure(exc, account.id, name, result)
                continue
            if name == "transactions":
                result.transactions.extend(_transactions(ctx, account, rows))
            else:
                result.holdings.extend(_holdings(ctx, account, rows))
    _sanity_warnings(ctx, result)


def record_account_failure(exc: SyncError, account_id: str, stage: str,
                           result: SyncResult) -> None:
    """One account's failure joins the result; anything beyond that account (credentials,
    blocking, a crashed browser) stops the whole sync."""
    if exc.kind.value not in PER_ACCOUNT_KINDS or exc.reason == "browser_crashed":
        raise exc
    exc.account_id = account_id
    result.account_failures.append(
        AccountFailure(account_id=account_id, stage=stage, error=exc.info()))


def _applies(block: ListBlock, account: dict[str, Any]) -> bool:
    if not block.when:
        return True
    return all(str(account.get(key)) in values for key, values in block.when.items())


def _account(ctx: SyncContext, record: dict[str, Any]) -> Account:
    raw_type = record.get("type")
    try:
        account_type = AccountType(raw_type) if raw_type else AccountType.UNKNOWN
    except ValueError:
        ctx.warnings.append(f"account {record.get('id')}: unknown type {raw_type!r}")
        account_type = AccountType.UNKNOWN
    record["type"] = account_type.value
    account: Account = _build(Account, "accounts", {
        "id": record["id"], "label": record["label"], "type": account_type,
        "balance": record["balance"],
        "currency": record.get("currency") or ctx.recipe.institution.currency,
        "number_masked": record.get("number_masked"), "parent_id": record.get("parent_id"),
    })
    return account


def _transactions(ctx: SyncContext, account: Account,
                  rows: list[dict[str, Any]]) -> list[Transaction]:
    since = ctx.options.since
    seen: Counter[tuple[str, str, str]] = Counter()
    out = []
    for row in rows:
        day = row.get("date")
        if since is not None and isinstance(day, date) and day < since:
            continue
        raw_label = str(row.get("raw_label") or row.get("label") or "")
        amount = row.get("amount")
        key = (str(day), str(amount), raw_label)
        occurrence = seen[key]
        seen[key] += 1
        tid = (str(row["id"]) if row.get("id") else
               transaction_id(ctx.recipe.institution.id, account.id, day, amount, raw_label,
                              occurrence)) if isinstance(day, date) and isinstance(
                                  amount, Decimal) else ""
        out.append(_build(Transaction, "transactions", {
            "id": tid, "account_id": account.id, "date": day,
            "value_date": row.get("value_date"), "label": row.get("label") or raw_label,
            "raw_label": raw_label, "amount": amount,
            "currency": row.get("currency") or account.currency,
            "pending": bool(row.get("pending") or False),
        }))
    return out


def _holdings(ctx: SyncContext, account: Account, rows: list[dict[str, Any]]) -> list[Holding]:
    out = []
    for row in rows:
        code = row.get("code")
        valid = bool(code) and is_valid_isin(str(code))
        if code and not valid:
            ctx.warnings.append(f"holding {row.get('label')!r}: {code!r} is not a valid ISIN")
        out.append(_build(Holding, "holdings", {
            "account_id": account.id, "label": row.get("label"), "code": code,
            "code_type": "isin" if valid else None, "quantity": row.get("quantity"),
            "unit_price": row.get("unit_price"), "unit_value": row.get("unit_value"),
            "valuation": row.get("valuation"),
            "currency": row.get("currency") or account.currency,
        }))
    return out


def _build(model: Any, step: str, data: dict[str, Any]) -> Any:
    try:
        return model(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise RecipeBroken(f"extracted {step} record is invalid: {field}: {first['msg']}",
                           reason="field_invalid", step=step, details={"field": field}) \
            from None


def _sanity_warnings(ctx: SyncContext, result: SyncResult) -> None:
    """Invariants the field relies on (woob's standard checks), as warnings, not failures."""
    for account in result.accounts:
        holdings = result.holdings_of(account.id)
        if holdings:
            total = sum((h.valuation for h in holdings), Decimal(0))
            if abs(total - account.balance) > Decimal("0.01"):
                ctx.warnings.append(f"account {account.id}: holdings sum to {total}, balance is "
                                    f"{account.balance}")
        if account.type in (AccountType.LOAN, AccountType.MORTGAGE) and account.balance > 0:
            ctx.warnings.append(f"account {account.id}: loan with a positive balance")
