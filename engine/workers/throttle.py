"""Per-institution throttling shared by the whole fleet, so many workers never look like an
attack to one bank.

Two limits per institution, both enforced in one atomic Redis script (so two workers can never
both see the last free slot):

* **concurrency**: a counting semaphore made of *leases*, a sorted set of lease id → expiry.
  A worker renews its lease while its sync runs; a crashed worker stops renewing and its slot
  frees itself when the lease expires (``lease_seconds``), instead of leaking forever.
* **per_minute**: a sliding-window log, a sorted set of sync start times; a start is allowed
  when fewer than ``per_minute`` starts happened in the last 60 s. Unlike a fixed window it
  never allows a burst of twice the limit around a minute boundary.

Time comes from the Redis server (``TIME``), not from each worker, so clock skew between
machines cannot loosen the limits. Operators can tighten or loosen an institution's limits
live with :meth:`Limiter.set_limits` (stored in Redis, read by the script, no redeploy); the
static defaults come from ``ENGINE_THROTTLE``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

import redis
import yaml

PREFIX = "engine:throttle"


@dataclass(frozen=True)
class Limits:
    concurrency: int = 4
    """Syncs running at once against the institution, across every worker."""
    per_minute: int = 30
    """Sync starts in any sliding 60-second window, across every worker."""

    def __post_init__(self) -> None:
        if self.concurrency < 0 or self.per_minute < 0:
            raise ValueError("throttle limits cannot be negative (0 pauses the institution)")


@dataclass(frozen=True)
class ThrottleConfig:
    """Limits per institution (merged over ``default``) and the lease/retry timings.

    As JSON or YAML::

        {"default": {"concurrency": 4, "per_minute": 30},
         "institutions": {"banque-demo": {"concurrency": 1}},
         "lease_seconds": 60, "retry_delay": 2, "max_retry_delay": 15}
    """

    default: Limits = field(default_factory=Limits)
    institutions: Mapping[str, Limits] = field(default_factory=dict)
    lease_seconds: float = 60.0
    """A lease not renewed within this time is considered abandoned (crashed worker)."""
    retry_delay: float = 2.0
    """Base delay before a job denied a concurrency slot is tried again (jitter is added)."""
    max_retry_delay: float = 15.0
    """Cap of that delay, which grows by half with each refusal of the same job."""

    def limits_for(self, institution: str) -> Limits:
        return self.institutions.get(institution, self.default)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ThrottleConfig:
        allowed = {"default", "institutions", "lease_seconds", "retry_delay", "max_retry_delay"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown throttle settings: {', '.join(sorted(unknown))}")
        default = _limits(data.get("default") or {}, Limits())
        institutions = {str(name): _limits(values or {}, default)
                        for name, values in (data.get("institutions") or {}).items()}
        return cls(default, institutions, float(data.get("lease_seconds", 60.0)),
                   float(data.get("retry_delay", 2.0)), float(data.get("max_retry_delay", 15.0)))

    @classmethod
    def from_setting(cls, value: str | None) -> ThrottleConfig:
        """``ENGINE_THROTTLE``: inline JSON (starts with ``{``) or a YAML/JSON file path."""
        if not value:
            return cls()
        text = value if value.lstrip().startswith("{") else Path(value).read_text("utf-8")
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ValueError("ENGINE_THROTTLE must be a mapping")
        return cls.parse(loaded)


def _limits(values: Mapping[str, Any], base: Limits) -> Limits:
    names = {f.name for f in fields(Limits)}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"unknown limit names: {', '.join(sorted(unknown))}")
    return replace(base, **{k: int(v) for k, v in values.items()})


@dataclass(frozen=True)
class Decision:
    """The limiter's answer. ``lease`` is set when granted; otherwise ``wait`` is a hint."""

    granted: bool
    institution: str
    lease: str | None = None
    reason: str = "ok"
    """``ok``, ``concurrency`` or ``rate``."""
    wait: float = 0.0
    """Seconds until a rate-limited start becomes possible (0 when unknown)."""


# KEYS: leases zset, starts zset, overrides hash
# ARGV: lease id, concurrency, per_minute, window ms, lease ms, count this start (1/0)
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local conc = tonumber(redis.call('HGET', KEYS[3], 'concurrency') or ARGV[2])
local rate = tonumber(redis.call('HGET', KEYS[3], 'per_minute') or ARGV[3])
local window = tonumber(ARGV[4])
local lease_ms = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= conc then
  return {0, 'concurrency', 0}
end
if ARGV[6] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= rate then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    local wait = window
    if oldest[2] then wait = tonumber(oldest[2]) + window - now end
    return {0, 'rate', wait}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], window)
end
redis.call('ZADD', KEYS[1], now + lease_ms, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease_ms then redis.call('PEXPIRE', KEYS[1], lease_ms) end
return {1, 'ok', 0}
"""

# KEYS: leases zset; ARGV: lease id, lease ms. 1 = renewed, 0 = lost (expired or released).
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""

# KEYS: leases zset. Live leases right now.
_ACTIVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
"""


class Limiter:
    """Fleet-wide concurrency and rate limits per institution, stored in Redis."""

    def __init__(self, client: redis.Redis, config: ThrottleConfig | None = None, *,
                 window_seconds: float = 60.0) -> None:
        self._redis = client
        self.config = config or ThrottleConfig()
        self._window_ms = int(window_seconds * 1000)
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._active = client.register_script(_ACTIVE)

    @staticmethod
    def _keys(institution: str) -> tuple[str, str, str]:
        base = f"{PREFIX}:{institution}"
        return f"{base}:leases", f"{base}:starts", f"{base}:limits"

    @property
    def _lease_ms(self) -> int:
        return int(self.config.lease_seconds * 1000)

    def acquire(self, institution: str, *, count_rate: bool = True) -> Decision:
        """Try to take a slot now; never blocks. ``count_rate=False`` for a resumed sync
        (the same login continuing with its code: it must not wait behind new logins while
        the code expires, and it is not a new login as far as the bank is concerned)."""
        limits = self.config.limits_for(institution)
        lease = uuid.uuid4().hex
        raw = self._acquire(keys=list(self._keys(institution)), args=[
            lease, limits.concurrency, limits.per_minute, self._window_ms, self._lease_ms,
            "1" if count_rate else "0"])
        granted, reason, wait_ms = cast(list[Any], raw)
        reason = reason.decode() if isinstance(reason, bytes) else str(reason)
        if int(granted):
            return Decision(True, institution, lease=lease)
        return Decision(False, institution, reason=reason, wait=max(0, int(wait_ms)) / 1000)

    def renew(self, institution: str, lease: str) -> bool:
        """Extend a lease; False when it was lost (expired: the slot may be someone else's)."""
        leases = self._keys(institution)[0]
        return bool(self._renew(keys=[leases], args=[lease, self._lease_ms]))

    def release(self, institution: str, lease: str) -> None:
        self._redis.zrem(self._keys(institution)[0], lease)

    def active(self, institution: str) -> int:
        """Live leases (syncs running) against the institution, fleet-wide."""
        return int(cast(int, self._active(keys=[self._keys(institution)[0]])))

    def set_limits(self, institution: str, *, concurrency: int | None = None,
                   per_minute: int | None = None) -> None:
        """Override the configured limits for one institution, live, for every worker."""
        pairs = {"concurrency": concurrency, "per_minute": per_minute}
        values = {name: value for name, value in pairs.items() if value is not None}
        if any(value < 0 for value in values.values()):
            raise ValueError("throttle limits cannot be negative (0 pauses the institution)")
        key = self._keys(institution)[2]
        for name, value in values.items():
            self._redis.hset(key, name, value)

    def clear_limits(self, institution: str) -> None:
        """Drop the live override: the configured limits apply again."""
        self._redis.delete(self._keys(institution)[2])

    def overrides(self, institution: str) -> dict[str, int]:
        raw = cast(dict[Any, Any], self._redis.hgetall(self._keys(institution)[2]))
        return {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in raw.items()}


def describe(config: ThrottleConfig) -> str:
    """One line for logs: the limits a worker starts with (no secrets in there)."""
    return json.dumps({"default": config.default.__dict__,
                       "institutions": {k: v.__dict__ for k, v in config.institutions.items()},
                       "lease_seconds": config.lease_seconds})
