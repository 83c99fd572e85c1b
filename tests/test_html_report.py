"""The HTML report: one self-contained, accessible page, and what a real browser makes of it."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from readiness.model import Edge, Evidence, Infrastructure, Service, Verdict
from readiness_plugins.html_report import GRAPH_NODE_LIMIT, VERDICT_COLORS, html_page
from readiness_plugins._svg import MUTED, TEXT, Link, Node, layers

from report_samples import sample_report

ARTIFACTS = Path(__file__).parent / "artifacts"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: tuple[str, ...]
    text: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        return "".join(self.text)


class _Collector(HTMLParser):
    """Every element with its attributes, its ancestors' tags and the text directly inside it."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.open))
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}, tuple(e.tag for e in self.open)))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text.append(data)


def parse(html: str) -> list[Element]:
    collector = _Collector()
    collector.feed(html)
    return collector.elements


def by_id(elements: list[Element], ident: str) -> Element:
    return next(e for e in elements if e.attrs.get("id") == ident)


def inside(elements: list[Element], ident: str, tag: str) -> list[Element]:
    """Elements with ``tag`` that follow the element with id ``ident`` and sit below its tag, before it closes."""
    start = next(i for i, e in enumerate(elements) if e.attrs.get("id") == ident)
    depth = len(elements[start].ancestors)
    found = []
    for element in elements[start + 1 :]:
        if len(element.ancestors) <= depth:
            break
        if element.tag == tag:
            found.append(element)
    return found


def table_rows(elements: list[Element], caption: str) -> list[Element]:
    """The body rows of the table whose caption is ``caption``."""
    start = next(i for i, e in enumerate(elements) if e.tag == "caption" and e.content == caption)
    rows = []
    for element in elements[start + 1 :]:
        if element.tag == "table":
            break
        if element.tag == "tr" and "tbody" in element.ancestors:
            rows.append(element)
    return rows


def contrast(color: str, background: str = "#ffffff") -> float:
    def luminance(hex_color: str) -> float:
        channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(color), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_page_loads_nothing_and_runs_nothing():
    html = html_page(sample_report())
    elements = parse(html)
    assert not [e for e in elements if e.tag in ("script", "iframe", "object", "embed", "link", "img")]
    for element in elements:
        for name, value in element.attrs.items():
            if name in ("src", "href", "xlink:href", "action", "srcset"):
                assert value.startswith("#"), (element.tag, name, value)
            assert not name.startswith("on"), (element.tag, name)
    assert set(re.findall(r"url\(([^)]*)\)", html)) == {"#arrow"}
    policy = next(e for e in elements if e.tag == "meta" and e.attrs.get("http-equiv") == "Content-Security-Policy")
    assert policy.attrs["content"].startswith("default-src 'none';")


def test_the_ranking_and_the_chart_with_the_table_behind_it():
    elements = parse(html_page(sample_report()))
    ranking = [row.content for row in table_rows(elements, "Services, best candidates for a Rust rewrite first")]
    assert ranking == [
        "checkout-api1backendPythonstrong candidate78300.903JSON parsed on every request (services/checkout-api/app.py:12)",
        "gateway2backendTypeScriptcandidate60450.802parses untrusted input at the edge",
        "inventory3backendJavakeep as is35700.702JVM already fast enough; large codebase",
        "ledgerbackendRustnot applicable---0already written in Rust",
        "storefrontfrontendTSXnot applicable---0a user interface, not a backend",
    ]
    bubbles = inside(elements, "benefit-effort", "circle")
    # Already Rust, or not a backend: not a position on the plane.
    assert sorted(b.attrs["fill"] for b in bubbles) == sorted(
        [VERDICT_COLORS[Verdict.STRONG_CANDIDATE], VERDICT_COLORS[Verdict.CANDIDATE], VERDICT_COLORS[Verdict.KEEP]]
    )
    tooltips = [e.content for e in inside(elements, "benefit-effort", "title")]
    assert "checkout-api: strong candidate, benefit 78, effort 30, peak memory footprint 2.0 GiB" in tooltips
    assert [row.content for row in table_rows(elements, "Data behind the chart")] == [
        "checkout-api1strong candidate78300.902.0 GiB",
        "gateway2candidate60450.80512.0 MiB",
        "inventory3keep as is35700.701.0 GiB",
    ]
    legend = [e.content for e in elements if e.tag == "li" and "ul" in e.ancestors and e.content in {v.value for v in Verdict}]
    assert legend == ["strong candidate", "candidate", "keep as is"]


def test_bubbles_are_sized_by_code_when_a_footprint_is_missing():
    report = sample_report()
    without = tuple(f for f in report.findings if not (f.rule == "RES106" and f.service == "gateway"))
    elements = parse(html_page(replace(report, findings=without)))
    headers = [e.content for e in elements if e.tag == "th" and e.attrs.get("scope") == "col"]
    assert "lines of code" in headers and "peak memory footprint" not in headers


def test_the_graph_and_its_connections():
    elements = parse(html_page(sample_report()))
    nodes = [e.content for e in inside(elements, "service-graph", "g") if e.attrs.get("class") == "node"]
    assert len(nodes) == 7
    assert [e.content for e in inside(elements, "service-graph", "path") if e.attrs.get("class") == "edge"] == [
        "checkout-api -> inventory (grpc)",
        "checkout-api -> postgres (sql)",
        "gateway -> checkout-api (http)",
        "inventory -> kafka (kafka)",
        "storefront -> gateway (http)",
    ]
    assert table_rows(elements, "Connections")[1].content == "checkout-apipostgressqldocker-compose.yml:8 DATABASE_URL"


def test_graph_layers_put_callers_left_and_datastores_last():
    nodes = [Node(n, n, "#000", n) for n in ("web", "api", "worker", "lonely")] + [Node("db", "db", "#000", "db", infrastructure=True)]
    links = [Link("web", "api", "http"), Link("api", "worker", "amqp"), Link("worker", "api", "http"), Link("api", "db", "sql")]
    assert layers(nodes, links) == [["web"], ["api"], ["worker"], ["db"]]


def test_a_dense_graph_is_left_to_its_table():
    report = sample_report()
    many = tuple(Service(f"s{n}", f"s{n}", "backend", (), None, (Evidence("x", 1, "x"),)) for n in range(GRAPH_NODE_LIMIT))
    edges = tuple(Edge(f"s{n}", f"s{n + 1}", "http", ()) for n in range(GRAPH_NODE_LIMIT - 1))
    elements = parse(html_page(replace(report, services=many, edges=edges, scores=(), findings=())))
    assert not any(e.attrs.get("id") == "service-graph" for e in elements)
    assert len(table_rows(elements, "Connections")) == GRAPH_NODE_LIMIT - 1


def test_each_service_shows_its_evidence_with_file_and_line():
    elements = parse(html_page(sample_report()))
    checkout = by_id(elements, "service-1")
    text = " ".join(e.content for e in inside(elements, "service-1", "td"))
    assert "services/checkout-api/app.py:12" in text and "deploy/k8s/checkout.yaml:20" in text
    assert "+78.0 CPU-bound work in checkout-api (PERF101) services/checkout-api/app.py:12" in text
    assert "docker-compose.yml:3 compose service checkout-api" in checkout.content
    assert "a load test showing the JSON parsing is not hot" in checkout.content


def test_every_chart_is_labelled_and_colours_are_legible():
    elements = parse(html_page(sample_report()))
    charts = [e for e in elements if e.tag == "svg"]
    assert len(charts) == 3
    ids = {e.attrs.get("id") for e in elements}
    for chart in charts:
        assert chart.attrs["role"] == "img"
        assert all(part in ids for part in chart.attrs["aria-labelledby"].split())
    for color in (*VERDICT_COLORS.values(), TEXT, MUTED):
        assert contrast(color) >= 4.5, color


def test_repository_text_is_escaped():
    report = sample_report()
    hostile = "<script>alert(1)</script>&\"'"
    services = (replace(report.services[0], name=hostile, path="a<b"), *report.services[1:])
    scores = (replace(report.scores[0], service=hostile, reasons=("<img src=x onerror=alert(1)>",)), *report.scores[1:])
    infrastructure = (Infrastructure("<b>db</b>", "postgres", (), image='x"><svg onload=alert(1)>'),)
    html = html_page(replace(report, services=services, scores=scores, infrastructure=infrastructure, edges=()))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#x27;" in html
    elements = parse(html)
    assert not [e for e in elements if any(name.startswith("on") for name in e.attrs)]


def test_a_report_without_scores_says_so():
    elements = parse(html_page(sample_report(scores=())))
    notes = [e.content for e in elements if e.attrs.get("class") == "note"]
    assert "No service was scored: this report has no scoring results." in notes
    assert "Nothing to plot: no backend or worker has a verdict in this report." in notes


def _pixels(png: Path) -> tuple[tuple[int, int], dict[tuple[int, int, int], int]]:
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(png) as image:
        rgb = image.convert("RGB")
        return rgb.size, {color: count for count, color in rgb.getcolors(maxcolors=1 << 24)}


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return (int(hex_color[1:3], 16), int(hex_color[3:5], 16), int(hex_color[5:7], 16))


def test_chromium_renders_the_chart_the_graph_and_the_tables(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html_page(sample_report()), encoding="utf-8")
    dumped = chromium(page.as_uri(), "--dump-dom", profile_root=tmp_path)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    elements = parse(dumped.stdout)
    assert len(inside(elements, "benefit-effort", "circle")) == 3
    assert len([e for e in inside(elements, "service-graph", "g") if e.attrs.get("class") == "node"]) == 7
    assert len(table_rows(elements, "Services, best candidates for a Rust rewrite first")) == 5
    assert len(table_rows(elements, "Data behind the chart")) == 3

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report-sample.png"
    shot.unlink(missing_ok=True)
    taken = chromium(page.as_uri(), f"--screenshot={shot}", "--window-size=1200,1800", profile_root=tmp_path)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    size, colors = _pixels(shot)
    assert size == (1200, 1800)
    # The chart's shaded corner and every verdict's outline and badge were painted.
    assert colors.get(_rgb("#dafbe1"), 0) > 20_000
    for verdict in (Verdict.STRONG_CANDIDATE, Verdict.CANDIDATE, Verdict.KEEP, Verdict.NOT_APPLICABLE):
        assert colors.get(_rgb(VERDICT_COLORS[verdict]), 0) > 200, verdict


def test_chromium_screenshot_of_the_demo_report(chromium, demo_report, tmp_path):
    page = tmp_path / "demo.html"
    page.write_text(html_page(demo_report), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report-demo.png"
    shot.unlink(missing_ok=True)
    taken = chromium(page.as_uri(), f"--screenshot={shot}", "--window-size=1200,1600", profile_root=tmp_path)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    size, colors = _pixels(shot)
    assert size == (1200, 1600)
    assert len(colors) > 50, "the page rendered as a blank image"
    shutil.copyfile(page, ARTIFACTS / "html-report-demo.html")


def test_findings_in_no_service_are_listed_too():
    report = sample_report()
    stray = replace(report.findings[0], service=None, path="scripts/load.py", line=4)
    elements = parse(html_page(replace(report, findings=(*report.findings, stray))))
    assert [row.content for row in table_rows(elements, "Findings (1)") if "scripts/load.py" in row.content] == [
        "PERF101 json-on-request-pathperformancescripts/load.py:4json.loads on the request path"
    ]
    assert by_id(elements, "unowned-h").content == "Findings in no service"
