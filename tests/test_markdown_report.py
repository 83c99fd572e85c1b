"""The pull-request summary: the ranking and the reasons, inert, and always within GitHub's limit."""

from __future__ import annotations

from dataclasses import replace

from readiness.model import Criterion, Diagnostic, Evidence, LanguageTotals, Rule, Service, ServiceScore, Verdict
from readiness_plugins.markdown_report import COMMENT_LIMIT, escape, summary_markdown

from report_samples import sample_report


def test_sample_summary():
    text = summary_markdown(sample_report())
    assert text.startswith(
        "## readiness: shop\n\n"
        "commit 0123456789ab, 5 services (4 backends or workers), 7 findings from 3 rules, 1 warnings, 1 errors\n\n"
        "### Ranking\n\n"
        "| rank | service | role | language | verdict | benefit | effort | confidence | findings |\n"
        "|--:|---|---|---|---|--:|--:|--:|--:|\n"
        "| 1 | checkout-api | backend | Python | strong candidate | 78 | 30 | 0.90 | 3 |\n"
        "| 2 | gateway | backend | TypeScript | candidate | 60 | 45 | 0.80 | 2 |\n"
        "| 3 | inventory | backend | Java | keep as is | 35 | 70 | 0.70 | 2 |\n"
        "| - | ledger | backend | Rust | not applicable | - | - | - | 0 |\n"
        "| - | storefront | frontend | TSX | not applicable | - | - | - | 0 |\n"
        "\n### Why\n\n"
        "**1. checkout-api**: strong candidate (benefit 78, effort 30, confidence 0.90)\n\n"
        "- JSON parsed on every request \\(services/checkout-api/app.py:12\\)\n"
        "- payments domain\n"
        "- GIL-bound worker pool\n"
        "- *What would change it:* a load test showing the JSON parsing is not hot\n"
    )
    # Three reasons at most; the frontend is not explained, the backend already in Rust is.
    assert "fourth reason" not in text
    assert "**ledger**: not applicable" in text and "**storefront**" not in text
    assert text.endswith(
        "<details><summary>2 warnings and errors</summary>\n\n"
        "- warning: deploy/k8s/broken.yaml: malformed YAML, skipped\n"
        "- error: plugin 'x' failed in readiness\\_analyze\\_file: ValueError: boom\n"
        "\n</details>\n"
    )
    assert "cut to fit" not in text


def test_a_summary_without_scores_says_so(demo_report):
    text = summary_markdown(replace(demo_report, scores=()))
    findings = sum(1 for f in demo_report.findings if f.service == "checkout-api")
    assert f"| - | checkout-api | backend | Python | not scored | | | | {findings} |" in text
    assert "*No service was scored: this report has no scoring results.*" in text


def test_repository_text_cannot_format_link_or_mention():
    assert escape("[click](https://evil.example) <img src=x> **bold** `code` a|b") == (
        "\\[click\\]\\(https://evil.example\\) \\<img src=x\\> \\*\\*bold\\*\\* \\`code\\` a\\|b"
    )
    assert escape("@octocat fixed #12") == "@\u2060octocat fixed #\u206012"
    assert escape("- item") == "\\- item" and escape("1. item") == "1\\. item"
    assert escape("line one\nline two\r\n") == "line one line two"
    assert escape("x" * 500, limit=10) == "x" * 9 + "…"


def _huge_report(services: int, reason: str):
    base = sample_report()
    long_name = "service-with-a-very-long-name-" * 3
    made = tuple(
        Service(f"{long_name}{n}", f"services/s{n}", "backend", (LanguageTotals("Python", 1, 100, 0, 0, 100),), "Python", (Evidence("x", 1, "x"),))
        for n in range(services)
    )
    scores = tuple(
        ServiceScore(s.name, Verdict.CANDIDATE, 50, 50, 0.5, n + 1, (), (reason, reason, reason, reason), (reason,)) for n, s in enumerate(made)
    )
    rule = Rule("X001", "x", Criterion.FIT, "## What it finds\nx.")
    warnings = tuple(Diagnostic("warning", "bad file " * 40, path=f"f{n}.yaml") for n in range(5000))
    findings = tuple(replace(rule.finding(f"services/s{n}/a.py", 1, "m"), service=made[n].name) for n in range(services))
    return replace(base, services=made, scores=scores, diagnostics=warnings, findings=findings, rules=(rule,))


def test_a_huge_repository_shows_the_head_of_the_ranking():
    text = summary_markdown(_huge_report(services=5000, reason="because the parser is hot"))
    assert len(text) <= COMMENT_LIMIT
    assert text.count("\n| ") == 1 + 50
    assert "\n*...and 4,950 more services, in the full report.*\n" in text
    assert text.count("\n**") == 20
    assert "\n*...and 4,980 more services explained in the full report.*\n" in text
    assert "- ...and 4980 more\n" in text
    assert "cut to fit" not in text


def test_however_long_the_text_the_summary_fits_in_a_github_comment():
    # Table pipes escape to two characters each: the longest reason the summary can hold.
    text = summary_markdown(_huge_report(services=5000, reason="|" * 5000))
    assert len(text.encode("utf-16-le")) // 2 <= COMMENT_LIMIT
    assert text.startswith("## readiness: shop\n")
    assert all(line.endswith("|") for line in text.splitlines() if line.startswith("| "))
    explained = text.count("\n**")
    assert 0 < explained < 20
    assert text.endswith(
        f"---\n*This summary was cut to fit in {COMMENT_LIMIT:,} characters: 50 of 5000 services in the ranking, "
        f"{explained} of 5000 explained. The full report: `readiness scan --format html` or `--format json`.*\n"
    )


def test_a_summary_cut_in_its_reasons_closes_what_it_opened():
    text = summary_markdown(_huge_report(services=60, reason="|" * 5000), limit=30_000)
    assert len(text) <= 30_000
    assert "<details>" not in text and "</details>" not in text
    assert "cut to fit in 30,000 characters" in text


def test_the_warnings_list_is_capped():
    report = replace(sample_report(), diagnostics=tuple(Diagnostic("warning", f"w{n}", path="f.yaml") for n in range(50)))
    text = summary_markdown(report)
    assert text.count("- warning: f.yaml: w") == 20
    assert "- ...and 30 more\n" in text
