"""SARIF for code scanning: valid against the official 2.1.0 schema, located, stable."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
import pytest

from readiness.model import Criterion, Finding, Rule
from readiness_plugins.sarif_report import sarif_log

from cirepo import SARIF_SCHEMA as SCHEMA
from cirepo import validate_sarif as validate
from conftest import FIXTURES
from report_samples import FOOTPRINT, JSON_PARSING, sample_report


def test_the_shipped_schema_is_the_oasis_one():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]
    # The schema rejects what it should: a result without a message, a log without runs.
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0"})
    with pytest.raises(jsonschema.ValidationError):
        validate({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "A"}]}]})


def test_sample_report_as_sarif():
    log = sarif_log(sample_report(), category="readiness/backend")
    validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["HIST101", "PERF101", "RES106"]
    perf = rules[1]
    assert perf["name"] == "json-on-request-path"
    assert perf["shortDescription"] == {"text": "JSON parsed on the request path."}
    assert perf["fullDescription"] == {"text": "JSON parsed on the request path. More detail follows here."}
    assert perf["help"]["text"] == JSON_PARSING.doc.strip()
    assert perf["help"]["markdown"].startswith("# PERF101: json-on-request-path\n\n## What it finds\n")
    assert perf["defaultConfiguration"] == {"level": "warning"}
    assert perf["properties"]["tags"] == ["readiness", "performance", "benefit"]
    assert run["automationDetails"] == {"id": "readiness/backend/"}
    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("PERF101", 1, "warning"),
        ("PERF101", 1, "warning"),
        ("PERF101", 1, "warning"),
        ("RES106", 2, "note"),
        ("RES106", 2, "note"),
        ("RES106", 2, "note"),
        ("HIST101", 0, "note"),
    ]
    first_perf = results[0]
    assert first_perf["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "services/checkout-api/app.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 9},
            }
        }
    ]
    # Two findings with the same snippet in one file stay two alerts.
    assert first_perf["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    assert results[1]["partialFingerprints"]["primaryLocationLineHash"] == first_perf["partialFingerprints"]["primaryLocationLineHash"][:-1] + "2"
    assert first_perf["properties"]["services"] == ["checkout-api"]


def test_a_service_level_finding_is_anchored_on_the_service_manifest():
    log = sarif_log(sample_report())
    validate(log)
    churn = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "HIST101")
    location = churn["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "services/inventory/pom.xml"
    assert location["region"] == {"startLine": 1, "startColumn": 1}
    assert churn["message"]["text"] == "changed in 40 of the last 52 weeks (about inventory: services/inventory)"


def test_a_service_without_manifest_or_dockerfile_is_anchored_on_its_evidence():
    report = sample_report()
    services = tuple(replace(s, manifests=(), dockerfiles=()) if s.name == "inventory" else s for s in report.services)
    log = sarif_log(replace(report, services=services))
    churn = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "HIST101")
    location = churn["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == ("docker-compose.yml", 3)


def test_every_result_has_a_file_location_and_a_start_line():
    log = sarif_log(sample_report())
    files = {record.path for record in sample_report().files}
    for result in log["runs"][0]["results"]:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] in files
        assert physical["region"]["startLine"] >= 1


def test_a_file_several_services_ship_is_one_result_naming_each_service():
    report = sample_report()
    shared = report.findings[0]
    log = sarif_log(replace(report, findings=(shared, replace(shared, service="gateway"))))
    results = log["runs"][0]["results"]
    assert len(results) == 1
    assert results[0]["properties"]["services"] == ["checkout-api", "gateway"]


def test_fingerprints_survive_a_moved_line_and_differ_by_snippet():
    moved = JSON_PARSING.finding("services/checkout-api/app.py", 99, "json.loads on the request path", snippet="json.loads(body)")
    report = sample_report()
    before = sarif_log(report)["runs"][0]["results"][0]["partialFingerprints"]
    after = sarif_log(replace(report, findings=(replace(moved, service="checkout-api"), *report.findings[1:])))
    assert after["runs"][0]["results"][0]["partialFingerprints"] == before
    other = JSON_PARSING.finding("services/checkout-api/app.py", 12, "json.loads on the request path", snippet="json.loads(other)")
    assert other.fingerprint != report.findings[0].fingerprint


def test_paths_become_uri_references():
    rule = Rule("PERF101", "x", Criterion.PERFORMANCE, "## What it finds\nx.", "error")
    finding = replace(rule.finding("src/my file#1 é.py", 0, "m", column=0), service=None)
    log = sarif_log(sample_report(findings=(finding,), rules=(rule,), files=()))
    validate(log)
    result = log["runs"][0]["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "src/my%20file%231%20%C3%A9.py"
    assert physical["region"] == {"startLine": 1, "startColumn": 1}
    assert result["level"] == "error"


def test_warnings_and_errors_are_tool_notifications():
    log = sarif_log(sample_report())
    notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notifications] == [
        ("warning", "malformed YAML, skipped"),
        ("error", "plugin 'x' failed in readiness_analyze_file: ValueError: boom"),
    ]
    assert notifications[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "deploy/k8s/broken.yaml"


def test_a_finding_whose_rule_the_report_lacks_still_validates():
    stray = Finding("EXT001", Criterion.FIT, "services/gateway/src/index.ts", 3, "m", fingerprint="abc")
    log = sarif_log(sample_report(findings=(stray,), rules=(FOOTPRINT,)))
    validate(log)
    assert "ruleIndex" not in log["runs"][0]["results"][0]


def test_the_cli_writes_valid_sarif_for_the_demo_with_its_category(run_cli, tmp_path):
    target = tmp_path / "out" / "readiness.sarif"
    code, _, err = run_cli("scan", FIXTURES / "demo", "--output", f"sarif:{target}", "--sarif-category", "monorepo", "-q")
    assert code == 0, err
    log = json.loads(target.read_text(encoding="utf-8"))
    validate(log)
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "monorepo/"}
    assert run["tool"]["driver"]["name"] == "readiness"
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in run["results"])


def test_a_run_keeps_the_most_severe_results_code_scanning_accepts(monkeypatch):
    monkeypatch.setattr("readiness_plugins.sarif_report.MAX_RESULTS", 4)
    log = sarif_log(sample_report())
    validate(log)
    run = log["runs"][0]
    # Three warnings and the first of four notes, in the report's order.
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("PERF101", "warning"),
        ("PERF101", "warning"),
        ("PERF101", "warning"),
        ("RES106", "note"),
    ]
    assert run["invocations"][0]["toolExecutionNotifications"][-1]["message"]["text"] == (
        "3 of 7 results left out, the least severe first: code scanning accepts 4 per run. `readiness scan --format json` lists them all."
    )
