"""The verdict as users meet it: the ranked table, ``readiness explain SERVICE``, and rules of its plugins."""

from __future__ import annotations

import json
import re

from conftest import FIXTURES
from test_calibration import build

DEMO = FIXTURES / "demo"


def test_the_table_ranks_services_one_line_each(run_cli):
    code, out, _ = run_cli("scan", DEMO)
    assert code == 0
    table = out[out.index("Rust rewrite candidates"):]
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in table.splitlines() if line.startswith("│")]
    document = json.loads(run_cli("scan", DEMO, "--format", "json")[1])
    scores = {s["name"]: s["score"] for s in document["services"]}
    assert sorted(row[1] for row in rows) == sorted(scores)
    ranked = sorted((score["rank"], name) for name, score in scores.items() if score["rank"] is not None)
    assert [row[1] for row in rows[: len(ranked)]] == [name for _, name in ranked]
    for cells in rows:
        score = scores[cells[1]]
        assert cells[0] == (str(score["rank"]) if score["rank"] else "-")
        assert cells[2] == score["verdict"]
        if score["verdict"] != "not applicable":
            assert cells[3:6] == [f"{score['benefit']:.0f}", f"{score['effort']:.0f}", f"{score['confidence']:.2f}"]
        assert score["reasons"][0].startswith(cells[6].removesuffix("...")), cells


def test_explain_a_rule_still_prints_its_doc(run_cli):
    code, out, _ = run_cli("explain", "eco102")
    assert code == 0
    assert out.startswith("ECO102: dependency-without-mature-counterpart\ncriterion: ecosystem (effort)\nplugin: rust_ecosystem\n")


def test_explain_a_service_shows_every_contribution_with_its_evidence(run_cli, tmp_path):
    root = build(tmp_path / "repo", ["read-states", "profiles"])
    document = json.loads(run_cli("scan", root, "--format", "json")[1])
    code, out, err = run_cli("explain", "read-states", root)
    assert (code, err) == (0, "")
    score = next(s["score"] for s in document["services"] if s["name"] == "read-states")
    assert out.startswith(f"read-states (services/read-states, Go, backend): {score['verdict']}, rank 1 of 2\n")
    assert f"  benefit {score['benefit']:g}, effort {score['effort']:g}, priority {score['priority']:g}, confidence {score['confidence']:g}\n" in out
    for criterion in score["criteria"]:
        assert re.search(rf"^{criterion['criterion']} {criterion['score']:g} \({criterion['side']}, weight {criterion['weight']:g}\)$", out, re.M)
        for contribution in criterion["contributions"]:
            evidence = contribution["evidence"]
            where = f"{evidence['path']}:{evidence['line']}" if evidence["line"] else evidence["path"]
            line = f"{contribution['points']:>+8.2f}  {contribution['base']:>7g}"
            assert any(l.startswith(f"  {line}") and f"{where}  {contribution['reason']}" in l for l in out.splitlines()), contribution
    assert "How the numbers add up" in out and "What would change the verdict" in out
    for change in score["changes"]:
        assert f"  - {change}\n" in out


def test_explain_finds_a_service_by_path_and_says_when_there_is_none(run_cli, tmp_path):
    root = build(tmp_path / "repo", ["ledger-rs"])
    code, out, _ = run_cli("explain", "services/ledger-rs", root)
    assert code == 0
    assert out == (
        "ledger-rs (services/ledger-rs, Rust, backend): not applicable\n"
        "  already written in Rust\n\n"
        "What would change the verdict\n"
        "  - none: there is nothing to rewrite\n"
    )
    code, _, err = run_cli("explain", "payments", root)
    assert code == 2
    assert err == f"readiness: error: 'payments' is neither a rule (`readiness rules` lists them) nor a service of {root} (services: ledger-rs)\n"


def test_every_rule_of_the_verdict_plugins_is_documented(run_cli):
    code, out, _ = run_cli("rules")
    ids = [line.split("\t")[0] for line in out.splitlines() if line.split("\t")[0][:3] in ("ECO", "TEA", "SIZ", "FIT", "BND")]
    assert ids == ["BND101", "BND102", "ECO101", "ECO102", "ECO103", "FIT101", "FIT102", "FIT103", "SIZE101", "SIZE102", "SIZE103", "TEAM101", "TEAM102"]
    for rule_id in ids:
        doc = run_cli("explain", rule_id)[1]
        assert [line for line in doc.splitlines() if line.startswith("## ")] == ["## What it finds", "## Why it matters for a Rust rewrite", "## Example"]
