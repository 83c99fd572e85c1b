"""The code pass: analyzers run in worker processes, behind their pre-filter markers."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from readiness import pipeline
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
