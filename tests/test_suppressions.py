"""Suppressions: inline markers in any comment syntax and configuration entries, each with its reason in every output."""

from __future__ import annotations

import pytest

from readiness.suppressions import inline_markers

from cirepo import CI, scan_json, two_services


def suppressed(report):
    return [(s["rule"], s["path"], s["line"], s["reason"], s["source"]) for s in report["suppressed"]]


def test_inline_marker_on_the_line_suppresses_with_its_reason(make_repo, run_cli):
    repo = make_repo(two_services(api="def handle():\n    lock(a)  # readiness: ignore[CIL101] held for microseconds only\n    lock(b)\n"))
    code, report, _ = scan_json(run_cli, repo)
    assert code == 0
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("CIL101", 3)]
    assert suppressed(report) == [("CIL101", "services/api/app.py", 2, "held for microseconds only", "services/api/app.py:2")]
    assert report["suppressed"][0]["service"] == "api"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("app.go", "func f() {\n\t// readiness: ignore[CIL101] startup only\n\tlock(a)\n}\n"),
        ("app.c", "void f(void) {\n    /* readiness: ignore[CIL101] startup only */\n    lock(a);\n}\n"),
        ("app.lua", "-- readiness: ignore[CIL] startup only\nlock(a)\n"),
        ("page.html", "<!-- readiness: ignore[concurrency] startup only -->\n<p>lock(a)</p>\n"),
        ("app.py", "# readiness: ignore[CIL101, CIS201] \u2014 startup only\nlock(a); sleep(1)\n"),
    ],
)
def test_a_comment_alone_on_the_line_before_covers_the_next_line_in_any_syntax(make_repo, run_cli, name, code):
    repo = make_repo(two_services(**{f"services/api/{name}": code}))
    _, report, _ = scan_json(run_cli, repo)
    assert {(s["rule"], s["reason"]) for s in report["suppressed"]} >= {("CIL101", "startup only")}
    assert not [f for f in report["findings"] if f["path"] == f"services/api/{name}"]


def test_a_marker_after_code_covers_only_its_own_line(make_repo, run_cli):
    repo = make_repo(two_services(api="x = lock(a)  # readiness: ignore[CIL101] this one only\nlock(b)\n"))
    _, report, _ = scan_json(run_cli, repo)
    assert [f["line"] for f in report["findings"]] == [2]
    assert [s["line"] for s in report["suppressed"]] == [1]


def test_a_marker_for_another_rule_suppresses_nothing(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)  # readiness: ignore[CIS201] not this rule\n"))
    _, report, _ = scan_json(run_cli, repo)
    assert [f["rule"] for f in report["findings"]] == ["CIL101"] and report["suppressed"] == []


def test_a_marker_without_reason_is_a_warning_and_the_finding_stays(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)  # readiness: ignore[CIL101]\n"))
    code, report, _ = scan_json(run_cli, repo)
    assert code == 0 and [f["rule"] for f in report["findings"]] == ["CIL101"] and report["suppressed"] == []
    assert report["warnings"] == [
        {"path": "services/api/app.py", "message": "line 1: readiness: ignore[CIL101] has no reason, so it suppresses nothing; write why after the brackets"}
    ]


def test_a_marker_naming_no_rule_is_a_warning(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)  # readiness: ignore[CIL999] typo\n"))
    _, report, _ = scan_json(run_cli, repo)
    assert [f["rule"] for f in report["findings"]] == ["CIL101"]
    assert report["warnings"] == [{"path": "services/api/app.py", "message": "line 1: readiness: ignore[CIL999] names CIL999, which matches no rule"}]


def test_configured_suppressions_match_rules_paths_and_services(make_repo, run_cli):
    config = (
        "[tool.readiness]\n"
        "[[tool.readiness.suppress]]\nrules = [\"CIL101\"]\npaths = [\"services/api/legacy/**\"]\nreason = \"legacy module, deleted in Q3\"\n"
        "[[tool.readiness.suppress]]\nservices = [\"bill*\"]\nreason = \"billing is being replaced\"\n"
    )
    repo = make_repo(two_services(
        api="lock(a)\n", billing="sleep(1)\nlock(b)\n",
        **{"services/api/legacy/old.py": "lock(c)\nsleep(2)\n", "pyproject.toml": config},
    ))
    _, report, _ = scan_json(run_cli, repo)
    assert [(f["rule"], f["path"], f["line"]) for f in report["findings"]] == [
        ("CIL101", "services/api/app.py", 1),
        ("CIS201", "services/api/legacy/old.py", 2),
    ]
    assert suppressed(report) == [
        ("CIL101", "services/api/legacy/old.py", 1, "legacy module, deleted in Q3", "pyproject.toml: suppress #1"),
        ("CIS201", "services/billing/app.py", 1, "billing is being replaced", "pyproject.toml: suppress #2"),
        ("CIL101", "services/billing/app.py", 2, "billing is being replaced", "pyproject.toml: suppress #2"),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('rules = ["CIL101"]\n', "pyproject.toml:2: suppression #1: a reason is mandatory"),
        ('rules = ["CIL101"]\nreason = "  "\n', "pyproject.toml:2: suppression #1: a reason is mandatory"),
        ('reason = "everything"\n', "pyproject.toml:2: suppression #1: say what it suppresses with rules, paths or services"),
        ('rule = ["CIL101"]\nreason = "x"\n', "pyproject.toml:2: suppression #1: unknown key 'rule'"),
    ],
)
def test_configured_suppression_errors_exit_2(make_repo, run_cli, entry, message):
    repo = make_repo(two_services(**{"pyproject.toml": f"[tool.readiness]\n[[tool.readiness.suppress]]\n{entry}"}))
    code, out, err = run_cli("scan", repo, *CI)
    assert (code, out) == (2, "")
    assert err.startswith(f"readiness: error: {message}")


def test_suppressed_findings_are_in_the_table_with_their_reason(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)  # readiness: ignore[CIL101] held for microseconds only\n"))
    code, out, _ = run_cli("scan", repo, *CI)
    assert code == 0
    assert "Suppressed findings (1): not scored, not gated" in out
    assert "held for microseconds only" in out and "services/api/app.py:1" in out


def test_suppressed_findings_do_not_fail_gates(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)  # readiness: ignore[CIL101] held for microseconds only\n"))
    code, report, _ = scan_json(run_cli, repo, "--fail-on-rule", "CIL101")
    assert code == 0 and report["gate"]["status"] == "passed"


def test_inline_markers_parse_selectors_reasons_and_placement():
    text = "a  // readiness: ignore[X1,Y] -- because */\n   # readiness:ignore[Z2] why\nreadiness: ignore[] no\n"
    markers = inline_markers(text)
    assert [(m.line, m.selectors, m.reason, m.alone) for m in markers] == [(1, ("X1", "Y"), "because", False), (2, ("Z2",), "why", True)]
