"""A worker process that dies (a crash in native code, the OOM killer) costs only the file it died on."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest

from readiness import inventory, pipeline
from readiness.export import load_schema

# Classifies its own files, so the test does not depend on the built-in language plugin;
# kills the worker process for the files whose names say so, in the stage they say.
CRASHING_PLUGIN = '''
import os
import signal
from readiness import hookimpl
from readiness.model import Criterion, FileClass, FileKind, Rule

SEEN = Rule(id="SEEN001", title="seen", criterion=Criterion.SIZE, doc="seen")

@hookimpl
def readiness_classify_file(path):
    if path == "inventory-abort.txt":
        os.abort()
    if path.endswith(".txt"):
        return FileClass(language="Text", kind=FileKind.SOURCE, reason="test")
    return None

@hookimpl
def readiness_rules():
    return [SEEN]

@hookimpl
def readiness_analyze_file(file, text):
    if file.path == "analysis-segv.txt":
        os.kill(os.getpid(), signal.SIGSEGV)
    if file.path == "analysis-abort.txt":
        os.abort()
    if file.path == "analysis-exit.txt":
        os._exit(3)
    return [SEEN.finding(file.path, 1, "seen")]
'''

CRASHING = ("analysis-abort.txt", "analysis-exit.txt", "analysis-segv.txt", "inventory-abort.txt")


@pytest.fixture
def crashing_plugin(tmp_path):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "crashing.py").write_text(textwrap.dedent(CRASHING_PLUGIN))
    return plugins_dir


def test_a_worker_that_dies_costs_only_the_file_it_died_on(crashing_plugin, make_repo, run_cli, monkeypatch):
    # Small batches, in workers however few the files: the crashes fall in different
    # batches of each stage, with batches before and after them.
    monkeypatch.setattr(inventory, "IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(inventory, "BATCH_SIZE", 8)
    monkeypatch.setattr(pipeline, "ANALYSIS_IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(pipeline, "ANALYSIS_BATCH_SIZE", 4)
    files = {f"f{n:02d}.txt": "text\n" for n in range(40)}
    files.update({name: "text\n" for name in CRASHING})
    repo = make_repo(files)

    code, out, err = run_cli("scan", repo, "--plugins-dir", crashing_plugin, "--format", "json", "--files", "--jobs", "2", "--no-cache")

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
