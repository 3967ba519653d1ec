"""The canary's one-file HTML report, and the DOM fragment it shows for a broken selector.

Why one self-contained file: it is attached to a CI run or mailed to a recipe maintainer, and
must open anywhere, offline, years later. So the CSS is inline, screenshots are ``data:`` URIs,
every page text is HTML-escaped (recorded pages are data, never markup to render), and a
Content-Security-Policy forbids the browser from fetching anything at all.

The fragment answers "what does the page look like where my selector used to match?": the
nearest region of the selector that still exists (``table#comptes tbody`` when
``table#comptes tbody tr.compte`` no longer matches), the first row for a field selector, the
forms for a login step, else the page body, trimmed.
"""

from __future__ import annotations

import base64
import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from parsel import Selector

from engine.extraction.records import is_xpath, select

if TYPE_CHECKING:
    from engine.harness.canary import CanaryReport, Failure, ScenarioOutcome

FRAGMENT_LIMIT = 6000

# ----------------------------------------------------------------------------- DOM fragment

_PSEUDO = re.compile(r"::(text|attr\([^)]*\))\s*$")


def _split_compounds(css: str) -> list[str]:
    """Top-level compound selectors of a descendant/child chain (brackets and quotes kept)."""
    parts, depth, quote, current = [], 0, "", ""
    for char in css:
        if quote:
            current += char
            if char == quote:
                quote = ""
            continue
        if char in "\"'":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if depth == 0 and (char.isspace() or char in ">+~"):
            if current.strip():
                parts.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def ancestor_candidates(selector: str) -> list[str]:
    """Shorter and shorter selectors for the region around ``selector``, nearest first."""
    selector = _PSEUDO.sub("", selector.strip())
    if not selector or ("," in selector and not is_xpath(selector)):
        return []
    if is_xpath(selector):
        steps = selector.rstrip("/").split("/")
        return ["/".join(steps[:n]) for n in range(len(steps) - 1, 1, -1)]
    parts = _split_compounds(selector)
    out = [" ".join(parts[:n]) for n in range(len(parts) - 1, 0, -1)]
    first = re.match(r"^[a-zA-Z][a-zA-Z0-9-]*", parts[0]) if parts else None
    if first and first.group(0) != parts[0]:
        out.append(first.group(0))  # table#comptes gone: show the page's tables
    return out


def _trim(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1>", r"<\1>…</\1>", markup)
    markup = re.sub(r"\n\s*\n+", "\n", markup).strip()
    if len(markup) > FRAGMENT_LIMIT:
        markup = markup[:FRAGMENT_LIMIT] + "\n… (trimmed)"
    return markup


def dom_fragment(document: str, selector: str | None, *, row_selector: str | None = None,
                 login_step: bool = False) -> tuple[str, str]:
    """(fragment, where it comes from) for the place ``selector`` should have matched."""
    root = Selector(text=document or "<html></html>", type="html")
    tries: list[tuple[str, str]] = []
    if row_selector:
        tries.append((row_selector, f"first row of {row_selector} (the field is read inside it)"))
    if selector:
        tries.extend((c, f"nearest existing ancestor of {selector}: {c}")
                     for c in ancestor_candidates(selector))
    if login_step:
        tries.append(("form", "the page's forms (login step)"))
    tries.extend([("main", "the page's <main>"), ("body", "the page body")])
    for candidate, label in tries:
        try:
            found = select(root, candidate)
        except Exception:  # noqa: S112 - an odd selector only skips this candidate
            continue
        if found:
            if candidate == "form":
                return _trim("\n".join(str(f.get()) for f in found[:3])), label
            return _trim(str(found[0].get())), label
    return _trim(document), "the whole document"


# ----------------------------------------------------------------------------- HTML report

CSS = """
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;
margin:0;color:#1d2330;background:#f4f6fa}header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px}header p{margin:0;opacity:.8}
main{padding:20px 28px;max-width:1400px}.totals span{display:inline-block;margin-right:14px}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0 16px}
th,td{border:1px solid #dde2eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700;font-size:12px}
.pass{background:#dcf5e3;color:#17652f}.fail{background:#fde2e1;color:#a3221b}
.skip{background:#eceff3;color:#555}
section.scenario{background:#fff;border:1px solid #dde2eb;border-left:6px solid #d33a2c;
border-radius:6px;padding:14px 18px;margin:18px 0}
section.scenario.passed{border-left-color:#2f9e55}
section h2{margin:0 0 10px;font-size:17px}dl{display:grid;grid-template-columns:max-content 1fr;
gap:3px 14px;margin:0 0 12px}dt{font-weight:600;color:#555}dd{margin:0}
.grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:16px}
@media(max-width:1000px){.grid{grid-template-columns:1fr}}
figure{margin:0}figure img{max-width:100%;border:1px solid #ccd3de;box-shadow:0 1px 4px #0002}
figcaption{color:#555;font-size:12px;margin-top:4px}
pre.dom{background:#0f1420;color:#e8ecf3;padding:10px;border-radius:6px;overflow:auto;
max-height:480px;white-space:pre-wrap;word-break:break-all}
tr.broken td{background:#fff1f0}.muted{color:#777}h3{font-size:14px;margin:14px 0 4px}
"""


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _badge(passed: bool | None) -> str:
    if passed is None:
        return '<span class="badge skip">NO FIXTURES</span>'
    return '<span class="badge pass">PASS</span>' if passed else \
        '<span class="badge fail">FAIL</span>'


def anchor(outcome: ScenarioOutcome) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", f"{outcome.institution}-{outcome.scenario}".lower())


def _step_of(failure: Failure | None) -> str:
    if failure is None:
        return ""
    return failure.step or {"diff": "result differs from expected.json"}.get(
        failure.source, failure.message[:80])


def _summary_rows(report: CanaryReport) -> str:
    rows = []
    for o in report.outcomes:
        first = o.failures[0] if o.failures else None  # ranked: the cause first
        rows.append(
            f'<tr><td>{_esc(o.institution)}</td><td><a href="#{anchor(o)}">{_esc(o.scenario)}'
            f"</a></td><td>{_badge(o.passed)}</td><td>{_esc(_step_of(first))}</td>"
            f"<td><code>{_esc(first.selector if first else '')}</code></td>"
            f'<td class="num">{o.elapsed_ms / 1000:.2f} s</td></tr>')
    for path in report.without_fixtures:
        rows.append(f"<tr><td>{_esc(path)}</td><td class=muted>—</td><td>{_badge(None)}</td>"
                    "<td></td><td></td><td></td></tr>")
    for path, problems in report.recipe_errors.items():
        rows.append(f"<tr><td>{_esc(path)}</td><td class=muted>recipe invalid</td>"
                    f"<td>{_badge(False)}</td><td colspan=3><pre>{_esc(chr(10).join(problems))}"
                    "</pre></td></tr>")
    return "\n".join(rows)


def _check_table(outcome: ScenarioOutcome) -> str:
    if outcome.check is None or not outcome.check.snapshots:
        return '<p class="muted">No snapshots to check.</p>'
    rows = []
    for t in outcome.check.totals():
        rows.append(
            f'<tr class="{"broken" if t.broken else ""}"><td>{_esc(t.name)}</td>'
            f"<td><code>{_esc(t.selector)}</code></td>"
            f'<td class="num">{_esc("—" if t.recorded is None else t.recorded)}</td>'
            f'<td class="num">{t.now}</td><td class="num">{t.empty}</td>'
            f'<td class="num">{t.unparsable}</td><td>{_esc(t.reason or "ok")}</td></tr>')
    return ("<table><tr><th>recipe selector</th><th>selector</th><th>recorded</th><th>now</th>"
            "<th>empty</th><th>unparsable</th><th>status</th></tr>" + "".join(rows) + "</table>")


def _diff_table(outcome: ScenarioOutcome) -> str:
    if not outcome.diffs:
        return ""
    rows = "".join(
        f"<tr><td><code>{_esc(d.path)}</code></td><td><code>{_esc(d.expected)}</code></td>"
        f"<td><code>{_esc(d.actual)}</code></td></tr>" for d in outcome.diffs[:200])
    more = (f'<p class="muted">… and {len(outcome.diffs) - 200} more</p>'
            if len(outcome.diffs) > 200 else "")
    return ("<h3>Result diff (expected.json vs replay)</h3><table><tr><th>path</th>"
            f"<th>expected</th><th>actual</th></tr>{rows}</table>{more}")


def _scenario_section(outcome: ScenarioOutcome) -> str:
    status = "passed" if outcome.passed else "failed"
    facts = [("fixture", outcome.fixture_dir), ("expected error", outcome.expected_error),
             ("actual error", outcome.actual_error)]
    parts = [f'<section class="scenario {status}" id="{anchor(outcome)}" '
             f'data-scenario="{_esc(outcome.scenario)}">',
             f"<h2>{_badge(outcome.passed)} {_esc(outcome.institution)} / "
             f"{_esc(outcome.scenario)}</h2>"]
    parts.append("<dl>" + "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>"
                                  for k, v in facts if v) + "</dl>")
    if outcome.failures:
        parts.append('<table class="failures"><tr><th>found by</th><th>failing step</th>'
                     "<th>selector</th><th>what broke</th><th>url</th></tr>" + "".join(
                         f"<tr><td>{_esc(f.source)}</td><td>{_esc(f.step)}</td>"
                         f"<td><code>{_esc(f.selector)}</code></td><td>{_esc(f.message)}</td>"
                         f"<td>{_esc(f.url)}</td></tr>" for f in outcome.failures[:50])
                     + "</table>")
    if not outcome.passed:
        shot = ""
        if outcome.screenshot:
            data = base64.b64encode(outcome.screenshot).decode("ascii")
            shot = (f'<figure><img class="screenshot" alt="screenshot of the failing page '
                    f'({_esc(outcome.institution)}/{_esc(outcome.scenario)})" '
                    f'src="data:image/png;base64,{data}"><figcaption>The page when it failed'
                    "</figcaption></figure>")
        else:
            shot = '<p class="muted">No screenshot was recorded for this failure.</p>'
        dom = ""
        if outcome.dom_fragment is not None:
            dom = (f"<div><h3>DOM: {_esc(outcome.dom_source)}</h3><pre class=\"dom\">"
                   f"{_esc(outcome.dom_fragment)}</pre></div>")
        parts.append(f'<div class="grid">{shot}{dom}</div>')
        if outcome.suggestion:
            parts.append('<div class="suggestion"><h3>Suggested repair (verified)</h3>'
                         f'<pre class="patch">{_esc(outcome.suggestion)}</pre></div>')
        parts.append(_diff_table(outcome))
        if outcome.unmatched_requests:
            parts.append("<h3>Requests with no recorded response</h3><ul>" + "".join(
                f"<li><code>{_esc(r)}</code></li>" for r in outcome.unmatched_requests[:50])
                + "</ul>")
        parts.append("<h3>Selectors over saved snapshots</h3>" + _check_table(outcome))
    else:
        parts.append("<details><summary>Selectors over saved snapshots</summary>"
                     + _check_table(outcome) + "</details>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: CanaryReport) -> str:
    failed = [o for o in report.outcomes if not o.passed]
    passed = [o for o in report.outcomes if o.passed]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Canary: {len(failed)} failing, {len(passed)} passing</title>
<style>{CSS}</style></head><body>
<header><h1>Recipe canary {_badge(report.ok)}</h1>
<p class="totals"><span>{len(passed)} passed</span><span>{len(failed)} failed</span>
<span>{len(report.without_fixtures)} recipes without fixtures</span>
<span>{report.elapsed_ms / 1000:.1f} s</span><span>{_esc(stamp)}</span></p></header>
<main>
<table><tr><th>institution</th><th>scenario</th><th>status</th><th>failing step</th>
<th>selector</th><th>time</th></tr>
{_summary_rows(report)}
</table>
{"".join(_scenario_section(o) for o in failed)}
{"".join(_scenario_section(o) for o in passed)}
</main></body></html>
"""


def write_html(report: CanaryReport, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
