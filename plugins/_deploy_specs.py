"""What deployment files say a service runs with: containers, resources, replicas, scaling, functions.

Not a plugin: the runtime plugins share it. Each reader takes documents loaded by
:mod:`readiness_plugins._safeload` (with lines) and returns frozen records that cite the
line of every value, so a finding can point at ``memory: 512Mi`` itself. Values are
parsed with the unit rules of the tool that reads them (compose: Docker's binary units;
Kubernetes: its own quantities; Lambda: MiB). Anything of the wrong shape is skipped:
these readers never raise on a well-formed document of an unexpected structure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from readiness_plugins._quantities import (
    MIB,
    docker_bytes,
    docker_millicores,
    kubernetes_bytes,
    kubernetes_millicores,
    mebibytes,
    whole_number,
)
from readiness_plugins._runtime_flags import RuntimeFlag, flags_in_command, flags_in_env
from readiness_plugins._safeload import LocatedDocument

MAX_SETTINGS_DEPTH = 24
_COMMAND_KEYS = ("command", "args", "entrypoint")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,100}=.*", re.S)
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]{0,100})(?::?-([^}]{0,200}))?\}|\$([A-Za-z_][A-Za-z0-9_]{0,100})")

WORKLOAD_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod", "Rollout", "DeploymentConfig"}
)


@dataclass(frozen=True, slots=True)
class Amount:
    """A memory amount in bytes or a CPU amount in millicores, as written and where."""

    value: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Probe:
    kind: str
    """``startup``, ``liveness`` or ``readiness``."""
    line: int
    initial_delay_s: int
    period_s: int
    failure_threshold: int

    @property
    def startup_allowance_s(self) -> int | None:
        """How long the probe lets a container take to start: a startup probe's whole budget,
        a liveness probe's first delay; None for readiness probes, which never restart anything."""
        if self.kind == "startup":
            return self.initial_delay_s + self.period_s * self.failure_threshold
        return self.initial_delay_s if self.kind == "liveness" else None


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    line: int
    image: str | None = None
    memory_request: Amount | None = None
    memory_limit: Amount | None = None
    cpu_request: Amount | None = None
    cpu_limit: Amount | None = None
    resources_line: int = 0
    probes: tuple[Probe, ...] = ()
    flags: tuple[tuple[int, RuntimeFlag], ...] = ()
    """Runtime settings in the container's own environment, command and arguments."""


@dataclass(frozen=True, slots=True)
class Scaling:
    """How many copies of a workload run: a fixed count, or an autoscaler's range."""

    source: str
    """``replicas``, ``compose``, ``hpa``, ``keda``, ``knative``, ``helm`` or ``kustomize``."""
    path: str
    line: int
    target: str
    """The workload it scales (compose service, workload name, chart)."""
    replicas: int | None = None
    min_replicas: int | None = None
    max_replicas: int | None = None
    target_cpu_percent: int | None = None
    target_memory_percent: int | None = None


@dataclass(frozen=True, slots=True)
class DisruptionBudget:
    path: str
    line: int
    name: str
    selector: tuple[tuple[str, str], ...]
    min_available: str | None
    max_unavailable: str | None


@dataclass(frozen=True, slots=True)
class Workload:
    """One deployable unit of a file: a compose service, a Kubernetes workload, a chart's values."""

    source: str
    """``compose``, ``kubernetes``, ``helm``."""
    path: str
    name: str
    line: int
    object_kind: str
    """``Deployment``, ``StatefulSet``, ``compose service``, ``Knative Service``, ``Helm values``..."""
    containers: tuple[Container, ...] = ()
    scaling: tuple[Scaling, ...] = ()
    pod_labels: tuple[tuple[str, str], ...] = ()
    flags: tuple[tuple[int, RuntimeFlag], ...] = ()
    """Runtime settings in its environment, commands and arguments, with their lines."""


@dataclass(frozen=True, slots=True)
class KubernetesObjects:
    workloads: tuple[Workload, ...] = ()
    autoscalers: tuple[Scaling, ...] = ()
    budgets: tuple[DisruptionBudget, ...] = ()


@dataclass(frozen=True, slots=True)
class Function:
    """A serverless function: AWS Lambda through the Serverless Framework, SAM or CloudFormation."""

    path: str
    line: int
    name: str
    runtime_id: str | None
    memory: Amount
    memory_default: bool
    """True when no memory size is written and the platform default applies."""
    timeout_s: int | None
    provisioned_concurrency: int | None = None
    reserved_concurrency: int | None = None
    snap_start: bool = False
    flags: tuple[tuple[int, RuntimeFlag], ...] = ()


@dataclass
class _Walk:
    document: LocatedDocument
    flags: list[tuple[int, RuntimeFlag]] = field(default_factory=list)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def interpolated(value: Any) -> Any:
    """A compose value with ``${VAR:-default}`` replaced by its default; None when a variable has none."""
    if not isinstance(value, str) or "$" not in value:
        return value
    unresolved = False

    def default(match: re.Match[str]) -> str:
        nonlocal unresolved
        if match.group(2) is None:
            unresolved = True
            return ""
        return match.group(2)

    result = _INTERPOLATION.sub(default, value.replace("$$", "\0"))
    return None if unresolved else result.replace("\0", "$")


def settings_in_tree(document: LocatedDocument, node: Any, path: tuple[str | int, ...]) -> list[tuple[int, RuntimeFlag]]:
    """Runtime settings anywhere under ``node``: ``NAME: value`` pairs, ``{name, value}`` entries,
    ``NAME=value`` list items and command lines (``command``, ``args``, ``entrypoint``)."""
    walk = _Walk(document)
    _settings(walk, node, path, 0)
    return walk.flags


def _settings(walk: _Walk, node: Any, path: tuple[str | int, ...], depth: int) -> None:
    if depth > MAX_SETTINGS_DEPTH:
        return
    if isinstance(node, list):
        line = walk.document.line(*path)
        if node and all(isinstance(item, str) and _ASSIGNMENT.fullmatch(item) for item in node):
            # compose's list form of environment: one NAME=value per item, each on its own line.
            for index, item in enumerate(node):
                name, _, value = item.partition("=")
                walk.flags.extend((walk.document.line(*path, index), flag) for flag in flags_in_env(name, interpolated(value)))
            return
        if node and all(isinstance(item, str | int | float) and not isinstance(item, bool) for item in node):
            walk.flags.extend((line, flag) for flag in flags_in_command([str(item) for item in node]))
            return
        for index, item in enumerate(node):
            _settings(walk, item, (*path, index), depth + 1)
        return
    if not isinstance(node, dict):
        return
    if isinstance(node.get("name"), str) and "value" in node:
        walk.flags.extend((walk.document.line(*path, "value"), flag) for flag in flags_in_env(node["name"], interpolated(node["value"])))
    command = [*_list(node.get("command")), *_list(node.get("args"))]
    if command and all(isinstance(word, str) for word in command):
        walk.flags.extend((walk.document.line(*path, "command" if "command" in node else "args"), flag) for flag in flags_in_command(command))
    for key, value in node.items():
        child = (*path, key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            value = interpolated(value)
            if value is None:
                continue
            if key in _COMMAND_KEYS and isinstance(value, str):
                walk.flags.extend((walk.document.line(*child), flag) for flag in flags_in_command(value))
            elif key != "value" and isinstance(key, str):
                walk.flags.extend((walk.document.line(*child), flag) for flag in flags_in_env(key, value))
        elif not (key in ("command", "args") and command):
            _settings(walk, value, child, depth + 1)


def _amount(document: LocatedDocument, node: dict[str, Any], path: tuple[str | int, ...], key: str, parse: Callable[[Any], int | None]) -> Amount | None:
    value = interpolated(node.get(key))
    amount = parse(value)
    if amount is None:
        return None
    return Amount(amount, str(value), document.line(*path, key))


# --- compose -------------------------------------------------------------------------


def compose_workloads(documents: list[LocatedDocument], path: str) -> dict[str, Workload]:
    """Every service of a compose file, by its key."""
    workloads: dict[str, Workload] = {}
    for document in documents:
        for name, service in _mapping(_mapping(document.tree).get("services")).items():
            if isinstance(name, str) and isinstance(service, dict):
                workloads[name] = _compose_service(document, path, name, service)
    return workloads


def _compose_service(document: LocatedDocument, path: str, name: str, service: dict[str, Any]) -> Workload:
    at = ("services", name)
    deploy = _mapping(service.get("deploy"))
    resources = _mapping(deploy.get("resources"))
    limits, reservations = _mapping(resources.get("limits")), _mapping(resources.get("reservations"))
    limits_at, reservations_at = (*at, "deploy", "resources", "limits"), (*at, "deploy", "resources", "reservations")
    container = Container(
        name=name,
        line=document.line(*at),
        image=service.get("image") if isinstance(service.get("image"), str) else None,
        memory_limit=_amount(document, limits, limits_at, "memory", docker_bytes) or _amount(document, service, at, "mem_limit", docker_bytes),
        memory_request=_amount(document, reservations, reservations_at, "memory", docker_bytes)
        or _amount(document, service, at, "mem_reservation", docker_bytes),
        cpu_limit=_amount(document, limits, limits_at, "cpus", docker_millicores) or _amount(document, service, at, "cpus", docker_millicores),
        cpu_request=_amount(document, reservations, reservations_at, "cpus", docker_millicores),
        resources_line=document.line(*at, "deploy", "resources") if resources else document.line(*at),
    )
    scaling = []
    for key, where in (("replicas", (*at, "deploy")), ("scale", at)):
        count = whole_number(interpolated(_mapping(deploy if key == "replicas" else service).get(key)))
        if count is not None:
            scaling.append(Scaling("compose", path, document.line(*where, key), name, replicas=count))
            break
    flags = tuple(settings_in_tree(document, {key: service[key] for key in ("environment", "command", "entrypoint") if key in service}, at))
    container = replace(container, flags=flags)
    return Workload("compose", path, name, document.line(*at), "compose service", (container,), tuple(scaling), (), flags)


# --- Kubernetes ----------------------------------------------------------------------


def kubernetes_objects(documents: list[LocatedDocument], path: str) -> KubernetesObjects:
    """Workloads, autoscalers (HPA, KEDA, Knative) and disruption budgets of a manifest file."""
    workloads: list[Workload] = []
    autoscalers: list[Scaling] = []
    budgets: list[DisruptionBudget] = []
    for document, node, at in _objects(documents):
        kind = node.get("kind")
        name = _mapping(node.get("metadata")).get("name")
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        api = str(node.get("apiVersion", ""))
        if kind in WORKLOAD_KINDS or (kind == "Service" and api.startswith("serving.knative.dev/")):
            workloads.append(_workload(document, path, node, at, kind, name, api))
        elif kind == "HorizontalPodAutoscaler":
            autoscalers.append(_hpa(document, path, node, at))
        elif kind == "ScaledObject":
            autoscalers.append(_keda(document, path, node, at))
        elif kind == "PodDisruptionBudget":
            budgets.append(_budget(document, path, node, at, name))
    return KubernetesObjects(tuple(workloads), tuple(autoscalers), tuple(budgets))


def _objects(documents: list[LocatedDocument]) -> Iterator[tuple[LocatedDocument, dict[str, Any], tuple[str | int, ...]]]:
    """Each object of the documents, looking inside ``kind: List``."""
    for document in documents:
        tree = _mapping(document.tree)
        kind = tree.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(tree.get("items"), list):
            for index, item in enumerate(_list(tree.get("items"))):
                if isinstance(item, dict):
                    yield document, item, ("items", index)
        elif tree:
            yield document, tree, ()


def _pod_template(node: dict[str, Any], kind: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    if kind == "Pod":
        return node, ()
    if kind == "CronJob":
        return _mapping(_mapping(_mapping(_mapping(node.get("spec")).get("jobTemplate")).get("spec")).get("template")), ("spec", "jobTemplate", "spec", "template")
    return _mapping(_mapping(node.get("spec")).get("template")), ("spec", "template")


def _workload(document: LocatedDocument, path: str, node: dict[str, Any], at: tuple[str | int, ...], kind: str, name: str, api: str) -> Workload:
    template, template_at = _pod_template(node, kind)
    pod_spec, pod_at = _mapping(template.get("spec")), (*at, *template_at, "spec")
    containers = []
    flags: list[tuple[int, RuntimeFlag]] = []
    for index, container in enumerate(_list(pod_spec.get("containers"))):
        if isinstance(container, dict):
            container_at = (*pod_at, "containers", index)
            settings = settings_in_tree(document, {k: container[k] for k in ("env", "command", "args") if k in container}, container_at)
            containers.append(_container(document, container, container_at, name, tuple(settings)))
            flags.extend(settings)
    scaling = []
    spec = _mapping(node.get("spec"))
    object_kind = kind
    if kind == "Service":
        object_kind = "Knative Service"
        scaling.append(_knative(document, path, template, (*at, *template_at), name))
    elif (count := whole_number(spec.get("replicas"))) is not None:
        scaling.append(Scaling("replicas", path, document.line(*at, "spec", "replicas"), name, replicas=count))
    labels = _mapping(_mapping(template.get("metadata")).get("labels"))
    return Workload(
        "kubernetes",
        path,
        name,
        document.line(*at, "metadata", "name"),
        object_kind,
        tuple(containers),
        tuple(scaling),
        tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        tuple(flags),
    )


def _container(
    document: LocatedDocument, container: dict[str, Any], at: tuple[str | int, ...], workload: str, flags: tuple[tuple[int, RuntimeFlag], ...] = ()
) -> Container:
    resources = _mapping(container.get("resources"))
    requests, limits = _mapping(resources.get("requests")), _mapping(resources.get("limits"))
    probes = []
    for kind in ("startup", "liveness", "readiness"):
        probe = container.get(f"{kind}Probe")
        if isinstance(probe, dict):
            probes.append(
                Probe(
                    kind,
                    document.line(*at, f"{kind}Probe"),
                    whole_number(probe.get("initialDelaySeconds")) or 0,
                    whole_number(probe.get("periodSeconds")) or 10,
                    whole_number(probe.get("failureThreshold")) or 3,
                )
            )
    return Container(
        name=str(container.get("name") or workload),
        line=document.line(*at),
        image=container.get("image") if isinstance(container.get("image"), str) else None,
        memory_request=_amount(document, requests, (*at, "resources", "requests"), "memory", kubernetes_bytes),
        memory_limit=_amount(document, limits, (*at, "resources", "limits"), "memory", kubernetes_bytes),
        cpu_request=_amount(document, requests, (*at, "resources", "requests"), "cpu", kubernetes_millicores),
        cpu_limit=_amount(document, limits, (*at, "resources", "limits"), "cpu", kubernetes_millicores),
        resources_line=document.line(*at, "resources") if resources else document.line(*at),
        probes=tuple(probes),
        flags=flags,
    )


def _hpa(document: LocatedDocument, path: str, node: dict[str, Any], at: tuple[str | int, ...]) -> Scaling:
    spec = _mapping(node.get("spec"))
    targets: dict[str, int] = {}
    legacy = whole_number(spec.get("targetCPUUtilizationPercentage"))
    if legacy is not None:
        targets["cpu"] = legacy
    for metric in _list(spec.get("metrics")):
        resource = _mapping(_mapping(metric).get("resource"))
        utilization = whole_number(_mapping(resource.get("target")).get("averageUtilization"))
        if utilization is None:
            utilization = whole_number(resource.get("targetAverageUtilization"))
        if isinstance(resource.get("name"), str) and utilization is not None:
            targets[resource["name"]] = utilization
    minimum = whole_number(spec.get("minReplicas"))
    return Scaling(
        "hpa",
        path,
        document.line(*at, "spec", "maxReplicas"),
        str(_mapping(spec.get("scaleTargetRef")).get("name", "")),
        min_replicas=1 if minimum is None else minimum,
        max_replicas=whole_number(spec.get("maxReplicas")),
        target_cpu_percent=targets.get("cpu"),
        target_memory_percent=targets.get("memory"),
    )


def _keda(document: LocatedDocument, path: str, node: dict[str, Any], at: tuple[str | int, ...]) -> Scaling:
    spec = _mapping(node.get("spec"))
    minimum, maximum = whole_number(spec.get("minReplicaCount")), whole_number(spec.get("maxReplicaCount"))
    # KEDA's defaults: it scales to zero, and up to 100 replicas.
    return Scaling(
        "keda",
        path,
        document.line(*at, "spec", "minReplicaCount") if minimum is not None else document.line(*at, "spec"),
        str(_mapping(spec.get("scaleTargetRef")).get("name", "")),
        min_replicas=0 if minimum is None else minimum,
        max_replicas=100 if maximum is None else maximum,
    )


def _knative(document: LocatedDocument, path: str, template: dict[str, Any], at: tuple[str | int, ...], name: str) -> Scaling:
    annotations = _mapping(_mapping(template.get("metadata")).get("annotations"))
    values: dict[str, int | None] = {}
    line = document.line(*at)
    for bound in ("min", "max"):
        for key in (f"autoscaling.knative.dev/{bound}-scale", f"autoscaling.knative.dev/{bound}Scale"):
            if key in annotations:
                values[bound] = whole_number(annotations[key])
                line = document.line(*at, "metadata", "annotations", key) if bound == "min" else line
    # Knative scales to zero unless a minimum is set; its maximum is unbounded (0) by default.
    maximum = values.get("max")
    return Scaling("knative", path, line, name, min_replicas=values.get("min") or 0, max_replicas=maximum or None)


def _budget(document: LocatedDocument, path: str, node: dict[str, Any], at: tuple[str | int, ...], name: str) -> DisruptionBudget:
    spec = _mapping(node.get("spec"))
    labels = _mapping(_mapping(spec.get("selector")).get("matchLabels"))

    def written(key: str) -> str | None:
        value = spec.get(key)
        return str(value) if isinstance(value, int | str) and not isinstance(value, bool) else None

    return DisruptionBudget(
        path,
        document.line(*at, "metadata", "name"),
        name,
        tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        written("minAvailable"),
        written("maxUnavailable"),
    )


def kustomize_replicas(documents: list[LocatedDocument], path: str) -> list[Scaling]:
    """The ``replicas:`` overrides of a kustomization."""
    found = []
    for document in documents:
        for index, entry in enumerate(_list(_mapping(document.tree).get("replicas"))):
            entry = _mapping(entry)
            count = whole_number(entry.get("count"))
            if isinstance(entry.get("name"), str) and count is not None:
                found.append(Scaling("kustomize", path, document.line("replicas", index, "count"), entry["name"], replicas=count))
    return found


# --- Helm ----------------------------------------------------------------------------


def helm_values(documents: list[LocatedDocument], path: str, chart: str) -> Workload:
    """A chart's ``values.yaml``: every ``resources`` block, ``replicaCount``, ``autoscaling`` and runtime setting."""
    containers: list[Container] = []
    scaling: list[Scaling] = []
    flags: list[tuple[int, RuntimeFlag]] = []
    for document in documents:
        for node, at in _mappings(document.tree, ()):
            resources = node.get("resources")
            if isinstance(resources, dict) and ("requests" in resources or "limits" in resources):
                name = ".".join(str(part) for part in at) or chart
                containers.append(_container(document, {"name": name, "resources": resources}, at, chart))
            count = whole_number(node.get("replicaCount"))
            if count is not None:
                scaling.append(Scaling("helm", path, document.line(*at, "replicaCount"), chart, replicas=count))
            autoscaling = node.get("autoscaling")
            if isinstance(autoscaling, dict) and autoscaling.get("enabled") is True:
                scaling.append(
                    Scaling(
                        "helm",
                        path,
                        document.line(*at, "autoscaling", "maxReplicas"),
                        chart,
                        min_replicas=whole_number(autoscaling.get("minReplicas")),
                        max_replicas=whole_number(autoscaling.get("maxReplicas")),
                        target_cpu_percent=whole_number(autoscaling.get("targetCPUUtilizationPercentage")),
                        target_memory_percent=whole_number(autoscaling.get("targetMemoryUtilizationPercentage")),
                    )
                )
        flags.extend(settings_in_tree(document, document.tree, ()))
    first_line = documents[0].first_line if documents else 1
    return Workload("helm", path, chart, first_line, "Helm values", tuple(containers), tuple(scaling), (), tuple(flags))


def _mappings(node: Any, at: tuple[str | int, ...], depth: int = 0) -> Iterator[tuple[dict[str, Any], tuple[str | int, ...]]]:
    if depth > MAX_SETTINGS_DEPTH:
        return
    if isinstance(node, dict):
        yield node, at
        for key, value in node.items():
            if key != "resources":
                yield from _mappings(value, (*at, key), depth + 1)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _mappings(item, (*at, index), depth + 1)


# --- serverless ----------------------------------------------------------------------

SERVERLESS_FRAMEWORK_MEMORY_MIB = 1024
SERVERLESS_FRAMEWORK_TIMEOUT_S = 6
LAMBDA_MEMORY_MIB = 128
LAMBDA_TIMEOUT_S = 3


def serverless_functions(documents: list[LocatedDocument], path: str) -> list[Function]:
    """Functions of a ``serverless.yml`` (Serverless Framework) or a SAM/CloudFormation template."""
    functions: list[Function] = []
    for document in documents:
        tree = _mapping(document.tree)
        if isinstance(tree.get("functions"), dict):
            functions.extend(_framework_functions(document, path, tree))
        elif isinstance(tree.get("Resources"), dict):
            functions.extend(_template_functions(document, path, tree))
    return functions


def _framework_functions(document: LocatedDocument, path: str, tree: dict[str, Any]) -> Iterator[Function]:
    provider = _mapping(tree.get("provider"))
    for name, function in tree["functions"].items():
        if not isinstance(function, dict):
            continue
        at = ("functions", name)
        memory = _memory(document, function, at, "memorySize") or _memory(document, provider, ("provider",), "memorySize")
        timeout = whole_number(function.get("timeout", provider.get("timeout", SERVERLESS_FRAMEWORK_TIMEOUT_S)))
        runtime = function.get("runtime", provider.get("runtime"))
        settings = settings_in_tree(document, _mapping(provider.get("environment")), ("provider", "environment"))
        settings += settings_in_tree(document, _mapping(function.get("environment")), (*at, "environment"))
        yield Function(
            path,
            document.line(*at),
            str(name),
            runtime if isinstance(runtime, str) else None,
            memory or Amount(SERVERLESS_FRAMEWORK_MEMORY_MIB * MIB, "", document.line(*at)),
            memory is None,
            timeout,
            whole_number(function.get("provisionedConcurrency")),
            whole_number(function.get("reservedConcurrency")),
            function.get("snapStart") is True,
            tuple(settings),
        )


def _template_functions(document: LocatedDocument, path: str, tree: dict[str, Any]) -> Iterator[Function]:
    defaults = _mapping(_mapping(tree.get("Globals")).get("Function"))
    for name, resource in tree["Resources"].items():
        resource = _mapping(resource)
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        at = ("Resources", name, "Properties")
        properties = _mapping(resource.get("Properties"))
        memory = _memory(document, properties, at, "MemorySize") or _memory(document, defaults, ("Globals", "Function"), "MemorySize")
        runtime = properties.get("Runtime", defaults.get("Runtime"))
        provisioned = _mapping(properties.get("ProvisionedConcurrencyConfig")).get("ProvisionedConcurrentExecutions")
        snap_start = _mapping(properties.get("SnapStart", defaults.get("SnapStart"))).get("ApplyOn") == "PublishedVersions"
        variables = ("Environment", "Variables")
        settings = settings_in_tree(document, _mapping(_mapping(defaults.get("Environment")).get("Variables")), ("Globals", "Function", *variables))
        settings += settings_in_tree(document, _mapping(_mapping(properties.get("Environment")).get("Variables")), (*at, *variables))
        yield Function(
            path,
            document.line("Resources", name),
            str(name),
            runtime if isinstance(runtime, str) else None,
            memory or Amount(LAMBDA_MEMORY_MIB * MIB, "", document.line("Resources", name)),
            memory is None,
            whole_number(properties.get("Timeout", defaults.get("Timeout", LAMBDA_TIMEOUT_S))),
            whole_number(provisioned),
            whole_number(properties.get("ReservedConcurrentExecutions")),
            snap_start,
            tuple(settings),
        )


def _memory(document: LocatedDocument, node: dict[str, Any], at: tuple[str | int, ...], key: str) -> Amount | None:
    return _amount(document, node, at, key, mebibytes)

