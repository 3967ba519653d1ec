"""Generated class names in the style of CSS-in-JS libraries (``css-1x2y3z``).

The bank's front-end is a React app rendered on the server; its styling library emits one
hashed class per style, so class names carry no meaning and change with every redesign. A
recipe must therefore use the ``data-testid`` attributes, roles and labels, as it would on the
real thing. Hashes are derived from the style's name, so pages are byte-identical across runs.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def cx(name: str) -> str:
    """The class of style ``name``: ``css-`` and six base-36 characters."""
    number = int.from_bytes(hashlib.blake2s(name.encode(), digest_size=8).digest(), "big")
    chars = []
    for _ in range(6):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return "css-" + "".join(chars)
