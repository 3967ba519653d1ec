"""Synchronization engine for a financial-data aggregator.

Public API::

    from engine import load_recipe, sync, Engine, SyncOptions
    result = await sync("recipes/banque-demo.yaml", {"username": "...", "password": "..."})
"""

from engine.api import Engine, sync
from engine.errors import ErrorKind, RecipeError, SyncError
from engine.models import Account, AccountType, Holding, SyncResult, Transaction
from engine.recipe import Recipe, load_recipe
from engine.runner.context import OtpChallenge, SyncOptions
from engine.secrets import Secret

__version__ = "0.1.0"

__all__ = [
    "Account", "AccountType", "Engine", "ErrorKind", "Holding", "OtpChallenge", "Recipe",
    "RecipeError", "Secret", "SyncError", "SyncOptions", "SyncResult", "Transaction",
    "__version__", "load_recipe", "sync",
]
