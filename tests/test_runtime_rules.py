"""The runtime rules are documented where they are declared and explained by the CLI."""

from __future__ import annotations

import pytest

from readiness.model import Criterion
from readiness.plugin_host import PluginHost

RUNTIME_PLUGINS = ("runtimes", "container_resources", "base_images")
SECTIONS = ("## What it finds", "## Why it matters for a Rust rewrite", "## Example")


def runtime_rules():
    return [rule for rule in PluginHost().rules.values() if rule.plugin in RUNTIME_PLUGINS]


def test_the_runtime_rule_families_and_their_criteria():
    assert {rule.id: rule.criterion for rule in runtime_rules()} == {
        "RUN101": Criterion.LATENCY,
        "RUN102": Criterion.LATENCY,
        "RUN103": Criterion.COST,
        "RUN104": Criterion.COST,
        "RUN105": Criterion.COST,
        "RUN106": Criterion.COST,
        "RUN107": Criterion.COST,
        "RES101": Criterion.COST,
        "RES102": Criterion.COST,
        "RES103": Criterion.COST,
        "RES104": Criterion.COST,
        "RES105": Criterion.COST,
        "RES106": Criterion.COST,
        "IMG101": Criterion.COST,
        "IMG102": Criterion.COST,
    }


@pytest.mark.parametrize("rule", runtime_rules(), ids=lambda rule: rule.id)
def test_every_rule_has_the_three_sections_in_order_and_an_explanation(rule, run_cli):
    positions = [rule.doc.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions), rule.id
    assert rule.title == rule.title.lower() and " " not in rule.title
    code, out, _ = run_cli("explain", rule.id.lower())
    assert code == 0
    assert out.startswith(f"{rule.id}: {rule.title}\ncriterion: {rule.criterion.value} (benefit)\nplugin: {rule.plugin}\n")
