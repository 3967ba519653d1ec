"""The runner: executes a recipe against a backend and produces a ``SyncResult``."""

from engine.runner.context import OtpChallenge, SyncOptions
from engine.runner.session import run_sync

__all__ = ["OtpChallenge", "SyncOptions", "run_sync"]
