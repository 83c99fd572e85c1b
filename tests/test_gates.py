"""CI gates: thresholds on scores, per-criterion and per-rule gates; the printed verdict always matches the exit code."""

from __future__ import annotations

import pytest

from readiness.config import ConfigError, GateSettings, ScoreGate, load_settings
from readiness.gates import evaluate
from readiness.model import Criterion, CriterionScore, Report, RepositoryInfo, Service, ServiceScore, Verdict

from cirepo import CI, scan_json, two_services


def service(name: str) -> Service:
    return Service(name=name, path=f"services/{name}", role="backend", languages=(), primary_language="Python", evidence=())


def score(name: str, benefit: float, effort: float, confidence: float, verdict: Verdict = Verdict.CANDIDATE, **criteria: float) -> ServiceScore:
    return ServiceScore(
        service=name, verdict=verdict, benefit=benefit, effort=effort, confidence=confidence, rank=1,
        criteria=tuple(CriterionScore(Criterion(c), value, 1.0, ()) for c, value in criteria.items()), reasons=(),
    )


SCORED = Report(
    "0", RepositoryInfo("r", "git", None, None), (), (), (),
    (service("api"), service("billing"), service("ledger")), (), (),
    (
        score("api", 82.5, 40, 0.9, latency=75),
        score("billing", 35, 60, 0.4, latency=20),
        score("ledger", 95, 10, 0.9, Verdict.NOT_APPLICABLE, latency=90),
    ),
    (),
)


def failures(gates: GateSettings) -> list[tuple[str, str]]:
    return [(f.condition, f.detail) for f in evaluate(SCORED, gates).failures]


def test_fail_over_judges_every_scored_service_but_not_applicable_ones():
    assert failures(GateSettings(fail_over=(ScoreGate("benefit", 70),))) == [("fail-over benefit=70", "api: benefit 82.5 > 70")]
    assert failures(GateSettings(fail_over=(ScoreGate("benefit", 90),))) == []


def test_fail_under_confidence():
    assert failures(GateSettings(fail_under=(ScoreGate("confidence", 0.5),))) == [("fail-under confidence=0.5", "billing: confidence 0.4 < 0.5")]


def test_per_criterion_and_per_service_gates():
    assert failures(GateSettings(fail_over=(ScoreGate("latency", 50),))) == [("fail-over latency=50", "api: latency 75 > 50")]
    assert failures(GateSettings(fail_over=(ScoreGate("effort", 50, "billing"), ScoreGate("effort", 50, "api")))) == [
        ("fail-over billing:effort=50", "billing: effort 60 > 50")
    ]
    assert failures(GateSettings(fail_under=(ScoreGate("performance", 10, "api"),))) == [("fail-under api:performance=10", "api: performance 0 < 10")]


def test_a_gate_on_a_service_that_does_not_exist_fails_rather_than_passing_forever():
    assert failures(GateSettings(fail_over=(ScoreGate("benefit", 70, "apii"),))) == [("fail-over apii:benefit=70", "no service is named 'apii'")]


def test_outcome_lists_every_condition_and_exit_zero_keeps_the_failures():
    outcome = evaluate(SCORED, GateSettings(fail_over=(ScoreGate("benefit", 70),), fail_under=(ScoreGate("confidence", 0.1),)), exit_zero=True)
    assert outcome.conditions == ("fail-over benefit=70", "fail-under confidence=0.1")
    assert (outcome.passed, outcome.exit_code, len(outcome.failures)) == (False, 0, 1)


def test_fail_on_rule_by_id_family_and_criterion(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    for selector, detail in (
        ("CIL101", "1 finding: CIL101 at services/api/app.py:1"),
        ("CIL", "1 finding: CIL101 at services/api/app.py:1"),
        ("latency", "1 finding: CIS201 at services/billing/app.py:1"),
        ("all", "2 findings: CIL101 at services/api/app.py:1, CIS201 at services/billing/app.py:1"),
    ):
        code, report, err = scan_json(run_cli, repo, "--fail-on-rule", selector)
        assert code == 1 == report["gate"]["exit_code"]
        assert report["gate"]["failures"] == [{"condition": f"fail-on-rule {selector}", "detail": detail}]
        assert err == f"readiness: fail-on-rule {selector}: {detail}\nreadiness: gate failed (1 of 1 condition broken, exit 1)\n"


def test_max_findings_allows_up_to_the_limit(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)\nlock(b)\nlock(c)\nlock(d)\n"))
    assert scan_json(run_cli, repo, "--max-findings", "CIL=4")[0] == 0
    code, report, _ = scan_json(run_cli, repo, "--max-findings", "CIL=3", "--max-findings", "latency=0")
    assert code == 1
    assert report["gate"]["conditions"] == ["max-findings CIL=3", "max-findings latency=0"]
    assert report["gate"]["failures"] == [
        {"condition": "max-findings CIL=3", "detail": "4 findings, more than 3: CIL101 at services/api/app.py:1, CIL101 at services/api/app.py:2, CIL101 at services/api/app.py:3 and 1 more"}
    ]


def test_exit_zero_reports_the_failure_and_exits_0(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)\n"))
    code, report, err = scan_json(run_cli, repo, "--fail-on-rule", "CIL101", "--exit-zero")
    assert (code, report["gate"]["status"], report["gate"]["exit_code"]) == (0, "failed", 0)
    assert err.endswith("readiness: gate failed (1 of 1 condition broken, --exit-zero, exit 0)\n")


def test_the_table_ends_with_the_verdict_the_exit_code_gives(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)\n"))
    code, out, err = run_cli("scan", repo, *CI, "--fail-on-rule", "CIL101", "--max-findings", "all=5")
    assert (code, err) == (1, "")
    assert out.rstrip().splitlines()[-2:] == [
        "Gate failed: 1 of 2 conditions broken (exit 1)",
        "  fail-on-rule CIL101: 1 finding: CIL101 at services/api/app.py:1",
    ]
    code, out, _ = run_cli("scan", repo, *CI, "--max-findings", "all=5")
    assert code == 0 and out.rstrip().splitlines()[-1] == "Gate passed: 1 condition met (exit 0)"


def test_a_condition_two_services_break_counts_once_in_every_verdict(make_repo, run_cli):
    repo = make_repo(two_services())
    code, report, err = scan_json(run_cli, repo, "--fail-over", "effort=0")
    assert code == 1
    assert [f["detail"].split(":")[0] for f in report["gate"]["failures"]] == ["api", "billing"]
    assert err.endswith("readiness: gate failed (1 of 1 condition broken, exit 1)\n")
    _, table, _ = run_cli("scan", repo, *CI, "--no-cache", "--fail-over", "effort=0")
    assert "Gate failed: 1 of 1 condition broken (exit 1)" in table
    _, markdown, _ = run_cli("scan", repo, *CI, "--no-cache", "--format", "markdown", "--fail-over", "effort=0")
    assert "**Gate failed**: 1 of 1 condition broken (exit 1)." in markdown
    _, html, _ = run_cli("scan", repo, *CI, "--no-cache", "--format", "html", "--fail-over", "effort=0")
    assert "<strong>Gate failed: 1 of 1 condition broken</strong>" in html


def test_the_tally_counts_conditions_not_failures():
    outcome = evaluate(SCORED, GateSettings(fail_over=(ScoreGate("benefit", 30),), fail_under=(ScoreGate("confidence", 0.1),)))
    assert [f.detail for f in outcome.failures] == ["api: benefit 82.5 > 30", "billing: benefit 35 > 30"]
    assert outcome.tally == "1 of 2 conditions broken"
    assert evaluate(SCORED, GateSettings(fail_over=(ScoreGate("benefit", 99),))).tally == "1 condition met"


def test_no_gate_no_verdict(make_repo, run_cli):
    repo = make_repo(two_services(api="lock(a)\n"))
    code, report, err = scan_json(run_cli, repo)
    assert (code, report["gate"], err) == (0, None, "")


def test_gates_from_configuration_and_the_command_line_overriding_them(make_repo, run_cli):
    config = '[tool.readiness.gate]\nfail-on-rule = ["CIS201"]\nmax-findings = {CIL = 0}\nfail-over = {benefit = 70, "api:latency" = 50}\n'
    repo = make_repo(two_services(api="lock(a)\n", **{"pyproject.toml": config}))
    code, report, _ = scan_json(run_cli, repo)
    assert code == 1
    assert report["gate"]["conditions"] == ["fail-over benefit=70", "fail-over api:latency=50", "fail-on-rule CIS201", "max-findings CIL=0"]
    code, report, _ = scan_json(run_cli, repo, "--max-findings", "CIL=1", "--fail-over", "benefit=90")
    assert code == 0
    assert report["gate"]["conditions"] == ["fail-over benefit=90", "fail-over api:latency=50", "fail-on-rule CIS201", "max-findings CIL=1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-over", "benefit"), "--fail-over benefit: write [SERVICE:]SCORE=N, e.g. benefit=70"),
        (("--fail-over", "benefit=high"), "--fail-over benefit=high: 'high' is not a number (write SCORE=N, e.g. benefit=70)"),
        (("--fail-over", "speed=3"), "--fail-over speed=3: unknown score 'speed'"),
        (("--fail-under", "confidence=5"), "--fail-under confidence=5: confidence: the threshold must be between 0 and 1"),
        (("--max-findings", "CIL"), "--max-findings CIL: write SELECTOR=N, e.g. CONC=10"),
        (("--max-findings", "CIX=1"), "max-findings CIX: no rule, rule family or criterion of that name"),
        (("--fail-on-rule", "CIL1O1"), "fail-on-rule CIL1O1: no rule, rule family or criterion of that name"),
    ],
)
def test_gates_that_cannot_mean_anything_are_usage_errors(make_repo, run_cli, args, message):
    repo = make_repo(two_services())
    code, out, err = run_cli("scan", repo, *CI, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"readiness: error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("fail_over = 70\n", "x.toml:2: fail_over must map scores to thresholds, e.g. {benefit = 70}"),
        ("fail-under = {speed = 1}\n", "x.toml:2: fail-under: unknown score 'speed'"),
        ("max-findings = {CONC = -1}\n", "x.toml:2: max-findings must map selectors to non-negative integers, e.g. {CONC = 10}"),
        ("new-only = 'yes'\n", "x.toml:2: new-only must be true or false"),
        ("exit-zero = true\n", "x.toml:2: unknown key 'exit-zero' in [tool.readiness.gate]"),
    ],
)
def test_gate_configuration_errors_name_file_and_line(tmp_path, table, message):
    config = tmp_path / "x.toml"
    config.write_text(f"[gate]\n{table}")
    with pytest.raises(ConfigError) as raised:
        load_settings(tmp_path, config)
    assert str(raised.value).startswith(f"{tmp_path}/{message}")
