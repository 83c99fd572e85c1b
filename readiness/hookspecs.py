"""The hooks readiness calls, one per stage of the pipeline.

Every hook is called for each plugin separately: a plugin that raises is reported
(plugin, hook, error) and the others' results stand. Implementations may accept any
subset of a hook's arguments (pluggy passes only the ones they name).

Hooks that return a list may put ``warning`` :class:`~readiness.model.Diagnostic` records
in it, one line each naming the file they are about (``Diagnostic("warning", "invalid
YAML: ...", path="deploy/api.yaml")``): bad input is something to report while the scan
goes on, which raising cannot say (it discards the plugin's other results) and printing
must not (detectors never print). The report shows each warning once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pluggy

from readiness.config import Settings
from readiness.model import (
    Contribution,
    Diagnostic,
    Edge,
    FileClass,
    FileRecord,
    Finding,
    Infrastructure,
    LanguageTotals,
    LineCounts,
    Report,
    ReportFormat,
    Repository,
    Rule,
    Service,
    ServiceCandidate,
)

hookspec = pluggy.HookspecMarker("readiness")


@hookspec
def readiness_rules() -> list[Rule]:
    """Declare the rules this plugin can report.

    Every finding a plugin returns must name one of these ids. Ids are a family prefix
    and a number (``CONC101``) and must be unique across all plugins.
    """


@hookspec
def readiness_report_formats() -> list[ReportFormat]:
    """Declare output formats (``--format NAME``). Names must be unique across plugins."""


@hookspec
def readiness_add_options(group: argparse._ArgumentGroup) -> None:
    """Add options to ``readiness scan``. Their values reach hooks as ``settings.options``.

    :param group: an argparse group named after the plugin; add options with long names
        prefixed by something specific to the plugin.
    """


@hookspec(firstresult=True)
def readiness_classify_file(path: str, head: bytes, root: Path) -> FileClass | None:
    """Say which language a file is in and what kind of file it is.

    :param path: repository-relative POSIX path.
    :param head: the file's first bytes (up to 8 KiB; empty for files that were not read).
    :param root: the repository root, for repository-level overrides such as
        ``.gitattributes``; read it only through :mod:`readiness.safefs`.

    The first plugin to return a :class:`FileClass` decides.
    """


@hookspec(firstresult=True)
def readiness_count_lines(path: str, language: str, data: bytes) -> LineCounts | None:
    """Count code, comment and blank lines of a text file in ``language``.

    The first plugin to return counts decides; None means "not my language".
    """


@hookspec(firstresult=True)
def readiness_primary_language(languages: tuple[LanguageTotals, ...]) -> str | None:
    """Say which of a service's languages its code is written in.

    :param languages: the service's source and test files per language, most code first.

    The first plugin to answer decides; with no answer, the language with the most code
    is primary. A Dockerfile or a build script is rarely what a service is written in.
    """


@hookspec
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Infrastructure | Diagnostic]:
    """Say which directories hold deployable services, and which third-party images they run on.

    Candidates from every plugin are merged by ``(path, variant)``: one service per source
    root, or one per entry point where a detector saw several built from one root. Each
    keeps its evidence; the most specific role wins. :class:`Infrastructure` records are
    merged by name and never ranked. Return a ``warning`` :class:`Diagnostic` naming the
    file for input that could not be read (malformed, hostile or too large).
    """


@hookspec
def readiness_service_edges(
    services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository, settings: Settings
) -> list[Edge | Diagnostic]:
    """Say which service talks to which service or infrastructure, over what, and why you think so.

    :param services: the merged services; edges name them by ``Service.name``, and
        ``Service.files`` says which code belongs to which.
    :param infrastructure: the datastores and brokers, named by ``Infrastructure.name``.

    Edges from every plugin are merged by ``(source, target, protocol)``; an ``unknown``
    protocol is dropped where another plugin named the protocol of the same pair. Edges
    naming neither a service nor infrastructure, and edges from a service to itself, are
    ignored.
    """


@hookspec
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    """Say which files are worth this plugin's ``readiness_analyze_file``, before any is parsed.

    Return, per language (Linguist's name, or ``"*"`` for any), byte strings at least one
    of which a file must contain for the plugin to be called on it, e.g.
    ``{"Go": [b"go ", b"chan "]}``. A file in a language the mapping does not name, or
    containing none of its markers, is skipped for this plugin; an empty list means
    "every file in this language". A plugin that does not implement this hook is called
    on every file. The test is a plain substring search over the file's bytes, so it may
    let through files a parser then finds nothing in, but must never keep out a file
    with something to find.
    """


@hookspec
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding | Diagnostic]:
    """Find rule violations in one source or test file.

    Called in worker processes, so implementations must be pure functions of their
    arguments. ``text`` is the file decoded as UTF-8 with undecodable bytes replaced.
    Return findings made with ``Rule.finding`` from rules this plugin declared, and a
    ``warning`` :class:`Diagnostic` naming the file when it cannot be analysed (it looks
    minified, parsing ran out of time).
    """


@hookspec
def readiness_analyze_service(service: Service, repo: Repository, settings: Settings) -> list[Finding | Diagnostic]:
    """Find rule violations that belong to a whole service (its containers, its history).

    Called once per service: a plugin that reads files several services share (a compose
    file, a directory of manifests) may cache what it parsed for the scan's duration,
    keyed by the repository it was given.
    """


@hookspec
def readiness_analyze_repository(
    repo: Repository, services: tuple[Service, ...], settings: Settings
) -> list[Finding | Diagnostic]:
    """Find what only the repository as a whole can tell, such as its history; called once per scan.

    Called after service detection, with every service. A finding that belongs to one
    service carries its name in ``service``; the others go to the services that own their
    file (``Service.files``). A :class:`Diagnostic` among the results is a warning the
    plugin wants reported (bad input, work skipped, a degraded result); the pipeline
    reports it with ``plugin`` and ``hook`` filled in.
    """


@hookspec
def readiness_score_service(
    service: Service, findings: tuple[Finding, ...], report: Report, settings: Settings
) -> list[Contribution | Diagnostic]:
    """Turn what is known about a service into points per criterion, where it takes domain knowledge.

    Called for each backend and worker service that is not already Rust. The core turns
    every finding into points by its rule's weight (:mod:`readiness.scoring`); implement
    this hook for what a rule weight cannot say: an ecosystem mapping, the size of a
    service from its measurements, whether the team knows Rust.

    :param findings: this service's findings from every plugin, sorted by path and line.
    :param report: the report so far (services, edges, infrastructure, every finding and
        warning), without scores.

    Return :class:`Contribution` records with ``criterion``, ``points`` (before weighting:
    the core applies the configured weights and records them), ``reason``, ``rule`` (one
    this plugin declared, so ``readiness explain`` documents it) and ``evidence``; a
    contribution without evidence is the plugin's error. Points may be negative: Rust
    already in the repository lowers the team's risk.
    """
