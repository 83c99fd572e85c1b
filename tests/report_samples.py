"""Reports built by hand, with scores and findings, for testing the report formats alone.

The formats read only the Report object, so they can be tested on every kind of content
(scores, service-level findings, footprints, warnings, hostile names) without waiting for
the stages that produce it.
"""

from __future__ import annotations

from dataclasses import replace

from readiness.model import (
    Contribution,
    Criterion,
    CriterionScore,
    Deployment,
    Diagnostic,
    Edge,
    Evidence,
    FileKind,
    FileRecord,
    Infrastructure,
    LanguageTotals,
    LineCounts,
    ReadStatus,
    Report,
    RepositoryInfo,
    Rule,
    Service,
    ServiceScore,
    Verdict,
)

DOC = """## What it finds
{what} More detail follows here.

## Why it matters for a Rust rewrite
{why}

## Example
```python
{example}
```
"""

JSON_PARSING = Rule(
    "PERF101",
    "json-on-request-path",
    Criterion.PERFORMANCE,
    DOC.format(what="JSON parsed on the request path.", why="Serde parses JSON several times faster.", example="json.loads(body)"),
    level="warning",
)
FOOTPRINT = Rule(
    "RES106",
    "service-footprint",
    Criterion.COST,
    DOC.format(what="The memory a service holds at its peak.", why="Rust services need less memory per replica.", example="replicas: 4"),
    level="note",
)
CHURN = Rule(
    "HIST101",
    "high-churn",
    Criterion.FIT,
    DOC.format(what="Code that changes every week.", why="A moving target is hard to rewrite.", example="git log"),
    level="note",
)
RULES = (CHURN, JSON_PARSING, FOOTPRINT)


def _file(path: str, language: str | None, code: int) -> FileRecord:
    return FileRecord(path, code * 30, "0" * 40, ReadStatus.READ, language, FileKind.SOURCE, "extension", LineCounts(code, 2, 3))


FILES = (
    _file("docker-compose.yml", "YAML", 40),
    _file("deploy/k8s/checkout.yaml", "YAML", 30),
    _file("services/checkout-api/app.py", "Python", 300),
    _file("services/checkout-api/pyproject.toml", "TOML", 20),
    _file("services/checkout-api/Dockerfile", "Dockerfile", 10),
    _file("services/gateway/src/index.ts", "TypeScript", 250),
    _file("services/gateway/package.json", "JSON", 20),
    _file("services/inventory/src/Main.java", "Java", 400),
    _file("services/inventory/pom.xml", "Maven POM", 60),
    _file("services/ledger/src/main.rs", "Rust", 200),
    _file("services/ledger/Cargo.toml", "TOML", 15),
    _file("web/storefront/src/App.tsx", "TSX", 150),
)


def _languages(*pairs: tuple[str, int]) -> tuple[LanguageTotals, ...]:
    return tuple(LanguageTotals(language, 1, code, 2, 3, code * 30) for language, code in pairs)


def _service(name: str, path: str, role: str, language: str, code: int, manifests: tuple[str, ...], dockerfiles: tuple[str, ...] = ()) -> Service:
    files = tuple(record.path for record in FILES if record.path.startswith(path + "/"))
    return Service(
        name=name,
        path=path,
        role=role,
        languages=_languages((language, code)),
        primary_language=language,
        evidence=(Evidence("docker-compose.yml", 3, f"compose service {name}"),),
        manifests=manifests,
        dockerfiles=dockerfiles,
        deployments=(Deployment("compose", "docker-compose.yml", name, 3),),
        files=files,
    )


SERVICES = (
    _service(
        "checkout-api",
        "services/checkout-api",
        "backend",
        "Python",
        300,
        ("services/checkout-api/pyproject.toml",),
        ("services/checkout-api/Dockerfile",),
    ),
    _service("gateway", "services/gateway", "backend", "TypeScript", 250, ("services/gateway/package.json",)),
    _service("inventory", "services/inventory", "backend", "Java", 400, ("services/inventory/pom.xml",)),
    _service("ledger", "services/ledger", "backend", "Rust", 200, ("services/ledger/Cargo.toml",)),
    _service("storefront", "web/storefront", "frontend", "TSX", 150, ()),
)


def _score(
    service: str, verdict: Verdict, benefit: float, effort: float, confidence: float, rank: int | None, reasons: tuple[str, ...]
) -> ServiceScore:
    evidence = Evidence(f"services/{service}/app.py", 12, "json.loads(body)")
    contribution = Contribution(Criterion.PERFORMANCE, benefit, f"CPU-bound work in {service}", "PERF101", evidence, 1.0)
    return ServiceScore(
        service=service,
        verdict=verdict,
        benefit=benefit,
        effort=effort,
        confidence=confidence,
        rank=rank,
        criteria=(CriterionScore(Criterion.PERFORMANCE, benefit, 1.0, (contribution,)), CriterionScore(Criterion.SIZE, effort, 1.0, ())),
        reasons=reasons,
        changes=("a load test showing the JSON parsing is not hot",) if rank == 1 else (),
    )


SCORES = (
    _score(
        "checkout-api",
        Verdict.STRONG_CANDIDATE,
        78,
        30,
        0.9,
        1,
        ("JSON parsed on every request (services/checkout-api/app.py:12)", "payments domain", "GIL-bound worker pool", "fourth reason"),
    ),
    _score("gateway", Verdict.CANDIDATE, 60, 45, 0.8, 2, ("parses untrusted input at the edge",)),
    _score("inventory", Verdict.KEEP, 35, 70, 0.7, 3, ("JVM already fast enough; large codebase",)),
    _score("ledger", Verdict.NOT_APPLICABLE, 0, 0, 1.0, None, ("already written in Rust",)),
    _score("storefront", Verdict.NOT_APPLICABLE, 0, 0, 1.0, None, ("a user interface, not a backend",)),
)

FINDINGS = (
    JSON_PARSING.finding("services/checkout-api/app.py", 12, "json.loads on the request path", column=9, snippet="json.loads(body)"),
    JSON_PARSING.finding("services/checkout-api/app.py", 40, "json.loads on the request path", column=5, snippet="json.loads(body)"),
    JSON_PARSING.finding("services/gateway/src/index.ts", 7, "JSON.parse on the request path", snippet="JSON.parse(raw)"),
    FOOTPRINT.finding("deploy/k8s/checkout.yaml", 20, "footprint up to 2.0 GiB", snippet="footprint", facts={"footprint_bytes": 2 << 30}),
    FOOTPRINT.finding("docker-compose.yml", 30, "footprint up to 512.0 MiB", snippet="footprint", facts={"footprint_bytes": 512 << 20}),
    FOOTPRINT.finding("docker-compose.yml", 50, "footprint up to 1.0 GiB", snippet="footprint", facts={"footprint_bytes": 1 << 30}),
    CHURN.finding("services/inventory", 1, "changed in 40 of the last 52 weeks", facts={"active_weeks": 40}),
)
FINDING_SERVICES = ("checkout-api", "checkout-api", "gateway", "checkout-api", "gateway", "inventory", "inventory")

INFRASTRUCTURE = (
    Infrastructure("postgres", "postgres", (Evidence("docker-compose.yml", 60, "image postgres:16"),), image="postgres:16"),
    Infrastructure("kafka", "kafka", (Evidence("docker-compose.yml", 70, "image bitnami/kafka:3.7"),), image="bitnami/kafka:3.7"),
)
EDGES = (
    Edge("checkout-api", "inventory", "grpc", (Evidence("services/checkout-api/app.py", 5, "InventoryStub"),)),
    Edge("checkout-api", "postgres", "sql", (Evidence("docker-compose.yml", 8, "DATABASE_URL"),)),
    Edge("gateway", "checkout-api", "http", (Evidence("services/gateway/src/index.ts", 3, "http://checkout-api:8000"),)),
    Edge("inventory", "kafka", "kafka", (Evidence("services/inventory/src/Main.java", 30, "topic stock"),)),
    Edge("storefront", "gateway", "http", (Evidence("web/storefront/src/App.tsx", 9, "fetch('/api')"),)),
)


def sample_report(**changes: object) -> Report:
    """A scored report of an e-commerce backend: five services, findings, a warning and an error."""
    findings = tuple(replace(f, service=s) for f, s in zip(FINDINGS, FINDING_SERVICES, strict=True))
    report = Report(
        tool_version="0.1.0",
        repository=RepositoryInfo("shop", "git", "0123456789abcdef0123456789abcdef01234567", False),
        files=FILES,
        languages=_languages(("Java", 400), ("Python", 300), ("TypeScript", 250), ("Rust", 200), ("TSX", 150)),
        exclusions=(),
        services=SERVICES,
        findings=findings,
        rules=RULES,
        scores=SCORES,
        diagnostics=(
            Diagnostic("warning", "malformed YAML, skipped", path="deploy/k8s/broken.yaml"),
            Diagnostic("error", "plugin 'x' failed in readiness_analyze_file: ValueError: boom", plugin="x", hook="readiness_analyze_file"),
        ),
        infrastructure=INFRASTRUCTURE,
        edges=EDGES,
    )
    return replace(report, **changes)  # type: ignore[arg-type]
