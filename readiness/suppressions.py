"""Findings someone chose to ignore: ``readiness: ignore[RULE] reason`` comments and ``[[tool.readiness.suppress]]``.

An inline marker is found by its text whatever the file's comment syntax (``#``, ``//``,
``/* */``, ``--``, ``<!-- -->``, ``;``...): on the finding's line, or alone on the line
before it. Between the brackets go selectors, comma-separated: rule ids (``MEM101``),
families (``MEM``) or criteria (``latency``).

A reason is mandatory. In configuration its absence is an error (exit 2), since the
user can fix it at once; in a comment it is a warning naming the file and line, and the
finding stays, so a sloppy comment can neither break a scan nor hide a finding. A
suppressed finding is not scored and no gate counts it, but every output lists it with
its reason.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

import pathspec

from readiness.config import Settings, Suppression
from readiness.model import Diagnostic, Finding, Repository, SuppressedFinding, selector_is_known, selects

MARKER = re.compile(r"readiness:[ \t]*ignore\[([^\]\n]{1,200})\]([^\n]{0,300})")
_COMMENT_LEADERS = re.compile(r"[\s#/*;%'!<({-]*")
"""What may precede a marker that applies to the next line: a comment opening, nothing else."""
_COMMENT_CLOSERS = ("*/", "-->", "--}}", "#}", "%>", "*)", "}}")


@dataclass(frozen=True, slots=True)
class InlineMarker:
    line: int
    selectors: tuple[str, ...]
    reason: str
    alone: bool
    """Nothing but a comment opening before it on its line, so it also covers the next line."""


def inline_markers(text: str) -> list[InlineMarker]:
    """Every ``readiness: ignore[...]`` marker in a file, in line order."""
    markers = []
    for number, line in enumerate(text.splitlines(), 1):
        if "readiness:" not in line:
            continue
        for match in MARKER.finditer(line):
            selectors = tuple(part.strip() for part in match.group(1).split(",") if part.strip())
            alone = _COMMENT_LEADERS.fullmatch(line, 0, match.start()) is not None
            markers.append(InlineMarker(number, selectors, _reason(match.group(2)), alone))
    return markers


_MARKERS_KEY = "suppressions/1"


def _marker_rows(data: bytes) -> list[tuple[int, tuple[str, ...], str, bool]]:
    if b"readiness:" not in data:
        return []
    return [(m.line, m.selectors, m.reason, m.alone) for m in inline_markers(data.decode("utf-8", errors="replace"))]


def _reason(tail: str) -> str:
    reason = tail.strip()
    for closer in _COMMENT_CLOSERS:
        reason = reason.removesuffix(closer).rstrip()
    return reason.lstrip(":-\u2013\u2014 \t").strip()


def suppress(
    findings: Iterable[Finding], repo: Repository, settings: Settings, rule_ids: Iterable[str]
) -> tuple[list[Finding], list[SuppressedFinding], list[Diagnostic]]:
    """The findings that stand, those suppressed with their reason and where it is written, and warnings about markers."""
    findings = list(findings)
    rule_ids = tuple(rule_ids)
    configured = [(number, entry, _Matcher(entry)) for number, entry in enumerate(settings.suppress, 1)]
    origin = settings.source or "configuration"
    warnings: list[Diagnostic] = []
    for number, entry, _ in configured:
        for selector in entry.rules:
            if not selector_is_known(selector, rule_ids):
                warnings.append(Diagnostic("warning", f"suppression #{number} names {selector!r}, which matches no rule"))
    markers = _markers_by_line(findings, repo, rule_ids, warnings)
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        marker = _inline_for(finding, markers.get(finding.path, {}))
        if marker is not None:
            suppressed.append(SuppressedFinding(finding, marker.reason, f"{finding.path}:{marker.line}", inline=True))
            continue
        entry_number = next((number for number, _, matcher in configured if matcher.matches(finding)), None)
        if entry_number is not None:
            reason = settings.suppress[entry_number - 1].reason
            suppressed.append(SuppressedFinding(finding, reason, f"{origin}: suppress #{entry_number}", inline=False))
            continue
        kept.append(finding)
    return kept, suppressed, warnings


def _markers_by_line(
    findings: list[Finding], repo: Repository, rule_ids: tuple[str, ...], warnings: list[Diagnostic]
) -> dict[str, dict[int, InlineMarker]]:
    """Per file with findings, its usable markers by line; markers without a reason or a known rule are warned about."""
    by_path: dict[str, dict[int, InlineMarker]] = defaultdict(dict)
    for path in sorted({finding.path for finding in findings}):
        # Through the cache: a rescan does not read every file with findings again.
        rows = repo.extract(path, _MARKERS_KEY, _marker_rows) or ()
        for line, selectors, reason, alone in rows:
            marker = InlineMarker(line, tuple(selectors), reason, alone)
            written = f"line {marker.line}: readiness: ignore[{', '.join(marker.selectors)}]"
            unknown = [s for s in marker.selectors if not selector_is_known(s, rule_ids)]
            if unknown:
                warnings.append(Diagnostic("warning", f"{written} names {', '.join(unknown)}, which matches no rule", path=path))
            if not marker.reason:
                warnings.append(Diagnostic("warning", f"{written} has no reason, so it suppresses nothing; write why after the brackets", path=path))
                continue
            by_path[path][marker.line] = marker
    return by_path


def _inline_for(finding: Finding, markers: dict[int, InlineMarker]) -> InlineMarker | None:
    same_line = markers.get(finding.line)
    if same_line is not None and any(selects(s, finding) for s in same_line.selectors):
        return same_line
    above = markers.get(finding.line - 1)
    if above is not None and above.alone and any(selects(s, finding) for s in above.selectors):
        return above
    return None


class _Matcher:
    def __init__(self, entry: Suppression) -> None:
        self._entry = entry
        self._paths = pathspec.GitIgnoreSpec.from_lines(entry.paths) if entry.paths else None

    def matches(self, finding: Finding) -> bool:
        entry = self._entry
        if entry.rules and not any(selects(s, finding) for s in entry.rules):
            return False
        if self._paths is not None and not self._paths.match_file(finding.path):
            return False
        return not entry.services or (finding.service is not None and any(fnmatchcase(finding.service, s) for s in entry.services))
