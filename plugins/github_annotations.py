"""The ``github`` format: GitHub Actions workflow commands that annotate files in a run.

One ``::error``/``::warning``/``::notice`` line per finding, at its file and line (a
finding about a whole service sits on the service's manifest or Dockerfile), one per
warning or error of the scan, one error per broken CI gate condition, and a closing
notice with the counts, the gate's verdict and the ranking (suppressed findings are
counted, not annotated). Values are escaped as the Actions toolkit does, so text from
the scanned repository can neither break a line nor start a command of its own. Print it
to standard output in a workflow step.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.model import Diagnostic, RenderOptions, Report, ReportFormat
from readiness_plugins._locations import Located, located_findings
from readiness_plugins._ranking import standings

COMMANDS = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}
RANKING_SHOWN = 10


def escape_data(text: str) -> str:
    """A command's message: ``%``, CR and LF percent-encoded (the toolkit's ``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: as data, plus ``:`` and ``,`` (the toolkit's ``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + listed if listed else ''}::{escape_data(message)}"


def _finding(item: Located, levels: dict[str, str], titles: dict[str, str]) -> str:
    finding = item.finding
    message = finding.message
    if item.anchored:
        message = f"{message} (about {', '.join(item.services) or finding.path}: {finding.path})"
    name = COMMANDS.get(levels.get(finding.rule, "warning"), "warning")
    title = f"{finding.rule} {titles.get(finding.rule, '')}".rstrip()
    return command(name, message, file=item.path, line=item.line, col=item.column, title=title)


def _diagnostic(diagnostic: Diagnostic) -> str:
    name = "error" if diagnostic.level == "error" else "warning"
    title = f"readiness {diagnostic.level}"
    if diagnostic.path:
        return command(name, diagnostic.message, file=diagnostic.path, title=title)
    return command(name, diagnostic.message, title=title)


def render_github(report: Report, options: RenderOptions) -> str:
    levels = {rule.id: rule.level for rule in report.rules}
    titles = {rule.id: rule.title for rule in report.rules}
    lines = [_finding(item, levels, titles) for item in located_findings(report)]
    lines += [_diagnostic(diagnostic) for diagnostic in report.diagnostics]
    if report.gate is not None:
        lines += [command("error", f"{f.condition}: {f.detail}", title="readiness gate failed") for f in report.gate.failures]
    lines.append(command("notice", _summary(report), title="readiness"))
    return "".join(f"{line}\n" for line in lines)


def _summary(report: Report) -> str:
    counts = f"{len(report.services)} services, {len(report.findings)} findings, {len(report.diagnostics)} warnings and errors"
    if report.suppressed:
        counts += f", {len(report.suppressed)} suppressed"
    if report.gate is not None:
        counts += f"; gate {'passed' if report.gate.passed else 'failed'} (exit {report.gate.exit_code})"
    ranked = [(s.service.name, s.score) for s in standings(report) if s.score is not None and s.score.rank is not None]
    ranking = [f"{score.rank}. {name}: {score.verdict.value}" for name, score in ranked[:RANKING_SHOWN]]
    if len(ranked) > RANKING_SHOWN:
        ranking.append(f"...and {len(ranked) - RANKING_SHOWN} more")
    return "\n".join([counts, *ranking])


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("github", "GitHub Actions annotations (::warning file=...,line=...::)", render_github)]
