"""The repository-level stage: called once per scan with every service; plugins may return warnings."""

from __future__ import annotations

import json
import textwrap

import jsonschema

from readiness.export import load_schema

REPOSITORY_PLUGIN = '''
from dataclasses import replace

from readiness import hookimpl
from readiness.model import Criterion, Diagnostic, Evidence, Rule, ServiceCandidate

WHOLE = Rule(id="REPO001", title="whole-repo", criterion=Criterion.FIT, doc="doc")
CALLS = []

@hookimpl
def readiness_rules():
    return [WHOLE]

@hookimpl
def readiness_detect_services(repo):
    return [ServiceCandidate(path, path.rsplit("/", 1)[-1], Evidence(path + "/main.py", 1, "test"))
            for path in ("svc/a", "svc/b")]

@hookimpl
def readiness_analyze_repository(repo, services):
    CALLS.append(len(services))
    return [
        replace(WHOLE.finding("svc/a", 1, "claimed for b"), service="b"),
        WHOLE.finding("svc/a/main.py", 3, "assigned by path"),
        Diagnostic("warning", f"looked at {len(services)} services once (call {len(CALLS)})"),
        Rule("NOPE002", "nope", Criterion.FIT, "").finding("x", 1, "undeclared"),
    ]
'''


def test_repository_findings_and_warnings_reach_the_report(tmp_path, make_repo, run_cli):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "whole.py").write_text(textwrap.dedent(REPOSITORY_PLUGIN))
    repo = make_repo({"svc/a/main.py": "x = 1\n", "svc/b/main.py": "y = 2\n"})

    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json")

    assert code == 0
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    assert [(f["path"], f["line"], f["service"]) for f in report["findings"] if f["rule"] == "REPO001"] == [
        ("svc/a", 1, "b"),
        ("svc/a/main.py", 3, "a"),
    ]
    assert {"message": "looked at 2 services once (call 1)", "path": None} in report["warnings"]
    assert [e["message"] for e in report["errors"] if e["plugin"] == "whole"] == [
        "plugin 'whole' failed in readiness_analyze_repository: LookupError: finding for undeclared rule NOPE002"
    ]
    code, table, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir)
    assert "warning: looked at 2 services once (call 1)" in table
