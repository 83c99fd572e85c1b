"""The report as plain JSON-ready data, in the shape ``readiness/schema/report.schema.json`` publishes.

Every output format that needs the report as data starts from :func:`report_as_dict`,
so the JSON export, SARIF and the rest cannot disagree. Output is deterministic: no
clocks, no absolute paths, every list in a stable order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from readiness.model import (
    BaselineComparison,
    Contribution,
    Deployment,
    DiffScope,
    Edge,
    Evidence,
    FileRecord,
    Finding,
    GateOutcome,
    Infrastructure,
    LanguageTotals,
    Report,
    ScoreFactor,
    ScoringParameters,
    ServiceScore,
)

SCHEMA_VERSION = "1.1"


_encode = json.JSONEncoder(ensure_ascii=False).encode


class Rows(list[dict[str, Any]]):
    """A long list of records the writer puts one per line without looking into each (findings, files)."""


_CONTAINERS = frozenset({dict, list, Rows})


def json_text(document: Any) -> str:
    """JSON text as people and diffs read it: indented two spaces, but each record on one line.

    A record is a row of data: an object whose values are scalars, lists or objects of
    scalars, and at most one table (a list of objects of scalars), such as a finding with
    its facts, a file, or a score contribution with its factors. The C encoder writes each
    record whole, so a report of tens of thousands of findings reads one finding per line
    and is written several times faster than by ``json.dumps(indent=2)``, which has only
    a Python implementation. Keys are strings, as in every document readiness writes.
    """
    return _indented(document, "") + "\n"


def _indented(value: Any, margin: str) -> str:
    if isinstance(value, dict):
        if _is_record(value):
            return _encode(value)
        inner = margin + "  "
        return "{\n" + ",\n".join(f"{inner}{_encode(key)}: {_indented(item, inner)}" for key, item in value.items()) + f"\n{margin}}}"
    if type(value) is Rows and value:
        inner = ",\n" + margin + "  "
        return "[" + inner[1:] + inner.join(map(_encode_record, value)) + f"\n{margin}]"
    if isinstance(value, list) and value:
        inner = margin + "  "
        return "[\n" + ",\n".join(inner + _indented(item, inner) for item in value) + f"\n{margin}]"
    return _encode(value)


def _record_encoder() -> Callable[[dict[str, Any]], str]:
    # JSONEncoder.encode builds a C encoder on every call; a report encodes one per finding.
    if c_make_encoder is None:
        return _encode
    encoder = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda record: "".join(encoder(record, 0))


_encode_record = _record_encoder()


def _is_record(value: dict[str, Any]) -> bool:
    # Type sets and map() keep the test in C: it runs once per finding and contribution.
    tables = 0
    for item in value.values():
        kind = type(item)
        if kind is dict:
            if not _CONTAINERS.isdisjoint(map(type, item.values())):
                return False
        elif kind is list and not _CONTAINERS.isdisjoint(map(type, item)):
            if not all(type(row) is dict and _CONTAINERS.isdisjoint(map(type, row.values())) for row in item):
                return False
            tables += 1
    return tables <= 1


def load_schema() -> dict[str, Any]:
    """The JSON Schema every JSON report validates against."""
    text = resources.files("readiness").joinpath("schema/report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _language(totals: LanguageTotals) -> dict[str, Any]:
    return {
        "language": totals.language,
        "files": totals.files,
        "code": totals.code,
        "comment": totals.comment,
        "blank": totals.blank,
        "bytes": totals.bytes,
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {"path": evidence.path, "line": evidence.line, "detail": evidence.detail}


def _deployment(deployment: Deployment) -> dict[str, Any]:
    return {"kind": deployment.kind, "path": deployment.path, "name": deployment.name, "line": deployment.line}


def _infrastructure(item: Infrastructure, edges: tuple[Edge, ...]) -> dict[str, Any]:
    return {
        "name": item.name,
        "kind": item.kind,
        "image": item.image,
        "path": item.path,
        "evidence": [_evidence(e) for e in item.evidence],
        "deployments": [_deployment(d) for d in item.deployments],
        "used_by": sorted({edge.source for edge in edges if edge.target == item.name}),
    }


def _edge(edge: Edge, infrastructure_names: set[str]) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "target_type": "infrastructure" if edge.target in infrastructure_names else "service",
        "protocol": edge.protocol,
        "evidence": [_evidence(e) for e in edge.evidence],
    }


def _contribution(contribution: Contribution) -> dict[str, Any]:
    return {
        "criterion": contribution.criterion.value,
        "points": contribution.points,
        "base": contribution.base,
        "weight": contribution.weight,
        "factors": [{"name": name, "value": value} for name, value in contribution.factors],
        "reason": contribution.reason,
        "rule": contribution.rule,
        "evidence": _evidence(contribution.evidence) if contribution.evidence else None,
    }


def _factor(factor: ScoreFactor) -> dict[str, Any]:
    return {
        "name": factor.name,
        "multipliers": {criterion.value: value for criterion, value in factor.multipliers},
        "reason": factor.reason,
        "evidence": [_evidence(e) for e in factor.evidence],
    }


def _score(score: ServiceScore) -> dict[str, Any]:
    return {
        "verdict": score.verdict.value,
        "benefit": score.benefit,
        "effort": score.effort,
        "priority": score.priority,
        "confidence": score.confidence,
        "rank": score.rank,
        "reasons": list(score.reasons),
        "changes": list(score.changes),
        "factors": [_factor(f) for f in score.factors],
        "confidence_losses": [{"reason": loss.reason, "loss": loss.loss, "paths": list(loss.paths)} for loss in score.confidence_losses],
        "criteria": [
            {
                "criterion": c.criterion.value,
                "side": c.criterion.side,
                "score": c.score,
                "weight": c.weight,
                "contributions": [_contribution(x) for x in c.contributions],
            }
            for c in score.criteria
        ],
    }


def _scoring(parameters: ScoringParameters) -> dict[str, Any]:
    return {
        "criterion_weights": {criterion.value: weight for criterion, weight in parameters.criterion_weights},
        "effort_weight": parameters.effort_weight,
        "strong_candidate": parameters.strong_candidate,
        "candidate": parameters.candidate,
        "confidence_threshold": parameters.confidence_threshold,
    }


def _file(record: FileRecord) -> dict[str, Any]:
    return {
        "path": record.path,
        "size": record.size,
        "blob": record.blob,
        "status": record.status.value,
        "language": record.language,
        "kind": record.kind.value,
        "reason": record.reason,
        "code": record.lines.code if record.lines else None,
        "comment": record.lines.comment if record.lines else None,
        "blank": record.lines.blank if record.lines else None,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "criterion": finding.criterion.value,
        "service": finding.service,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "function": finding.function,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "confidence": finding.confidence,
        "facts": dict(finding.facts),
        "baseline": finding.baseline.value if finding.baseline else None,
    }


def _baseline(baseline: BaselineComparison, findings: tuple[Finding, ...]) -> dict[str, Any]:
    statuses = [f.baseline.value for f in findings if f.baseline]
    return {
        "source": baseline.source,
        "head": baseline.head,
        "new": statuses.count("new"),
        "changed": statuses.count("changed"),
        "unchanged": statuses.count("unchanged"),
        "fixed": [_finding(f) for f in baseline.fixed],
    }


def _gate(gate: GateOutcome) -> dict[str, Any]:
    return {
        "status": "passed" if gate.passed else "failed",
        "exit_code": gate.exit_code,
        "new_only": gate.new_only,
        "conditions": list(gate.conditions),
        "failures": [{"condition": f.condition, "detail": f.detail} for f in gate.failures],
    }


def _diff(diff: DiffScope) -> dict[str, Any]:
    return {"base": diff.base, "commit": diff.commit, "changed": list(diff.changed), "services": list(diff.services)}


def report_as_dict(report: Report, include_files: bool = False) -> dict[str, Any]:
    scores = {score.service: score for score in report.scores}
    counted = [record for record in report.files if record.counted]
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "readiness", "version": report.tool_version},
        "repository": {
            "name": report.repository.name,
            "vcs": report.repository.vcs,
            "head": report.repository.head,
            "dirty": report.repository.dirty,
        },
        "summary": {
            "files": len(report.files),
            "counted_files": len(counted),
            "code": sum(t.code for t in report.languages),
            "comment": sum(t.comment for t in report.languages),
            "blank": sum(t.blank for t in report.languages),
            "bytes": sum(t.bytes for t in report.languages),
        },
        "languages": [_language(t) for t in report.languages],
        "exclusions": [{"reason": e.reason, "rule": e.rule, "files": e.files} for e in report.exclusions],
        "services": [
            {
                "name": service.name,
                "path": service.path,
                "role": service.role,
                "ranked": service.ranked,
                "primary_language": service.primary_language,
                "languages": [_language(t) for t in service.languages],
                "evidence": [_evidence(e) for e in service.evidence],
                "manifests": list(service.manifests),
                "dockerfiles": list(service.dockerfiles),
                "deployments": [_deployment(d) for d in service.deployments],
                "score": _score(scores[service.name]) if service.name in scores else None,
            }
            for service in report.services
        ],
        "infrastructure": [_infrastructure(item, report.edges) for item in report.infrastructure],
        "edges": [_edge(edge, {item.name for item in report.infrastructure}) for edge in report.edges],
        "findings": Rows(map(_finding, report.findings)),
        "suppressed": Rows(
            {**_finding(s.finding), "reason": s.reason, "source": s.source, "inline": s.inline} for s in report.suppressed
        ),
        "baseline": _baseline(report.baseline, report.findings) if report.baseline else None,
        "gate": _gate(report.gate) if report.gate else None,
        "diff": _diff(report.diff) if report.diff else None,
        "rules": [
            {"id": r.id, "title": r.title, "criterion": r.criterion.value, "level": r.level, "plugin": r.plugin}
            for r in report.rules
        ],
        "warnings": [
            {"message": d.message, "path": d.path} for d in report.diagnostics if d.level == "warning"
        ],
        "errors": [
            {"message": d.message, "plugin": d.plugin, "hook": d.hook} for d in report.diagnostics if d.level == "error"
        ],
    }
    if report.scoring is not None:
        document["scoring"] = _scoring(report.scoring)
    if include_files:
        document["files"] = Rows(map(_file, report.files))
    return document
