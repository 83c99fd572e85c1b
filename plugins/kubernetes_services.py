"""Services and their links from Kubernetes manifests, Helm charts, kustomize and skaffold.

Workloads (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, ReplicaSets, Pods,
Argo Rollouts, OpenShift DeploymentConfigs, Knative Services) are services when their
image is built from the repository: skaffold's artifacts say which image comes from
which build context, and otherwise an image, workload or container named like a
directory holding a Dockerfile or build manifest points there. A workload running a
datastore or broker image is infrastructure. Kubernetes Services selecting a workload
are recorded with it, since other services address it by their names.

Helm templates are not YAML before rendering: lines that are only template directives
are dropped, ``{{ .Values.x }}``, ``.Chart.Name`` and ``.Release.Name`` are filled in
from the chart, and each document that still does not parse is skipped. kustomize
overlays record which kustomization deploys each workload and which image names it
rewrites. Edges come from container environment variables (and ConfigMaps they load)
and arguments that address another workload or Service; a Service port named ``grpc``
or ``http`` says the protocol.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Deployment, Diagnostic, Edge, Evidence, Infrastructure, ReadStatus, Repository, Service, ServiceCandidate
from readiness_plugins import _dockerfile
from readiness_plugins._dockerfile_syntax import parse_dockerfile
from readiness_plugins._addresses import UNKNOWN, Directory, addresses
from readiness_plugins._layout import (
    MANIFEST_NAMES,
    RepoIndex,
    command_text,
    image_basename,
    image_repository,
    in_non_service_directory,
    index_of,
    mapping,
    infrastructure_kind,
    join,
    line_of,
    normalized,
    parent,
    read_text,
    role_of_command,
    with_variants,
)
from readiness_plugins._safeload import UnsafeDocument, load_yaml_documents, load_yaml_documents_leniently

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod", "Rollout", "DeploymentConfig"})
KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
SKAFFOLD_FILE = re.compile(r"^skaffold[\w.-]*\.ya?ml$")
_DEPLOYMENT_PATH_WORDS = re.compile(r"k8s|kube|deploy|manifest|helm|chart|kustomiz|overlay|base|infra|gitops|argocd|flux")
_TEMPLATE = re.compile(r"\{\{(.*?)\}\}")
_ONE_SHOT_JOB = re.compile(r"migrat|seed|init|setup|bootstrap|admin|backfill|provision|create-topic")
MAX_TEMPLATE_LINE = 4096
UNRENDERED = "unrendered"
"""What a template expression readiness cannot evaluate becomes."""


@dataclass(slots=True)
class Container:
    name: str
    image: str
    command: str
    environment: list[tuple[str, str]]
    config_maps: list[str]
    ports: list[int]


@dataclass(slots=True)
class Workload:
    kind: str
    name: str
    path: str
    line: int
    helm: bool
    containers: list[Container]
    labels: dict[str, str]
    services: list[tuple[str, str, int]] = field(default_factory=list)
    """(Kubernetes Service name, file, line) of each Service selecting this workload."""
    kustomizations: list[tuple[str, int]] = field(default_factory=list)


@dataclass(slots=True)
class KubeService:
    name: str
    path: str
    line: int
    selector: dict[str, str]
    ports: list[tuple[int, str]]
    """(port, name or appProtocol), each also under its target port."""


@dataclass(slots=True)
class Artifact:
    image: str
    context: str
    dockerfile: str | None
    target: str | None
    args: dict[str, str]
    path: str
    line: int


@dataclass(slots=True)
class Manifests:
    workloads: list[Workload] = field(default_factory=list)
    services: list[KubeService] = field(default_factory=list)
    config_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)
    chart_dependencies: list[Infrastructure] = field(default_factory=list)
    """Datastores and brokers a Helm chart pulls in as subcharts (``dependencies:`` in Chart.yaml)."""
    image_aliases: dict[str, str] = field(default_factory=dict)
    """kustomize ``images``: the rewritten image's basename -> the basename the manifests use."""
    texts: dict[str, str] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------


def _is_yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml")) or name == "Kustomization"


def _read_all(repo: Repository, index: RepoIndex) -> Manifests:
    manifests = Manifests()
    charts = {parent(r.path): _chart(repo, parent(r.path), manifests) for r in index.named(lambda n: n == "Chart.yaml")}
    kustomizations = []
    for record in index.named(_is_yaml):
        name = posixpath.basename(record.path)
        if name in KUSTOMIZATION_NAMES:
            kustomizations.append(record.path)
        elif SKAFFOLD_FILE.match(name):
            _read_skaffold(repo, record.path, manifests)
        elif (chart := _chart_of_template(record.path, charts)) is not None:
            _read_template(repo, record.path, charts[chart], manifests)
        elif not name.startswith(("values", "Chart", "docker-compose", "compose")):
            _read_manifest(repo, index, record.path, manifests)
    for path in kustomizations:
        _read_kustomization(repo, index, path, manifests)
    _select(manifests)
    return manifests


def _chart_of_template(path: str, charts: dict[str, tuple[str, dict[str, Any]]]) -> str | None:
    for chart in charts:
        if path.startswith(("" if chart == "." else chart + "/") + "templates/"):
            return chart
    return None


def _read_manifest(repo: Repository, index: RepoIndex, path: str, manifests: Manifests) -> None:
    record = index.records[path]
    if record.status is ReadStatus.TOO_LARGE and not _DEPLOYMENT_PATH_WORDS.search(path.lower()):
        return
    text = read_text(repo, path, manifests.warnings)
    if text is None:
        return
    if "kind:" not in text or "apiVersion:" not in text:
        return
    try:
        documents = load_yaml_documents(text)
    except UnsafeDocument as error:
        if "invalid YAML" not in str(error):
            manifests.warnings.append(Diagnostic("warning", f"not parsed: {error}", path=path))
            return
        try:
            documents, failed = load_yaml_documents_leniently(text)
        except UnsafeDocument as again:
            manifests.warnings.append(Diagnostic("warning", f"not parsed: {again}", path=path))
            return
        manifests.warnings.append(Diagnostic("warning", f"{failed} YAML document(s) not parsed: {error}", path=path))
    manifests.texts[path] = text
    for document in documents:
        _add_object(document, path, text, None, manifests)


def _add_object(document: Any, path: str, text: str, chart: str | None, manifests: Manifests, depth: int = 0) -> None:
    """Record one Kubernetes object; ``chart`` names the Helm chart a template belongs to."""
    if not isinstance(document, dict) or depth > 2:
        return
    kind = document.get("kind")
    metadata = mapping(document.get("metadata"))
    name = str(metadata.get("name") or "")
    helm = chart is not None
    if chart is not None and UNRENDERED in name:
        name = name.replace(UNRENDERED, chart)
    if kind == "List":
        for item in document.get("items") or []:
            _add_object(item, path, text, chart, manifests, depth + 1)
        return
    line = _object_line(text, kind, name)
    if kind == "ConfigMap" and isinstance(document.get("data"), dict):
        manifests.config_maps[name] = {str(k): str(v) for k, v in document["data"].items()}
    elif kind == "Service" and str(document.get("apiVersion", "")).startswith("serving.knative.dev"):
        _add_workload("KnativeService", name, path, line, helm, _pod_spec(document, ("spec", "template", "spec")), {}, manifests)
    elif kind == "Service":
        spec = mapping(document.get("spec"))
        selector = mapping(spec.get("selector"))
        ports = []
        for port in spec.get("ports") or []:
            if isinstance(port, dict):
                label = str(port.get("appProtocol") or port.get("name") or "")
                for number in (port.get("port"), port.get("targetPort")):
                    if isinstance(number, int):
                        ports.append((number, label))
        manifests.services.append(KubeService(name, path, line, {str(k): str(v) for k, v in selector.items()}, ports))
    elif kind in WORKLOAD_KINDS:
        template_path = {
            "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
            "Pod": ("spec",),
        }.get(kind, ("spec", "template", "spec"))
        labels_path = {"CronJob": ("spec", "jobTemplate", "spec", "template", "metadata", "labels"), "Pod": ("metadata", "labels")}.get(
            kind, ("spec", "template", "metadata", "labels")
        )
        labels = _dig(document, labels_path)
        _add_workload(kind, name, path, line, helm, _pod_spec(document, template_path), mapping(labels), manifests)


def _dig(document: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _pod_spec(document: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    spec = _dig(document, keys)
    return mapping(spec)


def _add_workload(kind: str, name: str, path: str, line: int, helm: bool, spec: dict[str, Any], labels: dict[str, Any], manifests: Manifests) -> None:
    containers = []
    for container in spec.get("containers") or []:
        if not isinstance(container, dict) or not container.get("image"):
            continue
        environment = []
        config_maps = []
        for variable in container.get("env") or []:
            if isinstance(variable, dict) and "value" in variable:
                environment.append((str(variable.get("name", "")), str(variable.get("value"))))
        for source in container.get("envFrom") or []:
            reference = _dig(source, ("configMapRef", "name"))
            if isinstance(reference, str):
                config_maps.append(reference)
        ports = [p.get("containerPort") for p in container.get("ports") or [] if isinstance(p, dict)]
        containers.append(
            Container(
                name=str(container.get("name", "")),
                image=str(container["image"]),
                command=" ".join(command_text(container.get(key)) for key in ("command", "args")).strip(),
                environment=environment,
                config_maps=config_maps,
                ports=[p for p in ports if isinstance(p, int)],
            )
        )
    if name and containers:
        manifests.workloads.append(Workload(kind, name, path, line, helm, containers, {str(k): str(v) for k, v in labels.items()}))


def _object_line(text: str, kind: Any, name: str) -> int:
    kind_line = line_of(text, rf"^kind:\s*[\"']?{re.escape(str(kind))}[\"']?\s*$")
    found = line_of(text, rf"^\s+name:\s*[\"']?{re.escape(name)}[\"']?\s*$", max(kind_line, 1)) if name else 0
    return found or kind_line


def _select(manifests: Manifests) -> None:
    """Attach each Kubernetes Service to the workloads its selector picks."""
    for service in manifests.services:
        if not service.selector:
            continue
        for workload in manifests.workloads:
            if all(workload.labels.get(k) == v for k, v in service.selector.items()):
                workload.services.append((service.name, service.path, service.line))


# --- Helm -------------------------------------------------------------------------------


def _chart(repo: Repository, chart: str, manifests: Manifests) -> tuple[str, dict[str, Any]]:
    """A chart's name and values."""
    prefix = "" if chart == "." else chart + "/"
    name = posixpath.basename(chart) if chart != "." else repo.info.name
    values: dict[str, Any] = {}
    for file, target in ((f"{prefix}Chart.yaml", "chart"), (f"{prefix}values.yaml", "values")):
        data = repo.read_bytes(file)
        if data is None:
            continue
        try:
            documents = load_yaml_documents(data)
        except UnsafeDocument as error:
            manifests.warnings.append(Diagnostic("warning", f"not parsed: {error}", path=file))
            continue
        document = mapping(documents[0]) if documents else {}
        if target == "chart" and isinstance(document.get("name"), str):
            name = document["name"]
        if target == "chart":
            text = data.decode("utf-8", errors="replace")
            for dependency in document.get("dependencies") or []:
                kind = infrastructure_kind(str(mapping(dependency).get("name", "")))
                if kind is not None:
                    dependency_name = str(mapping(dependency).get("alias") or mapping(dependency)["name"])
                    line = line_of(text, rf"name:\s*[\"']?{re.escape(str(mapping(dependency)['name']))}")
                    evidence = Evidence(file, line, f"Helm chart {name!r} depends on the {mapping(dependency)['name']} chart")
                    # The subchart's Services are named after the release (rendered as the chart name).
                    deployed_as = [dependency_name] + [f"{name}-{dependency_name}{suffix}" for suffix in ("", "-master", "-primary", "-headless")]
                    manifests.chart_dependencies.append(
                        Infrastructure(dependency_name, kind, (evidence,), deployments=tuple(Deployment("helm", file, n, line) for n in deployed_as))
                    )
        elif target == "values":
            values = document
    return name, values


def _read_template(repo: Repository, path: str, chart: tuple[str, dict[str, Any]], manifests: Manifests) -> None:
    text = read_text(repo, path, manifests.warnings)
    if text is None:
        return
    chart_name, values = chart
    rendered = _render(text, chart_name, values)
    try:
        documents, _ = load_yaml_documents_leniently(rendered)
    except UnsafeDocument as error:
        manifests.warnings.append(Diagnostic("warning", f"not parsed: {error}", path=path))
        return
    manifests.texts[path] = rendered
    for document in documents:
        _add_object(document, path, rendered, chart_name, manifests)


def _render(text: str, chart_name: str, values: dict[str, Any]) -> str:
    """What can be rendered without Helm: directive-only lines blanked (lines keep their numbers), simple values filled in."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if len(line) > MAX_TEMPLATE_LINE or (stripped.startswith("{{") and stripped.endswith("}}") and _TEMPLATE.sub("", stripped).strip() == ""):
            lines.append("")
        else:
            lines.append(_TEMPLATE.sub(lambda m: _value(m.group(1), chart_name, values), line))
    return "\n".join(lines)


def _value(expression: str, chart_name: str, values: dict[str, Any]) -> str:
    words = expression.strip(" -").split("|", 1)[0].split()
    if not words:
        return ""
    if words[0] in ("include", "template") or words[0] in (".Chart.Name", ".Release.Name", "$.Chart.Name", "$.Release.Name"):
        return chart_name
    for word in words:
        if word.startswith((".Values.", "$.Values.")):
            found = _dig(values, tuple(word.split(".Values.", 1)[1].split(".")))
            if isinstance(found, (str, int, float)) and not isinstance(found, bool):
                return str(found)
        elif word.startswith('"') and word.endswith('"') and len(word) > 1:
            return word.strip('"')
    return UNRENDERED


# --- kustomize and skaffold -----------------------------------------------------------


def _load_one(repo: Repository, path: str, manifests: Manifests) -> tuple[Any, str] | None:
    text = read_text(repo, path, manifests.warnings)
    if text is None:
        return None
    try:
        return load_yaml_documents(text), text
    except UnsafeDocument as error:
        manifests.warnings.append(Diagnostic("warning", f"not parsed: {error}", path=path))
        return None


def _read_kustomization(repo: Repository, index: RepoIndex, path: str, manifests: Manifests) -> None:
    loaded = _load_one(repo, path, manifests)
    if loaded is None or not loaded[0] or not isinstance(loaded[0][0], dict):
        return
    document, text = loaded[0][0], loaded[1]
    base = parent(path)
    for image in document.get("images") or []:
        if isinstance(image, dict) and isinstance(image.get("name"), str) and isinstance(image.get("newName"), str):
            manifests.image_aliases[image_basename(image["newName"])] = image_basename(image["name"])
    for entry in list(document.get("resources") or []) + list(document.get("bases") or []):
        if not isinstance(entry, str):
            continue
        target = join(base, entry)
        if target is None:
            continue
        line = line_of(text, re.escape(entry))
        files = {target} if index.exists(target) else {r.path for r in index.files_under(target) if _is_yaml(r.path)}
        for workload in manifests.workloads:
            if workload.path in files:
                workload.kustomizations.append((path, line))


def _read_skaffold(repo: Repository, path: str, manifests: Manifests) -> None:
    loaded = _load_one(repo, path, manifests)
    if loaded is None:
        return
    documents, text = loaded
    base = parent(path)
    for document in documents:
        if not isinstance(document, dict):
            continue
        builds = [document.get("build")] + [p.get("build") for p in document.get("profiles") or [] if isinstance(p, dict)]
        for build in builds:
            for artifact in (build or {}).get("artifacts") or [] if isinstance(build, dict) else []:
                if not isinstance(artifact, dict) or not isinstance(artifact.get("image"), str):
                    continue
                context = join(base, str(artifact.get("context", ".")))
                if context is None:
                    continue
                docker = mapping(artifact.get("docker"))
                dockerfile = join(context, str(docker.get("dockerfile", "Dockerfile")))
                args = {str(k): str(v) for k, v in mapping(docker.get("buildArgs")).items()}
                target = docker.get("target")
                line = line_of(text, rf"image:\s*[\"']?{re.escape(artifact['image'])}[\"']?\s*$")
                manifests.artifacts.append(Artifact(artifact["image"], context, dockerfile, str(target) if target else None, args, path, line))


# --- from workloads to services -----------------------------------------------------------


class Locator:
    """Where an image is built from: skaffold's contexts, else a directory named like it."""

    def __init__(self, repo: Repository, index: RepoIndex, manifests: Manifests) -> None:
        self.repo = repo
        self.index = index
        self.artifacts = {image_basename(a.image): a for a in manifests.artifacts}
        self.aliases = manifests.image_aliases
        self.directories: dict[str, list[str]] = defaultdict(list)
        buildable = {parent(r.path) for r in index.named(_dockerfile.is_dockerfile)}
        buildable |= {parent(r.path) for r in index.named(lambda n: n in MANIFEST_NAMES or n.endswith(".csproj"))}
        for directory in sorted(buildable):
            if directory != "." and not in_non_service_directory(directory + "/x"):
                self.directories[normalized(posixpath.basename(directory))].append(directory)
        self.warnings: list[Diagnostic] = []

    def artifact(self, image: str) -> Artifact | None:
        basename = image_basename(image)
        return self.artifacts.get(basename) or self.artifacts.get(self.aliases.get(basename, ""))

    def directory(self, *names: str) -> str | None:
        """The one buildable directory named like one of ``names`` (most telling first), or None."""
        for name in names:
            key = normalized(name)
            for candidate in (key, re.sub(r"(service|svc|server)$", "", key)):
                found = self.directories.get(candidate, [])
                if len(found) == 1:
                    return found[0]
                if len(found) > 1:
                    shallowest = min(found, key=lambda d: d.count("/"))
                    if sum(d.count("/") == shallowest.count("/") for d in found) == 1:
                        return shallowest
        return None

    def candidate(self, artifact: Artifact, name: str, evidence: Evidence, role: str | None, deployments: tuple[Deployment, ...]) -> ServiceCandidate | Infrastructure:
        text = read_text(self.repo, artifact.dockerfile, self.warnings) if artifact.dockerfile and self.index.exists(artifact.dockerfile) else None
        if text is None:
            return ServiceCandidate(artifact.context, name, evidence, role, deployments=deployments, named_by_deployment=True)
        dockerfile = parse_dockerfile(text)
        described = _dockerfile.describe(self.index, self.repo.info.name, artifact.dockerfile or "", dockerfile, artifact.context, artifact.target, artifact.args)
        if isinstance(described, Infrastructure):
            return Infrastructure(name, described.kind, (evidence, *described.evidence), described.image, described.path, deployments)
        return ServiceCandidate(described.path, name, evidence, role or described.role, dockerfiles=described.dockerfiles, deployments=deployments, named_by_deployment=True)


def _role(workload: Workload) -> str | None:
    commands = " ".join(c.command for c in workload.containers)
    role = role_of_command(commands)
    if role is not None:
        return role
    if workload.kind == "Job":
        return "tooling" if _ONE_SHOT_JOB.search(f"{workload.name} {commands}".lower()) else "worker"
    if workload.kind == "CronJob":
        return "worker"
    if workload.kind in ("Deployment", "Rollout", "DeploymentConfig") and not workload.services and not any(c.ports for c in workload.containers):
        return "worker"
    return None


def _signature(workload: Workload) -> tuple[str, ...]:
    """What a workload runs: a migration Job and the Deployment it migrates for share an image, not a command."""
    return tuple(f"{image_repository(c.image)} {c.command}" for c in workload.containers)


def _deployments(workload: Workload) -> tuple[Deployment, ...]:
    kind = "helm" if workload.helm else "kubernetes"
    found = [Deployment(kind, workload.path, workload.name, workload.line)]
    found += [Deployment(kind, path, name, line) for name, path, line in workload.services]
    found += [Deployment("kustomize", path, workload.name, line) for path, line in workload.kustomizations]
    return tuple(found)


def _describe(workload: Workload, locator: Locator) -> ServiceCandidate | Infrastructure:
    main = next((c for c in workload.containers if c.name == workload.name), workload.containers[0])
    deployments = _deployments(workload)
    role = _role(workload)
    where = f"{workload.kind} {workload.name!r} runs {main.image}"
    artifact = locator.artifact(main.image)
    if artifact is not None:
        evidence = Evidence(workload.path, workload.line, f"{where}, built by skaffold from {artifact.context}")
        return locator.candidate(artifact, workload.name, evidence, role, deployments)
    kind = infrastructure_kind(main.image)
    directory = None if kind is not None else locator.directory(image_basename(main.image), workload.name, main.name)
    if directory is not None:
        evidence = Evidence(workload.path, workload.line, f"{where}, named like {directory}")
        return ServiceCandidate(directory, workload.name, evidence, role, deployments=deployments, named_by_deployment=True)
    return Infrastructure(
        name=workload.name,
        kind=kind or "other",
        evidence=(Evidence(workload.path, workload.line, f"{where}, an image the repository does not build"),),
        image=main.image,
        deployments=deployments,
    )


_cache: list[tuple[Repository, Manifests]] = []


def _manifests(repo: Repository) -> Manifests:
    if _cache and _cache[0][0] is repo:
        return _cache[0][1]
    manifests = _read_all(repo, index_of(repo))
    _cache[:] = [(repo, manifests)]
    return manifests


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Infrastructure | Diagnostic]:
    manifests = _manifests(repo)
    locator = Locator(repo, index_of(repo), manifests)
    found: list[ServiceCandidate | Infrastructure | Diagnostic] = []
    workloads = []
    for workload in manifests.workloads:
        described = _describe(workload, locator)
        if isinstance(described, ServiceCandidate):
            workloads.append((workload.name, _signature(workload), described))
        else:
            found.append(described)
    found += with_variants(workloads)
    found += manifests.chart_dependencies
    for artifact in manifests.artifacts:
        basename = image_basename(artifact.image)
        evidence = Evidence(artifact.path, artifact.line, f"skaffold builds image {artifact.image} from {artifact.context}")
        deployment = Deployment("skaffold", artifact.path, artifact.image, artifact.line)
        found.append(locator.candidate(artifact, basename, evidence, None, (deployment,)))
    return found + manifests.warnings + locator.warnings


# --- edges ------------------------------------------------------------------------------


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    manifests = _manifests(repo)
    directory = Directory(services, infrastructure)
    port_labels = _port_labels(manifests, directory)
    owners: dict[tuple[str, str], str] = {}
    items: tuple[Service | Infrastructure, ...] = (*services, *infrastructure)
    for item in items:
        for deployment in item.deployments:
            if deployment.kind in ("kubernetes", "helm"):
                owners.setdefault((deployment.path, deployment.name), item.name)
    edges = []
    for workload in manifests.workloads:
        source = owners.get((workload.path, workload.name))
        if source is None or source not in {s.name for s in services}:
            continue
        text = manifests.texts.get(workload.path, "")
        for container in workload.containers:
            settings = [(workload.path, variable, value) for variable, value in container.environment]
            for config_map in container.config_maps:
                settings += [(workload.path, variable, value) for variable, value in manifests.config_maps.get(config_map, {}).items()]
            settings.append((workload.path, "args", container.command))
            for path, variable, value in settings:
                for address in addresses(value, variable):
                    target = directory.resolve(address.host)
                    if target is None:
                        continue
                    protocol = directory.protocol(target, address.scheme, variable)
                    if protocol == UNKNOWN:
                        protocol = port_labels.get((target, address.port), UNKNOWN)
                    line = line_of(text, re.escape(variable) if variable != "args" else re.escape(address.host), workload.line)
                    detail = f"{variable}={value}" if variable != "args" else f"arguments address {address.host}"
                    edges.append(Edge(source, target, protocol, (Evidence(path, line, detail[:200]),)))
    return edges


def _port_labels(manifests: Manifests, directory: Directory) -> dict[tuple[str, int | None], str]:
    """(service or infrastructure name, port) -> protocol, from Service port names such as ``grpc`` or ``http-web``."""
    labels: dict[tuple[str, int | None], str] = {}
    for service in manifests.services:
        target = directory.resolve(service.name)
        if target is None:
            continue
        for port, label in service.ports:
            protocol = label.lower().split("-", 1)[0]
            if protocol in ("grpc", "http", "http2", "https", "tcp", "redis", "amqp", "kafka", "mongo"):
                protocol = {"https": "http", "http2": "http", "tcp": UNKNOWN, "mongo": "mongodb"}.get(protocol, protocol)
                labels.setdefault((target, port), protocol)
        distinct = {label for (name, _), label in labels.items() if name == target}
        if len(distinct) == 1:
            labels.setdefault((target, None), distinct.pop())
    return labels
