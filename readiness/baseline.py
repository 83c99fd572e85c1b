"""A report's findings against a baseline report's: new, changed, unchanged, or fixed.

Findings match by rule, service, path and fingerprint (a hash of the flagged snippet, not
of its line), count by count: two identical findings where the baseline had one are one
unchanged and one new, so a second copy of a known problem never hides behind the first.
Within one identity, findings pair with the nearest line, so a finding that only moved is
unchanged and the copy far from any baseline position is the new one. A finding left over
on the same line of the same file under the same rule, with another snippet, is the same
finding edited: changed, not new plus fixed.

A baseline is any readiness JSON report (``--write-baseline`` writes one) of a full scan.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

from readiness.model import BaselineComparison, BaselineStatus, Criterion, Finding, Report

MAX_PAIRING = 4096
"""Above this many candidate pairs in one identity, pairs are made in line order instead of by distance."""


class BaselineError(ValueError):
    """The baseline file is not a readiness JSON report of a full scan; the message is one line."""


@dataclass(frozen=True, slots=True)
class Baseline:
    source: str
    head: str | None
    findings: tuple[Finding, ...]


def parse_baseline(data: bytes, source: str) -> Baseline:
    """The findings of a JSON report; BaselineError when it is not one."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineError(f"{source}: not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("tool", {}).get("name") != "readiness" or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{source}: not a readiness JSON report (write one with --write-baseline)")
    if document.get("diff"):
        raise BaselineError(f"{source}: a report of the services some changes touch cannot be a baseline; write it from a full scan")
    repository = document.get("repository")
    head = repository.get("head") if isinstance(repository, dict) else None
    findings = []
    for number, item in enumerate(document["findings"], 1):
        try:
            findings.append(_finding(item))
        except (KeyError, TypeError, ValueError) as error:
            raise BaselineError(f"{source}: finding #{number} is malformed: {type(error).__name__}: {error}") from None
    return Baseline(source, head if isinstance(head, str) else None, tuple(findings))


def _finding(item: Any) -> Finding:
    facts = item.get("facts") or {}
    if not isinstance(facts, dict):
        raise TypeError("facts is not an object")
    values = {
        "rule": item["rule"],
        "path": item["path"],
        "message": item["message"],
        "fingerprint": item["fingerprint"],
    }
    if not all(isinstance(value, str) for value in values.values()):
        raise TypeError("rule, path, message and fingerprint must be strings")
    line, service = item["line"], item.get("service")
    if not isinstance(line, int) or isinstance(line, bool) or (service is not None and not isinstance(service, str)):
        raise TypeError("line must be an integer and service a string or null")
    return Finding(criterion=Criterion(item["criterion"]), line=line, service=service, facts=tuple(sorted(facts.items())), **values)


def compare(report: Report, baseline: Baseline) -> Report:
    """The report with each finding's baseline status, and the baseline's findings that are gone.

    When the report judged only some services (``--diff``), only the baseline's findings
    in those services (or, outside any service, in the changed files) are compared.
    """
    statuses: dict[int, BaselineStatus] = {}
    current = list(enumerate(report.findings))
    known = [f for f in baseline.findings if _in_scope(f, report)]
    current, known = _pair(current, known, _identity, lambda index, old: statuses.__setitem__(index, _same_or_changed(report.findings[index], old)))
    current, known = _pair(current, known, _place, lambda index, _: statuses.__setitem__(index, BaselineStatus.CHANGED))
    for index, _ in current:
        statuses[index] = BaselineStatus.NEW
    # A baseline finding suppressed now is not fixed: it is still there, only ignored (and a
    # marker written on its line changed its snippet, so its place matches too).
    ignored = [(i, s.finding) for i, s in enumerate(report.suppressed)]
    ignored, known = _pair(ignored, known, _identity, lambda *_: None)
    _, known = _pair(ignored, known, _place, lambda *_: None)
    fixed = [replace(finding, baseline=BaselineStatus.FIXED) for finding in known]
    fixed.sort(key=lambda f: (f.path, f.line, f.rule, f.service or ""))
    findings = tuple(replace(finding, baseline=statuses[index]) for index, finding in enumerate(report.findings))
    return replace(report, findings=findings, baseline=BaselineComparison(baseline.source, baseline.head, tuple(fixed)))


def _identity(finding: Finding) -> Hashable:
    return finding.rule, finding.service, finding.path, finding.fingerprint


def _place(finding: Finding) -> Hashable:
    return finding.rule, finding.service, finding.path, finding.line


def _in_scope(finding: Finding, report: Report) -> bool:
    if report.diff is None:
        return True
    if finding.service is not None:
        return finding.service in report.diff.services
    return finding.path in report.diff.changed


def _same_or_changed(current: Finding, old: Finding) -> BaselineStatus:
    return BaselineStatus.UNCHANGED if (current.message, current.facts) == (old.message, old.facts) else BaselineStatus.CHANGED


Indexed = list[tuple[int, Finding]]


def _pair(
    current: Indexed, known: list[Finding], key: Callable[[Finding], Hashable], matched: Callable[[int, Finding], None]
) -> tuple[Indexed, list[Finding]]:
    """Pair current findings with known ones under the same key, nearest lines first; what is left on each side."""
    by_key: dict[Hashable, Indexed] = defaultdict(list)
    for item in current:
        by_key[key(item[1])].append(item)
    olds: dict[Hashable, list[Finding]] = defaultdict(list)
    for finding in known:
        olds[key(finding)].append(finding)
    paired: set[int] = set()
    left_known: list[Finding] = []
    for group_key, old_group in olds.items():
        new_group = by_key.get(group_key, [])
        used_old: set[int] = set()
        for new_position, old_position in _nearest_pairs([f.line for _, f in new_group], [f.line for f in old_group]):
            index = new_group[new_position][0]
            matched(index, old_group[old_position])
            paired.add(index)
            used_old.add(old_position)
        left_known.extend(f for position, f in enumerate(old_group) if position not in used_old)
    return [item for item in current if item[0] not in paired], left_known


def _nearest_pairs(new_lines: list[int], old_lines: list[int]) -> list[tuple[int, int]]:
    """Positions paired so that as many as possible pair, closest lines first."""
    if len(new_lines) * len(old_lines) > MAX_PAIRING:
        new_order = sorted(range(len(new_lines)), key=new_lines.__getitem__)
        old_order = sorted(range(len(old_lines)), key=old_lines.__getitem__)
        return list(zip(new_order, old_order, strict=False))
    by_distance = sorted(
        (abs(new - old), new, n, o) for n, new in enumerate(new_lines) for o, old in enumerate(old_lines)
    )
    pairs: list[tuple[int, int]] = []
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    for _, _, n, o in by_distance:
        if n not in taken_new and o not in taken_old:
            taken_new.add(n)
            taken_old.add(o)
            pairs.append((n, o))
    return pairs
