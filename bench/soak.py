"""Soak: many consecutive failing syncs on one engine; do processes, contexts or memory grow?

Usage: ``python -m bench.soak [--syncs 200] [--concurrency 4]``. Prints the browser's process
count, open contexts and resident memory (engine + Chromium) every 25 syncs, then a verdict.
Failures cycle through the demo bank's failing scenarios plus a redesigned site, so every kind
of failure path (login rejected, maintenance, blocking, broken recipe) is exercised.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import time
from pathlib import Path

from engine import Engine, SyncOptions, load_recipe
from sites._server import ThreadedServer

ROOT = Path(__file__).resolve().parents[1]
LOGINS = [("demo", "000000"), ("demo-locked", "123456"), ("demo-maint", "123456"),
          ("demo-maint503", "123456"), ("demo-ratelimit", "123456"),
          ("demo-captcha", "123456"), ("demo-expired", "123456"), ("demo-secvalid", "123456")]


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, frontier = [], [root]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        out.extend(children)
        frontier.extend(children)
    return out


def _pss_mib(pids: list[int]) -> float:
    """Proportional set size: shared pages split between the processes sharing them, so the
    sum over Chromium's processes is what the browser really costs (RSS would count its shared
    libraries once per process)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total / 1024


def _chromium(pids: list[int]) -> list[int]:
    found = []
    for pid in pids:
        try:
            if b"chrom" in Path(f"/proc/{pid}/cmdline").read_bytes()[:200]:
                found.append(pid)
        except OSError:
            continue
    return found


async def soak(syncs: int, concurrency: int) -> int:
    from sites.banque_demo import create_app

    recipe = load_recipe(ROOT / "recipes" / "banque-demo.yaml")
    classic = ThreadedServer(create_app()).start()
    redesign = ThreadedServer(create_app(layout="redesign")).start()
    targets = itertools.cycle([(classic.url, login) for login in LOGINS]
                              + [(redesign.url, ("demo", "123456"))])
    rows = []
    try:
        async with Engine(max_concurrency=concurrency) as engine:
            await engine.sync(recipe, {"username": "demo", "password": "123456"},
                              base_url=classic.url)  # warm: browser started, caches filled
            done, kinds, started = 0, 0, time.perf_counter()
            while done < syncs:
                batch = [next(targets) for _ in range(min(25, syncs - done))]
                results = await asyncio.gather(*[
                    engine.sync(recipe, {"username": u, "password": p},
                                SyncOptions(base_url=url, step_timeout=1.0))
                    for url, (u, p) in batch])
                kinds += sum(1 for r in results if r.error is not None)
                done += len(batch)
                tree = _tree(os.getpid())
                for _ in range(30):  # renderers of closed contexts exit asynchronously
                    if not rows or len(_chromium(tree)) <= rows[0][1]:
                        break
                    await asyncio.sleep(0.1)
                    tree = _tree(os.getpid())
                browser = engine.host.browser
                rows.append((done, len(_chromium(tree)),
                             len(browser.contexts) if browser else -1,
                             _pss_mib([os.getpid(), *tree]), _pss_mib([os.getpid()])))
                print(f"{done:4d} syncs  chromium processes {rows[-1][1]:2d}  open contexts "
                      f"{rows[-1][2]}  PSS engine+browser {rows[-1][3]:7.1f} MiB  "
                      f"(engine {rows[-1][4]:.1f} MiB)", flush=True)
            elapsed = time.perf_counter() - started
    finally:
        classic.stop()
        redesign.stop()
    first, last = rows[0], rows[-1]
    growth = last[3] - first[3]
    # least-squares slope over the batches after the first, in KiB per sync
    xs, ys = [r[0] for r in rows[1:]], [r[3] for r in rows[1:]]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
             / (sum((x - mean_x) ** 2 for x in xs) or 1)) * 1024
    print(f"\n{syncs} failing syncs ({kinds} failed as expected) in {elapsed:.1f} s; "
          f"contexts left open: {last[2]}; chromium processes {first[1]} → {last[1]}; "
          f"PSS {first[3]:.1f} → {last[3]:.1f} MiB ({growth:+.1f} MiB after the first 25, "
          f"trend {slope:+.0f} KiB per sync)")
    leaked = last[2] != 0 or last[1] > first[1] or kinds != syncs or slope > 200
    print("verdict:", "LEAK" if leaked else "no leak")
    return 1 if leaked else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--syncs", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    raise SystemExit(asyncio.run(soak(args.syncs, args.concurrency)))


if __name__ == "__main__":
    main()
