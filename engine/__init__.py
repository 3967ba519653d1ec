"""Synchronization engine for a financial-data aggregator.

Public API::

    from engine import load_recipe, sync, Engine, SyncOptions
    result = await sync("recipes/banque-demo.yaml", {"username": "...", "password": "..."})

Every name of ``__all__`` is imported on first use (PEP 562), not when ``engine`` is imported:
``import engine.errors`` or ``engine --version`` must not pay for Playwright, httpx and the
recipe models. Type checkers see ordinary imports (the ``TYPE_CHECKING`` block), so the
package stays fully typed (``py.typed``).
"""

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"

if _typing.TYPE_CHECKING:
    from engine.api import Engine, sync
    from engine.errors import ErrorKind, RecipeError, SyncError
    from engine.models import Account, AccountType, Holding, SyncResult, Transaction
    from engine.recipe import Recipe, load_recipe
    from engine.runner.context import OtpChallenge, SyncOptions
    from engine.secrets import Secret

_LAZY: dict[str, str] = {
    "Engine": "engine.api", "sync": "engine.api",
    "ErrorKind": "engine.errors", "RecipeError": "engine.errors", "SyncError": "engine.errors",
    "Account": "engine.models", "AccountType": "engine.models", "Holding": "engine.models",
    "SyncResult": "engine.models", "Transaction": "engine.models",
    "Recipe": "engine.recipe", "load_recipe": "engine.recipe",
    "OtpChallenge": "engine.runner.context", "SyncOptions": "engine.runner.context",
    "Secret": "engine.secrets",
}

__all__ = [
    "Account", "AccountType", "Engine", "ErrorKind", "Holding", "OtpChallenge", "Recipe",
    "RecipeError", "Secret", "SyncError", "SyncOptions", "SyncResult", "Transaction",
    "__version__", "load_recipe", "sync",
]


if not _typing.TYPE_CHECKING:  # type checkers see the imports above, and no catch-all
    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'engine' has no attribute {name!r}")
        value = getattr(_importlib.import_module(module), name)
        globals()[name] = value  # once imported, an ordinary attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
