"""CPU and memory of a process tree: the benchmark's own process and everything it started
(Playwright's driver, every Chromium process), minus the demo site and the memory sampler.

CPU is exact without continuous sampling. For each live process of the tree we read its own
CPU time and its *reaped children's* CPU time (``cutime + cstime``, which Linux adds to a
parent when it waits for a child, including what that child had itself reaped). The CPU spent
by the tree between two snapshots is then::

    Σ_end (own + reaped children) − Σ_start (own + reaped children)

A process that started and exited between the snapshots (a renderer of a closed context, a
whole Chromium of the naive baseline) is counted through its parent's reaped-children time;
one alive at both ends is counted by its own. The only CPU missed is that of a process
orphaned to init before exiting, which can only make the browser-heavy configurations look
cheaper — never the engine look better than it is.

Memory is PSS (proportional set size: shared pages split between the processes sharing
them), sampled by a separate process (``python -m bench.procs``) so that neither the sampling
CPU nor its memory lands in the figures.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/PID/stat`` the benchmark needs, in seconds."""

    pid: int
    ppid: int
    own: float
    """user + system time of the process itself (all its threads, dead ones included)"""
    reaped: float
    """user + system time of the children it has waited for (and theirs, transitively)"""


def proc_table() -> dict[int, ProcStat]:
    """Every process of the machine, read in one pass over ``/proc``.

    One pass, rather than psutil's ``children()`` per process (each of which rescans all of
    ``/proc``), keeps a snapshot around 2 ms instead of 20+: snapshots run in the measured
    process, so they must stay negligible.
    """
    table: dict[int, ProcStat] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                raw = handle.read()
        except OSError:
            continue  # exited meanwhile
        fields = raw[raw.rfind(b")") + 2:].split()  # the name may hold spaces and parentheses
        table[int(entry.name)] = ProcStat(
            int(entry.name), int(fields[1]),
            (int(fields[11]) + int(fields[12])) / TICKS,
            (int(fields[13]) + int(fields[14])) / TICKS)
    return table


def tree_stats(root: int, exclude: set[int]) -> list[ProcStat]:
    """``root`` and its descendants (zombies included), minus the ``exclude`` subtrees."""
    table = proc_table()
    children: dict[int, list[int]] = {}
    for stat in table.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in exclude or pid not in table:
            continue
        out.append(table[pid])
        stack.extend(children.get(pid, ()))
    return out


def tree(root: int, exclude: set[int]) -> Iterator[psutil.Process]:
    """The same tree as psutil processes (for memory and command lines)."""
    for stat in tree_stats(root, exclude):
        try:
            yield psutil.Process(stat.pid)
        except psutil.NoSuchProcess:
            continue


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds of the tree at one instant, in total and by kind of process."""

    total: float
    root_own: float
    by_kind: dict[str, float]
    at: float

    def __sub__(self, before: CpuSnapshot) -> CpuSample:
        kinds = set(self.by_kind) | set(before.by_kind)
        return CpuSample(self.total - before.total, self.root_own - before.root_own,
                         self.at - before.at,
                         {k: self.by_kind.get(k, 0.0) - before.by_kind.get(k, 0.0)
                          for k in sorted(kinds)})


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds a window used: ``total`` (tree) and ``root_own`` (the Python process)."""

    total: float
    root_own: float
    wall: float
    by_kind: dict[str, float]

    def __add__(self, other: CpuSample) -> CpuSample:
        """Two windows of the same configuration (interleaved with others) as one."""
        kinds = set(self.by_kind) | set(other.by_kind)
        return CpuSample(self.total + other.total, self.root_own + other.root_own,
                         self.wall + other.wall,
                         {k: self.by_kind.get(k, 0.0) + other.by_kind.get(k, 0.0)
                          for k in sorted(kinds)})

    @property
    def others(self) -> float:
        """Driver + browser processes (and anything else the Python process started)."""
        return self.total - self.root_own


EXITED = "exited (drivers, browsers, orphans)"


def kind_of(proc: psutil.Process, root: int) -> tuple[str, str]:
    """(kind of the process's own CPU, kind of its reaped children's CPU), for the breakdown
    that tells where a sync's CPU goes. A process is named by Chromium's ``--type=`` flag."""
    if proc.pid == root:
        return "python", EXITED
    try:
        name, cmdline = proc.name(), proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return EXITED, EXITED
    if not cmdline:  # a zombie: exited, not yet reaped
        return EXITED, EXITED
    if "node" in name:
        return "playwright driver", EXITED
    ptype = next((a.split("=", 1)[1] for a in cmdline if a.startswith("--type=")), "")
    if ptype in ("zygote", "renderer"):
        return "renderers", "renderers"  # a zygote's reaped children are renderers
    if ptype == "gpu-process":
        return "gpu", "gpu"
    if ptype == "utility":
        return "utility (network, storage)", "utility (network, storage)"
    if not ptype and "chrom" in name:
        return "browser process", EXITED
    return name, name


def cpu_snapshot(root: int, exclude: set[int], *, kinds: bool = True) -> CpuSnapshot:
    """The tree's CPU now; ``kinds=False`` skips the per-kind breakdown (reading command
    lines), for callers that snapshot often and want to disturb less."""
    total = root_own = 0.0
    by_kind: dict[str, float] = {}
    for stat in tree_stats(root, exclude):
        total += stat.own + stat.reaped
        if stat.pid == root:
            root_own = stat.own
        if not kinds:
            continue
        try:
            own_kind, reaped_kind = kind_of(psutil.Process(stat.pid), root)
        except psutil.NoSuchProcess:
            own_kind = reaped_kind = EXITED
        by_kind[own_kind] = by_kind.get(own_kind, 0.0) + stat.own
        by_kind[reaped_kind] = by_kind.get(reaped_kind, 0.0) + stat.reaped
    return CpuSnapshot(total, root_own, by_kind, time.perf_counter())


def become_subreaper() -> bool:
    """Make this process adopt its orphaned descendants (Linux ``PR_SET_CHILD_SUBREAPER``).

    Chromium's helper processes can outlive the process that would reap them when a browser
    closes; they are then re-parented. Without this they would go to init and their CPU would
    vanish from the tree; with it they come to us, stay in the tree as zombies (their CPU
    still readable) until ``reap_adopted`` collects them after the measurements.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(36, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def reap_adopted(keep: set[int]) -> int:
    """Collect the zombies we adopted (children not in ``keep``); how many were reaped."""
    reaped = 0
    for child in psutil.Process().children():
        if child.pid in keep:
            continue
        try:
            if child.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(child.pid, 0)
                reaped += 1
        except (psutil.NoSuchProcess, ChildProcessError):
            continue
    return reaped


@dataclass(frozen=True)
class MemSample:
    """PSS of the tree at one instant, in total and by kind of process (bytes)."""

    at: float
    pss: int
    processes: int
    by_kind: dict[str, int]


def pss_of_tree(root: int, exclude: set[int],
                kinds: dict[int, str] | None = None) -> MemSample:
    """The tree's PSS now. ``kinds`` caches each pid's kind (a command line read per process
    per sample would be most of the sampler's work)."""
    kinds = {} if kinds is None else kinds
    total = count = 0
    by_kind: dict[str, int] = {}
    for proc in tree(root, exclude):
        try:
            pss = int(proc.memory_full_info().pss)
            kind = kinds.get(proc.pid) or kinds.setdefault(proc.pid, kind_of(proc, root)[0])
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        total += pss
        count += 1
        by_kind[kind] = by_kind.get(kind, 0) + pss
    return MemSample(time.time(), total, count, by_kind)


class MemorySampler:
    """Runs ``python -m bench.procs`` beside us; it appends one JSON ``MemSample`` per line
    to a file, read back once the measurements are over (reading it during a window
    would cost the measured process CPU)."""

    def __init__(self, out: Path, exclude: set[int], interval: float = 0.2) -> None:
        self.out = out
        self.exclude = exclude
        self.interval = interval
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> MemorySampler:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text("")
        excluded = ",".join(str(p) for p in sorted(self.exclude))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.procs", "--root", str(os.getpid()),
             "--exclude", excluded, "--interval", str(self.interval), "--out", str(self.out)],
            cwd=Path(__file__).resolve().parent.parent)
        return self

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc else -1

    def stop(self) -> None:
        """Stop the sampler we started, by its own pid only."""
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._proc = None

    def samples(self, start: float, end: float) -> list[MemSample]:
        """The samples taken between two ``time.time()``s."""
        out = []
        for line in self.out.read_text().splitlines():
            sample = MemSample(**json.loads(line))
            if start <= sample.at <= end:
                out.append(sample)
        return out


def _sample_forever(root: int, exclude: set[int], interval: float, out: Path) -> None:
    exclude = exclude | {os.getpid()}
    kinds: dict[int, str] = {}
    with out.open("a") as sink:
        while psutil.pid_exists(root):
            started = time.time()
            sink.write(json.dumps(vars(pss_of_tree(root, exclude, kinds))) + "\n")
            sink.flush()
            time.sleep(max(0.0, interval - (time.time() - started)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="PSS sampler of a process tree (bench).")
    parser.add_argument("--root", type=int, required=True)
    parser.add_argument("--exclude", default="")
    parser.add_argument("--interval", type=float, default=0.2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    exclude = {int(p) for p in args.exclude.split(",") if p}
    _sample_forever(args.root, exclude, args.interval, args.out)  # until SIGTERM or root exits


if __name__ == "__main__":
    main()
