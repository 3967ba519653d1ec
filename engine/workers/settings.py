"""What the backend (client) and the workers must agree on, read from the environment.

Both sides need the Redis URL and the shared key; recipes, throttling and retention are
worker-side. Environment variables (not files or arguments) carry them so that the key never
lands in a command line visible in ``ps`` or in shell history. The variables are the fields
of :class:`WorkerEnv`, built on the engine's settings base (``engine.settings``), which
documents and validates them and generates the README's table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from engine.bundled import recipes_dir
from engine.settings import EnvSettings, SettingsError
from engine.workers.throttle import ThrottleConfig

ENV_REDIS_URL = "ENGINE_REDIS_URL"
ENV_KEY = "ENGINE_WORKER_KEY"
ENV_RECIPES = "ENGINE_RECIPES_DIR"
ENV_THROTTLE = "ENGINE_THROTTLE"
ENV_QUEUE = "ENGINE_QUEUE"
ENV_FLEET = "ENGINE_FLEET"

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "engine-sync"

JOB_TTL_SECONDS = 24 * 3600
"""How long a job's status and (encrypted) result stay readable by the backend."""
RECIPE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Recipe ids name a file under the recipes folder; anything else could escape it."""

QUEUED_SECRETS_TTL_SECONDS = 3600
"""How long credentials wait for a worker; a job older than that fails as ``job_expired``
rather than keeping a password in Redis indefinitely."""


class ConfigError(RuntimeError):
    """The environment does not configure the workers correctly (message says which var)."""


class WorkerEnv(EnvSettings):
    """The workers' variables (backend and workers read the same ones)."""

    redis_url: str = DEFAULT_REDIS_URL
    """Broker, job store and limiter: the same Redis for the backend and every worker."""
    worker_key: SecretStr | None = None
    """Fernet key or passphrase shared by the backend and the workers, sealing credentials,
    codes and results in Redis (required)."""
    recipes_dir: Path | None = None
    """Where workers find `<recipe_id>.yaml`. Default: the recipes bundled with the
    package."""
    throttle: str | None = None
    """Per-institution limits: inline JSON or a YAML/JSON file path
    (`engine.workers.throttle.ThrottleConfig`)."""
    queue: str = DEFAULT_QUEUE
    """Celery queue the workers consume and the backend publishes to."""
    fleet: str | None = None
    """Fault-handling timings (leases, heartbeats, retries): inline JSON or a YAML/JSON file
    path (`engine.workers.settings.FleetTimings`)."""


@dataclass(frozen=True)
class FleetTimings:
    """How fast the fleet notices and repairs faults (``ENGINE_FLEET``, JSON or YAML).

    The bound on recovering a dead worker's job is ``lease_seconds`` plus about one second (a
    reaper pass), and ``dispatch_grace_seconds`` for a job handed to a worker that died before
    it could claim it. Shorter leases recover faster but cost more Redis traffic (a renewal
    every third of a lease per running sync) and make a long network stall look like a death.
    """

    lease_seconds: float = 15.0
    """A running job whose lease is not renewed within this is requeued by any live worker."""
    heartbeat_seconds: float = 2.0
    """Worker registry heartbeat; a worker missing three in a row has left the fleet."""
    dispatch_grace_seconds: float = 10.0
    """A job handed to Celery but not claimed within this is handed out again."""
    poll_seconds: float = 0.2
    """How often each worker looks for due jobs (queued, throttled or resumed)."""
    sync_retries: int = 1
    """Retries of a job whose worker died mid-sync; then it fails ``engine_error.worker_lost``."""
    persist_seconds: float = 600.0
    """How long a finished sync waits for an unreachable Redis to store its result."""

    def __post_init__(self) -> None:
        if self.lease_seconds < 1 or self.heartbeat_seconds <= 0 or self.poll_seconds <= 0:
            raise ValueError("fleet timings: lease_seconds >= 1, heartbeat and poll > 0")
        if self.dispatch_grace_seconds < 1 or self.sync_retries < 0 or self.persist_seconds < 0:
            raise ValueError("fleet timings: dispatch_grace_seconds >= 1, sync_retries >= 0, "
                             "persist_seconds >= 0")

    @property
    def renew_every(self) -> float:
        """A running sync renews its lease this often: three chances before it expires."""
        return self.lease_seconds / 3

    @property
    def fence_after(self) -> float:
        """A sync that could not renew its lease for this long abandons itself, before another
        worker may take the job over (no two logins of one customer at once)."""
        return self.lease_seconds * 2 / 3

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> FleetTimings:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fleet timings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {k: (int(v) if k == "sync_retries" else float(v))
                                  for k, v in data.items()}
        return cls(**values)

    @classmethod
    def from_setting(cls, value: str | None) -> FleetTimings:
        """``ENGINE_FLEET``: inline JSON (starts with ``{``) or a YAML/JSON file path."""
        if not value:
            return cls()
        text = value if value.lstrip().startswith("{") else Path(value).read_text("utf-8")
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{ENV_FLEET} must be a mapping")
        return cls.parse(loaded)


@dataclass(frozen=True)
class WorkerSettings:
    redis_url: str = DEFAULT_REDIS_URL
    key: str = field(default="", repr=False)
    recipes_dir: Path = field(default_factory=recipes_dir)
    throttle: ThrottleConfig = field(default_factory=ThrottleConfig)
    queue: str = DEFAULT_QUEUE
    timings: FleetTimings = field(default_factory=FleetTimings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        try:
            env = WorkerEnv.load(environ)
        except SettingsError as exc:
            raise ConfigError(str(exc)) from None
        if env.worker_key is None:
            raise ConfigError(f"{ENV_KEY} is not set: backend and workers need the same key "
                              "to encrypt credentials, codes and results")
        parsed: dict[str, Any] = {}
        for name, parse, value in ((ENV_THROTTLE, ThrottleConfig.from_setting, env.throttle),
                                   (ENV_FLEET, FleetTimings.from_setting, env.fleet)):
            try:
                parsed[name] = parse(value)
            except (ValueError, TypeError, OSError, yaml.YAMLError) as exc:
                raise ConfigError(f"{name}: {exc}") from None
        return cls(
            redis_url=env.redis_url,
            key=env.worker_key.get_secret_value(),
            recipes_dir=env.recipes_dir or recipes_dir(),
            throttle=parsed[ENV_THROTTLE],
            queue=env.queue,
            timings=parsed[ENV_FLEET],
        )
