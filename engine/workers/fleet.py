"""Who is in the fleet: workers announce themselves with expiring heartbeats.

Each worker refreshes ``engine:fleet:worker:<name>`` (its pid, slots, running syncs) every
``heartbeat_seconds`` with a time-to-live of three heartbeats. A worker that dies, whatever
the way (SIGKILL, OOM, machine lost), stops refreshing and its key expires on its own: no
other worker has to notice, and a name set (``engine:fleet:workers``) only serves to list the
keys without scanning, pruned whenever it is read. The dispatcher sizes its hand-outs to the
sum of live workers' slots, so a dead worker's capacity stops counting within seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, cast

import redis

from engine.workers import keys
from engine.workers.queue import JobCounts, count_jobs

HEARTBEATS_TO_EXPIRE = 3


class Registry:
    """Heartbeats in, live workers out."""

    def __init__(self, client: redis.Redis, *, heartbeat_seconds: float = 2.0) -> None:
        self._redis = client
        self._ttl_ms = int(heartbeat_seconds * HEARTBEATS_TO_EXPIRE * 1000)

    def beat(self, name: str, info: dict[str, Any]) -> None:
        """Announce (or confirm) this worker for three more heartbeats."""
        pipe = self._redis.pipeline()
        pipe.set(keys.worker(name), json.dumps({**info, "seen_at": time.time()}),
                 px=self._ttl_ms)
        pipe.sadd(keys.WORKERS, name)
        pipe.execute()

    def leave(self, name: str) -> None:
        """Leave at once (warm shutdown), rather than after the heartbeats expire."""
        pipe = self._redis.pipeline()
        pipe.delete(keys.worker(name))
        pipe.srem(keys.WORKERS, name)
        pipe.execute()

    def live(self) -> dict[str, dict[str, Any]]:
        """Workers whose heartbeat has not expired: name → what they announced."""
        names = sorted(cast(set[str], self._redis.smembers(keys.WORKERS)))
        if not names:
            return {}
        values = cast(list[str | None], self._redis.mget([keys.worker(n) for n in names]))
        gone = [name for name, value in zip(names, values, strict=True) if value is None]
        if gone:
            self._redis.srem(keys.WORKERS, *gone)
        return {name: json.loads(value) for name, value in zip(names, values, strict=True)
                if value is not None}

    def capacity(self) -> int:
        """Sync slots of the live fleet."""
        return sum(int(info.get("concurrency", 0)) for info in self.live().values())


@dataclass(frozen=True)
class FleetView:
    """A snapshot for operators: live workers and job counts (nothing secret in either)."""

    workers: dict[str, dict[str, Any]]
    jobs: JobCounts

    @classmethod
    def read(cls, client: redis.Redis) -> FleetView:
        return cls(Registry(client).live(), count_jobs(client))

    def as_dict(self) -> dict[str, Any]:
        now = time.time()
        workers = [{"name": name, **info,
                    "heartbeat_age_s": round(now - float(info.get("seen_at", now)), 1)}
                   for name, info in sorted(self.workers.items())]
        return {"workers": workers, "jobs": self.jobs.as_dict()}
