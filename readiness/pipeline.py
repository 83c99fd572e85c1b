"""One scan, stage by stage: list -> inventory -> services -> findings -> scores -> report.

Each stage takes the frozen records of the stages before it and returns new ones; the
plugin host calls every plugin's hook separately, so a failing plugin shows up as an
error diagnostic and the other plugins' results stand. A hook's result may also hold
:class:`~readiness.model.Diagnostic` warnings about the input (a manifest that does not
parse): they are set aside here, marked with the plugin and hook, and reported once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from readiness import __version__
from readiness.config import Settings
from readiness.inventory import (
    Listing,
    Progress,
    exclusions,
    language_totals,
    list_files,
    take_inventory,
    worktree_differs,
)
from readiness.model import (
    Contribution,
    Diagnostic,
    FileRecord,
    Finding,
    Report,
    Repository,
    Service,
    ServiceCandidate,
)
from readiness.plugin_host import PluginError, PluginHost

SERVICE_ROLES = ("backend", "worker", "frontend", "load-generator", "infrastructure", "library", "tooling")
"""Roles in the order a merge prefers them when detectors disagree: the most specific claim of deployment wins."""


def scan(root: Path, settings: Settings, host: PluginHost, progress: Progress | None = None, git_timeout: float = 60.0) -> Report:
    listing = list_files(root, settings, git_timeout)
    files, diagnostics = take_inventory(root, listing, settings, host, progress)
    info = listing.info
    if info.vcs == "git" and info.head is not None:
        info = replace(info, dirty=bool(info.dirty) or worktree_differs(listing, files))
    repo = Repository(root=root, info=info, files=files, max_file_size=settings.max_file_size)

    services = detect_services(host, repo, settings)
    findings = analyze_files(host, repo, settings, progress) + analyze_services(host, repo, services, settings)
    findings = assign_services(findings, services)
    scores = {
        service.name: score_service(host, service, tuple(f for f in findings if f.service == service.name), settings)
        for service in services
    }
    plugin_errors = host.drain_warnings() + [error.diagnostic() for error in host.drain_errors()]
    return Report(
        tool_version=__version__,
        repository=info,
        files=files,
        languages=language_totals(files),
        exclusions=exclusions(files, listing.excluded),
        services=services,
        findings=tuple(findings),
        rules=tuple(host.rules[rule_id] for rule_id in sorted({f.rule for f in findings})),
        scores=scores,
        diagnostics=_diagnostics(listing, diagnostics + plugin_errors),
    )


def _diagnostics(listing: Listing, found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Each diagnostic once: a file that several plugins read is malformed only once."""
    unique: dict[tuple[str, str | None, str], Diagnostic] = {}
    for diagnostic in [*listing.diagnostics, *found]:
        unique.setdefault((diagnostic.level, diagnostic.path, diagnostic.message), diagnostic)
    return tuple(unique.values())


def detect_services(host: PluginHost, repo: Repository, settings: Settings) -> tuple[Service, ...]:
    """Merge every detector's candidates by source directory into services."""
    by_path: dict[str, list[ServiceCandidate]] = defaultdict(list)
    hook = "readiness_detect_services"
    for plugin, produced in host.call_each(hook, repo=repo, settings=settings):
        candidates, warnings = _partition(host, hook, plugin, produced, (ServiceCandidate,))
        host.warnings.extend(warnings)
        for candidate in candidates:
            by_path[candidate.path].append(candidate)
    owners = _owners(repo.files, sorted(by_path))
    services = []
    for path, candidates in sorted(by_path.items()):
        candidates.sort(key=lambda c: (c.evidence.path, c.evidence.line, c.name))
        roles = [c.role for c in candidates if c.role in SERVICE_ROLES]
        role = min(roles, key=SERVICE_ROLES.index) if roles else "backend"
        languages = language_totals(record for record, owner in owners if owner == path)
        services.append(
            Service(
                name=candidates[0].name,
                path=path,
                role=role,
                languages=languages,
                primary_language=languages[0].language if languages else None,
                evidence=tuple(dict.fromkeys(c.evidence for c in candidates)),
                manifests=tuple(sorted({m for c in candidates for m in c.manifests})),
                dockerfiles=tuple(sorted({d for c in candidates for d in c.dockerfiles})),
                deployments=tuple(sorted({d for c in candidates for d in c.deployments}, key=lambda d: (d.path, d.line, d.name))),
            )
        )
    return tuple(services)


def _owners(files: Iterable[FileRecord], service_paths: list[str]) -> list[tuple[FileRecord, str | None]]:
    """Each file with the deepest service directory that contains it."""
    deepest_first = sorted(service_paths, key=lambda p: (-len(p), p))
    return [(record, _owner(record.path, deepest_first)) for record in files]


def _owner(path: str, deepest_first: list[str]) -> str | None:
    for service_path in deepest_first:
        if service_path == "." or path.startswith(service_path + "/"):
            return service_path
    return None


def analyze_files(host: PluginHost, repo: Repository, settings: Settings, progress: Progress | None) -> list[Finding]:
    if not host.has_implementations("readiness_analyze_file"):
        return []
    findings: list[Finding] = []
    counted = [record for record in repo.files if record.counted]
    for done, record in enumerate(counted, 1):
        data = repo.read_bytes(record.path)
        if data is None:
            continue
        text = data.decode("utf-8", errors="replace")
        for plugin, produced in host.call_each("readiness_analyze_file", file=record, text=text, settings=settings):
            findings.extend(_declared(host, plugin, "readiness_analyze_file", produced))
        if progress:
            progress("analysis", done, len(counted))
    return findings


def analyze_services(host: PluginHost, repo: Repository, services: tuple[Service, ...], settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for service in services:
        for plugin, produced in host.call_each("readiness_analyze_service", service=service, repo=repo, settings=settings):
            findings.extend(replace(f, service=service.name) for f in _declared(host, plugin, "readiness_analyze_service", produced))
    return findings


def _partition(host: PluginHost, hook: str, plugin: str, produced: Iterable[object], wanted: tuple[type, ...]) -> tuple[list[Any], list[Diagnostic]]:
    """The records a plugin returned, and its warnings attributed to it; anything else is the plugin's error."""
    records: list[Any] = []
    warnings: list[Diagnostic] = []
    for item in produced:
        if isinstance(item, Diagnostic):
            warnings.append(replace(item, plugin=item.plugin or plugin, hook=item.hook or hook))
        elif isinstance(item, wanted):
            records.append(item)
        else:
            expected = " or ".join(t.__name__ for t in wanted)
            host.errors.append(PluginError(plugin, hook, TypeError(f"returned a {type(item).__name__}, not a {expected} or Diagnostic")))
    return records, warnings


def _declared(host: PluginHost, plugin: str, hook: str, produced: Iterable[object]) -> list[Finding]:
    """The findings whose rule is declared; an undeclared rule is the plugin's error, reported once.

    Warnings among them wait on the host until the report is assembled.
    """
    findings, warnings = _partition(host, hook, plugin, produced, (Finding,))
    host.warnings.extend(warnings)
    kept = []
    for finding in findings:
        if finding.rule in host.rules:
            kept.append(finding)
        else:
            host.errors.append(PluginError(plugin, hook, LookupError(f"finding for undeclared rule {finding.rule}")))
    return kept


def assign_services(findings: list[Finding], services: tuple[Service, ...]) -> list[Finding]:
    """Findings with their service set from the deepest service directory holding their file."""
    deepest_first = sorted((s.path for s in services), key=lambda p: (-len(p), p))
    names = {s.path: s.name for s in services}
    assigned = []
    for finding in findings:
        if finding.service is None:
            owner = _owner(finding.path, deepest_first)
            finding = replace(finding, service=names[owner] if owner else None)
        assigned.append(finding)
    return sorted(assigned, key=lambda f: (f.path, f.line, f.column, f.rule, f.message))


def score_service(host: PluginHost, service: Service, findings: tuple[Finding, ...], settings: Settings) -> tuple[Contribution, ...]:
    contributions: list[Contribution] = []
    hook = "readiness_score_service"
    for plugin, produced in host.call_each(hook, service=service, findings=findings, settings=settings):
        found, warnings = _partition(host, hook, plugin, produced, (Contribution,))
        host.warnings.extend(warnings)
        contributions.extend(found)
    return tuple(contributions)
