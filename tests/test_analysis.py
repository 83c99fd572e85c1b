"""The code pass: analyzers run in worker processes, behind their pre-filter markers; a worker
process that dies (a crash in native code, the OOM killer) costs only the file it died on."""

from __future__ import annotations

import json
import os
import textwrap

import jsonschema
import pytest

from readiness import inventory, pipeline
from readiness.export import load_schema
from readiness.plugin_host import _essential

# Classifies its own files, so the test does not depend on the built-in language plugin.
MARKED_PLUGIN = '''
import os
from readiness import hookimpl
from readiness.model import Criterion, Diagnostic, FileClass, FileKind, Rule

SEEN = Rule(id="SEEN001", title="seen", criterion=Criterion.SIZE, doc="seen")

@hookimpl
def readiness_classify_file(path):
    if path.endswith(".txt"):
        return FileClass(language="Text", kind=FileKind.SOURCE, reason="test")
    return None

@hookimpl
def readiness_rules():
    return [SEEN]

@hookimpl
def readiness_analysis_markers():
    return {"Text": [b"needle", b"haystack"]}

@hookimpl
def readiness_analyze_file(file, text):
    if "refuse" in text:
        return [Diagnostic("warning", "not analysed: refused on purpose", path=file.path)]
    return [SEEN.finding(file.path, 1, "called", facts={"pid": os.getpid()})]
'''


@pytest.fixture
def marked_plugin(tmp_path):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "marked.py").write_text(textwrap.dedent(MARKED_PLUGIN))
    return plugins_dir


def test_files_without_a_marker_are_not_shown_to_the_plugin(marked_plugin, make_repo, run_cli):
    repo = make_repo({
        "a.txt": "a needle\n",
        "b.txt": "nothing to see\n",
        "c.txt": "haystack\n",
        "d.md": "needle, but not a language the plugin named\n",
    })
    code, out, err = run_cli("scan", repo, "--plugins-dir", marked_plugin, "--format", "json", "--jobs", "1")
    assert code == 0, err
    assert [f["path"] for f in json.loads(out)["findings"]] == ["a.txt", "c.txt"]


def test_analysis_runs_in_worker_processes_and_keeps_file_order(marked_plugin, make_repo, run_cli, monkeypatch):
    monkeypatch.setattr(pipeline, "ANALYSIS_IN_PROCESS_BELOW", 0)
    files = {f"f{n:03d}.txt": "needle\n" for n in range(100)}
    files["skip.txt"] = "needle, refuse\n"
    repo = make_repo(files)

    code, out, err = run_cli("scan", repo, "--plugins-dir", marked_plugin, "--format", "json", "--jobs", "2")

    assert code == 0, err
    report = json.loads(out)
    assert [f["path"] for f in report["findings"]] == sorted(f for f in files if f != "skip.txt")
    assert len({f["facts"]["pid"] for f in report["findings"]} - {os.getpid()}) >= 1
    assert report["warnings"] == [{"message": "not analysed: refused on purpose", "path": "skip.txt"}]
    assert report["errors"] == []


# Kills its worker process on the files whose names say so, in the stage they say; the
# marked plugin beside it classifies the files and finds something in each.
CRASHING_PLUGIN = '''
import os
import signal
from readiness import hookimpl

@hookimpl
def readiness_count_lines(path):
    if path == "inventory-abort.txt":
        os.abort()
    return None

@hookimpl
def readiness_analyze_file(file):
    if file.path == "analysis-segv.txt":
        os.kill(os.getpid(), signal.SIGSEGV)
    if file.path == "analysis-abort.txt":
        os.abort()
    if file.path == "analysis-exit.txt":
        os._exit(3)
    return []
'''
CRASHING = ("analysis-abort.txt", "analysis-exit.txt", "analysis-segv.txt", "inventory-abort.txt")


def test_a_worker_that_dies_costs_only_the_file_it_died_on(marked_plugin, make_repo, run_cli, monkeypatch):
    (marked_plugin / "crashing.py").write_text(textwrap.dedent(CRASHING_PLUGIN))
    # Small batches, in workers however few the files: the crashes fall in different
    # batches of each stage, with batches before and after them.
    monkeypatch.setattr(inventory, "IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(inventory, "BATCH_SIZE", 8)
    monkeypatch.setattr(pipeline, "ANALYSIS_IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(pipeline, "ANALYSIS_BATCH_SIZE", 4)
    files = {f"f{n:02d}.txt": "needle\n" for n in range(40)}
    files.update({name: "needle\n" for name in CRASHING})
    repo = make_repo(files)

    code, out, err = run_cli("scan", repo, "--plugins-dir", marked_plugin, "--format", "json", "--files", "--jobs", "2", "--no-cache")

    assert (code, err) == (0, "")
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    assert report["warnings"] == [
        {"message": "worker process died while taking the inventory of this file (signal 6, SIGABRT); file skipped", "path": "inventory-abort.txt"},
        {"message": "worker process died while analysing this file (signal 6, SIGABRT); file skipped", "path": "analysis-abort.txt"},
        {"message": "worker process died while analysing this file (exit status 3); file skipped", "path": "analysis-exit.txt"},
        {"message": "worker process died while analysing this file (signal 11, SIGSEGV); file skipped", "path": "analysis-segv.txt"},
    ]
    assert report["errors"] == []
    inventoried = {f["path"]: (f["status"], f["language"], f["reason"]) for f in report["files"]}
    assert inventoried == {path: ("read", "Text", "test") for path in files} | {"inventory-abort.txt": ("unreadable", None, "worker process died")}
    assert report["exclusions"] == [{"reason": "unreadable", "rule": "worker process died", "files": 1}]
    assert [f["path"] for f in report["findings"]] == sorted(path for path in files if path not in CRASHING)


def test_a_worker_that_cannot_start_stops_the_scan_with_one_line(marked_plugin, make_repo, run_cli, monkeypatch):
    # Dies on import in every worker process, never in this one: no file is to blame.
    (marked_plugin / "crashing.py").write_text("import multiprocessing, os\nif multiprocessing.parent_process() is not None:\n    os.abort()\n")
    monkeypatch.setattr(pipeline, "ANALYSIS_IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(pipeline, "ANALYSIS_BATCH_SIZE", 1)
    repo = make_repo({f"{name}.txt": "needle\n" for name in "abcdef"})

    code, out, err = run_cli("scan", repo, "--plugins-dir", marked_plugin, "--format", "json", "--jobs", "2", "--no-cache")

    assert (code, out) == (3, "")
    assert err == "readiness: internal error: RuntimeError: a worker process died while starting (signal 6, SIGABRT) (run with --debug for the traceback)\n"


def test_wants_file_reads_the_markers_per_language():
    markers = {"Go": (b"go ",), "C": (), "*": (b"TODO",)}
    assert pipeline.wants_file(None, "Go", b"anything")
    assert pipeline.wants_file(markers, "Go", b"go f()")
    assert not pipeline.wants_file(markers, "Go", b"TODO only")
    assert pipeline.wants_file(markers, "C", b"int x;")
    assert pipeline.wants_file(markers, "Ruby", b"# TODO")
    assert not pipeline.wants_file(markers, "Ruby", b"puts 1")
    assert not pipeline.wants_file({"Go": (b"go ",)}, None, b"go ")


def test_a_marker_containing_a_shorter_one_is_dropped_as_it_decides_nothing():
    assert _essential([b"ThreadPoolExecutor", b"Thread", b"go ", b"go", b"x", b"Thread"]) == (b"x", b"go", b"Thread")
    assert _essential([]) == ()
