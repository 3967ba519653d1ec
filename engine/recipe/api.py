"""The ``api:`` section: how a recipe drives an institution's official API instead of its pages.

An API recipe (``institution.backend: http``) keeps everything a scraping recipe has that is
about *data*: ``credentials``, the ``accounts`` and ``transactions`` list blocks (with
``format: json``, ``each`` and field ``path`` as JMESPath, ``next_page`` as the JMESPath of the
next page's link) and the output model. What replaces ``login`` and ``detect`` lives here::

    api:
      auth:                                   # OAuth2
        grant: authorization_code             # or client_credentials
        token_url: /oauth/token
        client_id: "{{ credentials.client_id }}"
        client_secret: "{{ credentials.client_secret }}"
        redirect_uri: http://127.0.0.1/callback
        consent:                              # created first, with a client-credentials token
          url: /v1/consents
          body: {access: {allPsd2: allAccounts}, recurringIndicator: true}
          headers: {PSU-ID: "{{ credentials.psu_id }}"}
          save: {id: consentId}               # JMESPath -> {{ consent.id }}
        authorize:                            # the PSU's approval; its 302 carries the code
          url: /oauth/authorize
          params: {consent_id: "{{ consent.id }}"}
      headers: {Consent-ID: "{{ consent.id }}"}   # on every account-data call
      request_id: X-Request-ID                # a fresh UUID per call
      detect:                                 # first match classifies; JMESPath on the body
        refresh: {status: [401], match: "tppMessages[?code=='TOKEN_EXPIRED']"}
        action_required: {status: [401], match: "tppMessages[?code=='CONSENT_EXPIRED']",
                          reason: consent_expired}
      balances:                               # per account, merged into the account record
        goto: "/v1/accounts/{{ account.id }}/balances"
        format: json
        each: "balances[?balanceType=='closingBooked']"
        fields: {balance: {path: balanceAmount.amount, parse: decimal}}
      pending: transactions.pending           # rows of each transactions page that are pending

Templates stay the tiny ``{{ namespace.key }}`` language; the one namespace added for API flows
is ``consent``, the values ``auth.consent.save`` picked out of the consent answer. Standard
OAuth2 parameters (``response_type``, ``client_id``, ``redirect_uri``, a random ``state``) and
the bearer ``Authorization`` header are the engine's job, so recipes cannot get them wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

import jmespath
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.errors import DETECTABLE_KINDS
from engine.recipe.compile import check_jmespath
from engine.recipe.lists import ListBlock
from engine.recipe.templates import template_references


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


class ApiCall(_Strict):
    """One HTTP call. Every string (URL, parameters, headers, body values) is a template."""

    url: str = Field(description="Path relative to base_url, or an absolute URL.")
    method: HttpMethod = "GET"
    params: dict[str, str] = Field(default_factory=dict, description="Query parameters.")
    headers: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] | None = Field(default=None, description="JSON body.")
    form: dict[str, str] | None = Field(default=None, description="Form-encoded body.")

    @model_validator(mode="after")
    def _one_body(self) -> ApiCall:
        if self.body is not None and self.form is not None:
            raise ValueError("give either body (JSON) or form, not both")
        return self


class ConsentSpec(ApiCall):
    """The consent to create before the PSU authorizes (PSD2 AIS ``POST /v1/consents``)."""

    method: HttpMethod = "POST"
    auth: Literal["client_credentials", "none"] = Field(
        default="client_credentials",
        description="Bearer token for this call: a client-credentials token, or none.")
    save: dict[str, str] = Field(
        default_factory=lambda: {"id": "consentId"},
        description="Values to keep from the answer (name: JMESPath); used as "
        "{{ consent.name }} in later calls.")

    @field_validator("save")
    @classmethod
    def _check_save(cls, value: dict[str, str]) -> dict[str, str]:
        for name, path in value.items():
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                raise ValueError(f"name {name!r} must be lower_snake_case")
            check_jmespath(path)
        return value


class AuthorizeSpec(_Strict):
    """The authorization request. The engine adds response_type, client_id, redirect_uri and
    a random state; the answer must redirect to redirect_uri with the code (never followed)."""

    url: str = "/oauth/authorize"
    params: dict[str, str] = Field(default_factory=dict, description="Extra query parameters.")
    code_param: str = Field(default="code", description="Query parameter carrying the code.")


class OAuthSpec(_Strict):
    """How the engine obtains (and renews) its bearer token."""

    grant: Literal["authorization_code", "client_credentials"] = "authorization_code"
    token_url: str = "/oauth/token"  # noqa: S105 - a URL, not a secret
    client_id: str = Field(description="Usually '{{ credentials.client_id }}'.")
    client_secret: str | None = Field(default=None,
                                      description="Usually '{{ credentials.client_secret }}'.")
    client_auth: Literal["basic", "body"] = Field(
        default="basic", description="HTTP Basic (RFC 6749 default) or form fields.")
    scope: str | None = None
    redirect_uri: str | None = Field(default=None, pattern=r"^https?://")
    consent: ConsentSpec | None = None
    authorize: AuthorizeSpec | None = None
    refresh: bool = Field(default=True, description="On a 'refresh' answer, renew the token "
                          "(refresh_token grant) once and retry the call.")

    @model_validator(mode="after")
    def _grant_needs(self) -> OAuthSpec:
        if self.grant == "authorization_code" and (self.authorize is None
                                                   or self.redirect_uri is None):
            raise ValueError("grant authorization_code needs authorize and redirect_uri")
        if self.grant == "client_credentials" and self.authorize is not None:
            raise ValueError("authorize is only for grant authorization_code")
        saved = set(self.consent.save) if self.consent else set()
        for where, text in _strings(self.model_dump()):
            for namespace, key in template_references(text):
                if namespace == "account":
                    raise ValueError(f"{where}: account.* is only available in per-account "
                                     "blocks")
                if namespace == "consent":
                    _check_consent_key(where, key, saved, before=where.startswith("consent"))
        return self


class ApiRule(_Strict):
    """An answer that means something: all given conditions must hold."""

    status: list[int] | None = Field(default=None, description="HTTP statuses.")
    match: str | None = Field(default=None, description="JMESPath on the JSON body; matches "
                              "when it yields something (not null, false or empty).")
    reason: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$",
                               description="Refines the error code: kind.reason.")
    message: str | None = None

    @field_validator("match")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)

    @model_validator(mode="after")
    def _needs_condition(self) -> ApiRule:
        if self.status is None and self.match is None:
            raise ValueError("needs one of: status, match")
        return self


if TYPE_CHECKING:
    ApiDetectKind = str
else:  # the detectable kinds, plus "refresh" (renew the token once and replay the call)
    ApiDetectKind = Literal[(*DETECTABLE_KINDS, "refresh")]


class ApiSpec(_Strict):
    """Everything an API recipe needs besides its list blocks."""

    auth: OAuthSpec
    headers: dict[str, str] = Field(
        default_factory=dict, description="Sent with every account-data call (accounts, "
        "balances, transactions); templates allowed.")
    request_id: str | None = Field(default="X-Request-ID", description="Header given a fresh "
                                   "UUID on every API call (null: none).")
    detect: dict[ApiDetectKind, ApiRule | list[ApiRule]] = Field(
        default_factory=dict, description="Checked on every answer, in file order, before the "
        "built-in status rules. 'refresh' renews the token and retries once.")
    balances: ListBlock | None = Field(
        default=None, description="Per account: the first row's fields (balance, currency...) "
        "complete the account record.")
    pending: str | None = Field(default=None, description="JMESPath of the pending rows in "
                                "each transactions answer (same fields as the booked ones).")
    cursor_param: str | None = Field(
        default=None, description="When set, what transactions.next_page finds is a cursor "
        "sent as this query parameter on the same URL, not a link.")

    @field_validator("pending")
    @classmethod
    def _pending_compiles(cls, value: str | None) -> str | None:
        return None if value is None else check_jmespath(value)

    @field_validator("headers")
    @classmethod
    def _header_templates(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        for where, text in _strings(value):
            if any(ns == "account" for ns, _ in template_references(text)):
                raise ValueError(f"{where}: account.* is only available in per-account blocks "
                                 "(these headers also go with the accounts call)")
        if "auth" in info.data:  # an invalid auth is reported once, where it is
            _check_consent_keys(value, _saved(info.data["auth"]))
        return value

    @field_validator("balances")
    @classmethod
    def _balances_block(cls, value: ListBlock | None,
                        info: ValidationInfo) -> ListBlock | None:
        if value is not None:
            check_json_block(value)
            if "auth" in info.data:
                _check_consent_keys(value.model_dump(), _saved(info.data["auth"]))
        return value

    def rules(self) -> list[tuple[str, ApiRule]]:
        """Detection rules flattened in file order."""
        out: list[tuple[str, ApiRule]] = []
        for kind, rules in self.detect.items():
            out.extend((kind, rule) for rule in (rules if isinstance(rules, list) else [rules]))
        return out

    def matching_rule(self, status: int, data: Any, *,
                      refresh: bool = True) -> tuple[str, ApiRule] | None:
        """The first rule an answer (status, parsed JSON body) meets; ``refresh`` rules only
        when ``refresh`` (the engine skips them on the call it already replayed once)."""
        for kind, rule in self.rules():
            if kind == "refresh" and not refresh:
                continue
            if rule.status is not None and status not in rule.status:
                continue
            if rule.match is not None and jmespath.search(rule.match, data) in (
                    None, False, "", [], {}):
                continue
            return kind, rule
        return None

    def account_fields(self) -> set[str]:
        """Account fields the balances block provides (so accounts.fields may omit them)."""
        return set(self.balances.fields) if self.balances else set()


def _saved(auth: Any) -> set[str]:
    """The consent.* names an auth section saves (none without a consent)."""
    return set(auth.consent.save) if isinstance(auth, OAuthSpec) and auth.consent else set()


def _check_consent_key(where: str, key: str, saved: set[str], *, before: bool) -> None:
    if before:
        raise ValueError(f"{where}: consent.{key} does not exist before the consent is created")
    if key not in saved:
        known = ", ".join(sorted(saved)) or "none: add auth.consent with save"
        raise ValueError(f"{where}: consent.{key} is not saved by auth.consent.save "
                         f"(saved: {known})")


def _check_consent_keys(node: Any, saved: set[str], *, http: bool = True) -> None:
    for where, text in _strings(node):
        for namespace, key in template_references(text):
            if namespace != "consent":
                continue
            if not http:
                raise ValueError(f"{where}: consent.* exists only in http recipes")
            _check_consent_key(where, key, saved, before=False)


def _strings(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a dumped model, with its key path (``headers.PSU-ID``)."""
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")


def check_json_block(block: ListBlock) -> None:
    """A list block of an http recipe reads JSON: format json, fields by path, valid
    JMESPaths (checked now rather than on the first sync)."""
    if block.format != "json":
        raise ValueError("http recipes read JSON answers; set format: json")
    specs = block.field_specs()
    for name, spec in specs.items():
        if spec.css is not None or spec.xpath is not None:
            raise ValueError(f"fields.{name}: JSON rows are read with path: (JMESPath), const: "
                             "or template:, not CSS or XPath")
    paths = {"each": block.each, "next_page": block.next_page}
    paths.update({f"fields.{name}.path": spec.path for name, spec in specs.items()})
    for where, path in paths.items():
        if path is not None:
            try:
                check_jmespath(path)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None


_BLOCKS = ("accounts", "transactions", "holdings")


def check_sections(field: str, value: Any, data: Mapping[str, Any]) -> Any:
    """The recipe-level rules tying sections to ``institution.backend``. ``Recipe`` calls it
    for login, detect, the list blocks and api, once ``institution`` is validated, so each
    problem is reported at the section it concerns."""
    institution = data.get("institution")
    if institution is None:
        return value
    http = institution.backend == "http"
    if field == "login":
        if not http and not value:
            raise ValueError("a browser recipe needs at least one login step")
        if http and value:
            raise ValueError("http recipes have no login steps: they authenticate in api.auth")
        _check_consent_keys([step.model_dump() for step in value], set(), http=False)
    elif field == "detect" and http and value:
        raise ValueError("http recipes classify answers with api.detect (status and JMESPath "
                         "rules), not detect")
    elif field in _BLOCKS:
        for index, block in enumerate(_listed(value)):
            try:
                if http:
                    check_json_block(block)
                else:
                    _check_consent_keys(block.model_dump(), set(), http=False)
            except ValueError as exc:
                if not isinstance(value, list):
                    raise
                raise ValueError(f"[{index}]: {exc}") from None
    elif field == "api":
        if http and value is None:
            raise ValueError("required when institution.backend is http")
        if not http and value is not None:
            raise ValueError("only for recipes with institution.backend: http")
        if isinstance(value, ApiSpec):  # the blocks come first, so consent keys are checked here
            for name in _BLOCKS:
                for block in _listed(data.get(name)):
                    try:
                        _check_consent_keys(block.model_dump(), _saved(value.auth))
                    except ValueError as exc:
                        raise ValueError(f"{name}.{exc}") from None
    return value


def _listed(value: Any) -> list[ListBlock]:
    """A section's blocks, whether it holds one block or a list of them."""
    blocks = value if isinstance(value, list) else [value]
    return [block for block in blocks if isinstance(block, ListBlock)]


def api_models() -> list[type[BaseModel]]:
    """The models of this section (for the loader's "did you mean" hints)."""
    return [ApiCall, ConsentSpec, AuthorizeSpec, OAuthSpec, ApiRule, ApiSpec]
