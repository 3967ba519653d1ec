"""Evidence for recipe maintainers when a site changed: the page's HTML and a screenshot.

Nothing personal reaches disk: the HTML is redacted of every credential value (identifiers
included, unlike results, since a page echoing the login is no use to a maintainer), the
screenshot is taken after every input was emptied and every text holding such a value blanked,
and files are created private (0600, folders 0700) like the state files.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from engine.errors import SyncError
from engine.runner.context import SyncContext
from engine.secrets import Redactor, Secret


def _private_write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _values(ctx: SyncContext) -> list[str]:
    values = [v.reveal() for v in ctx.credentials.values()]
    values += [v.reveal() for v in ctx.variables.values() if isinstance(v, Secret)]
    return [v for v in values if len(v) >= 3]


async def save_evidence(ctx: SyncContext, error: SyncError, folder: Path) -> None:
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{ctx.recipe.institution.id}-{stamp}"
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.mkdir(target, mode=0o700)
        values = _values(ctx)
        redact = Redactor(values)
        html_path = target / "page.html"
        _private_write(html_path, ctx.redactor(redact(await ctx.backend.content())).encode())
        error.evidence["html"] = str(html_path)
        shot = await ctx.backend.screenshot(mask_values=values)
        if shot:
            _private_write(target / "screenshot.png", shot)
            error.evidence["screenshot"] = str(target / "screenshot.png")
    except Exception as exc:
        ctx.warnings.append(f"evidence could not be saved: {type(exc).__name__}")
