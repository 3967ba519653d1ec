"""Windows taken in turn with other configurations add up to one run: syncs, wall time, CPU by
process kind and latencies are summed, memory is read over every window, outputs are kept in
order, and a failure in any window makes the whole configuration invalid."""

from __future__ import annotations

from bench.measure import Outcome, Run, merged
from bench.procs import CpuSample


def window(syncs: int, wall: float, cpu: float, start: float, errors: list[str]) -> Outcome[int]:
    run = Run("neo_auto", "NeoBanque", 4, syncs, wall, [wall / syncs] * syncs,
              CpuSample(cpu, cpu / 10, wall, {"renderers": cpu * 0.6, "python": cpu / 10}),
              (start, start + wall), errors=list(errors))
    return Outcome(run, list(range(int(start), int(start) + syncs)))


def test_interleaved_windows_merge_into_one_run() -> None:
    one = merged([window(4, 10.0, 12.0, 100.0, []), window(4, 14.0, 20.0, 200.0, [])])
    run = one.run
    assert (run.syncs, run.wall, run.cpu.total) == (8, 24.0, 32.0)
    assert run.cpu_per_sync == 4.0 and run.throughput_per_min == 20.0
    assert run.cpu.by_kind == {"python": 3.2, "renderers": 32.0 * 0.6}
    assert run.window == (100.0, 110.0) and run.more_windows == [(200.0, 214.0)]
    assert sorted(run.latencies) == [2.5] * 4 + [3.5] * 4
    assert one.outputs == [100, 101, 102, 103, 200, 201, 202, 203]
    assert run.valid


def test_a_failure_in_any_window_invalidates_the_configuration() -> None:
    one = merged([window(4, 10.0, 12.0, 100.0, []),
                  window(4, 14.0, 20.0, 200.0, ["AssertionError: no session state left"])])
    assert not one.run.valid and one.run.errors == ["AssertionError: no session state left"]
