"""Every output format carries the CI outcome: the gate's verdict, baseline statuses, and suppressed findings with their reasons."""

from __future__ import annotations

import json

from readiness.plugin_host import PluginHost

from cirepo import CI, two_services, validate_sarif
from conftest import write_tree

REASON = "held for microseconds only"


def test_every_format_shows_the_gate_the_baseline_and_suppressions(make_repo, run_cli, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    baseline = tmp_path / "baseline.json"
    assert run_cli("scan", repo, *CI, "--no-cache", "--write-baseline", baseline, "--format", "json")[0] == 0
    write_tree(repo, {"services/api/app.py": f"lock(a)\nlock(b)  # readiness: ignore[CIL101] {REASON}\nlock(c)\n"})
    formats = sorted(PluginHost().formats)
    outputs = [f"{name}:{tmp_path / f'report.{name}'}" for name in formats]
    args = ["scan", repo, *CI, "--no-cache", "--baseline", baseline, "--fail-on-rule", "CIL101", "--new-only"]
    code, _, err = run_cli(*args, *(option for output in outputs for option in ("--output", output)))
    assert code == 1, err
    rendered = {name: (tmp_path / f"report.{name}").read_text() for name in formats}
    for name, text in rendered.items():
        assert REASON in text or name == "github", name
        assert "services/api/app.py" in text, name
    assert "Gate failed" in rendered["table"] and "Gate failed" in rendered["markdown"] and "Gate failed" in rendered["html"]
    assert "New findings" in rendered["markdown"] and "Against the baseline: 1 new, 0 changed, 2 unchanged, 0 fixed." in rendered["markdown"]
    assert "::error title=readiness gate failed::fail-on-rule CIL101%3A" not in rendered["github"]
    assert "::error title=readiness gate failed::fail-on-rule CIL101: 1 new finding: CIL101 at services/api/app.py:3" in rendered["github"]

    report = json.loads(rendered["json"])
    assert report["gate"]["status"] == "failed" and report["gate"]["exit_code"] == 1
    assert [(s["line"], s["reason"], s["inline"]) for s in report["suppressed"]] == [(2, REASON, True)]

    sarif = json.loads(rendered["sarif"])
    validate_sarif(sarif)
    run = sarif["runs"][0]
    states = sorted((r["locations"][0]["physicalLocation"]["region"]["startLine"], r.get("baselineState"), bool(r.get("suppressions"))) for r in run["results"] if r["ruleId"] == "CIL101")
    assert states == [(1, "unchanged", False), (2, None, True), (3, "new", False)]
    [suppressed] = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed["suppressions"] == [{"kind": "inSource", "justification": REASON}]
    assert run["invocations"][0]["exitCode"] == 1
