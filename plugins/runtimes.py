"""Runtime rules (RUN1xx): the runtime a service runs on, its collector, heap and workers, and how it starts.

Evidence comes from :mod:`readiness_plugins._runtime_evidence`: Dockerfiles, compose,
Kubernetes, Helm values, serverless templates, entry scripts and runtime config files.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, Diagnostic, Fact, Finding, Repository, Rule, Service
from readiness_plugins._deploy_specs import Container
from readiness_plugins._quantities import format_bytes
from readiness_plugins._runtime_evidence import RuntimeChoice, ServiceRuntime, Setting, main_container, service_runtime
from readiness_plugins._runtime_flags import FlagKind, facts_of
from readiness_plugins._runtimes import JVM, RUNTIMES, function_runtime

SERVER_CLASS_CPUS = 2
SERVER_CLASS_MEMORY_BYTES = 1792 << 20
"""Below either, the JVM does not consider the machine "server class" and picks the Serial collector.

It counts CPUs as the container's CPU limit rounded up, so 1.5 CPUs is 2."""
STARTUP_AIDS = ("jvm_app_cds", "jvm_crac", "spring_aot")

GARBAGE_COLLECTED_RUNTIME = Rule(
    id="RUN101",
    title="garbage-collected-runtime",
    criterion=Criterion.LATENCY,
    doc="""
## What it finds
A service whose process runs on a garbage-collected runtime (the JVM, .NET, Node.js,
CPython, Go, Ruby, PHP, the BEAM), with the collector it uses: the one its flags choose,
or the runtime's default. For the JVM the default depends on the container: with fewer
than 2 CPUs or less than 1792 MiB the JVM is not "server class" and uses the Serial
collector, so readiness reads the service's CPU and memory limits to say which.

The runtime is recognised, most direct first, from the program the container starts
(`ENTRYPOINT`/`CMD`), the final image's base, the stage that built its binary, a
function's runtime id, a deployed container's image, and last a build manifest (with
lower confidence; the service's main language picks among several manifests). The main
language alone is not enough: code in a language does not say how it runs.

Facts: `runtime`, `gc`, `gc_source` (`flag`, `default`), `garbage_collected`.

## Why it matters for a Rust rewrite
Garbage collection causes unpredictable pauses; Rust frees memory deterministically
and gives predictable, stable response times. A collected runtime also needs headroom
above its live data, which is memory a Rust service does not pay for.

## Example
```dockerfile
FROM eclipse-temurin:17-jdk
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/app.jar"]   # JVM, G1 by default
```
""",
)

GC_TUNING = Rule(
    id="RUN102",
    title="gc-tuning",
    criterion=Criterion.LATENCY,
    level="warning",
    doc="""
## What it finds
Settings that choose or tune the garbage collector, wherever they are written
(Dockerfile `ENV`/`CMD`, compose and Kubernetes `env` and `args`, Helm values, entry
scripts, `jvm.config`, `runtimeconfig.json`, `.csproj`): JVM collector choice (`G1`,
`ZGC`, `Shenandoah`, `Parallel`, `Serial`) and tuning (`MaxGCPauseMillis`, GC threads,
`InitiatingHeapOccupancyPercent`), `GOGC`, .NET `ServerGarbageCollector` and
`ConcurrentGarbageCollection`, Node's `--max-semi-space-size`, `RUBY_GC_*`.

Facts: one per setting (`gc`, `max_gc_pause_ms`, `gogc`, `dotnet_server_gc`...), and
`runtime`.

## Why it matters for a Rust rewrite
Nobody tunes a collector that causes no trouble: a pause goal or a hand-picked
collector is evidence the team has fought latency spikes or memory growth. Rust has no
collector to tune.

## Example
```yaml
env:
  - name: JAVA_OPTS
    value: "-XX:+UseG1GC -XX:MaxGCPauseMillis=100"
  - name: GOGC
    value: "50"
```
""",
)

HEAP_SETTINGS = Rule(
    id="RUN103",
    title="heap-settings",
    criterion=Criterion.COST,
    doc="""
## What it finds
Settings that size the runtime's heap: `-Xmx`/`-Xms`, `MaxRAMPercentage`, metaspace and
direct-memory limits, `GOMEMLIMIT`, Node's `--max-old-space-size`, .NET
`GCHeapHardLimit`, `MALLOC_ARENA_MAX`. When a heap is a percentage of the container's
memory and the limit is known, the heap it works out to is given too.

Facts: `heap_max_bytes`, `heap_initial_bytes`, `heap_max_ram_percent`,
`heap_from_percent_bytes`, `go_memory_limit_bytes`, ... and `runtime`.

## Why it matters for a Rust rewrite
A heap is memory reserved per replica, sized for the collector's headroom as much as
for live data. The same service in Rust needs only what it holds, so heap sizes are a
direct measure of what a rewrite could save in infrastructure.

## Example
```dockerfile
ENV JAVA_OPTS="-Xms1g -Xmx2g"
CMD ["node", "--max-old-space-size=2048", "server.js"]
```
""",
)

WORKER_PROCESSES = Rule(
    id="RUN104",
    title="worker-processes",
    criterion=Criterion.COST,
    doc="""
## What it finds
How many worker processes and threads a service's server runs: gunicorn, uvicorn,
uwsgi, hypercorn, celery, Puma and Unicorn worker and thread counts (from their command
lines, `GUNICORN_CMD_ARGS`, `WEB_CONCURRENCY`, `gunicorn.conf.py`, `uwsgi.ini`,
`config/puma.rb`), and Go's `GOMAXPROCS`.

Facts: `server`, `workers`, `threads`, `worker_class`, `gomaxprocs`, `runtime`.

## Why it matters for a Rust rewrite
An interpreter that cannot run threads in parallel scales by forking: every worker is
a full copy of the runtime and the application, so memory per replica grows with the
worker count. One Rust process serves the same concurrency on an async runtime.

## Example
```dockerfile
CMD gunicorn app.main:app --workers 4 --threads 8
```
""",
)

SERVERLESS_FUNCTION = Rule(
    id="RUN105",
    title="serverless-function",
    criterion=Criterion.COST,
    doc="""
## What it finds
A serverless function (AWS Lambda through the Serverless Framework, SAM or
CloudFormation) with its runtime, memory size and timeout. When memory is not written,
the platform default applies (1024 MB in the Serverless Framework, 128 MB for Lambda)
and `memory_default` says so. A function on a slow-starting runtime (JVM, .NET) without
SnapStart or provisioned concurrency is marked cold-start sensitive.

Facts: `runtime`, `function_runtime`, `memory_bytes`, `memory_default`,
`timeout_seconds`, `provisioned_concurrency`, `reserved_concurrency`, `snap_start`,
`cold_start_sensitive`.

## Why it matters for a Rust rewrite
Functions are billed by memory and duration, and every cold start is paid in latency.
A Rust function starts in milliseconds and needs a fraction of the memory, which is
the documents' case for Rust in serverless.

## Example
```yaml
functions:
  resize:
    runtime: java17
    memorySize: 2048
    timeout: 30
```
""",
)

SCALE_TO_ZERO = Rule(
    id="RUN106",
    title="scale-to-zero",
    criterion=Criterion.COST,
    doc="""
## What it finds
A workload that scales down to zero replicas: a KEDA `ScaledObject` (whose minimum is 0
unless set), a Knative Service (which scales to zero unless `min-scale` says otherwise),
or an autoscaler with a minimum of 0.

Facts: `autoscaler`, `replicas_min`, `replicas_max`, `runtime`, `slow_start`.

## Why it matters for a Rust rewrite
Scaling to zero saves money only if starting again is fast: the first request after
idle waits for a whole runtime to start. A JVM or .NET service pays seconds; a Rust
binary starts in milliseconds.

## Example
```yaml
kind: ScaledObject
spec:
  scaleTargetRef: {name: billing}
  minReplicaCount: 0
```
""",
)

JVM_STARTUP = Rule(
    id="RUN107",
    title="jvm-startup-unoptimized",
    criterion=Criterion.COST,
    doc="""
## What it finds
A JVM service whose image starts the JVM without any of the start-up aids: application
class-data sharing (`-XX:SharedArchiveFile`, `-XX:+AutoCreateSharedArchive`), a CRaC
checkpoint, Spring AOT, or a GraalVM native image. (The JDK's own default CDS archive is
on by default since JDK 12 and does not count: it covers the JDK's classes, not the
application's.) The longest start-up grace its probes allow is given when known.

Facts: `runtime`, `startup_aids` (`none`), `autoscaled`, `startup_grace_seconds`.

## Why it matters for a Rust rewrite
A JVM spends its first seconds loading classes and warming up the JIT; every scale-out,
deployment and crash recovery pays it, and replicas must be provisioned ahead of load
because new ones are slow to help. Small Rust binaries start fast, which the documents
cite for containers and serverless.

## Example
```dockerfile
FROM eclipse-temurin:17-jre
ENTRYPOINT ["java", "-jar", "/app.jar"]
```
""",
)

RULES = (GARBAGE_COLLECTED_RUNTIME, GC_TUNING, HEAP_SETTINGS, WORKER_PROCESSES, SERVERLESS_FUNCTION, SCALE_TO_ZERO, JVM_STARTUP)

_ORIGIN_CONFIDENCE = {"entry script": 0.8, "Procfile": 0.9}
_DEPLOYMENT_ORIGINS = ("Kubernetes manifest", "Helm values", "compose", "function environment")


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_analyze_service(service: Service, repo: Repository, settings: Settings) -> list[Finding | Diagnostic]:
    evidence = service_runtime(service, repo)
    findings: list[Finding | Diagnostic] = list(evidence.warnings)
    runtime = evidence.runtime
    if runtime is not None and RUNTIMES[runtime.name].garbage_collected:
        findings.append(_garbage_collected(service, runtime, evidence))
    findings += _settings_findings(GC_TUNING, evidence, FlagKind.GC, _describe_gc)
    findings += _settings_findings(HEAP_SETTINGS, evidence, FlagKind.HEAP, _describe_heap)
    findings += _settings_findings(WORKER_PROCESSES, evidence, FlagKind.WORKERS, _describe_workers)
    findings += _functions(evidence)
    findings += _scale_to_zero(evidence)
    if runtime is not None and runtime.name == JVM:
        findings += _jvm_startup(runtime, evidence)
    return findings


def _garbage_collected(service: Service, runtime: RuntimeChoice, evidence: ServiceRuntime) -> Finding:
    gc, source = _collector(runtime.name, evidence)
    return GARBAGE_COLLECTED_RUNTIME.finding(
        runtime.path,
        runtime.line,
        f"{service.name} runs on {runtime.name} ({runtime.reason}), collected by {gc} ({source}): "
        "collection pauses and heap headroom that a Rust service does not have",
        snippet=f"{service.name} {runtime.name}",
        confidence=runtime.confidence,
        facts={"runtime": runtime.name, "gc": gc, "gc_source": "flag" if source == "set by a flag" else "default", "garbage_collected": True},
    )


def _collector(runtime: str, evidence: ServiceRuntime) -> tuple[str, str]:
    """The collector in effect and why: a flag (deployment settings win over the image's), or the default."""
    chosen = [s for s in evidence.settings if s.flag.fact in ("gc", "dotnet_server_gc")]
    chosen.sort(key=lambda s: s.origin in _DEPLOYMENT_ORIGINS)
    if chosen:
        flag = chosen[-1].flag
        if flag.fact == "gc":
            return str(flag.value), "set by a flag"
        return ("server GC" if flag.value else "workstation GC"), "set by a flag"
    default = RUNTIMES[runtime].default_gc or "none"
    if runtime != JVM:
        return default, "the runtime's default"
    container = main_container(evidence)
    cpu = container.cpu_limit.value if container and container.cpu_limit else None
    memory = container.memory_limit.value if container and container.memory_limit else None
    if (cpu is not None and math.ceil(cpu / 1000) < SERVER_CLASS_CPUS) or (memory is not None and memory < SERVER_CLASS_MEMORY_BYTES):
        return "Serial", "the JVM's default in a container under 2 CPUs or 1792 MiB"
    return default, "the JVM's default"


def _settings_findings(rule: Rule, evidence: ServiceRuntime, kind: FlagKind, describe: Callable[[dict[str, Fact]], str]) -> list[Finding]:
    """One finding per place the settings are written: a line, or a whole options or config file."""
    by_place: dict[tuple[str, int], list[Setting]] = defaultdict(list)
    for setting in evidence.settings:
        if setting.flag.kind is kind:
            by_place[(setting.path, 0 if setting.origin in _WHOLE_FILE_ORIGINS else setting.line)].append(setting)
    findings = []
    for (path, _), found in sorted(by_place.items()):
        facts: dict[str, Fact] = dict(facts_of(s.flag for s in found))
        if kind is FlagKind.WORKERS and not _COUNTED_WORKERS.intersection(facts):
            continue  # only a server's name: how many workers it runs is said elsewhere or left to its default
        runtime = next((s.flag.runtime for s in found if s.flag.runtime), None) or (evidence.runtime.name if evidence.runtime else None)
        if runtime:
            facts["runtime"] = runtime
        percent = facts.get("heap_max_ram_percent")
        container = main_container(evidence, found[0])
        if kind is FlagKind.HEAP and isinstance(percent, int | float) and container is not None and container.memory_limit:
            facts["heap_from_percent_bytes"] = int(container.memory_limit.value * percent / 100)
        line = min(s.line for s in found if s.flag.fact != "server") if any(s.flag.fact != "server" for s in found) else found[0].line
        written = " ".join(dict.fromkeys(s.flag.text for s in found))
        message = f"{describe(facts)} ({written}, {found[0].origin})"
        confidence = min(_ORIGIN_CONFIDENCE.get(s.origin, 1.0) for s in found)
        findings.append(rule.finding(path, line, message, snippet=written, confidence=confidence, facts=facts))
    return findings


_WHOLE_FILE_ORIGINS = frozenset({"JVM options file", "server config", "runtime config", "project file"})
_COUNTED_WORKERS = frozenset({"workers", "threads", "worker_class", "gomaxprocs"})
_GC_LABELS: dict[str, Callable[[Fact], str]] = {
    "gc": lambda value: f"{value} collector chosen",
    "max_gc_pause_ms": lambda value: f"pause goal {value} ms",
    "gogc": lambda value: f"GOGC={value}",
    "dotnet_server_gc": lambda value: "server GC" if value else "workstation GC",
    "dotnet_concurrent_gc": lambda value: "background GC " + ("on" if value else "off"),
    "dotnet_gen0_bytes": lambda value: f"gen0 budget {format_bytes(int(value))}",
    "dotnet_retain_vm": lambda value: "memory kept by the GC after collections" if value else "memory returned after collections",
}


def _describe_gc(facts: dict[str, Fact]) -> str:
    parts = [_GC_LABELS[name](value) if name in _GC_LABELS else f"{name}={value}" for name, value in facts.items() if name != "runtime"]
    return f"{', '.join(parts)}: the team tunes the {facts.get('runtime', 'runtime')} collector, evidence of pause or memory pain"


_HEAP_LABELS: dict[str, Callable[[Fact], str]] = {
    "heap_max_bytes": lambda value: f"heap capped at {format_bytes(int(value))}",
    "heap_initial_bytes": lambda value: f"starting heap {format_bytes(int(value))}",
    "heap_soft_max_bytes": lambda value: f"soft heap cap {format_bytes(int(value))}",
    "go_memory_limit_bytes": lambda value: f"soft memory limit {format_bytes(int(value))}",
    "metaspace_max_bytes": lambda value: f"metaspace capped at {format_bytes(int(value))}",
    "direct_memory_max_bytes": lambda value: f"direct memory capped at {format_bytes(int(value))}",
    "jvm_max_ram_bytes": lambda value: f"the JVM sizes itself for {format_bytes(int(value))}",
    "heap_initial_ram_percent": lambda value: f"starting heap {value:g}% of the container's memory",
    "heap_min_ram_percent": lambda value: f"small-machine heap {value:g}% of memory",
    "malloc_arena_max": lambda value: f"{value} malloc arenas",
    "heap_pretouch": lambda value: "heap pre-touched at start" if value else "heap not pre-touched",
}


def _describe_heap(facts: dict[str, Fact]) -> str:
    parts = [_HEAP_LABELS[name](value) for name, value in facts.items() if name in _HEAP_LABELS]
    percent = facts.get("heap_max_ram_percent")
    if isinstance(percent, int | float):
        derived = facts.get("heap_from_percent_bytes")
        share = f"heap up to {percent:g}% of the container's memory"
        parts.append(share + (f" ({format_bytes(int(derived))})" if isinstance(derived, int) else ""))
    return f"{', '.join(parts)}: memory reserved per {facts.get('runtime', 'runtime')} replica"


def _describe_workers(facts: dict[str, Fact]) -> str:
    server = facts.get("server", "the server")
    if "gomaxprocs" in facts and "workers" not in facts:
        return f"GOMAXPROCS={facts['gomaxprocs']}: Go's parallelism set by hand"
    workers = facts.get("workers")
    threads = facts.get("threads")
    counted = f"{workers} worker processes" if workers is not None else "its worker model set"
    if threads is not None:
        counted += f" x {threads} threads"
    return f"{server} runs {counted}: each worker holds a full copy of the runtime and the app"


def _functions(evidence: ServiceRuntime) -> list[Finding]:
    findings = []
    for function in evidence.functions:
        runtime = function_runtime(function.runtime_id or "")
        slow = runtime is not None and RUNTIMES[runtime].slow_start
        sensitive = slow and not function.snap_start and not function.provisioned_concurrency
        facts: dict[str, Fact] = {
            "memory_bytes": function.memory.value,
            "memory_default": function.memory_default,
            "snap_start": function.snap_start,
            "cold_start_sensitive": sensitive,
        }
        optional = {
            "runtime": runtime,
            "function_runtime": function.runtime_id,
            "timeout_seconds": function.timeout_s,
            "provisioned_concurrency": function.provisioned_concurrency,
            "reserved_concurrency": function.reserved_concurrency,
        }
        facts.update({key: value for key, value in optional.items() if value is not None})
        memory = format_bytes(function.memory.value) + (" (platform default)" if function.memory_default else "")
        timeout = f", timeout {function.timeout_s} s" if function.timeout_s is not None else ""
        cold = "; cold starts pay the runtime's start-up" if sensitive else ""
        message = f"function {function.name} on {function.runtime_id or 'an unknown runtime'} with {memory}{timeout}: billed per MB-second{cold}"
        findings.append(SERVERLESS_FUNCTION.finding(function.path, function.line, message, snippet=function.name, facts=facts))
    return findings


def _scale_to_zero(evidence: ServiceRuntime) -> list[Finding]:
    scalers = list(evidence.autoscalers) + [s for w in evidence.workloads for s in w.scaling if s.source == "knative"]
    runtime = evidence.runtime.name if evidence.runtime else None
    slow = runtime is not None and RUNTIMES[runtime].slow_start
    findings = []
    for scaler in scalers:
        if scaler.min_replicas != 0:
            continue
        facts: dict[str, Fact] = {"autoscaler": scaler.source, "replicas_min": 0, "slow_start": slow}
        if scaler.max_replicas is not None:
            facts["replicas_max"] = scaler.max_replicas
        if runtime:
            facts["runtime"] = runtime
        start = f": every scale-up from zero waits for {runtime} to start" if slow else ": the first request after idle waits for a start"
        message = f"{scaler.target} scales to zero ({scaler.source}){start}"
        findings.append(SCALE_TO_ZERO.finding(scaler.path, scaler.line, message, snippet=f"{scaler.source} {scaler.target}", facts=facts))
    return findings


def _jvm_startup(runtime: RuntimeChoice, evidence: ServiceRuntime) -> list[Finding]:
    if any(s.flag.fact in STARTUP_AIDS and s.flag.value is True for s in evidence.settings):
        return []
    # Functions are judged by RUN105, which knows about SnapStart and provisioned concurrency.
    if not evidence.images or any(image.native_build for image in evidence.images):
        return []
    scalers = list(evidence.autoscalers) + [s for w in evidence.workloads for s in w.scaling if s.source in ("knative", "helm") and s.max_replicas]
    facts: dict[str, Fact] = {"runtime": JVM, "startup_aids": "none", "autoscaled": bool(scalers)}
    grace = max((p.startup_allowance_s for c in _all_containers(evidence) for p in c.probes if p.startup_allowance_s is not None), default=None)
    if grace is not None:
        facts["startup_grace_seconds"] = grace
    waits = f"; its probes allow {grace} s to start" if grace is not None else ""
    message = (
        "the JVM starts without application class-data sharing, CRaC, Spring AOT or a native image: "
        f"seconds of class loading and JIT warm-up at every start and scale-out{waits}"
    )
    return [JVM_STARTUP.finding(runtime.path, runtime.line, message, snippet="jvm-startup", confidence=runtime.confidence, facts=facts)]


def _all_containers(evidence: ServiceRuntime) -> Iterator[Container]:
    return (container for workload in evidence.workloads for container in workload.containers)
