"""Where a sync is: stage and account boundaries, told to an observer and to the logs.

Why one hook for both: the command line draws progress from the same events an operator
aggregates in the JSON logs, so the two never disagree. The runner calls :func:`emit` at
each boundary (``session.py``: login, collection, the end; ``pipeline.py``: the list of
accounts, each account's blocks). An observer (``SyncOptions.progress``) must be quick and
must not raise; if it does, the sync goes on and the failure is logged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Literal

from engine.logs import current_sync

log = logging.getLogger("engine.sync")

Status = Literal["start", "done", "failed"]


@dataclass(frozen=True)
class ProgressEvent:
    """One boundary of one sync. Carries no secret: ids, counts, codes and timings only."""

    stage: str
    """``login``, ``accounts``, ``transactions``, ``holdings``, ``balances`` or ``sync``
    (the whole sync, its last event)."""
    status: Status
    account_id: str | None = None
    count: int | None = None
    """Records read (accounts, transactions, holdings) when the stage is done."""
    duration_ms: float | None = None
    error_code: str | None = None
    outcome: str | None = None
    """For ``sync`` events: ``ok``, ``partial`` or ``failed``."""
    institution: str = ""
    sync_id: str = ""

    def describe(self) -> str:
        """One line: ``banque-demo transactions acc-1 done: 137 transactions in 0.41 s``."""
        parts = [self.institution, self.stage]
        if self.account_id:
            parts.append(self.account_id)
        text = " ".join(p for p in parts if p) + f" {self.outcome or self.status}"
        if self.error_code:
            text += f" ({self.error_code})"
        details = []
        if self.count is not None:
            noun = _NOUNS.get(self.stage, "records")
            details.append(f"{self.count} {noun[:-1] if self.count == 1 else noun}")
        if self.duration_ms is not None:
            details.append(f"in {self.duration_ms / 1000:.2f} s")
        return text + (": " + " ".join(details) if details else "")


_NOUNS = {"sync": "accounts", "accounts": "accounts", "transactions": "transactions",
          "holdings": "holdings", "balances": "balances"}

ProgressObserver = Callable[[ProgressEvent], None]

_watching: ContextVar[ProgressObserver | None] = ContextVar("engine_progress", default=None)


@contextlib.contextmanager
def observing(observer: ProgressObserver) -> Iterator[None]:
    """Tell ``observer`` about every sync run in this block (this task and the tasks it
    starts): for callers that do not build the ``SyncOptions`` themselves, such as the
    harness's replay and drift, which the command line shows progress for."""
    token = _watching.set(observer)
    try:
        yield
    finally:
        _watching.reset(token)


def emit(observer: ProgressObserver | None, event: ProgressEvent) -> None:
    """Log ``event`` (``event=stage`` or ``event=sync_finished``) and tell ``observer`` and
    the one :func:`observing` installed."""
    fields = current_sync()
    event = replace(event, institution=event.institution or fields.get("institution", ""),
                    sync_id=event.sync_id or fields.get("sync_id", ""))
    finished = event.stage == "sync" and event.status != "start"
    level = logging.DEBUG if event.status == "start" else logging.INFO
    log.log(level, event.describe(), extra={
        "event": "sync_finished" if finished else "stage", "stage": event.stage,
        "account_id": event.account_id, "duration_ms": event.duration_ms,
        "error_code": event.error_code, "outcome": event.outcome})
    for target in {id(o): o for o in (observer, _watching.get()) if o is not None}.values():
        try:
            target(event)
        except Exception:
            log.warning("a progress observer failed; the sync goes on", exc_info=True)


__all__ = ["ProgressEvent", "ProgressObserver", "Status", "emit", "observing"]
