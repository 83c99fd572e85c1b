"""The ``table`` format: what a person reads in a terminal.

Rendered with rich into a string (the CLI writes it), in colour only when the CLI says
the terminal takes colour, at the terminal's width.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from readiness import hookimpl
from readiness.model import Fact, RenderOptions, Report, ReportFormat
from readiness_plugins._quantities import format_bytes


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
    for service in report.services:
        code = sum(t.code for t in service.languages)
        findings = sum(1 for f in report.findings if f.service == service.name)
        role = service.role if service.ranked else f"{service.role} (not ranked)"
        table.add_row(service.name, service.path, role, service.primary_language or "-", f"{code:,}", str(findings))
    return table


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
    if report.services:
        console.print(_services_table(report))
        console.print(_graph_table(report))
        runtime = _runtime_table(report)
        if runtime is not None:
            console.print(runtime)
    if report.infrastructure:
        console.print(_infrastructure_table(report))
    if report.findings:
        console.print(f"{len(report.findings):,} findings from {len(report.rules)} rules")
    for diagnostic in report.diagnostics:
        style = "red" if diagnostic.level == "error" else "yellow"
        where = f"{diagnostic.path}: " if diagnostic.path else ""
        console.print(Text.assemble((f"{diagnostic.level}: ", style), where + diagnostic.message))
    return buffer.getvalue()


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("table", "tables for a terminal (the default)", render_table)]
