"""Configuration: where it is read from, and one-line errors naming file and line (exit 2)."""

from __future__ import annotations

import json

import pytest

from readiness.config import ConfigError, Settings, load_settings


def test_no_configuration_gives_defaults(make_repo):
    assert load_settings(make_repo({"a.py": "x = 1\n"})) == (Settings(), [])


def test_tool_readiness_in_pyproject(make_repo):
    repo = make_repo({"pyproject.toml": '[project]\nname = "x"\n\n[tool.readiness]\nexclude = ["gen/**"]\nmax-file-size = 2048\n\n[tool.readiness.plugins.history]\nmonths = 6\n'})
    settings, warnings = load_settings(repo)
    assert (settings.exclude, settings.max_file_size, settings.plugins, settings.source) == (("gen/**",), 2048, {"history": {"months": 6}}, "pyproject.toml")
    assert warnings == []


def test_readiness_toml_takes_precedence_over_pyproject(make_repo):
    repo = make_repo({"readiness.toml": 'include = ["src/**"]\n', "pyproject.toml": '[tool.readiness]\ninclude = ["other/**"]\n'})
    assert load_settings(repo)[0].include == ("src/**",)


def test_unknown_key_names_file_and_line(make_repo):
    repo = make_repo({"pyproject.toml": '[project]\nname = "x"\n[tool.readiness]\nexclude = []\nmax_fil_size = 3\n'})
    with pytest.raises(ConfigError, match=r"^pyproject.toml:5: unknown key 'max_fil_size' in \[tool.readiness\]"):
        load_settings(repo)


def test_invalid_toml_in_readiness_table_is_an_error(make_repo):
    repo = make_repo({"pyproject.toml": "[tool.readiness]\nexclude = ['a' 'b']\n"})
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: Unclosed array \(at line 2, column 16\)$"):
        load_settings(repo)


def test_broken_pyproject_without_readiness_table_is_only_a_warning(make_repo):
    repo = make_repo({"pyproject.toml": "[project\nname = 'broken'\n"})
    settings, warnings = load_settings(repo)
    assert settings == Settings()
    assert len(warnings) == 1 and warnings[0].startswith("pyproject.toml: invalid TOML, not read for configuration: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exclude = 'x'\n", "x.toml:1: exclude must be a list of strings"),
        ("jobs = -1\n", "x.toml:1: jobs must be a non-negative integer"),
        ("max_file_size = 0\n", "x.toml:1: max_file_size must be between 1 and 268435456"),
        ("plugins = {history = 3}\n", "x.toml:1: plugins must be a table of tables, one per plugin"),
    ],
)
def test_wrong_types_are_errors(tmp_path, text, message):
    config = tmp_path / "x.toml"
    config.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, config)
    assert str(raised.value) == f"{config.parent}/{message}"


def test_config_errors_exit_2_with_one_line(make_repo, run_cli):
    repo = make_repo({"readiness.toml": "colour = 'red'\n"})
    code, out, err = run_cli("scan", repo)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("readiness: error: readiness.toml:1: unknown key 'colour'")


def test_exclude_globs_are_counted_not_silently_dropped(make_repo, run_cli):
    repo = make_repo({"readiness.toml": 'exclude = ["legacy/"]\n', "app.py": "x = 1\n", "legacy/old.py": "y = 1\n", "legacy/older.py": "z = 1\n"})
    code, out, _ = run_cli("scan", repo, "--format", "json", "--files")
    report = json.loads(out)
    assert sorted(f["path"] for f in report["files"]) == ["app.py", "readiness.toml"]
    assert {"reason": "config", "rule": "exclude", "files": 2} in report["exclusions"]


def test_explicit_config_file(tmp_path, make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n", "skip.py": "y = 1\n"})
    config = tmp_path / "ci.toml"
    config.write_text('exclude = ["skip.py"]\n')
    code, out, _ = run_cli("scan", repo, "--format", "json", "--config", config)
    assert json.loads(out)["summary"]["files"] == 1
