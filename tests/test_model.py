"""The plain records stages pass on: the shortcuts that copy them keep every field."""

from __future__ import annotations

from dataclasses import MISSING, fields, replace

from readiness.model import BaselineStatus, Criterion, Finding


def test_a_finding_given_a_service_keeps_every_other_field():
    finding = Finding("MEM101", Criterion.LATENCY, "a.py", 3, "m", 2, "handle", "f1", 0.5, None, (("k", 1),), BaselineStatus.NEW)
    # Every field away from its default, so a field for_service forgot would show.
    assert all(getattr(finding, f.name) != f.default for f in fields(Finding) if f.default is not MISSING and f.name != "service")
    assert finding.for_service("api") == replace(finding, service="api")
