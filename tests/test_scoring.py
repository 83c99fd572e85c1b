"""The scoring model: every number in a report can be recomputed from its explanation, and the model's rules hold."""

from __future__ import annotations

import json
import math
import shutil

import jsonschema
import pytest

from readiness.config import ConfigError, load_settings
from readiness.export import load_schema
from readiness.scoring import ScoringConfig, config_from_table, short, words_of

from conftest import FIXTURES
from test_calibration import CASES, build

SIDES = ("benefit", "effort")


def recompute(document: dict) -> None:
    """Every score of a JSON report, recomputed from its contributions and the published parameters."""
    parameters = document["scoring"]
    weights = parameters["criterion_weights"]
    for service in document["services"]:
        score = service["score"]
        if score["verdict"] == "not applicable":
            assert score["criteria"] == [] and score["rank"] is None
            continue
        totals = {side: 0.0 for side in SIDES}
        for criterion in score["criteria"]:
            assert criterion["weight"] == weights[criterion["criterion"]]
            for contribution in criterion["contributions"]:
                factors = math.prod(f["value"] for f in contribution["factors"])
                assert contribution["weight"] == pytest.approx(factors, abs=1e-4), contribution
                assert contribution["points"] == pytest.approx(contribution["base"] * contribution["weight"], abs=0.006), contribution
                assert contribution["evidence"] is not None, contribution
            points = sum(c["points"] for c in criterion["contributions"])
            assert criterion["score"] == pytest.approx(min(100, max(0, points)), abs=0.006), criterion["criterion"]
            totals[criterion["side"]] += criterion["weight"] * criterion["score"]
        assert score["benefit"] == pytest.approx(min(100, totals["benefit"]), abs=0.051)
        assert score["effort"] == pytest.approx(min(100, totals["effort"]), abs=0.051)
        priority = score["benefit"] * (1 - parameters["effort_weight"] * score["effort"] / 100)
        assert score["priority"] == pytest.approx(priority, abs=0.051)
        assert score["confidence"] == pytest.approx(max(0, 1 - sum(loss["loss"] for loss in score["confidence_losses"])), abs=0.005)
        if score["confidence"] < parameters["confidence_threshold"]:
            expected = "inconclusive"
        elif score["priority"] >= parameters["strong_candidate"]:
            expected = "strong candidate"
        elif score["priority"] >= parameters["candidate"]:
            expected = "candidate"
        else:
            expected = "keep as is"
        assert score["verdict"] == expected, service["name"]
        for factor in score["factors"]:
            assert factor["evidence"], factor
            for criterion in score["criteria"]:
                named = [c for c in criterion["contributions"] if factor["name"] in {f["name"] for f in c["factors"]}]
                for contribution in named:
                    value = next(f["value"] for f in contribution["factors"] if f["name"] == factor["name"])
                    assert value == factor["multipliers"][criterion["criterion"]]
    ranked = sorted((s["score"] for s in document["services"] if s["score"]["rank"] is not None), key=lambda s: s["rank"])
    assert [s["rank"] for s in ranked] == list(range(1, len(ranked) + 1))
    assert [s["priority"] for s in ranked] == sorted((s["priority"] for s in ranked), reverse=True)


def test_every_number_of_the_demo_is_reproducible_from_its_explanation(run_cli, tmp_path):
    demo = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", demo)
    code, out, _ = run_cli("scan", demo, "--format", "json")
    document = json.loads(out)
    assert code == 0
    jsonschema.validate(document, load_schema())
    recompute(document)
    verdicts = {s["name"]: s["score"]["verdict"] for s in document["services"]}
    # Not a git repository once copied: too little is known to decide, and readiness says so.
    assert {name for name, verdict in verdicts.items() if verdict != "not applicable"} == {
        "checkout-api", "gateway", "inventory", "media-codec", "notifier"
    }
    assert {name for name, verdict in verdicts.items() if verdict == "not applicable"} == {
        "acme-common", "admin", "ledger", "loadtest", "storefront"
    }


def test_every_number_of_the_calibration_is_reproducible_from_its_explanation(run_cli, tmp_path):
    root = build(tmp_path / "all", CASES)
    code, out, _ = run_cli("scan", root, "--format", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, load_schema())
    recompute(document)


def test_an_existing_rust_service_and_services_that_are_not_backends_are_not_applicable(run_cli):
    document = json.loads(run_cli("scan", FIXTURES / "demo", "--format", "json")[1])
    scores = {s["name"]: s["score"] for s in document["services"]}
    assert scores["ledger"]["reasons"] == ["already written in Rust"]
    assert scores["loadtest"]["reasons"] == ["load-generator, not a backend service: listed, not ranked"]
    assert scores["storefront"]["reasons"] == ["frontend, not a backend service: listed, not ranked"]
    assert all(scores[name]["rank"] is None for name in ("ledger", "loadtest", "storefront", "admin", "acme-common"))


def test_too_little_evidence_is_inconclusive_never_a_silent_number(run_cli, make_repo):
    # An Elixir service outside git: no history, no code rule reads it, nothing says how it runs.
    repo = make_repo({"lib/app.ex": "defmodule App do\n  def hello, do: :world\nend\n", "mix.exs": "defmodule App.MixProject do\nend\n"}, git_init=False)
    document = json.loads(run_cli("scan", repo, "--format", "json")[1])
    score = document["services"][0]["score"]
    assert score["verdict"] == "inconclusive" and score["rank"] is None
    assert score["confidence"] < document["scoring"]["confidence_threshold"]
    assert score["reasons"][0].startswith(f"too little evidence (confidence {score['confidence']:.2f}): no git history")
    assert score["changes"][0].startswith("more evidence would decide it")


def test_unparsed_manifests_of_a_service_lower_its_confidence_and_are_named(run_cli, make_repo):
    repo = make_repo({
        "api/package.json": '{"name": "api", "dependencies": {"express": "4"}, ',
        "api/server.js": "const express = require('express');\nexpress().listen(8080);\n",
        "api/Dockerfile": "FROM node:20\nCMD [\"node\", \"server.js\"]\n",
    })
    document = json.loads(run_cli("scan", repo, "--format", "json")[1])
    losses = [loss for s in document["services"] for loss in s["score"]["confidence_losses"]]
    assert {"reason": "1 of its files could not be read or parsed: api/package.json", "loss": 0.1, "paths": ["api/package.json"]} in losses


def test_the_nth_finding_of_a_rule_counts_one_nth(run_cli, tmp_path):
    root = build(tmp_path / "proxy", ["edge-proxy"])
    document = json.loads(run_cli("scan", root, "--format", "json")[1])
    security = next(c for c in document["services"][0]["score"]["criteria"] if c["criterion"] == "security")
    fixes = [c for c in security["contributions"] if c["rule"] == "HIST102"]
    # Four commits fixed memory-safety bugs; the fifth fix was a data race.
    assert len(fixes) == 4
    repeats = [next((f["value"] for f in c["factors"] if f["name"].endswith("of HIST102")), 1.0) for c in fixes]
    assert repeats == [1.0, 0.5, 0.3333, 0.25]


def test_scoring_overrides_change_the_numbers_and_are_published(run_cli, tmp_path):
    root = build(tmp_path / "authz", ["authz"])
    (root / "readiness.toml").write_text(
        "[scoring]\nstrong-candidate = 95\ncandidate = 90\n[scoring.criteria]\nlatency = 0\n[scoring.rules]\nHIST = 2\n"
    )
    document = json.loads(run_cli("scan", root, "--format", "json")[1])
    recompute(document)
    score = document["services"][0]["score"]
    assert document["scoring"]["strong_candidate"] == 95 and document["scoring"]["criterion_weights"]["latency"] == 0
    assert score["verdict"] == "keep as is"
    history = [c for k in score["criteria"] for c in k["contributions"] if (c["rule"] or "").startswith("HIST")]
    assert history and all(("configured weight of " + c["rule"], 2.0) in [(f["name"], f["value"]) for f in c["factors"]] for c in history)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[scoring]\nfoo = 1\n", "readiness.toml:2: foo: unknown key in [tool.readiness.scoring]"),
        ("[scoring]\neffort-weight = 2\n", "readiness.toml:2: effort-weight: must be a number from 0 to 1"),
        ("[scoring.criteria]\nspeed = 1\n", "readiness.toml:2: speed: unknown criterion"),
        ("[scoring.rules]\n\"perf-1\" = 1\n", "readiness.toml:2: perf-1: not a rule id or family"),
        ("[scoring]\ncandidate = 50\nstrong-candidate = 40\n", "readiness.toml:2: candidate: must not be above strong-candidate"),
    ],
)
def test_bad_scoring_configuration_is_an_error_naming_the_line(make_repo, text, message):
    repo = make_repo({"readiness.toml": text})
    with pytest.raises(ConfigError) as raised:
        load_settings(repo)
    assert str(raised.value).startswith(message)


def test_config_from_table_keeps_unset_defaults():
    config = config_from_table({"confidence-threshold": 0.7, "rules": {"PERF": 1.5}})
    assert config.confidence_threshold == 0.7 and config.rule_weights == {"PERF": 1.5}
    assert config.criterion_weights == ScoringConfig().criterion_weights


def test_words_and_gists():
    assert words_of("services/checkoutAPI/read_states.go") == {"services", "checkout", "api", "read", "states", "go"}
    assert short("GOGC=50: the team tunes the Go collector (GOGC=50, Kubernetes manifest)") == "GOGC=50"
    assert short("a very long reason without any separator " * 3).endswith("...")


@pytest.mark.parametrize("name", ["real-microservices-demo", "real-eshop", "real-voting-app"])
def test_on_reconstructed_public_repositories_only_backends_and_workers_are_ranked(run_cli, name):
    document = json.loads(run_cli("scan", FIXTURES / "services" / name, "--format", "json")[1])
    recompute(document)
    for service in document["services"]:
        ranked = service["score"]["rank"] is not None
        assert ranked == (service["role"] in ("backend", "worker") and service["primary_language"] != "Rust"), service["name"]


def test_the_hottest_service_microservices_demo_documents_ranks_in_the_upper_half(run_cli):
    # Its README: currencyservice "is the highest QPS service".
    document = json.loads(run_cli("scan", FIXTURES / "services" / "real-microservices-demo", "--format", "json")[1])
    ranks = {s["name"]: s["score"]["rank"] for s in document["services"] if s["score"]["rank"] is not None}
    assert ranks["currencyservice"] <= len(ranks) / 2


SCORING_PLUGIN = '''
from readiness import hookimpl
from readiness.model import Contribution, Criterion, Evidence, Rule

RULE = Rule("EXT201", "on-call-pages", Criterion.LATENCY, "## What it finds\\n## Why it matters for a Rust rewrite\\n## Example\\n")

@hookimpl
def readiness_rules():
    return [RULE]

@hookimpl
def readiness_score_service(service):
    where = Evidence(service.path, 0, "pager history")
    return [
        Contribution(Criterion.LATENCY, 12.0, "paged 40 times for p99 latency", rule="EXT201", evidence=where),
        Contribution(Criterion.LATENCY, 99.0, "no evidence at all"),
        Contribution(Criterion.LATENCY, 99.0, "an undeclared rule", rule="EXT999", evidence=where),
    ]
'''


def test_a_plugins_contributions_are_weighed_and_unusable_ones_are_its_error(run_cli, make_repo, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "pager.py").write_text(SCORING_PLUGIN)
    repo = make_repo({
        "api/Dockerfile": "FROM golang:1.22\nCMD [\"/api\"]\n",
        "api/main.go": "package main\n\nfunc main() {}\n",
        "readiness.toml": "[scoring.rules]\nEXT201 = 2\n",
    })
    code, out, _ = run_cli("scan", repo, "--format", "json", "--plugins-dir", plugins)
    document = json.loads(out)
    recompute(document)
    latency = next(c for c in document["services"][0]["score"]["criteria"] if c["criterion"] == "latency")
    paged = [c for c in latency["contributions"] if c["rule"] == "EXT201"]
    assert [(c["base"], c["points"], c["factors"]) for c in paged] == [(12.0, 24.0, [{"name": "configured weight of EXT201", "value": 2.0}])]
    assert {e["message"] for e in document["errors"]} == {
        "plugin 'pager' failed in readiness_score_service: ValueError: api: contribution without evidence: 'no evidence at all'",
        "plugin 'pager' failed in readiness_score_service: ValueError: api: contribution for undeclared rule EXT999",
    }
    assert "EXT201" in {r["id"] for r in document["rules"]}  # a contribution cites it, no finding does
