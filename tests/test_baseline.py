"""Baselines: new, changed, unchanged and fixed findings, matched count by count and by nearest line."""

from __future__ import annotations

import json

from readiness.baseline import compare, parse_baseline
from readiness.model import BaselineStatus, Criterion, Finding, Report, RepositoryInfo, Rule

from cirepo import CI, scan_json, two_services
from conftest import write_tree


def statuses(report):
    return [(f["line"], f["baseline"]) for f in report["findings"]]


def baseline_of(run_cli, repo, tmp_path):
    target = tmp_path / "baseline.json"
    code, report, _ = scan_json(run_cli, repo, "--write-baseline", target)
    assert code == 0 and json.loads(target.read_text())["findings"] == report["findings"]
    return target


def test_a_second_identical_finding_beside_a_baselined_one_is_new(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="def f():\n    lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "def f():\n    lock(a)\n    lock(a)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert statuses(report) == [(2, "unchanged"), (3, "new")]
    assert {k: report["baseline"][k] for k in ("new", "changed", "unchanged", "fixed")} == {"new": 1, "changed": 0, "unchanged": 1, "fixed": []}


def test_a_copy_inserted_above_is_the_new_one_and_the_moved_original_is_not(make_repo, run_cli, tmp_path):
    body = "".join(f"x{n} = {n}\n" for n in range(8))
    repo = make_repo(two_services(api=f"{body}def f():\n    lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": f"lock(a)\n{body}def f():\n    lock(a)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert statuses(report) == [(1, "new"), (11, "unchanged")]


def test_a_finding_that_only_moved_is_unchanged(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="def f():\n    lock(a)\n", billing="sleep(1)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "import os\n\n\ndef f():\n      lock(a)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert [(f["path"], f["line"], f["baseline"]) for f in report["findings"]] == [
        ("services/api/app.py", 5, "unchanged"),
        ("services/billing/app.py", 1, "unchanged"),
    ]


def test_fixed_findings_are_listed_with_their_old_place(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\nsleep(1)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "sleep(1)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert statuses(report) == [(1, "unchanged")]
    assert [(f["rule"], f["line"], f["baseline"]) for f in report["baseline"]["fixed"]] == [("CIL101", 1, "fixed")]


def test_an_edited_line_with_the_same_rule_is_changed_not_new_and_fixed(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="x = 1\nlock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "x = 1\nlock(a, timeout=5)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert statuses(report) == [(2, "changed")] and report["baseline"]["fixed"] == []


def test_the_same_finding_in_another_service_is_new(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/billing/app.py": "lock(a)\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert [(f["service"], f["baseline"]) for f in report["findings"]] == [("api", "unchanged"), ("billing", "new")]


def test_a_finding_suppressed_since_is_not_fixed(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "lock(a)  # readiness: ignore[CIL101] reviewed\n"})
    _, report, _ = scan_json(run_cli, repo, "--baseline", baseline)
    assert report["findings"] == [] and report["baseline"]["fixed"] == [] and len(report["suppressed"]) == 1


def test_new_only_gates_fail_on_new_findings_and_pass_on_known_ones(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    code, report, err = scan_json(run_cli, repo, "--baseline", baseline, "--fail-on-rule", "CIL101", "--new-only")
    assert (code, report["gate"]["status"]) == (0, "passed")
    assert err == "readiness: gate passed (1 condition met, exit 0)\n"
    write_tree(repo, {"services/billing/app.py": "lock(b)\n"})
    code, report, err = scan_json(run_cli, repo, "--baseline", baseline, "--fail-on-rule", "CIL101", "--new-only")
    assert code == 1
    assert report["gate"]["failures"] == [{"condition": "fail-on-rule CIL101", "detail": "1 new finding: CIL101 at services/billing/app.py:1"}]
    code, _, _ = scan_json(run_cli, repo, "--baseline", baseline, "--fail-on-rule", "CIL101")
    assert code == 1


def test_the_table_counts_and_lists_new_and_fixed_findings(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\nsleep(1)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {"services/api/app.py": "lock(a)\n", "services/billing/app.py": "lock(b)\n"})
    code, out, _ = run_cli("scan", repo, *CI, "--baseline", baseline)
    assert code == 0
    assert f"Against baseline {baseline}: 1 new, 0 changed, 1 unchanged, 1 fixed" in out.replace("\n", "")
    assert "New findings" in out and "services/billing/app.py:1" in out
    assert "Fixed findings (only in the baseline)" in out and "services/api/app.py:2" in out


def test_baseline_from_configuration_is_read_inside_the_repository(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n"))
    baseline = baseline_of(run_cli, repo, tmp_path)
    write_tree(repo, {".readiness/baseline.json": baseline.read_text(), "pyproject.toml": '[tool.readiness]\nbaseline = ".readiness/baseline.json"\n[tool.readiness.gate]\nfail-on-rule = ["CIL"]\nnew-only = true\n'})
    code, report, _ = scan_json(run_cli, repo)
    assert (code, report["baseline"]["source"], statuses(report)) == (0, ".readiness/baseline.json", [(1, "unchanged")])


def test_unusable_baselines_are_usage_errors(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services())
    not_json = tmp_path / "bad.json"
    not_json.write_text("{")
    other = tmp_path / "other.json"
    other.write_text('{"findings": []}')
    broken = tmp_path / "broken.json"
    broken.write_text('{"tool": {"name": "readiness"}, "findings": [{"rule": "X1"}]}')
    for path, message in (
        (tmp_path / "missing.json", f"--baseline {tmp_path / 'missing.json'}: cannot read: No such file or directory"),
        (not_json, f"{not_json}: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (other, f"{other}: not a readiness JSON report (write one with --write-baseline)"),
        (broken, f"{broken}: finding #1 is malformed: KeyError: 'path'"),
    ):
        assert run_cli("scan", repo, "--baseline", path) == (2, "", f"readiness: error: {message}\n")
    code, _, err = run_cli("scan", repo, "--fail-on-rule", "all", "--new-only")
    assert code == 2 and err.startswith("readiness: error: new-only needs a baseline")


RULE = Rule("XA101", "x", Criterion.CONCURRENCY, "doc")


def report_of(*findings: Finding) -> Report:
    info = RepositoryInfo("r", "git", None, None)
    return Report("0", info, (), (), (), (), tuple(findings), (), (), ())


def test_compare_pairs_nearest_lines_and_counts_each_identity():
    old = [RULE.finding("a.py", line, "m", snippet="lock()") for line in (10, 50)]
    new = [RULE.finding("a.py", line, "m", snippet="lock()") for line in (12, 30, 49)]
    baseline = parse_baseline(json.dumps({"tool": {"name": "readiness"}, "findings": [
        {"rule": f.rule, "criterion": f.criterion.value, "service": None, "path": f.path, "line": f.line, "message": f.message, "fingerprint": f.fingerprint, "facts": {}}
        for f in old
    ]}).encode(), "b.json")
    compared = compare(report_of(*new), baseline)
    assert [(f.line, f.baseline) for f in compared.findings] == [(12, BaselineStatus.UNCHANGED), (30, BaselineStatus.NEW), (49, BaselineStatus.UNCHANGED)]
    assert compared.baseline is not None and compared.baseline.fixed == ()
