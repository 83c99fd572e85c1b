"""Team readiness (TEAM1xx): does the team already write Rust here, or must it learn?

Rust's learning curve and smaller talent pool are the documents' first costs. Every
service starts with that cost (TEAM102); Rust already in the repository lowers it: an
existing Rust service, a Rust crate, a CI job that builds Rust (TEAM101). Few
contributors to the service itself is the history plugin's HIST120, which the scoring
model adds to the same criterion.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.model import Contribution, Criterion, Evidence, Finding, Report, Repository, Rule, Service
from readiness_plugins._layout import line_of, parent

LEARNING_CURVE_POINTS = 40.0
RUST_SERVICE_POINTS = -15.0
RUST_CRATE_POINTS = -8.0
RUST_CI_POINTS = -10.0
"""Team points: the learning curve every service starts with, and what Rust already in the repository takes off it
(the core's diminishing returns apply from the second item on)."""

RUST_ALREADY = Rule(
    id="TEAM101",
    title="rust-in-repository",
    criterion=Criterion.TEAM,
    doc=f"""
## What it finds
Rust already in the repository: a crate (`Cargo.toml`) and CI that builds Rust (`cargo`,
`rustup`, `dtolnay/rust-toolchain`, `actions-rs`, `Swatinem/rust-cache` in GitHub
Actions, GitLab CI, CircleCI, Azure Pipelines, Buildkite, Travis, Drone, Bitbucket
Pipelines or a Jenkinsfile). Existing Rust services are counted from the report.

Facts: `kind` (`crate` or `ci`).

## Why it matters for a Rust rewrite
The steepest cost of Rust is learning it. A team that already ships Rust has the
toolchain, the CI, the review habits and people who know the language: each takes
points off the team criterion ({RUST_SERVICE_POINTS:g} for a Rust service,
{RUST_CRATE_POINTS:g} for another crate, {RUST_CI_POINTS:g} for Rust CI).

## Example
```yaml
# .github/workflows/ci.yml
      - uses: dtolnay/rust-toolchain@stable
      - run: cargo test --workspace
```
""",
)

LEARNING_CURVE = Rule(
    id="TEAM102",
    title="rust-learning-curve",
    criterion=Criterion.TEAM,
    doc=f"""
## What it finds
Every service readiness scores starts with the cost of moving its team from its current
language to Rust: {LEARNING_CURVE_POINTS:g} team points, lowered by TEAM101's evidence of
Rust already in the repository and raised by HIST120 (few contributors).

## Why it matters for a Rust rewrite
The documents name a steep learning curve, a smaller talent pool and longer initial
development as Rust's costs: teams must have the time and the expertise.

## Example
```text
services/checkout-api: written in Python; the team would learn Rust
```
""",
)

RULES = (RUST_ALREADY, LEARNING_CURVE)

CI_FILES = re.compile(
    r"^(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.yml|\.circleci/config\.ya?ml|azure-pipelines\.ya?ml|\.buildkite/[^/]+\.ya?ml"
    r"|\.travis\.yml|\.drone\.yml|bitbucket-pipelines\.yml|Jenkinsfile)$"
)
RUST_CI = r"\bcargo\s+(?:build|test|clippy|fmt|check|nextest|install|run)\b|\brustup\b|dtolnay/rust-toolchain|actions-rs/|Swatinem/rust-cache|rust-toolchain"

def rust_artifacts(repo: Repository) -> list[Finding]:
    """Every crate and Rust CI file of the repository."""
    found = []
    for record in repo.files:
        if record.path.rsplit("/", 1)[-1] == "Cargo.toml":
            found.append(RUST_ALREADY.finding(record.path, 1, f"a Rust crate at {parent(record.path)}", facts={"kind": "crate"}))
        elif CI_FILES.match(record.path):
            data = repo.read_bytes(record.path)
            line = line_of(data.decode("utf-8", errors="replace"), RUST_CI) if data else 0
            if line:
                found.append(RUST_ALREADY.finding(record.path, line, "CI builds Rust", snippet=record.path, facts={"kind": "ci"}))
    return found


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


@hookimpl
def readiness_analyze_repository(repo: Repository) -> list[Finding]:
    return rust_artifacts(repo)


@hookimpl
def readiness_score_service(service: Service, report: Report) -> list[Contribution]:
    language = service.primary_language or "its current language"
    contributions = [
        Contribution(
            Criterion.TEAM,
            LEARNING_CURVE_POINTS,
            f"written in {language}: its team would learn Rust",
            rule=LEARNING_CURVE.id,
            evidence=Evidence(service.path, 0, f"primary language {language}"),
        )
    ]
    rust_services = {s.path: s for s in report.services if s.primary_language == "Rust" and s.ranked}
    for other in rust_services.values():
        where = other.manifests[0] if other.manifests else other.path
        contributions.append(
            Contribution(Criterion.TEAM, RUST_SERVICE_POINTS, f"{other.name} is already a Rust service", rule=RUST_ALREADY.id,
                         evidence=Evidence(where, 1 if other.manifests else 0, f"Rust service {other.name}"))
        )
    seen: set[tuple[str, int]] = set()
    for finding in report.findings_of(RUST_ALREADY.id):
        if (finding.path, finding.line) in seen:
            continue
        seen.add((finding.path, finding.line))
        kind = finding.fact("kind")
        if kind == "crate" and parent(finding.path) in rust_services:
            continue
        points = RUST_CI_POINTS if kind == "ci" else RUST_CRATE_POINTS
        reason = f"CI builds Rust ({finding.path})" if kind == "ci" else finding.message
        contributions.append(Contribution(Criterion.TEAM, points, reason, rule=RUST_ALREADY.id, evidence=Evidence(finding.path, finding.line, finding.message)))
    return contributions
