"""The plain records that flow between readiness's stages.

files -> findings -> service scores -> report. Every record is frozen: a stage
receives the previous stage's records and returns new ones, never edits them.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class Criterion(enum.StrEnum):
    """The criteria of ../shared/CRITERIA.md; every score traces back to one."""

    PERFORMANCE = "performance"
    LATENCY = "latency"
    SECURITY = "security"
    CONCURRENCY = "concurrency"
    COST = "cost"
    SIZE = "size"
    ECOSYSTEM = "ecosystem"
    TEAM = "team"
    FIT = "fit"
    BOUNDARY = "boundary"

    @property
    def side(self) -> str:
        """``benefit`` (what a rewrite gains) or ``effort`` (what it costs)."""
        return "benefit" if self in _BENEFIT else "effort"


_BENEFIT = frozenset(
    {Criterion.PERFORMANCE, Criterion.LATENCY, Criterion.SECURITY, Criterion.CONCURRENCY, Criterion.COST}
)


class FileKind(enum.StrEnum):
    """What a file is to a rewrite. Only ``source`` and ``test`` count in language totals."""

    SOURCE = "source"
    TEST = "test"
    VENDORED = "vendored"
    GENERATED = "generated"
    DOCUMENTATION = "documentation"
    DATA = "data"


class ReadStatus(enum.StrEnum):
    """Whether the inventory read a file's bytes, and if not, why not."""

    READ = "read"
    BINARY = "binary"
    TOO_LARGE = "too-large"
    SYMLINK = "symlink"
    NOT_REGULAR = "not-regular"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class FileClass:
    """A classifier's answer for one file."""

    language: str | None
    """GitHub Linguist's canonical name (``"C++"``, ``"TypeScript"``), or None when unknown."""
    kind: FileKind
    reason: str
    """The rule that decided ``kind``, e.g. ``"path: vendor/"`` or ``".gitattributes: linguist-generated"``."""


@dataclass(frozen=True, slots=True)
class LineCounts:
    code: int
    comment: int
    blank: int

    @property
    def total(self) -> int:
        return self.code + self.comment + self.blank


@dataclass(frozen=True, slots=True)
class FileRecord:
    """One file of the inventory."""

    path: str
    """Repository-relative, POSIX separators."""
    size: int
    blob: str | None
    """Git object id of the bytes read (or of the index entry when the file was not read)."""
    status: ReadStatus
    language: str | None = None
    kind: FileKind = FileKind.SOURCE
    reason: str = ""
    lines: LineCounts | None = None

    @property
    def counted(self) -> bool:
        """True when the file counts towards language totals and code analysis."""
        return self.status is ReadStatus.READ and self.kind in (FileKind.SOURCE, FileKind.TEST)


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob, so cache keys agree with ``git ls-files -s``."""
    digest = hashlib.sha1(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Rule:
    """A documented rule. Its id is stable forever; ``doc`` is its doc page."""

    id: str
    title: str
    criterion: Criterion
    doc: str
    """Markdown with the sections *What it finds*, *Why it matters for a Rust rewrite*, *Example*."""
    level: str = "note"
    """Default SARIF level: ``note``, ``warning`` or ``error``."""
    plugin: str = ""
    """Filled in by the plugin host with the declaring plugin's name."""

    def finding(
        self,
        path: str,
        line: int,
        message: str,
        *,
        column: int = 1,
        function: str | None = None,
        snippet: str = "",
        confidence: float = 1.0,
        facts: Mapping[str, Fact] | None = None,
    ) -> Finding:
        """A finding of this rule; the fingerprint hashes the rule, path and snippet, not the line."""
        return Finding(
            rule=self.id,
            criterion=self.criterion,
            path=path,
            line=line,
            column=column,
            message=message,
            function=function,
            fingerprint=fingerprint(self.id, path, snippet or message),
            confidence=confidence,
            facts=tuple(sorted(facts.items())) if facts else (),
        )


def fingerprint(rule_id: str, path: str, snippet: str) -> str:
    """Stable across unrelated edits: whitespace inside the snippet and its line number do not count."""
    normalized = " ".join(snippet.split())
    return hashlib.sha256(f"{rule_id}\0{path}\0{normalized}".encode()).hexdigest()[:16]


Fact = str | int | float | bool
"""A measured value a finding carries, e.g. a memory limit in bytes or a commit count."""


class BaselineStatus(enum.StrEnum):
    """A finding against the baseline's: SARIF's ``baselineState`` values under readiness's names."""

    NEW = "new"
    UNCHANGED = "unchanged"
    """The same rule, service, path and snippet as a baseline finding, perhaps on another line."""
    CHANGED = "changed"
    """The same finding as a baseline one with another message or other facts, or the same rule
    on the same line of the same file with another snippet."""
    FIXED = "fixed"
    """Only in the baseline."""


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    criterion: Criterion
    path: str
    line: int
    message: str
    column: int = 1
    function: str | None = None
    fingerprint: str = ""
    confidence: float = 1.0
    service: str | None = None
    """The service the file belongs to, assigned by the pipeline once services are known."""
    facts: tuple[tuple[str, Fact], ...] = ()
    """Named values later stages compute with (sorted by name), e.g. ``("memory_limit_bytes", 536870912)``."""
    baseline: BaselineStatus | None = None
    """How the finding compares with ``--baseline``'s, set by :mod:`readiness.baseline`; None without a baseline."""

    def for_service(self, service: str) -> Finding:
        """This finding, of ``service``."""
        # dataclasses.replace costs twice this, and every finding of a scan goes through here.
        return Finding(
            self.rule, self.criterion, self.path, self.line, self.message, self.column,
            self.function, self.fingerprint, self.confidence, service, self.facts, self.baseline,
        )

    def fact(self, name: str, default: Fact | None = None) -> Fact | None:
        # A finding has a handful of facts, and scoring asks for some of every finding's.
        for key, value in self.facts:
            if key == name:
                return value
        return default


def selects(selector: str, finding: Finding) -> bool:
    """Whether a gate's or a suppression's selector matches the finding.

    A selector is a rule id (``MEM101``), a rule family (``MEM``: its letters), a
    criterion (``latency``) or ``all``.
    """
    return selector in ("all", finding.criterion.value) or _selects_rule(selector, finding.rule)


def selector_is_known(selector: str, rule_ids: Iterable[str]) -> bool:
    """Whether a selector can match anything: ``all``, a criterion, or a declared rule or family."""
    if selector == "all" or selector in {criterion.value for criterion in Criterion}:
        return True
    return any(_selects_rule(selector, rule_id) for rule_id in rule_ids)


def _selects_rule(selector: str, rule_id: str) -> bool:
    upper = selector.upper()
    if upper == rule_id:
        return True
    return upper.isalpha() and rule_id.startswith(upper) and rule_id[len(upper) :][:1].isdigit()


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why readiness believes something: a file, a line, and what it says."""

    path: str
    line: int
    detail: str


@dataclass(frozen=True, slots=True)
class Deployment:
    """Where a service is deployed from: one entry of a compose file, a workload, a function."""

    kind: str
    """``compose``, ``kubernetes``, ``helm``, ``kustomize``, ``skaffold``, ``serverless``, ``sam``, ``cdk``, ``aspire`` or ``procfile``."""
    path: str
    """The file that declares it."""
    name: str
    """The compose service key, workload name or function name within that file."""
    line: int


ROLES = ("load-generator", "frontend", "tooling", "worker", "backend", "library", "infrastructure")
"""Every role a service can have, in the order a merge prefers them when detectors disagree: the most
specific claim wins (Locust code makes a deployed container a load generator; a Celery command makes
a Python backend a worker; a deployment makes a package more than a library)."""

RANKED_ROLES = frozenset({"backend", "worker"})
"""Roles readiness ranks for a rewrite; the others are listed, never ranked."""


@dataclass(frozen=True, slots=True)
class ServiceCandidate:
    """One detector's claim that a directory holds a deployable service.

    Candidates are merged by ``(path, variant)``. A candidate without a variant belongs to
    every service at its path, so a Dockerfile or a manifest seen once is evidence for each
    entry point built from it.
    """

    path: str
    """Source root, repository-relative POSIX; ``"."`` for the repository root."""
    name: str
    evidence: Evidence
    role: str | None = None
    """One of :data:`ROLES`; None when the detector cannot tell (the merge then says ``backend``)."""
    manifests: tuple[str, ...] = ()
    """Build and package manifests of the service (go.mod, package.json, pom.xml...)."""
    dockerfiles: tuple[str, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    variant: str = ""
    """Tells apart services that share a source root: one image run with different entry points
    (compose ``command``/``entrypoint``, build ``target`` or args, Procfile process types). Empty
    when the detector saw one entry point."""
    named_by_deployment: bool = False
    """True when ``name`` comes from a deployment (compose key, workload, Aspire resource), which
    names a service better than its directory or package."""


@dataclass(frozen=True, slots=True)
class Infrastructure:
    """A datastore, broker or other third-party image the services use: listed, never ranked."""

    name: str
    """The name services reach it by (compose key, workload or Aspire resource name)."""
    kind: str
    """What it is: ``redis``, ``postgres``, ``kafka``, ``rabbitmq``..., or ``other``."""
    evidence: tuple[Evidence, ...]
    image: str | None = None
    path: str | None = None
    """The directory it is built from when the repository holds its configuration (a Dockerfile
    ``FROM postgres`` with init scripts); None for an image used as is."""
    deployments: tuple[Deployment, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    """One service talking to another service or to infrastructure."""

    source: str
    """The calling service's name."""
    target: str
    """The called service's or infrastructure's name."""
    protocol: str
    """``http``, ``grpc``, ``kafka``, ``amqp``, ``nats``, ``sqs``, ``redis``, ``sql``, ``mongodb``...
    or ``unknown`` when only a dependency is declared (compose ``depends_on``)."""
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class LanguageTotals:
    language: str
    files: int
    code: int
    comment: int
    blank: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    """Unique among the services of a report; findings, scores and edges refer to it."""
    path: str
    role: str
    languages: tuple[LanguageTotals, ...]
    primary_language: str | None
    evidence: tuple[Evidence, ...]
    manifests: tuple[str, ...] = ()
    dockerfiles: tuple[str, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    files: tuple[str, ...] = ()
    """Every listed file this service owns: those below its path and below no deeper service, or
    matched by a configured path glob. Services that share a path own the same files."""

    @property
    def ranked(self) -> bool:
        """True for roles readiness ranks (backend, worker); UIs, tools, libraries and load generators are listed only."""
        return self.role in RANKED_ROLES


@dataclass(frozen=True, slots=True)
class Contribution:
    """Points a piece of evidence adds to one criterion of one service.

    ``points = base x weight`` and ``weight`` is the product of ``factors``, so every number
    can be recomputed from the explanation. A plugin's ``readiness_score_service`` gives
    ``points`` (and leaves the rest at their defaults); the scoring stage takes those points
    as ``base`` and applies the configured weights.
    """

    criterion: Criterion
    points: float
    reason: str
    """Plain words: what was found, e.g. ``"HMAC signing on the request path"``."""
    rule: str | None = None
    evidence: Evidence | None = None
    weight: float = 1.0
    """The product of ``factors``: the configured weights that ``points`` already includes."""
    base: float | None = None
    """The points before weighting; None until the scoring stage has weighted the contribution."""
    factors: tuple[tuple[str, float], ...] = ()
    """Named multipliers, e.g. ``("rule PERF103", 1.0)``, ``("3rd finding of PERF103", 0.333)``,
    ``("runtime: CPython (interpreted)", 1.5)``; their product is ``weight``."""


@dataclass(frozen=True, slots=True)
class ScoreFactor:
    """Something about a whole service that weighs some criteria more: its runtime, its domain, its traffic."""

    name: str
    """What contributions list among their factors, e.g. ``"domain: payments"``."""
    multipliers: tuple[tuple[Criterion, float], ...]
    """What each criterion's contributions are multiplied by; criteria not listed keep 1."""
    reason: str
    evidence: tuple[Evidence, ...] = ()

    def multiplier(self, criterion: Criterion) -> float:
        return dict(self.multipliers).get(criterion, 1.0)


@dataclass(frozen=True, slots=True)
class ConfidenceLoss:
    """Evidence readiness is missing for a service, and how much confidence that costs."""

    reason: str
    loss: float
    paths: tuple[str, ...] = ()
    """The files concerned, e.g. manifests that could not be parsed."""


class Verdict(enum.StrEnum):
    STRONG_CANDIDATE = "strong candidate"
    CANDIDATE = "candidate"
    KEEP = "keep as is"
    INCONCLUSIVE = "inconclusive"
    """Too little evidence to say: never silently scored."""
    NOT_APPLICABLE = "not applicable"
    """Already Rust, or not a backend service."""


@dataclass(frozen=True, slots=True)
class CriterionScore:
    criterion: Criterion
    score: float
    """0-100: the sum of its contributions' points, held between 0 and 100."""
    weight: float
    """How much this criterion counts in its side's total."""
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class ServiceScore:
    """The verdict on one service: what a rewrite gains, what it costs, how sure readiness is."""

    service: str
    verdict: Verdict
    benefit: float
    """0-100: the sum of the benefit criteria's scores times their weights, at most 100."""
    effort: float
    """0-100: the sum of the effort criteria's scores times their weights, at most 100."""
    confidence: float
    """0-1: one minus the ``confidence_losses``; below the configured threshold the verdict is inconclusive."""
    rank: int | None
    """1 for the best candidate; None for services that are not ranked (not applicable, inconclusive) and in a diff scan."""
    criteria: tuple[CriterionScore, ...]
    reasons: tuple[str, ...]
    """The top reasons, in plain words, most important first."""
    changes: tuple[str, ...] = ()
    """What would change the verdict."""
    priority: float = 0.0
    """What services are ranked by: benefit against effort (see :class:`ScoringParameters`)."""
    factors: tuple[ScoreFactor, ...] = ()
    confidence_losses: tuple[ConfidenceLoss, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoringParameters:
    """The numbers that turn criterion scores into a verdict, as configured for this scan.

    ``benefit = min(100, sum(weight[c] * score[c]))`` over the benefit criteria, ``effort``
    likewise over the effort criteria; ``priority = benefit * (1 - effort_weight * effort /
    100)``. A service is a strong candidate from ``strong_candidate`` priority, a candidate
    from ``candidate``, else kept as is; inconclusive below ``confidence_threshold``.
    """

    criterion_weights: tuple[tuple[Criterion, float], ...]
    effort_weight: float
    strong_candidate: float
    candidate: float
    confidence_threshold: float


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A one-line warning or error about the input or a plugin; the scan goes on."""

    level: str
    """``warning`` (bad input, skipped work) or ``error`` (a plugin failed)."""
    message: str
    path: str | None = None
    plugin: str | None = None
    hook: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """How many files one rule kept out of the language totals."""

    reason: str
    rule: str
    files: int


@dataclass(frozen=True, slots=True)
class RepositoryInfo:
    name: str
    vcs: str
    """``git`` when files came from git, ``none`` when from a directory walk."""
    head: str | None
    dirty: bool | None


@dataclass(frozen=True, slots=True)
class Repository:
    """What detectors see of the scanned tree: its inventory, and a safe way to read a file."""

    root: Path
    info: RepositoryInfo
    files: tuple[FileRecord, ...]
    max_file_size: int
    memo: Memo | None = field(default=None, compare=False)
    """Remembers :meth:`extract` and :meth:`at_head` results between scans; None without a cache."""

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, or None if it is not a regular file inside the root or is over the cap."""
        from readiness.safefs import read_regular_file

        return read_regular_file(self.root, path, self.max_file_size)

    def extract(self, path: str, key: str, function: Callable[[bytes], JSONData]) -> JSONData:
        """``function(bytes)`` of a file, computed once per content: a rescan does not read an unchanged file again.

        For hooks that look through many files of the repository (edge finders): put the
        per-file work in a pure ``function`` and combine its results. ``key`` names the
        function and its version (``"topic_edges/1"``), and must change whenever what it
        returns for the same bytes could. The result is JSON data (dicts, lists, strings,
        numbers, booleans, None), given back as JSON would: tuples come back as lists,
        with or without a cache. None when the file cannot be read.
        """
        if self.memo is not None:
            return self.memo.extract(self, path, key, function)
        data = self.read_bytes(path)
        return None if data is None else as_json_data(function(data))

    def at_head(self, name: str, inputs: JSONData, function: Callable[[], JSONData]) -> JSONData:
        """``function()``, computed once per HEAD commit and ``inputs``: a rescan at the same commit does not compute it again.

        For hooks that read the repository's history (``git log``), which only a new commit
        changes: put that work in ``function`` and build findings from its result, since the
        work tree can change under the same HEAD. ``name`` names the function and its version
        (``"history/1"``); ``inputs`` is everything else the result depends on (settings,
        the services' files, files git reads such as ``.mailmap``), as JSON data. One result
        is kept per name. An exception from ``function`` keeps nothing. The result is JSON
        data, given back as JSON would; computed every time without a cache or a commit.
        """
        if self.memo is not None and self.info.head is not None:
            return self.memo.at_head(self.info.head, name, inputs, function)
        return as_json_data(function())


JSONData = Any
"""What :meth:`Repository.extract` functions return: JSON-serialisable values."""


def as_json_data(value: JSONData) -> JSONData:
    """The value as it reads back from JSON, so that a result is the same whether it was remembered or not."""
    return json.loads(json.dumps(value))


class Memo(Protocol):
    """Where :meth:`Repository.extract` and :meth:`Repository.at_head` results are remembered (see :mod:`readiness.cache`)."""

    def extract(self, repo: Repository, path: str, key: str, function: Callable[[bytes], JSONData]) -> JSONData: ...

    def at_head(self, head: str, name: str, inputs: JSONData, function: Callable[[], JSONData]) -> JSONData: ...


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding someone chose to ignore, and why: listed in every output, never counted or scored."""

    finding: Finding
    reason: str
    source: str
    """Where the suppression is written: ``path:line`` of an inline comment, or the configuration file and entry."""
    inline: bool
    """True for a comment in the scanned file (SARIF's ``inSource``), False for configuration (``external``)."""


@dataclass(frozen=True, slots=True)
class BaselineComparison:
    """What ``--baseline`` compared the findings with; each finding's status is on the finding."""

    source: str
    """The baseline file, as given."""
    head: str | None
    """The commit the baseline was made at, when it says."""
    fixed: tuple[Finding, ...]
    """Baseline findings with no match now, sorted by path and line."""


@dataclass(frozen=True, slots=True)
class GateFailure:
    condition: str
    """The gate as written on the command line, e.g. ``--fail-over benefit=70``."""
    detail: str
    """What broke it, e.g. ``checkout-api: benefit 82.5 > 70``."""


@dataclass(frozen=True, slots=True)
class GateOutcome:
    """The CI gates checked on a report, and which failed. The exit code follows from it."""

    conditions: tuple[str, ...]
    failures: tuple[GateFailure, ...]
    """What broke each broken condition: a score gate fails once per service over its threshold."""
    new_only: bool = False
    """True when finding gates counted only findings new against the baseline."""
    exit_zero: bool = False
    """True when ``--exit-zero`` asked for exit 0 whatever the outcome."""

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def broken(self) -> int:
        """How many of the conditions are broken."""
        return len({failure.condition for failure in self.failures})

    @property
    def tally(self) -> str:
        """The count every verdict prints: ``2 conditions met`` or ``1 of 3 conditions broken``."""
        total = len(self.conditions)
        noun = "condition" if total == 1 else "conditions"
        return f"{total} {noun} met" if self.passed else f"{self.broken} of {total} {noun} broken"

    @property
    def exit_code(self) -> int:
        return 0 if self.passed or self.exit_zero else 1


@dataclass(frozen=True, slots=True)
class DiffScope:
    """A scan limited to the services some files touch: ``--diff REF``, or ``readiness check FILES``."""

    base: str
    """What the changed files were found against: the ref as given, or ``"files given"``."""
    commit: str | None
    """The commit ``base`` names; None for files given."""
    changed: tuple[str, ...]
    """Changed (added, modified or deleted) paths, repository-relative, sorted."""
    services: tuple[str, ...]
    """The services those paths touch: the only ones analysed, scored and reported on."""


@dataclass(frozen=True, slots=True)
class Report:
    tool_version: str
    repository: RepositoryInfo
    files: tuple[FileRecord, ...]
    languages: tuple[LanguageTotals, ...]
    exclusions: tuple[Exclusion, ...]
    services: tuple[Service, ...]
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]
    scores: tuple[ServiceScore, ...]
    diagnostics: tuple[Diagnostic, ...]
    infrastructure: tuple[Infrastructure, ...] = ()
    edges: tuple[Edge, ...] = ()
    """The service graph, sorted by source, target and protocol."""
    scoring: ScoringParameters | None = None
    """How ``scores`` were computed; None when no scoring stage ran."""
    suppressed: tuple[SuppressedFinding, ...] = ()
    """Findings left out of ``findings`` (and of scores and gates) by an inline comment or configuration."""
    baseline: BaselineComparison | None = None
    gate: GateOutcome | None = None
    diff: DiffScope | None = None
    """Set when the scan judged only the services some changed files touch."""
    _by_rule: dict[str, tuple[Finding, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def findings_of(self, rule_id: str) -> tuple[Finding, ...]:
        """The findings of one rule, in report order."""
        # Scoring hooks run once per service and some look up a rule across the whole report:
        # indexed once, not scanned per service.
        if not self._by_rule and self.findings:
            grouped: dict[str, list[Finding]] = {}
            for finding in self.findings:
                grouped.setdefault(finding.rule, []).append(finding)
            self._by_rule.update((rule, tuple(found)) for rule, found in grouped.items())
        return self._by_rule.get(rule_id, ())


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How a report format should render: the terminal's width and colour, and CLI options."""

    width: int = 100
    color: bool = False
    include_files: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """An output format. ``render`` returns text; only the CLI writes it anywhere."""

    name: str
    description: str
    render: Callable[[Report, RenderOptions], str]
