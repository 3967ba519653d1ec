"""Compare a result with the recorded expectation the way a person reads it: by identity.

Why not position by position: one transaction inserted at the top of a history shifts every
later one, and a positional diff reports hundreds of differences for one new row. Here items
are paired by identity — accounts by id, holdings by account and code (or label),
transactions by id within their account — and what is left unpaired is paired by likeness
(same day and label, or same day and amount...), so a value that changed (an amount that lost
its sign, which also changes an engine-made id) reads as "changed: amount -45.90 → 45.90"
rather than as one removal and one addition. The verdict: "1 added", "3 removed",
"2 changed", each with its account and first differing field.

A refused request to a host outside ``allowed_domains`` is a *note* (a third-party analytics
script added to the pages must not fail a replay), unless the result also differs: then the
refusal is named next to the difference, since the recipe may have needed that host.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.harness.fixture import VOLATILE_KEYS

COLLECTIONS = ("accounts", "transactions", "holdings")
REFUSAL_WARNING = "refused requests to hosts outside allowed_domains: "
LIKENESS = (("date", "label"), ("date", "raw_label"), ("date", "amount"), ("label", "amount"),
            ("raw_label", "amount"))
"""Pairs of fields that, equal in two transactions, make them the same one changed."""


@dataclass
class FieldDiff:
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {show(self.expected)}, got {show(self.actual)}"


@dataclass
class ItemChange:
    """One item added, removed or changed in a collection (accounts, transactions...)."""

    kind: str
    """added, removed or changed."""
    collection: str
    key: str
    """How the item is named: its id, or ``account/code`` for a holding."""
    account_id: str | None
    expected: dict[str, Any] | None
    actual: dict[str, Any] | None
    fields: list[FieldDiff] = field(default_factory=list)

    def describe(self) -> str:
        item = self.actual if self.kind == "added" else self.expected
        what = _item_label(self.collection, item or {})
        where = f" of account {self.account_id}" if self.account_id and \
            self.collection != "accounts" else ""
        if self.kind == "changed":
            first = self.fields[0]
            more = f" (+{len(self.fields) - 1} field(s))" if len(self.fields) > 1 else ""
            return (f"{self.collection[:-1]} {what}{where} changed: {first.path}: expected "
                    f"{show(first.expected)}, got {show(first.actual)}{more}")
        return f"{self.collection[:-1]} {what}{where} {self.kind}"


@dataclass
class Comparison:
    """Every difference between an expected result and an actual one."""

    changes: list[ItemChange] = field(default_factory=list)
    scalars: list[FieldDiff] = field(default_factory=list)
    """Differences outside the collections: error, warnings, account failures."""
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per collection, (expected, actual) item counts."""
    notes: list[str] = field(default_factory=list)
    """Refused foreign hosts that did not change the result (not failures)."""
    refused_new: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.changes and not self.scalars

    def of(self, collection: str, kind: str | None = None) -> list[ItemChange]:
        return [c for c in self.changes if c.collection == collection
                and (kind is None or c.kind == kind)]

    def summary(self) -> str:
        """``transactions: 1 added, 3 removed, 2 changed (185 expected, 183 now)``; the scalar
        differences after."""
        parts = []
        for collection in COLLECTIONS:
            tally = Counter(c.kind for c in self.of(collection))
            if tally:
                expected, actual = self.counts.get(collection, (0, 0))
                parts.append(f"{collection}: " + ", ".join(
                    f"{tally[k]} {k}" for k in ("added", "removed", "changed") if tally[k])
                    + f" ({expected} expected, {actual} now)")
        parts.extend(str(d) for d in self.scalars[:3])
        if self.refused_new and not self.same:
            parts.append("refused (the recipe may need it): " + ", ".join(self.refused_new))
        return "; ".join(parts)

    def first(self) -> str | None:
        """The first difference in words (the one a headline names)."""
        if self.scalars and not self.changes:
            return str(self.scalars[0])
        changed = [c for c in self.changes if c.kind == "changed"]
        pick = changed[0] if changed else (self.changes[0] if self.changes else None)
        return pick.describe() if pick is not None else None

    def diffs(self) -> list[FieldDiff]:
        """Flat ``path: expected, got`` lines (reports, JUnit): counts first, then each
        change (``transactions[<id>].amount``), then the scalars."""
        out = [FieldDiff(f"len({name})", e, a) for name, (e, a) in self.counts.items()
               if e != a]
        for change in self.changes:
            if change.kind == "changed":
                out.extend(FieldDiff(f"{change.collection}[{change.key}].{d.path}",
                                     d.expected, d.actual) for d in change.fields)
            elif change.kind == "removed":
                out.append(FieldDiff(f"{change.collection}[{change.key}]", change.expected,
                                     None))
            else:
                out.append(FieldDiff(f"{change.collection}[{change.key}]", None,
                                     change.actual))
        return out + self.scalars


def compare_results(expected: dict[str, Any], actual: dict[str, Any],
                    collections: tuple[str, ...] = COLLECTIONS) -> Comparison:
    """``expected`` (expected.json) against ``actual`` (a result view), by identity."""
    out = Comparison()
    for name in collections:
        want = [i for i in expected.get(name) or [] if isinstance(i, dict)]
        got = [i for i in actual.get(name) or [] if isinstance(i, dict)]
        out.counts[name] = (len(want), len(got))
        out.changes.extend(compare_items(name, want, got))
    skip = {*VOLATILE_KEYS, *COLLECTIONS}
    rest_e = {k: v for k, v in expected.items() if k not in skip}
    rest_a = {k: v for k, v in actual.items() if k not in skip}
    hosts_e = _refused_hosts(rest_e.get("warnings"))
    hosts_a = _refused_hosts(rest_a.get("warnings"))
    rest_e["warnings"] = _without_refusals(rest_e.get("warnings"))
    rest_a["warnings"] = _without_refusals(rest_a.get("warnings"))
    out.scalars = diff_values(rest_e, rest_a)
    out.refused_new = sorted(hosts_a - hosts_e)
    gone = sorted(hosts_e - hosts_a)
    out.notes = [f"refused a request to {h} (outside allowed_domains): a note, the result "
                 "does not depend on it" for h in out.refused_new] if out.same else []
    out.notes += [f"no longer refused: {h} (the pages stopped asking for it)" for h in gone]
    return out


def compare_items(collection: str, expected: list[dict[str, Any]],
                  actual: list[dict[str, Any]]) -> list[ItemChange]:
    """Pair items by identity, then by likeness; the rest are added or removed."""
    changes: list[ItemChange] = []
    groups = sorted({_account(i) for i in [*expected, *actual]}, key=lambda a: a or "")
    for account in groups:
        want = [i for i in expected if _account(i) == account]
        got = [i for i in actual if _account(i) == account]
        pairs, lonely_e, lonely_a = _pair(collection, want, got)
        for e, a in pairs:
            fields = _item_fields(e, a)
            if fields:
                changes.append(ItemChange("changed", collection, _key(collection, e),
                                          account, e, a, fields))
        changes.extend(ItemChange("removed", collection, _key(collection, e), account, e, None)
                       for e in lonely_e)
        changes.extend(ItemChange("added", collection, _key(collection, a), account, None, a)
                       for a in lonely_a)
    return changes


def _pair(collection: str, want: list[dict[str, Any]], got: list[dict[str, Any]]
          ) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]],
                     list[dict[str, Any]]]:
    by_key: dict[str, list[int]] = {}
    for index, item in enumerate(got):
        by_key.setdefault(_key(collection, item), []).append(index)
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    rest: list[int] = []
    for index, item in enumerate(want):
        candidates = [j for j in by_key.get(_key(collection, item), []) if j not in used]
        if candidates:
            used.add(candidates[0])
            pairs.append((index, candidates[0]))
        else:
            rest.append(index)
    lonely: list[int] = []
    free = [j for j in range(len(got)) if j not in used]
    for index in rest:  # likeness, nearest in position first
        item = want[index]
        alike = [j for j in free if _alike(collection, item, got[j])]
        if alike:
            best = min(alike, key=lambda j: abs(j / max(len(got), 1)
                                               - index / max(len(want), 1)))
            free.remove(best)
            pairs.append((index, best))
        else:
            lonely.append(index)
    if len(lonely) == len(free) and collection == "accounts":
        pairs.extend(zip(lonely, free, strict=True))  # an account's id changed
        lonely, free = [], []
    pairs.sort()
    return ([(want[i], got[j]) for i, j in pairs], [want[i] for i in lonely],
            [got[j] for j in free])


def _alike(collection: str, a: dict[str, Any], b: dict[str, Any]) -> bool:
    if collection == "transactions":
        return any(all(a.get(k) is not None and a.get(k) == b.get(k) for k in pair)
                   for pair in LIKENESS)
    if collection == "holdings":
        return (bool(a.get("label")) and a.get("label") == b.get("label")) or (
            bool(a.get("code")) and a.get("code") == b.get("code"))
    return bool(a.get("label")) and a.get("label") == b.get("label")


def _item_fields(expected: dict[str, Any], actual: dict[str, Any]) -> list[FieldDiff]:
    fields = [d for d in diff_values(expected, actual) if d.path != "id"]
    if not fields and expected.get("id") != actual.get("id"):
        fields = [FieldDiff("id", expected.get("id"), actual.get("id"))]
    return fields


def _account(item: dict[str, Any]) -> str | None:
    value = item.get("account_id")
    return None if value is None else str(value)


def _key(collection: str, item: dict[str, Any]) -> str:
    if collection == "holdings":
        return f"{item.get('account_id')}/{item.get('code') or item.get('label')}"
    return str(item.get("id"))


def _item_label(collection: str, item: dict[str, Any]) -> str:
    if collection == "transactions":
        return f"{item.get('date')} {show(item.get('label'))} {item.get('amount')}"
    if collection == "holdings":
        return show(item.get("label") or item.get("code"))
    return f"{item.get('id')} {show(item.get('label'))}"


# ----------------------------------------------------------------------------- plain values

_MISSING = object()


def diff_values(expected: Any, actual: Any, path: str = "") -> list[FieldDiff]:
    """Differences of two JSON values; lists of scalars or small records are compared by
    position (warnings, account failures), mappings key by key."""
    out: list[FieldDiff] = []
    _diff(expected, actual, path, out)
    return out


def _diff(expected: Any, actual: Any, path: str, out: list[FieldDiff]) -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            _diff(expected.get(key, _MISSING), actual.get(key, _MISSING),
                  f"{path}.{key}" if path else str(key), out)
    elif isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(FieldDiff(f"len({path})", len(expected), len(actual)))
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            _diff(e, a, f"{path}[{i}]", out)
        shorter = min(len(expected), len(actual))
        out.extend(FieldDiff(f"{path}[{i}]", e, None) for i, e in enumerate(expected)
                   if i >= shorter)
        out.extend(FieldDiff(f"{path}[{i}]", None, a) for i, a in enumerate(actual)
                   if i >= shorter)
    elif expected != actual and not redacted_match(expected, actual):
        out.append(FieldDiff(path, None if expected is _MISSING else expected,
                             None if actual is _MISSING else actual))


def redacted_match(expected: Any, actual: Any) -> bool:
    """``***`` in expected.json stands for a redacted secret: it matches any text."""
    if not (isinstance(expected, str) and isinstance(actual, str) and "***" in expected):
        return False
    pattern = ".+?".join(re.escape(part) for part in expected.split("***"))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def _refused_hosts(warnings: Any) -> set[str]:
    hosts: set[str] = set()
    for warning in warnings or []:
        if isinstance(warning, str) and warning.startswith(REFUSAL_WARNING):
            refused = re.sub(r"\s*\(from [^)]*\)", "", warning[len(REFUSAL_WARNING):])
            hosts.update(re.findall(r"(?:https?://|^|, )([a-z0-9.-]+(?::\d+)?)/", refused))
    return hosts


def _without_refusals(warnings: Any) -> Any:
    if not isinstance(warnings, list):
        return warnings
    return [w for w in warnings if not (isinstance(w, str) and w.startswith(REFUSAL_WARNING))]


def show(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", value):
        return value
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


__all__ = ["Comparison", "FieldDiff", "ItemChange", "compare_items", "compare_results",
           "diff_results", "diff_values", "redacted_match", "show"]


def diff_results(expected: dict[str, Any], actual: dict[str, Any]) -> list[FieldDiff]:
    """Every difference as ``path: expected X, got Y``, items paired by identity
    (``compare_results``); refused foreign hosts are notes, not differences."""
    return compare_results(expected, actual).diffs()
