"""The ``sarif`` format: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Rules carry their doc page as help, their criterion as a tag and their level as the
default; results carry a repository-relative location (``%SRCROOT%``), and a
finding about a whole service is anchored on the service's manifest or Dockerfile.
``partialFingerprints`` come from the finding's fingerprint (rule, path and snippet,
not the line), so an alert survives unrelated edits and is not duplicated between
runs. With ``--baseline``, results carry SARIF's ``baselineState``; suppressed findings
are results with ``suppressions`` (their reason as the justification), which code
scanning shows as dismissed; the CI gate's outcome is the invocation's ``exitCode``,
each broken condition an error notification. ``--sarif-category`` sets ``runAutomationDetails.id``, which code scanning uses
to keep several analyses of one commit apart. A run holds at most 25,000 results, the
most severe, because code scanning rejects more. Output is deterministic: no clock, no
absolute path.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from readiness import hookimpl
from readiness.model import BaselineStatus, Diagnostic, Finding, RenderOptions, Report, ReportFormat, Rule, SuppressedFinding
from readiness_plugins._locations import Located, located_findings
from readiness_plugins._rule_docs import short_description, what_it_finds

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
DEFAULT_CATEGORY = "readiness"
LEVELS = ("error", "warning", "note", "none")
"""Most severe first."""
MAX_RESULTS = 25_000
"""Code scanning rejects a run with more results than this; the most severe are kept."""


@hookimpl
def readiness_add_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--sarif-category",
        default=DEFAULT_CATEGORY,
        metavar="CATEGORY",
        help=f"the SARIF run's category (runAutomationDetails.id), to tell apart several uploads for one commit (default: {DEFAULT_CATEGORY})",
    )


def _level(rule: Rule | None) -> str:
    return rule.level if rule is not None and rule.level in LEVELS else "warning"


def _uri(path: str) -> str:
    """A repository-relative path as a URI reference: spaces, ``%``, ``#`` and non-ASCII escaped."""
    return quote(path, safe="/")


def _descriptor(rule: Rule) -> dict[str, Any]:
    doc = rule.doc.strip()
    return {
        "id": rule.id,
        "name": rule.title,
        "shortDescription": {"text": short_description(rule)},
        "fullDescription": {"text": what_it_finds(rule)},
        "help": {"text": doc or rule.title, "markdown": f"# {rule.id}: {rule.title}\n\n{doc}" if doc else rule.title},
        "defaultConfiguration": {"level": _level(rule)},
        "properties": {"tags": ["readiness", rule.criterion.value, rule.criterion.side], "criterion": rule.criterion.value},
    }


def _location(path: str, line: int, column: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT},
            "region": {"startLine": line, "startColumn": column},
        }
    }


BASELINE_STATES = {BaselineStatus.NEW: "new", BaselineStatus.UNCHANGED: "unchanged", BaselineStatus.CHANGED: "updated"}


def _result(item: Located, rules: dict[str, int], rule: Rule | None, occurrence: int, suppressed: SuppressedFinding | None = None) -> dict[str, Any]:
    finding = item.finding
    text = finding.message
    if item.anchored:
        about = ", ".join(item.services) or finding.path
        text = f"{text} (about {about}: {finding.path})"
    result: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rules:
        result["ruleIndex"] = rules[finding.rule]
    properties: dict[str, Any] = {"criterion": finding.criterion.value, "confidence": finding.confidence, "services": list(item.services)}
    if finding.function:
        properties["function"] = finding.function
    if finding.facts:
        properties["facts"] = dict(finding.facts)
    result.update(
        {
            "level": _level(rule),
            "message": {"text": text},
            "locations": [_location(item.path, item.line, item.column)],
            # Code scanning matches alerts across runs on this hash; the finding's fingerprint
            # already ignores line numbers, and the occurrence keeps identical snippets apart.
            "partialFingerprints": {"primaryLocationLineHash": f"{finding.fingerprint}:{occurrence}"},
            "properties": properties,
        }
    )
    if finding.baseline in BASELINE_STATES:
        result["baselineState"] = BASELINE_STATES[finding.baseline]
    if suppressed is not None:
        # Code scanning shows a suppressed result as dismissed, with the justification.
        result["suppressions"] = [{"kind": "inSource" if suppressed.inline else "external", "justification": suppressed.reason}]
    return result


def _notification(diagnostic: Diagnostic) -> dict[str, Any]:
    notification: dict[str, Any] = {"level": "error" if diagnostic.level == "error" else "warning", "message": {"text": diagnostic.message}}
    if diagnostic.path:
        notification["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(diagnostic.path), "uriBaseId": SRCROOT}}}]
    return notification


def _place(finding: Finding) -> tuple[object, ...]:
    return finding.rule, finding.path, finding.line, finding.column, finding.message, finding.fingerprint


def _invocation(report: Report, notifications: list[dict[str, Any]]) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": True, "toolExecutionNotifications": notifications}
    if report.gate is not None:
        invocation["exitCode"] = report.gate.exit_code
        invocation["properties"] = {
            "gate": "passed" if report.gate.passed else "failed",
            "conditions": list(report.gate.conditions),
            "failures": [f"{f.condition}: {f.detail}" for f in report.gate.failures],
        }
    return invocation


def sarif_log(report: Report, category: str = DEFAULT_CATEGORY) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log with one run."""
    rules = {rule.id: index for index, rule in enumerate(report.rules)}
    by_id = {rule.id: rule for rule in report.rules}
    located = located_findings(report)
    suppressions: list[SuppressedFinding | None] = [None] * len(located)
    if report.suppressed:
        by_place = {_place(s.finding): s for s in report.suppressed}
        ignored = located_findings(replace(report, findings=tuple(s.finding for s in report.suppressed)))
        located += ignored
        suppressions += [by_place[_place(item.finding)] for item in ignored]
    seen: Counter[tuple[str, str]] = Counter()
    occurrences = []
    for item in located:
        key = (item.finding.rule, item.finding.fingerprint)
        seen[key] += 1
        occurrences.append(seen[key])
    # Suppressed results are the first left out when there are too many.
    severity = [len(LEVELS) if suppressions[i] else LEVELS.index(_level(by_id.get(item.finding.rule))) for i, item in enumerate(located)]
    kept = sorted(sorted(range(len(located)), key=lambda i: severity[i])[:MAX_RESULTS])
    results = [_result(located[i], rules, by_id.get(located[i].finding.rule), occurrences[i], suppressions[i]) for i in kept]
    notifications = [_notification(d) for d in report.diagnostics]
    if report.gate is not None:
        notifications += [{"level": "error", "message": {"text": f"gate failed: {f.condition}: {f.detail}"}} for f in report.gate.failures]
    if len(kept) < len(located):
        left_out = f"{len(located) - len(kept):,} of {len(located):,} results left out, the least severe first: code scanning accepts {MAX_RESULTS:,} per run"
        notifications.append({"level": "warning", "message": {"text": f"{left_out}. `readiness scan --format json` lists them all."}})
    # Code scanning takes everything up to the last "/" of the id as the category.
    automation_id = category if category.endswith("/") else f"{category}/"
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "readiness",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_descriptor(rule) for rule in report.rules],
            }
        },
        "automationDetails": {"id": automation_id},
        "invocations": [_invocation(report, notifications)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if report.repository.head:
        run["properties"] = {"revision": report.repository.head, "dirty": bool(report.repository.dirty)}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report, options: RenderOptions) -> str:
    category = str(options.options.get("sarif_category") or DEFAULT_CATEGORY)
    return json.dumps(sarif_log(report, category), indent=2, ensure_ascii=False) + "\n"


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("sarif", "SARIF 2.1.0 for GitHub code scanning", render_sarif)]
