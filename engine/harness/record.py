"""Record a live sync as a fixture: every exchange, every extraction point, the result.

The sync is the real one (``run_sync`` with the recipe, in the engine's browser, with the
engine's resource blocking); recording only adds a tap on the browser context (the backend
fetches each request itself and shows the answer here: ``engine.backends.interception``), a
hook on ``fetch()`` (whose ``context.request`` no route sees), an observer for the documents
extracted from, and a look at the last page before the browser context closes. Nothing is
written until the whole recording has been scrubbed (``engine.harness.scrub``), into a
staging folder swapped in at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, cast

from engine.api import Engine
from engine.backends.base import Backend, FetchResponse
from engine.backends.browser import BrowserSession
from engine.backends.interception import Done, InterceptedRequest, Reply
from engine.harness import fixture as fx
from engine.harness import login_pages
from engine.harness.fixture import Exchange
from engine.harness.har import write_har
from engine.harness.pages import next_facts
from engine.harness.scrub import keypad_pages, keypad_specs, make_placeholder, plan_scrub
from engine.models import SyncResult
from engine.recipe import Recipe, load_recipe
from engine.recipe.templates import render, template_references
from engine.runner.context import DocumentSeen, OtpChallenge, SyncOptions
from engine.runner.session import run_sync, wait_for_pending_closes
from engine.secrets import Secret

ASSET_TYPES = ("image/", "font/", "audio/", "video/", "text/css", "application/font")
SCREENSHOT_VIEWPORT = {"width": 900, "height": 560}
Fetch = Callable[[str, float], Awaitable[FetchResponse]]


@dataclass
class RecordOutcome:
    result: SyncResult
    fixture_dir: Path


@dataclass
class Recorder:
    """Collects a sync's traffic and documents in memory (nothing is scrubbed yet); the
    backend's recording tap (``engine.backends.interception.RecordingTap``)."""

    exchanges: list[Exchange] = field(default_factory=list)
    documents: list[tuple[DocumentSeen, str]] = field(default_factory=list)
    login_pages: list[tuple[str, str]] = field(default_factory=list)
    """(URL, document) the login steps acted on, each distinct document once: a page drawn
    by JavaScript shows its login form only here, never in its HTTP answers."""
    final_html: str | None = None
    otp_codes: list[str] = field(default_factory=list)
    keep: frozenset[str] = frozenset()
    """Resource types the recipe loads (``load_resources``): recorded like the rest."""
    _last_fetch: str | None = None

    def request(self, request: InterceptedRequest) -> Done:
        if request.main_navigation:
            self._last_fetch = None
        entry = Exchange(method=request.method, url=request.url,
                         resource_type=request.resource_type, via="browser",
                         request_headers=dict(request.headers), post_data=request.post_data,
                         status=0, headers={}, body=None)
        self.exchanges.append(entry)  # in request order: replay matches POSTs in this order

        def done(reply: Reply | None) -> None:
            if reply is None:
                return  # status 0: replay fails it the same way
            entry.status, entry.headers = reply.status, dict(reply.headers)
            entry.skipped = self._asset(entry)
            entry.body = None if entry.skipped else reply.body

        return done

    def redirect(self, request: InterceptedRequest, reply: Reply, previous: str) -> None:
        entry = Exchange(method=request.method, url=request.url,
                         resource_type=request.resource_type, via="redirect",
                         request_headers=dict(request.headers), post_data=None,
                         status=reply.status, headers=dict(reply.headers), body=None,
                         redirected_from=previous)
        entry.skipped = self._asset(entry)
        if not entry.skipped and not 300 <= reply.status < 400:
            entry.body = reply.body
        self.exchanges.append(entry)

    def _asset(self, entry: Exchange) -> bool:
        return (entry.headers.get("content-type", "").startswith(ASSET_TYPES)
                and entry.resource_type not in self.keep)

    async def fetch(self, url: str, timeout: float, real: Fetch) -> FetchResponse:
        entry = Exchange(method="GET", url=url, resource_type="fetch", via="fetch",
                         request_headers={}, post_data=None, status=0, headers={}, body=None)
        self.exchanges.append(entry)
        response = await real(url, timeout)
        entry.status, entry.headers = response.status, dict(response.headers)
        entry.body = response.text.encode("utf-8")
        entry.final_url = response.url if response.url != url else None
        self._last_fetch = url
        return response

    def observe(self, document: DocumentSeen) -> None:
        # In http mode the runner reports the page's URL, not the fetched one: use the latter.
        self.documents.append((document, self._last_fetch or document.url))


class Tap:
    """Delegates everything to the session; reads the final page before it closes."""

    async def before_action(self, selector: str) -> None:
        """Called before an action on ``selector`` (recording looks at login pages)."""

    def __init__(self, inner: BrowserSession, on_close: Callable[[BrowserSession],
                                                                 Awaitable[None]]) -> None:
        self._inner = inner
        self._on_close = on_close

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._on_close(self._inner), 5)
        await self._inner.close()


class RecordingTap(Tap):
    """Also keeps the document each login action acts on (until the first list page)."""

    def __init__(self, inner: BrowserSession, on_close: Callable[[BrowserSession],
                                                                 Awaitable[None]],
                 recorder: Recorder) -> None:
        super().__init__(inner, on_close)
        self._recorder = recorder

    async def before_action(self, selector: str) -> None:
        recorder = self._recorder
        if recorder.documents or len(recorder.login_pages) >= 20:
            return
        with contextlib.suppress(Exception):
            html = await self._inner.content()
            if all(html != seen for _url, seen in recorder.login_pages):
                recorder.login_pages.append((self._inner.url, html))

    async def fill(self, selector: str, value: str, *, timeout: float) -> None:
        await self.before_action(selector)
        await self._inner.fill(selector, value, timeout=timeout)

    async def click(self, selector: str, *, timeout: float, nth: int | None = None,
                    settle: bool = True) -> None:
        await self.before_action(selector)
        await self._inner.click(selector, timeout=timeout, nth=nth, settle=settle)

    async def click_sequence(self, selector: str, indices: list[int], *,
                             timeout: float) -> None:
        await self.before_action(selector)
        await self._inner.click_sequence(selector, indices, timeout=timeout)

    async def press(self, selector: str, key: str, *, timeout: float) -> None:
        await self.before_action(selector)
        await self._inner.press(selector, key, timeout=timeout)

    async def select(self, selector: str, *, value: str | None, label: str | None,
                     timeout: float) -> None:
        await self.before_action(selector)
        await self._inner.select(selector, value=value, label=label, timeout=timeout)


async def record_scenario(recipe_path: Path, credentials: Mapping[str, str], target: Path, *,
                          scenario: str, base_url: str | None = None,
                          engine: Engine | None = None, otp_code: str | None = None,
                          site: dict[str, Any] | None = None) -> RecordOutcome:
    """Sync the live site and save the scrubbed recording as
    ``target/<institution>/<scenario>/`` (``target`` is a fixtures root)."""
    options = SyncOptions(base_url=base_url, otp_code=otp_code)
    return await record_sync(recipe_path, credentials, target, scenario=scenario,
                             options=options, engine=engine, site=site)


async def record_sync(recipe_path: Path, credentials: Mapping[str, str | Secret], target: Path,
                      *, scenario: str, options: SyncOptions | None = None,
                      engine: Engine | None = None,
                      site: dict[str, Any] | None = None) -> RecordOutcome:
    """``record_scenario`` with full ``SyncOptions`` (``engine run --save-fixture``)."""
    recipe_path = Path(recipe_path)
    recipe = load_recipe(recipe_path)
    options = options or SyncOptions()
    options = replace(options, reference_date=options.reference_date or date.today())
    if recipe.institution.backend == "http":
        return await _record_api(recipe, recipe_path, credentials, Path(target), scenario,
                                 options, engine, site)
    recorder = Recorder(keep=frozenset(recipe.institution.load_resources))
    if options.otp_code:
        recorder.otp_codes.append(options.otp_code)
    options = _wrap_options(options, recorder)
    owned = engine is None
    host_engine = engine or Engine(max_concurrency=1)

    async def capture_final(session: BrowserSession) -> None:
        await session.drain_tap()
        recorder.final_html = await session.content()

    async def open_backend() -> Backend:
        session = await host_engine.host.new_session(
            allowed_domains=recipe.institution.allowed_domains, block_resources=True,
            tap=recorder, fetch_hook=recorder.fetch, load_resources=recorder.keep)
        return cast(Backend, RecordingTap(session, capture_final, recorder))

    try:
        result = await run_sync(recipe, open_backend, credentials, options)
        await wait_for_pending_closes()
        folder = Path(target) / recipe.institution.id / scenario
        plain = {k: v.reveal() if isinstance(v, Secret) else str(v)
                 for k, v in credentials.items()}
        await _write(folder, recipe, recipe_path, plain, recorder, result, options, host_engine,
                     scenario, site)
    finally:
        if owned:
            await host_engine.close()
    return RecordOutcome(result=result, fixture_dir=folder)


async def _record_api(recipe: Recipe, recipe_path: Path,
                      credentials: Mapping[str, str | Secret], target: Path, scenario: str,
                      options: SyncOptions, engine: Engine | None,
                      site: dict[str, Any] | None) -> RecordOutcome:
    """API recipes: the HTTP traffic goes into a scrubbed vcrpy cassette (cassette.py), and
    expected.json is what that cassette replays to, offline, right away: the scrubbed form of
    the live result by construction (the live one is compared, figure by figure)."""
    from engine.harness.cassette import api_cassette, placeholder_credentials
    from engine.harness.compare import diff_results

    folder = target / recipe.institution.id / scenario
    staging = folder.with_name(f".{folder.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    plain = {k: v.reveal() if isinstance(v, Secret) else str(v) for k, v in credentials.items()}
    secrets = [*plain.values(), *([options.otp_code] if options.otp_code else [])]
    owned = engine is None
    host = engine or Engine(max_concurrency=1)
    try:
        with api_cassette(staging, mode="record", secrets=secrets,
                          mask_patterns=recipe.scrub.patterns):
            live = await host.sync(recipe, credentials, options)
        stand_ins = placeholder_credentials(plain)
        again = SyncOptions(base_url=options.base_url, reference_date=options.reference_date)
        with api_cassette(staging, mode="replay", secrets=stand_ins.values()):
            replayed = await host.sync(recipe, stand_ins, again)
    finally:
        if owned:
            await host.close()
    notes = [f"scrubbing changed {d.path}" for d in diff_results(
        fx.result_view(live), fx.result_view(replayed))
        if d.path.rsplit(".", 1)[-1] in ("amount", "balance", "date", "quantity", "valuation")
        or d.path.startswith("len(")]
    fx.write_json(staging / fx.EXPECTED, fx.result_view(replayed))
    fx.write_json(staging / fx.META, fx.meta_json(
        recipe, recipe_path, folder, scenario, "api", options, live, site, stand_ins, None,
        notes))
    fx.replace_dir(staging, folder)
    return RecordOutcome(result=live, fixture_dir=folder)


def _wrap_options(options: SyncOptions, recorder: Recorder) -> SyncOptions:
    """Observe documents and remember any one-time code typed, whoever supplies it."""
    previous_observer, callback = options.observer, options.otp_callback

    def observe(document: DocumentSeen) -> None:
        recorder.observe(document)
        if previous_observer is not None:
            previous_observer(document)

    options = replace(options, observer=observe)
    if callback is not None:
        async def ask(challenge: OtpChallenge) -> str | None:
            code = await callback(challenge)
            if code:
                recorder.otp_codes.append(code)
            return code

        options = replace(options, otp_callback=ask)
    return options


# ----------------------------------------------------------------------------- writing

async def _write(folder: Path, recipe: Recipe, recipe_path: Path, credentials: dict[str, str],
                 recorder: Recorder, result: SyncResult, options: SyncOptions, engine: Engine,
                 scenario: str, site: dict[str, Any] | None) -> None:
    staging, renders = _stage(folder, recipe, recipe_path, credentials, recorder, result,
                              options, scenario, site)
    await render_screenshots(engine, renders)
    fx.replace_dir(staging, folder)


def _placeholders(recipe: Recipe, credentials: dict[str, str], recorder: Recorder
                  ) -> tuple[dict[str, str], dict[str, str], str | None, str | None]:
    """Placeholder per credential, real → placeholder table, the one-time code's placeholder
    and what the keypad types at replay (only characters the recorded keypad offers)."""
    pages = [ex.text() or "" for ex in recorder.exchanges
             if "html" in ex.headers.get("content-type", "")]
    pages += [doc.html for doc, _url in recorder.documents]
    specs = keypad_specs(recipe)
    labels = {label for page in keypad_pages(specs, pages) for label in page.values()}
    on_keypad = {key for spec in specs for ns, key in template_references(spec.value)
                 if ns == "credentials"}
    placeholders: dict[str, str] = {}
    secrets: dict[str, str] = {}
    for number, spec in enumerate(recipe.credentials):
        value = credentials.get(spec.name, "")
        placeholder = secrets.get(value) or make_placeholder(
            value, number, labels if spec.name in on_keypad else None)
        placeholders[spec.name], secrets[value] = placeholder, placeholder
    otp = None
    for code in recorder.otp_codes:
        otp = secrets.setdefault(code, make_placeholder(code, 5))
    typed = None
    if specs:
        context = {"credentials": {k: Secret(v) for k, v in placeholders.items()}}
        typed = render(specs[0].value, context, reveal=True)
    return placeholders, secrets, otp, typed


def _stage(folder: Path, recipe: Recipe, recipe_path: Path, credentials: dict[str, str],
           recorder: Recorder, result: SyncResult, options: SyncOptions, scenario: str,
           site: dict[str, Any] | None) -> tuple[Path, list[tuple[Path, str]]]:
    """Scrub and write everything but the screenshots into a staging folder."""
    base = fx.origin(options.base_url or recipe.institution.base_url)
    reference = options.reference_date
    placeholders, secrets, otp, typed = _placeholders(recipe, credentials, recorder)
    masked = [v for doc, _url in recorder.documents for v in fx.masked_values(
        recipe, doc.stage, doc.html, doc.account_id, result, reference)]
    docs = [doc.html for doc, _url in recorder.documents]
    docs += [html for _url, html in recorder.login_pages]
    scrub = plan_scrub(recipe, secrets, recorder.exchanges,
                       docs + ([recorder.final_html] if recorder.final_html else []), masked,
                       typed)
    staging = folder.with_name(f".{folder.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / fx.SNAPSHOTS).mkdir(parents=True)
    (staging / fx.SCREENSHOTS).mkdir(parents=True)
    bodies: dict[str, int] = {}
    written = [fx.exchange_json(i, ex, scrub, base, bodies)
               for i, ex in enumerate(recorder.exchanges, 1)]
    write_har(staging / fx.EXCHANGES, written, base,
              started=recorder.exchanges[0].started if recorder.exchanges else None,
              comment=f"{recipe.institution.id}/{scenario}, scrubbed")
    notes: list[str] = list(scrub.notes)
    entries: list[dict[str, Any]] = []
    renders: list[tuple[Path, str]] = []
    for number, (doc, url) in enumerate(recorder.documents, 1):
        block = fx.block_of(recipe, doc.stage)
        suffix = fx.SUFFIXES.get(block.format if block else "html", ".html")
        name = f"{number:03d}-{doc.stage}"
        html = scrub.text(doc.html)
        (staging / fx.SNAPSHOTS / f"{name}{suffix}").write_text(html, encoding="utf-8")
        account = scrub.text(doc.account_id) if doc.account_id else None
        after = fx.extract_snapshot(recipe, doc.stage, html, account, result, reference)
        before = fx.extract_snapshot(recipe, doc.stage, doc.html, doc.account_id, result,
                                     reference)
        if after and before and fx.extraction_stats(after) != fx.extraction_stats(before):
            notes.append(f"{name}: scrubbing changed what the recipe extracts")
        following = next_facts(block, html) if block else None
        if following and following.get("url"):
            following["url"] = fx.relative_url(str(following["url"]), base)
        entries.append({
            "file": f"{name}{suffix}", "stage": doc.stage, "account_id": account,
            "page_number": doc.page_number, "url": scrub.text(fx.relative_url(url, base)),
            "rows": after.rows if after else 0,
            "records": len(after.records) if after else 0,
            "fields": {k: s.matched for k, s in (after.fields if after else {}).items()},
            "next": following})
        if doc.page_number == 1 and suffix == ".html":  # later pages of a list look alike
            renders.append((staging / fx.SCREENSHOTS / f"{name}.png", html))
    fx.write_json(staging / fx.SNAPSHOTS / fx.INDEX, entries)
    if result.error is not None and recorder.final_html:
        final = scrub.text(recorder.final_html)
        (staging / fx.SNAPSHOTS / "final.html").write_text(final, encoding="utf-8")
        renders.append((staging / fx.SCREENSHOTS / "final.png", final))
    fx.write_json(staging / fx.EXPECTED, fx.expected_json(result, scrub.obj))
    meta = fx.meta_json(recipe, recipe_path, folder, scenario, "browser", options, result,
                        site, placeholders, otp, notes)
    pages = login_pages.documents(written)
    meta["login_pages"] = []
    for number, (url, html) in enumerate(recorder.login_pages, 1):
        name = f"login-{number:02d}.html"
        text = scrub.text(html)
        (staging / fx.SNAPSHOTS / name).write_text(text, encoding="utf-8")
        key = login_pages.dom_key(scrub.text(fx.relative_url(url, base)))
        meta["login_pages"].append({"file": name, "url": key})
        pages.setdefault(key, []).append(text)
    meta["login_selectors"] = login_pages.as_json(login_pages.measure(recipe, pages))
    fx.write_json(staging / fx.META, meta)
    return staging, renders


async def render_screenshots(engine: Engine, pages: list[tuple[Path, str]]) -> None:
    """Render scrubbed HTML (JavaScript off, network off) to viewport PNGs: a screenshot of
    the live page would show the very numbers and names the text scrub removed."""
    pictures = await engine.host.render_documents([html for _path, html in pages],
                                                  SCREENSHOT_VIEWPORT)
    for (path, _html), picture in zip(pages, pictures, strict=True):
        if picture is not None:
            path.write_bytes(picture)


__all__ = ["RecordOutcome", "Recorder", "Tap", "record_scenario", "record_sync",
           "render_screenshots"]
