"""The on-disk format of a recorded scenario: what ``engine record`` writes and everything else
(replay, check, drift, reports, pytest) reads.

One scenario is one folder, ``fixtures/<institution>/<scenario>/``::

    meta.json        {"institution", "scenario", "kind": "browser"|"api", "recorded_at",
                      "recipe": path relative to the repository (when it is inside it),
                      "recipe_hash": sha256 of the recipe file at record time,
                      "engine_version", "base_url": origin the site had at record time,
                      "credentials": {name: placeholder}  what replay types instead,
                      "otp_code": placeholder or null     the answer to a code prompt,
                      "reference_date": "YYYY-MM-DD"      'today' when recorded (year-less dates),
                      "expected_error": error code or null, "outcome": ok|partial|error,
                      "site": optional {"module", "layout", "scenario"} (how it was produced),
                      "scrub_notes": [...]                anything the scrub could not guarantee}
    recording.har    the network exchanges as HAR 1.2 (engine fields under ``_`` keys:
                     engine/harness/har.py); read as a list of exchanges
                     [{"seq", "method", "url" (origin-relative when same-origin),
                       "resource_type", "via": "browser"|"fetch"|"redirect",
                       "redirected_from"?, "final_url"?, "request_headers", "post_data",
                       "status", "headers", "body" | "body_b64" | "body_ref": seq |
                       "skipped": true}]  (a pre-HAR fixture's exchanges.json still reads)
    snapshots/index.json  [{"file", "stage", "account_id", "page_number", "url", "rows",
                            "fields": {name: matched_count},
                            "next": {"selector", "matched", "url"} (the next link at
                            recording time, for lists that have one)}]
    snapshots/NNN-<stage>.html   the document extracted from, at each extraction point
                                 (``.json``, ``.xml``, ``.ofx`` for other formats)
    snapshots/final.html         the last page of a failed sync
    screenshots/NNN-<stage>.png  the snapshot rendered (viewport, first page of each list);
                                 final.png for a failed sync
    expected.json    the SyncResult as JSON minus volatile keys (see ``VOLATILE_KEYS``)
    cassette.yaml    API recipes (kind "api") only, instead of exchanges and snapshots
                     (engine/harness/cassette.py)

Exchanges: ``via`` says who asked (a page, the engine's ``fetch()``, or a redirect the browser
followed; ``redirected_from`` names the hop before). ``status`` 0 is a network failure.
``body_ref`` points to an earlier exchange with the same body (scripts loaded on every page;
never HTML). ``skipped`` exchanges are assets (images, fonts, stylesheets) whose bodies nothing
needs; replay refuses them silently, as the live engine blocks them.

Everything in the folder has been through ``engine.harness.scrub`` before being written:
credentials are placeholders, cookies and auth headers are gone, tokens are replaced, account
numbers and the customer's name are masked, in expected.json as in the pages (a transaction id
that hashed a masked label is recomputed). Screenshots are rendered from the scrubbed
snapshots, never taken of the live page, so no pixel can show what the text scrub removed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from engine import __version__
from engine.extraction.records import Extraction, extract_list
from engine.harness.har import HAR_FILE, read_exchanges
from engine.models import SyncResult, transaction_id
from engine.recipe.model import ListBlock, Recipe

if TYPE_CHECKING:
    from engine.harness.scrub import Scrubber
    from engine.runner.context import SyncOptions

VOLATILE_KEYS = ("started_at", "finished_at", "timings_ms", "session_state", "resume_state")
"""Top-level SyncResult keys that differ on every run and are never compared."""

META, EXCHANGES, EXPECTED, SNAPSHOTS, SCREENSHOTS = (
    "meta.json", HAR_FILE, "expected.json", "snapshots", "screenshots")
INDEX = "index.json"
STAGES = ("accounts", "transactions", "holdings")
DROPPED_RESPONSE_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding",
                                      "connection", "date", "keep-alive"})
DEDUPE_BYTES = 2048
PARTIAL_REDACTION = re.compile(r"[A-Za-z0-9]*(?<!\*)\*\*\*(?!\*)[A-Za-z0-9]*")


@dataclass
class SnapshotInfo:
    """One extraction point: which document, for which stage/account/page, what matched."""

    file: str
    stage: str
    account_id: str | None = None
    page_number: int = 1
    url: str = ""
    rows: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    records: int | None = None
    """Records the page gave (rows a ``filter`` dropped are not records); None: unknown."""
    next: dict[str, Any] | None = None
    """The list's next link on this page at recording time: ``selector``, ``matched``
    (nodes), ``url`` (where it led); None for a list without one."""

    @classmethod
    def of(cls, item: Any, number: int) -> SnapshotInfo:
        """An index entry, with a message naming the entry and the key when one is wrong
        (a hand-made fixture must not end in a TypeError traceback)."""
        if not isinstance(item, dict):
            raise FixtureError(f"snapshots/index.json entry {number}: expected an object")
        for key in ("file", "stage"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise FixtureError(f"snapshots/index.json entry {number}: '{key}' is missing")
        known = {k: v for k, v in item.items() if k in cls.__dataclass_fields__}
        unknown = sorted(set(item) - set(known))
        if unknown:
            raise FixtureError(f"snapshots/index.json entry {number}: unknown key(s) "
                               + ", ".join(unknown))
        return cls(**known)


class FixtureError(ValueError):
    """A fixture folder that cannot be read (the message names the file and the key)."""


@dataclass
class Fixture:
    path: Path
    meta: dict[str, Any]
    snapshots: list[SnapshotInfo]
    expected: dict[str, Any] | None

    @property
    def institution(self) -> str:
        return str(self.meta.get("institution", self.path.parent.name))

    @property
    def scenario(self) -> str:
        return str(self.meta.get("scenario", self.path.name))

    def exchanges(self) -> list[dict[str, Any]]:
        """The network part (HAR, engine/harness/har.py) as exchanges, URLs relative to the
        recording's origin."""
        return read_exchanges(self.path, str(self.meta.get("base_url") or ""))

    def snapshot_html(self, info: SnapshotInfo) -> str:
        return (self.path / SNAPSHOTS / info.file).read_text(encoding="utf-8")


@dataclass
class Exchange:
    """One request and its response, in memory (unscrubbed until written)."""

    method: str
    url: str
    resource_type: str
    via: str
    request_headers: dict[str, str]
    post_data: str | None
    status: int
    headers: dict[str, str]
    body: bytes | None
    final_url: str | None = None
    redirected_from: str | None = None
    skipped: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(
        timespec="milliseconds"))

    def text(self) -> str | None:
        """The body as text when it is text (UTF-8); None for binary or skipped bodies."""
        if self.body is None:
            return None
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None


def load_fixture(path: Path) -> Fixture:
    """Read one scenario folder (meta, snapshot index, expected result)."""
    path = Path(path)
    if not (path / META).exists():
        raise FixtureError(f"{path}: no {META}: not a fixture scenario folder")
    meta = json.loads((path / META).read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise FixtureError(f"{path / META}: expected an object")
    index_path = path / SNAPSHOTS / INDEX
    items = json.loads(index_path.read_text("utf-8")) if index_path.exists() else []
    if not isinstance(items, list):
        raise FixtureError(f"{index_path}: expected a list of snapshot entries")
    snapshots = [SnapshotInfo.of(item, n) for n, item in enumerate(items, 1)]
    expected_path = path / EXPECTED
    expected = json.loads(expected_path.read_text("utf-8")) if expected_path.exists() else None
    return Fixture(path=path, meta=meta, snapshots=snapshots, expected=expected)


def scenario_dirs(root: Path, institution: str | None = None) -> list[Path]:
    """Every ``<root>/<institution>/<scenario>/`` holding a meta.json, sorted."""
    root = Path(root)
    pattern = f"{institution}/*/{META}" if institution else f"*/*/{META}"
    return sorted(p.parent for p in root.glob(pattern))


def result_view(result: SyncResult | dict[str, Any]) -> dict[str, Any]:
    """A result as JSON minus what changes on every run (times, encrypted state, evidence
    paths): the form expected.json holds and replays are compared in."""
    data = result.model_dump(mode="json") if isinstance(result, SyncResult) else dict(result)
    for key in VOLATILE_KEYS:
        data.pop(key, None)
    if isinstance(data.get("error"), dict):
        data["error"] = {k: v for k, v in data["error"].items() if k != "evidence"}
    data["account_failures"] = [
        {**f, "error": {k: v for k, v in f["error"].items() if k != "evidence"}}
        for f in data.get("account_failures", [])]
    return data


def expected_json(result: SyncResult, scrub: Callable[[Any], Any]) -> dict[str, Any]:
    """The result as replay of the scrubbed recording must give it: scrubbed like the pages,
    with engine-made transaction ids recomputed where scrubbing changed what they hash."""
    view = _whole_redactions(scrub(result_view(result)))
    assert isinstance(view, dict)
    view["institution"] = result.institution
    seen_before: Counter[tuple[str, ...]] = Counter()
    seen_after: Counter[tuple[str, ...]] = Counter()
    for tx, out in zip(result.transactions, view.get("transactions", []), strict=True):
        key = (tx.account_id, str(tx.date), str(tx.amount), tx.raw_label)
        new_key = (out["account_id"], str(tx.date), str(tx.amount), out["raw_label"])
        before, after = seen_before[key], seen_after[new_key]
        seen_before[key] += 1
        seen_after[new_key] += 1
        if new_key != key and tx.id == transaction_id(
                result.institution, tx.account_id, tx.date, tx.amount, tx.raw_label, before):
            out["id"] = transaction_id(result.institution, out["account_id"], tx.date,
                                       Decimal(str(tx.amount)), out["raw_label"], after)
    return view


def _whole_redactions(value: Any) -> Any:
    """The engine's redactor masks a secret even inside a longer word ("4000***7" for a PIN
    inside an account number), which shows where the secret was: widen to the whole word."""
    if isinstance(value, str):
        return PARTIAL_REDACTION.sub("***", value)
    if isinstance(value, dict):
        return {k: _whole_redactions(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole_redactions(v) for v in value]
    return value


def masked_values(recipe: Recipe, stage: str, html: str, account_id: str | None,
                  result: SyncResult, reference: date | None) -> list[str]:
    """Raw values of ``mask: true`` fields: whatever a recipe hides in its output must be
    hidden on disk too, whatever format the site shows it in."""
    block = _block(recipe, stage)
    if block is None:
        return []
    specs = block.field_specs()
    names = [n for n, s in specs.items() if s.mask]
    if not names:
        return []
    plain = block.model_copy(update={"fields": {
        n: s.model_copy(update={"mask": False}) if n in names else s for n, s in specs.items()}})
    with contextlib.suppress(Exception):
        extraction = _extract_with(plain, html, account_id, result, reference, recipe)
        return [str(r[n]) for r in extraction.records for n in names if r.get(n)]
    return []


def block_of(recipe: Recipe, stage: str) -> ListBlock | None:
    """The recipe block a snapshot's stage names (``accounts``, ``accounts[1]`` when there
    are several account sources, ``transactions``, ``holdings``; ``balances``: an API
    recipe's per-account balances)."""
    if stage == "balances":
        return recipe.api.balances if recipe.api is not None else None
    return recipe.block(stage)


_block = block_of
SUFFIXES = {"html": ".html", "json": ".json", "xml": ".xml", "ofx": ".ofx"}


def extract_snapshot(recipe: Recipe, stage: str, html: str, account_id: str | None,
                     result: SyncResult, reference: date | None) -> Extraction | None:
    """What the recipe block of ``stage`` extracts from a document (None: no such block)."""
    block = _block(recipe, stage)
    if block is None:
        return None
    with contextlib.suppress(Exception):
        return _extract_with(block, html, account_id, result, reference, recipe)
    return None


def _extract_with(block: ListBlock, html: str, account_id: str | None, result: SyncResult,
                  reference: date | None, recipe: Recipe) -> Extraction:
    account = next((a.model_dump(mode="json") for a in result.accounts if a.id == account_id),
                   {"id": account_id} if account_id else {})
    return extract_list(html, block, {"account": account, "credentials": {}},
                        reference=reference, institution=recipe.institution)


def extraction_stats(extraction: Extraction) -> tuple[int, dict[str, int]]:
    return extraction.rows, {k: s.matched for k, s in extraction.fields.items()}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def relative_url(url: str, base: str) -> str:
    """Origin-relative for the institution's own origin; absolute for any other host."""
    if url.startswith(base + "/") or url == base:
        return url[len(base):] or "/"
    return url


def exchange_json(seq: int, ex: Exchange, scrub: Scrubber, base: str,
                   bodies: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "seq": seq, "method": ex.method, "url": scrub.text(relative_url(ex.url, base)),
        "resource_type": ex.resource_type, "via": ex.via,
        "request_headers": scrub.headers(ex.request_headers),
        "post_data": scrub.text(ex.post_data) if ex.post_data is not None else None,
        "status": ex.status,
        "headers": scrub.headers({k: v for k, v in ex.headers.items()
                                  if k.lower() not in DROPPED_RESPONSE_HEADERS}),
    }
    if ex.final_url:
        out["final_url"] = scrub.text(relative_url(ex.final_url, base))
    if ex.redirected_from:
        out["redirected_from"] = scrub.text(relative_url(ex.redirected_from, base))
    text = ex.text()
    if ex.skipped:
        out["skipped"] = True
    elif text is not None:
        body = scrub.body(text, ex.headers.get("content-type", ""))
        html = "html" in ex.headers.get("content-type", "")
        if not html and len(body) >= DEDUPE_BYTES and body in bodies:
            out["body_ref"] = bodies[body]  # the same script again: keep it once
        else:
            bodies.setdefault(body, seq)
            out["body"] = body
    elif ex.body:
        out["body_b64"] = base64.b64encode(ex.body).decode("ascii")
    return out


def meta_json(recipe: Recipe, recipe_path: Path, folder: Path, scenario: str, kind: str,
          options: SyncOptions, result: SyncResult, site: dict[str, Any] | None,
          placeholders: dict[str, str], otp: str | None, notes: list[str]) -> dict[str, Any]:
    reference = options.reference_date
    return {
        "institution": recipe.institution.id, "scenario": scenario, "kind": kind,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "recipe": recipe_ref(recipe_path, folder),
        "recipe_hash": hashlib.sha256(recipe_path.read_bytes()).hexdigest(),
        "engine_version": __version__,
        "base_url": origin(options.base_url or recipe.institution.base_url),
        **({"origins": {name: origin(options.origins.get(name) or url)
                        for name, url in recipe.institution.origins.items()}}
           if recipe.institution.origins else {}),
        "credentials": placeholders, "otp_code": otp,
        "reference_date": reference.isoformat() if reference else None,
        "expected_error": result.error.code if result.error else None,
        "outcome": "error" if result.error else "partial" if result.partial else "ok",
        "site": site, "scrub_notes": sorted(set(notes)),
    }


def recipe_ref(recipe_path: Path, folder: Path) -> str:
    repo = folder.resolve().parents[2]
    with contextlib.suppress(ValueError):
        return recipe_path.resolve().relative_to(repo).as_posix()
    return recipe_path.name


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def replace_dir(staging: Path, target: Path) -> None:
    """Swap a fully written staging folder into place, so a failed recording never leaves a
    half-written fixture behind (and an old one is only removed once the new one exists)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


__all__ = ["VOLATILE_KEYS", "Exchange", "Fixture", "FixtureError", "SnapshotInfo", "expected_json",
           "extract_snapshot", "load_fixture", "masked_values", "origin", "relative_url",
           "result_view", "scenario_dirs"]
