"""Authenticate to an institution's API (OAuth2, consent) and make its bearer calls.

The API counterpart of the browser login: ``ApiClient.authenticate`` is the authentication
stage of ``institution.backend: http`` recipes, and ``ApiPages`` is the page source the one
collection pipeline (``runner/pipeline.py``) reads their list blocks through, with the same
pagination loop, extraction and output models as every other recipe.

Every answer is classified in this order: the recipe's ``api.detect`` rules in file order (a
``refresh`` rule renews the token once and replays the call; on the replay it is skipped, so a
second 401 falls through), then built-in rules: 429 → ``blocked`` (``Retry-After`` honoured),
5xx → ``unavailable``, 401 or ``invalid_client`` from the token endpoint →
``invalid_credentials``, a refused refresh or another 401 → ``action_required``, 403 →
``blocked``, any other 4xx → ``recipe_broken``. Timeouts and refused connections arrive as
backend exceptions and become ``unavailable``; a JMESPath that finds nothing where a value is
needed is ``recipe_broken`` naming the path and the URL. Tokens are held as ``Secret`` and
added to the sync's redactor as they arrive, so no result, error, log or repr shows them.
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import jmespath

from engine.errors import (
    ActionRequired,
    EngineError,
    RecipeBroken,
    SyncError,
)
from engine.extraction.records import extract_list
from engine.recipe.api import ApiSpec
from engine.recipe.lists import ListBlock
from engine.recipe.templates import Context, TemplateError, render
from engine.runner.api_answers import REFRESH, Answer, bare_url, classify_answer
from engine.runner.context import SyncContext
from engine.runner.sources import Loaded, SourceBase
from engine.secrets import Secret

log = logging.getLogger(__name__)
Record = dict[str, Any]


class ApiClient:
    """The calls of one API sync: templates, bearer token, classification, one refresh."""

    def __init__(self, ctx: SyncContext) -> None:
        if ctx.recipe.api is None:
            raise EngineError("an http recipe needs an api section", reason="wrong_backend")
        self.ctx = ctx
        self.http = ctx.backend
        self.api: ApiSpec = ctx.recipe.api
        self.consent: dict[str, str] = {}
        self.access: Secret | None = None
        self.refresh_token: Secret | None = None

    def __repr__(self) -> str:
        return f"ApiClient(institution={self.ctx.recipe.institution.id!r})"

    # -- templates --------------------------------------------------------------------------
    def values(self, account: Record | None = None) -> Context:
        return {**self.ctx.template_context(account), "consent": self.consent}

    def fill(self, template: str, account: Record | None = None) -> str:
        """A template rendered for the wire (secrets revealed: only the request sees them)."""
        try:
            return render(template, self.values(account), reveal=True)
        except TemplateError as exc:
            raise RecipeBroken(str(exc), reason="template") from None

    def fill_all(self, value: Any) -> Any:
        """Templates inside a JSON body (or form), at any depth."""
        if isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            filled = {k: self.fill_all(v) for k, v in items}
            return filled if isinstance(value, dict) else list(filled.values())
        return self.fill(value) if isinstance(value, str) else value

    def url(self, template: str, account: Record | None = None) -> str:
        return urljoin(self.ctx.base_url, self.fill(template, account))

    def keep(self, value: str) -> Secret:
        """Hold a token as a Secret, and teach the redactor its value."""
        self.ctx.redactor.add(value)
        return Secret(value)

    # -- authentication ---------------------------------------------------------------------
    async def authenticate(self) -> None:
        auth = self.api.auth
        if auth.grant == "client_credentials":
            self.take_tokens(await self.token({"grant_type": "client_credentials"}, "token"))
            return
        if auth.consent is not None:
            await self.create_consent()
        code = await self.authorize()
        self.access = None  # the client token is not the PSU's
        self.take_tokens(await self.token(
            {"grant_type": "authorization_code", "code": code,
             "redirect_uri": auth.redirect_uri or ""}, "token (authorization code)"))

    async def token(self, form: dict[str, str], step: str, *, phase: str = "token") -> Any:
        """POST to the token endpoint with the client's authentication; the JSON answer."""
        auth = self.api.auth
        client_id = self.fill(auth.client_id)
        secret = self.fill(auth.client_secret) if auth.client_secret is not None else None
        data, basic = dict(form), None
        if auth.client_auth == "basic" and secret is not None:
            basic = (client_id, secret)
        else:
            data["client_id"] = client_id
            if secret is not None:
                data["client_secret"] = secret
        if auth.scope is not None and form["grant_type"] == "client_credentials":
            data["scope"] = self.fill(auth.scope)
        answer = await self.send(step, "POST", self.url(auth.token_url), form=data, basic=basic)
        self.raise_for(answer, step, phase, refresh_allowed=False)
        body = self.require_json(answer, step)
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise self.missing("access_token", answer, step)
        return body

    def take_tokens(self, body: dict[str, Any]) -> None:
        self.access = self.keep(body["access_token"])
        if isinstance(body.get("refresh_token"), str):
            self.refresh_token = self.keep(body["refresh_token"])

    async def renew(self, step: str) -> None:
        """New access token: by refresh token when there is one, else client credentials."""
        if self.refresh_token is not None:
            form = {"grant_type": "refresh_token", "refresh_token": self.refresh_token.reveal()}
            self.take_tokens(await self.token(form, f"{step} (refresh)", phase="refresh"))
        else:
            self.take_tokens(await self.token({"grant_type": "client_credentials"},
                                              f"{step} (new token)"))

    async def create_consent(self) -> None:
        spec = self.api.auth.consent
        assert spec is not None
        if spec.auth == "client_credentials":
            self.take_tokens(await self.token({"grant_type": "client_credentials"},
                                              "token (client credentials)"))
        answer = await self.call(
            "consent", spec.method, self.url(spec.url),
            params={k: self.fill(v) for k, v in spec.params.items()},
            headers={k: self.fill(v) for k, v in spec.headers.items()},
            body=self.fill_all(spec.body), form=self.fill_all(spec.form))
        data = self.require_json(answer, "consent")
        for name, path in spec.save.items():
            value = jmespath.search(path, data)
            if value is None or isinstance(value, dict | list):
                raise self.missing(path, answer, "consent")
            self.consent[name] = str(value)

    async def authorize(self) -> str:
        """Ask for the PSU's approval; read the code from the redirect without following it."""
        auth, step = self.api.auth, "authorize"
        spec = auth.authorize
        assert spec is not None and auth.redirect_uri is not None
        state = secrets.token_urlsafe(16)
        params = {"response_type": "code", "client_id": self.fill(auth.client_id),
                  "redirect_uri": auth.redirect_uri, "state": state}
        params.update({k: self.fill(v) for k, v in spec.params.items()})
        answer = await self.send(step, "GET", self.url(spec.url), params=params)
        response = answer.response
        if not 300 <= response.status < 400:
            self.raise_for(answer, step, "authorize", refresh_allowed=False)
            raise ActionRequired("the institution wants the user to approve access in a web "
                                 "browser (no redirect with a code)",
                                 reason="psu_authorization_required", step=step,
                                 url=bare_url(response.url))
        target = urljoin(response.url, response.headers.get("location", ""))
        where: dict[str, Any] = {"step": step, "url": bare_url(target)}
        if bare_url(target) != bare_url(auth.redirect_uri):
            raise RecipeBroken("the authorization redirected somewhere else than redirect_uri",
                               reason="redirect_mismatch", **where)
        query = parse_qs(urlsplit(target).query)
        code = query.get(spec.code_param, [""])[0]
        self.ctx.redactor.add(code)
        if "error" in query:
            raise ActionRequired(f"the authorization was refused ({query['error'][0]})",
                                 reason="authorization_denied", **where)
        if query.get("state", [""])[0] != state:
            raise RecipeBroken("the redirect does not carry the state we sent",
                               reason="state_mismatch", **where)
        if not code:
            raise RecipeBroken(f"the redirect carries no '{spec.code_param}' parameter",
                               reason="path_missing", selector=spec.code_param, **where)
        return code

    # -- calls ------------------------------------------------------------------------------
    async def send(self, step: str, method: str, url: str, *,
                   params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                   body: Any = None, form: dict[str, str] | None = None,
                   basic: tuple[str, str] | None = None) -> Answer:
        """One request through the backend, its failures translated into the taxonomy."""
        try:
            response = await self.http.request(
                method, url, timeout=self.ctx.step_timeout, params=params, headers=headers,
                json=body, data=form, basic_auth=basic)
        except Exception as exc:
            raise self.ctx.translate(exc, step) from exc
        log.debug("%s %s -> %s", method, self.ctx.redactor(bare_url(url)), response.status)
        try:
            data = json.loads(response.text) if response.text.strip() else None
        except ValueError:
            data = None
        return Answer(response, data)

    async def call(self, step: str, method: str, url: str, *,
                   params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                   body: Any = None, form: dict[str, str] | None = None,
                   phase: str = "data") -> Answer:
        """A bearer call: request id, token, classification, and one renewal on 'refresh'."""
        for attempt in (1, 2):
            sent = dict(headers or {})
            if self.api.request_id:
                sent[self.api.request_id] = str(uuid.uuid4())
            if self.access is not None:
                sent["Authorization"] = f"Bearer {self.access.reveal()}"
            answer = await self.send(step, method, url, params=params, headers=sent, body=body,
                                     form=form)
            allowed = attempt == 1 and self.api.auth.refresh
            if self.classify(answer, step, phase, refresh_allowed=allowed) == REFRESH:
                await self.renew(step)
                continue
            self.raise_for(answer, step, phase, refresh_allowed=False)
            return answer
        raise AssertionError("unreachable: the second attempt never refreshes")

    def raise_for(self, answer: Answer, step: str, phase: str, *, refresh_allowed: bool) -> None:
        verdict = self.classify(answer, step, phase, refresh_allowed=refresh_allowed)
        if isinstance(verdict, SyncError):
            raise verdict

    def classify(self, answer: Answer, step: str, phase: str, *,
                 refresh_allowed: bool) -> SyncError | str | None:
        return classify_answer(self.api, answer, step, phase, refresh_allowed=refresh_allowed)

    def require_json(self, answer: Answer, step: str) -> Any:
        if answer.data is None:
            raise RecipeBroken("the answer is not JSON", reason="not_json", step=step,
                               url=bare_url(answer.response.url),
                               details={"status": answer.response.status})
        return answer.data

    def missing(self, path: str, answer: Answer, step: str) -> SyncError:
        return RecipeBroken(f"the answer has nothing at '{path}'", reason="path_missing",
                            step=step, selector=path, url=answer.response.url)


class ApiPages(SourceBase):
    """A list block's pages as bearer API calls, with the recipe's answer rules."""

    def __init__(self, client: ApiClient, name: str, block: ListBlock) -> None:
        self.client, self.name, self.block = client, name, block

    async def load(self, url: str, *, step: str, account: Record | None,
                   first: bool) -> Loaded:
        client = self.client
        headers = {k: client.fill(v, account) for k, v in client.api.headers.items()}
        headers.update({k: client.fill(v, account) for k, v in self.block.headers.items()})
        answer = await client.call(step, "GET", url, headers=headers)
        client.require_json(answer, step)
        client.ctx.check_size(answer.response.text, answer.response.url)
        return Loaded(answer.response.url, answer.response.text, rendered=False)

    def extra_records(self, page: Loaded, account: Record | None, step: str) -> list[Record]:
        """The answer's pending rows (``api.pending``), read with the block's fields."""
        pending = self.client.api.pending if self.name == "transactions" else None
        if not pending or jmespath.search(pending, json.loads(page.text)) is None:
            return []
        block = self.block.model_copy(update={"each": pending})
        extraction = extract_list(page.text, block, self.client.values(account),
                                  reference=self.client.ctx.options.reference_date,
                                  institution=self.client.ctx.recipe.institution)
        if extraction.problems:
            first = extraction.problems[0]
            raise RecipeBroken(f"field '{first.field}' of pending row {first.row + 1}: "
                               f"{first.message}", reason="field_invalid", step=step,
                               selector=first.selector, url=page.url.split("?")[0])
        return [{**record, "pending": True} for record in extraction.records]

    def next_url(self, page: Loaded, found: str) -> str:
        cursor = self.client.api.cursor_param
        if cursor:
            return _with_param(page.url, cursor, found)
        return urljoin(page.url, found)


def _with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, vs in parse_qs(parts.query, keep_blank_values=True).items()
             for v in vs if k != name]
    return urlunsplit(parts._replace(query=urlencode([*query, (name, value)])))
