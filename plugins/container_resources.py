"""Resource rules (RES1xx): what a service's containers request and may use, how many run, and its footprint.

Evidence comes from :mod:`readiness_plugins._runtime_evidence`: compose
``deploy.resources``/``mem_limit``/``cpus``/``replicas``, Kubernetes requests and limits,
replicas, HorizontalPodAutoscalers, KEDA and Knative autoscaling, probes and
PodDisruptionBudgets, Helm ``values.yaml``, serverless function memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, Diagnostic, Fact, Finding, Repository, Rule, Service
from readiness_plugins._deploy_specs import Amount, Container, Scaling, Workload
from readiness_plugins._quantities import format_bytes, format_millicores
from readiness_plugins._runtime_evidence import ServiceRuntime, primary_workloads, service_runtime

SLOW_START_SECONDS = 30
"""A probe that allows this long or longer before a container must answer marks a slow start.

Override with ``[tool.readiness.plugins.container_resources] slow_start_seconds = N``."""

CONTAINER_RESOURCES = Rule(
    id="RES101",
    title="container-resources",
    criterion=Criterion.COST,
    doc="""
## What it finds
The CPU and memory each container of a service requests and is limited to: Kubernetes
`resources.requests`/`resources.limits`, compose `deploy.resources` (or `mem_limit`,
`mem_reservation`, `cpus`), Helm `values.yaml` `resources` blocks. Values are exact, in
the unit rules of the tool that reads them: `512Mi` is 536870912 bytes, Kubernetes' `1G`
is 10^9 bytes but compose's `1G` is 2^30, `500m` and `0.5` are 500 millicores.

Facts: `memory_request_bytes`, `memory_limit_bytes`, `cpu_request_millicores`,
`cpu_limit_millicores`, `source`, `container`.

## Why it matters for a Rust rewrite
Requests and limits are what a replica costs: the scheduler reserves them whether the
service uses them or not. A Rust service typically needs a fraction of the memory of
the same service on a collected runtime, so these figures bound the saving.

## Example
```yaml
resources:
  requests: {cpu: 500m, memory: 512Mi}
  limits: {cpu: "2", memory: 1Gi}
```
""",
)

REPLICA_COUNT = Rule(
    id="RES102",
    title="replica-count",
    criterion=Criterion.COST,
    doc="""
## What it finds
A fixed number of replicas declared for a workload: Kubernetes `spec.replicas`, compose
`deploy.replicas` (or `scale`), Helm `replicaCount`, a kustomization's `replicas`
override.

Facts: `replicas`, `replicas_min`, `replicas_max` (all equal), `source`.

## Why it matters for a Rust rewrite
Every replica pays the runtime's memory and CPU again; fewer, smaller replicas are
where a rewrite's savings add up.

## Example
```yaml
spec:
  replicas: 3
```
""",
)

AUTOSCALING = Rule(
    id="RES103",
    title="autoscaling-range",
    criterion=Criterion.COST,
    doc="""
## What it finds
An autoscaler for a workload with its range and targets: a HorizontalPodAutoscaler
(`minReplicas` defaults to 1; `autoscaling/v1` and `v2` targets), a KEDA `ScaledObject`
(0 to 100 by default), a Knative Service, Helm `autoscaling` values. Autoscalers are
matched to the workload by `scaleTargetRef.name`, in the workload's file and the
manifests next to it.

Facts: `autoscaler`, `replicas_min`, `replicas_max`, `target_cpu_percent`,
`target_memory_percent`.

## Why it matters for a Rust rewrite
The maximum is how many copies run at peak: the footprint a rewrite shrinks. A CPU
target below 100% is headroom paid for on every replica.

## Example
```yaml
kind: HorizontalPodAutoscaler
spec:
  minReplicas: 3
  maxReplicas: 12
```
""",
)

SLOW_STARTUP_PROBE = Rule(
    id="RES104",
    title="slow-startup-probe",
    criterion=Criterion.COST,
    doc="""
## What it finds
A container whose probes give it a long time to start: a startup probe allowing
`initialDelaySeconds + periodSeconds x failureThreshold`, or a liveness probe whose
first check waits `initialDelaySeconds`, of 30 seconds or more (configurable:
`[tool.readiness.plugins.container_resources] slow_start_seconds`).

Facts: `startup_grace_seconds`, `probe`, `container`.

## Why it matters for a Rust rewrite
Teams set these delays because the service really does take that long to start. Slow
starts make autoscaling late and force spare replicas; a Rust binary is ready in
milliseconds.

## Example
```yaml
livenessProbe:
  httpGet: {path: /actuator/health/liveness, port: http}
  initialDelaySeconds: 60
```
""",
)

DISRUPTION_BUDGET = Rule(
    id="RES105",
    title="disruption-budget",
    criterion=Criterion.COST,
    doc="""
## What it finds
A PodDisruptionBudget whose selector matches a workload's pod labels, with the number
or share of replicas that must stay available.

Facts: `min_available` or `max_unavailable` (as written: `2` or `"50%"`), `budget`.

## Why it matters for a Rust rewrite
A budget is a floor under the replica count during every node drain and upgrade: the
service is important enough that capacity is held back for it, which raises what each
replica's footprint costs.

## Example
```yaml
kind: PodDisruptionBudget
spec:
  minAvailable: 2
  selector: {matchLabels: {app: checkout}}
```
""",
)

SERVICE_FOOTPRINT = Rule(
    id="RES106",
    title="service-footprint",
    criterion=Criterion.COST,
    doc="""
## What it finds
An estimate of the memory (and CPU) a service holds at its peak: memory per replica
times the most replicas it runs. Per replica is the sum over the pod's containers of
each memory limit, or its request when there is no limit, or the heap cap when neither
is written. Replicas are the autoscaler's maximum, else the declared count, else one.
Kubernetes manifests are preferred to Helm values, and both to compose files, as the
best description of production. Serverless functions count their memory times their
provisioned or reserved concurrency (else one). The message and the facts state which
figures were used.

Facts: `memory_per_replica_bytes`, `replicas_min`, `replicas_max`, `footprint_bytes`,
`footprint_min_bytes`, `cpu_per_replica_millicores`, `cpu_footprint_millicores`,
`memory_basis` (`limit`, `request`, `heap`), `replicas_basis`, `source`.

## Why it matters for a Rust rewrite
It is the figure to rank services by for the cost criterion: what the service holds
at peak, which a rewrite on a smaller runtime divides. It is an upper bound: it
assumes every replica uses its full limit.

## Example
```yaml
# 1 GiB limit per replica, HPA maxReplicas 12: footprint up to 12 GiB
```
""",
)

RULES = (CONTAINER_RESOURCES, REPLICA_COUNT, AUTOSCALING, SLOW_STARTUP_PROBE, DISRUPTION_BUDGET, SERVICE_FOOTPRINT)


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_analyze_service(service: Service, repo: Repository, settings: Settings) -> list[Finding | Diagnostic]:
    evidence = service_runtime(service, repo)
    slow_start = settings.plugins.get("container_resources", {}).get("slow_start_seconds", SLOW_START_SECONDS)
    findings: list[Finding | Diagnostic] = list(evidence.warnings)
    for workload in evidence.workloads:
        for container in workload.containers:
            findings += _container(workload, container, slow_start if isinstance(slow_start, int) else SLOW_START_SECONDS)
        findings += [_replicas(s) for s in workload.scaling if s.replicas is not None]
        findings += [_autoscaling(s) for s in workload.scaling if s.replicas is None]
    findings += [_replicas(s) if s.replicas is not None else _autoscaling(s) for s in evidence.autoscalers]
    for budget in evidence.budgets:
        facts: dict[str, Fact] = {"budget": budget.name}
        if budget.min_available is not None:
            facts["min_available"] = budget.min_available
        if budget.max_unavailable is not None:
            facts["max_unavailable"] = budget.max_unavailable
        held = f"at least {budget.min_available} available" if budget.min_available else f"at most {budget.max_unavailable} unavailable"
        message = f"disruption budget {budget.name} keeps {held} through drains and upgrades"
        findings.append(DISRUPTION_BUDGET.finding(budget.path, budget.line, message, snippet=budget.name, facts=facts))
    footprint = _footprint(evidence)
    if footprint is not None:
        findings.append(footprint)
    return findings


def _container(workload: Workload, container: Container, slow_start: int) -> list[Finding]:
    findings = []
    amounts = {
        "memory_request_bytes": container.memory_request,
        "memory_limit_bytes": container.memory_limit,
        "cpu_request_millicores": container.cpu_request,
        "cpu_limit_millicores": container.cpu_limit,
    }
    if any(amounts.values()):
        facts: dict[str, Fact] = {name: amount.value for name, amount in amounts.items() if amount is not None}
        facts.update(source=workload.source, container=container.name)
        message = f"{container.name}: {_resources_text(container)} ({workload.object_kind} in {workload.path})"
        findings.append(CONTAINER_RESOURCES.finding(workload.path, container.resources_line, message, snippet=f"{workload.name}/{container.name}", facts=facts))
    for probe in container.probes:
        grace = probe.startup_allowance_s
        if grace is not None and grace >= slow_start:
            message = f"{container.name}: the {probe.kind} probe allows {grace} s before the container must answer: a slow start, paid at every scale-out"
            facts = {"startup_grace_seconds": grace, "probe": probe.kind, "container": container.name}
            findings.append(SLOW_STARTUP_PROBE.finding(workload.path, probe.line, message, snippet=f"{container.name} {probe.kind}", facts=facts))
    return findings


def _resources_text(container: Container) -> str:
    def pair(cpu: Amount | None, memory: Amount | None) -> str:
        parts = []
        if cpu is not None:
            parts.append(format_millicores(cpu.value))
        if memory is not None:
            parts.append(format_bytes(memory.value))
        return " / ".join(parts)

    texts = []
    if container.cpu_request or container.memory_request:
        texts.append(f"requests {pair(container.cpu_request, container.memory_request)}")
    if container.cpu_limit or container.memory_limit:
        texts.append(f"limits {pair(container.cpu_limit, container.memory_limit)}")
    return ", ".join(texts)


def _replicas(scaling: Scaling) -> Finding:
    assert scaling.replicas is not None
    facts: dict[str, Fact] = {"replicas": scaling.replicas, "replicas_min": scaling.replicas, "replicas_max": scaling.replicas, "source": scaling.source}
    message = f"{scaling.target} runs {scaling.replicas} replica{'s' if scaling.replicas != 1 else ''} ({scaling.source})"
    return REPLICA_COUNT.finding(scaling.path, scaling.line, message, snippet=f"{scaling.source} {scaling.target}", facts=facts)


def _autoscaling(scaling: Scaling) -> Finding:
    facts: dict[str, Fact] = {"autoscaler": scaling.source}
    for name, value in (
        ("replicas_min", scaling.min_replicas),
        ("replicas_max", scaling.max_replicas),
        ("target_cpu_percent", scaling.target_cpu_percent),
        ("target_memory_percent", scaling.target_memory_percent),
    ):
        if value is not None:
            facts[name] = value
    upper = scaling.max_replicas if scaling.max_replicas is not None else "no limit"
    targets = [f"{value}% {name}" for name, value in (("CPU", scaling.target_cpu_percent), ("memory", scaling.target_memory_percent)) if value is not None]
    at = f" at {' and '.join(targets)}" if targets else ""
    message = f"{scaling.target} autoscales from {scaling.min_replicas} to {upper} replicas{at} ({_AUTOSCALER_NAMES[scaling.source]})"
    return AUTOSCALING.finding(scaling.path, scaling.line, message, snippet=f"{scaling.source} {scaling.target}", facts=facts)


_REPLICA_SOURCES = {"replicas": "declared replicas", "compose": "compose replicas", "helm": "Helm replicaCount", "kustomize": "kustomize replicas"}
_AUTOSCALER_NAMES = {"hpa": "HorizontalPodAutoscaler", "keda": "KEDA ScaledObject", "knative": "Knative", "helm": "Helm autoscaling values", "kustomize": "kustomize"}


@dataclass(frozen=True, slots=True)
class _Sized:
    """One workload's share of the footprint."""

    workload: Workload
    memory: int
    memory_basis: str
    cpu: int | None
    replicas_min: int
    replicas_max: int
    replicas_basis: str


def _footprint(evidence: ServiceRuntime) -> Finding | None:
    sized = [s for s in (_size(w, evidence) for w in primary_workloads(evidence)) if s is not None]
    if not sized:
        return _function_footprint(evidence)
    memory = sum(s.memory for s in sized)
    peak = sum(s.memory * s.replicas_max for s in sized)
    low = sum(s.memory * s.replicas_min for s in sized)
    first = sized[0]
    facts: dict[str, Fact] = {
        "memory_per_replica_bytes": memory,
        "replicas_min": min(s.replicas_min for s in sized),
        "replicas_max": max(s.replicas_max for s in sized),
        "footprint_bytes": peak,
        "footprint_min_bytes": low,
        "memory_basis": "+".join(sorted({s.memory_basis for s in sized})),
        "replicas_basis": "+".join(sorted({s.replicas_basis for s in sized})),
        "source": first.workload.source,
    }
    if all(s.cpu is not None for s in sized):
        facts["cpu_per_replica_millicores"] = sum(s.cpu or 0 for s in sized)
        facts["cpu_footprint_millicores"] = sum((s.cpu or 0) * s.replicas_max for s in sized)
    parts = [
        f"{format_bytes(s.memory)} memory {s.memory_basis} per replica x {s.replicas_max} replica{'s' if s.replicas_max != 1 else ''} ({s.replicas_basis}, {s.workload.path})"
        for s in sized
    ]
    cpu = f", {format_millicores(int(facts['cpu_footprint_millicores']))}" if "cpu_footprint_millicores" in facts else ""
    floor = f"at least {format_bytes(low)}" if low else "nothing when scaled to zero"
    message = f"footprint up to {format_bytes(peak)}{cpu}: {'; '.join(parts)}; {floor}. Assumes every replica uses its full memory figure"
    line = first.workload.containers[0].resources_line if first.workload.containers else first.workload.line
    return SERVICE_FOOTPRINT.finding(first.workload.path, line, message, snippet="footprint", facts=facts)


def _size(workload: Workload, evidence: ServiceRuntime) -> _Sized | None:
    memory, bases = 0, set[str]()
    for container in workload.containers:
        if container.memory_limit:
            memory, bases = memory + container.memory_limit.value, bases | {"limit"}
        elif container.memory_request:
            memory, bases = memory + container.memory_request.value, bases | {"request"}
    if not memory:
        heaps = [s.flag.value for s in evidence.settings if s.flag.fact == "heap_max_bytes" and isinstance(s.flag.value, int)]
        if not heaps:
            return None
        memory, bases = max(heaps), {"heap"}
    cpus = [c.cpu_limit or c.cpu_request for c in workload.containers]
    cpu = sum(amount.value for amount in cpus if amount is not None) if all(cpus) else None
    scalers = [s for s in (*evidence.autoscalers, *workload.scaling) if s.target == workload.name or s in workload.scaling]
    ranged = [s for s in scalers if s.max_replicas is not None]
    fixed = [s for s in scalers if s.replicas is not None]
    if ranged:
        chosen = max(ranged, key=lambda s: s.max_replicas or 0)
        assert chosen.max_replicas is not None
        low, high, basis = chosen.min_replicas or 0, chosen.max_replicas, f"{_AUTOSCALER_NAMES[chosen.source]} maximum"
    elif fixed:
        # A kustomization's replicas override the manifest's own.
        chosen = max(fixed, key=lambda s: s.source == "kustomize")
        assert chosen.replicas is not None
        low = high = chosen.replicas
        basis = _REPLICA_SOURCES[chosen.source]
    else:
        low = high = 1
        basis = "one replica assumed"
    return _Sized(workload, memory, "+".join(sorted(bases)), cpu, low, high, basis)


def _function_footprint(evidence: ServiceRuntime) -> Finding | None:
    if not evidence.functions:
        return None
    total = 0
    parts = []
    for function in evidence.functions:
        copies = function.provisioned_concurrency or function.reserved_concurrency or 1
        total += function.memory.value * copies
        parts.append(f"{function.name} {format_bytes(function.memory.value)} x {copies}")
    first = evidence.functions[0]
    facts: dict[str, Fact] = {
        "memory_per_replica_bytes": first.memory.value,
        "footprint_bytes": total,
        "replicas_basis": "concurrent invocations",
        "memory_basis": "function memory",
        "source": "serverless",
    }
    message = f"footprint {format_bytes(total)} per set of concurrent invocations ({', '.join(parts)}); assumes one invocation each unless concurrency is reserved or provisioned"
    return SERVICE_FOOTPRINT.finding(first.path, first.line, message, snippet="footprint", facts=facts)
