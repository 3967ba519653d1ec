"""vcrpy cassettes for API recipes: record the HTTP traffic scrubbed, replay it with no network.

    with api_cassette(folder, mode="record", secrets=credentials.values()) as report:
        result = await engine.sync(recipe, credentials, base_url=live_url)
    with api_cassette(folder, mode="replay") as report:
        result = await engine.sync(recipe, placeholder_credentials(credentials), ...)
    assert not report.unmatched

``path`` is a scenario folder (the cassette is ``path / CASSETTE_NAME``) or a ``.yaml`` file.

**Record** (vcrpy ``record_mode="all"``, any previous cassette replaced) scrubs with vcrpy's own
hooks before anything reaches the disk: ``filter_headers`` drops Authorization, Cookie and
Proxy-Authorization; ``filter_post_data_parameters`` replaces ``client_secret``, ``code`` and
``refresh_token`` in token requests; ``filter_query_parameters`` replaces the OAuth ``state``;
``before_record_request`` / ``before_record_response`` replace, in URLs, header values and
bodies: every given secret, access/refresh/id tokens (learned from token answers, so they are
caught wherever they reappear), the authorization code in ``Location``, IBANs (all but the last
four characters masked, only valid IBANs), counterparty and owner names (``creditorName``...),
and whatever ``mask_patterns`` match. ``Set-Cookie`` answers are dropped.

**Credentials at replay.** Every ``secrets`` value is written as ``SECRET_PLACEHOLDER``. Give
*every* credential value at record time, not only the ``secret: true`` ones: client and PSU ids
travel in URLs. At replay, sync with ``placeholder_credentials(names)`` (every credential is
``SECRET_PLACEHOLDER``), or with any other stand-ins passed again as ``secrets=``: vcrpy runs
the record filters on live requests before matching, so stand-ins are normalized to the same
placeholder. Tokens and codes need nothing: the engine reads the placeholders from the replayed
answers and sends them back, where the same filters meet them.

**Replay** (``record_mode="none"``) never opens a connection. A request with no unplayed
recording is refused before it is sent (through the HTTP backend's request hook), listed in
``CassetteReport.unmatched``, and the sync fails with ``recipe_broken.request_refused``.
Matching is on method, scheme, path, query and body, where query and body ignore what changes
on every run: the ``state`` (and ``nonce``), UUIDs and timestamps in values, and headers
(``X-Request-ID``, the bearer token) are not compared at all. Host and port are not compared
either, so an API recorded on one ephemeral port replays under any ``base_url``. The state the
engine sends is echoed into the replayed redirect, since the engine checks it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from engine.backends.base import FetchResponse
from engine.backends.http import OutgoingRequest, use_request_hook
from engine.extras import MissingExtra
from engine.privacy.documents import Hit, scan_json, scan_url
from engine.privacy.text import ScrubTable, TextScrubber
from engine.privacy.vocabulary import Kind

try:
    import vcr
    from vcr.cassette import Cassette
    from vcr.request import Request as VcrRequest
except ModuleNotFoundError as exc:  # the [harness] extra is not installed
    raise MissingExtra("recording and replaying API recipes (vcrpy cassettes)", "harness",
                       [exc.name or "vcr"]) from None

CASSETTE_NAME = "cassette.yaml"
SECRET_PLACEHOLDER = "__SECRET__"  # noqa: S105 - a placeholder, not a secret
CODE_PLACEHOLDER = "__CODE__"
STATE_PLACEHOLDER = "__STATE__"
TOKEN_PLACEHOLDERS = {"access_token": "__ACCESS_TOKEN__", "refresh_token": "__REFRESH_TOKEN__",
                      "id_token": "__ID_TOKEN__"}
FILTERED_HEADERS = ("authorization", "cookie", "proxy-authorization")
VOLATILE_PARAMS = frozenset({"state", "nonce"})
MATCH_ON = ("method", "scheme", "path", "stable_query", "stable_body")

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\b")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


@dataclass
class CassetteReport:
    """What one ``api_cassette`` block did."""

    path: Path
    mode: Literal["record", "replay"]
    recorded: int = 0
    """Interactions written (record)."""
    played: int = 0
    """Recorded answers served (replay)."""
    unused: int = 0
    """Recorded interactions nobody asked for (replay): the recipe now makes fewer calls."""
    unmatched: list[str] = field(default_factory=list)
    """Requests refused at replay because nothing recorded matches them (never sent)."""

    @property
    def ok(self) -> bool:
        return not self.unmatched


def placeholder_credentials(names: Iterable[str]) -> dict[str, str]:
    """Stand-in credentials for a replay: what the recording shows in place of each value."""
    return dict.fromkeys(names, SECRET_PLACEHOLDER)


def cassette_file(path: Path) -> Path:
    return path if path.suffix in (".yaml", ".yml") else path / CASSETTE_NAME


@contextlib.contextmanager
def api_cassette(path: Path, *, mode: Literal["record", "replay"], secrets: Iterable[str] = (),
                 mask_patterns: Iterable[str] = ()) -> Iterator[CassetteReport]:
    """Record (scrubbed) or replay (offline) every httpx request made inside the block."""
    if mode not in ("record", "replay"):
        raise ValueError(f"mode must be 'record' or 'replay', not {mode!r}")
    file = cassette_file(Path(path))
    report = CassetteReport(file, mode)
    scrubber = Scrubber(secrets, mask_patterns)
    if mode == "record":
        file.parent.mkdir(parents=True, exist_ok=True)
        file.unlink(missing_ok=True)
    elif not file.exists():
        raise FileNotFoundError(f"no cassette to replay at {file}")
    recorder = vcr.VCR(
        serializer="yaml", record_mode="all" if mode == "record" else "none",
        match_on=MATCH_ON, filter_headers=FILTERED_HEADERS,
        filter_query_parameters=[("state", STATE_PLACEHOLDER)],
        filter_post_data_parameters=[
            ("client_secret", SECRET_PLACEHOLDER), ("code", CODE_PLACEHOLDER),
            ("refresh_token", TOKEN_PLACEHOLDERS["refresh_token"])],
        before_record_request=scrubber.request, before_record_response=scrubber.response,
        decode_compressed_response=True,
    )
    recorder.register_matcher("stable_query", _query_matcher)
    recorder.register_matcher("stable_body", _body_matcher)
    with _quiet_vcr(), recorder.use_cassette(str(file)) as cassette:
        hook = _ReplayHook(cassette, report, scrubber) if mode == "replay" else None
        with use_request_hook(hook) if hook is not None else contextlib.nullcontext():
            try:
                yield report
            finally:
                played = [i for i, n in cassette.play_counts.items() if n]
                report.played = cassette.play_count
                report.recorded = len(cassette.data) if mode == "record" else 0
                report.unused = len(cassette.data) - len(played) if mode == "replay" else 0


class Scrubber:
    """Replaces secrets, tokens, codes and personal data in vcrpy's requests and answers.

    Tokens and codes become the placeholders above (and are learned, so they are caught
    wherever they reappear). Personal data is read by type through ``engine.privacy``: every
    JSON value by its key (``creditorName``, ``displayName``, ``email``, ``iban``...) and every
    string by the value detectors; each is replaced by its shape-keeping mask in this body and
    in everything recorded after it. Masking is idempotent, so requests built at replay from
    replayed (already masked) answers are normalized to the very strings recorded."""

    def __init__(self, secrets: Iterable[str] = (), patterns: Iterable[str] = ()) -> None:
        self._table = ScrubTable()
        for value in secrets:
            self.learn(str(value), SECRET_PLACEHOLDER)
        self._patterns = list(patterns)
        self._text: TextScrubber | None = None

    def __repr__(self) -> str:
        return f"Scrubber({len(self._table.literals)} values, {len(self._patterns)} patterns)"

    def learn(self, value: str, placeholder: str) -> None:
        """Replace ``value`` (and its encoded forms) by ``placeholder`` from now on."""
        if len(value) < 3 or value == placeholder or value in self._table.literals:
            return
        self._table.literals[value] = placeholder
        self._text = None

    def text(self, text: str) -> str:
        if self._text is None:
            self._text = self._table.scrubber(self._patterns)
        return self._text.text(text)

    def data(self, node: Any) -> Any:
        """JSON: tokens become placeholders (and are learned); personal values are learned
        (``engine.privacy.documents.scan_json``) and masked when the body is written."""
        self._learn_all(hit for hit in scan_json(node) if hit.kind is not Kind.TOKEN
                        or hit.key not in TOKEN_PLACEHOLDERS)
        return self._tokens(node)

    def _learn_all(self, hits: Iterable[Hit]) -> None:
        before = len(self._table.literals) + len(self._table.keyed)
        self._table.learn_all(hits)
        if len(self._table.literals) + len(self._table.keyed) != before:
            self._text = None

    def _tokens(self, node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key in TOKEN_PLACEHOLDERS and isinstance(value, str):
                    self.learn(value, TOKEN_PLACEHOLDERS[key])
                    out[key] = TOKEN_PLACEHOLDERS[key]
                else:
                    out[key] = self._tokens(value)
            return out
        if isinstance(node, list):
            return [self._tokens(value) for value in node]
        return node

    def body(self, raw: bytes | str | None) -> bytes | str | None:
        if not raw:
            return raw
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            return raw  # binary: nothing an API recipe reads
        with contextlib.suppress(ValueError):
            text = json.dumps(self.data(json.loads(text)), ensure_ascii=False)
        return self.text(text).encode("utf-8")

    # -- vcrpy hooks ------------------------------------------------------------------------
    def request(self, request: VcrRequest) -> VcrRequest:
        self._learn_all(scan_url(request.uri))
        request.uri = self.text(request.uri)
        request.body = self.body(request.body)
        for name in list(request.headers):
            request.headers[name] = self.text(str(request.headers[name]))
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        body = response.get("body", {})
        body["string"] = self.body(body.get("string"))  # first: learns the tokens
        headers: dict[str, list[str]] = {}
        for name, values in response.get("headers", {}).items():
            lower = name.lower()
            if lower == "set-cookie":
                continue
            if lower == "location":
                values = [self._location(v) for v in values]
            elif lower == "content-length" and isinstance(body["string"], bytes | str):
                values = [str(len(body["string"]))]
            headers[name] = [self.text(str(v)) for v in values]
        response["headers"] = headers
        return response

    def _location(self, location: str) -> str:
        parts = urlsplit(location)
        query = []
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key == "code":
                self.learn(value, CODE_PLACEHOLDER)
                value = CODE_PLACEHOLDER
            elif key == "state":
                value = STATE_PLACEHOLDER
            query.append((key, value))
        return urlunsplit(parts._replace(query=urlencode(query, safe="_")))


class _ReplayHook:
    """Refuses what the cassette cannot answer; echoes the live ``state`` into redirects."""

    def __init__(self, cassette: Cassette, report: CassetteReport, scrubber: Scrubber) -> None:
        self._cassette = cassette
        self._report = report
        self._scrubber = scrubber

    def before(self, request: OutgoingRequest) -> str | None:
        candidate = VcrRequest(request.method, request.url, request.body, request.headers)
        if self._cassette.can_play_response_for(candidate):
            return None
        parts = urlsplit(self._scrubber.text(request.url))
        query = [(k, STATE_PLACEHOLDER if k in VOLATILE_PARAMS else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        self._report.unmatched.append(
            f"{request.method} {parts.path}" + (f"?{urlencode(query, safe='_')}" if query else ""))
        return "no recorded answer matches it (replay)"

    def after(self, request: OutgoingRequest, response: FetchResponse) -> FetchResponse:
        location = response.headers.get("location", "")
        state = dict(parse_qsl(urlsplit(request.url).query)).get("state")
        if state and f"state={STATE_PLACEHOLDER}" in location:
            headers = dict(response.headers)
            headers["location"] = location.replace(f"state={STATE_PLACEHOLDER}",
                                                   f"state={quote(state, safe='')}")
            return dataclasses.replace(response, headers=headers)
        return response


# -- matching -------------------------------------------------------------------------------
def _stable_value(value: str) -> str:
    return _UUID.sub("__UUID__", _TIMESTAMP.sub("__TIMESTAMP__", value))


@functools.lru_cache(maxsize=1024)
def _stable_pairs(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, _stable_value(v)) for k, v in parse_qsl(
        query, keep_blank_values=True) if k not in VOLATILE_PARAMS))


def _stable_json(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _stable_json(v) for k, v in node.items() if k not in VOLATILE_PARAMS}
    if isinstance(node, list):
        return [_stable_json(v) for v in node]
    return _stable_value(node) if isinstance(node, str) else node


def _stable_body(body: Any) -> Any:
    """What of a body must match: JSON and forms normalized, volatile values ignored."""
    if isinstance(body, Sequence) and not isinstance(body, bytes | str):
        body = b"".join(body)
    return _stable_text(body) if body else None


@functools.lru_cache(maxsize=1024)
def _stable_text(body: bytes | str) -> Any:
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    except UnicodeDecodeError:
        return body
    try:
        return json.dumps(_stable_json(json.loads(text)), sort_keys=True)
    except ValueError:
        pass
    try:
        return _stable_pairs_strict(text)
    except ValueError:
        return text


def _stable_pairs_strict(text: str) -> tuple[tuple[str, str], ...]:
    parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    return _stable_pairs(text)


def _query_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    one, two = _stable_pairs(urlsplit(r1.uri).query), _stable_pairs(urlsplit(r2.uri).query)
    if one != two:
        raise AssertionError(f"query {one} != {two}")


def _body_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    one, two = _stable_body(r1.body), _stable_body(r2.body)
    if one != two:
        raise AssertionError("bodies differ")


@contextlib.contextmanager
def _quiet_vcr() -> Iterator[None]:
    """vcrpy logs requests and whole answers at INFO; answers carry tokens before scrubbing."""
    logger = logging.getLogger("vcr")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
