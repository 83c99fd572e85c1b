"""The ``table`` format: what a person reads in a terminal.

Rendered with rich into a string (the CLI writes it), in colour only when the CLI says
the terminal takes colour, at the terminal's width.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from readiness import hookimpl
from readiness.model import (
    BaselineStatus,
    Fact,
    Finding,
    GateOutcome,
    RenderOptions,
    Report,
    ReportFormat,
    ServiceScore,
    Verdict,
)
from readiness_plugins._quantities import format_bytes
from readiness_plugins._ranking import figures


MIN_REASON_WIDTH = 20
VERDICT_STYLES = {
    Verdict.STRONG_CANDIDATE: "bold green",
    Verdict.CANDIDATE: "green",
    Verdict.KEEP: "",
    Verdict.INCONCLUSIVE: "yellow",
    Verdict.NOT_APPLICABLE: "dim",
}


def _verdict_order(score: ServiceScore) -> tuple[int, int, float, str]:
    """Ranked services by rank, then the inconclusive by what the evidence so far says, then the rest."""
    if score.rank is not None:
        return 0, score.rank, 0.0, score.service
    return (1 if score.verdict is Verdict.INCONCLUSIVE else 2), 0, -score.priority, score.service


def _verdict_table(report: Report, width: int) -> Table:
    table = Table(title="Rust rewrite candidates (readiness explain SERVICE shows why)", title_justify="left")
    rows = []
    for score in sorted(report.scores, key=_verdict_order):
        rows.append((
            str(score.rank) if score.rank is not None else "-",
            score.service,
            score.verdict.value,
            *figures(score),
            score.reasons[0] if score.reasons else "",
        ))
    headers = ("#", "service", "verdict", "benefit", "effort", "conf.", "top reason")
    widths = [max(len(column), *(len(row[index]) for row in rows)) for index, column in enumerate(headers)]
    # One line per service: the reason gets the width the other columns, their padding and borders leave.
    room = max(MIN_REASON_WIDTH, width - sum(widths[:-1]) - 3 * len(headers) - 1)
    for index, column in enumerate(headers):
        justify: Literal["left", "right"] = "left" if column in ("service", "verdict", "top reason") else "right"
        table.add_column(column, justify=justify, no_wrap=True, min_width=min(widths[index], room))
    for row in rows:
        reason = row[6] if len(row[6]) <= room else row[6][: room - 3] + "..."
        table.add_row(*row[:2], Text(row[2], style=VERDICT_STYLES[Verdict(row[2])]), *row[3:6], reason)
    return table


def _languages_table(report: Report) -> Table:
    table = Table(title="Languages (source and test files)", title_justify="left", expand=False)
    for column in ("language", "files", "code", "comment", "blank", "bytes"):
        table.add_column(column, justify="left" if column == "language" else "right")
    for totals in report.languages:
        table.add_row(
            totals.language, f"{totals.files:,}", f"{totals.code:,}", f"{totals.comment:,}", f"{totals.blank:,}", f"{totals.bytes:,}"
        )
    return table


def _exclusions_table(report: Report) -> Table:
    table = Table(title="Not counted", title_justify="left")
    table.add_column("reason")
    table.add_column("rule")
    table.add_column("files", justify="right")
    for exclusion in report.exclusions:
        table.add_row(exclusion.reason, exclusion.rule, f"{exclusion.files:,}")
    return table


def _services_table(report: Report) -> Table:
    table = Table(title="Services", title_justify="left")
    for column in ("service", "path", "role", "language", "code", "findings"):
        table.add_column(column, justify="right" if column in ("code", "findings") else "left")
    judged = set(report.diff.services) if report.diff else None
    per_service = Counter(finding.service for finding in report.findings)
    for service in report.services:
        code = sum(t.code for t in service.languages)
        findings = per_service[service.name]
        role = service.role if service.ranked else f"{service.role} (not ranked)"
        shown = str(findings) if judged is None or service.name in judged else "not judged"
        table.add_row(service.name, service.path, role, service.primary_language or "-", f"{code:,}", shown)
    return table


def _findings_table(title: str, findings: list[Finding]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("rule", "where", "service", "message"):
        table.add_column(column)
    for finding in findings:
        table.add_row(finding.rule, f"{finding.path}:{finding.line}", finding.service or "-", finding.message)
    return table


def _suppressed_table(report: Report) -> Table:
    table = Table(title=f"Suppressed findings ({len(report.suppressed)}): not scored, not gated", title_justify="left")
    for column in ("rule", "where", "service", "reason", "suppressed by"):
        table.add_column(column)
    for item in report.suppressed:
        finding = item.finding
        table.add_row(finding.rule, f"{finding.path}:{finding.line}", finding.service or "-", item.reason, item.source)
    return table


def _print_baseline(console: Console, report: Report) -> None:
    assert report.baseline is not None
    statuses = [f.baseline for f in report.findings]
    counts = ", ".join(f"{statuses.count(status):,} {status.value}" for status in (BaselineStatus.NEW, BaselineStatus.CHANGED, BaselineStatus.UNCHANGED))
    console.print(f"Against baseline {report.baseline.source}: {counts}, {len(report.baseline.fixed):,} fixed")
    for status in (BaselineStatus.NEW, BaselineStatus.CHANGED):
        listed = [f for f in report.findings if f.baseline is status]
        if listed:
            console.print(_findings_table(f"{status.value.capitalize()} findings", listed))
    if report.baseline.fixed:
        console.print(_findings_table("Fixed findings (only in the baseline)", list(report.baseline.fixed)))


def _print_gate(console: Console, gate: GateOutcome) -> None:
    scope = " (new findings only)" if gate.new_only else ""
    if gate.passed:
        console.print(Text.assemble(("Gate passed", "bold green"), f": {gate.tally}{scope} (exit 0)"))
        return
    note = "--exit-zero: exit 0" if gate.exit_zero else "exit 1"
    console.print(Text.assemble(("Gate failed", "bold red"), f": {gate.tally}{scope} ({note})"))
    for failure in gate.failures:
        console.print(f"  {failure.condition}: {failure.detail}")


def _edge_list(edges: list[tuple[str, str]]) -> str:
    return "\n".join(f"{name} ({protocol})" for name, protocol in edges) or "-"


def _graph_table(report: Report) -> Table:
    table = Table(title="Service graph", title_justify="left")
    for column in ("service", "calls", "called by"):
        table.add_column(column)
    for service in report.services:
        calls = [(e.target, e.protocol) for e in report.edges if e.source == service.name]
        called_by = [(e.source, e.protocol) for e in report.edges if e.target == service.name]
        table.add_row(service.name, _edge_list(calls), _edge_list(called_by))
    return table


def _infrastructure_table(report: Report) -> Table:
    table = Table(title="Infrastructure (not ranked)", title_justify="left")
    for column in ("name", "kind", "image", "used by"):
        table.add_column(column)
    for item in report.infrastructure:
        users = sorted({e.source for e in report.edges if e.target == item.name})
        table.add_row(item.name, item.kind, item.image or item.path or "-", ", ".join(users) or "-")
    return table


def _runtime_table(report: Report) -> Table | None:
    """Per service: runtime and collector, final image, memory per replica, replicas and footprint, from the RUN101, IMG101 and RES106 facts."""
    facts: dict[str, dict[str, dict[str, Fact]]] = {}
    for finding in report.findings:
        if finding.service and finding.rule in ("RUN101", "IMG101", "RES106"):
            facts.setdefault(finding.service, {}).setdefault(finding.rule, dict(finding.facts))
    if not facts:
        return None
    table = Table(title="Runtime", title_justify="left")
    for column in ("service", "runtime (collector)", "image", "per replica", "footprint"):
        table.add_column(column, justify="right" if column == "footprint" else "left")
    for service in report.services:
        known = facts.get(service.name)
        if known is None:
            continue
        run, image, footprint = known.get("RUN101", {}), known.get("IMG101", {}), known.get("RES106", {})
        runtime = str(run.get("runtime") or image.get("runtime") or "-")
        collector = run.get("gc", "no GC" if runtime == "native" else None)
        if collector is not None:
            runtime += f" ({collector})"
        built = f"{image['image_family']}, {image['size_class']}" if image else "-"
        low, high = footprint.get("replicas_min"), footprint.get("replicas_max")
        replicas = f"{low}" if low == high else f"{low}-{high}"
        per_replica = footprint.get("memory_per_replica_bytes")
        sized = f"{format_bytes(int(per_replica))} x {replicas}" if isinstance(per_replica, int) and high is not None else "-"
        total = footprint.get("footprint_bytes")
        table.add_row(service.name, runtime, built, sized, format_bytes(int(total)) if isinstance(total, int) else "-")
    return table


def render_table(report: Report, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        highlight=False,
        emoji=False,
    )
    repo = report.repository
    head = f" @ {repo.head[:12]}{' (dirty)' if repo.dirty else ''}" if repo.head else ""
    counted = sum(1 for record in report.files if record.counted)
    console.print(Text.assemble(("readiness ", "bold"), f"{report.tool_version}: ", (repo.name, "bold"), head))
    console.print(f"{len(report.files):,} files listed ({'git' if repo.vcs == 'git' else 'directory walk'}), {counted:,} counted")
    if report.languages:
        console.print(_languages_table(report))
    if report.exclusions:
        console.print(_exclusions_table(report))
    if report.diff:
        diff = report.diff
        console.print(
            f"Judged {len(diff.services)} of {len(report.services)} services: those {len(diff.changed):,} changed "
            f"file{'s' if len(diff.changed) != 1 else ''} touch ({diff.base}{f' = {diff.commit[:12]}' if diff.commit else ''})"
        )
    if report.services:
        console.print(_services_table(report))
        console.print(_graph_table(report))
        runtime = _runtime_table(report)
        if runtime is not None:
            console.print(runtime)
    if report.infrastructure:
        console.print(_infrastructure_table(report))
    if report.findings:
        console.print(f"{len(report.findings):,} findings from {len({f.rule for f in report.findings})} rules")
    if report.scores:
        console.print(_verdict_table(report, options.width))
    if report.baseline:
        _print_baseline(console, report)
    if report.suppressed:
        console.print(_suppressed_table(report))
    for diagnostic in report.diagnostics:
        style = "red" if diagnostic.level == "error" else "yellow"
        where = f"{diagnostic.path}: " if diagnostic.path else ""
        console.print(Text.assemble((f"{diagnostic.level}: ", style), where + diagnostic.message))
    if report.gate:
        _print_gate(console, report.gate)
    return buffer.getvalue()


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("table", "tables for a terminal (the default)", render_table)]
