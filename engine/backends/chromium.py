"""Find a Chromium to drive, and the flags it needs on a closed, root-run machine.

Playwright's own browser download cannot work offline, so the engine drives a system Chromium
or Chrome. Order: ``ENGINE_CHROMIUM`` (explicit path), then well-known executables on PATH,
then Playwright's own download if one happens to be installed. The flags keep the browser from
calling home and from sending WebRTC datagrams (network containment: ``backends.netguard``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from engine.errors import BrowserNotFound
from engine.settings import EngineSettings

ENV_VAR = "ENGINE_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

BASE_ARGS = [
    "--no-sandbox",  # required as root; each sync is still isolated in its own context
    "--disable-background-networking",  # no calls home on a closed network
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-quic",
]
CONTAINMENT_ARGS = [
    # WebRTC may use UDP only through a proxy, and an HTTP proxy carries no UDP: no STUN/TURN
    # datagram leaves (Chromium 156 knows this switch; the "force-" spelling is gone).
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
PLAYWRIGHT_DISABLED_FEATURES = (
    # Playwright passes its own --disable-features; Chromium keeps only the last one given,
    # so ours must repeat Playwright's (tests/security checks this list against the driver).
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
)
ENGINE_DISABLED_FEATURES = (
    # The browser's own calls home, which would go through a context's proxy and be refused
    # (and reported) as if the page had made them: form-field queries to the autofill server.
    "AutofillServerCommunication",
)
LOCAL_NETWORK_CHECKS = (
    # Chromium 156's local-network-access checks. The engine keeps them on; the containment
    # tests turn them off, since on loopback they could hide a leak that would happen between
    # public hosts (where they do not apply).
    "LocalNetworkAccessChecks", "LocalNetworkAccessChecksWebSockets",
    "LocalNetworkAccessChecksWebRTC", "LocalNetworkAccessChecksWebTransport",
    "LocalNetworkAccessForWorkers", "LocalNetworkAccessForNavigations",
    "LocalNetworkAccessForSubframeNavigations",
)


def launch_args(*, disable_features: Sequence[str] = ()) -> list[str]:
    """Chromium's flags: the base set, containment, and one merged ``--disable-features``."""
    features = dict.fromkeys([*PLAYWRIGHT_DISABLED_FEATURES, *ENGINE_DISABLED_FEATURES,
                              *disable_features])
    return [*BASE_ARGS, *CONTAINMENT_ARGS, "--disable-features=" + ",".join(features)]


LAUNCH_ARGS = launch_args()


def find_chromium() -> str:
    """Path of a Chromium/Chrome executable, or ``BrowserNotFound`` saying how to provide one."""
    configured = EngineSettings.load().chromium
    explicit = str(configured) if configured else None
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
