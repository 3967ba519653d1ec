"""The recipe language: what a recipe author may write, as pydantic models.

Every model forbids unknown keys, so a typo is an error with a location rather than a silently
ignored line. The parts live in their own modules — steps (``recipe/steps/``, one class per
verb), conditions and detection rules (``conditions``), list blocks (``lists``), fields
(``fields``), the API section (``api``) — and ``Recipe`` assembles them.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.errors import DetectKind
from engine.recipe.api import ApiSpec, api_models, check_sections
from engine.recipe.base import Seconds, Strict
from engine.recipe.conditions import Condition, ResponseMatch, Rule, RuleSet
from engine.recipe.fields import DateParse, FieldSpec
from engine.recipe.lists import ListBlock, ScrollLoad
from engine.recipe.origin import RecipeOrigin
from engine.recipe.steps import REGISTRY, AnyStep, Step

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _check_domain(value: str) -> str:
    """An exact host name or address, or ``*.`` and a domain of at least two labels."""
    host = value.strip().lower()
    if host != value:
        raise ValueError(f"{value!r}: write host names in lower case, without spaces")
    pattern = host[2:] if host.startswith("*.") else host
    try:
        ipaddress.ip_address(pattern.strip("[]"))
        if host.startswith("*."):
            raise ValueError(f"{value!r}: a wildcard cannot apply to an IP address")
        return value
    except ValueError as exc:
        if "wildcard" in str(exc):
            raise
    labels = pattern.split(".")
    if not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{value!r} is not a host name (wildcards only as a leading '*.')")
    if host.startswith("*.") and len(labels) < 2:
        raise ValueError(f"{value!r} would allow a whole top-level domain")
    return value


Domain = Annotated[str, Field(min_length=1, max_length=253)]
OriginName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
HttpUrl = Annotated[str, Field(pattern=r"^https?://[^\s/]+", max_length=2000)]


def host_allowed(url: str, allowed: list[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and any(host == p or (p.startswith("*.") and host.endswith(p[1:]))
                              for p in allowed)


class Institution(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
                    description="Stable slug, e.g. banque-demo; must equal the file name.")
    name: str = Field(max_length=200)
    allowed_domains: list[Domain] = Field(
        min_length=1, max_length=50,
        description="Hosts the browser may contact (exact host, or *.example.com). Every other "
        "request is refused and reported, so credentials cannot leave for another host.",
    )
    base_url: HttpUrl = Field(description="Where relative URLs resolve.")
    origins: dict[OriginName, HttpUrl] = Field(
        default_factory=dict, max_length=10,
        description="Other origins the institution uses (an API on another host), as "
        "{{ origins.<name> }}; each can be moved like base_url (--origin name=URL).")
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
    max_page_mb: float = Field(default=20, strict=True, gt=0, le=500,
                               description="Pages larger than this are refused "
                               "(recipe_broken.page_too_large) instead of parsed.")

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        return [_check_domain(v) for v in value]

    @field_validator("base_url", "origins")
    @classmethod
    def _inside_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        allowed = info.data.get("allowed_domains")
        if allowed is None:
            return value  # reported where it is
        for url in value.values() if isinstance(value, dict) else [value]:
            if not host_allowed(url, allowed):
                raise ValueError(f"{url} is not inside allowed_domains")
        return value


class CredentialField(Strict):
    name: str = Field(pattern=r"^[a-z_][a-z0-9_]{0,40}$")
    label: str | None = Field(default=None, max_length=100)
    secret: bool = False


class Timeouts(Strict):
    step: Seconds = Field(default=15.0, description="Seconds one step may take.")
    sync: Seconds = Field(default=180.0, description="Seconds the whole sync may take.")


class ScrubRules(Strict):
    """Extra masking applied to recordings, on top of the built-in rules."""

    patterns: list[str] = Field(default_factory=list, max_length=100,
                                description="Regexes to mask.")
    texts: list[str] = Field(default_factory=list, max_length=100,
                             description="Literal strings to mask.")


class Recipe(Strict):
    version: Literal[1] = 1
    institution: Institution
    credentials: list[CredentialField] = Field(min_length=1, max_length=20)
    timeouts: Timeouts = Timeouts()
    detect: dict[DetectKind, RuleSet] = Field(
        default_factory=dict,
        description="Checked after every step, in file order; the first match classifies.",
    )
    login: list[AnyStep] = Field(
        default_factory=list, validate_default=True, max_length=100,
        description="Browser recipes: the login steps. HTTP recipes authenticate in api.auth.")
    accounts: ListBlock | list[ListBlock] = Field(
        description="One block, or several (cards on one page, deposits on another).")
    transactions: ListBlock | list[ListBlock] | None = Field(
        default=None, description="One block, or several chosen per account by their when: "
        "(a card's page reads differently from a deposit account's); every block whose when "
        "holds runs for the account (booked lines from one, pending ones from another).")
    holdings: ListBlock | list[ListBlock] | None = Field(
        default=None, description="One block, or several chosen per account by their when:.")
    scrub: ScrubRules = ScrubRules()
    api: ApiSpec | None = Field(default=None, validate_default=True,
                                description="HTTP recipes: OAuth2, calls and answer rules.")
    _origin: RecipeOrigin | None = PrivateAttr(default=None)

    def attach_origin(self, origin: RecipeOrigin) -> None:
        self._origin = origin

    def where(self, path: str) -> str | None:
        """``file:line:column`` of a key path (``transactions.each``), when loaded from a file."""
        return self._origin.where(path) if self._origin is not None else None

    @property
    def source_file(self) -> str | None:
        return self._origin.file if self._origin is not None else None

    @field_validator("accounts", "transactions", "holdings")
    @classmethod
    def _some_blocks(cls, value: ListBlock | list[ListBlock] | None,
                     info: ValidationInfo) -> ListBlock | list[ListBlock] | None:
        if isinstance(value, list) and not 1 <= len(value) <= 20:
            raise ValueError(f"give 1 to 20 {info.field_name} blocks")
        return value

    @field_validator("login", "detect", "accounts", "transactions", "holdings", "api")
    @classmethod
    def _fits_backend(cls, value: Any, info: ValidationInfo) -> Any:
        return check_sections(info.field_name or "", value, info.data)

    @model_validator(mode="after")
    def _check_references(self) -> Recipe:
        names = [c.name for c in self.credentials]
        if len(names) != len(set(names)):
            raise ValueError("credential names must be unique")
        extra = self.api.account_fields() if self.api else set()
        for index, block in enumerate(self.account_blocks):
            provided = set(block.fields) | extra
            missing = [f for f in ("id", "label", "balance") if f not in provided]
            if missing:
                where = "accounts" + (f"[{index}]" if isinstance(self.accounts, list) else "")
                raise ValueError(f"{where}.fields needs {', '.join(map(repr, missing))}")
        return self

    @property
    def account_blocks(self) -> list[ListBlock]:
        return self.accounts if isinstance(self.accounts, list) else [self.accounts]

    def section_blocks(self, section: str) -> list[tuple[str, ListBlock]]:
        """The blocks of ``accounts``, ``transactions`` or ``holdings`` with the names the
        runner, errors and recordings use: the section's name for a single block,
        ``section[i]`` for each block of a list."""
        value: ListBlock | list[ListBlock] | None = getattr(self, section)
        if value is None:
            return []
        if isinstance(value, ListBlock):
            return [(section, value)]
        return [(f"{section}[{index}]", block) for index, block in enumerate(value)]

    def block(self, name: str) -> ListBlock | None:
        """The block a stage name (``transactions``, ``accounts[1]``) designates, if any."""
        return dict(self.blocks()).get(name)

    def credential(self, name: str) -> CredentialField:
        return next(c for c in self.credentials if c.name == name)

    def rules(self) -> list[tuple[str, Rule]]:
        """Detection rules flattened in file order."""
        out: list[tuple[str, Rule]] = []
        for kind, rules in self.detect.items():
            out.extend((kind, rule) for rule in (rules if isinstance(rules, list) else [rules]))
        return out

    def blocks(self) -> list[tuple[str, ListBlock]]:
        """Every list block with its stage name, accounts first."""
        return [named for section in ("accounts", "transactions", "holdings")
                for named in self.section_blocks(section)]

    def captured_vars(self) -> set[str]:
        """Names every ``capture`` step of the recipe sets (the ``vars`` namespace)."""
        steps: list[Step] = list(self.login)
        for _, block in self.blocks():
            steps.extend(block.steps)
        names: set[str] = set()
        for step in steps:
            capture = getattr(step, "capture", None)
            if isinstance(capture, dict):
                names.update(capture)
        return names


def recipe_models() -> list[type[BaseModel]]:
    """Every model of the language (for hints and documentation)."""
    return [Institution, CredentialField, Timeouts, Rule, Condition, ResponseMatch,
            DateParse, FieldSpec, ListBlock, ScrollLoad, ScrubRules, Recipe,
            *REGISTRY.values(), *_nested_step_models(), *api_models()]


def _nested_step_models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    for cls in REGISTRY.values():
        for info in cls.model_fields.values():
            for candidate in _model_types(info.annotation):
                if candidate not in found:
                    found.append(candidate)
    return found


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _model_types(arg)]


__all__ = ["Condition", "Institution", "ListBlock", "Recipe", "Rule", "Step", "host_allowed"]
