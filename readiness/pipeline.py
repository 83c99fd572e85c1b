"""One scan, stage by stage: list -> inventory -> services -> edges -> findings -> scores -> report.

Each stage takes the frozen records of the stages before it and returns new ones; the
plugin host calls every plugin's hook separately, so a failing plugin shows up as an
error diagnostic and the other plugins' results stand. A hook's result may also hold
:class:`~readiness.model.Diagnostic` warnings about the input (a manifest that does not
parse): they are set aside here, marked with the plugin and hook, and reported once.
"""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pathspec

from readiness import __version__, scoring
from readiness.config import ServiceOverrides, Settings
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
    ROLES,
    Contribution,
    Deployment,
    Diagnostic,
    DiffScope,
    Edge,
    Evidence,
    FileRecord,
    Finding,
    Infrastructure,
    Report,
    Repository,
    Service,
    ServiceCandidate,
)
from readiness.cache import AnalysisCache, CachedFiles, RecordedFindings
from readiness.diffscope import ChangeScope, changed_paths, touched_services
from readiness.plugin_host import PluginError, PluginHost
from readiness.safefs import read_regular_file
from readiness.suppressions import suppress
from readiness.workers import Lost, Piece, Workers, worker_host

ANALYSIS_BATCH_SIZE = 32
ANALYSIS_IN_PROCESS_BELOW = 4 << 20
"""Source bytes below which analysis runs in this process: starting workers would cost more."""

Markers = Mapping[str, Mapping[str, tuple[bytes, ...]]]
Produced = list[tuple[str, list[Finding | Diagnostic]]]
"""Per file and plugin that ran on it, what the plugin returned."""
Analysis = Callable[[Progress | None], tuple[list[Finding], list[Diagnostic]]]
"""Waits for the code pass: its findings, and the plugin errors met in worker processes."""
CachedAnalysis = Callable[[Progress | None, Mapping[str, Sequence[str]]], tuple[list[Finding], dict[str, tuple[Finding, ...]], list[Diagnostic]]]
"""Waits for the code pass over the files the cache did not know: every file's findings
(those recalled already of the services that own their file, given as path to services),
those to record per analysed file, and the plugin errors met in worker processes."""

UNKNOWN_PROTOCOL = "unknown"


def scan(
    root: Path,
    settings: Settings,
    host: PluginHost,
    progress: Progress | None = None,
    git_timeout: float = 60.0,
    cache: AnalysisCache | None = None,
    scope: ChangeScope | None = None,
) -> Report:
    """Scan ``root``; with a ``cache``, reuse the results of files that did not change; with a
    ``scope``, judge only the services the changed files touch."""
    listing = list_files(root, settings, git_timeout)
    cached = cache.open(root, listing) if cache is not None else None
    with Workers(host, settings.jobs or os.cpu_count() or 1) as workers:
        files, diagnostics = _inventory(root, listing, settings, host, progress, cached, workers)
        info = listing.info
        if info.vcs == "git" and info.head is not None:
            info = replace(info, dirty=bool(info.dirty) or worktree_differs(listing, files))
        repo = Repository(root=root, info=info, files=files, max_file_size=settings.max_file_size, memo=cached.memo(files) if cached else None)

        # A full scan analyses code while services and edges are detected; a diff scan must
        # know the services first, to analyse only the files of those the changes touch.
        analysis = _start_cached_analysis(host, repo, settings, workers, cached) if scope is None else None
        services, infrastructure, detection_warnings = detect_services(host, repo, settings)
        edges, edge_warnings = detect_edges(host, repo, services, infrastructure, settings)
        diff = None
        judged = services
        if scope is not None:
            changed = changed_paths(scope, files)
            diff = DiffScope(scope.base, scope.commit, changed, touched_services(changed, services))
            judged = tuple(s for s in services if s.name in diff.services)
            analysed = {path for service in judged for path in service.files} | set(changed)
            repo_in_scope = replace(repo, files=tuple(r for r in files if r.path in analysed))
            analysis = _start_cached_analysis(host, repo_in_scope, settings, workers, cached)
        assert analysis is not None
        owners = owners_of(services)
        file_findings, recorded, analysis_diagnostics = analysis(progress, owners)
    diagnostics += analysis_diagnostics
    findings = file_findings + analyze_services(host, repo, judged, settings) + analyze_repository(host, repo, services, settings)
    findings = assign_services(findings, owners)
    if diff is not None:
        findings = [f for f in findings if f.service in diff.services or (f.service is None and f.path in diff.changed)]
    findings, suppressed, suppression_warnings = suppress(findings, repo, settings, host.rules)
    if cached is not None:
        problem = _record(cached, files, recorded, diagnostics, host)
        if problem:
            diagnostics.append(Diagnostic("warning", problem))
    plugin_errors = host.drain_warnings() + [error.diagnostic() for error in host.drain_errors()]
    unscored = Report(
        tool_version=__version__,
        repository=info,
        files=files,
        languages=language_totals(files),
        exclusions=exclusions(files, listing.excluded),
        services=services,
        findings=tuple(findings),
        rules=tuple(host.rules[rule_id] for rule_id in sorted({f.rule for f in findings} | {s.finding.rule for s in suppressed})),
        scores=(),
        diagnostics=_diagnostics(listing, diagnostics + detection_warnings + edge_warnings + suppression_warnings + plugin_errors),
        infrastructure=infrastructure,
        edges=edges,
        suppressed=tuple(suppressed),
        diff=diff,
    )
    scored = score_services(host, unscored, settings)
    if diff is None:
        return scored
    # Services outside the scope were not analysed: a score made without their findings would
    # be wrong, and so would a rank among them.
    return replace(scored, scores=tuple(replace(score, rank=None) for score in scored.scores if score.service in diff.services))


def _inventory(
    root: Path, listing: Listing, settings: Settings, host: PluginHost, progress: Progress | None, cached: CachedFiles | None, workers: Workers
) -> tuple[tuple[FileRecord, ...], list[Diagnostic]]:
    """Every listed file's record, in listing order: recalled from the cache when its stat is unchanged, else taken now."""
    if cached is None:
        return take_inventory(root, listing, settings, host, progress, workers)
    known, unknown = cached.split(root, listing)
    fresh, diagnostics = take_inventory(root, replace(listing, entries=unknown), settings, host, progress, workers, recorded=cached.recorded(unknown))
    taken = {record.path: record for record in fresh}
    return tuple(known[path] if path in known else taken[path] for path, _ in listing.entries), diagnostics


def _record(cached: CachedFiles, files: tuple[FileRecord, ...], recorded: dict[str, tuple[Finding, ...]], diagnostics: list[Diagnostic], host: PluginHost) -> str | None:
    """Record this scan's per-file results, but for files whose processing raised or warned, so a rescan reports them again."""
    hook = "readiness_analyze_file"
    file_diagnostics = [*diagnostics, *(w for w in host.warnings if w.hook == hook), *(e.diagnostic() for e in host.errors if e.hook == hook)]
    if any(d.path is None for d in file_diagnostics):
        return None
    return cached.save(files, recorded, skip={d.path for d in file_diagnostics if d.path})


def _start_cached_analysis(host: PluginHost, repo: Repository, settings: Settings, workers: Workers, cached: CachedFiles | None) -> CachedAnalysis:
    """Start the code pass on the source files of ``repo`` the cache does not know by their bytes; the rest are recalled."""
    recalled: dict[str, RecordedFindings] = {}
    if cached is not None:
        for record in repo.files:
            found = cached.findings(record) if record.counted else None
            if found is not None:
                recalled[record.path] = found
    to_analyze = tuple(record for record in repo.files if record.path not in recalled)
    analysis = start_analysis(host, replace(repo, files=to_analyze), settings, workers)

    def finish(progress: Progress | None, owners: Mapping[str, Sequence[str]]) -> tuple[list[Finding], dict[str, tuple[Finding, ...]], list[Diagnostic]]:
        fresh, errors = analysis(progress)
        remembered = [finding for path, found in recalled.items() for service in owners.get(path) or (None,) for finding in found.of(service)]
        by_file: dict[str, list[Finding]] = {record.path: [] for record in to_analyze if record.counted}
        for finding in fresh:
            if finding.path not in by_file:
                # A finding about another file cannot be recorded with the file it came from.
                return fresh + remembered, {}, errors
            by_file[finding.path].append(finding)
        return fresh + remembered, {path: tuple(found) for path, found in by_file.items()}, errors

    return finish


def _diagnostics(listing: Listing, found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    return _unique([*listing.diagnostics, *found])


def _unique(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Each diagnostic once: a file that several plugins read is malformed only once."""
    unique: dict[tuple[str, str | None, str], Diagnostic] = {}
    for diagnostic in diagnostics:
        unique.setdefault((diagnostic.level, diagnostic.path, diagnostic.message), diagnostic)
    return tuple(unique.values())


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


def detect_services(host: PluginHost, repo: Repository, settings: Settings) -> tuple[tuple[Service, ...], tuple[Infrastructure, ...], list[Diagnostic]]:
    """Every detector's candidates merged into services, its infrastructure merged by name, and its warnings.

    Candidates merge by ``(path, variant)``; a candidate without a variant is evidence for
    every service at its path. A repository where nothing claims a service, but that has
    source code, is one service at its root. Then ``[tool.readiness.services]`` applies.
    """
    hook = "readiness_detect_services"
    candidates: list[ServiceCandidate] = []
    infrastructure: list[Infrastructure] = []
    warnings: list[Diagnostic] = []
    for plugin, produced in host.call_each(hook, repo=repo, settings=settings):
        records, found_warnings = _partition(host, hook, plugin, produced, (ServiceCandidate, Infrastructure))
        candidates.extend(r for r in records if isinstance(r, ServiceCandidate))
        infrastructure.extend(r for r in records if isinstance(r, Infrastructure))
        warnings.extend(found_warnings)
    if not candidates and any(record.counted for record in repo.files):
        candidates.append(
            ServiceCandidate(".", repo.info.name, Evidence(".", 0, "no deployment or build manifest found: the repository is one service"))
        )
    overrides = settings.services
    groups, configured = _apply_overrides(_group(candidates), overrides, settings.source)
    infrastructure = [item for item in infrastructure if not _matches(overrides.ignore, item.name)]
    built_infrastructure = {item.path for item in infrastructure if item.path}
    roles = {key: _role(members, key[0], overrides, key[0] in built_infrastructure) for key, members in groups.items()}
    for key, members in groups.items():
        if roles[key] == "infrastructure":
            infrastructure.append(_as_infrastructure(key[0], members))
    groups = {key: members for key, members in groups.items() if roles[key] != "infrastructure"}
    names = _unique_names(groups)
    owned = _ownership(repo.files, {key: name for key, name in names.items() if key not in configured}, overrides)
    services: list[Service] = []
    for key, members in sorted(groups.items()):
        path, name = key[0], names[key]
        files = owned.get(name, [])
        languages = language_totals(files)
        primary = host.call_first("readiness_primary_language", languages=languages) if languages else None
        services.append(
            Service(
                name=name,
                path=path,
                role=roles[key],
                languages=languages,
                primary_language=primary or (languages[0].language if languages else None),
                evidence=tuple(sorted({c.evidence for c in members}, key=_evidence_order)),
                manifests=tuple(sorted({m for c in members for m in c.manifests})),
                dockerfiles=tuple(sorted({d for c in members for d in c.dockerfiles})),
                deployments=_deployments(d for c in members for d in c.deployments),
                files=tuple(record.path for record in files),
            )
        )
    return tuple(services), _merge_infrastructure(infrastructure, set(names.values())), warnings


Group = dict[tuple[str, str], list[ServiceCandidate]]
"""Candidates by (source root, variant); the variant of a service named by configuration is its name."""


def _group(candidates: list[ServiceCandidate]) -> Group:
    """Candidates by (path, variant), each variant-less candidate copied into every variant of its path."""
    variants: dict[str, set[str]] = defaultdict(set)
    for candidate in candidates:
        if candidate.variant:
            variants[candidate.path].add(candidate.variant)
    groups: Group = defaultdict(list)
    for candidate in candidates:
        if candidate.variant or not variants[candidate.path]:
            groups[candidate.path, candidate.variant].append(candidate)
        else:
            for variant in variants[candidate.path]:
                groups[candidate.path, variant].append(candidate)
    return groups


def _apply_overrides(groups: Group, overrides: ServiceOverrides, source: str | None) -> tuple[Group, set[tuple[str, str]]]:
    """Groups without the ignored ones, renamed, merged and split as configured; and the groups configuration made.

    A service configuration makes (a split) owns the files its globs match, not everything
    below its directory: ``src/Inventory*.java`` must not take ``src/Stock.java``.
    """
    created: set[tuple[str, str]] = set()
    kept: Group = {key: members for key, members in groups.items() if not _matches(overrides.ignore, key[0])}
    for glob, name in overrides.paths:
        matching = sorted(key for key in kept if _matches((glob,), key[0]) and key[1] != name)
        configured = [key for key in kept if key[1] == name]
        if not matching and not configured:
            root = _literal_root(glob)
            evidence = Evidence(source or "configuration", 0, f"configured service {name!r} for {glob!r}")
            kept[root, name] = [ServiceCandidate(root, name, evidence, named_by_deployment=True)]
            created.add((root, name))
            continue
        merged = [c for key in configured + matching for c in kept.pop(key)]
        path = (configured or matching)[0][0]
        kept[path, name] = [replace(c, name=name, named_by_deployment=True) for c in merged]
    return kept, created


def _literal_root(glob: str) -> str:
    """The directory a glob starts in: its leading path components before any wildcard."""
    parts = []
    for part in glob.strip("/").split("/"):
        if any(char in part for char in "*?[") or not part:
            break
        parts.append(part)
    return "/".join(parts) or "."


def _matches(globs: Iterable[str], path: str) -> bool:
    globs = tuple(globs)
    if not globs:
        return False
    spec = pathspec.GitIgnoreSpec.from_lines(globs)
    return spec.match_file(path) or spec.match_file(path + "/")


def _role(members: list[ServiceCandidate], path: str, overrides: ServiceOverrides, built_infrastructure: bool) -> str:
    """The configured role, else the most specific role claimed; a root infrastructure is built from stays so unless code claims it."""
    for glob, role in overrides.roles:
        if _matches((glob,), path):
            return role
    claimed = [c.role for c in members if c.role in ROLES]
    if built_infrastructure and not set(claimed) - {"infrastructure"}:
        return "infrastructure"
    return min(claimed, key=ROLES.index) if claimed else "backend"


def _evidence_order(evidence: Evidence) -> tuple[str, int, str]:
    return evidence.path, evidence.line, evidence.detail


def _deployments(deployments: Iterable[Deployment]) -> tuple[Deployment, ...]:
    return tuple(sorted(set(deployments), key=lambda d: (d.path, d.line, d.name, d.kind)))


def _unique_names(groups: Group) -> dict[tuple[str, str], str]:
    """Each group's name: a deployment's name before a directory's; a name two groups want goes to neither, they get their paths."""
    wanted = {
        key: sorted(members, key=lambda c: (c.variant != key[1], not c.named_by_deployment, c.evidence.path, c.evidence.line, c.name))[0].name
        for key, members in groups.items()
    }
    taken = Counter(wanted.values())
    return {
        key: name if taken[name] == 1 else (f"{key[0]}:{key[1]}" if key[1] else key[0])
        for key, name in wanted.items()
    }


def _ownership(files: Iterable[FileRecord], names: dict[tuple[str, str], str], overrides: ServiceOverrides) -> dict[str, list[FileRecord]]:
    """Each service's files: those a configured glob gives it, else those whose deepest service root is its path."""
    names_by_root: dict[str, list[str]] = defaultdict(list)
    for (path, _), name in names.items():
        names_by_root[path].append(name)
    configured = [(pathspec.GitIgnoreSpec.from_lines([glob]), name) for glob, name in overrides.paths]
    owned: dict[str, list[FileRecord]] = defaultdict(list)
    for record in files:
        owner = next((name for spec, name in configured if spec.match_file(record.path)), None)
        if owner is not None:
            owned[owner].append(record)
            continue
        directory = record.path
        while directory:
            directory = directory.rpartition("/")[0]
            root_names = names_by_root.get(directory or ".")
            if root_names:
                for name in root_names:
                    owned[name].append(record)
                break
    return owned


def _as_infrastructure(path: str, members: list[ServiceCandidate]) -> Infrastructure:
    named = sorted(members, key=lambda c: (not c.named_by_deployment, c.evidence.path, c.evidence.line, c.name))[0]
    return Infrastructure(
        name=named.name,
        kind="other",
        evidence=tuple(sorted({c.evidence for c in members}, key=_evidence_order)),
        path=path,
        deployments=_deployments(d for c in members for d in c.deployments),
    )


def _merge_infrastructure(found: list[Infrastructure], service_names: set[str]) -> tuple[Infrastructure, ...]:
    """One record per directory it is built from, then per name; named by a deployment where one says.

    A name a service already has gets a suffix, so edges stay unambiguous.
    """
    merged: list[list[Infrastructure]] = []
    by_path: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for item in sorted(found, key=lambda i: (not i.deployments, i.name, i.path or "")):
        index = by_path.get(item.path) if item.path else None
        if index is None:
            index = by_name.get(item.name)
        if index is None:
            index = len(merged)
            merged.append([])
        merged[index].append(item)
        if item.path:
            by_path.setdefault(item.path, index)
        by_name.setdefault(item.name, index)
    records = []
    for items in merged:
        name = items[0].name
        kinds = sorted({i.kind for i in items} - {"other"}) or ["other"]
        images = sorted({i.image for i in items if i.image})
        paths = sorted({i.path for i in items if i.path})
        records.append(
            Infrastructure(
                name=name if name not in service_names else f"{name} (infrastructure)",
                kind=kinds[0],
                evidence=tuple(sorted({e for i in items for e in i.evidence}, key=_evidence_order)),
                image=images[0] if images else None,
                path=paths[0] if paths else None,
                deployments=_deployments(d for i in items for d in i.deployments),
            )
        )
    return tuple(sorted(records, key=lambda i: i.name))


def detect_edges(
    host: PluginHost, repo: Repository, services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], settings: Settings
) -> tuple[tuple[Edge, ...], list[Diagnostic]]:
    """The service graph: every plugin's edges merged by (source, target, protocol)."""
    hook = "readiness_service_edges"
    sources = {service.name for service in services}
    targets = sources | {item.name for item in infrastructure}
    evidence: dict[tuple[str, str, str], set[Evidence]] = defaultdict(set)
    warnings: list[Diagnostic] = []
    for plugin, produced in host.call_each(hook, services=services, infrastructure=infrastructure, repo=repo, settings=settings):
        records, found_warnings = _partition(host, hook, plugin, produced, (Edge,))
        for edge in records:
            if edge.source in sources and edge.target in targets and edge.source != edge.target:
                evidence[edge.source, edge.target, edge.protocol].update(edge.evidence)
        warnings.extend(found_warnings)
    protocols: dict[tuple[str, str], set[str]] = defaultdict(set)
    for source, target, protocol in evidence:
        protocols[source, target].add(protocol)
    browsers = {service.name for service in services if service.role in ("frontend", "load-generator")}
    for (source, target), named in protocols.items():
        if UNKNOWN_PROTOCOL not in named:
            continue
        declared = evidence.pop((source, target, UNKNOWN_PROTOCOL))
        known = named - {UNKNOWN_PROTOCOL}
        if not known and source in browsers and target in sources:
            # A UI or a load generator reaches another service over HTTP.
            known = {"http"}
        # A declared dependency is evidence for the connection another plugin named the protocol of.
        for protocol in known or {UNKNOWN_PROTOCOL}:
            evidence[source, target, protocol] |= declared
    edges = [Edge(source, target, protocol, tuple(sorted(found, key=_evidence_order))) for (source, target, protocol), found in sorted(evidence.items())]
    return tuple(edges), warnings


def start_analysis(host: PluginHost, repo: Repository, settings: Settings, workers: Workers) -> Analysis:
    """Start every ``readiness_analyze_file`` plugin on every source and test file.

    Each file is read once and shown only to the plugins whose pre-filter markers it
    contains. Worth worker processes (they are running already, or there is enough
    source), the files are handed to them now, and they work while this process goes
    on with the stages that do not need findings (services, edges); otherwise the
    analysis runs in this process when the returned function is called. That function
    waits for the findings, in file order whatever order the workers finish in, and the
    errors met in workers.
    """
    analyzers = host.implementers("readiness_analyze_file")
    if not analyzers:
        return lambda progress: ([], [])
    markers = host.analysis_markers()
    counted = [record for record in repo.files if record.counted]
    batches = list(_analysis_batches(counted))
    in_workers = (settings.jobs or os.cpu_count() or 1) > 1 and (
        workers.started or sum(record.size for record in counted) >= ANALYSIS_IN_PROCESS_BELOW
    )
    results: Iterable[Piece[FileRecord, tuple[Produced, list[Diagnostic]]]]
    if in_workers:
        results = workers.map(_analyze_batch, batches, repo.root, settings, analyzers, markers)
    else:
        # As for the inventory (see take_inventory), a crash in native code here ends the scan.
        results = ((batch, (_analyze_batch_with(host, repo.root, batch, settings, analyzers, markers), [])) for batch in batches)

    def finish(progress: Progress | None) -> tuple[list[Finding], list[Diagnostic]]:
        findings: list[Finding] = []
        diagnostics: list[Diagnostic] = []
        done = 0
        for piece in results:
            if isinstance(piece, Lost):
                diagnostics.append(piece.warning(piece.item.path, "analysing"))
                done += 1
            else:
                batch, (produced, errors) = piece
                for plugin, plugin_findings in produced:
                    findings.extend(_declared(host, plugin, "readiness_analyze_file", plugin_findings))
                diagnostics.extend(errors)
                done += len(batch)
            if progress:
                progress("analysis", done, len(counted))
        return findings, diagnostics

    return finish


def _analysis_batches(records: list[FileRecord]) -> Iterator[list[FileRecord]]:
    for start in range(0, len(records), ANALYSIS_BATCH_SIZE):
        yield records[start : start + ANALYSIS_BATCH_SIZE]


def _analyze_batch(
    batch: list[FileRecord], root: Path, settings: Settings, analyzers: list[str], markers: Markers
) -> tuple[Produced, list[Diagnostic]]:
    """In a worker: the batch's results, and the plugin errors met (they would stay in this process)."""
    host = worker_host()
    produced = _analyze_batch_with(host, root, batch, settings, analyzers, markers)
    return produced, [error.diagnostic() for error in host.drain_errors()]


def _analyze_batch_with(
    host: PluginHost, root: Path, batch: list[FileRecord], settings: Settings, analyzers: list[str], markers: Markers
) -> Produced:
    produced: Produced = []
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
    return produced


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
            findings.extend(f.for_service(service.name) for f in _declared(host, plugin, "readiness_analyze_service", produced))
    return findings


def analyze_repository(host: PluginHost, repo: Repository, services: tuple[Service, ...], settings: Settings) -> list[Finding]:
    """Findings only the whole repository gives (its history), once per scan, with every service."""
    hook = "readiness_analyze_repository"
    findings: list[Finding] = []
    for plugin, produced in host.call_each(hook, repo=repo, services=services, settings=settings):
        findings.extend(_declared(host, plugin, hook, produced))
    return findings


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


def owners_of(services: tuple[Service, ...]) -> dict[str, list[str]]:
    """The services each file belongs to: usually one, several for a file services share."""
    owners: dict[str, list[str]] = defaultdict(list)
    for service in services:
        for path in service.files:
            owners[path].append(service.name)
    return dict(owners)


def assign_services(findings: list[Finding], owners: Mapping[str, Sequence[str]]) -> list[Finding]:
    """Findings with their service set from the file's owners (see :func:`owners_of`); each owner gets its copy."""
    assigned = []
    for finding in findings:
        if finding.service is not None:
            assigned.append(finding)
        elif finding.path in owners:
            assigned.extend(finding.for_service(name) for name in owners[finding.path])
        else:
            assigned.append(finding)
    return sorted(assigned, key=lambda f: (f.path, f.line, f.column, f.rule, f.message, f.service or ""))


def score_services(host: PluginHost, report: Report, settings: Settings) -> Report:
    """The report with every service's verdict: plugins' contributions combined with the findings' by the scoring model."""
    hook = "readiness_score_service"
    contributions: dict[str, list[Contribution]] = defaultdict(list)
    warnings: list[Diagnostic] = []
    by_service: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_service[finding.service].append(finding)
    for service in report.services:
        if not scoring.applicable(service):
            continue
        findings = tuple(by_service.get(service.name, ()))
        for plugin, produced in host.call_each(hook, service=service, findings=findings, report=report, settings=settings):
            records, found_warnings = _partition(host, hook, plugin, produced, (Contribution,))
            warnings.extend(found_warnings)
            for contribution in records:
                problem = _unusable(contribution, host)
                if problem:
                    host.errors.append(PluginError(plugin, hook, ValueError(f"{service.name}: {problem}")))
                else:
                    contributions[service.name].append(contribution)
    self_scored = frozenset(host.implementers(hook))
    scores = scoring.score_report(report, contributions, host.rules, settings.scoring, self_scored, _history_read(report, host, settings))
    cited = {f.rule for f in report.findings} | {s.finding.rule for s in report.suppressed} | {c.rule for s in scores for k in s.criteria for c in k.contributions if c.rule}
    errors = host.drain_warnings() + [error.diagnostic() for error in host.drain_errors()]
    return replace(
        report,
        scores=scores,
        rules=tuple(host.rules[rule_id] for rule_id in sorted(cited)),
        diagnostics=_unique([*report.diagnostics, *warnings, *errors]),
        scoring=settings.scoring.parameters(),
    )


def _history_read(report: Report, host: PluginHost, settings: Settings) -> bool:
    """Whether the scan read git history: a git repository with a commit, a plugin that declares
    history rules (the ``HIST`` family), and history not turned off (``--no-history`` or
    ``[tool.readiness.plugins.history] enabled = false``)."""
    declared = any(scoring.family(rule_id) == scoring.HISTORY_FAMILY for rule_id in host.rules)
    turned_off = bool(settings.options.get("no_history")) or settings.plugins.get("history", {}).get("enabled") is False
    return report.repository.vcs == "git" and report.repository.head is not None and declared and not turned_off


def _unusable(contribution: Contribution, host: PluginHost) -> str | None:
    """Why a plugin's contribution cannot be scored: every point needs evidence and a declared rule, if it names one."""
    if contribution.evidence is None:
        return f"contribution without evidence: {contribution.reason!r}"
    if contribution.rule is not None and contribution.rule not in host.rules:
        return f"contribution for undeclared rule {contribution.rule}"
    if not math.isfinite(contribution.points):
        return f"contribution with {contribution.points} points: {contribution.reason!r}"
    return None
