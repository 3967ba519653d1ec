"""The on-disk format of a recorded scenario: what ``engine record`` writes and everything else
(replay, check, drift, reports, pytest) reads.

One scenario is one folder, ``fixtures/<institution>/<scenario>/``::

    meta.json        {"institution", "scenario", "kind": "browser"|"api", "recorded_at",
                      "recipe": path relative to the repository (when it is inside it),
                      "recipe_hash": sha256 of the recipe file at record time,
                      "engine_version", "base_url": origin the site had at record time,
                      "credentials": {name: placeholder}   what replay types instead,
                      "otp_code": placeholder or null      what replay answers a code prompt with,
                      "reference_date": "YYYY-MM-DD"       'today' of the recording (year-less dates),
                      "expected_error": error code or null, "outcome": ok|partial|error,
                      "site": optional {"module", "layout", "scenario"} (how it was produced),
                      "scrub_notes": [...]                 anything the scrub could not guarantee}
    exchanges.json   [{"seq", "method", "url" (origin-relative when same-origin), "resource_type",
                       "via": "browser"|"fetch", "request_headers", "post_data", "status",
                       "headers", "body" | "body_b64" | "skipped": true, "final_url"?}]
    snapshots/index.json  [{"file", "stage", "account_id", "page_number", "url", "rows",
                            "fields": {name: matched_count}}]
    snapshots/NNN-<stage>.html   the document extracted from, at each extraction point
    snapshots/final.html         the last page of a failed sync
    screenshots/NNN-<stage>.png  the snapshot rendered (viewport); final.png for a failed sync
    expected.json    the SyncResult as JSON minus volatile keys (see ``VOLATILE_KEYS``)
    cassette.yaml    API recipes only (engine/harness/cassette.py)

Everything in the folder has been through ``engine.harness.scrub`` before being written:
credentials are placeholders, cookies and auth headers are gone, tokens are replaced, account
numbers and the customer's name are masked. ``skipped`` exchanges are assets (images, fonts,
stylesheets) whose bodies nothing needs; replay refuses them silently, as the live engine
blocks them. Screenshots are rendered from the scrubbed snapshots, never taken of the live
page, so no pixel can show what the text scrub removed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.models import SyncResult

VOLATILE_KEYS = ("started_at", "finished_at", "timings_ms", "session_state", "resume_state")
"""Top-level SyncResult keys that differ on every run and are never compared."""

META, EXCHANGES, EXPECTED, SNAPSHOTS, SCREENSHOTS = (
    "meta.json", "exchanges.json", "expected.json", "snapshots", "screenshots")
INDEX = "index.json"


@dataclass
class SnapshotInfo:
    """One extraction point: which document, for which stage/account/page, what matched."""

    file: str
    stage: str
    account_id: str | None
    page_number: int
    url: str
    rows: int
    fields: dict[str, int]


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
        path = self.path / EXCHANGES
        return list(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else []

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
    skipped: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

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
    meta = json.loads((path / META).read_text(encoding="utf-8"))
    index_path = path / SNAPSHOTS / INDEX
    snapshots = [SnapshotInfo(**item) for item in json.loads(index_path.read_text("utf-8"))] \
        if index_path.exists() else []
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


__all__ = ["Exchange", "Fixture", "SnapshotInfo", "VOLATILE_KEYS", "load_fixture",
           "result_view", "scenario_dirs"]
