"""The CI contract end to end on the demo monorepo, with its real findings and scores."""

from __future__ import annotations

import json

import pytest

from cirepo import committed_copy
from conftest import FIXTURES


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo as a git repository of its own."""
    return committed_copy(FIXTURES / "demo", tmp_path_factory.mktemp("ci-demo") / "demo")


def scan(run_cli, root, *args):
    code, out, err = run_cli("scan", root, "--format", "json", "--no-cache", *args)
    return code, json.loads(out), err


def test_score_gates_fail_on_exactly_the_services_over_the_threshold(demo, run_cli):
    code, report, err = scan(run_cli, demo, "--fail-over", "benefit=50", "--fail-under", "confidence=0.5")
    scores = {s["name"]: s["score"] for s in report["services"] if s["score"] and s["score"]["verdict"] != "not applicable"}
    over = sorted(name for name, score in scores.items() if score["benefit"] > 50)
    assert over, "the demo has strong candidates"
    assert code == 1 == report["gate"]["exit_code"]
    details = [f["detail"] for f in report["gate"]["failures"] if f["condition"] == "fail-over benefit=50"]
    assert sorted(detail.split(":")[0] for detail in details) == over
    assert not [f for f in report["gate"]["failures"] if f["condition"] == "fail-under confidence=0.5"]
    assert err.endswith("readiness: gate failed (1 of 2 conditions broken, exit 1)\n")
    top = max(score["benefit"] for score in scores.values())
    assert scan(run_cli, demo, "--fail-over", f"benefit={top}")[0] == 0


def test_a_diff_judges_the_touched_service_as_a_full_scan_does(demo, run_cli):
    _, full, _ = scan(run_cli, demo)
    main_go = demo / "services/notifier/cmd/notifier/main.go"
    original = main_go.read_text()
    main_go.write_text(original + "\n// a comment changes the file, not the service's evidence\n")
    try:
        code, report, _ = scan(run_cli, demo, "--diff", "HEAD")
    finally:
        main_go.write_text(original)
    assert code == 0
    assert report["diff"]["changed"] == ["services/notifier/cmd/notifier/main.go"]
    assert report["diff"]["services"] == ["notifier"]
    scored = {s["name"]: s["score"] for s in report["services"] if s["score"]}
    assert list(scored) == ["notifier"]
    full_notifier = next(s["score"] for s in full["services"] if s["name"] == "notifier")
    assert {k: v for k, v in scored["notifier"].items() if k != "rank"} == {k: v for k, v in full_notifier.items() if k != "rank"}
    # Ranked among services it did not analyse, the rank would be wrong: a diff ranks none.
    assert full_notifier["rank"] is not None and scored["notifier"]["rank"] is None
    assert {f["service"] for f in report["findings"]} == {"notifier"}
    assert [f for f in report["findings"]] == [f for f in full["findings"] if f["service"] == "notifier"]


def test_a_baseline_of_the_demo_knows_every_finding_and_spots_a_new_one(demo, run_cli, tmp_path):
    baseline = tmp_path / "baseline.json"
    code, first, _ = scan(run_cli, demo, "--write-baseline", baseline)
    assert code == 0 and first["findings"]
    code, again, _ = scan(run_cli, demo, "--baseline", baseline, "--max-findings", "all=0", "--new-only")
    assert code == 0
    assert {f["baseline"] for f in again["findings"]} == {"unchanged"} and again["baseline"]["fixed"] == []
    dockerfile = demo / "services/notifier/Dockerfile"
    original = dockerfile.read_text()
    dockerfile.write_text(original.replace("FROM ", "FROM golang:1.22 AS extra\nFROM ", 1) + "ENV GOGC=50\n")
    try:
        code, changed, err = scan(run_cli, demo, "--baseline", baseline, "--max-findings", "all=0", "--new-only")
    finally:
        dockerfile.write_text(original)
    new = [f for f in changed["findings"] if f["baseline"] == "new"]
    assert new and code == 1
    assert all(f["service"] == "notifier" for f in new)
