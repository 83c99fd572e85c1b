"""The plugin host: built-ins, entry points, drop-in directories, isolation of failures."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from readiness.plugin_host import DISABLE_AUTOLOAD_ENV, HostSpec, PluginHost

EXTERNAL_PLUGIN = '''
"""A third-party plugin: one rule that flags TODO markers, and an output format."""
from readiness import hookimpl
from readiness.model import Criterion, ReportFormat, Rule

TODO = Rule(
    id="EXT001",
    title="todo-marker",
    criterion=Criterion.FIT,
    doc="## What it finds\\nTODO markers.\\n## Why it matters for a Rust rewrite\\nUnfinished code.\\n## Example\\n# TODO",
)

@hookimpl
def readiness_rules():
    return [TODO]

@hookimpl
def readiness_analyze_file(file, text):
    return [TODO.finding(file.path, n, "TODO marker", snippet=line)
            for n, line in enumerate(text.splitlines(), 1) if "TODO" in line]

@hookimpl
def readiness_report_formats():
    return [ReportFormat("count", "number of findings", lambda report, options: f"{len(report.findings)} findings\\n")]
'''


def install_dist(site: Path, name: str, module_source: str) -> None:
    """A real *.dist-info on the path with an entry point in the readiness group, as pip leaves it."""
    (site / f"{name}.py").write_text(textwrap.dedent(module_source))
    dist_info = site / f"{name}-1.2.3.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    (dist_info / "entry_points.txt").write_text(f"[readiness]\n{name} = {name}\n")


@pytest.fixture
def external_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    site = tmp_path / "site"
    site.mkdir()
    install_dist(site, "readiness_todo", EXTERNAL_PLUGIN)
    monkeypatch.syspath_prepend(str(site))
    return "readiness_todo"


def test_builtin_plugins_are_registered_with_their_hooks():
    plugins = {p.name: p for p in PluginHost().plugins()}
    assert {"languages", "line_counts", "table_report", "json_report"} <= set(plugins)
    assert plugins["json_report"].origin == "builtin"
    assert plugins["json_report"].hooks == ("readiness_report_formats",)
    assert plugins["languages"].hooks == ("readiness_classify_file",)


def test_entry_point_plugin_adds_a_rule_and_a_format(external_plugin, make_repo, run_cli):
    repo = make_repo({"app/main.py": "def main():\n    pass  # TODO: retry\n", "README.md": "TODO in docs is not code\n"})

    code, out, _ = run_cli("rules")
    assert code == 0
    assert "EXT001\tfit\ttodo-marker\t(readiness_todo)" in out

    # Without the complexity notes every source file gets, the plugin's finding is the only one.
    code, out, _ = run_cli("scan", repo, "--format", "count", "--disable-plugin", "complexity")
    assert (code, out) == (0, "1 findings\n")

    code, out, _ = run_cli("scan", repo, "--format", "json", "--disable-plugin", "complexity")
    finding = json.loads(out)["findings"][0]
    assert (finding["rule"], finding["criterion"], finding["path"], finding["line"]) == ("EXT001", "fit", "app/main.py", 2)

    code, out, _ = run_cli("plugins")
    assert "readiness_todo (entry-point, 1.2.3)" in out
    assert "    readiness_analyze_file" in out


def test_autoload_can_be_turned_off(external_plugin, monkeypatch):
    assert "readiness_todo" in {p.name for p in PluginHost().plugins()}
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    assert "readiness_todo" not in {p.name for p in PluginHost().plugins()}


def test_a_plugin_can_be_disabled_by_name(external_plugin, run_cli, make_repo):
    assert "readiness_todo" not in {p.name for p in PluginHost(HostSpec(disabled=("readiness_todo",))).plugins()}
    repo = make_repo({"a.py": "x = 1  # TODO\n"})
    code, out, _ = run_cli("scan", repo, "--format", "json", "--disable-plugin", "readiness_todo")
    assert code == 0 and json.loads(out)["findings"] == []


def test_plugins_dir_loads_local_files(tmp_path, make_repo, run_cli):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "todo_local.py").write_text(textwrap.dedent(EXTERNAL_PLUGIN))
    repo = make_repo({"a.py": "x = 1  # TODO\n"})
    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "count")
    assert (code, out) == (0, "1 findings\n")
    code, out, _ = run_cli("plugins", "--plugins-dir", plugins_dir)
    assert "todo_local (directory, no version)" in out


RAISING_PLUGIN = '''
from readiness import hookimpl
from readiness.model import Criterion, Rule

BOOM = Rule(id="BOOM001", title="boom", criterion=Criterion.SIZE, doc="boom")

@hookimpl
def readiness_rules():
    return [BOOM]

@hookimpl
def readiness_analyze_file(file):
    raise RuntimeError("analyzer exploded on " + file.path)

@hookimpl
def readiness_classify_file(path):
    raise ValueError("classifier exploded")
'''


def test_a_raising_plugin_is_reported_and_the_others_results_stand(tmp_path, make_repo, run_cli, external_plugin):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "boom.py").write_text(RAISING_PLUGIN)
    repo = make_repo({"svc/main.py": "def f():\n    return 1  # TODO\n"})

    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json", "--disable-plugin", "complexity")

    assert code == 0
    report = json.loads(out)
    assert [f["rule"] for f in report["findings"]] == ["EXT001"]
    # The classifier that raised was skipped; the built-in one still classified the file.
    assert report["languages"][0]["language"] == "Python"
    errors = {(e["plugin"], e["hook"]) for e in report["errors"]}
    assert errors == {("boom", "readiness_analyze_file"), ("boom", "readiness_classify_file")}
    assert any("analyzer exploded on svc/main.py" in e["message"] for e in report["errors"])


def test_debug_reraises_plugin_errors(tmp_path, make_repo, run_cli):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "boom.py").write_text(RAISING_PLUGIN)
    repo = make_repo({"main.py": "x = 1\n"})
    with pytest.raises(ValueError, match="classifier exploded"):
        run_cli("scan", repo, "--plugins-dir", plugins_dir, "--debug")


def test_a_plugin_that_fails_to_import_is_reported(tmp_path, make_repo, run_cli):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "broken.py").write_text("import module_that_does_not_exist\n")
    repo = make_repo({"main.py": "x = 1\n"})
    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json")
    assert code == 0
    [error] = json.loads(out)["errors"]
    assert (error["plugin"], error["hook"]) == ("broken", "import")
    assert "module_that_does_not_exist" in error["message"]


def test_a_finding_for_an_undeclared_rule_is_the_plugins_error(tmp_path, make_repo, run_cli):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "sloppy.py").write_text(textwrap.dedent('''
        from readiness import hookimpl
        from readiness.model import Criterion, Rule

        @hookimpl
        def readiness_analyze_file(file):
            return [Rule("NOPE001", "nope", Criterion.FIT, "").finding(file.path, 1, "undeclared")]
    '''))
    repo = make_repo({"main.py": "x = 1\n"})
    code, out, _ = run_cli("scan", repo, "--plugins-dir", plugins_dir, "--format", "json")
    report = json.loads(out)
    assert report["findings"] == []
    assert [e["message"] for e in report["errors"]] == [
        "plugin 'sloppy' failed in readiness_analyze_file: LookupError: finding for undeclared rule NOPE001"
    ]


def test_duplicate_rule_ids_are_rejected(tmp_path, external_plugin):
    plugins_dir = tmp_path / "local"
    plugins_dir.mkdir()
    (plugins_dir / "copycat.py").write_text(textwrap.dedent(EXTERNAL_PLUGIN).replace('"count"', '"count2"'))
    host = PluginHost(HostSpec(plugins_dirs=(str(plugins_dir),)))
    assert host.rules["EXT001"].plugin == "readiness_todo"
    assert [str(e) for e in host.errors] == [
        "plugin 'copycat' failed in readiness_rules: ValueError: rule EXT001 is already declared by readiness_todo"
    ]
