"""The recipe language: what a recipe author may write, as pydantic models.

Every model forbids unknown keys, so a typo is an error with a location rather than a silently
ignored line. Steps are a tagged union keyed by the step's verb (``- goto: /login``), which is
also what the generated JSON Schema offers editors for completion.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_of(model: BaseModel, *names: str) -> None:
    given = [n for n in names if getattr(model, n) is not None]
    if not given:
        raise ValueError(f"needs one of: {', '.join(names)}")


# ----------------------------------------------------------------------------- institution

class Institution(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Stable slug, e.g. banque-demo.")
    name: str
    base_url: str = Field(pattern=r"^https?://", description="Where relative URLs resolve.")
    allowed_domains: list[str] = Field(
        min_length=1,
        description="Hosts the browser may contact (exact host, or *.example.com). Every other "
        "request is refused and reported, so credentials cannot leave for another host.",
    )
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166 "
                                "country: resolves currency symbols ($ in AU is AUD, kr in SE).")
    decimal_separator: Literal[",", "."] | None = Field(
        default=None, description="Decimal separator of every amount (fields may override).")
    backend: Literal["browser", "http"] = "browser"
    load_resources: list[Literal["image", "font", "media", "stylesheet"]] = Field(
        default_factory=list,
        description="Resource types the browser should download after all (blocked by "
        "default: nobody reads them, and they cost bandwidth and CPU).")


class CredentialField(_Strict):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$")
    label: str | None = None
    secret: bool = False


class Timeouts(_Strict):
    step: float = Field(default=15.0, gt=0, description="Seconds one step may take.")
    sync: float = Field(default=180.0, gt=0, description="Seconds the whole sync may take.")


# ----------------------------------------------------------------------------- detection

DetectKind = Literal[
    "invalid_credentials", "password_expired", "action_required", "challenge_required",
    "unavailable", "blocked",
]


class Rule(_Strict):
    """Conditions that all must hold (AND). A list of rules under one kind is an OR."""

    text: str | None = Field(default=None, description="Visible text contained in the page.")
    css: str | None = Field(default=None, description="An element matching this selector exists.")
    url: str | None = Field(default=None, description="Regular expression searched in the URL.")
    status: list[int] | None = Field(default=None, description="HTTP status of the last page.")
    reason: str | None = Field(
        default=None, pattern=r"^[a-z0-9_]+$", description="Refines the error code: kind.reason."
    )
    message: str | None = None
    retry_after: str | None = Field(
        default=None, description="Selector whose value is the retry delay in seconds, for "
        "pages that show it (single-page apps never expose the Retry-After header).")

    @model_validator(mode="after")
    def _needs_condition(self) -> Rule:
        _one_of(self, "text", "css", "url", "status")
        if self.url is not None:
            re.compile(self.url)
        return self


RuleSet = Rule | list[Rule]


class Condition(_Strict):
    """A page condition for waits, expectations and optional steps (any one key)."""

    css: str | None = None
    text: str | None = None
    url: str | None = Field(default=None, description="Regular expression searched in the URL.")

    @model_validator(mode="after")
    def _needs_condition(self) -> Condition:
        _one_of(self, "css", "text", "url")
        return self


# ----------------------------------------------------------------------------- steps

class _Step(_Strict):
    name: str | None = Field(default=None, description="Shown in errors instead of the verb.")
    timeout: float | None = Field(default=None, gt=0, description="Overrides timeouts.step.")


class GotoStep(_Step):
    goto: str = Field(description="URL or path relative to base_url; templates allowed.")


class FillSpec(_Strict):
    css: str
    value: str = Field(description="Usually a template: '{{ credentials.username }}'.")


class FillStep(_Step):
    fill: FillSpec


class ClickSpec(_Strict):
    css: str
    optional: bool = Field(default=False, description="Skip silently if the element is absent.")


class ClickStep(_Step):
    click: str | ClickSpec

    @property
    def spec(self) -> ClickSpec:
        return self.click if isinstance(self.click, ClickSpec) else ClickSpec(css=self.click)


class PressSpec(_Strict):
    css: str
    key: str = Field(description="Playwright key name: Enter, Tab...")


class PressStep(_Step):
    press: PressSpec


class SelectSpec(_Strict):
    css: str
    value: str


class SelectStep(_Step):
    select: SelectSpec


class WaitForStep(_Step):
    wait_for: Condition


class ExpectStep(_Step):
    expect: Condition


class KeypadSpec(_Strict):
    """A scrambled on-screen keypad: each character's button is found by its label."""

    buttons: str = Field(description="Selector matching every key of the pad.")
    value: str = Field(description="What to type, e.g. '{{ credentials.password }}'.")
    label: str = Field(
        default="text",
        description="How a button shows its character: 'text' or an attribute name "
        "(aria-label, data-digit...).",
    )


class KeypadStep(_Step):
    keypad: KeypadSpec


class OtpSpec(_Strict):
    """A one-time code step: runs only when ``when`` matches the current page."""

    when: Condition
    prompt: str = Field(default="One-time code", description="Shown to the person asked.")
    medium: Literal["sms", "email", "app", "token"] = "sms"
    fill: str = Field(description="Selector of the code input.")
    submit: str = Field(description="Selector of the button that sends the code.")
    error: Condition | None = Field(
        default=None, description="Shown by the site after a wrong code."
    )


class OtpStep(_Step):
    otp: OtpSpec


STEP_TYPES: dict[str, type[_Step]] = {
    "goto": GotoStep, "fill": FillStep, "click": ClickStep, "press": PressStep,
    "select": SelectStep, "wait_for": WaitForStep, "expect": ExpectStep,
    "keypad": KeypadStep, "otp": OtpStep,
}


def step_verb(value: Any) -> str | None:
    """The discriminator: the first key of the mapping that is a known verb."""
    if isinstance(value, dict):
        return next((key for key in value if key in STEP_TYPES), None)
    for verb, cls in STEP_TYPES.items():
        if isinstance(value, cls):
            return verb
    return None


Step = Annotated[
    Annotated[GotoStep, Tag("goto")] | Annotated[FillStep, Tag("fill")]
    | Annotated[ClickStep, Tag("click")] | Annotated[PressStep, Tag("press")]
    | Annotated[SelectStep, Tag("select")] | Annotated[WaitForStep, Tag("wait_for")]
    | Annotated[ExpectStep, Tag("expect")] | Annotated[KeypadStep, Tag("keypad")]
    | Annotated[OtpStep, Tag("otp")],
    Discriminator(
        step_verb,
        custom_error_type="unknown_step",
        custom_error_message="not a known step; a step is one of: " + ", ".join(STEP_TYPES),
    ),
]


def describe_step(step: _Step, index: int) -> str:
    verb = step_verb(step) or "step"
    return step.name or f"login[{index}] {verb}"


# ----------------------------------------------------------------------------- extraction

# FieldSpec and its parsers live in fields.py (generated from the transform registry); the
# row-structure models (group, embedded, lookups) in rows.py.
from engine.recipe.fields import DateParse as DateParse  # noqa: E402
from engine.recipe.fields import FieldSpec as FieldSpec  # noqa: E402
from engine.recipe.fields import FieldValue as FieldValue  # noqa: E402
from engine.recipe.fields import ParseName as ParseName  # noqa: E402
from engine.recipe.rows import EmbeddedSpec, GroupSpec, LookupSpec, check_rows  # noqa: E402


class ListBlock(_Strict):
    """A list of records: rows matched by ``each``, fields extracted from each row."""

    goto: str | None = Field(default=None, description="Page to open first; templates allowed.")
    wait_for: str | None = Field(default=None, description="Selector to await (JS pages).")
    format: Literal["html", "json", "xml", "ofx"] = Field(
        default="html", description="html, json (JMESPath), xml (XPath; namespaces below) or "
        "ofx (OFX 2 XML, or OFX 1 SGML converted to XML first).")
    render: Literal["browser", "http", "auto"] = Field(
        default="auto",
        description="browser: navigate and render. http: fetch with the session's cookies and "
        "parse, no rendering. auto: http for plain pages once the engine saw they need no JS.",
    )
    for_each: Literal["account"] | None = None
    when: dict[str, list[str]] | None = Field(
        default=None, description="Only for accounts whose field is in the list."
    )
    each: str = Field(description="Row selector (CSS, XPath starting with / or (, or JMESPath).")
    fields: dict[str, FieldValue]
    next_page: str | None = Field(default=None, description="Selector of the next page's URL.")
    load_more: str | None = Field(default=None, description="Button that appends more rows.")
    max_pages: int = Field(default=100, ge=1)
    empty: str | None = Field(default=None, description="Selector proving the list is "
                              "legitimately empty (otherwise zero rows is an error).")
    # Row structure (rows.py): how rows map to records.
    header: str | None = Field(default=None, description="Where column names are for "
                               "column: fields (default: the row's table thead).")
    span: int = Field(default=1, ge=1, le=10, description="A record spread over this many "
                      "consecutive rows.")
    group: GroupSpec | None = None
    filter: str | None = Field(default=None, description="Keep rows where this expression "
                               "over {row, account, vars, options} is true.")
    embedded: EmbeddedSpec | None = None
    namespaces: dict[str, str] | None = Field(default=None, description="XML namespace "
                                              "prefixes for XPath: {camt: urn:iso:...}.")
    lookups: dict[str, LookupSpec] | None = None

    @field_validator("fields")
    @classmethod
    def _field_names(cls, value: dict[str, FieldValue]) -> dict[str, FieldValue]:
        for name in value:
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                raise ValueError(f"field name {name!r} must be lower_snake_case")
        return value

    @model_validator(mode="after")
    def _row_structure(self) -> ListBlock:
        check_rows(self)
        return self

    def field_specs(self) -> dict[str, FieldSpec]:
        return {name: FieldSpec(css=spec) if isinstance(spec, str) else spec
                for name, spec in self.fields.items()}


class ScrubRules(_Strict):
    """Extra masking applied to recordings, on top of the built-in rules."""

    patterns: list[str] = Field(default_factory=list, description="Regexes to mask.")
    texts: list[str] = Field(default_factory=list, description="Literal strings to mask.")


# ----------------------------------------------------------------------------- recipe

# Imported here, not at the top: the api section builds on ListBlock and DetectKind above.
from engine.recipe.api import ApiSpec, api_models, check_sections  # noqa: E402


class Recipe(_Strict):
    version: Literal[1] = 1
    institution: Institution
    credentials: list[CredentialField] = Field(min_length=1)
    timeouts: Timeouts = Timeouts()
    detect: dict[DetectKind, RuleSet] = Field(
        default_factory=dict,
        description="Checked after every step, in file order; the first match classifies.",
    )
    login: list[Step] = Field(
        default_factory=list, validate_default=True,
        description="Browser recipes: the login steps. HTTP recipes authenticate in api.auth.")
    accounts: ListBlock
    transactions: ListBlock | None = None
    holdings: ListBlock | None = None
    scrub: ScrubRules = ScrubRules()
    api: ApiSpec | None = Field(default=None, validate_default=True,
                                description="HTTP recipes: OAuth2, calls and answer rules.")

    @field_validator("login", "detect", "accounts", "transactions", "holdings", "api")
    @classmethod
    def _fits_backend(cls, value: Any, info: ValidationInfo) -> Any:
        return check_sections(info.field_name or "", value, info.data)

    @model_validator(mode="after")
    def _check_references(self) -> Recipe:
        names = [c.name for c in self.credentials]
        if len(names) != len(set(names)):
            raise ValueError("credential names must be unique")
        provided = set(self.accounts.fields) | (self.api.account_fields() if self.api else set())
        for field in ("id", "label", "balance"):
            if field not in provided:
                raise ValueError(f"accounts.fields needs '{field}'")
        return self

    def credential(self, name: str) -> CredentialField:
        return next(c for c in self.credentials if c.name == name)

    def rules(self) -> list[tuple[str, Rule]]:
        """Detection rules flattened in file order."""
        out: list[tuple[str, Rule]] = []
        for kind, rules in self.detect.items():
            out.extend((kind, rule) for rule in (rules if isinstance(rules, list) else [rules]))
        return out


def recipe_models() -> list[type[BaseModel]]:
    """Every model of the language (for hints and documentation)."""
    return [Institution, CredentialField, Timeouts, Rule, Condition, FillSpec, ClickSpec,
            PressSpec, SelectSpec, KeypadSpec, OtpSpec, DateParse, FieldSpec, ListBlock,
            GroupSpec, EmbeddedSpec, LookupSpec, ScrubRules, Recipe, *api_models()]
