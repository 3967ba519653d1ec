"""Field transforms and parsers: one registry entry each (see ``registry``).

Importing the package imports every module in it, so a new family module registers itself by
existing; ``check_registry`` then refuses an inconsistent registry before any recipe loads.
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.recipe.transforms.registry import (
    PARSERS,
    TRANSFORMS,
    Example,
    FieldEnv,
    FieldSettings,
    Parser,
    PlainEnv,
    Transform,
    TransformError,
    check_registry,
    ordered_transforms,
)

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "docs":  # the docs generator registers nothing (and runs as __main__)
        importlib.import_module(f"{__name__}.{_module.name}")
check_registry()

__all__ = [
    "PARSERS",
    "TRANSFORMS",
    "Example",
    "FieldEnv",
    "FieldSettings",
    "Parser",
    "PlainEnv",
    "Transform",
    "TransformError",
    "check_registry",
    "ordered_transforms",
]
