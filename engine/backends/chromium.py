"""Find a Chromium to drive, and the flags it needs on a closed, root-run machine.

Playwright's own browser download cannot work offline, so the engine drives a system Chromium
or Chrome. Order: ``ENGINE_CHROMIUM`` (explicit path), then well-known executables on PATH,
then Playwright's own download if one happens to be installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from engine.errors import BrowserNotFound

ENV_VAR = "ENGINE_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

LAUNCH_ARGS = [
    "--no-sandbox",  # required as root; each sync is still isolated in its own context
    "--disable-background-networking",  # no calls home on a closed network
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-quic",
]


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable, or ``BrowserNotFound`` saying how to provide one."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise BrowserNotFound(f"{ENV_VAR}={explicit} is not an executable file",
                              reason="browser_not_found")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH",
                                Path.home() / ".cache" / "ms-playwright"))
    for pattern in ("chromium-*/chrome-linux/chrome", "chromium_headless_shell-*/chrome-linux/*"):
        for path in sorted(cache.glob(pattern)):
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    raise BrowserNotFound(
        "No Chromium or Chrome found. Install one (Debian: `apt-get install chromium`, as root) "
        f"or point the engine at an existing executable: export {ENV_VAR}=/path/to/chrome",
        reason="browser_not_found",
    )
