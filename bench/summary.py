"""The benchmark's report: the text ``make bench`` prints and the ``latest.json`` payload the
chart (``bench.chart``) and the README table are drawn from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bench.canary import CanaryFigures
from bench.measure import Run
from bench.netguard_cost import ProxyCost, report_lines
from bench.report import commit, cpu_breakdown, machine, table
from bench.targets import HEADLINE, capacity_caution, ratio_lines, targets

METHOD = """\
Method
- One process runs everything; the demo sites (Banque Démo, NeoBanque, two changed copies of
  Banque Démo: bench.changed_site) and the memory sampler are child processes excluded from
  all figures.
- Each configuration: N syncs on C workers (a worker starts its next sync when its previous one
  ends), after warm-up. Latency = one sync's wall time. Throughput = N / (first start → last end).
- Configurations (bench.configs): "engine (warm)" = default recipe, login plan and list verdicts
  known; "today's" = login_render: browser (the login through the page, as before the HTTP
  login), lists over HTTP as the verdicts allow; "first sync" = a recipe the engine never saw
  (fresh institution id: login learnt in the browser, lists judged); "session reuse" = the
  session state of an earlier sync, login skipped (checked: no login step ran); "fallback" = a
  plan learnt on a site that then changed (bot shield → the HTTP login diverges and the browser
  logs in again; new script build → handed over before posting); NeoBanque = a returning
  customer on a trusted device (no one-time code) whose session expired, and for reuse the
  state of an earlier sync. "browser contexts per sync" counts what the engine opened.
- CPU = CPU time of this process + every process it started (Playwright driver, all Chromium
  processes), read from /proc at the start and end of the window: Σ(own + reaped-children time)
  at the end − the same at the start, so processes that exit inside the window (renderers of
  closed contexts, whole browsers of the naive baseline) are counted through their parent; the
  bench process is a child subreaper so orphaned Chromium helpers are counted too.
- Memory = PSS (memory_full_info().pss) of that same tree, sampled every 0.2 s by a separate
  process. Per concurrent sync = (peak PSS during the run − idle PSS before it) ÷ C. Idle
  baseline: the warm engine's browser with no context open (at c=1, httpx: no browser at
  all); the naive script's figure is its whole browser per sync, above that.
- Configurations a ratio compares are measured in alternating windows (forward, then
  backward order; "N windows" in the log), each one's windows summed: floor / engine / naive;
  today's / first sync (4 windows); reuse / fallbacks / every page rendered; NeoBanque's four.
  Ratios against today's use its alternating windows with the first sync.
- Guard proxy (issue 10): its own engine, browser-login syncs alternating guarded / unguarded
  (the host's _guard seam replaced by nothing), order swapped every round, each sync measured
  once its context's processes have exited; CPU and wall per sync; the verdict is the median
  of the per-round ratios (the two syncs of a round run back to back, so load drift cancels
  out of each), with a 95% bootstrap interval over whole rounds; quartiles and extremes are
  the spread. The proxy's own CPU is its thread's CPU time, exactly; the differences by kind
  of process (mean ± 95%) say where else a guarded sync spends more.
- Every sync's data is checked after the windows: Banque Démo against sites/banque_demo/data.py
  (4 accounts, 185 transactions, 5 holdings, every value), NeoBanque against
  sites/neobanque/data.py (every account and transaction); a configuration with a wrong sync
  is INVALID and its figures count for nothing."""


def in_order(runs: list[Run]) -> list[Run]:
    """Each configuration's runs together, by concurrency, configurations in the order they
    were first measured (interleaved groups are recorded after the solo windows)."""
    first: dict[str, int] = {}
    for index, run in enumerate(runs):
        first.setdefault(run.key, index)
    return sorted(runs, key=lambda r: (r.diagnostic, r.key == "naive", first[r.key],
                                       r.concurrency))


def render_report(data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    runs: list[Run] = in_order(data["runs"])
    proxy: ProxyCost | None = data.get("proxy")
    info = machine(data["chromium"])
    (l1, l5, _), (e1, e5, _) = data["load"]
    out = [
        "Bank-sync benchmark (issues 13 and 10) — Banque Démo and NeoBanque, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, commit {commit()}",
        f"Machine: {info['cpu_model']}, {info['cores']} cores, {info['ram_gb']} GB RAM, "
        f"Python {info['python']}, Chromium {info['chromium']}, {info['os']}",
        f"Load average (1 min / 5 min): {l1:.1f} / {l5:.1f} at start, {e1:.1f} / {e5:.1f} "
        f"at end. Other jobs share this machine: absolute figures are noisy; the ratios, "
        f"taken in the same run, are what to compare.",
        "", table(runs), "",
        "CPU by process kind (ms per sync):",
        *[f"  {r.label}, c={r.concurrency}: {cpu_breakdown(r)}" for r in runs],
        "", "Memory above idle at the peak, by process kind (MB per concurrent sync):",
        *[f"  {r.label}, c={r.concurrency}: " + ", ".join(
            f"{k} {v:.0f}" for k, v in sorted(r.memory_by_kind.items(), key=lambda kv: -kv[1])
            if abs(v) >= 0.5) for r in runs if r.memory_by_kind and not r.diagnostic],
        "", "Engine phases (mean ms per sync, from SyncResult.timings_ms):",
        *[f"  {r.label}, c={r.concurrency}: "
          + ", ".join(f"{k} {v:.0f}" for k, v in r.phases_ms.items())
          for r in runs if r.phases_ms],
    ]
    invalid = [r for r in runs if not r.valid]
    if invalid:
        out += ["", "INVALID configurations (figures not usable):",
                *[f"  {r.label}, c={r.concurrency}: {len(r.errors)} failures, first: "
                  f"{r.errors[0]}" for r in invalid]]
    out += ["", "Ratios (same run):", *ratio_lines(runs), "",
            f"Targets (issue 13 at concurrency {HEADLINE}; issue 10's proxy cost):"]
    goals = targets(runs, proxy)
    out += [t.line() for t in goals]
    out += capacity_caution(runs, goals[1])
    out += ["", *proxy_lines(proxy)]
    canary: CanaryFigures = data["canary"]
    out += ["", "Canary cost per recorded scenario (median; check = no browser, replay = "
                "browser on the warm engine):"]
    if canary.skipped:
        out.append(f"  {canary.skipped}")
    for s in canary.scenarios:
        replay = ("n/a" if s.replay_ms is None else
                  f"{s.replay_ms:.0f} ms wall, {s.replay_cpu_ms:.0f} ms CPU")
        note = f" ({s.replay_note})" if s.replay_note else ""
        out.append(f"  {s.recipe} / {s.scenario}: check {s.check_ms:.1f} ms wall, "
                   f"{s.check_cpu_ms:.1f} ms CPU, ok={s.check_ok}; replay {replay}, "
                   f"ok={s.replay_ok}{note}")
    if not data["subreaper"]:
        out.append("\nNote: could not become a child subreaper; CPU of orphaned Chromium "
                   "helpers is missing (baselines look cheaper).")
    out += ["", METHOD, "", f"Whole run: {data['elapsed']:.0f} s."]
    payload = {
        "generated_at": datetime.now(UTC).isoformat(), "commit": commit(), "machine": info,
        "load_average": {"start": list(data["load"][0]), "end": list(data["load"][1])},
        "headline_concurrency": HEADLINE,
        "runs": [r.to_json() for r in runs],
        "ratios": ratio_lines(runs), "targets": [t.to_json() for t in goals],
        "proxy_cost": proxy.to_json() if proxy else None,
        "canary": canary.to_json(), "method": METHOD, "elapsed_s": round(data["elapsed"], 1),
    }
    return "\n".join(out), payload


def proxy_lines(proxy: ProxyCost | None) -> list[str]:
    """Issue 10's figure in full (``bench.netguard_cost.report_lines``)."""
    return report_lines(proxy) if proxy is not None else [
        "Guard proxy cost: not measured (--no-proxy)."]
