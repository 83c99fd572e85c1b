"""The command line as users meet it: exit codes, formats, determinism, schema."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import jsonschema

from readiness import __version__
from readiness.export import load_schema

from conftest import FIXTURES


def test_version(run_cli):
    assert run_cli("--version") == (0, f"readiness {__version__}\n", "")


def test_usage_errors_exit_2(run_cli, tmp_path):
    assert run_cli("scan", tmp_path, "--format", "nope")[0] == 2
    assert run_cli("frobnicate")[0] == 2
    code, out, err = run_cli("scan", tmp_path / "missing")
    assert (code, out, err) == (2, "", f"readiness: error: {tmp_path / 'missing'}: not a directory\n")
    code, _, err = run_cli("explain", "XYZ999")
    assert (code, err) == (2, "readiness: error: unknown rule 'XYZ999'; `readiness rules` lists them\n")


def test_internal_error_exits_3_with_one_line(run_cli, make_repo, tmp_path):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "badformat.py").write_text(
        "from readiness import hookimpl\nfrom readiness.model import ReportFormat\n\n"
        "def render(report, options):\n    raise RuntimeError('renderer broke')\n\n"
        "@hookimpl\ndef readiness_report_formats():\n    return [ReportFormat('bad', 'breaks', render)]\n"
    )
    repo = make_repo({"a.py": "x = 1\n"})
    code, out, err = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "bad")
    assert (code, out) == (3, "")
    assert err == "readiness: internal error: RuntimeError: renderer broke (run with --debug for the traceback)\n"


def test_schema_command_prints_the_published_schema(run_cli):
    code, out, _ = run_cli("schema")
    assert code == 0 and json.loads(out) == load_schema()
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_json_is_deterministic_and_valid(run_cli, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", demo)
    first = run_cli("scan", demo, "--format", "json", "--files")
    second = run_cli("scan", demo, "--format", "json", "--files", "--jobs", "1")
    assert first[0] == 0 and first[1] == second[1]
    jsonschema.validate(json.loads(first[1]), load_schema())


def test_worker_processes_give_the_same_inventory(run_cli, tmp_path, monkeypatch):
    demo = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", demo)
    in_process = run_cli("scan", demo, "--format", "json", "--files", "--jobs", "1")[1]
    monkeypatch.setattr("readiness.inventory.IN_PROCESS_BELOW", 0)
    pooled = run_cli("scan", demo, "--format", "json", "--files", "--jobs", "2")[1]
    assert pooled == in_process


def test_output_file(run_cli, tmp_path):
    target = tmp_path / "report.json"
    code, out, _ = run_cli("scan", FIXTURES / "demo", "--format", "json", "--output", target)
    assert (code, out) == (0, "")
    jsonschema.validate(json.loads(target.read_text()), load_schema())


def test_python_dash_m_and_console_script_round_trip(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "readiness", "scan", str(FIXTURES / "demo"), "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["tool"]["name"] == "readiness"
    assert completed.stderr == ""
