"""What the README and .pre-commit-hooks.yaml tell CI users to copy is valid: configuration, workflow, hooks."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from readiness.config import load_settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


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


def test_the_documented_workflow_runs_options_readiness_has(run_cli):
    [workflow] = [yaml.safe_load(block) for block in _blocks("yaml") if block.startswith("name: readiness")]
    steps = workflow["jobs"]["readiness"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {"actions/checkout", "actions/cache", "actions/cache/restore", "actions/cache/save", "github/codeql-action/upload-sarif"} <= set(uses)
    script = next(step["run"] for step in steps if step.get("name") == "readiness")
    _, usage, _ = run_cli("scan", "--help")
    for option in set(re.findall(r"(--[a-z][a-z-]+)", script)):
        assert option in usage, option
    assert "markdown:$GITHUB_STEP_SUMMARY" in script and "sarif:" in script


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
