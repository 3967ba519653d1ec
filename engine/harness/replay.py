"""Replay a recorded scenario: the real recipe in the real browser, the network served only
from the recording, the result compared field by field with expected.json.

Every request of the browser context is answered by ``Replayer.serve`` (the backend's serve
hook: ``engine.backends.interception``) and ``fetch()`` by its hook; both answer from the
recording or refuse. A request with no recording is aborted and
reported, never sent (icons and fonts fetched this time only are refused without a report, as
the live engine blocks such assets). Two things no route sees are handled too: a redirect the
browser would follow by itself is answered with the end of its recorded chain (the address bar
moved to the final URL), and the context's guard proxy is offline (it relays nothing), so
Chromium's speculative connections and anything no route answers cannot reach any host. Replay
therefore works with the site gone and cannot reach, or lock out, a real account.

Matching: method, origin-relative path and query, with volatile parameters ignored (cache
busters, timestamps; opaque tokens as a fallback); a GET repeated more often than recorded gets
the last answer again; other methods (POST...) are matched by method and path in recorded
order, since their bodies were scrubbed. Credentials typed are the recording's placeholders
(meta.json), which the scrubbed pages (keypad included) were rewritten for. API recipes replay
from their vcrpy cassette instead (engine/harness/cassette.py).
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, urljoin, urlsplit

from engine.api import Engine
from engine.backends.base import Backend, FetchResponse, NavigationFailed
from engine.backends.browser import BrowserSession
from engine.backends.interception import Abort, InterceptedRequest, Reply
from engine.harness.fixture import VOLATILE_KEYS, load_fixture, result_view
from engine.harness.record import Tap
from engine.models import SyncResult
from engine.recipe import load_recipe
from engine.runner.context import SyncOptions
from engine.runner.session import run_sync, wait_for_pending_closes

VOLATILE_PARAMS = frozenset({"_", "t", "ts", "_t", "_ts", "timestamp", "time", "cb",
                             "cachebuster", "cache_buster", "nocache", "no_cache", "rnd", "rand",
                             "random", "nonce", "bust"})
EPOCH = re.compile(r"1[0-9]{9}(?:[0-9]{3})?")
TOKEN_LIKE = re.compile(r"(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-.~%]{16,}|[0-9a-fA-F]{8,}")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ASSET_SUFFIXES = (".ico", ".png", ".svg", ".gif", ".jpg", ".jpeg", ".webp", ".woff", ".woff2",
                  ".ttf", ".otf", ".css", ".map")
Key = tuple[str, str, tuple[tuple[str, str], ...]]


@dataclass
class FieldDiff:
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {_show(self.expected)}, got {_show(self.actual)}"


@dataclass
class ReplayOutcome:
    result: SyncResult
    expected: dict[str, Any] | None
    diffs: list[FieldDiff]
    unmatched_requests: list[str]
    screenshot: bytes | None
    ok: bool


@dataclass
class Replayer:
    """Serves one recording; remembers what it could not serve."""

    exchanges: list[dict[str, Any]]
    base_url: str
    unmatched: list[str] = field(default_factory=list)
    served: int = 0
    _pools: dict[Key, list[dict[str, Any]]] = field(default_factory=dict)
    _used: Counter[Key] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._by_seq = {e.get("seq"): e for e in self.exchanges}
        for exchange in self.exchanges:
            key = self.key(str(exchange["method"]), str(exchange["url"]))
            self._pools.setdefault(key, []).append(exchange)

    def key(self, method: str, url: str) -> Key:
        parts = urlsplit(self._relative(url))
        origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
        method = method.upper()
        if method not in SAFE_METHODS:
            return method, origin + parts.path, ()
        params = tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                              if k.lower() not in VOLATILE_PARAMS and not EPOCH.fullmatch(v)))
        return method, origin + parts.path, params

    def take(self, method: str, url: str, *, report: bool = True) -> dict[str, Any] | None:
        """The recorded answer for this request, or None (then it is reported)."""
        key = self.key(method, url)
        pool = self._pools.get(key)
        if pool is None and key[0] in SAFE_METHODS:
            key = next((k for k in self._pools if _same_but_tokens(k, key)), key)
            pool = self._pools.get(key)
        used = self._used[key]
        if not pool or (used >= len(pool) and key[0] not in SAFE_METHODS):
            if report:
                self.unmatched.append(f"{method.upper()} {self._relative(url)}")
            return None
        self._used[key] += 1
        self.served += 1
        return pool[min(used, len(pool) - 1)]

    async def serve(self, request: InterceptedRequest) -> Reply | Abort:
        """The answer to one request of the browser context (the backend's serve hook)."""
        # an icon or font the browser fetched this time only is refused but not a difference
        asset = urlsplit(request.url).path.lower().endswith(ASSET_SUFFIXES)
        exchange = self.take(request.method, request.url, report=not asset)
        url, body = request.url, b""
        if exchange is not None and _location(exchange):
            # A redirect the browser followed itself would bypass every route and reach the
            # network: answer with where the recorded chain ends instead (see _collapse).
            exchange, url = self._follow(request.method, url, exchange)
            if exchange is not None:
                body = _collapse(request, url, exchange, self.body(exchange))
        elif exchange is not None:
            body = self.body(exchange)
        if exchange is None or not exchange.get("status"):
            return Abort("failed")
        if exchange.get("skipped"):
            return Abort("blockedbyclient")  # an asset the live engine blocks too
        status = int(exchange["status"])
        headers = {str(k): str(v) for k, v in (exchange.get("headers") or {}).items()
                   if str(k).lower() != "location"}
        if body.startswith(_INTERSTITIAL):
            status, headers = 200, {"content-type": "text/html; charset=utf-8"}
        return Reply(status=status, headers=headers, body=body)

    def _follow(self, method: str, url: str, exchange: dict[str, Any]
                ) -> tuple[dict[str, Any] | None, str]:
        """The recorded end of a redirect chain (and its URL), each hop counted as served."""
        for _hop in range(10):
            location = _location(exchange)
            if not location:
                return exchange, url
            status = int(exchange.get("status") or 0)
            url = urljoin(url, location)
            if status == 303 or (status in (301, 302) and method == "POST"):
                method = "GET"
            found = self.take(method, url)
            if found is None:
                return None, url
            exchange = found
        return None, url

    async def fetch(self, url: str, timeout: float,
                    real: Callable[[str, float], Awaitable[FetchResponse]]) -> FetchResponse:
        del timeout, real  # never touches the network
        exchange = self.take("GET", url)
        if exchange is None or not exchange.get("status") or exchange.get("skipped"):
            raise NavigationFailed(url, "net::ERR_FAILED (not in the recording)")
        final = exchange.get("final_url")
        return FetchResponse(url=urljoin(self.base_url + "/", final) if final else url,
                             status=int(exchange["status"]),
                             text=self.body(exchange).decode("utf-8", errors="replace"),
                             headers={str(k).lower(): str(v) for k, v in
                                      (exchange.get("headers") or {}).items()})

    def _relative(self, url: str) -> str:
        base = self.base_url.rstrip("/")
        return url[len(base):] or "/" if url.startswith(base + "/") or url == base else url


    def body(self, exchange: dict[str, Any]) -> bytes:
        if "body_ref" in exchange:
            exchange = self._by_seq.get(exchange["body_ref"], {})
        return _body(exchange)


_INTERSTITIAL = b"<!-- replay: cross-origin redirect -->"


def _location(exchange: dict[str, Any]) -> str | None:
    if int(exchange.get("status") or 0) not in (301, 302, 303, 307, 308):
        return None
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    return headers.get("location") or None


def _collapse(request: InterceptedRequest, final_url: str, exchange: dict[str, Any],
              body: bytes) -> bytes:
    """Serve a redirect chain's last answer to its first request. A document also gets a
    one-line script that moves the address bar to the final URL (history.replaceState, then
    the script removes itself), so page.url, relative links and URL rules are as recorded; a
    cross-origin end gets a meta refresh instead, whose navigation the routes do see."""
    if request.resource_type != "document":
        return body
    if urlsplit(final_url)[:2] != urlsplit(request.url)[:2]:
        target = json.dumps(final_url).replace("<", "\\u003c")
        return (_INTERSTITIAL + b'<meta http-equiv="refresh" content="0;url='
                + html.escape(final_url).encode() + b'"><script>location.replace('
                + target.encode() + b")</script>")
    headers = {str(k).lower(): str(v) for k, v in (exchange.get("headers") or {}).items()}
    if "html" not in headers.get("content-type", "text/html"):
        return body
    shim = ('<script>history.replaceState(history.state,"",' + json.dumps(final_url)
            .replace("<", "\\u003c") + ");document.currentScript.remove()</script>")
    return shim.encode() + body


def _body(exchange: dict[str, Any]) -> bytes:
    if exchange.get("body") is not None:
        return str(exchange["body"]).encode("utf-8")
    if exchange.get("body_b64"):
        return base64.b64decode(exchange["body_b64"])
    return b""


def _same_but_tokens(recorded: Key, wanted: Key) -> bool:
    """Same method, path and parameter names; differing values are all opaque tokens (a value
    the page generated, or one the recording itself issued and scrubbed)."""
    if recorded[:2] != wanted[:2] or [k for k, _ in recorded[2]] != [k for k, _ in wanted[2]]:
        return False
    return all(a == b or (TOKEN_LIKE.fullmatch(a) and TOKEN_LIKE.fullmatch(b))
               or "scrubbed" in a for (_, a), (_, b) in zip(recorded[2], wanted[2], strict=True))


async def replay_scenario(recipe_path: Path, fixture_dir: Path, *,
                          engine: Engine | None = None) -> ReplayOutcome:
    """Run the recipe against the recording in ``fixture_dir`` and compare with expected."""
    recipe = load_recipe(recipe_path)
    fixture = load_fixture(fixture_dir)
    meta = fixture.meta
    if meta.get("kind") == "api" or recipe.institution.backend == "http":
        return await _replay_api(recipe_path, Path(fixture_dir), engine)
    base = str(meta.get("base_url") or recipe.institution.base_url).rstrip("/")
    replayer = Replayer(fixture.exchanges(), base)
    placeholders = {str(k): str(v) for k, v in (meta.get("credentials") or {}).items()}
    credentials = {c.name: placeholders.get(c.name, f"missing-{c.name}")
                   for c in recipe.credentials}
    reference = meta.get("reference_date")
    options = SyncOptions(base_url=base, otp_code=meta.get("otp_code") or None,
                          reference_date=date.fromisoformat(reference) if reference else None)
    shots: list[bytes] = []

    async def last_look(session: BrowserSession) -> None:
        shot = await session.screenshot()
        if shot is not None:
            shots.append(shot)

    owned = engine is None
    host_engine = engine or Engine(max_concurrency=1)

    async def open_backend() -> Backend:
        session = await host_engine.host.new_session(
            allowed_domains=recipe.institution.allowed_domains, block_resources=True,
            serve=replayer.serve, fetch_hook=replayer.fetch,
            load_resources=frozenset(recipe.institution.load_resources), offline=True)
        return cast(Backend, Tap(session, last_look))

    try:
        result = await run_sync(recipe, open_backend, credentials, options)
        await wait_for_pending_closes()
    finally:
        if owned:
            with contextlib.suppress(Exception):
                await host_engine.close()
    expected = fixture.expected
    diffs = diff_results(expected, result_view(result)) if expected is not None else []
    unmatched = list(dict.fromkeys(replayer.unmatched))
    return ReplayOutcome(result=result, expected=expected, diffs=diffs,
                         unmatched_requests=unmatched, screenshot=shots[0] if shots else None,
                         ok=expected is not None and not diffs and not unmatched)


async def _replay_api(recipe_path: Path, fixture_dir: Path,
                      engine: Engine | None) -> ReplayOutcome:
    """API recipes replay from their vcrpy cassette (cassette.py): no browser at all."""
    from engine.harness.cassette import api_cassette, placeholder_credentials

    recipe = load_recipe(recipe_path)
    fixture = load_fixture(fixture_dir)
    reference = fixture.meta.get("reference_date")
    options = SyncOptions(base_url=str(fixture.meta.get("base_url") or "") or None,
                          reference_date=date.fromisoformat(reference) if reference else None)
    stand_ins = placeholder_credentials(c.name for c in recipe.credentials)
    host = engine or Engine(max_concurrency=1)
    try:
        with api_cassette(fixture_dir, mode="replay", secrets=stand_ins.values()) as report:
            result = await host.sync(recipe, stand_ins, options)
    finally:
        if engine is None:
            await host.close()
    diffs = (diff_results(fixture.expected, result_view(result))
             if fixture.expected is not None else [])
    return ReplayOutcome(result=result, expected=fixture.expected, diffs=diffs,
                         unmatched_requests=list(report.unmatched), screenshot=None,
                         ok=fixture.expected is not None and not diffs and not report.unmatched)


# ----------------------------------------------------------------------------- comparison

_MISSING = object()


def diff_results(expected: dict[str, Any], actual: dict[str, Any]) -> list[FieldDiff]:
    """Every difference as ``path: expected X, got Y`` (``transactions[12].amount``). Lists
    are compared position by position; an item's ``id`` is only reported when nothing else in
    it differs (ids hash the other fields, so they would only repeat the news)."""
    expected = _without_refusal_detail(
        {k: v for k, v in expected.items() if k not in VOLATILE_KEYS})
    actual = _without_refusal_detail({k: v for k, v in actual.items() if k not in VOLATILE_KEYS})
    out: list[FieldDiff] = []
    _diff(expected, actual, "", out)
    return out


REFUSAL_WARNING = "refused requests to hosts outside allowed_domains: "


def _without_refusal_detail(result: dict[str, Any]) -> dict[str, Any]:
    """The refusal warning reduced to the hosts refused: which requests a page attempts (its
    preconnects, a tracker's retries) varies from run to run, offline replay included; that a
    foreign host was refused is what must not change silently."""
    warnings = result.get("warnings")
    if not isinstance(warnings, list):
        return result
    kept = []
    for warning in warnings:
        if isinstance(warning, str) and warning.startswith(REFUSAL_WARNING):
            hosts = sorted(set(re.findall(r"(?:https?://|^|, )([a-z0-9.-]+(?::\d+)?)/",
                                          warning[len(REFUSAL_WARNING):])))
            warning = REFUSAL_WARNING + ", ".join(hosts)
        kept.append(warning)
    return {**result, "warnings": kept}


def _diff(expected: Any, actual: Any, path: str, out: list[FieldDiff]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[FieldDiff] = []
        for key in [*expected, *(k for k in actual if k not in expected)]:
            _diff(expected.get(key, _MISSING), actual.get(key, _MISSING),
                  f"{path}.{key}" if path else str(key), found)
        if "id" in expected and len(found) > 1:
            found = [d for d in found if d.path != f"{path}.id"]
        out.extend(found)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(FieldDiff(f"len({path})", len(expected), len(actual)))
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _diff(e, a, f"{path}[{i}]", out)
        shorter = min(len(expected), len(actual))
        out.extend(FieldDiff(f"{path}[{i}]", e, None) for i, e in enumerate(expected)
                   if i >= shorter)
        out.extend(FieldDiff(f"{path}[{i}]", None, a) for i, a in enumerate(actual)
                   if i >= shorter)
    elif expected != actual and not _redacted_match(expected, actual):
        out.append(FieldDiff(path, None if expected is _MISSING else expected,
                             None if actual is _MISSING else actual))


def _redacted_match(expected: Any, actual: Any) -> bool:
    """``***`` in expected.json stands for a redacted secret: it matches any text."""
    if not (isinstance(expected, str) and isinstance(actual, str) and "***" in expected):
        return False
    pattern = ".+?".join(re.escape(part) for part in expected.split("***"))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def _show(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value):
        return value
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def format_outcome(outcome: ReplayOutcome, limit: int = 50) -> list[str]:
    """Lines for a person, cause first: the sync's own error (kind, step, selector, page),
    then a count of differences per path, then the first ``limit`` differences, then the
    requests the recording had no answer for."""
    lines: list[str] = []
    error = outcome.result.error
    expected_error = ((outcome.expected or {}).get("error") or {}).get("code")
    if error is not None and error.code != expected_error:
        where = ", ".join(f"{k} {v}" for k, v in (("step", error.step),
                                                  ("selector", error.selector),
                                                  ("page", error.url)) if v)
        lines.append(f"error {error.code}" + (f" at {where}" if where else "")
                     + f": {error.message}")
    for failure in outcome.result.account_failures:
        e = failure.error
        lines.append(f"account {failure.account_id} {failure.stage}: {e.code}"
                     + (f" at step {e.step}" if e.step else "")
                     + (f", selector {e.selector}" if e.selector else "") + f": {e.message}")
    if outcome.diffs:
        counts: dict[str, int] = {}
        for diff in outcome.diffs:
            head = diff.path.split("[")[0].split(".")[0]
            counts[head] = counts.get(head, 0) + 1
        lines.append(f"{len(outcome.diffs)} difference(s) from expected.json: "
                     + ", ".join(f"{n} in {path}" for path, n in counts.items()))
    lines += [str(d) for d in outcome.diffs[:limit]]
    if len(outcome.diffs) > limit:
        lines.append(f"... and {len(outcome.diffs) - limit} more differences")
    lines += [f"not in the recording (refused): {r}" for r in outcome.unmatched_requests]
    if outcome.expected is None:
        lines.append("no expected.json to compare with")
    return lines


__all__ = ["FieldDiff", "ReplayOutcome", "Replayer", "diff_results", "format_outcome",
           "replay_scenario"]
