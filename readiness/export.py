"""The report as plain JSON-ready data, in the shape ``readiness/schema/report.schema.json`` publishes.

Every output format that needs the report as data starts from :func:`report_as_dict`,
so the JSON export, SARIF and the rest cannot disagree. Output is deterministic: no
clocks, no absolute paths, every list in a stable order.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from readiness.model import Contribution, Evidence, FileRecord, LanguageTotals, Report

SCHEMA_VERSION = "1.0"


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


def _contribution(contribution: Contribution) -> dict[str, Any]:
    return {
        "criterion": contribution.criterion.value,
        "points": contribution.points,
        "reason": contribution.reason,
        "rule": contribution.rule,
        "evidence": _evidence(contribution.evidence) if contribution.evidence else None,
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


def report_as_dict(report: Report, include_files: bool = False) -> dict[str, Any]:
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
                "primary_language": service.primary_language,
                "languages": [_language(t) for t in service.languages],
                "evidence": [_evidence(e) for e in service.evidence],
                "manifests": list(service.manifests),
                "dockerfiles": list(service.dockerfiles),
                "deployments": [
                    {"kind": d.kind, "path": d.path, "name": d.name, "line": d.line} for d in service.deployments
                ],
                "contributions": [_contribution(c) for c in report.scores.get(service.name, ())],
            }
            for service in report.services
        ],
        "findings": [
            {
                "rule": f.rule,
                "criterion": f.criterion.value,
                "service": f.service,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "function": f.function,
                "message": f.message,
                "fingerprint": f.fingerprint,
                "confidence": f.confidence,
                "facts": dict(f.facts),
            }
            for f in report.findings
        ],
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
    if include_files:
        document["files"] = [_file(record) for record in report.files]
    return document
