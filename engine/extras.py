"""Optional parts of the package and the one-line error a missing one gives.

The core install is what a sync needs. The rest is in extras (``pyproject.toml``):
``[workers]`` (celery, redis, kombu), ``[harness]`` (vcrpy, for API cassettes), ``[demo]``
(flask, the demo institutions), ``[dev]`` (all of them plus the test tools). A module that
needs an extra calls :func:`require` before importing it, so that a user without it reads
which extra to install instead of a ``ModuleNotFoundError`` from deep inside a dependency.
"""

from __future__ import annotations

import importlib.util
import sys

DISTRIBUTION = "bank-sync-engine"

EXTRAS: dict[str, tuple[str, ...]] = {
    "workers": ("celery", "kombu", "redis"),
    "harness": ("vcr",),
    "demo": ("flask",),
}
"""The import names each extra provides (what :func:`require` looks for)."""


class MissingExtra(ImportError):
    """A feature's optional dependencies are not installed; the message names the extra."""

    def __init__(self, feature: str, extra: str, missing: list[str]) -> None:
        self.feature, self.extra, self.missing = feature, extra, missing
        super().__init__(f"{feature}: needs the [{extra}] extra ({', '.join(missing)} not "
                         f"installed): pip install '{DISTRIBUTION}[{extra}]'")


def _installed(name: str) -> bool:
    if name in sys.modules:  # imported already (kombu's module even has no __spec__)
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missing_modules(extra: str) -> list[str]:
    """The import names of ``extra`` that cannot be found (none are imported)."""
    return [name for name in EXTRAS[extra] if not _installed(name)]


def require(extra: str, feature: str) -> None:
    """Raise :class:`MissingExtra` unless every module of ``extra`` is installed."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtra(feature, extra, missing)


__all__ = ["DISTRIBUTION", "EXTRAS", "MissingExtra", "missing_modules", "require"]
