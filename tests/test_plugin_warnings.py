"""Plugins report bad input as warnings in their hook results; the scan goes on."""

from __future__ import annotations

import json
import textwrap

import jsonschema

from readiness.config import Settings
from readiness.export import load_schema
from readiness.pipeline import scan
from readiness.plugin_host import HostSpec, PluginHost

WARNING_PLUGIN = '''
from readiness import hookimpl
from readiness.model import Criterion, Diagnostic, Evidence, Rule, ServiceCandidate

MANIFEST = Rule(id="MAN001", title="manifest", criterion=Criterion.COST, doc="x")

@hookimpl
def readiness_rules():
    return [MANIFEST]

@hookimpl
def readiness_detect_services(repo):
    return [
        ServiceCandidate(path="api", name="api", evidence=Evidence("api/app.yaml", 1, "app.yaml")),
        Diagnostic("warning", "invalid YAML: tab in indentation", path="api/broken.yaml"),
    ]

@hookimpl
def readiness_analyze_service(service):
    # Both services-level calls warn about the same shared file; the report says it once.
    return [
        MANIFEST.finding("api/app.yaml", 2, "memory limit", facts={"memory_limit_bytes": 536870912}),
        Diagnostic("warning", "larger than 2 MiB, not parsed", path="deploy/all.yaml"),
    ]
'''


def write_plugin(tmp_path, source: str):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "manifests.py").write_text(textwrap.dedent(source))
    return plugins_dir


def test_warnings_in_hook_results_are_reported_once_and_findings_stand(tmp_path, make_repo, run_cli):
    also_per_file = (
        "\n@hookimpl\ndef readiness_analyze_file(file):\n"
        "    return [Diagnostic('warning', 'larger than 2 MiB, not parsed', path='deploy/all.yaml')]\n"
    )
    plugins_dir = write_plugin(tmp_path, WARNING_PLUGIN + also_per_file)
    repo = make_repo({"api/app.yaml": "kind: x\n", "api/main.py": "x = 1\n", "api/broken.yaml": "\tx: 1\n"})

    code, out, err = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json")

    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    # The built-in runtime plugins also see api (a Python service); only this plugin's finding is asserted.
    assert [(f["rule"], f["service"], f["facts"]) for f in report["findings"] if f["rule"] == "MAN001"] == [
        ("MAN001", "api", {"memory_limit_bytes": 536870912})
    ]
    assert report["warnings"] == [
        {"message": "invalid YAML: tab in indentation", "path": "api/broken.yaml"},
        {"message": "larger than 2 MiB, not parsed", "path": "deploy/all.yaml"},
    ]
    assert [e for e in report["errors"] if e["plugin"] == "manifests"] == []


def test_a_warning_keeps_the_plugin_and_hook_that_returned_it(tmp_path, make_repo):
    plugins_dir = write_plugin(tmp_path, WARNING_PLUGIN)
    repo = make_repo({"api/app.yaml": "kind: x\n"})
    report = scan(repo, Settings(), PluginHost(HostSpec(plugins_dirs=(str(plugins_dir),), autoload=False)))
    warnings = {(d.level, d.path, d.plugin, d.hook) for d in report.diagnostics if d.plugin == "manifests"}
    assert warnings == {
        ("warning", "api/broken.yaml", "manifests", "readiness_detect_services"),
        ("warning", "deploy/all.yaml", "manifests", "readiness_analyze_service"),
    }


def test_table_report_shows_a_plugin_warning_with_its_file(tmp_path, make_repo, run_cli):
    plugins_dir = write_plugin(tmp_path, WARNING_PLUGIN)
    repo = make_repo({"api/app.yaml": "kind: x\n"})
    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir)
    assert code == 0
    assert "warning: api/broken.yaml: invalid YAML: tab in indentation" in out


def test_anything_else_in_a_hook_result_is_the_plugins_error(tmp_path, make_repo, run_cli):
    plugins_dir = write_plugin(
        tmp_path,
        WARNING_PLUGIN.replace(
            "        Diagnostic(\"warning\", \"larger than 2 MiB, not parsed\", path=\"deploy/all.yaml\"),\n    ]",
            "        Diagnostic(\"warning\", \"larger than 2 MiB, not parsed\", path=\"deploy/all.yaml\"),\n        \"a stray string\",\n    ]",
        ),
    )
    repo = make_repo({"api/app.yaml": "kind: x\n"})
    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json")
    report = json.loads(out)
    assert [f["rule"] for f in report["findings"] if f["rule"].startswith("MAN")] == ["MAN001"]
    assert [e["message"] for e in report["errors"] if e["plugin"] == "manifests"] == [
        "plugin 'manifests' failed in readiness_analyze_service: TypeError: returned a str, not a Finding or Diagnostic"
    ]
