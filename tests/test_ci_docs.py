"""What the README and .pre-commit-hooks.yaml tell CI users to copy is valid: configuration, workflow, hooks."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import yaml

from readiness.config import load_settings

from cirepo import committed_copy, validate_sarif
from conftest import FIXTURES, git

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOW = (ROOT / "docs" / "github-actions" / "readiness.yml").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", README, re.S)


def test_the_documented_configuration_is_accepted(tmp_path):
    [configuration] = [block for block in _blocks("toml") if block.startswith("[tool.readiness]\n")]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(configuration.replace("[tool.readiness.plugins.NAME]", "[tool.readiness.plugins.example]"))
    settings, _ = load_settings(tmp_path, pyproject)
    assert settings.baseline == "readiness-baseline.json"
    assert [gate.key for gate in settings.gate.fail_over] == ["benefit", "checkout-api:latency"]
    assert settings.gate.max_findings == (("CONC", 10), ("all", 200))
    assert [entry.reason for entry in settings.suppress] == ["legacy is being retired in Q3"]


def test_the_hooks_run_commands_readiness_has(run_cli):
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"readiness", "readiness-full"}
    assert hooks["readiness"]["pass_filenames"] is True and "pre-commit" in hooks["readiness"]["stages"]
    assert hooks["readiness-full"]["pass_filenames"] is False and set(hooks["readiness-full"]["stages"]) == {"pre-push", "manual"}
    for hook in hooks.values():
        assert hook["require_serial"] is True and hook["language"] == "python"
        program, *argv = hook["entry"].split()
        assert program == "readiness"
        assert run_cli(*argv, "--help")[0] == 0


def _steps() -> list[dict[str, Any]]:
    return yaml.safe_load(WORKFLOW)["jobs"]["readiness"]["steps"]


def _uses(action: str) -> dict[str, Any]:
    [step] = [step for step in _steps() if step.get("uses", "").split("@")[0] == action]
    return step


def _scan_steps() -> dict[str, str]:
    """The run step of each event, by the event its ``if`` names."""
    scans = {}
    for step in _steps():
        if step.get("run", "").startswith("readiness "):
            [event] = re.fullmatch(r"github\.event_name == '(\w+)'", step["if"]).groups()
            scans[event] = step["run"]
    return scans


def _argv(command: str, env: dict[str, str]) -> list[str]:
    """``command`` as the runner's shell would split it, with these environment variables."""
    program, *argv = shlex.split(re.sub(r"\$(\w+)", lambda match: env[match.group(1)], command))
    assert program == "readiness"
    return argv


def test_the_readme_shows_the_workflow_the_repository_ships():
    assert WORKFLOW.removesuffix("\n") in _blocks("yaml")


def test_the_workflow_gates_uploads_sarif_writes_the_summary_and_keeps_a_baseline():
    workflow = yaml.safe_load(WORKFLOW)
    assert set(workflow[True]) == {"pull_request", "push"}  # YAML 1.1 reads the key `on` as true
    assert workflow["permissions"]["security-events"] == "write"
    assert _uses("actions/checkout")["with"]["fetch-depth"] == 0
    assert tuple(map(int, _uses("actions/setup-python")["with"]["python-version"].split("."))) >= (3, 11)
    upload = _uses("github/codeql-action/upload-sarif")
    assert upload["if"] == "always()"
    sarif = upload["with"]["sarif_file"].replace("${{ runner.temp }}", "$RUNNER_TEMP")
    scans = _scan_steps()
    assert set(scans) == {"pull_request", "push"}
    for command in scans.values():
        assert f'--output "sarif:{sarif}"' in command and '--output "markdown:$GITHUB_STEP_SUMMARY"' in command
        assert "--baseline readiness-baseline.json --new-only --fail-on-rule all" in command
    assert '--diff "origin/$GITHUB_BASE_REF"' in scans["pull_request"] and "--diff" not in scans["push"]


def test_the_workflow_runs_on_a_repository_with_a_baseline(tmp_path, monkeypatch, run_cli):
    """Every readiness command of the workflow, as the runner would run it: on main, then on a pull request."""
    repo = committed_copy(FIXTURES / "demo", tmp_path / "repo")
    monkeypatch.chdir(repo)
    runner = tmp_path / "runner"
    runner.mkdir()
    [refresh] = re.findall(r"^#\s+(readiness .*)$", WORKFLOW, re.M)
    assert run_cli(*_argv(refresh, {}))[0] == 0
    git(repo, "add", "readiness-baseline.json")
    git(repo, "commit", "-q", "-m", "readiness: the baseline")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    baseline = json.loads((repo / "readiness-baseline.json").read_text())["findings"]
    scans = _scan_steps()

    def run(event: str) -> tuple[int, list[dict[str, Any]], str]:
        summary = runner / f"summary-{event}.md"
        summary.touch()
        env = {"RUNNER_TEMP": str(runner), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_BASE_REF": "main"}
        code, annotations, err = run_cli(*_argv(scans[event], env))
        assert annotations.startswith("::"), err
        sarif = json.loads((runner / "readiness.sarif").read_text())
        validate_sarif(sarif)
        markdown = summary.read_text()
        assert markdown.startswith("#") and f"**Gate {'passed' if code == 0 else 'failed'}**" in markdown
        return code, sarif["runs"][0]["results"], markdown

    code, results, _ = run("push")
    assert code == 0
    assert len(results) == len(baseline) and {r["baselineState"] for r in results} == {"unchanged"}
    git(repo, "checkout", "-q", "-b", "change")
    code, results, markdown = run("pull_request")
    assert (code, results) == (0, [])
    assert "Judged 0 of" in markdown

    # A copy of a file with findings: each of its findings is new, and fails the gate.
    original = "services/checkout-api/app/signing.py"
    copy = "services/checkout-api/app/signing_v2.py"
    shutil.copyfile(repo / original, repo / copy)
    git(repo, "add", copy)
    git(repo, "commit", "-q", "-m", "signing, version 2")
    code, results, markdown = run("pull_request")
    assert code == 1
    new = sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results if r["baselineState"] == "new")
    copied = sorted((f["rule"], copy, f["line"]) for f in baseline if f["path"] == original)
    assert copied and new == copied
    assert "Judged 1 of" in markdown and "checkout-api" in markdown
