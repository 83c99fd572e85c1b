"""Fit (FIT1xx): is the service the kind of code the documents call a poor fit for Rust?

"Small internal tools or rapid prototyping": a very small service, an admin or internal
tool, a prototype. Code that still changes faster than it could be ported is the history
plugin's: high churn (HIST110) and young code (HIST121, created in the window and changed
almost daily), which the scoring model adds to the same criterion.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.model import Contribution, Criterion, Evidence, Rule, Service
from readiness.scoring import words_of

SMALL_SERVICE_LINES = 300
SMALL_SERVICE_POINTS = 25.0
"""A service under 300 lines of code gets up to 25 fit points, fewer the closer it is to 300."""
INTERNAL_POINTS = 30.0
PROTOTYPE_POINTS = 30.0
INTERNAL_WORDS = frozenset(
    {"admin", "internal", "backoffice", "ops", "tool", "tools", "tooling", "script", "scripts", "cli", "cron", "migration",
     "migrations", "migrate", "seed", "seeds", "seeder", "debug", "maintenance", "housekeeping", "dashboard", "console"}
)
PROTOTYPE_WORDS = frozenset(
    {"prototype", "prototypes", "poc", "experiment", "experiments", "experimental", "spike", "mvp", "hackathon",
     "playground", "sandbox", "scratch", "demo", "example", "examples", "sample", "samples", "draft", "wip"}
)


def _doc(finds: str, why: str, example: str) -> str:
    return f"## What it finds\n{finds}\n\n## Why it matters for a Rust rewrite\n{why}\n\n## Example\n{example}\n"


SMALL = Rule(
    "FIT101",
    "very-small-service",
    Criterion.FIT,
    _doc(
        f"A service with fewer than {SMALL_SERVICE_LINES} lines of code: up to {SMALL_SERVICE_POINTS:g} fit points, "
        "in proportion to how far below it is.",
        "A service this small has little in it to speed up or make safe, and Rust's costs "
        "(a new toolchain, build and deployment) are paid in full for it.",
        "```text\nservices/health-proxy: 64 lines of code\n```",
    ),
)
INTERNAL = Rule(
    "FIT102",
    "internal-tool",
    Criterion.FIT,
    _doc(
        f"A service whose name or path says it is an internal or admin tool ({', '.join(sorted(INTERNAL_WORDS))}): "
        f"{INTERNAL_POINTS:g} fit points.",
        "The documents call Rust a poor fit for small internal tools: they seldom need its "
        "speed or safety, and are cheaper to keep in the language the team knows.",
        "```text\nservices/admin-console: its name says 'admin'\n```",
    ),
)
PROTOTYPE = Rule(
    "FIT103",
    "prototype",
    Criterion.FIT,
    _doc(
        f"A service whose name or path says it is a prototype or experiment ({', '.join(sorted(PROTOTYPE_WORDS))}): "
        f"{PROTOTYPE_POINTS:g} fit points.",
        "The documents call Rust a poor fit for rapid prototyping: code that is still "
        "finding its shape is cheaper to change in a language with a shorter edit cycle.",
        "```text\nexperiments/recs-prototype: its name says 'prototype'\n```",
    ),
)
RULES = (SMALL, INTERNAL, PROTOTYPE)


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


def _said(service: Service, words: frozenset[str]) -> str | None:
    said = sorted((words_of(service.name) | {w for part in service.path.split("/") for w in words_of(part)}) & words)
    return said[0] if said else None


@hookimpl
def readiness_score_service(service: Service) -> list[Contribution]:
    contributions = []
    where = Evidence(service.path, 0, f"service {service.name}")
    code = sum(t.code for t in service.languages)
    if 0 < code < SMALL_SERVICE_LINES:
        points = round(SMALL_SERVICE_POINTS * (1 - code / SMALL_SERVICE_LINES), 2)
        contributions.append(Contribution(Criterion.FIT, points, f"a very small service: {code} lines of code", rule=SMALL.id,
                                          evidence=Evidence(service.path, 0, f"{code} lines of code")))
    internal = _said(service, INTERNAL_WORDS)
    if internal:
        contributions.append(Contribution(Criterion.FIT, INTERNAL_POINTS, f"an internal tool: its name or path says {internal!r}", rule=INTERNAL.id, evidence=where))
    prototype = _said(service, PROTOTYPE_WORDS)
    if prototype:
        contributions.append(Contribution(Criterion.FIT, PROTOTYPE_POINTS, f"a prototype: its name or path says {prototype!r}", rule=PROTOTYPE.id, evidence=where))
    return contributions
