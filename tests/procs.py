"""Find the processes this test process started (for leak and crash tests), via /proc."""

from __future__ import annotations

import os
from pathlib import Path


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(root: int | None = None) -> list[int]:
    root = root or os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid, hops = int(entry.name), 0
        parent = _parent(pid)
        while parent and hops < 12:
            if parent == root:
                found.append(pid)
                break
            parent, hops = _parent(parent), hops + 1
    return found


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def chromium_processes() -> list[int]:
    return [p for p in descendants() if any("chrom" in part for part in cmdline(p)[:1])]


def chromium_main_processes() -> set[int]:
    """Browser processes themselves (their helpers carry a --type= flag)."""
    # helpers rewrite their command line into one string, hence the join
    return {p for p in chromium_processes() if "--type=" not in " ".join(cmdline(p))}


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
