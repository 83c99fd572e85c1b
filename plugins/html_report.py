"""The ``html`` format: one self-contained page for people who would rather see a chart.

The ranking; benefit against effort as a bubble chart (area by peak memory footprint when
every plotted service states one, else by lines of code; colour by verdict); the service
graph; the languages; and each service's evidence with file and line. Styles and charts
are inline (SVG drawn in Python), there is no script, and a content security policy
forbids loading anything, so the page works offline and cannot call out. Every chart has
a title, a description and a table of the same data; colours pass WCAG contrast on
white; the page prints legibly. Everything from the scanned repository is escaped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape

from readiness import hookimpl
from readiness.model import BaselineStatus, Diagnostic, Evidence, Finding, RenderOptions, Report, ReportFormat, ServiceScore, Verdict
from readiness_plugins._ranking import Standing, figures, footprints, standings
from readiness_plugins._svg import Bubble, Link, Node, bar_chart, bubble_chart, graph_chart

VERDICT_COLORS = {
    Verdict.STRONG_CANDIDATE: "#0b6e4f",
    Verdict.CANDIDATE: "#0a58ca",
    Verdict.KEEP: "#bc4c00",
    Verdict.INCONCLUSIVE: "#57606a",
    Verdict.NOT_APPLICABLE: "#8250df",
}
"""Each passes 4.5:1 against white, as text on a badge and as a bubble's outline."""
UNSCORED_COLOR = "#57606a"
INFRASTRUCTURE_COLOR = "#57606a"
LANGUAGE_COLOR = "#0a58ca"
GRAPH_NODE_LIMIT = 150
"""Above this many services and datastores the graph is too dense to read; the table stays."""
FINDINGS_PER_SERVICE = 200
LANGUAGE_BARS = 12

CSS = """
:root { color-scheme: light; --text: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--text); background: #fff; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.1rem; margin: 28px 0 6px; }
h4 { font-size: 1rem; margin: 16px 0 4px; }
.meta, figcaption, .note { color: var(--muted); }
nav ul, .counts, .legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.counts li strong { font-size: 1.2rem; }
a { color: #0a58ca; }
table { border-collapse: collapse; margin: 8px 0 16px; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 0.88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; color: #fff; font-size: 0.85rem; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
figure { margin: 8px 0; overflow-x: auto; }
svg.chart { max-width: 100%; height: auto; }
article + article { border-top: 1px solid var(--line); }
table.compact { width: auto; min-width: 40%; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dt { color: var(--muted); }
dd { margin: 0; }
footer { margin-top: 40px; padding-bottom: 24px; color: var(--muted); font-size: 0.9rem; }
@media print {
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid-page; }
  figure, tr, dl { break-inside: avoid-page; }
  .badge, .swatch, svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  thead th { background: none; }
}
@page { margin: 1.5cm; }
"""


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _badge(score: ServiceScore | None) -> str:
    if score is None:
        return f'<span class="badge" style="background:{UNSCORED_COLOR}">not scored</span>'
    return f'<span class="badge" style="background:{VERDICT_COLORS[score.verdict]}">{_text(score.verdict.value)}</span>'


def _where(path: str, line: int) -> str:
    return f"<code>{_text(path)}:{line}</code>" if line > 0 else f"<code>{_text(path)}</code>"


def _table(
    caption: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: frozenset[int] = frozenset(),
    row_header: bool = True,
    compact: bool = False,
) -> str:
    """A table of already-escaped cells; the first cell of a row heads it when ``row_header``."""
    head = "".join(f'<th scope="col"{" class=number" if i in numeric else ""}>{_text(h)}</th>' for i, h in enumerate(headers))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            tag = "th" if i == 0 and row_header else "td"
            scope = ' scope="row"' if tag == "th" else ""
            klass = ' class="number"' if i in numeric else ""
            cells.append(f"<{tag}{scope}{klass}>{cell}</{tag}>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    klass = ' class="compact"' if compact else ""
    return f"<table{klass}><caption>{_text(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _bytes(value: int) -> str:
    units = ("B", "KiB", "MiB", "GiB", "TiB")
    size, unit = float(value), 0
    while size >= 1024 and unit < len(units) - 1:
        size, unit = size / 1024, unit + 1
    return f"{value} B" if unit == 0 else f"{size:.1f} {units[unit]}"


def _header(report: Report) -> str:
    repo = report.repository
    head = f" · commit <code>{_text(repo.head[:12])}</code>{' (dirty)' if repo.dirty else ''}" if repo.head else ""
    counted = sum(1 for record in report.files if record.counted)
    warnings = sum(1 for d in report.diagnostics if d.level == "warning")
    errors = sum(1 for d in report.diagnostics if d.level == "error")
    ranked = sum(1 for s in report.scores if s.rank is not None)
    counts = [
        (len(report.services), "services"),
        (ranked, "ranked"),
        (len(report.findings), "findings"),
        (warnings, "warnings"),
        (errors, "errors"),
    ]
    items = "".join(f"<li><strong>{count:,}</strong> {label}</li>" for count, label in counts)
    links = [
        ("ranking", "Ranking"),
        ("chart", "Benefit and effort"),
        ("graph", "Service graph"),
        ("languages", "Languages"),
        ("services", "Services"),
    ]
    if report.gate or report.diff or report.baseline or report.suppressed:
        links.append(("checks", "CI checks"))
    if report.diagnostics:
        links.append(("diagnostics", "Warnings and errors"))
    nav = "".join(f'<li><a href="#{anchor}">{label}</a></li>' for anchor, label in links)
    return (
        f"<header><h1>Rust readiness: {_text(repo.name)}</h1>"
        f'<p class="meta">readiness {_text(report.tool_version)}{head} · {len(report.files):,} files listed, {counted:,} counted</p>'
        f'<ul class="counts" aria-label="Totals">{items}</ul><nav aria-label="Contents"><ul>{nav}</ul></nav></header>'
    )


def _ranking(standings_: list[Standing], anchors: dict[str, str], findings: Counter[str | None]) -> str:
    rows = []
    for standing in standings_:
        service, score = standing.service, standing.score
        name = f'<a href="#{anchors[service.name]}">{_text(service.name)}</a>'
        if score is None:
            numbers = ["", "", ""]
            reason = ""
            rank = ""
        else:
            numbers = list(figures(score))
            reason = _text(score.reasons[0]) if score.reasons else ""
            rank = str(score.rank) if score.rank is not None else ""
        rows.append(
            [name, rank, _text(service.role), _text(service.primary_language or "-"), _badge(score), *numbers, f"{findings[service.name]:,}", reason]
        )
    note = "" if any(s.score for s in standings_) else '<p class="note">No service was scored: this report has no scoring results.</p>'
    table = _table(
        "Services, best candidates for a Rust rewrite first",
        ["service", "rank", "role", "language", "verdict", "benefit", "effort", "confidence", "findings", "main reason"],
        rows,
        numeric=frozenset({1, 5, 6, 7, 8}),
    )
    return f'<section id="ranking" aria-labelledby="ranking-h"><h2 id="ranking-h">Ranking</h2>{note}{table}</section>'


def _chart(report: Report, standings_: list[Standing]) -> str:
    scored = [s for s in standings_ if s.score is not None and s.service.ranked]
    plotted = [s for s in scored if s.score is not None and s.score.verdict is not Verdict.NOT_APPLICABLE]
    # Already Rust (or otherwise out of scope): its zero benefit and effort are not a position on the plane.
    left_out = [s.service.name for s in scored if s not in plotted]
    heading = '<section id="chart" aria-labelledby="chart-h"><h2 id="chart-h">Benefit against effort</h2>'
    if not plotted:
        return f'{heading}<p class="note">Nothing to plot: no backend or worker has a verdict in this report.</p></section>'
    known = footprints(report)
    by_footprint = all(s.service.name in known for s in plotted)
    size_name = "peak memory footprint" if by_footprint else "lines of code"

    def size(standing: Standing) -> float:
        return float(known[standing.service.name]) if by_footprint else float(standing.code)

    def size_text(standing: Standing) -> str:
        return _bytes(known[standing.service.name]) if by_footprint else f"{standing.code:,} lines"

    bubbles = []
    for standing in plotted:
        score = standing.score
        assert score is not None
        detail = (
            f"{standing.service.name}: {score.verdict.value}, benefit {score.benefit:.0f}, effort {score.effort:.0f}, "
            f"{size_name} {size_text(standing)}"
        )
        bubbles.append(Bubble(standing.service.name, score.effort, score.benefit, size(standing), VERDICT_COLORS[score.verdict], detail))
    best = sorted(plotted, key=lambda s: (-(s.score.benefit - s.score.effort) if s.score else 0.0, s.service.name))[0]
    description = (
        f"{len(plotted)} services placed by effort (across) and benefit (up); bubble area shows {size_name}. "
        f"Top left is high benefit for little effort; {best.service.name} stands furthest that way. The table below holds the same data."
    )
    svg = bubble_chart(
        bubbles,
        ident="benefit-effort",
        title="Benefit of a Rust rewrite against its effort, per service",
        description=description,
        x_label="Effort of a rewrite (0-100)",
        y_label="Benefit of a rewrite (0-100)",
        best_corner="high benefit, low effort",
    )
    present = list(dict.fromkeys(s.score.verdict for s in plotted if s.score))
    legend = "".join(
        f'<li><span class="swatch" style="background:{VERDICT_COLORS[v]}" aria-hidden="true"></span>{_text(v.value)}</li>' for v in present
    )
    rows = []
    for standing in plotted:
        score = standing.score
        assert score is not None
        rank = str(score.rank) if score.rank is not None else ""
        rows.append(
            [
                _text(standing.service.name),
                rank,
                _text(score.verdict.value),
                *figures(score),
                _text(size_text(standing)),
            ]
        )
    table = _table(
        "Data behind the chart",
        ["service", "rank", "verdict", "benefit", "effort", "confidence", size_name],
        rows,
        numeric=frozenset({1, 3, 4, 5, 6}),
    )
    caption = f"Bubble area: {size_name}{' (replicas x memory per replica, from the deployment files)' if by_footprint else ''}. Colour: verdict."
    if left_out:
        caption += f" Not plotted, not applicable: {', '.join(left_out)}."
    return (
        f"{heading}<figure>{svg}<figcaption>{_text(caption)}</figcaption></figure>"
        f'<ul class="legend" aria-label="Verdict colours">{legend}</ul>{table}</section>'
    )


def _graph(report: Report, colors: dict[str, str]) -> str:
    heading = '<section id="graph" aria-labelledby="graph-h"><h2 id="graph-h">Service graph</h2>'
    nodes = [Node(s.name, s.name, colors[s.name], f"{s.name} ({s.role}, {s.primary_language or 'language unknown'})") for s in report.services]
    nodes += [
        Node(i.name, i.name, INFRASTRUCTURE_COLOR, f"{i.name} ({i.kind}{', ' + i.image if i.image else ''})", infrastructure=True)
        for i in report.infrastructure
    ]
    kinds = {item.name: item.kind for item in report.infrastructure}
    # A link to Kafka over kafka, or to a database over SQL, says nothing its target does not.
    links = [
        Link(edge.source, edge.target, edge.protocol, shown_label=edge.target not in kinds or edge.protocol not in (kinds[edge.target], "sql"))
        for edge in report.edges
    ]
    if not nodes:
        return f'{heading}<p class="note">No services were found.</p></section>'
    if len(nodes) > GRAPH_NODE_LIMIT:
        figure = f'<p class="note">{len(nodes):,} services and datastores are too many to draw legibly; the table lists every connection.</p>'
    else:
        description = (
            f"{len(report.services)} services and {len(report.infrastructure)} datastores or brokers, {len(links)} connections. "
            "Callers are left of what they call; datastores and brokers, dashed, are in the last column. The table below lists every connection."
        )
        svg = graph_chart(nodes, links, ident="service-graph", title="Which service talks to which, and over what", description=description)
        caption = (
            "Boxes: services, outlined in their verdict's colour; dashed: datastores and brokers. "
            "Arrows: calls, labelled with the protocol where the target does not already say it."
        )
        figure = f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"
    rows = [
        [
            _text(edge.source),
            _text(edge.target),
            _text(edge.protocol),
            "<br>".join(f"{_where(e.path, e.line)} {_text(e.detail)}" for e in edge.evidence[:3]),
        ]
        for edge in report.edges
    ]
    table = (
        _table("Connections", ["from", "to", "protocol", "evidence"], rows)
        if rows
        else '<p class="note">No connection between services was found.</p>'
    )
    return f"{heading}{figure}{table}</section>"


def _languages(report: Report) -> str:
    heading = '<section id="languages" aria-labelledby="languages-h"><h2 id="languages-h">Languages</h2>'
    if not report.languages:
        return f'{heading}<p class="note">No source files were counted.</p></section>'
    top = sorted(report.languages, key=lambda t: (-t.code, t.language))[:LANGUAGE_BARS]
    total = sum(t.code for t in report.languages)
    svg = bar_chart(
        [(t.language, float(t.code), f"{t.code:,}") for t in top],
        ident="languages-chart",
        title="Lines of code per language",
        description=(
            f"{len(report.languages)} languages, {total:,} lines of code; the largest is {top[0].language} with {top[0].code:,}. "
            "The table below holds every language."
        ),
        color=LANGUAGE_COLOR,
    )
    rows = [[_text(t.language), f"{t.files:,}", f"{t.code:,}", f"{t.comment:,}", f"{t.blank:,}", f"{t.bytes:,}"] for t in report.languages]
    table = _table(
        "Source and test files per language", ["language", "files", "code", "comment", "blank", "bytes"], rows, numeric=frozenset({1, 2, 3, 4, 5})
    )
    return f"{heading}<figure>{svg}<figcaption>Lines of code (source and test files), largest languages first.</figcaption></figure>{table}</section>"


def _evidence_list(evidence: Sequence[Evidence]) -> str:
    return "<ul>" + "".join(f"<li>{_where(e.path, e.line)} {_text(e.detail)}</li>" for e in evidence) + "</ul>"


def _criteria(score: ServiceScore) -> str:
    rows = []
    for criterion in score.criteria:
        contributions = "<br>".join(
            f"{c.points:+.1f} {_text(c.reason)}"
            + (f" ({_text(c.rule)})" if c.rule else "")
            + (f" {_where(c.evidence.path, c.evidence.line)}" if c.evidence else "")
            for c in criterion.contributions
        )
        rows.append(
            [_text(criterion.criterion.value), _text(criterion.criterion.side), f"{criterion.score:.0f}", f"{criterion.weight:g}", contributions]
        )
    return _table("Criteria", ["criterion", "side", "score", "weight", "evidence"], rows, numeric=frozenset({2, 3}))


def _findings(findings: list[Finding], titles: dict[str, str]) -> str:
    shown = findings[:FINDINGS_PER_SERVICE]
    rows = [
        [f"<code>{_text(f.rule)}</code> {_text(titles.get(f.rule, ''))}", _text(f.criterion.value), _where(f.path, f.line), _text(f.message)]
        for f in shown
    ]
    more = len(findings) - len(shown)
    note = f'<p class="note">...and {more:,} more findings: <code>readiness scan --format json</code> lists them all.</p>' if more else ""
    return _table(f"Findings ({len(findings):,})", ["rule", "criterion", "where", "message"], rows, row_header=False) + note


def _service(standing: Standing, anchor: str, findings: list[Finding], titles: dict[str, str]) -> str:
    service, score = standing.service, standing.score
    facts = [
        ("path", f"<code>{_text(service.path)}</code>"),
        ("role", _text(service.role) + ("" if service.ranked else " (listed, not ranked)")),
        ("language", _text(service.primary_language or "unknown")),
        ("code", f"{standing.code:,} lines"),
    ]
    if service.manifests:
        facts.append(("manifests", ", ".join(f"<code>{_text(m)}</code>" for m in service.manifests)))
    if service.dockerfiles:
        facts.append(("Dockerfiles", ", ".join(f"<code>{_text(d)}</code>" for d in service.dockerfiles)))
    if service.deployments:
        facts.append(("deployed by", "<br>".join(f"{_text(d.kind)} {_text(d.name)} {_where(d.path, d.line)}" for d in service.deployments)))
    if score is not None and score.verdict is not Verdict.NOT_APPLICABLE:
        facts.append(("scores", f"benefit {score.benefit:.0f}, effort {score.effort:.0f}, confidence {score.confidence:.2f}"))
    details = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    parts = [f'<article id="{anchor}" aria-labelledby="{anchor}-h"><h3 id="{anchor}-h">{_text(service.name)} {_badge(score)}</h3><dl>{details}</dl>']
    if score is not None and score.reasons:
        parts.append("<h4>Why</h4><ul>" + "".join(f"<li>{_text(r)}</li>" for r in score.reasons) + "</ul>")
    if score is not None and score.changes:
        parts.append("<h4>What would change the verdict</h4><ul>" + "".join(f"<li>{_text(c)}</li>" for c in score.changes) + "</ul>")
    if score is not None and score.criteria:
        parts.append(_criteria(score))
    if findings:
        parts.append(_findings(findings, titles))
    if service.languages:
        rows = [[_text(t.language), f"{t.files:,}", f"{t.code:,}"] for t in service.languages]
        parts.append(_table("Languages", ["language", "files", "code"], rows, numeric=frozenset({1, 2}), compact=True))
    parts.append(f"<h4>Why readiness thinks this is a service</h4>{_evidence_list(service.evidence)}")
    parts.append("</article>")
    return "".join(parts)


def _services(report: Report, standings_: list[Standing], anchors: dict[str, str]) -> str:
    by_service: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.service is not None:
            by_service.setdefault(finding.service, []).append(finding)
    titles = {rule.id: rule.title for rule in report.rules}
    articles = "".join(_service(s, anchors[s.service.name], by_service.get(s.service.name, []), titles) for s in standings_)
    unowned = [f for f in report.findings if f.service not in anchors]
    if unowned:
        articles += (
            '<article id="unowned" aria-labelledby="unowned-h"><h3 id="unowned-h">Findings in no service</h3>'
            '<p class="note">In files no detected service owns: shared configuration, scripts, the repository root.</p>'
            f"{_findings(unowned, titles)}</article>"
        )
    return f'<section id="services" aria-labelledby="services-h"><h2 id="services-h">Services and their evidence</h2>{articles}</section>'


def _diagnostics(diagnostics: Sequence[Diagnostic]) -> str:
    if not diagnostics:
        return ""
    counts = Counter(d.level for d in diagnostics)
    rows = [[_text(d.level), f"<code>{_text(d.path)}</code>" if d.path else _text(d.plugin or ""), _text(d.message)] for d in diagnostics]
    summary = ", ".join(f"{count} {level}s" for level, count in sorted(counts.items()))
    return (
        f'<section id="diagnostics" aria-labelledby="diagnostics-h"><h2 id="diagnostics-h">Warnings and errors</h2>'
        f'<p class="note">{_text(summary)}: input readiness skipped and plugins that failed. The rest of the report stands.</p>'
        f"{_table('Warnings and errors', ['level', 'where', 'message'], rows, row_header=False)}</section>"
    )


def _checks(report: Report) -> str:
    """The CI gate's verdict, the comparison with the baseline, and the suppressed findings with their reasons."""
    parts = []
    gate = report.gate
    if gate is not None:
        verdict = "passed" if gate.passed else f"failed: {gate.tally}"
        exit_note = " (--exit-zero)" if gate.exit_zero and not gate.passed else ""
        items = "".join(f"<li><code>{_text(f.condition)}</code>: {_text(f.detail)}</li>" for f in gate.failures)
        parts.append(f"<p><strong>Gate {_text(verdict)}</strong>, exit {gate.exit_code}{_text(exit_note)}.</p>" + (f"<ul>{items}</ul>" if items else ""))
    if report.diff is not None:
        judged = ", ".join(report.diff.services) or "none"
        parts.append(f'<p class="note">Judged {len(report.diff.services)} of {len(report.services)} services, those the changes since {_text(report.diff.base)} touch: {_text(judged)}.</p>')
    if report.baseline is not None:
        statuses = Counter(f.baseline for f in report.findings)
        counts = f"{statuses[BaselineStatus.NEW]} new, {statuses[BaselineStatus.CHANGED]} changed, {statuses[BaselineStatus.UNCHANGED]} unchanged, {len(report.baseline.fixed)} fixed"
        parts.append(f"<p>Against the baseline <code>{_text(report.baseline.source)}</code>: {_text(counts)}.</p>")
    if report.suppressed:
        rows = [
            [f"<code>{_text(s.finding.rule)}</code>", _where(s.finding.path, s.finding.line), _text(s.finding.service or "-"), _text(s.reason), _text(s.source)]
            for s in report.suppressed
        ]
        parts.append(_table(f"Suppressed findings ({len(report.suppressed):,}): not scored, not gated", ["rule", "where", "service", "reason", "suppressed by"], rows, row_header=False))
    if not parts:
        return ""
    return f'<section id="checks" aria-labelledby="checks-h"><h2 id="checks-h">CI checks</h2>{"".join(parts)}</section>'


def html_page(report: Report) -> str:
    ordered = standings(report)
    anchors = {standing.service.name: f"service-{index}" for index, standing in enumerate(ordered, 1)}
    colors = {s.service.name: VERDICT_COLORS[s.score.verdict] if s.score else UNSCORED_COLOR for s in ordered}
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Nothing may be fetched: the page is complete as written and must not call out when opened.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>readiness: {_text(report.repository.name)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{_header(report)}\n<main>\n{_ranking(ordered, anchors, Counter(f.service for f in report.findings))}\n"
        f"{_chart(report, ordered)}\n{_graph(report, colors)}\n"
        f"{_languages(report)}\n{_services(report, ordered, anchors)}\n{_checks(report)}\n{_diagnostics(report.diagnostics)}\n</main>\n"
        f"<footer>Made by readiness {_text(report.tool_version)} from the files of {_text(report.repository.name)}; "
        "every score traces to the evidence listed with it.</footer>\n"
        "</body>\n</html>\n"
    )


def render_html(report: Report, options: RenderOptions) -> str:
    return html_page(report)


@hookimpl
def readiness_report_formats() -> list[ReportFormat]:
    return [ReportFormat("html", "one self-contained HTML page with the ranking, charts and evidence", render_html)]
