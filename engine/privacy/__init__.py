"""One privacy module for the live redactor, the recording scrubbers and the audit.

- ``vocabulary``: the keys that name personal data or secrets, whatever the site's spelling.
- ``detectors``: values recognised by their own proof (IBAN, card, phone, e-mail, JWT...).
- ``masking``: masks that keep a value's shape, never its content; telling a mask apart.
- ``values`` / ``documents``: reading text, URLs, forms, headers, JSON and HTML by type.
- ``text``: the recordings' text redactor (learn from a recording, replace everywhere).
- ``redactor``: the live redactor (a sync's messages: secrets only, never identifiers).

Dependency-wise this sits beside ``engine.secrets`` at the bottom: it imports nothing else of
the engine, so every layer may use it. The submodules are imported on first use, so that
``import engine`` does not pay for the phone-number and IBAN libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

from engine.privacy.redactor import MASK, Redactor
from engine.privacy.vocabulary import Kind, classify_key, normalize_key

_LAZY = {
    "Hit": "documents", "scan_body": "documents", "scan_json": "documents",
    "scan_text": "documents", "scan_url": "documents", "scan_headers": "documents",
    "scan_html": "documents", "ScrubTable": "text", "TextScrubber": "text",
    "mask": "masking", "is_masked": "masking", "find_all": "detectors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"engine.privacy.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'engine.privacy' has no attribute {name!r}")


__all__ = ["MASK", "Kind", "Redactor", "classify_key", "normalize_key", *sorted(_LAZY)]
