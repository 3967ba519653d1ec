"""Where each part of a loaded recipe was written, so run-time errors can name it too.

The loader keeps the line and column of every key; a recipe mistake only visible at run time
(a template with no value for this account, a regex too slow on a real page) then points at
``recipes/x.yaml:41:7`` like a load-time error does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]
Positions = dict[Path_, tuple[int, int]]


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_dotted(text: str) -> Path_:
    """``transactions.fields.amount`` or ``login[2].fill`` back into a key path."""
    parts: list[str | int] = []
    for chunk in text.replace("]", "").split("."):
        name, *indices = chunk.split("[")
        if name:
            parts.append(name)
        parts.extend(int(i) for i in indices if i.isdigit())
    return tuple(parts)


@dataclass(frozen=True)
class RecipeOrigin:
    file: str
    positions: Positions = field(default_factory=dict, repr=False)

    def where(self, path: Path_ | str) -> str:
        """``file:line:column`` of the deepest known key of ``path``."""
        key = parse_dotted(path) if isinstance(path, str) else path
        for end in range(len(key), -1, -1):
            if key[:end] in self.positions:
                line, column = self.positions[key[:end]]
                return f"{self.file}:{line}:{column}"
        return f"{self.file}:1:1"
