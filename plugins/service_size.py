"""Size (SIZE1xx): how much a rewrite has to reproduce: code, complexity, endpoints and handlers.

Reads the service's line counts and the code rules' measurements: CPLX103 (functions and
complexity per file), CPLX101 (functions over the complexity threshold), API101 (HTTP
routes) and API102 (gRPC methods), and the queue edges the service consumes. Every measure
is worth points on a logarithmic scale, so a service ten times larger costs more, not ten
times more.
"""

from __future__ import annotations

import math

from readiness import hookimpl
from readiness.model import Contribution, Criterion, Evidence, Finding, Report, Rule, Service

CODE_POINTS_PER_DOUBLING = 10.0
"""Size points per doubling of code from 1,000 lines: 1k lines 10, 3k 20, 15k 40, 63k 60."""
COMPLEXITY_POINTS_PER_DOUBLING = 6.0
"""Per doubling of total cyclomatic complexity from 100."""
SURFACE_POINTS_PER_DOUBLING = 8.0
"""Per doubling of endpoints and message handlers from 4."""
QUEUE_PROTOCOLS = frozenset({"kafka", "amqp", "nats", "sqs", "sns", "pubsub", "eventbus"})


def _doc(finds: str, why: str, example: str) -> str:
    return f"## What it finds\n{finds}\n\n## Why it matters for a Rust rewrite\n{why}\n\n## Example\n{example}\n"


CODE_VOLUME = Rule(
    "SIZE101",
    "code-volume",
    Criterion.SIZE,
    _doc(
        f"The lines of code of the service (source and tests, without comments and blanks): "
        f"{CODE_POINTS_PER_DOUBLING:g} size points per doubling from 1,000 lines.",
        "The documents name longer initial development as a cost of Rust: every line is "
        "behaviour to reproduce, test and review again.",
        "```text\nservices/inventory: 12,400 lines of code in 96 files\n```",
    ),
)
COMPLEXITY = Rule(
    "SIZE102",
    "code-complexity",
    Criterion.SIZE,
    _doc(
        f"The service's total cyclomatic complexity and function count (from CPLX103), with "
        f"how many functions exceed the complexity threshold (CPLX101): "
        f"{COMPLEXITY_POINTS_PER_DOUBLING:g} size points per doubling of total complexity from 100.",
        "Branches are where behaviour hides: a complex service takes longer to port "
        "faithfully and needs more tests to prove the port right.",
        "```text\nservices/pricing: 312 functions, complexity 1,480 in all, 14 over the threshold\n```",
    ),
)
SURFACE = Rule(
    "SIZE103",
    "interface-surface",
    Criterion.SIZE,
    _doc(
        f"The service's interface: HTTP routes (API101), gRPC methods (API102) and the queues "
        f"it consumes from: {SURFACE_POINTS_PER_DOUBLING:g} size points per doubling from 4.",
        "Every endpoint and handler is a contract a rewrite must keep exactly, with its "
        "errors and edge cases, before traffic can move to the new service.",
        "```text\nservices/gateway: 24 HTTP routes, 3 gRPC methods\n```",
    ),
)

RULES = (CODE_VOLUME, COMPLEXITY, SURFACE)


def _log_points(per_doubling: float, amount: float, unit: float) -> float:
    return round(per_doubling * math.log2(1 + amount / unit), 2)


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_score_service(service: Service, findings: tuple[Finding, ...], report: Report) -> list[Contribution]:
    contributions = []
    code = sum(t.code for t in service.languages)
    files = sum(t.files for t in service.languages)
    if code:
        detail = f"{code:,} lines of code in {files:,} files"
        contributions.append(
            Contribution(Criterion.SIZE, _log_points(CODE_POINTS_PER_DOUBLING, code, 1000), detail, rule=CODE_VOLUME.id,
                         evidence=Evidence(service.path, 0, detail))
        )
    totals = [f for f in findings if f.rule == "CPLX103"]
    complexity = sum(int(f.fact("complexity_total", 0) or 0) for f in totals)
    if complexity:
        functions = sum(int(f.fact("functions", 0) or 0) for f in totals)
        over = sum(1 for f in findings if f.rule == "CPLX101")
        densest = max(totals, key=lambda f: (int(f.fact("complexity_total", 0) or 0), f.path))
        detail = f"{functions:,} functions, complexity {complexity:,} in all" + (f", {over} over the threshold" if over else "")
        contributions.append(
            Contribution(Criterion.SIZE, _log_points(COMPLEXITY_POINTS_PER_DOUBLING, complexity, 100), detail, rule=COMPLEXITY.id,
                         evidence=Evidence(densest.path, densest.line, f"most complex file: {densest.message}"))
        )
    routes = [f for f in findings if f.rule == "API101"]
    methods = [f for f in findings if f.rule == "API102"]
    queues = sorted({e.target for e in report.edges if e.source == service.name and e.protocol in QUEUE_PROTOCOLS})
    surface = len(routes) + len(methods) + len(queues)
    if surface:
        parts = [f"{len(routes)} HTTP routes"] if routes else []
        parts += [f"{len(methods)} gRPC methods"] if methods else []
        parts += [f"{len(queues)} queue connection{'s' if len(queues) != 1 else ''} ({', '.join(queues)})"] if queues else []
        first = (routes + methods)[0] if routes or methods else None
        evidence = Evidence(first.path, first.line, first.message) if first else Evidence(service.path, 0, parts[-1])
        contributions.append(
            Contribution(Criterion.SIZE, _log_points(SURFACE_POINTS_PER_DOUBLING, surface, 4), ", ".join(parts), rule=SURFACE.id, evidence=evidence)
        )
    return contributions
