"""One scan, stage by stage: list -> inventory -> services -> edges -> findings -> scores -> report.

Each stage takes the frozen records of the stages before it and returns new ones; the
plugin host calls every plugin's hook separately, so a failing plugin shows up as an
error diagnostic and the other plugins' results stand. A hook's result may also hold
:class:`~readiness.model.Diagnostic` warnings about the input (a manifest that does not
parse): they are set aside here, marked with the plugin and hook, and reported once.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pathspec

from readiness import __version__
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
from readiness.cache import AnalysisCache, CachedFiles
from readiness.diffscope import ChangeScope, changed_paths, touched_services
from readiness.plugin_host import PluginError, PluginHost
from readiness.suppressions import suppress

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
    files, diagnostics = _inventory(root, listing, settings, host, progress, cached)
    info = listing.info
    if info.vcs == "git" and info.head is not None:
        info = replace(info, dirty=bool(info.dirty) or worktree_differs(listing, files))
    repo = Repository(root=root, info=info, files=files, max_file_size=settings.max_file_size, memo=cached.memo(files) if cached else None)

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
    else:
        repo_in_scope = repo
    file_findings, recorded = _analyze_files_cached(host, repo_in_scope, settings, progress, cached)
    findings = file_findings + analyze_services(host, repo, judged, settings) + analyze_repository(host, repo, services, settings)
    findings = assign_services(findings, services)
    if diff is not None:
        findings = [f for f in findings if f.service in diff.services or (f.service is None and f.path in diff.changed)]
    findings, suppressed, suppression_warnings = suppress(findings, repo, settings, host.rules)
    if cached is not None:
        problem = _record(cached, files, recorded, diagnostics, host)
        if problem:
            diagnostics.append(Diagnostic("warning", problem))
    plugin_errors = host.drain_warnings() + [error.diagnostic() for error in host.drain_errors()]
    return Report(
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


def _inventory(
    root: Path, listing: Listing, settings: Settings, host: PluginHost, progress: Progress | None, cached: CachedFiles | None
) -> tuple[tuple[FileRecord, ...], list[Diagnostic]]:
    """Every listed file's record, in listing order: recalled from the cache when its stat is unchanged, else taken now."""
    if cached is None:
        return take_inventory(root, listing, settings, host, progress)
    known, unknown = cached.split(root, listing)
    fresh, diagnostics = take_inventory(root, replace(listing, entries=unknown), settings, host, progress, recorded=cached.recorded(unknown))
    taken = {record.path: record for record in fresh}
    return tuple(known[path] if path in known else taken[path] for path, _ in listing.entries), diagnostics


def _record(cached: CachedFiles, files: tuple[FileRecord, ...], recorded: dict[str, tuple[Finding, ...]], diagnostics: list[Diagnostic], host: PluginHost) -> str | None:
    """Record this scan's per-file results, but for files whose processing raised or warned, so a rescan reports them again."""
    hook = "readiness_analyze_file"
    file_diagnostics = [*diagnostics, *(w for w in host.warnings if w.hook == hook), *(e.diagnostic() for e in host.errors if e.hook == hook)]
    if any(d.path is None for d in file_diagnostics):
        return None
    return cached.save(files, recorded, skip={d.path for d in file_diagnostics if d.path})


def _analyze_files_cached(
    host: PluginHost, repo: Repository, settings: Settings, progress: Progress | None, cached: CachedFiles | None
) -> tuple[list[Finding], dict[str, tuple[Finding, ...]]]:
    """Findings of every source file of ``repo``, recalled for files whose bytes the cache knows; and each analysed file's findings, to record."""
    recalled = {}
    if cached is not None:
        for record in repo.files:
            found = cached.findings(record) if record.counted else None
            if found is not None:
                recalled[record.path] = found
    to_analyze = tuple(record for record in repo.files if record.path not in recalled)
    fresh = analyze_files(host, replace(repo, files=to_analyze), settings, progress)
    by_file: dict[str, list[Finding]] = {record.path: [] for record in to_analyze if record.counted}
    for finding in fresh:
        if finding.path not in by_file:
            # A finding about another file cannot be recorded with the file it came from.
            return fresh + [f for found in recalled.values() for f in found], {}
        by_file[finding.path].append(finding)
    recorded = {path: tuple(found) for path, found in by_file.items()}
    return fresh + [finding for found in recalled.values() for finding in found], recorded


def _diagnostics(listing: Listing, found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Each diagnostic once: a file that several plugins read is malformed only once."""
    unique: dict[tuple[str, str | None, str], Diagnostic] = {}
    for diagnostic in [*listing.diagnostics, *found]:
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


def assign_services(findings: list[Finding], services: tuple[Service, ...]) -> list[Finding]:
    """Findings with their service set from the file's owner; a file services share gives each of them the finding."""
    owners: dict[str, list[str]] = defaultdict(list)
    for service in services:
        for path in service.files:
            owners[path].append(service.name)
    assigned = []
    for finding in findings:
        if finding.service is not None:
            assigned.append(finding)
        elif finding.path in owners:
            assigned.extend(replace(finding, service=name) for name in owners[finding.path])
        else:
            assigned.append(finding)
    return sorted(assigned, key=lambda f: (f.path, f.line, f.column, f.rule, f.message, f.service or ""))
