"""What the backend (client) and the workers must agree on, read from the environment.

Both sides need the Redis URL and the shared key; recipes, throttling and retention are
worker-side. Environment variables (not files or arguments) carry them so that the key never
lands in a command line visible in ``ps`` or in shell history.

======================== ===================================================================
``ENGINE_REDIS_URL``     broker, job store and limiter (default ``redis://127.0.0.1:6379/0``)
``ENGINE_WORKER_KEY``    Fernet key or passphrase shared by backend and workers (required)
``ENGINE_RECIPES_DIR``   where workers find ``<recipe_id>.yaml`` (default: ``recipes/`` of
                         this checkout)
``ENGINE_THROTTLE``      per-institution limits: inline JSON or a YAML/JSON file path (see
                         :class:`engine.workers.throttle.ThrottleConfig`)
``ENGINE_QUEUE``         Celery queue name (default ``engine-sync``)
======================== ===================================================================
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from engine.workers.throttle import ThrottleConfig

ENV_REDIS_URL = "ENGINE_REDIS_URL"
ENV_KEY = "ENGINE_WORKER_KEY"
ENV_RECIPES = "ENGINE_RECIPES_DIR"
ENV_THROTTLE = "ENGINE_THROTTLE"
ENV_QUEUE = "ENGINE_QUEUE"

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_QUEUE = "engine-sync"
REPO_RECIPES = Path(__file__).resolve().parents[2] / "recipes"

JOB_TTL_SECONDS = 24 * 3600
"""How long a job's status and (encrypted) result stay readable by the backend."""
RECIPE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""Recipe ids name a file under the recipes folder; anything else could escape it."""

QUEUED_SECRETS_TTL_SECONDS = 3600
"""How long credentials wait for a worker; a job older than that fails as ``job_expired``
rather than keeping a password in Redis indefinitely."""


class ConfigError(RuntimeError):
    """The environment does not configure the workers correctly (message says which var)."""


@dataclass(frozen=True)
class WorkerSettings:
    redis_url: str = DEFAULT_REDIS_URL
    key: str = field(default="", repr=False)
    recipes_dir: Path = REPO_RECIPES
    throttle: ThrottleConfig = field(default_factory=ThrottleConfig)
    queue: str = DEFAULT_QUEUE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if environ is None else environ
        key = env.get(ENV_KEY, "")
        if not key:
            raise ConfigError(f"{ENV_KEY} is not set: backend and workers need the same key "
                              "to encrypt credentials, codes and results")
        return cls(
            redis_url=env.get(ENV_REDIS_URL, DEFAULT_REDIS_URL),
            key=key,
            recipes_dir=Path(env.get(ENV_RECIPES) or REPO_RECIPES),
            throttle=ThrottleConfig.from_setting(env.get(ENV_THROTTLE)),
            queue=env.get(ENV_QUEUE, DEFAULT_QUEUE),
        )
