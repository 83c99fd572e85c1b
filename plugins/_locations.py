"""Where a finding points, for report formats that must name a file and a line.

A finding about a whole service (its history, its footprint) may name the service's
directory rather than a file. Code scanning and workflow annotations need a file, so
such a finding is anchored on the service's first manifest, else its first Dockerfile,
else the file its detection evidence cites: never left without a location.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.model import Finding, Report, Service


@dataclass(frozen=True, slots=True)
class Located:
    """One finding with the services it belongs to and the file position a reader is sent to."""

    finding: Finding
    services: tuple[str, ...]
    """Every service the finding was reported for (a file several services ship gives each one)."""
    path: str
    line: int
    column: int
    anchored: bool
    """True when the finding named a directory and was moved onto one of the service's files."""


def located_findings(report: Report) -> list[Located]:
    """The report's findings, one per place (not per service), each at a file position."""
    files = {record.path for record in report.files}
    services = {service.name: service for service in report.services}
    merged: dict[tuple[object, ...], tuple[Finding, list[str]]] = {}
    for finding in report.findings:
        key = (finding.rule, finding.path, finding.line, finding.column, finding.message, finding.fingerprint)
        _, names = merged.setdefault(key, (finding, []))
        if finding.service is not None and finding.service not in names:
            names.append(finding.service)
    located = []
    for finding, names in merged.values():
        owners = [services[name] for name in names if name in services] or _services_at(finding.path, report.services)
        located.append(_locate(finding, tuple(names), files, owners))
    return located


def _services_at(path: str, services: Iterable[Service]) -> list[Service]:
    return [service for service in services if service.path == path]


def _locate(finding: Finding, names: tuple[str, ...], files: set[str], owners: list[Service]) -> Located:
    line, column = max(finding.line, 1), max(finding.column, 1)
    if finding.path in files:
        return Located(finding, names, finding.path, line, column, anchored=False)
    service_files = [(path, 1) for service in owners for path in (*service.manifests, *service.dockerfiles)]
    cited = [(evidence.path, max(evidence.line, 1)) for service in owners for evidence in service.evidence]
    anchor = next(iter(service_files + cited), None)
    if anchor is None:
        return Located(finding, names, finding.path or ".", line, column, anchored=False)
    return Located(finding, names, anchor[0], anchor[1], 1, anchored=True)
