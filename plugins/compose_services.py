"""Services and their links from Docker Compose files.

Every ``docker-compose*.yml``, ``compose*.yaml`` and ``docker-stack*.yml`` is read; the
files of one directory form one project, later files (overrides) laid over earlier ones,
with ``extends`` and ``include`` followed. A service with a ``build`` is rooted where its
Dockerfile takes its source from; an image-only service is infrastructure (``redis``,
``postgres``, ``kafka``...), unless it runs repository code mounted into a language or
load-testing image. Several services built from one source tree with different
``command``, ``entrypoint``, ``target`` or build args are distinct services (their
variant is the compose key). Edges come from ``depends_on``, ``links`` and environment
values or command lines that address another service.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Deployment, Diagnostic, Edge, Evidence, Infrastructure, Repository, Service, ServiceCandidate
from readiness_plugins import _dockerfile
from readiness_plugins._dockerfile_syntax import parse_dockerfile
from readiness_plugins._addresses import Directory, addresses
from readiness_plugins._layout import (
    RepoIndex,
    command_text,
    image_basename,
    index_of,
    infrastructure_kind,
    is_load_generator_image,
    is_runtime_image,
    join,
    key_line,
    line_of,
    normalized,
    parent,
    parse_or_warn,
    read_text,
    role_of_command,
    with_variants,
)
from readiness_plugins._safeload import load_yaml_documents

COMPOSE_FILE = re.compile(r"^(docker-compose|compose|docker-stack)([._-][\w.-]+)?\.ya?ml$")
BASE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
MAX_EXTENDS_DEPTH = 5
_TOOLING_PROFILE = re.compile(r"test|debug|tool|admin|ops|migrat|seed|setup|init|cli")


@dataclass(slots=True)
class ComposeService:
    """One service of a project after overrides and ``extends`` are applied."""

    key: str
    definition: dict[str, Any]
    base: str
    """The directory relative paths in the definition are resolved against."""
    declared: list[tuple[str, int]] = field(default_factory=list)
    """(file, line) of every file that defines or overrides it."""


@dataclass(slots=True)
class Project:
    directory: str
    services: dict[str, ComposeService]
    texts: dict[str, str]
    env_files: dict[str, str] = field(default_factory=dict)
    """Text of each ``env_file`` the services name, read once."""


def _merge(base: Any, override: Any) -> Any:
    """Compose's override rule: mappings merge key by key, sequences concatenate, scalars replace."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(override, list):
        return base + [item for item in override if item not in base]
    return override


def _load(repo: Repository, path: str, warnings: list[Diagnostic]) -> tuple[dict[str, Any], str] | None:
    text = read_text(repo, path, warnings)
    if text is None:
        return None
    documents = parse_or_warn(load_yaml_documents, text, path, warnings)
    if documents is None:
        return None
    document = documents[0] if documents else {}
    if not isinstance(document, dict) or not isinstance(document.get("services", {}), dict):
        warnings.append(Diagnostic("warning", "not a compose file: no services mapping", path=path))
        return None
    return document, text


def _projects(repo: Repository, index: RepoIndex, warnings: list[Diagnostic]) -> list[Project]:
    by_directory: dict[str, list[str]] = defaultdict(list)
    for record in index.named(lambda name: bool(COMPOSE_FILE.match(name))):
        by_directory[parent(record.path)].append(record.path)
    projects = []
    for directory, paths in sorted(by_directory.items()):
        ordered = sorted(paths, key=lambda p: (posixpath.basename(p) not in BASE_FILES, p))
        project = Project(directory, {}, {})
        for path in ordered:
            _add_file(repo, index, project, path, warnings, set())
        for service in project.services.values():
            for env_path in _env_file_paths(service):
                if env_path not in project.env_files and index.exists(env_path):
                    env_text = read_text(repo, env_path, warnings)
                    if env_text is not None:
                        project.env_files[env_path] = env_text
        if project.services:
            projects.append(project)
    return projects


def _add_file(repo: Repository, index: RepoIndex, project: Project, path: str, warnings: list[Diagnostic], seen: set[str]) -> None:
    if path in seen or len(seen) > 16:
        return
    seen.add(path)
    loaded = _load(repo, path, warnings)
    if loaded is None:
        return
    document, text = loaded
    project.texts[path] = text
    base = parent(path)
    for included in document.get("include", []) or []:
        reference = included.get("path") if isinstance(included, dict) else included
        for one in reference if isinstance(reference, list) else [reference]:
            target = join(base, one) if isinstance(one, str) else None
            if target is not None and index.exists(target):
                _add_file(repo, index, project, target, warnings, seen)
    lines = _service_lines(text)
    for key, definition in (document.get("services") or {}).items():
        key = str(key)
        definition = _extended(repo, index, definition if isinstance(definition, dict) else {}, base, document, warnings, 0)
        line = lines.get(key, 0)
        if key in project.services:
            existing = project.services[key]
            existing.definition = _merge(existing.definition, definition)
            existing.declared.append((path, line))
        else:
            project.services[key] = ComposeService(key, definition, base, [(path, line)])


def _env_file_paths(service: ComposeService) -> list[str]:
    entries = service.definition.get("env_file") or []
    paths = []
    for entry in entries if isinstance(entries, list) else [entries]:
        reference = entry.get("path") if isinstance(entry, dict) else entry
        path = join(service.base, reference) if isinstance(reference, str) else None
        if path is not None:
            paths.append(path)
    return paths


def _service_lines(text: str) -> dict[str, int]:
    """The line of each key directly under the top-level ``services:``, by indentation, not by first mention."""
    lines: dict[str, int] = {}
    inside = False
    indent: int | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(line) - len(line.lstrip())
        if depth == 0:
            inside = stripped.startswith("services:")
            continue
        if not inside:
            continue
        if indent is None:
            indent = depth
        if depth == indent:
            key = stripped.split(":", 1)[0].strip().strip("\"'")
            lines.setdefault(key, number)
    return lines


def _extended(repo: Repository, index: RepoIndex, definition: dict[str, Any], base: str, document: dict[str, Any], warnings: list[Diagnostic], depth: int) -> dict[str, Any]:
    """The definition with what it ``extends`` laid under it."""
    extends = definition.get("extends")
    if extends is None or depth >= MAX_EXTENDS_DEPTH:
        return definition
    name = extends if isinstance(extends, str) else extends.get("service") if isinstance(extends, dict) else None
    other_file = extends.get("file") if isinstance(extends, dict) else None
    source = document
    if isinstance(other_file, str):
        target = join(base, other_file)
        loaded = _load(repo, target, warnings) if target and index.exists(target) else None
        if loaded is None:
            return definition
        source = loaded[0]
    parent_definition = (source.get("services") or {}).get(name) if isinstance(name, str) else None
    if not isinstance(parent_definition, dict):
        return definition
    resolved = _extended(repo, index, parent_definition, base, source, warnings, depth + 1)
    own = {k: v for k, v in definition.items() if k != "extends"}
    return _merge(resolved, own)


# --- what each compose service is --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Build:
    context: str
    dockerfile: str | None
    target: str | None
    args: dict[str, str]


def _build(service: ComposeService) -> Build | None:
    build = service.definition.get("build")
    if build is None:
        return None
    if isinstance(build, str):
        build = {"context": build}
    if not isinstance(build, dict):
        return None
    context = join(service.base, str(build.get("context", ".")))
    if context is None:
        return None
    dockerfile = None if "dockerfile_inline" in build else join(context, str(build.get("dockerfile", "Dockerfile")))
    target = build.get("target")
    return Build(context, dockerfile, str(target) if target is not None else None, _mapping(build.get("args")))


def _mapping(value: Any) -> dict[str, str]:
    """Compose's two spellings of a mapping: ``{A: b}`` or ``["A=b"]``."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {name: val for name, _, val in pairs}
    return {}


def _command(service: ComposeService) -> str:
    return " ".join(command_text(service.definition.get(key)) for key in ("entrypoint", "command")).strip()


def _mounted_directories(service: ComposeService, index: RepoIndex) -> list[str]:
    """Repository directories bind-mounted into the container, in the order written."""
    mounted = []
    for volume in service.definition.get("volumes", []) or []:
        source = volume.get("source") if isinstance(volume, dict) else str(volume).split(":", 1)[0] if ":" in str(volume) else None
        if not isinstance(source, str) or not source.startswith((".", "/")) or source.startswith("/"):
            continue
        directory = join(service.base, source)
        if directory is not None and index.is_directory(directory):
            mounted.append(directory)
    return mounted


def _deployments(service: ComposeService) -> tuple[Deployment, ...]:
    return tuple(Deployment("compose", path, service.key, line) for path, line in service.declared)


def _role(service: ComposeService, described_role: str | None) -> str | None:
    role = role_of_command(_command(service)) or described_role
    profiles = service.definition.get("profiles") or []
    if role is None and isinstance(profiles, list) and any(_TOOLING_PROFILE.search(str(p).lower()) for p in profiles):
        role = "tooling"
    return role


def _describe(repo: Repository, index: RepoIndex, service: ComposeService, warnings: list[Diagnostic]) -> ServiceCandidate | Infrastructure | None:
    path, line = service.declared[0]
    image = str(service.definition.get("image") or "")
    build = _build(service)
    if build is not None and index.is_directory(build.context):
        return _built(repo, index, service, build, warnings)
    if not image:
        return None
    mounted = [d for d in _mounted_directories(service, index) if index.program_files_under(d)]
    if mounted and (is_load_generator_image(image) or is_runtime_image(image)):
        role = "load-generator" if is_load_generator_image(image) else None
        return ServiceCandidate(
            path=mounted[0],
            name=service.key,
            evidence=Evidence(path, line, f"compose service {service.key!r} runs {mounted[0]} in the {image} image"),
            role=_role(service, role),
            deployments=_deployments(service),
            named_by_deployment=True,
        )
    kind = infrastructure_kind(image)
    built_here = _directory_named(index, image_basename(image)) if kind is None else None
    if built_here is not None:
        return ServiceCandidate(
            path=built_here,
            name=service.key,
            evidence=Evidence(path, line, f"compose service {service.key!r} runs image {image}, built from {built_here}"),
            role=_role(service, None),
            deployments=_deployments(service),
            named_by_deployment=True,
        )
    return Infrastructure(
        name=service.key,
        kind=kind or ("load-generator" if is_load_generator_image(image) else "other"),
        evidence=(Evidence(path, line, f"compose service {service.key!r} runs the image {image}"),),
        image=image,
        deployments=_deployments(service),
    )


def _directory_named(index: RepoIndex, name: str) -> str | None:
    """The one directory with a Dockerfile whose name is ``name`` (an image name without registry and tag)."""
    wanted = normalized(name)
    matches = sorted(
        {parent(r.path) for r in index.named(_dockerfile.is_dockerfile) if normalized(posixpath.basename(parent(r.path))) == wanted}
    )
    return matches[0] if len(matches) == 1 else None


def _built(repo: Repository, index: RepoIndex, service: ComposeService, build: Build, warnings: list[Diagnostic]) -> ServiceCandidate | Infrastructure:
    path, line = service.declared[0]
    evidence = Evidence(path, line, f"compose service {service.key!r} builds {build.context}")
    text = read_text(repo, build.dockerfile, warnings) if build.dockerfile and index.exists(build.dockerfile) else None
    if text is None:
        return ServiceCandidate(build.context, service.key, evidence, _role(service, None), deployments=_deployments(service), named_by_deployment=True)
    dockerfile = parse_dockerfile(text)
    described = _dockerfile.describe(index, repo.info.name, build.dockerfile or "", dockerfile, build.context, build.target, build.args)
    if isinstance(described, Infrastructure):
        return Infrastructure(service.key, described.kind, (evidence, *described.evidence), described.image, described.path, _deployments(service))
    detail = f"compose service {service.key!r} builds {described.path}" + (f" (target {build.target})" if build.target else "")
    return ServiceCandidate(
        path=described.path,
        name=service.key,
        evidence=Evidence(path, line, detail),
        role=_role(service, described.role),
        dockerfiles=described.dockerfiles,
        deployments=_deployments(service),
        named_by_deployment=True,
    )


def _signature(service: ComposeService) -> tuple[str, ...]:
    """What makes two services built from one source tree different programs."""
    build = _build(service)
    parts = (build.dockerfile or "", build.target or "", repr(sorted(build.args.items()))) if build else ("", "", "")
    return (*parts, _command(service))


_cache: list[tuple[Repository, list[Project], list[Diagnostic]]] = []


def _read_projects(repo: Repository) -> tuple[list[Project], list[Diagnostic]]:
    """The compose projects of a repository, parsed once for both hooks."""
    if _cache and _cache[0][0] is repo:
        return _cache[0][1], _cache[0][2]
    warnings: list[Diagnostic] = []
    projects = _projects(repo, index_of(repo), warnings)
    _cache[:] = [(repo, projects, warnings)]
    return projects, warnings


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Infrastructure | Diagnostic]:
    index = index_of(repo)
    projects, parse_warnings = _read_projects(repo)
    warnings = list(parse_warnings)
    infrastructure: list[Infrastructure] = []
    built: list[tuple[ComposeService, ServiceCandidate]] = []
    for project in projects:
        for service in project.services.values():
            described = _describe(repo, index, service, warnings)
            if isinstance(described, Infrastructure):
                infrastructure.append(described)
            elif described is not None:
                built.append((service, described))
    return [*with_variants((service.key, _signature(service), candidate) for service, candidate in built), *infrastructure, *warnings]


# --- edges ------------------------------------------------------------------------------


def _dependencies(service: ComposeService) -> list[str]:
    depends = service.definition.get("depends_on") or []
    names = list(depends) if isinstance(depends, (dict, list)) else []
    for link in service.definition.get("links") or []:
        names.append(str(link).split(":", 1)[0])
    return [str(name) for name in names]


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    projects, _ = _read_projects(repo)
    edges: list[Edge] = []
    for project in projects:
        owners = _owners(project, services, infrastructure)
        aliases = _aliases(project, owners)
        directory = Directory(services, infrastructure, aliases)
        names = {s.name for s in services}
        for service in project.services.values():
            source = owners.get(service.key)
            if source in names:
                edges.extend(_service_edges(project, service, source, owners, directory))
    return edges


def _owners(project: Project, services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...]) -> dict[str, str]:
    """Compose key -> the service or infrastructure it became."""
    files = set(project.texts)
    owners: dict[str, str] = {}
    items: tuple[Service | Infrastructure, ...] = (*services, *infrastructure)
    for item in items:
        for deployment in item.deployments:
            if deployment.kind == "compose" and deployment.path in files:
                owners.setdefault(deployment.name, item.name)
    return owners


def _aliases(project: Project, owners: dict[str, str]) -> dict[str, str]:
    aliases = {}
    for key, service in project.services.items():
        if key not in owners:
            continue
        aliases[key] = owners[key]
        for field_name in ("container_name", "hostname"):
            if isinstance(service.definition.get(field_name), str):
                aliases[service.definition[field_name]] = owners[key]
        networks = service.definition.get("networks")
        if isinstance(networks, dict):
            for network in networks.values():
                for alias in (network or {}).get("aliases", []) if isinstance(network, dict) else []:
                    aliases[str(alias)] = owners[key]
    return aliases


def _service_edges(project: Project, service: ComposeService, source: str, owners: dict[str, str], directory: Directory) -> list[Edge]:
    path, start = service.declared[0]
    text = project.texts.get(path, "")
    edges = []
    dependencies_line = max(key_line(text, "depends_on", start + 1), key_line(text, "links", start + 1) if "links" in service.definition else 0)
    for dependency in _dependencies(service):
        target = owners.get(dependency)
        if target is not None:
            line = line_of(text, rf"(^|[\s\[\-,'\"]){re.escape(dependency)}($|[\s\]:,'\"])", dependencies_line or start + 1)
            edges.append(Edge(source, target, directory.protocol(target, None), (Evidence(path, line, f"{service.key} depends on {dependency}"),)))
    settings = [(name, value) for name, value in _mapping(service.definition.get("environment")).items()]
    settings.append(("command", _command(service)))
    located = [(*_where(project, service, variable if variable != "command" else value), variable, value) for variable, value in settings]
    for where, line, variable, value in located + _env_file_settings(project, service):
        for address in addresses(value, variable):
            target = directory.resolve(address.host)
            if target is None:
                continue
            protocol = directory.protocol(target, address.scheme, variable)
            detail = f"{variable}={value}" if variable != "command" else f"command addresses {address.host}"
            edges.append(Edge(source, target, protocol, (Evidence(where, line, detail[:200]),)))
    return edges


def _where(project: Project, service: ComposeService, written: str) -> tuple[str, int]:
    """The file (of those defining the service) and line where ``written`` appears, overrides included."""
    words = written.split()
    needle = re.escape(words[0] if words else written)
    for path, start in service.declared:
        line = line_of(project.texts.get(path, ""), needle, start + 1)
        if line:
            return path, line
    return service.declared[0][0], service.declared[0][1]


def _env_file_settings(project: Project, service: ComposeService) -> list[tuple[str, int, str, str]]:
    """(file, line, variable, value) of each ``env_file`` entry, read as compose reads them."""
    found = []
    for path in _env_file_paths(service):
        text = project.env_files.get(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            variable, separator, value = line.strip().removeprefix("export ").partition("=")
            if separator and not variable.startswith("#"):
                found.append((path, number, variable.strip(), value.strip().strip("\"'")))
    return found
