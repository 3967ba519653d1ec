"""Reading a fixture's snapshots as the runner read the pages: which block, which account
context, which 'today' — shared by check, drift, canary and the repair suggestions."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from engine.errors import ErrorInfo
from engine.extraction.records import Extraction, extract_list
from engine.harness import har
from engine.harness.fixture import Fixture, SnapshotInfo, block_of
from engine.recipe.lists import ListBlock
from engine.recipe.model import Recipe
from engine.recipe.templates import Context


def block_for_stage(recipe: Recipe, stage: str) -> ListBlock | None:
    """The recipe block a snapshot's stage was extracted with."""
    return block_of(recipe, stage)


def snapshot_path(fixture_dir: Path, info: SnapshotInfo) -> Path:
    """Index entries name files relative to ``snapshots/``; accept fixture-relative too."""
    candidate = fixture_dir / "snapshots" / info.file
    return candidate if candidate.exists() else fixture_dir / info.file


def reference_date(meta: dict[str, Any]) -> date | None:
    """'Today' at recording time, so year-less dates parse as they did then."""
    for key in ("reference_date", "recorded_at"):
        value = meta.get(key)
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                continue
    return None


def template_context(meta: dict[str, Any], account: dict[str, Any] | None) -> Context:
    """What templates in fields may refer to; credentials are the recording's placeholders."""
    credentials = meta.get("credentials") or {}
    return {
        "credentials": {str(k): str(v) for k, v in credentials.items()},
        "account": account or {},
        "institution": {"id": str(meta.get("institution", "")),
                        "base_url": str(meta.get("base_url", ""))},
        "options": {"since": "", "until": "", "today": str(meta.get("reference_date") or "")},
        "vars": {}, "origins": {},
    }


def account_records(recipe: Recipe, fixture: Fixture) -> dict[str, dict[str, Any]]:
    """Accounts as the runner saw them (from the accounts snapshots, else expected.json), so
    per-account blocks get the same ``{{ account.x }}`` context as during the sync."""
    out: dict[str, dict[str, Any]] = {}
    for account in (fixture.expected or {}).get("accounts") or []:
        if isinstance(account, dict) and account.get("id") is not None:
            out[str(account["id"])] = dict(account)
    reference = reference_date(fixture.meta)
    for info in fixture.snapshots:
        path = snapshot_path(fixture.path, info)
        block = block_of(recipe, info.stage)
        if not info.stage.startswith("accounts") or block is None or not path.exists():
            continue
        html = path.read_text(encoding="utf-8")
        extraction = extract_list(html, block,
                                  template_context(fixture.meta, None),
                                  reference=reference, institution=recipe.institution)
        for record in extraction.records:
            if record.get("id") is not None:
                out.setdefault(str(record["id"]), {}).update(
                    {k: v for k, v in record.items() if v is not None})
    return out


def extract_snapshot(recipe: Recipe, fixture: Fixture, info: SnapshotInfo, html: str,
                     accounts: dict[str, dict[str, Any]]) -> Extraction | None:
    block = block_for_stage(recipe, info.stage)
    if block is None:
        return None
    account = accounts.get(info.account_id or "") if info.account_id else None
    if info.account_id and account is None:
        account = {"id": info.account_id}
    return extract_list(html, block, template_context(fixture.meta, account),
                        reference=reference_date(fixture.meta), institution=recipe.institution)


def error_matches(expected: str, error: ErrorInfo | None) -> bool:
    """``expected_error`` may be a full code (``unavailable.maintenance``) or a bare kind."""
    if error is None:
        return False
    return error.code == expected or error.code.startswith(expected + ".") \
        or error.kind.value == expected


def recorded_page(fixture_dir: Path, url: str | None) -> str | None:
    """The last HTML body the recording holds for ``url`` (same path when no exact match)."""
    exchanges = read_exchanges(fixture_dir)
    if not exchanges or not url:
        return None
    wanted = urlsplit(url)
    best: str | None = None
    for exchange in exchanges:
        body = exchange_html(exchange)
        if body is None:
            continue
        got = urlsplit(str(exchange.get("url", "")))
        if got.path == wanted.path and (best is None or got.query == wanted.query):
            best = body
    return best


def read_exchanges(fixture_dir: Path) -> list[dict[str, Any]]:
    """The recording's exchanges (``recording.har``), URLs relative to its origin."""
    return har.read_exchanges(fixture_dir)


exchange_html = har.exchange_html


__all__ = ["account_records", "block_for_stage", "error_matches", "exchange_html",
           "extract_snapshot", "read_exchanges", "recorded_page", "reference_date",
           "snapshot_path", "template_context"]
