"""The plain records that flow between readiness's stages.

files -> findings -> service scores -> report. Every record is frozen: a stage
receives the previous stage's records and returns new ones, never edits them.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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

    def fact(self, name: str, default: Fact | None = None) -> Fact | None:
        return dict(self.facts).get(name, default)


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
    """``compose``, ``kubernetes``, ``helm``, ``kustomize``, ``skaffold``, ``serverless``, ``aspire`` or ``procfile``."""
    path: str
    """The file that declares it."""
    name: str
    """The compose service key, workload name or function name within that file."""
    line: int


@dataclass(frozen=True, slots=True)
class ServiceCandidate:
    """One detector's claim that a directory holds a deployable service."""

    path: str
    """Source root, repository-relative POSIX; ``"."`` for the repository root."""
    name: str
    evidence: Evidence
    role: str | None = None
    """``backend``, ``frontend``, ``worker``, ``load-generator``, ``infrastructure``, ``library`` or ``tooling``."""
    manifests: tuple[str, ...] = ()
    """Build and package manifests of the service (go.mod, package.json, pom.xml...)."""
    dockerfiles: tuple[str, ...] = ()
    deployments: tuple[Deployment, ...] = ()


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
    path: str
    role: str
    languages: tuple[LanguageTotals, ...]
    primary_language: str | None
    evidence: tuple[Evidence, ...]
    manifests: tuple[str, ...] = ()
    dockerfiles: tuple[str, ...] = ()
    deployments: tuple[Deployment, ...] = ()


@dataclass(frozen=True, slots=True)
class Contribution:
    """Points a piece of evidence adds to one criterion of one service."""

    criterion: Criterion
    points: float
    reason: str
    rule: str | None = None
    evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A one-line warning or error about the input or a plugin; the scan goes on."""

    level: str
    """``warning`` (bad input, skipped work) or ``error`` (a plugin failed)."""
    message: str
    path: str | None = None
    plugin: str | None = None
    hook: str | None = None


class SkippedFile(Exception):
    """Raised by an analyzer that could not analyse a file; reported as a warning, not a plugin error."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def diagnostic(self) -> Diagnostic:
        return Diagnostic("warning", f"not analysed: {self.reason}", path=self.path)


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

    def read_bytes(self, path: str) -> bytes | None:
        """The file's bytes, or None if it is not a regular file inside the root or is over the cap."""
        from readiness.safefs import read_regular_file

        return read_regular_file(self.root, path, self.max_file_size)


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
    scores: Mapping[str, tuple[Contribution, ...]]
    diagnostics: tuple[Diagnostic, ...]


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
