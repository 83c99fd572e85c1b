"""Everything a repository says about how one service runs, gathered once for the three runtime plugins.

Not a plugin: ``runtimes``, ``container_resources`` and ``base_images`` each judge a
part of the :class:`ServiceRuntime` gathered here. A scan reads each file at most once:
:func:`scan_files` keeps the parsed files of the repository being scanned (one at a
time, held by identity, so another scan never sees them), because one compose file or
one directory of manifests serves many services. Whatever cannot be read becomes a
warning naming the file; the service's other evidence stands.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from readiness.model import Deployment, Diagnostic, FileKind, ReadStatus, Repository, Service
from readiness_plugins._deploy_specs import (
    Container,
    DisruptionBudget,
    Function,
    KubernetesObjects,
    Scaling,
    Workload,
    compose_workloads,
    helm_values,
    kubernetes_objects,
    kustomize_replicas,
    serverless_functions,
)
from readiness_plugins._dockerfile_syntax import Dockerfile, Instruction, Stage, exposed_ports, parse_dockerfile
from readiness_plugins._images import BaseImage, classify_image
from readiness_plugins._runtime_flags import (
    FlagKind,
    RuntimeFlag,
    flags_in_command,
    flags_in_env,
    flags_in_msbuild,
    flags_in_runtimeconfig,
    flags_in_script,
    flags_in_server_config,
    shell_words,
)
from readiness_plugins._runtimes import (
    CPYTHON,
    GO,
    LANGUAGES,
    MANIFESTS,
    NATIVE,
    PYPY,
    function_runtime,
    launcher_runtime,
    manifest_runtime,
)
from readiness_plugins._safeload import (
    LocatedDocument,
    UnsafeDocument,
    load_json,
    load_located_yaml,
    load_located_yaml_leniently,
)

T = TypeVar("T")

MAX_SIBLINGS = 100
"""Manifests read next to a workload's own file when looking for its autoscaler and disruption budget."""
MAX_CONFIG_DEPTH = 3
"""How deep below a service's directory its entry scripts and runtime config files are looked for."""

_SCRIPT_NAMES = ("entrypoint.sh", "docker-entrypoint.sh", "start.sh", "run.sh", "boot.sh", "entrypoint", "docker-entrypoint")
_JVM_OPTION_FILES = ("jvm.config", "jvm.options")
_SERVER_CONFIGS = ("gunicorn.conf.py", "gunicorn_conf.py", "gunicorn_config.py", "uwsgi.ini", "puma.rb", "unicorn.rb")
_SKIPPED_DIRECTORIES = frozenset({"test", "tests", "node_modules", "vendor", ".mvn", "testdata", "fixtures", "examples"})
_SAME_RUNTIME = {PYPY: CPYTHON}


@dataclass(frozen=True, slots=True)
class Setting:
    """One runtime setting where it is written."""

    path: str
    line: int
    flag: RuntimeFlag
    origin: str
    """Where in the file, for messages: ``Dockerfile ENV``, ``compose``, ``Kubernetes``, ``entry script``..."""


@dataclass(frozen=True, slots=True)
class ImageBuild:
    """What one Dockerfile's final stage is built on and runs."""

    path: str
    line: int
    """The final stage's ``FROM`` line."""
    base: BaseImage
    stages: int
    builders: tuple[BaseImage, ...]
    """Images of the earlier stages the final one copies from."""
    runtime: str | None
    runtime_line: int
    runtime_reason: str
    user: str | None
    ports: tuple[int, ...]
    healthcheck: bool
    native_build: str | None
    """``GraalVM native-image`` or ``.NET native AOT`` when a stage compiles ahead of time."""


@dataclass(frozen=True, slots=True)
class RuntimeChoice:
    name: str
    path: str
    line: int
    reason: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ServiceRuntime:
    runtime: RuntimeChoice | None
    images: tuple[ImageBuild, ...]
    settings: tuple[Setting, ...]
    workloads: tuple[Workload, ...]
    """Compose services, Kubernetes workloads and Helm values deploying the service."""
    autoscalers: tuple[Scaling, ...]
    """HPAs, KEDA objects and kustomize overrides that target one of the workloads."""
    budgets: tuple[DisruptionBudget, ...]
    functions: tuple[Function, ...]
    warnings: tuple[Diagnostic, ...]


class ScanFiles:
    """One repository's files, each read and parsed at most once, with what went wrong."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.records = {record.path: record for record in repo.files}
        self.problems: dict[str, str] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self._directories: dict[str, list[str]] | None = None
        self._config_files: list[str] | None = None
        self.services: dict[Service, ServiceRuntime] = {}

    def text(self, path: str) -> str | None:
        record = self.records.get(path)
        if record is None:
            self.problems.setdefault(path, "not in the repository's file list")
            return None
        if record.status is ReadStatus.TOO_LARGE:
            self.problems.setdefault(path, f"not read: larger than max-file-size ({record.size:,} bytes)")
            return None
        data = self.repo.read_bytes(path)
        if data is None:
            self.problems.setdefault(path, f"not read ({record.status.value})")
            return None
        return data.decode("utf-8", errors="replace")

    def parsed(self, kind: str, path: str, parse: Callable[[str], T]) -> T | None:
        """``parse(text)`` of the file, computed once; an :class:`UnsafeDocument` becomes the file's problem."""
        key = (kind, path)
        if key not in self._parsed:
            text = self.text(path)
            result = None
            if text is not None:
                try:
                    result = parse(text)
                except UnsafeDocument as error:
                    self.problems.setdefault(path, f"not parsed: {error}")
            self._parsed[key] = result
        value: T | None = self._parsed[key]
        return value

    def derived(self, kind: str, path: str, compute: Callable[[], T]) -> T:
        """``compute()``, a reading of an already parsed file (compose services from its YAML), done once."""
        key = (kind, path)
        if key not in self._parsed:
            self._parsed[key] = compute()
        value: T = self._parsed[key]
        return value

    def small_text(self, path: str) -> str | None:
        """The text of a script or config file, kept for the scan: such files are small and read by several readers."""
        return self.parsed("text", path, str)

    def yaml(self, path: str) -> list[LocatedDocument]:
        """A YAML file's documents, all or nothing: one bad document and the file is not parsed."""
        loaded = self.parsed("yaml", path, _load_yaml)
        if loaded is None:
            return []
        if loaded.error is not None:
            self.problems.setdefault(path, f"not parsed: {loaded.error}")
            return []
        return loaded.documents

    def manifests(self, path: str) -> list[LocatedDocument]:
        """A Kubernetes manifest file's documents: those that parse on their own when others do not
        (a template directive, one broken object), with a warning counting the rest.

        A YAML file that is not a manifest (no ``kind`` and ``apiVersion``) reads as nothing.
        """
        loaded = self.parsed("yaml", path, _load_yaml)
        if loaded is None or not loaded.manifest:
            return []
        if loaded.error is not None:
            if loaded.failed:
                self.problems.setdefault(path, f"{loaded.failed} YAML document(s) not parsed: {loaded.error}")
            else:
                self.problems.setdefault(path, f"not parsed: {loaded.error}")
        return loaded.documents

    def siblings(self, path: str) -> list[str]:
        """YAML files in the same directory as ``path`` (itself included), up to :data:`MAX_SIBLINGS`."""
        if self._directories is None:
            self._directories = {}
            for record in self.repo.files:
                if record.path.endswith((".yaml", ".yml")):
                    self._directories.setdefault(posixpath.dirname(record.path), []).append(record.path)
        return sorted(self._directories.get(posixpath.dirname(path), []))[:MAX_SIBLINGS]

    def config_files(self, service: Service) -> list[str]:
        """Entry scripts and runtime config files inside the service's directory."""
        if self._config_files is None:
            self._config_files = [
                record.path
                for record in self.repo.files
                if record.kind is not FileKind.VENDORED and _is_config_file(record.path)
            ]
        prefix = "" if service.path == "." else service.path + "/"
        found = []
        for path in self._config_files:
            if not path.startswith(prefix):
                continue
            relative = path[len(prefix) :].split("/")
            depth = 1 if service.path == "." else MAX_CONFIG_DEPTH
            if len(relative) <= depth or (service.path == "." and relative[:1] == ["config"] and len(relative) == 2):
                if not _SKIPPED_DIRECTORIES.intersection(relative[:-1]):
                    found.append(path)
        return found

    def warnings(self, paths: Iterable[str]) -> list[Diagnostic]:
        return [Diagnostic("warning", self.problems[path], path=path) for path in dict.fromkeys(paths) if path in self.problems]


@dataclass(frozen=True, slots=True)
class _YamlFile:
    """One parse of a YAML file serving every reader: strict readers refuse it when ``error`` is set,
    manifest readers keep the documents that parsed on their own."""

    documents: list[LocatedDocument]
    error: str | None
    failed: int
    """Documents that did not parse on their own (0 when the whole file was refused)."""
    manifest: bool
    """The text names a ``kind`` and an ``apiVersion``."""


def _load_yaml(text: str) -> _YamlFile:
    manifest = "kind:" in text and "apiVersion:" in text
    try:
        return _YamlFile(load_located_yaml(text), None, 0, manifest)
    except UnsafeDocument as error:
        if "invalid YAML" not in str(error):
            return _YamlFile([], str(error), 0, manifest)
        try:
            documents, failed = load_located_yaml_leniently(text)
        except UnsafeDocument as again:
            return _YamlFile([], str(again), 0, manifest)
        return _YamlFile(documents, str(error), failed, manifest)


def _is_config_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (
        name in _SCRIPT_NAMES
        or name in _SERVER_CONFIGS
        or name in ("Procfile", "runtimeconfig.template.json")
        or name.endswith(".runtimeconfig.json")
        or (name in _JVM_OPTION_FILES and "/.mvn/" not in f"/{path}")
    )


_current: ScanFiles | None = None


def scan_files(repo: Repository) -> ScanFiles:
    """The cache for this repository object, replacing the previous scan's."""
    global _current
    if _current is None or _current.repo is not repo:
        _current = ScanFiles(repo)
    return _current


def service_runtime(service: Service, repo: Repository) -> ServiceRuntime:
    files = scan_files(repo)
    if service not in files.services:
        files.services[service] = _gather(service, files)
    return files.services[service]


def _gather(service: Service, files: ScanFiles) -> ServiceRuntime:
    read: list[str] = []
    settings: list[Setting] = []
    images = []
    for path in _dockerfiles(service, files):
        read.append(path)
        dockerfile = files.parsed("dockerfile", path, parse_dockerfile)
        if dockerfile is None or dockerfile.final is None:
            files.problems.setdefault(path, "not a Dockerfile: no FROM instruction")
            continue
        if dockerfile.problems:
            more = f" (and {len(dockerfile.problems) - 1} more)" if len(dockerfile.problems) > 1 else ""
            files.problems.setdefault(path, f"Dockerfile lines not understood: {dockerfile.problems[0]}{more}")
        images.append(_image_build(path, dockerfile))
        settings.extend(_dockerfile_settings(path, dockerfile))

    workloads: list[Workload] = []
    autoscalers: list[Scaling] = []
    budgets: list[DisruptionBudget] = []
    functions: list[Function] = []
    for deployment in service.deployments:
        read.append(deployment.path)
        if deployment.kind == "compose":
            found = files.derived("compose", deployment.path, functools.partial(_compose, files, deployment.path))
            if deployment.name in found:
                workloads.append(found[deployment.name])
        elif deployment.kind == "kubernetes":
            matched, scalers, budget_list = _kubernetes(files, deployment, read)
            workloads += matched
            autoscalers += scalers
            budgets += budget_list
        elif deployment.kind == "helm":
            workloads += _helm(files, deployment, read)
        elif deployment.kind == "kustomize":
            autoscalers += [s for s in _kustomize(files, deployment.path) if s.target == deployment.name]
        elif deployment.kind in ("serverless", "sam"):
            found_functions = files.derived("serverless", deployment.path, functools.partial(_functions, files, deployment.path))
            named = [f for f in found_functions if f.name == deployment.name]
            functions += named or found_functions
        elif deployment.kind == "procfile":
            settings += _procfile_settings(files, deployment)
    # A workload is often reached twice: by its own entry and by the Service object that fronts it.
    workloads = list(dict.fromkeys(workloads))
    functions = list(dict.fromkeys(functions))
    for workload in workloads:
        settings += [Setting(workload.path, line, flag, _ORIGINS[workload.source]) for line, flag in workload.flags]
    for function in functions:
        settings += [Setting(function.path, line, flag, "function environment") for line, flag in function.flags]

    config_files = files.config_files(service)
    if processes := [command for d in service.deployments if d.kind == "procfile" for _, command in _procfile_commands(files, d)]:
        # One directory, several Procfile processes: each reads its own Procfile line (above), and a
        # server's config belongs to the process that runs that server.
        config_files = [
            p for p in config_files if posixpath.basename(p) != "Procfile" and (_server_of(p) is None or any(_server_of(p) in c for c in processes))
        ]
    read += config_files
    manifests = [m for m in _manifests(service, files) if m.endswith((".csproj", ".fsproj", ".vbproj", "package.json"))]
    read += manifests
    settings += _config_settings(files, config_files, manifests)

    commands = [(d.path, line, command) for d in service.deployments if d.kind == "procfile" for line, command in _procfile_commands(files, d)]
    runtime = _choose_runtime(service, _manifests(service, files), images, functions, commands, workloads)
    if runtime is not None:
        settings = [s for s in settings if s.flag.runtime is None or _SAME_RUNTIME.get(s.flag.runtime, s.flag.runtime) == _SAME_RUNTIME.get(runtime.name, runtime.name)]
    unique = {(s.path, s.line, s.flag.fact, s.flag.text): s for s in settings}
    return ServiceRuntime(
        runtime,
        tuple(images),
        tuple(sorted(unique.values(), key=lambda s: (s.path, s.line, s.flag.fact))),
        tuple(workloads),
        tuple(dict.fromkeys(autoscalers)),
        tuple(dict.fromkeys(budgets)),
        tuple(functions),
        tuple(files.warnings(read)),
    )


_ORIGINS = {"compose": "compose", "kubernetes": "Kubernetes manifest", "helm": "Helm values"}
SOURCE_PRIORITY = ("kubernetes", "helm", "compose")
"""Which deployment describes production best: a service deployed by several is sized from the first."""


def primary_workloads(evidence: ServiceRuntime) -> list[Workload]:
    """The workloads of the deployment that describes production best (see :data:`SOURCE_PRIORITY`).

    A name written in several files (a compose override, a kustomize overlay) is one workload
    described several times: the description with the most resource figures stands for it,
    the later file on a tie.
    """
    for source in SOURCE_PRIORITY:
        by_name: dict[str, Workload] = {}
        for workload in sorted((w for w in evidence.workloads if w.source == source and w.containers), key=lambda w: w.path):
            known = by_name.get(workload.name)
            if known is None or _figures(workload) >= _figures(known):
                by_name[workload.name] = workload
        if by_name:
            return list(by_name.values())
    return []


def _figures(workload: Workload) -> int:
    return sum(
        amount is not None
        for container in workload.containers
        for amount in (container.memory_limit, container.memory_request, container.cpu_limit, container.cpu_request)
    )


def primary_containers(evidence: ServiceRuntime) -> list[Container]:
    return [container for workload in primary_workloads(evidence) for container in workload.containers]


def main_container(evidence: ServiceRuntime, setting: Setting | None = None) -> Container | None:
    """The container a setting is written for, or else the service's main one: the largest by memory limit
    among the primary workloads' (a sidecar is smaller than the service it serves)."""
    if setting is not None:
        for workload in evidence.workloads:
            for container in workload.containers:
                if workload.path == setting.path and (setting.line, setting.flag) in container.flags:
                    return container
    containers = primary_containers(evidence)
    return max(containers, key=lambda c: c.memory_limit.value if c.memory_limit else -1, default=None)


def _compose(files: ScanFiles, path: str) -> dict[str, Workload]:
    return compose_workloads(files.yaml(path), path)


def _functions(files: ScanFiles, path: str) -> list[Function]:
    return serverless_functions(_documents(files, path), path)


def _helm_values(files: ScanFiles, path: str, chart: str) -> Workload:
    return helm_values(files.yaml(path), path, chart)


def _documents(files: ScanFiles, path: str) -> list[LocatedDocument]:
    """A YAML file's documents, or a JSON template as one document without lines (they point at line 1)."""
    if not path.endswith(".json"):
        return files.yaml(path)
    loaded = files.parsed("json", path, lambda text: (load_json(text), text))
    return [LocatedDocument(loaded[0], {})] if loaded is not None else []


# --- Dockerfiles ---------------------------------------------------------------------


def _image_build(path: str, dockerfile: Dockerfile) -> ImageBuild:
    final = dockerfile.final
    assert final is not None
    base = classify_image(final.image)
    builders = [classify_image(stage.image) for stage in _source_stages(dockerfile, final)]
    entrypoint, command = dockerfile.inherited(final, "ENTRYPOINT"), dockerfile.inherited(final, "CMD")
    runtime, line, reason = base.runtime, final.line, f"base image {final.image}"
    launched = _launcher(entrypoint, command)
    compiled = [builder for builder in builders if builder.toolchain and builder.runtime in (GO, NATIVE)]
    if launched is not None:
        runtime, line, reason = launched
    elif compiled and base.runtime in (None, NATIVE):
        runtime, reason = compiled[0].runtime, f"a binary built in a {compiled[0].reference} stage"
    user = dockerfile.inherited(final, "USER")
    healthcheck = dockerfile.inherited(final, "HEALTHCHECK")
    return ImageBuild(
        path=path,
        line=final.line,
        base=base,
        stages=len(dockerfile.stages),
        builders=tuple(builders),
        runtime=runtime,
        runtime_line=line,
        runtime_reason=reason,
        user=user.arguments.split()[0] if user and user.arguments else None,
        ports=tuple(port for stage in dockerfile.lineage(final) for port in exposed_ports(stage)),
        healthcheck=healthcheck is not None and healthcheck.arguments.strip().upper() != "NONE",
        native_build=_native_build(dockerfile, builders),
    )


def _source_stages(dockerfile: Dockerfile, final: Stage) -> list[Stage]:
    seen: dict[int, Stage] = {}
    for stage in dockerfile.lineage(final):
        for source in dockerfile.sources(stage):
            seen.setdefault(source.index, source)
    return list(seen.values())


def _launcher(entrypoint: Instruction | None, command: Instruction | None) -> tuple[str, int, str] | None:
    """The runtime of the program the container starts, with the line and a reason."""
    for instruction in (entrypoint, command):
        if instruction is None:
            continue
        program = _program(instruction.words)
        if program is not None:
            runtime = launcher_runtime(program)
            if runtime is not None:
                return runtime, instruction.line, f"{instruction.keyword} runs {program.rsplit('/', 1)[-1]}"
    return None


def _program(words: list[str], depth: int = 0) -> str | None:
    """The first program in a command with a known runtime, looking through ``sh -c`` and ``exec``."""
    for index, word in enumerate(words):
        name = word.rsplit("/", 1)[-1]
        if name in ("sh", "bash", "ash", "dash") and index + 2 < len(words) and words[index + 1] == "-c" and depth < 2:
            return _program(shell_words(words[index + 2]), depth + 1)
        if launcher_runtime(word) is not None:
            return word
    return None


def _native_build(dockerfile: Dockerfile, builders: list[BaseImage]) -> str | None:
    if any(builder.family == "graalvm-native-image" for builder in builders):
        return "GraalVM native-image"
    for stage in dockerfile.stages:
        for run in stage.all("RUN"):
            words = run.words
            if "native-image" in words or "-Pnative" in words or "-Dquarkus.package.type=native" in words:
                return "GraalVM native-image"
            if any(word.lower() in ("-p:publishaot=true", "/p:publishaot=true") for word in words):
                return ".NET native AOT"
    return None


def _dockerfile_settings(path: str, dockerfile: Dockerfile) -> list[Setting]:
    final = dockerfile.final
    assert final is not None
    settings = [
        Setting(path, line, flag, "Dockerfile ENV")
        for name, value, line in dockerfile.environment(final)
        for flag in flags_in_env(name, value)
    ]
    entrypoint, command = dockerfile.inherited(final, "ENTRYPOINT"), dockerfile.inherited(final, "CMD")
    entry_words = entrypoint.words if entrypoint else []
    from_entrypoint = len(flags_in_command(entry_words))
    # Read together, so CMD's "--workers 4" counts for ENTRYPOINT's gunicorn.
    for index, flag in enumerate(flags_in_command(entry_words + (command.words if command else []))):
        source = entrypoint if index < from_entrypoint else command
        if source is not None:
            settings.append(Setting(path, source.line, flag, f"Dockerfile {source.keyword}"))
    for stage in dockerfile.stages:
        for run in stage.all("RUN"):
            settings += [Setting(path, run.line, flag, "Dockerfile RUN") for flag in flags_in_command(run.arguments) if flag.kind is FlagKind.STARTUP]
    return settings


# --- deployments ---------------------------------------------------------------------


def _kubernetes(files: ScanFiles, deployment: Deployment, read: list[str]) -> tuple[list[Workload], list[Scaling], list[DisruptionBudget]]:
    own = _kube(files, deployment.path)
    workloads = [w for w in own.workloads if w.name == deployment.name]
    if not workloads:
        workloads = [w for w in own.workloads if any(c.name == deployment.name for c in w.containers)]
    if not workloads and len(own.workloads) == 1:
        workloads = list(own.workloads)
    names = {w.name for w in workloads}
    scalers: list[Scaling] = []
    budgets: list[DisruptionBudget] = []
    for sibling in files.siblings(deployment.path):
        read.append(sibling)
        objects = _kube(files, sibling)
        scalers += [s for s in objects.autoscalers if s.target in names]
        budgets += [b for b in objects.budgets if b.selector and any(set(b.selector) <= set(w.pod_labels) for w in workloads)]
        if sibling.rsplit("/", 1)[-1] in ("kustomization.yaml", "kustomization.yml"):
            scalers += [s for s in _kustomize(files, sibling) if s.target in names]
    return workloads, scalers, budgets


def _kube(files: ScanFiles, path: str) -> KubernetesObjects:
    return files.derived("kubernetes", path, lambda: kubernetes_objects(files.manifests(path), path))


def _kustomize(files: ScanFiles, path: str) -> list[Scaling]:
    return files.derived("kustomize", path, lambda: kustomize_replicas(files.yaml(path), path))


def _helm(files: ScanFiles, deployment: Deployment, read: list[str]) -> list[Workload]:
    chart = _chart_directory(files, deployment.path)
    workloads = []
    values = [path for path in files.siblings(posixpath.join(chart, "values.yaml")) if posixpath.basename(path).startswith("values")]
    for path in values:
        read.append(path)
        workload = files.derived("helm", path, functools.partial(_helm_values, files, path, deployment.name))
        if workload.containers or workload.scaling or workload.flags:
            workloads.append(workload)
    # Templates are not YAML until rendered; what they size comes from the values.
    return workloads


def _chart_directory(files: ScanFiles, path: str) -> str:
    """The directory holding ``Chart.yaml`` at or above ``path``, or ``path``'s own directory."""
    directory = posixpath.dirname(path) if path in files.records else path.strip("./")
    candidate = directory
    for _ in range(6):
        if posixpath.join(candidate, "Chart.yaml") in files.records:
            return candidate
        if not candidate:
            break
        candidate = posixpath.dirname(candidate)
    return directory


def _procfile_commands(files: ScanFiles, deployment: Deployment) -> list[tuple[int, str]]:
    """The command of the deployment's process type, with its line."""
    text = files.small_text(deployment.path) or ""
    commands = []
    for number, line in enumerate(text.splitlines()[:1000], 1):
        kind, colon, command = line.partition(":")
        if colon and kind.strip() == deployment.name:
            commands.append((number, command.strip()))
    return commands


def _procfile_settings(files: ScanFiles, deployment: Deployment) -> list[Setting]:
    text = files.small_text(deployment.path)
    if text is None:
        return []
    found = flags_in_script(text, procfile=True)
    named = [(line, flag) for line, flag in found if text.splitlines()[line - 1].split(":", 1)[0].strip() == deployment.name]
    return [Setting(deployment.path, line, flag, "Procfile") for line, flag in named or found]


# --- files inside the service --------------------------------------------------------


def _dockerfiles(service: Service, files: ScanFiles) -> tuple[str, ...]:
    """The Dockerfiles the detectors named, or else a ``Dockerfile`` at the service's root."""
    if service.dockerfiles:
        return service.dockerfiles
    own = _in_service(service, "Dockerfile")
    return (own,) if own in files.records else ()


def _manifests(service: Service, files: ScanFiles) -> list[str]:
    """The build manifests the detectors named, or else those at the service's root."""
    if service.manifests:
        return list(service.manifests)
    return [path for path in (_in_service(service, name) for name in MANIFESTS) if path in files.records]


def _server_of(path: str) -> str | None:
    """The server a config file configures (``puma`` for ``config/puma.rb``), None for other files."""
    name = posixpath.basename(path)
    if name not in _SERVER_CONFIGS:
        return None
    return name.split(".", 1)[0].split("_", 1)[0]


def _in_service(service: Service, name: str) -> str:
    return name if service.path == "." else f"{service.path}/{name}"


def _config_settings(files: ScanFiles, config_files: list[str], manifests: list[str]) -> list[Setting]:
    settings: list[Setting] = []
    for path in config_files + manifests:
        name = path.rsplit("/", 1)[-1]
        text = files.small_text(path)
        if text is None:
            continue
        if name.endswith((".csproj", ".fsproj", ".vbproj")):
            settings += [Setting(path, line, flag, "project file") for line, flag in flags_in_msbuild(text)]
        elif name.endswith(".json"):
            settings += _json_settings(files, path, text)
        elif name in _SERVER_CONFIGS:
            settings += [Setting(path, line, flag, "server config") for line, flag in flags_in_server_config(path, text)]
        elif name in _JVM_OPTION_FILES:
            settings += [Setting(path, line, flag, "JVM options file") for line, flag in flags_in_script(text)]
        elif name == "Procfile":
            settings += [Setting(path, line, flag, "Procfile") for line, flag in flags_in_script(text, procfile=True)]
        else:
            settings += [Setting(path, line, flag, "entry script") for line, flag in flags_in_script(text)]
    return settings


def _json_settings(files: ScanFiles, path: str, text: str) -> list[Setting]:
    document = files.derived("json-in-text", path, lambda: _load_json_quietly(files, path, text))
    if path.endswith("package.json"):
        scripts = document.get("scripts") if isinstance(document, dict) else None
        start = scripts.get("start") if isinstance(scripts, dict) else None
        if not isinstance(start, str):
            return []
        return [Setting(path, _line_of(text, '"start"'), flag, "package.json start script") for flag in flags_in_command(start)]
    return [Setting(path, _line_of(text, flag.text.split(":", 1)[0]), flag, "runtime config") for flag in flags_in_runtimeconfig(document)]


def _load_json_quietly(files: ScanFiles, path: str, text: str) -> Any:
    try:
        return load_json(text)
    except UnsafeDocument as error:
        files.problems.setdefault(path, f"not parsed: {error}")
        return None


def _line_of(text: str, needle: str) -> int:
    """The first line holding ``needle`` (JSON has no line information once loaded), or 1."""
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else 1


# --- the runtime ---------------------------------------------------------------------


def _choose_runtime(
    service: Service,
    manifests: list[str],
    images: list[ImageBuild],
    functions: list[Function],
    processes: list[tuple[str, int, str]],
    workloads: list[Workload],
) -> RuntimeChoice | None:
    """The runtime the service runs on, from the most direct evidence available."""
    preferred = sorted(images, key=lambda image: (posixpath.basename(image.path) != "Dockerfile", image.path))
    for image in preferred:
        if image.runtime is not None:
            return RuntimeChoice(image.runtime, image.path, image.runtime_line, image.runtime_reason, 0.9)
    for function in functions:
        runtime = function_runtime(function.runtime_id or "")
        if runtime is not None:
            return RuntimeChoice(runtime, function.path, function.line, f"function runtime {function.runtime_id}", 0.9)
    for path, line, command in processes:
        program = _program(shell_words(command))
        runtime = launcher_runtime(program) if program else None
        if program is not None and runtime is not None:
            return RuntimeChoice(runtime, path, line, f"the Procfile runs {program.rsplit('/', 1)[-1]}", 0.9)
    for workload in workloads:
        for container in workload.containers:
            base = classify_image(container.image) if container.image else None
            if base is not None and base.runtime is not None:
                return RuntimeChoice(base.runtime, workload.path, container.line, f"container image {container.image}", 0.7)
    if service.role == "library":
        return None  # a library's manifest says how it is built, not that anything runs it
    expected = LANGUAGES.get(service.primary_language or "")
    ordered = sorted(manifests, key=lambda m: (manifest_runtime(m) != expected, _manifest_rank(m), m))
    for manifest in ordered:
        runtime = manifest_runtime(manifest)
        if runtime is not None:
            return RuntimeChoice(runtime, manifest, 1, f"build manifest {posixpath.basename(manifest)}", 0.6)
    # The main language alone says what the code is written in, not how it runs (a script,
    # a library, a build step): without an image, a deployment or a manifest, no runtime.
    return None


def _manifest_rank(path: str) -> int:
    name = posixpath.basename(path)
    order = list(MANIFESTS)
    return order.index(name) if name in order else len(order)
