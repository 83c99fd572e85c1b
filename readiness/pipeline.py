"""One scan, stage by stage: list -> inventory -> services -> findings -> scores -> report.

Each stage takes the frozen records of the stages before it and returns new ones; the
plugin host calls every plugin's hook separately, so a failing plugin shows up as an
error diagnostic and the other plugins' results stand.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

from readiness import __version__
from readiness.config import Settings
from readiness.inventory import (
    Listing,
    Progress,
    exclusions,
    language_totals,
    list_files,
    take_inventory,
    Workers,
    worker_host,
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
from readiness.safefs import read_regular_file

ANALYSIS_BATCH_SIZE = 32
ANALYSIS_IN_PROCESS_BELOW = 4 << 20
"""Source bytes below which analysis runs in this process: starting workers would cost more."""

Markers = Mapping[str, Mapping[str, tuple[bytes, ...]]]

SERVICE_ROLES = ("backend", "worker", "frontend", "load-generator", "infrastructure", "library", "tooling")
"""Roles in the order a merge prefers them when detectors disagree: the most specific claim of deployment wins."""


def scan(root: Path, settings: Settings, host: PluginHost, progress: Progress | None = None, git_timeout: float = 60.0) -> Report:
    listing = list_files(root, settings, git_timeout)
    with Workers(host, settings.jobs or os.cpu_count() or 1) as workers:
        files, diagnostics = take_inventory(root, listing, settings, host, progress, workers)
        info = listing.info
        if info.vcs == "git" and info.head is not None:
            info = replace(info, dirty=bool(info.dirty) or worktree_differs(listing, files))
        repo = Repository(root=root, info=info, files=files, max_file_size=settings.max_file_size)

        services = detect_services(host, repo, settings)
        file_findings, analysis_diagnostics = analyze_files(host, repo, settings, progress, workers)
    diagnostics += analysis_diagnostics
    findings = file_findings + analyze_services(host, repo, services, settings)
    findings = assign_services(findings, services)
    scores = {
        service.name: score_service(host, service, tuple(f for f in findings if f.service == service.name), settings)
        for service in services
    }
    plugin_errors = [error.diagnostic() for error in host.drain_errors()]
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
    return tuple(dict.fromkeys([*listing.diagnostics, *found]))


def detect_services(host: PluginHost, repo: Repository, settings: Settings) -> tuple[Service, ...]:
    """Merge every detector's candidates by source directory into services."""
    by_path: dict[str, list[ServiceCandidate]] = defaultdict(list)
    for _, candidates in host.call_each("readiness_detect_services", repo=repo, settings=settings):
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


def analyze_files(
    host: PluginHost, repo: Repository, settings: Settings, progress: Progress | None, workers: Workers | None = None
) -> tuple[list[Finding], list[Diagnostic]]:
    """Every ``readiness_analyze_file`` plugin on every source and test file, in worker processes.

    Each file is read once and shown only to the plugins whose pre-filter markers it
    contains. Findings come back in file order, whatever order the workers finish in.
    ``workers``, when given, are the scan's processes (perhaps already started by the
    inventory); else a pool is started here if the work is worth one.
    """
    analyzers = host.implementers("readiness_analyze_file")
    if not analyzers:
        return [], []
    markers = host.analysis_markers()
    counted = [record for record in repo.files if record.counted]
    jobs = settings.jobs or os.cpu_count() or 1
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = []
    done = 0

    def collect(produced: list[tuple[str, list[Finding]]], met: list[Diagnostic], files: int) -> None:
        nonlocal done
        for plugin, plugin_findings in produced:
            findings.extend(_declared(host, plugin, "readiness_analyze_file", plugin_findings))
        diagnostics.extend(met)
        done += files
        if progress:
            progress("analysis", done, len(counted))

    batches = list(_analysis_batches(counted))
    started = workers is not None and workers.started
    if jobs == 1 or (not started and sum(record.size for record in counted) < ANALYSIS_IN_PROCESS_BELOW):
        for batch in batches:
            collect(*_analyze_batch_with(host, repo.root, batch, settings, analyzers, markers), len(batch))
    else:
        with Workers(host, jobs) if workers is None else nullcontext(workers) as shared:
            results = shared.pool().map(_analyze_batch, _repeat(repo.root), batches, _repeat(settings), _repeat(analyzers), _repeat(markers))
            for batch, (produced, met) in zip(batches, results, strict=True):
                collect(produced, met, len(batch))
    return findings, diagnostics


def _analysis_batches(records: list[FileRecord]) -> Iterator[list[FileRecord]]:
    for start in range(0, len(records), ANALYSIS_BATCH_SIZE):
        yield records[start : start + ANALYSIS_BATCH_SIZE]


def _repeat(value: object) -> Iterator[object]:
    while True:
        yield value


def _analyze_batch(
    root: Path, batch: list[FileRecord], settings: Settings, analyzers: list[str], markers: Markers
) -> tuple[list[tuple[str, list[Finding]]], list[Diagnostic]]:
    return _analyze_batch_with(worker_host(), root, batch, settings, analyzers, markers)


def _analyze_batch_with(
    host: PluginHost, root: Path, batch: list[FileRecord], settings: Settings, analyzers: list[str], markers: Markers
) -> tuple[list[tuple[str, list[Finding]]], list[Diagnostic]]:
    produced: list[tuple[str, list[Finding]]] = []
    for record in batch:
        data = read_regular_file(root, record.path, settings.max_file_size)
        if data is None:
            continue
        wanted = [plugin for plugin in analyzers if wants_file(markers.get(plugin), record.language, data)]
        if not wanted:
            continue
        text = data.decode("utf-8", errors="replace")
        for plugin, plugin_findings in host.call_each("readiness_analyze_file", only=wanted, file=record, text=text, settings=settings):
            produced.append((plugin, list(plugin_findings)))
    return produced, host.drain_diagnostics()


def wants_file(markers: Mapping[str, tuple[bytes, ...]] | None, language: str | None, data: bytes) -> bool:
    """Whether a plugin's pre-filter lets this file through (None: the plugin declared no markers)."""
    if markers is None:
        return True
    wanted = markers.get(language) if language is not None else None
    if wanted is None:
        wanted = markers.get("*")
    if wanted is None:
        return False
    return not wanted or any(marker in data for marker in wanted)


def analyze_services(host: PluginHost, repo: Repository, services: tuple[Service, ...], settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    for service in services:
        for plugin, produced in host.call_each("readiness_analyze_service", service=service, repo=repo, settings=settings):
            findings.extend(replace(f, service=service.name) for f in _declared(host, plugin, "readiness_analyze_service", produced))
    return findings


def _declared(host: PluginHost, plugin: str, hook: str, findings: Iterable[Finding]) -> list[Finding]:
    """The findings whose rule is declared; an undeclared rule is the plugin's error, reported once."""
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
    for _, produced in host.call_each("readiness_score_service", service=service, findings=findings, settings=settings):
        contributions.extend(produced)
    return tuple(contributions)
