"""Every ``ENGINE_*`` environment variable, documented and validated in one place.

Why one model: settings read ad hoc (``os.environ.get`` here and there) are undocumented, and
a typo or a bad value surfaces late, as a confusing failure. Each variable is a field of a
pydantic-settings model; its docstring is the documentation, and the README's table is
generated from these models (``scripts/settings_table.py``, checked by a test).

``EnvSettings`` is the shared base: the ``ENGINE_`` prefix, :meth:`EnvSettings.load` (from
``os.environ`` or a given mapping) and errors naming the variable. ``EngineSettings`` holds
the core's variables; the workers' own model (``engine.workers.settings.WorkerEnv``) is built
on the same base. Defaults for files follow the XDG base directories (state under
``$XDG_STATE_HOME``, the key under ``$XDG_CONFIG_HOME``), never the installed package.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PREFIX = "ENGINE_"
APP_DIR = "bank-sync-engine"


class SettingsError(ValueError):
    """An ``ENGINE_*`` variable has a value the engine cannot use (the message names it)."""


_GIVEN: ContextVar[bool] = ContextVar("engine_settings_given", default=False)


class EnvSettings(BaseSettings):
    """Base of every settings model: ``ENGINE_<FIELD>`` variables, nothing else read (no
    ``.env`` file, no secrets folder)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="ignore", frozen=True,
                                      case_sensitive=False, env_ignore_empty=True,
                                      use_attribute_docstrings=True)

    PATTERNS: ClassVar[dict[str, str]] = {}
    """Variables whose name is a pattern (not a field), for the documentation table."""

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,) if _GIVEN.get() else (init_settings, env_settings)

    @classmethod
    def variable(cls, field: str) -> str:
        return PREFIX + field.upper()

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None) -> Self:
        """The settings from the process environment, or from ``environ`` alone (tests, a
        worker configured by its caller); a bad value raises ``SettingsError`` naming it."""
        token = _GIVEN.set(environ is not None)
        try:
            if environ is None:
                return cls()
            upper = {k.upper(): v for k, v in environ.items()}
            return cls(**{name: upper[cls.variable(name)] for name in cls.model_fields
                          if upper.get(cls.variable(name), "") != ""})
        except ValidationError as exc:
            first = exc.errors()[0]
            name = cls.variable(str(first["loc"][0])) if first["loc"] else cls.__name__
            raise SettingsError(f"{name}: {first['msg']}") from None
        finally:
            _GIVEN.reset(token)


class EngineSettings(EnvSettings):
    """The engine's own variables (the command line and the library read these)."""

    PATTERNS: ClassVar[dict[str, str]] = {
        "ENGINE_CREDENTIAL_<NAME>": "A credential for `engine run`/`record`/`drift` (e.g. "
        "`ENGINE_CREDENTIAL_PASSWORD`), read when no `--credentials` file gives it; never "
        "from arguments.",
    }

    state_key: SecretStr | None = None
    """Key (Fernet) or passphrase sealing the CLI's session and resume state. Default: a
    private key file created on first use, `$XDG_CONFIG_HOME/bank-sync-engine/state.key`
    (mode 0600)."""
    state_dir: Path | None = None
    """Where the CLI keeps sealed session/resume state per institution (`--state-dir`
    overrides). Default: `$XDG_STATE_HOME/bank-sync-engine` (`~/.local/state/...`)."""
    chromium: Path | None = None
    """The Chromium or Chrome executable. Default: `chromium`, `chromium-browser`,
    `google-chrome`... on `PATH`, then Playwright's own download cache."""
    log_format: Literal["text", "json"] = "text"
    """`json`: one JSON object per line on stderr (institution, sync id, stage, duration,
    error code); `--log-format` overrides."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "WARNING"
    """Level of the `engine` loggers on stderr; `--log-level`, `-v` and `-q` override."""
    audit_secrets: str = ""
    """Comma-separated credential values `engine audit` must never find in fixtures (added to
    the demo sites' own)."""
    audit_names: str = Field(default="")
    """Comma-separated customer names `engine audit` must never find in fixtures."""

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _case(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        return value.lower() if info.field_name == "log_format" else value.upper()

    @staticmethod
    def split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]


def credential_from_env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """``ENGINE_CREDENTIAL_<NAME>`` (the pattern documented in ``EngineSettings.PATTERNS``)."""
    return (os.environ if environ is None else environ).get(f"{PREFIX}CREDENTIAL_{name.upper()}")


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    return Path(value) if value else Path.home() / fallback


def default_state_dir() -> Path:
    """``$ENGINE_STATE_DIR``, else ``$XDG_STATE_HOME/bank-sync-engine``."""
    configured = EngineSettings.load().state_dir
    return configured if configured else _xdg("XDG_STATE_HOME", ".local/state") / APP_DIR


def default_key_file() -> Path:
    """``$XDG_CONFIG_HOME/bank-sync-engine/state.key``."""
    return _xdg("XDG_CONFIG_HOME", ".config") / APP_DIR / "state.key"


def markdown_table(models: list[type[EnvSettings]]) -> str:
    """The README's table of variables: name, default, meaning (from the field docstrings)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for model in models:
        for name, info in model.model_fields.items():
            default = info.get_default(call_default_factory=True)
            shown = "—" if default in (None, "") else f"`{default}`"
            doc = " ".join((info.description or "").split())
            rows.append(f"| `{model.variable(name)}` | {shown} | {doc} |")
        rows += [f"| `{name}` | — | {doc} |" for name, doc in model.PATTERNS.items()]
    return "\n".join(rows)


__all__ = ["EngineSettings", "EnvSettings", "SettingsError", "credential_from_env",
           "default_key_file", "default_state_dir", "markdown_table"]
