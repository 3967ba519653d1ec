"""JUnit XML for the canary, the one report format every CI system already displays.

One ``<testsuite>`` per institution, one ``<testcase>`` per recipe × scenario. A failure's
``message`` is the one line a CI summary shows (step and selector first, since that is what
a maintainer fixes); its text holds everything else: URL, the check table's broken rows, the
result diff.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from engine.harness.canary import CanaryReport, ScenarioOutcome


def _headline(outcome: ScenarioOutcome) -> str:
    """The cause, as the canary's first line names it."""
    return outcome.headline() or outcome.failures[0].message


def _details(outcome: ScenarioOutcome) -> str:
    lines = [f"fixture: {outcome.fixture_dir}"]
    if outcome.expected_error or outcome.actual_error:
        lines.append(f"expected error: {outcome.expected_error or 'none'}; "
                     f"actual: {outcome.actual_error or 'none'}")
    for failure in outcome.failures:
        lines.append(f"[{failure.source}] {failure.message}")
        for label, value in (("code", failure.code), ("step", failure.step),
                             ("selector", failure.selector), ("url", failure.url)):
            if value:
                lines.append(f"    {label}: {value}")
    if outcome.diffs:
        lines.append("diff (expected.json vs replay):")
        lines.extend(f"    {d.path}: expected {d.expected!r}, actual {d.actual!r}"
                     for d in outcome.diffs[:100])
    if outcome.unmatched_requests:
        lines.append("requests with no recorded response:")
        lines.extend(f"    {r}" for r in outcome.unmatched_requests[:20])
    return "\n".join(lines)


def junit_xml(report: CanaryReport) -> str:
    root = ET.Element("testsuites", name="engine canary",
                      tests=str(len(report.outcomes) + len(report.recipe_errors)),
                      failures=str(sum(not o.passed for o in report.outcomes)),
                      errors=str(len(report.recipe_errors)),
                      time=f"{report.elapsed_ms / 1000:.3f}")
    suites: dict[str, ET.Element] = {}
    stamp = datetime.now(UTC).isoformat(timespec="seconds")

    def suite(name: str) -> ET.Element:
        if name not in suites:
            suites[name] = ET.SubElement(root, "testsuite", name=name, timestamp=stamp)
        return suites[name]

    for outcome in report.outcomes:
        case = ET.SubElement(suite(outcome.institution), "testcase",
                             classname=f"canary.{outcome.institution}", name=outcome.scenario,
                             file=str(outcome.recipe_path),
                             time=f"{outcome.elapsed_ms / 1000:.3f}")
        if not outcome.passed:
            failure = ET.SubElement(case, "failure", message=_headline(outcome),
                                    type=outcome.actual_error or outcome.failures[0].source)
            failure.text = _details(outcome)
        out = ET.SubElement(case, "system-out")
        out.text = (f"check {outcome.check_ms:.1f} ms, replay {outcome.replay_ms:.1f} ms, "
                    f"expected_error={outcome.expected_error}")
    for path in report.without_fixtures:
        case = ET.SubElement(suite(Path(path).stem), "testcase",
                             classname=f"canary.{Path(path).stem}", name="(no fixtures)",
                             file=path, time="0")
        ET.SubElement(case, "skipped", message="no recorded scenario for this recipe")
    for path, problems in report.recipe_errors.items():
        case = ET.SubElement(suite(Path(path).stem), "testcase",
                             classname=f"canary.{Path(path).stem}", name="(recipe)", file=path,
                             time="0")
        error = ET.SubElement(case, "error", message="recipe does not load", type="recipe_error")
        error.text = "\n".join(problems)
    for element in suites.values():
        cases = element.findall("testcase")
        element.set("tests", str(len(cases)))
        element.set("failures", str(sum(c.find("failure") is not None for c in cases)))
        element.set("errors", str(sum(c.find("error") is not None for c in cases)))
        element.set("skipped", str(sum(c.find("skipped") is not None for c in cases)))
        element.set("time", f"{sum(float(c.get('time', 0)) for c in cases):.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def write_junit(report: CanaryReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(report) + "\n", encoding="utf-8")
    return path
