"""Image rules (IMG1xx): what each service's container image is built on, and how heavy it is.

Evidence comes from the service's Dockerfiles, read by :mod:`readiness_plugins._dockerfile_syntax`
and classified by :mod:`readiness_plugins._images`.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, Diagnostic, Fact, Finding, Repository, Rule, Service
from readiness_plugins._runtime_evidence import ImageBuild, service_runtime

RUNTIME_BASE_IMAGE = Rule(
    id="IMG101",
    title="runtime-base-image",
    criterion=Criterion.COST,
    doc="""
## What it finds
The base image of the stage a Dockerfile produces (its last stage, following `FROM`
references to earlier stages and build arguments), with its family and a size class:
`minimal` (scratch, distroless static, Alpine), `small` (slim and Alpine language images,
distroless with a runtime), `medium` (JREs, slim Node, .NET runtimes), `heavy` (full JDKs,
full Node/Python/Ruby images, compilers and SDKs), or `unknown` for private bases. Also
how many stages the build has, the user the container runs as, its exposed ports and
whether it declares a health check.

Facts: `image`, `image_family`, `size_class`, `runtime`, `stages`, `multi_stage`,
`runs_as_root`, `healthcheck`, `exposed_ports`.

## Why it matters for a Rust rewrite
The image is pulled on every new node and shipped with every replica. A Rust service
ships as one static binary on `scratch` or distroless: a few megabytes, fast to pull and
to start, with little for a scanner to flag.

## Example
```dockerfile
FROM python:3.11        # python-full, heavy
```
""",
)

HEAVY_RUNTIME_IMAGE = Rule(
    id="IMG102",
    title="heavy-runtime-image",
    criterion=Criterion.COST,
    level="warning",
    doc="""
## What it finds
A final image in the `heavy` size class (400 MB or more uncompressed): a full JDK where a
JRE or distroless Java would run the service, a full Debian-based Node, Python or Ruby
image where a slim or Alpine one would, or a compiler toolchain (Go, Rust, GCC, .NET SDK,
Maven, Gradle) left in the image that runs in production.

Facts: IMG101's, and `reason`.

## Why it matters for a Rust rewrite
Heavy images cost storage, pull time on every scale-out, and start-up. They usually
come with a runtime that is heavy in memory too; a rewrite replaces both with a small
binary.

## Example
```dockerfile
FROM eclipse-temurin:17-jdk
COPY target/app.jar /app.jar
```
""",
)

RULES = (RUNTIME_BASE_IMAGE, HEAVY_RUNTIME_IMAGE)

_HEAVY_REASONS = {
    "jdk": "a full JDK where a JRE or distroless Java image would run the service",
    "jvm-build": "a Maven or Gradle build image used to run the service",
    "dotnet-sdk": "the .NET SDK where the ASP.NET or runtime image would do",
}


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_analyze_service(service: Service, repo: Repository, settings: Settings) -> list[Finding | Diagnostic]:
    evidence = service_runtime(service, repo)
    findings: list[Finding | Diagnostic] = list(evidence.warnings)
    for image in evidence.images:
        facts = _facts(image)
        described = f"{image.base.family}, {image.base.size_class}"
        stages = f", {image.stages}-stage build" if image.stages > 1 else ""
        message = f"the image runs on {image.base.reference} ({described}{stages})"
        findings.append(RUNTIME_BASE_IMAGE.finding(image.path, image.line, message, snippet=image.base.reference, facts=facts))
        if image.base.size_class == "heavy":
            reason = _heavy_reason(image)
            heavy = f"heavy runtime image {image.base.reference}: {reason}"
            findings.append(HEAVY_RUNTIME_IMAGE.finding(image.path, image.line, heavy, snippet=image.base.reference, facts={**facts, "reason": reason}))
    return findings


def _facts(image: ImageBuild) -> dict[str, Fact]:
    facts: dict[str, Fact] = {
        "image": image.base.reference,
        "image_family": image.base.family,
        "size_class": image.base.size_class,
        "stages": image.stages,
        "multi_stage": image.stages > 1,
        "runs_as_root": image.user is None or image.user.split(":", 1)[0] in ("root", "0"),
        "healthcheck": image.healthcheck,
    }
    if image.runtime is not None:
        facts["runtime"] = image.runtime
    if image.ports:
        facts["exposed_ports"] = ",".join(str(port) for port in image.ports)
    return facts


def _heavy_reason(image: ImageBuild) -> str:
    if image.base.family in _HEAVY_REASONS:
        return _HEAVY_REASONS[image.base.family]
    if image.base.toolchain:
        return "a compiler toolchain shipped in the image that runs in production"
    return f"the full Debian-based {image.base.runtime or 'language'} image where a slim or Alpine variant would run the service"
