"""Every format from one report object; several reports from one scan with ``--output FORMAT:PATH``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema

from readiness.export import json_text, load_schema, report_as_dict
from readiness.model import RenderOptions
from readiness.plugin_host import PluginHost

from conftest import FIXTURES
from report_samples import sample_report
from test_sarif_report import validate as validate_sarif

FORMATS = PluginHost().formats


def test_the_report_formats_are_registered():
    assert {"table", "json", "sarif", "markdown", "html", "github"} <= set(FORMATS)


def test_every_registered_format_renders_the_demo_and_a_scored_report(demo_report):
    for report in (demo_report, sample_report()):
        for name, report_format in FORMATS.items():
            text = report_format.render(report, RenderOptions())
            assert text.strip(), name
            assert text == report_format.render(report, RenderOptions()), f"{name} is not deterministic"
            if name in ("table", "markdown", "html"):
                for service in report.services:
                    assert service.name in text, (name, service.name)


def test_json_and_sarif_of_both_validate(demo_report):
    for report in (demo_report, sample_report()):
        jsonschema.validate(json.loads(FORMATS["json"].render(report, RenderOptions())), load_schema())
        validate_sarif(json.loads(FORMATS["sarif"].render(report, RenderOptions())))


def test_json_is_indented_with_each_record_on_one_line():
    document = {
        "empty": [], "none": {}, "scalars": [1, "é"], "record": {"k": 1, "list": [1], "object": {"p": 2}, "table": [{"a": 1}]},
        "deep": {"g": {"h": {"i": None}}}, "mixed": [{"y": {"z": 1}}, 2], "tables": {"t1": [{"a": 1}], "t2": [{"b": 2}]},
    }
    assert json_text(document) == """{
  "empty": [],
  "none": {},
  "scalars": [
    1,
    "é"
  ],
  "record": {"k": 1, "list": [1], "object": {"p": 2}, "table": [{"a": 1}]},
  "deep": {
    "g": {"h": {"i": null}}
  },
  "mixed": [
    {"y": {"z": 1}},
    2
  ],
  "tables": {
    "t1": [
      {"a": 1}
    ],
    "t2": [
      {"b": 2}
    ]
  }
}
"""


def test_the_json_report_has_one_line_per_finding_and_file(demo_report):
    text = FORMATS["json"].render(demo_report, RenderOptions(include_files=True))
    document = report_as_dict(demo_report, include_files=True)
    assert json.loads(text) == document
    lines = text.splitlines()
    for key in ("findings", "files"):
        start = lines.index(f'  "{key}": [') + 1
        assert document[key] and [json.loads(line.rstrip(",")) for line in lines[start : start + len(document[key])]] == document[key]


def test_the_scored_sample_exports_its_verdicts_to_json():
    document = report_as_dict(sample_report())
    jsonschema.validate(document, load_schema())
    checkout = next(s for s in document["services"] if s["name"] == "checkout-api")
    assert (checkout["score"]["verdict"], checkout["score"]["rank"]) == ("strong candidate", 1)


def test_several_formats_from_one_scan(run_cli, tmp_path):
    outputs = {name: tmp_path / "reports" / f"demo.{name}" for name in FORMATS}
    argv = ["scan", FIXTURES / "demo", "-q", "--format", "json"]
    for name, path in outputs.items():
        argv += ["--output", f"{name}:{path}"]
    code, out, err = run_cli(*argv)
    assert (code, err) == (0, "")
    for name, path in outputs.items():
        assert path.read_text(encoding="utf-8").strip(), name
    # --format still goes to standard output, and is the same report as the file of that format.
    assert out == outputs["json"].read_text(encoding="utf-8")


def test_a_plain_output_file_takes_the_format_report(run_cli, tmp_path):
    target = tmp_path / "report.md"
    code, out, _ = run_cli("scan", FIXTURES / "demo", "-q", "--format", "markdown", "--output", target, "--output", f"sarif:{tmp_path / 'r.sarif'}")
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8").startswith("## readiness: demo\n")
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_output_specs_that_cannot_be_acted_on(run_cli, tmp_path):
    demo = FIXTURES / "demo"
    code, _, err = run_cli("scan", demo, "--output", f"sarf:{tmp_path / 'x'}")
    assert code == 2 and err.startswith("readiness: error: --output sarf:") and "unknown format 'sarf'" in err
    code, _, err = run_cli("scan", demo, "--output", tmp_path / "a", "--output", tmp_path / "b")
    assert code == 2 and "only one --output may go without a format" in err
    code, _, err = run_cli("scan", demo, "--output", f"json:{tmp_path / 'same'}", "--output", f"sarif:{tmp_path / 'same'}")
    assert (code, err) == (2, "readiness: error: --output: two reports would be written to the same file\n")
    assert not (tmp_path / "same").exists()


def test_a_path_with_a_drive_letter_or_a_colon_is_a_path(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("scan", FIXTURES / "demo", "-q", "--format", "json", "--output", "C:report.json")
    assert (code, err) == (0, "")
    assert json.loads(Path("C:report.json").read_text(encoding="utf-8"))["tool"]["name"] == "readiness"
    code, _, _ = run_cli("scan", FIXTURES / "demo", "-q", "--output", "./json:x")
    assert code == 0 and Path("json:x").read_text(encoding="utf-8").startswith("readiness")


def test_a_failing_format_writes_no_report(run_cli, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text(
        "from readiness import hookimpl\nfrom readiness.model import ReportFormat\n\n"
        "def render(report, options):\n    raise RuntimeError('renderer broke')\n\n"
        "@hookimpl\ndef readiness_report_formats():\n    return [ReportFormat('broken', 'breaks', render)]\n"
    )
    sarif = tmp_path / "r.sarif"
    code, _, err = run_cli("scan", FIXTURES / "demo", "--plugins-dir", plugins, "--output", f"sarif:{sarif}", "--output", f"broken:{tmp_path / 'b'}")
    assert code == 3 and "renderer broke" in err
    assert not sarif.exists()


def test_an_unwritable_output_is_a_usage_error(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = run_cli("scan", FIXTURES / "demo", "-q", "--output", f"json:{blocker / 'report.json'}")
    assert code == 2 and err.startswith(f"readiness: error: cannot write {blocker / 'report.json'}: ")
    assert os.path.isfile(blocker)
