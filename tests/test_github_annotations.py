"""Workflow annotations: one line per finding at its file and line, escaped like the Actions toolkit."""

from __future__ import annotations

from dataclasses import replace

from readiness.model import Diagnostic, RenderOptions
from readiness_plugins.github_annotations import command, escape_data, escape_property, render_github

from report_samples import JSON_PARSING, sample_report


def test_sample_annotations():
    lines = render_github(sample_report(), RenderOptions()).splitlines()
    assert lines[0] == "::warning file=services/checkout-api/app.py,line=12,col=9,title=PERF101 json-on-request-path::json.loads on the request path"
    assert lines[3] == "::notice file=deploy/k8s/checkout.yaml,line=20,col=1,title=RES106 service-footprint::footprint up to 2.0 GiB"
    # A finding about the whole service sits on its manifest and says what it is about.
    assert lines[6] == (
        "::notice file=services/inventory/pom.xml,line=1,col=1,title=HIST101 high-churn::"
        "changed in 40 of the last 52 weeks (about inventory: services/inventory)"
    )
    assert lines[7] == "::warning file=deploy/k8s/broken.yaml,title=readiness warning::malformed YAML, skipped"
    assert lines[8] == "::error title=readiness error::plugin 'x' failed in readiness_analyze_file: ValueError: boom"
    assert lines[9] == (
        "::notice title=readiness::5 services, 7 findings, 2 warnings and errors"
        "%0A1. checkout-api: strong candidate%0A2. gateway: candidate%0A3. inventory: keep as is"
    )
    assert len(lines) == 10


def test_escaping_follows_the_actions_toolkit():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("warning", "m", file="x,y:z.py", line=3) == "::warning file=x%2Cy%3Az.py,line=3::m"


def test_repository_text_cannot_start_a_command_of_its_own():
    hostile = JSON_PARSING.finding("a,b:c.py", 1, "fine\n::error file=x::forged\r::stop-commands::token")
    text = render_github(sample_report(findings=(replace(hostile, service="gateway"),), files=()), RenderOptions())
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("::warning file=services/gateway/package.json,line=1,col=1,title=PERF101 json-on-request-path::fine%0A::error")
    assert all(line.startswith(("::warning ", "::error ", "::notice ")) for line in lines)


def test_a_report_without_findings_still_says_what_it_saw(demo_report):
    text = render_github(replace(demo_report, diagnostics=(Diagnostic("warning", "w"),)), RenderOptions())
    ranked = sorted((s.rank, s.service, s.verdict.value) for s in demo_report.scores if s.rank is not None)
    assert text.splitlines()[-1] == (
        f"::notice title=readiness::{len(demo_report.services)} services, {len(demo_report.findings)} findings, 1 warnings and errors"
        + "".join(f"%0A{rank}. {name}: {verdict}" for rank, name, verdict in ranked)
    )
