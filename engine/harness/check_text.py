"""``engine check`` for a person: the cause first, then what supports it.

The first line of a failing check is the cause to fix (``causes.headline``): the selector,
step and page; or the field, page and first differing value; or the truncated history and its
next link. Then, per scenario, the other causes, the value differences by identity ("1 added,
3 removed, 2 changed"), and with ``--show`` what the recipe extracted, page by page.
"""

from __future__ import annotations

from typing import Any

from engine.harness.check import CheckReport, ScenarioCheck
from engine.harness.compare import show

MAX_CAUSES = 8
MAX_CHANGES = 10


def first_line(report: CheckReport) -> str:
    failing = [s for s in report.scenarios if not s.ok]
    if failing:
        scenario = failing[0]
        more = f" (+{len(failing) - 1} more failing scenario(s))" if len(failing) > 1 else ""
        return f"BROKEN {scenario.institution}/{scenario.scenario}: {scenario.headline()}{more}"
    checked = sum(len(s.snapshots) for s in report.scenarios)
    return (f"ok {report.institution}: {len(report.scenarios)} scenario(s), {checked} "
            "snapshot(s): selectors, values and page counts as recorded")


def scenario_lines(scenario: ScenarioCheck) -> list[str]:
    verdict = "PASS" if scenario.ok else "FAIL"
    note = (f" (broken by design: expects {scenario.expected_error})"
            if scenario.expects_breakage else "")
    lines = [f"{verdict} {scenario.institution}/{scenario.scenario}: "
             f"{len(scenario.snapshots)} snapshot(s) in {scenario.elapsed_ms:.1f} ms{note}"]
    if not scenario.ok:
        lines += [f"  ✗ {c.message}" for c in scenario.causes[:MAX_CAUSES]]
        if len(scenario.causes) > MAX_CAUSES:
            lines.append(f"  … and {len(scenario.causes) - MAX_CAUSES} more cause(s)")
    comparison = scenario.comparison
    if comparison is not None and not comparison.same:
        lines.append(f"  values: {comparison.summary()}")
        lines += [f"    {c.describe()}" for c in comparison.changes[:MAX_CHANGES]]
        if len(comparison.changes) > MAX_CHANGES:
            lines.append(f"    … and {len(comparison.changes) - MAX_CHANGES} more")
    lines += [f"  note: {n}" for n in scenario.notes]
    return lines


def shown(scenario: ScenarioCheck) -> list[str]:
    """What the recipe extracted, page by page (``--show``): the converted records, as the
    output models hold them."""
    values = scenario.values
    if values is None:
        return ["  (nothing extracted: " + (scenario.expected_error or "no snapshot") + ")"]
    lines: list[str] = []
    for page in values.pages:
        facts = page.facts
        lines.append(f"  {facts.file}: {facts.where()} ({facts.url}): {facts.rows} row(s), "
                     f"{facts.records} record(s)" + (f"; next {facts.next.get('url')!r}"
                                                     if facts.next else ""))
        for record in page.extraction.records:
            lines.append("    " + _record(record))
    for collection, items in values.view.items():
        if items:
            lines.append(f"  built {len(items)} {collection}")
    return lines


def _record(record: dict[str, Any]) -> str:
    plain = {k: v if isinstance(v, str | int | float | bool) or v is None else str(v)
             for k, v in record.items()}
    return ", ".join(f"{k}={show(v)}" for k, v in plain.items())


__all__ = ["first_line", "scenario_lines", "shown"]
