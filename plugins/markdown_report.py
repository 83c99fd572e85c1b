"""The ``markdown`` format: a summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

The CI gate's verdict and what it judged (the services a ``--diff`` touches, new findings
against the baseline), the ranking table (the first fifty services), the verdicts of the
first twenty backends and workers with their top reasons, the suppressed findings with
their reasons, and the warnings and errors. GitHub refuses a
comment over 65,536 characters, so the summary is also cut, whole lines at a time, to fit
under that however long the repository's names and reasons are, and says where it was
cut and how to see the rest. Text from the scanned repository is escaped:
it cannot open links or images, raise headings, or mention people or issues.
"""

from __future__ import annotations

import re
from collections import Counter

from readiness import hookimpl
from readiness.model import BaselineStatus, Diagnostic, Finding, RenderOptions, Report, ReportFormat, Verdict
from readiness_plugins._ranking import Standing, figures, standings

COMMENT_LIMIT = 65_536
"""GitHub's limit on a comment body, in characters."""
RANKING_ROWS = 50
EXPLAINED = 20
REASONS_SHOWN = 3
DIAGNOSTICS_SHOWN = 20
FINDINGS_SHOWN = 20
"""New findings and suppressed findings listed; the full report has them all."""
CELL_LIMIT = 80
LINE_LIMIT = 400
_TRUNCATION_RESERVE = 600
"""Room kept for the note that says the summary was cut."""

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]()<>|~&])")
"""Characters that start emphasis, code, links, HTML, table cells, strikethrough or entities anywhere in a line."""
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d+)([.)]))")
"""What makes a list item or a heading underline when it opens the text of a bullet."""
_WHITESPACE = re.compile(r"\s+")


def escape(text: str, limit: int = LINE_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters, shown literally by GitHub.

    Backslash escapes keep Markdown and HTML inert; a word joiner after ``@`` and ``#``
    keeps GitHub from turning a name into a mention or an issue reference.
    """
    flat = _WHITESPACE.sub(" ", text).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    escaped = _INLINE_MARKUP.sub(r"\\\1", flat)
    escaped = _BLOCK_START.sub(lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped, count=1)
    return escaped.replace("@", "@\u2060").replace("#", "#\u2060")


class _Budget:
    """Lines of Markdown that stop being added once the next would pass the limit."""

    def __init__(self, limit: int) -> None:
        self.lines: list[str] = []
        self.size = 0
        self.limit = limit
        self.full = False

    def add(self, *lines: str) -> bool:
        """Add the lines together or not at all; False (and no more lines later) once they do not fit."""
        needed = sum(_length(line) + 1 for line in lines)
        if self.full or self.size + needed > self.limit:
            self.full = True
            return False
        self.lines.extend(lines)
        self.size += needed
        return True

    def close(self, *lines: str) -> None:
        """Add lines that end something already opened (paid for by the reserve)."""
        self.lines.extend(lines)
        self.size += sum(_length(line) + 1 for line in lines)


def _length(text: str) -> int:
    """Length in UTF-16 code units: never less than the characters GitHub counts, however it counts them."""
    return len(text.encode("utf-16-le")) // 2


def _ranking_row(standing: Standing, findings: int) -> str:
    service, score = standing.service, standing.score
    name = escape(service.name, CELL_LIMIT)
    language = escape(service.primary_language or "-", CELL_LIMIT)
    role = escape(service.role, CELL_LIMIT)
    if score is None:
        return f"| - | {name} | {role} | {language} | not scored | | | | {findings} |"
    rank = str(score.rank) if score.rank is not None else "-"
    numbers = " | ".join(figures(score))
    return f"| {rank} | {name} | {role} | {language} | {escape(score.verdict.value)} | {numbers} | {findings} |"


def _why(standing: Standing) -> list[str]:
    score = standing.score
    assert score is not None
    rank = f"{score.rank}. " if score.rank is not None else ""
    benefit, effort, confidence = figures(score)
    numbers = "" if score.verdict is Verdict.NOT_APPLICABLE else f" (benefit {benefit}, effort {effort}, confidence {confidence})"
    lines = ["", f"**{rank}{escape(standing.service.name, CELL_LIMIT)}**: {escape(score.verdict.value)}{numbers}", ""]
    lines += [f"- {escape(reason)}" for reason in score.reasons[:REASONS_SHOWN]]
    if score.changes:
        lines.append(f"- *What would change it:* {escape(score.changes[0])}")
    return lines


def _diagnostic(diagnostic: Diagnostic) -> str:
    where = f"{escape(diagnostic.path, CELL_LIMIT)}: " if diagnostic.path else ""
    return f"- {escape(diagnostic.level)}: {where}{escape(diagnostic.message)}"


def _summary(report: Report) -> str:
    ranked = sum(1 for service in report.services if service.ranked)
    warnings = sum(1 for d in report.diagnostics if d.level == "warning")
    errors = sum(1 for d in report.diagnostics if d.level == "error")
    head = f"commit {escape(report.repository.head[:12])}{' (dirty)' if report.repository.dirty else ''}, " if report.repository.head else ""
    return (
        f"{head}{len(report.services)} services ({ranked} backends or workers), "
        f"{len(report.findings)} findings from {len(report.rules)} rules, "
        f"{warnings} warnings, {errors} errors"
    )


def _located(finding: Finding) -> str:
    service = f" ({escape(finding.service, CELL_LIMIT)})" if finding.service else ""
    return f"`{finding.rule}` {escape(finding.path, CELL_LIMIT)}:{finding.line}{service}"


def _ci_outcome(report: Report, budget: _Budget) -> None:
    """The gate's verdict first (a reader opens the summary to learn why the check failed), then what was judged."""
    gate = report.gate
    if gate is not None:
        if gate.passed:
            budget.add(f"**Gate passed**: {gate.tally} (exit 0).", "")
        else:
            exit_note = "`--exit-zero`: exit 0" if gate.exit_zero else "exit 1"
            budget.add(f"**Gate failed**: {gate.tally} ({exit_note}).", "")
            for failure in gate.failures:
                budget.add(f"- {escape(failure.condition)}: {escape(failure.detail)}")
            budget.add("")
    if report.diff is not None:
        judged = ", ".join(escape(name, CELL_LIMIT) for name in report.diff.services) or "none"
        budget.add(f"Judged {len(report.diff.services)} of {len(report.services)} services, those the {len(report.diff.changed)} changed files touch ({escape(report.diff.base, CELL_LIMIT)}): {judged}.", "")
    if report.baseline is not None:
        statuses = Counter(f.baseline for f in report.findings)
        budget.add(
            f"Against the baseline: {statuses[BaselineStatus.NEW]} new, {statuses[BaselineStatus.CHANGED]} changed, "
            f"{statuses[BaselineStatus.UNCHANGED]} unchanged, {len(report.baseline.fixed)} fixed.",
            "",
        )
        new = [f for f in report.findings if f.baseline is BaselineStatus.NEW]
        if new and budget.add("### New findings", ""):
            for finding in new[:FINDINGS_SHOWN]:
                if not budget.add(f"- {_located(finding)}: {escape(finding.message)}"):
                    break
            if len(new) > FINDINGS_SHOWN:
                budget.add(f"- ...and {len(new) - FINDINGS_SHOWN} more")
            budget.add("")


def render_markdown(report: Report, options: RenderOptions) -> str:
    return summary_markdown(report)


def summary_markdown(report: Report, limit: int = COMMENT_LIMIT) -> str:
    """The summary in at most ``limit`` characters (UTF-16 code units)."""
    budget = _Budget(limit - _TRUNCATION_RESERVE)
    every = standings(report)
    explained = [s for s in every if s.score is not None and s.service.ranked]
    budget.add(f"## readiness: {escape(report.repository.name, CELL_LIMIT)}", "", _summary(report), "")
    _ci_outcome(report, budget)
    shown_rows = 0
    if every:
        findings = Counter(f.service for f in report.findings)
        budget.add(
            "### Ranking",
            "",
            "| rank | service | role | language | verdict | benefit | effort | confidence | findings |",
            "|--:|---|---|---|---|--:|--:|--:|--:|",
        )
        for standing in every[:RANKING_ROWS]:
            if not budget.add(_ranking_row(standing, findings[standing.service.name])):
                break
            shown_rows += 1
        if shown_rows == RANKING_ROWS < len(every):
            budget.add("", f"*...and {len(every) - RANKING_ROWS:,} more services, in the full report.*")
    if not report.scores:
        budget.add("", "*No service was scored: this report has no scoring results.*")
    shown_reasons = 0
    if explained and budget.add("", "### Why"):
        for standing in explained[:EXPLAINED]:
            if not budget.add(*_why(standing)):
                break
            shown_reasons += 1
        if shown_reasons == EXPLAINED < len(explained):
            budget.add("", f"*...and {len(explained) - EXPLAINED:,} more services explained in the full report.*")
    if report.suppressed and budget.add("", f"<details><summary>{len(report.suppressed)} suppressed findings (not scored, not gated)</summary>", ""):
        for item in report.suppressed[:FINDINGS_SHOWN]:
            if not budget.add(f"- {_located(item.finding)}: {escape(item.reason)} ({escape(item.source, CELL_LIMIT)})"):
                break
        if len(report.suppressed) > FINDINGS_SHOWN:
            budget.add(f"- ...and {len(report.suppressed) - FINDINGS_SHOWN} more")
        budget.close("", "</details>")
    problems = [d for d in report.diagnostics if d.level in ("error", "warning")]
    if problems and budget.add("", f"<details><summary>{len(problems)} warnings and errors</summary>", ""):
        listed = 0
        for diagnostic in problems[:DIAGNOSTICS_SHOWN]:
            if not budget.add(_diagnostic(diagnostic)):
                break
            listed += 1
        if listed < len(problems):
            budget.add(f"- ...and {len(problems) - listed} more")
        budget.close("", "</details>")
    lines = budget.lines
    if budget.full:
        lines += [
            "",
            "---",
            f"*This summary was cut to fit in {limit:,} characters: "
            f"{shown_rows} of {len(every)} services in the ranking, {shown_reasons} of {len(explained)} explained. "
            "The full report: `readiness scan --format html` or `--format json`.*",
        ]
    return "\n".join(lines) + "\n"


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("markdown", "a summary for a pull-request comment or the job summary", render_markdown)]
