"""The scoring model: how a service's evidence becomes benefit, effort, confidence and a verdict.

Everything that decides a number is in this module, with its default, so one page says how
readiness judges (``../shared/CRITERIA.md`` is the source of the criteria). Users override
the defaults in ``[tool.readiness.scoring]`` (see :class:`ScoringConfig`).

For each backend or worker service that is not already Rust:

1. **Contributions.** Each finding of the service is worth a rule's base points
   (:data:`RULE_POINTS`, by rule id, else by rule family, else :data:`CRITERION_POINTS`
   for its criterion); plugins add contributions of their own (``readiness_score_service``:
   ecosystem, team, size, fit, boundary), and the core adds what it knows about the
   service as a whole: its runtime, its domain and its traffic.
2. **Weights.** A contribution's ``points = base x weight``, where ``weight`` is the
   product of its named factors: the rule's configured weight; ``1/n**repeat_exponent``
   for the n-th finding of one rule (diminishing returns); the finding's own confidence;
   1.5 for CPU work on the request path; and the service's factors for that criterion:
   its runtime (:data:`RUNTIME_CLASSES`), its domain (:data:`DOMAINS`) and its traffic.
3. **Criteria.** A criterion's score is the sum of its contributions' points, held
   between 0 and 100.
4. **Sides.** ``benefit = min(100, sum(weight[c] x score[c]))`` over performance,
   latency, security, concurrency and cost; ``effort`` likewise over size, ecosystem,
   team, fit and boundary (:data:`CRITERION_WEIGHTS`).
5. **Ranking.** ``priority = benefit x (1 - effort_weight x effort / 100)``: high benefit
   first, discounted by what the rewrite costs (at most by half with the default
   ``effort_weight`` of 0.5). Services are ranked by priority.
6. **Confidence.** ``1 - sum(losses)`` for missing evidence (:class:`ScoringConfig`'s
   ``loss_*``). Below ``confidence_threshold`` the verdict is *inconclusive* and the
   service is not ranked.
7. **Verdict.** *strong candidate* from ``strong_candidate`` priority, *candidate* from
   ``candidate``, else *keep as is*. A service that is already Rust, or is not a backend
   or worker (UIs, tools, libraries, load generators), is *not applicable*.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from readiness.model import (
    ConfidenceLoss,
    Contribution,
    Criterion,
    CriterionScore,
    Diagnostic,
    Evidence,
    Finding,
    Report,
    Rule,
    ScoreFactor,
    ScoringParameters,
    Service,
    ServiceScore,
    Verdict,
)

BENEFIT = (Criterion.PERFORMANCE, Criterion.LATENCY, Criterion.SECURITY, Criterion.CONCURRENCY, Criterion.COST)
EFFORT = (Criterion.SIZE, Criterion.ECOSYSTEM, Criterion.TEAM, Criterion.FIT, Criterion.BOUNDARY)

CRITERION_WEIGHTS: Mapping[Criterion, float] = {
    # Any one of the documents' conditions makes Rust a strong choice, so a service that
    # maxes out one benefit criterion reaches 40 and two reach 80.
    Criterion.PERFORMANCE: 0.4,
    Criterion.LATENCY: 0.4,
    Criterion.SECURITY: 0.4,
    Criterion.CONCURRENCY: 0.25,
    Criterion.COST: 0.25,
    Criterion.SIZE: 0.3,
    Criterion.ECOSYSTEM: 0.3,
    Criterion.TEAM: 0.2,
    Criterion.FIT: 0.3,
    Criterion.BOUNDARY: 0.2,
}
"""How much each criterion's 0-100 score counts in its side's total."""

RULE_POINTS: Mapping[str, float] = {
    # Code evidence (concurrency, hot paths, memory safety, request surface, complexity).
    "CONC": 4, "CONC103": 5, "CONC106": 6, "CONC111": 6, "CONC104": 3, "CONC107": 3, "CONC108": 3, "CONC112": 3,
    "PERF": 6, "PERF103": 8, "PERF104": 8, "PERF105": 10, "PERF106": 8, "PERF108": 4,
    "MEM": 10, "MEM101": 12, "MEM105": 15, "MEM106": 6, "MEM107": 6,
    # Endpoints and complexity are measurements the size plugin sums up; a finding alone is worth nothing.
    "API": 0, "CPLX": 0,
    # Runtime evidence: the collector, its tuning, heaps, workers, resources, images.
    "RUN": 6, "RUN101": 8, "RUN102": 18,
    "RES": 3, "RES102": 0, "RES103": 0, "RES104": 6, "RES105": 4,
    "IMG": 3, "IMG101": 0, "IMG102": 8,
    # History: each commit that fixed what Rust prevents; high churn, few contributors, young code,
    # change coupling. Hotspots only say where a service's effort lies, not how much.
    "HIST": 10, "HIST101": 12, "HIST102": 15, "HIST110": 15, "HIST111": 0, "HIST120": 20, "HIST121": 30, "HIST130": 15,
}
"""Base points of one finding, by rule id or, for rules not listed, by rule family (the id's letters)."""

CRITERION_POINTS: Mapping[Criterion, float] = dict.fromkeys(Criterion, 5.0)
"""Base points of a finding whose rule and family :data:`RULE_POINTS` does not list."""

FOOTPRINT_RULE = "RES106"
FOOTPRINT_POINTS_PER_DOUBLING = 8.0
FOOTPRINT_MAX_POINTS = 40.0
"""A service's peak memory is worth 8 points per doubling from 1 GiB (1 GiB: 8, 3 GiB: 16, 15 GiB: 32), at most 40."""

REQUEST_PATH_FACTOR = 1.5
"""CPU work a finding marks ``in_handler`` runs on every request."""

CODE_FAMILIES = ("CONC", "PERF", "MEM", "API", "CPLX")
"""Rule families that read source code: a service with none of their findings had no code analysis."""
RUNTIME_FAMILIES = ("RUN", "RES", "IMG")
HISTORY_FAMILY = "HIST"


@dataclass(frozen=True, slots=True)
class RuntimeClass:
    """What a kind of runtime means for each benefit criterion a rewrite in Rust addresses."""

    label: str
    factors: Mapping[Criterion, float]
    """Multipliers on the criterion's contributions; criteria not listed keep 1."""


INTERPRETED = RuntimeClass(
    "interpreted",
    {Criterion.PERFORMANCE: 1.5, Criterion.COST: 1.2},
)
MANAGED = RuntimeClass("JIT-compiled virtual machine", {Criterion.COST: 1.3})
GO = RuntimeClass("compiled, garbage-collected", {})
BEAM = RuntimeClass("BEAM virtual machine", {Criterion.PERFORMANCE: 1.2, Criterion.LATENCY: 0.8, Criterion.CONCURRENCY: 0.8, Criterion.COST: 1.2})
MEMORY_UNSAFE = RuntimeClass(
    "memory-unsafe native code",
    # Already fast and lean, so little to gain there; a data race in C or C++ is undefined behaviour.
    {Criterion.PERFORMANCE: 0.5, Criterion.LATENCY: 0.3, Criterion.CONCURRENCY: 1.3, Criterion.COST: 0.4},
)

RUNTIME_CLASSES: Mapping[str, RuntimeClass] = {
    # Runtimes as the runtime rules name them (RUN101's ``runtime`` fact).
    "CPython": INTERPRETED, "Node.js": INTERPRETED, "Ruby": INTERPRETED, "PHP": INTERPRETED, "Deno": INTERPRETED, "Bun": INTERPRETED,
    "JVM": MANAGED, ".NET": MANAGED, "PyPy": MANAGED,
    "Go": GO,
    "BEAM": BEAM,
    # Languages as the inventory names them, for services no runtime rule described.
    "Python": INTERPRETED, "JavaScript": INTERPRETED, "TypeScript": INTERPRETED, "CoffeeScript": INTERPRETED, "Perl": INTERPRETED, "Lua": INTERPRETED,
    "Java": MANAGED, "Kotlin": MANAGED, "Scala": MANAGED, "Groovy": MANAGED, "Clojure": MANAGED, "C#": MANAGED, "F#": MANAGED, "Visual Basic .NET": MANAGED,
    "Elixir": BEAM, "Erlang": BEAM,
    "C": MEMORY_UNSAFE, "C++": MEMORY_UNSAFE, "Objective-C": MEMORY_UNSAFE, "Objective-C++": MEMORY_UNSAFE,
}
"""A service's runtime, by the RUN101 finding's ``runtime`` fact, else by its primary language."""

INTERPRETED_POINTS = 10.0
"""Performance points of running on an interpreter: CPU-bound work is many times slower than compiled code."""
GARBAGE_COLLECTED_POINTS = 8.0
"""Latency points of a collected runtime when no runtime rule (RUN101) described the service."""
MEMORY_UNSAFE_POINTS = 30.0
"""Security points of a service written wholly in C or C++, scaled by the share of its code that is."""
MEMORY_UNSAFE_LANGUAGES = frozenset({"C", "C++", "Objective-C", "Objective-C++"})
GARBAGE_COLLECTED = frozenset({INTERPRETED.label, MANAGED.label, GO.label, BEAM.label})


@dataclass(frozen=True, slots=True)
class Domain:
    """A kind of system the documents name as one where some criteria matter most."""

    criteria: tuple[Criterion, ...]
    keywords: frozenset[str]
    """Whole words of a service's name, its source paths, or its dependencies' names."""
    by_dependency: bool = True
    """Whether a dependency named so shows the domain; most web services depend on a JWT or login library."""


def _words(*words: str) -> frozenset[str]:
    return frozenset(words)


DOMAINS: Mapping[str, Domain] = {
    "payments": Domain(
        (Criterion.SECURITY, Criterion.LATENCY),
        _words("payment", "payments", "billing", "checkout", "ledger", "invoice", "invoicing", "psp", "stripe", "braintree", "adyen", "paypal", "settlement", "refund", "refunds"),
    ),
    "trading": Domain(
        (Criterion.LATENCY, Criterion.PERFORMANCE),
        _words("trading", "trade", "trades", "trader", "orderbook", "marketdata", "matching", "ccxt", "quotes"),
    ),
    "real-time": Domain(
        (Criterion.LATENCY, Criterion.CONCURRENCY),
        _words("realtime", "websocket", "websockets", "ws", "socketio", "presence", "chat", "pubsub", "webrtc", "signaling"),
    ),
    "streaming": Domain((Criterion.LATENCY, Criterion.PERFORMANCE), _words("streaming", "livestream", "broadcast", "hls", "rtmp")),
    "gateway": Domain(
        (Criterion.PERFORMANCE, Criterion.LATENCY, Criterion.SECURITY),
        _words("gateway", "proxy", "ingress", "edge", "envoy", "apigateway"),
    ),
    "auth": Domain(
        (Criterion.SECURITY, Criterion.LATENCY),
        _words(
            "auth", "authn", "authz", "authorization", "authentication", "oauth", "oauth2", "oidc", "jwt", "jsonwebtoken",
            "pyjwt", "jose", "passport", "identity", "iam", "sso", "login", "permissions", "rbac", "acl", "keycloak",
        ),
        by_dependency=False,
    ),
    "crypto": Domain((Criterion.SECURITY, Criterion.PERFORMANCE), _words("blockchain", "web3", "ethers", "ethereum", "bitcoin", "solana", "wallet")),
    "gaming": Domain((Criterion.LATENCY, Criterion.PERFORMANCE), _words("game", "games", "gameserver", "matchmaking", "multiplayer")),
    "analytics": Domain((Criterion.PERFORMANCE, Criterion.COST), _words("analytics", "telemetry", "ingest", "ingestion", "clickstream")),
    "media": Domain((Criterion.PERFORMANCE,), _words("media", "video", "transcode", "transcoder", "transcoding", "codec", "ffmpeg", "thumbnail", "thumbnails")),
    "healthcare": Domain((Criterion.SECURITY,), _words("patient", "patients", "medical", "clinical", "fhir", "hl7", "ehr", "emr")),
    "cybersecurity": Domain((Criterion.SECURITY,), _words("firewall", "waf", "antivirus", "malware", "threat")),
}
"""The domains of the documents (fintech and trading, crypto, gaming, real-time analytics,
streaming, healthcare, cybersecurity, API gateways, edge computing), by the words that show them."""

_ANY_DOMAIN_KEYWORD = frozenset().union(*(domain.keywords for domain in DOMAINS.values()))

DOMAIN_EVIDENCE_CITED = 3
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """Every number of the model a user can override, with its default.

    ``[tool.readiness.scoring]`` sets the scalars (``confidence-threshold = 0.6``);
    ``[tool.readiness.scoring.criteria]`` the criterion weights (``latency = 0.5``);
    ``[tool.readiness.scoring.rules]`` a multiplier per rule id or family (``PERF = 1.2``,
    ``HIST104 = 0`` turns a rule off).
    """

    criterion_weights: Mapping[Criterion, float] = field(default_factory=lambda: dict(CRITERION_WEIGHTS))
    rule_weights: Mapping[str, float] = field(default_factory=dict)
    effort_weight: float = 0.5
    """How much effort discounts benefit in the ranking: at 100 effort, priority is benefit x (1 - effort_weight)."""
    strong_candidate: float = 45.0
    """Priority from which a service is a strong candidate."""
    candidate: float = 20.0
    """Priority from which a service is a candidate."""
    confidence_threshold: float = 0.6
    repeat_exponent: float = 1.0
    """The n-th finding of one rule counts ``1/n**repeat_exponent``; 0 counts every finding fully."""
    domain_points: float = 8.0
    """Points a domain adds to each of its criteria."""
    domain_multiplier: float = 1.25
    """Multiplier on the other contributions to a domain's criteria."""
    caller_points: float = 5.0
    """Performance points per service calling this one (diminishing like repeated findings)."""
    replica_points: float = 4.0
    """Performance points per doubling of the most replicas the service runs."""
    traffic_step: float = 0.1
    """Latency and performance weigh ``1 + traffic_step`` more per caller and per doubling of replicas..."""
    traffic_steps: int = 3
    """...counting at most this many callers and doublings each."""
    loss_no_history: float = 0.2
    loss_unknown_language: float = 0.3
    loss_no_code: float = 0.4
    loss_no_code_analysis: float = 0.25
    loss_no_runtime_evidence: float = 0.1
    loss_unparsed_file: float = 0.1
    loss_unparsed_files_max: float = 0.3

    def parameters(self) -> ScoringParameters:
        return ScoringParameters(
            criterion_weights=tuple((c, self.criterion_weights[c]) for c in (*BENEFIT, *EFFORT)),
            effort_weight=self.effort_weight,
            strong_candidate=self.strong_candidate,
            candidate=self.candidate,
            confidence_threshold=self.confidence_threshold,
        )


SCALAR_LIMITS: Mapping[str, tuple[float, float]] = {
    "effort_weight": (0, 1),
    "strong_candidate": (0, 100),
    "candidate": (0, 100),
    "confidence_threshold": (0, 1),
    "repeat_exponent": (0, 4),
    "domain_points": (0, 100),
    "domain_multiplier": (1, 5),
    "caller_points": (0, 100),
    "replica_points": (0, 100),
    "traffic_step": (0, 1),
    "traffic_steps": (0, 10),
    "loss_no_history": (0, 1),
    "loss_unknown_language": (0, 1),
    "loss_no_code": (0, 1),
    "loss_no_code_analysis": (0, 1),
    "loss_no_runtime_evidence": (0, 1),
    "loss_unparsed_file": (0, 1),
    "loss_unparsed_files_max": (0, 1),
}
"""The scalar keys of ``[tool.readiness.scoring]`` and the values each may take."""
_RULE_KEY = re.compile(r"^[A-Z]+[0-9]*$")


def config_from_table(table: Mapping[str, Any]) -> ScoringConfig:
    """``[tool.readiness.scoring]`` laid over the defaults; ValueError naming the offending key."""
    defaults = ScoringConfig()
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "criteria":
            values["criterion_weights"] = {**defaults.criterion_weights, **_criterion_weights(value)}
        elif name == "rules":
            values["rule_weights"] = _rule_weights(value)
        elif name in SCALAR_LIMITS:
            low, high = SCALAR_LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ValueError(f"{key}: must be a number from {low:g} to {high:g}")
            values[name] = int(value) if name == "traffic_steps" else float(value)
        else:
            known = ", ".join(sorted(k.replace("_", "-") for k in (*SCALAR_LIMITS, "criteria", "rules")))
            raise ValueError(f"{key}: unknown key in [tool.readiness.scoring] (known: {known})")
    config = replace(defaults, **values)
    if config.candidate > config.strong_candidate:
        raise ValueError("candidate: must not be above strong-candidate")
    return config


def _criterion_weights(value: Any) -> dict[Criterion, float]:
    if not isinstance(value, dict):
        raise ValueError("criteria: must be a table of criterion = weight")
    weights = {}
    for name, weight in value.items():
        if name not in Criterion.__members__.values():
            raise ValueError(f"{name}: unknown criterion (known: {', '.join(c.value for c in Criterion)})")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 10:
            raise ValueError(f"{name}: a criterion weight must be a number from 0 to 10")
        weights[Criterion(name)] = float(weight)
    return weights


def _rule_weights(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise ValueError("rules: must be a table of rule id or family = weight")
    weights = {}
    for name, weight in value.items():
        if not _RULE_KEY.match(name):
            raise ValueError(f"{name}: not a rule id or family (like PERF103 or PERF)")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 10:
            raise ValueError(f"{name}: a rule weight must be a number from 0 to 10")
        weights[name] = float(weight)
    return weights


@lru_cache(maxsize=4096)
def family(rule_id: str) -> str:
    """A rule's family: the letters its id starts with (``PERF`` of ``PERF103``).

    Remembered: scoring asks it several times per finding, of a few dozen rule ids.
    """
    match = re.match(r"[A-Z]+", rule_id)
    return match.group(0) if match else rule_id


def base_points(rule_id: str, criterion: Criterion) -> float:
    """The base points of a finding of ``rule_id``: its own entry, else its family's, else its criterion's default."""
    if rule_id in RULE_POINTS:
        return float(RULE_POINTS[rule_id])
    return float(RULE_POINTS.get(family(rule_id), CRITERION_POINTS[criterion]))


def _rule_weight(rule_id: str | None, config: ScoringConfig) -> float:
    if rule_id is None:
        return 1.0
    return config.rule_weights.get(rule_id, config.rule_weights.get(family(rule_id), 1.0))


@dataclass(slots=True)
class _Draft:
    """A contribution before the service-wide factors and diminishing returns are applied."""

    criterion: Criterion
    base: float
    reason: str
    rule: str | None
    evidence: Evidence
    factors: list[tuple[str, float]]
    repeats: bool = True
    """Whether the n-th contribution of the same rule counts less."""
    own_factor: str | None = None
    """The service factor this contribution stands for, which must not weigh it again."""

    def strength(self) -> float:
        return self.base * math.prod(value for _, value in self.factors)


@dataclass(frozen=True, slots=True)
class ServiceInputs:
    """Everything the model reads about one service."""

    service: Service
    findings: tuple[Finding, ...]
    contributions: tuple[Contribution, ...]
    """From plugins' ``readiness_score_service``, unweighted: ``points`` is the base."""
    warnings: tuple[Diagnostic, ...]
    """Warnings naming one of the service's files: manifests, Dockerfiles, deployments, code."""
    history_read: bool = True


def score_report(
    report: Report,
    contributions: Mapping[str, Sequence[Contribution]],
    rules: Mapping[str, Rule],
    config: ScoringConfig,
    self_scored: frozenset[str] = frozenset(),
    history_read: bool = True,
) -> tuple[ServiceScore, ...]:
    """Every service's verdict, ranked.

    :param contributions: the plugins' ``readiness_score_service`` results, by service name.
    :param self_scored: plugins that score their own rules' findings: the model gives those
        findings no points of its own.
    :param history_read: whether the repository's git history was read; when not, every
        service loses ``loss_no_history`` of its confidence.
    """
    by_service: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.service is not None:
            by_service[finding.service].append(finding)
    scores = []
    for service in report.services:
        inputs = ServiceInputs(
            service,
            tuple(by_service.get(service.name, ())),
            tuple(contributions.get(service.name, ())),
            tuple(_warnings_about(service, report.diagnostics)),
            history_read,
        )
        scores.append(score_service(inputs, report, rules, config, self_scored))
    return rank(scores)


def _warnings_about(service: Service, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    paths = {*service.files, *service.manifests, *service.dockerfiles, *(d.path for d in service.deployments)}
    return [d for d in diagnostics if d.level == "warning" and d.path in paths]


def rank(scores: Iterable[ServiceScore]) -> tuple[ServiceScore, ...]:
    """Scores with ranks: conclusive verdicts by priority, then benefit, then least effort, then name."""
    ranked_verdicts = (Verdict.STRONG_CANDIDATE, Verdict.CANDIDATE, Verdict.KEEP)
    scores = list(scores)
    order = sorted((s for s in scores if s.verdict in ranked_verdicts), key=lambda s: (-s.priority, -s.benefit, s.effort, s.service))
    ranks = {score.service: number for number, score in enumerate(order, 1)}
    return tuple(replace(score, rank=ranks.get(score.service)) for score in scores)


def applicable(service: Service) -> bool:
    """Whether a rewrite in Rust is a question for this service: a backend or worker not already in Rust."""
    return service.ranked and service.primary_language != "Rust"


def not_applicable(service: Service, reason: str, change: str) -> ServiceScore:
    return ServiceScore(service.name, Verdict.NOT_APPLICABLE, 0.0, 0.0, 1.0, None, (), (reason,), (change,))


def score_service(
    inputs: ServiceInputs, report: Report, rules: Mapping[str, Rule], config: ScoringConfig, self_scored: frozenset[str] = frozenset()
) -> ServiceScore:
    service = inputs.service
    if not service.ranked:
        return not_applicable(
            service,
            f"{service.role}, not a backend service: listed, not ranked",
            f"if it is a deployed backend, say so in [tool.readiness.services.roles] ({service.path!r} = \"backend\")",
        )
    if service.primary_language == "Rust":
        return not_applicable(service, "already written in Rust", "none: there is nothing to rewrite")

    runtime_name, runtime_class, runtime_evidence = _runtime(service, inputs.findings)
    factors: list[ScoreFactor] = []
    drafts: list[_Draft] = []
    if runtime_class is not None:
        factors.append(_runtime_factor(runtime_name, runtime_class, runtime_evidence))
        drafts += _runtime_drafts(service, runtime_name, runtime_class, inputs.findings, runtime_evidence)
    domain = _domains(service, inputs.findings, config)
    if domain is not None:
        factors.append(domain)
        drafts += _domain_drafts(domain, config)
    traffic, traffic_drafts = _traffic(service, inputs.findings, report, config)
    if traffic is not None:
        factors.append(traffic)
    drafts += traffic_drafts
    drafts += _finding_drafts([f for f in inputs.findings if f.rule not in rules or rules[f.rule].plugin not in self_scored], config)
    drafts += [_plugin_draft(c, config) for c in inputs.contributions]

    contributions = _weigh(drafts, factors, config)
    criteria = tuple(
        CriterionScore(criterion, _clamp(sum(c.points for c in contributions if c.criterion is criterion)), config.criterion_weights[criterion],
                       tuple(c for c in contributions if c.criterion is criterion))
        for criterion in (*BENEFIT, *EFFORT)
    )
    benefit = _side(criteria, BENEFIT)
    effort = _side(criteria, EFFORT)
    priority = _priority(benefit, effort, config)
    losses = tuple(_confidence_losses(inputs, config))
    confidence = round(max(0.0, 1 - sum(loss.loss for loss in losses)), 2)
    deserved = _verdict(priority, config)
    verdict = Verdict.INCONCLUSIVE if confidence < config.confidence_threshold else deserved
    score = ServiceScore(
        service=service.name,
        verdict=verdict,
        benefit=benefit,
        effort=effort,
        confidence=confidence,
        rank=None,
        criteria=criteria,
        reasons=(),
        priority=priority,
        factors=tuple(factors),
        confidence_losses=losses,
    )
    return replace(score, reasons=_reasons(score, config), changes=_changes(score, deserved, config))


def _clamp(points: float) -> float:
    return round(min(100.0, max(0.0, points)), 2)


def _side(criteria: Sequence[CriterionScore], side: tuple[Criterion, ...]) -> float:
    return round(min(100.0, sum(c.weight * c.score for c in criteria if c.criterion in side)), 1)


def _verdict(priority: float, config: ScoringConfig) -> Verdict:
    if priority >= config.strong_candidate:
        return Verdict.STRONG_CANDIDATE
    if priority >= config.candidate:
        return Verdict.CANDIDATE
    return Verdict.KEEP


# --- the service as a whole: runtime, domain, traffic -------------------------------------


def _code_lines(service: Service, languages: Iterable[str] | None = None) -> int:
    wanted = None if languages is None else set(languages)
    return sum(t.code for t in service.languages if wanted is None or t.language in wanted)


def _service_evidence(service: Service, detail: str) -> Evidence:
    return Evidence(service.path, 0, detail)


def _runtime(service: Service, findings: Sequence[Finding]) -> tuple[str, RuntimeClass | None, Evidence]:
    """The runtime's name, its class, and why: the runtime rule's finding, else the primary language."""
    for finding in findings:
        runtime = finding.fact("runtime")
        if finding.rule == "RUN101" and isinstance(runtime, str) and runtime in RUNTIME_CLASSES:
            return runtime, RUNTIME_CLASSES[runtime], Evidence(finding.path, finding.line, finding.message)
    language = service.primary_language or "unknown"
    lines = _code_lines(service, [language])
    return language, RUNTIME_CLASSES.get(language), _service_evidence(service, f"{lines:,} lines of {language}")


def _runtime_factor(name: str, runtime_class: RuntimeClass, evidence: Evidence) -> ScoreFactor:
    return ScoreFactor(
        name=f"runtime: {name} ({runtime_class.label})",
        multipliers=tuple(runtime_class.factors.items()),
        reason="" if runtime_class.factors else "weighs no criterion differently",
        evidence=(evidence,),
    )


def _runtime_drafts(service: Service, name: str, runtime_class: RuntimeClass, findings: Sequence[Finding], evidence: Evidence) -> list[_Draft]:
    drafts = []
    own = f"runtime: {name} ({runtime_class.label})"
    if runtime_class is INTERPRETED:
        drafts.append(_Draft(Criterion.PERFORMANCE, INTERPRETED_POINTS, f"interpreted runtime ({name}): CPU-bound work runs many times slower than compiled code",
                             None, evidence, [], repeats=False, own_factor=own))
    if runtime_class.label in GARBAGE_COLLECTED and not any(f.rule == "RUN101" for f in findings):
        drafts.append(_Draft(Criterion.LATENCY, GARBAGE_COLLECTED_POINTS, f"garbage-collected runtime ({name}): collector pauses reach response times",
                             None, evidence, [], repeats=False, own_factor=own))
    unsafe = _code_lines(service, MEMORY_UNSAFE_LANGUAGES)
    total = _code_lines(service)
    if unsafe and total:
        share = unsafe / total
        languages = ", ".join(t.language for t in service.languages if t.language in MEMORY_UNSAFE_LANGUAGES and t.code)
        drafts.append(_Draft(Criterion.SECURITY, MEMORY_UNSAFE_POINTS, f"memory-unsafe code: {unsafe:,} lines of {languages} ({share:.0%} of its code)",
                             None, _service_evidence(service, f"{unsafe:,} lines of {languages}"),
                             [("share of memory-unsafe code", round(share, 4))] if share < 1 else [], repeats=False, own_factor=own))
    return drafts


def words_of(text: str) -> set[str]:
    """Lower-case words of a name or path: ``checkoutAPI/read_states.go`` gives checkout, api, read, states, go."""
    return {word.lower() for word in _WORD.findall(text)}


def _domains(service: Service, findings: Sequence[Finding], config: ScoringConfig) -> ScoreFactor | None:
    """The domains a service's name, source paths or dependencies show, as one factor citing the evidence of each."""
    # (words, where, line, what says so, whether this is a dependency), most telling first.
    sightings: list[tuple[set[str], str, int, str, bool]] = [
        (words_of(service.name) | words_of(service.path.rsplit("/", 1)[-1]), service.path, 0, f"its name {service.name!r}", False)
    ]
    prefix = "" if service.path == "." else service.path + "/"
    sightings += [(words_of(path.removeprefix(prefix).rsplit(".", 1)[0]), path, 0, "a source path", False) for path in service.files]
    for finding in findings:
        package = finding.fact("package")
        if isinstance(package, str):
            sightings.append((words_of(package), finding.path, finding.line, f"it depends on {package!r}: its name", True))
    found: dict[str, list[Evidence]] = {}
    for words, path, line, source, dependency in sightings:
        if _ANY_DOMAIN_KEYWORD.isdisjoint(words):
            continue  # most source paths: one set test instead of one per domain
        for domain, spec in DOMAINS.items():
            matched = sorted(words & spec.keywords)
            cited = found.setdefault(domain, []) if matched and (spec.by_dependency or not dependency) else None
            if cited is not None and len(cited) < DOMAIN_EVIDENCE_CITED:
                cited.append(Evidence(path, line, f"{source} says {matched[0]!r}"))
    if not found:
        return None
    criteria = sorted({c for domain in found for c in DOMAINS[domain].criteria}, key=BENEFIT.index)
    reason = "; ".join(f"{domain} ({', '.join(e.detail for e in evidence)})" for domain, evidence in found.items())
    return ScoreFactor(
        f"domain: {', '.join(found)}",
        tuple((criterion, config.domain_multiplier) for criterion in criteria),
        reason,
        tuple(e for evidence in found.values() for e in evidence),
    )


def _domain_drafts(domain: ScoreFactor, config: ScoringConfig) -> list[_Draft]:
    """The domain's own points on each of its criteria, citing its first evidence."""
    more = ", ..." if len(domain.evidence) > 1 else ""
    reason = f"{domain.name.removeprefix('domain: ')} domain ({domain.evidence[0].detail}{more})"
    return [
        _Draft(criterion, config.domain_points, reason, None, domain.evidence[0], [], repeats=False, own_factor=domain.name)
        for criterion, _ in domain.multipliers
    ]


def _traffic(service: Service, findings: Sequence[Finding], report: Report, config: ScoringConfig) -> tuple[ScoreFactor | None, list[_Draft]]:
    """How much traffic reaches the service: who calls it, and how many replicas it runs at most."""
    roles = {s.name: s.role for s in report.services}
    callers: dict[str, Evidence] = {}
    for edge in report.edges:
        if edge.target == service.name and edge.source in roles and edge.source not in callers:
            detail = f"called by {edge.source} over {edge.protocol}" + (" (a load test)" if roles[edge.source] == "load-generator" else "")
            first = edge.evidence[0] if edge.evidence else Evidence(service.path, 0, "")
            callers[edge.source] = Evidence(first.path, first.line, detail)
    replicas, replicas_evidence = 1, None
    for finding in findings:
        most = finding.fact("replicas_max")
        if isinstance(most, int) and not isinstance(most, bool) and most > replicas:
            replicas, replicas_evidence = most, Evidence(finding.path, finding.line, f"up to {most} replicas: {finding.message}")
    drafts = [
        _Draft(Criterion.PERFORMANCE, config.caller_points, evidence.detail, None, evidence, [], own_factor="traffic")
        for evidence in callers.values()
    ]
    doublings = math.log2(replicas)
    if replicas_evidence is not None:
        drafts.append(_Draft(Criterion.PERFORMANCE, round(config.replica_points * doublings, 2), f"runs up to {replicas} replicas",
                             None, replicas_evidence, [], repeats=False, own_factor="traffic"))
    steps = min(len(callers), config.traffic_steps) + min(doublings, config.traffic_steps)
    if not steps or not config.traffic_step:
        return None, drafts
    multiplier = round(1 + config.traffic_step * steps, 4)
    parts = [f"called by {len(callers)} service{'s' if len(callers) != 1 else ''}"] if callers else []
    if replicas > 1:
        parts.append(f"up to {replicas} replicas")
    evidence = tuple(callers.values()) + ((replicas_evidence,) if replicas_evidence else ())
    multipliers = ((Criterion.PERFORMANCE, multiplier), (Criterion.LATENCY, multiplier))
    return ScoreFactor("traffic", multipliers, ", ".join(parts), evidence), drafts


# --- findings and plugin contributions -----------------------------------------------------


def _finding_drafts(findings: Sequence[Finding], config: ScoringConfig) -> list[_Draft]:
    drafts = []
    for finding in findings:
        base = base_points(finding.rule, finding.criterion)
        if finding.rule == FOOTPRINT_RULE:
            base = _footprint_points(finding)
        if not base:
            continue
        factors = []
        if finding.confidence < 1:
            factors.append(("finding confidence", round(finding.confidence, 4)))
        if finding.fact("in_handler") is True:
            factors.append(("on the request path", REQUEST_PATH_FACTOR))
        rule_weight = _rule_weight(finding.rule, config)
        if rule_weight != 1:
            factors.insert(0, (f"configured weight of {finding.rule}", rule_weight))
        drafts.append(_Draft(finding.criterion, base, finding.message, finding.rule, Evidence(finding.path, finding.line, finding.message), factors))
    return drafts


def _footprint_points(finding: Finding) -> float:
    footprint = finding.fact("footprint_bytes")
    if not isinstance(footprint, int | float) or isinstance(footprint, bool) or footprint <= 0:
        return 0.0
    return round(min(FOOTPRINT_MAX_POINTS, FOOTPRINT_POINTS_PER_DOUBLING * math.log2(1 + footprint / (1 << 30))), 2)


def _plugin_draft(contribution: Contribution, config: ScoringConfig) -> _Draft:
    factors = []
    rule_weight = _rule_weight(contribution.rule, config)
    if rule_weight != 1:
        factors.append((f"configured weight of {contribution.rule}", rule_weight))
    assert contribution.evidence is not None  # the pipeline drops contributions without evidence
    return _Draft(contribution.criterion, contribution.points, contribution.reason, contribution.rule, contribution.evidence, factors)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _weigh(drafts: list[_Draft], factors: Sequence[ScoreFactor], config: ScoringConfig) -> list[Contribution]:
    """Drafts with diminishing returns per rule and the service's factors applied, strongest first per criterion."""
    ordered = sorted(drafts, key=lambda d: (d.criterion.value, -abs(d.strength()), d.rule or "", d.evidence.path, d.evidence.line, d.reason))
    seen: dict[tuple[Criterion, str], int] = defaultdict(int)
    contributions = []
    for draft in ordered:
        named = list(draft.factors)
        if draft.repeats and draft.rule is not None:
            seen[draft.criterion, draft.rule] += 1
            n = seen[draft.criterion, draft.rule]
            if n > 1 and config.repeat_exponent:
                named.append((f"{_ordinal(n)} of {draft.rule}", round(1 / n**config.repeat_exponent, 4)))
        elif draft.repeats and draft.own_factor == "traffic":
            seen[draft.criterion, "callers"] += 1
            n = seen[draft.criterion, "callers"]
            if n > 1 and config.repeat_exponent:
                named.append((f"{_ordinal(n)} caller", round(1 / n**config.repeat_exponent, 4)))
        for factor in factors:
            multiplier = factor.multiplier(draft.criterion)
            if multiplier != 1 and factor.name != draft.own_factor:
                named.append((factor.name, multiplier))
        weight = round(math.prod(value for _, value in named), 4)
        contributions.append(
            Contribution(
                criterion=draft.criterion,
                points=round(draft.base * weight, 2),
                reason=draft.reason,
                rule=draft.rule,
                evidence=draft.evidence,
                weight=weight,
                base=draft.base,
                factors=tuple(named),
            )
        )
    return contributions


# --- confidence -----------------------------------------------------------------------------


def _confidence_losses(inputs: ServiceInputs, config: ScoringConfig) -> list[ConfidenceLoss]:
    service, findings = inputs.service, inputs.findings
    families = {family(f.rule) for f in findings}
    losses = []
    if not inputs.history_read and HISTORY_FAMILY not in families:
        losses.append(ConfidenceLoss("no git history: churn, ownership and past fixes unknown", config.loss_no_history))
    if service.primary_language is None:
        losses.append(ConfidenceLoss("its language is unknown", config.loss_unknown_language))
    if not _code_lines(service):
        losses.append(ConfidenceLoss("no source code found in it", config.loss_no_code))
    elif not families & set(CODE_FAMILIES):
        losses.append(ConfidenceLoss(f"no code analysis: no code rule reads {service.primary_language or 'its language'}", config.loss_no_code_analysis))
    if not families & set(RUNTIME_FAMILIES):
        losses.append(ConfidenceLoss("no runtime evidence: how it is built, sized and scaled is unknown", config.loss_no_runtime_evidence))
    unparsed = sorted({w.path for w in inputs.warnings if w.path})
    if unparsed:
        loss = min(config.loss_unparsed_files_max, config.loss_unparsed_file * len(unparsed))
        losses.append(ConfidenceLoss(f"{len(unparsed)} of its files could not be read or parsed: {', '.join(unparsed)}", round(loss, 4), tuple(unparsed)))
    return losses


# --- words ------------------------------------------------------------------------------------


SUMMARY_REASON_LENGTH = 70


def short(reason: str, length: int = SUMMARY_REASON_LENGTH) -> str:
    """A reason's gist: up to its first explanation (``": "`` or ``" ("``) once it says something, at most ``length`` characters."""
    cut = min((i for i in (reason.find(": ", 4), reason.find(" (", 4)) if i != -1), default=len(reason))
    gist = reason[:cut]
    return gist if len(gist) <= length else gist[: length - 3].rsplit(" ", 1)[0] + "..."


def criterion_summary(criterion: CriterionScore, limit: int = 2) -> str:
    """``"latency 72: GOGC=50; latency-fix commit (+2 more)"``: the score and the gist of its strongest evidence."""
    return f"{criterion.criterion.value} {criterion.score:.0f}: {_gist(criterion, limit)}"


def _gist(criterion: CriterionScore, limit: int) -> str:
    groups: dict[str, list[Contribution]] = defaultdict(list)
    for contribution in criterion.contributions:
        groups[contribution.rule or contribution.reason].append(contribution)
    strongest = sorted(groups.values(), key=lambda group: (-abs(sum(c.points for c in group)), group[0].rule or "", group[0].reason))
    parts = []
    for group in strongest[:limit]:
        gist = short(group[0].reason)
        parts.append(gist if len(group) == 1 else f"{gist} (+{len(group) - 1} more)")
    return "; ".join(parts)


def _reasons(score: ServiceScore, config: ScoringConfig) -> tuple[str, ...]:
    """The top three reasons, in plain words: what the verdict turns on first."""
    by_impact = sorted((c for c in score.criteria if c.score > 0), key=lambda c: (-c.weight * c.score, c.criterion.value))
    gains = [criterion_summary(c) for c in by_impact if c.criterion in BENEFIT]
    costs = [f"effort: {criterion_summary(c, 1)}" for c in by_impact if c.criterion in EFFORT]
    if score.verdict is Verdict.INCONCLUSIVE:
        missing = "; ".join(loss.reason for loss in score.confidence_losses)
        return (f"too little evidence (confidence {score.confidence:.2f}): {missing}", *gains[:1], *costs[:1])
    if score.verdict is Verdict.KEEP:
        little = f"little to gain: benefit {score.benefit:.0f}" + (f" ({gains[0]})" if gains else "")
        if score.benefit >= config.candidate and costs:
            # Enough to gain for a candidate: what the rewrite would cost is what keeps it.
            return (f"too costly for what it gains: {costs[0].removeprefix('effort: ')} (effort {score.effort:.0f})", *gains[:1], *costs[1:2])
        return (little, *costs[:1], *gains[1:2])
    return (*gains[:2], *costs[:1])


def _changes(score: ServiceScore, deserved: Verdict, config: ScoringConfig) -> tuple[str, ...]:
    """What would move the service to another verdict: the thresholds in numbers, and the evidence it turns on."""
    if score.verdict is Verdict.INCONCLUSIVE:
        needed = config.confidence_threshold - score.confidence
        missing = ", ".join(f"{loss.reason} (+{loss.loss:g})" for loss in score.confidence_losses)
        return (
            f"more evidence would decide it (confidence {score.confidence:.2f}, needs +{needed:.2f}): {missing}",
            f"on the evidence so far it would be: {deserved.value} (priority {score.priority:g})",
        )
    changes = []
    discount = 1 - config.effort_weight * score.effort / 100
    up = {Verdict.KEEP: (config.candidate, Verdict.CANDIDATE), Verdict.CANDIDATE: (config.strong_candidate, Verdict.STRONG_CANDIDATE)}
    down = {Verdict.STRONG_CANDIDATE: (config.strong_candidate, Verdict.CANDIDATE), Verdict.CANDIDATE: (config.candidate, Verdict.KEEP)}
    if score.verdict in up:
        threshold, better = up[score.verdict]
        text = f"{better.value} from priority {threshold:g} (now {score.priority:g}): benefit {threshold / discount:.0f} at this effort (now {score.benefit:.0f})"
        if score.benefit > threshold:
            effort_needed = (1 - threshold / score.benefit) * 100 / config.effort_weight
            text += f", or effort {max(0.0, effort_needed):.0f} at this benefit (now {score.effort:.0f})"
        changes.append(text)
    if score.verdict in down:
        threshold, worse = down[score.verdict]
        text = f"{worse.value} below priority {threshold:g}: if benefit fell under {threshold / discount:.0f} (now {score.benefit:.0f})"
        effort_ceiling = (1 - threshold / score.benefit) * 100 / config.effort_weight if score.benefit else 0.0
        if effort_ceiling < 100:
            text += f" or effort rose over {effort_ceiling:.0f} (now {score.effort:.0f})"
        changes.append(text)
    changes += _levers(score, config)
    return tuple(changes)


def _levers(score: ServiceScore, config: ScoringConfig) -> list[str]:
    """The benefit criterion the verdict rests on, and the effort item that holds it back, where one alone changes it."""
    levers = []
    by_weight = sorted(score.criteria, key=lambda c: (-c.weight * c.score, c.criterion.value))
    for criterion in (c for c in by_weight if c.criterion in BENEFIT and c.score > 0):
        benefit = round(min(100.0, sum(c.weight * c.score for c in score.criteria if c.criterion in BENEFIT and c is not criterion)), 1)
        verdict = _verdict(_priority(benefit, score.effort, config), config)
        if verdict is not score.verdict:
            levers.append(
                f"it rests on its {criterion.criterion.value} evidence ({criterion.score:.0f}: {_gist(criterion, 1)}); without it, {verdict.value}"
            )
            break
    items = [(c, x) for c in score.criteria if c.criterion in EFFORT for x in c.contributions if x.points > 0]
    for criterion, item in sorted(items, key=lambda pair: (-pair[1].points * pair[0].weight, pair[1].reason)):
        lowered = {c.criterion: c.score for c in score.criteria}
        lowered[criterion.criterion] = _clamp(sum(x.points for x in criterion.contributions if x is not item))
        effort = round(min(100.0, sum(c.weight * lowered[c.criterion] for c in score.criteria if c.criterion in EFFORT)), 1)
        verdict = _verdict(_priority(score.benefit, effort, config), config)
        if verdict is not score.verdict:
            levers.append(f"without {short(item.reason)} ({criterion.criterion.value} +{item.points:g}): {verdict.value}")
            break
    return levers


def _priority(benefit: float, effort: float, config: ScoringConfig) -> float:
    return round(benefit * (1 - config.effort_weight * effort / 100), 1)
