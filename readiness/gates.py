"""The CI gates: when a report fails a build. One function judges, the CLI turns it into the exit code.

Score gates judge every scored service (already-Rust and non-backend services, whose
verdict is "not applicable", are left out) or one named service. Finding gates count the
findings that stand (suppressed ones never count), or with ``new_only`` only those new
against the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable

from readiness.config import GateSettings, ScoreGate
from readiness.model import Finding, GateFailure, GateOutcome, Report, ServiceScore, Verdict, selector_is_known, selects

LISTED_PER_FAILURE = 3
"""Findings named in one failure's detail; the report lists them all."""


class GateError(ValueError):
    """A gate that can never mean what its author meant: an unknown rule, --new-only without a baseline."""


def validate(gates: GateSettings, rule_ids: Iterable[str], has_baseline: bool) -> None:
    """Raise GateError for a selector that matches no rule, family or criterion, or ``new_only`` without a baseline.

    A typo in a gate would otherwise pass every build forever.
    """
    rule_ids = tuple(rule_ids)
    for condition, selector in [*(("fail-on-rule", s) for s in gates.fail_on_rule), *(("max-findings", s) for s, _ in gates.max_findings)]:
        if not selector_is_known(selector, rule_ids):
            raise GateError(f"{condition} {selector}: no rule, rule family or criterion of that name (`readiness rules` lists them; `all` counts every finding)")
    if gates.new_only and not has_baseline:
        raise GateError("new-only needs a baseline to tell new findings from known ones (--baseline FILE, or baseline in [tool.readiness])")


def evaluate(report: Report, gates: GateSettings, exit_zero: bool = False) -> GateOutcome:
    conditions: list[str] = []
    failures: list[GateFailure] = []
    judged = [s for s in report.scores if s.verdict is not Verdict.NOT_APPLICABLE]
    for gate, over in [*((g, True) for g in gates.fail_over), *((g, False) for g in gates.fail_under)]:
        condition = f"fail-{'over' if over else 'under'} {gate.key}={gate.threshold:g}"
        conditions.append(condition)
        failures.extend(GateFailure(condition, detail) for detail in _score_failures(gate, over, judged, report))
    counted = [f for f in report.findings if not gates.new_only or f.baseline == "new"]
    adjective = "new " if gates.new_only else ""
    for selector in gates.fail_on_rule:
        condition = f"fail-on-rule {selector}"
        conditions.append(condition)
        matching = [f for f in counted if selects(selector, f)]
        if matching:
            failures.append(GateFailure(condition, f"{_count(len(matching), adjective + 'finding')}: {_listed(matching)}"))
    for selector, allowed in gates.max_findings:
        condition = f"max-findings {selector}={allowed}"
        conditions.append(condition)
        matching = [f for f in counted if selects(selector, f)]
        if len(matching) > allowed:
            failures.append(GateFailure(condition, f"{_count(len(matching), adjective + 'finding')}, more than {allowed}: {_listed(matching)}"))
    return GateOutcome(tuple(conditions), tuple(failures), gates.new_only, exit_zero)


def _score_failures(gate: ScoreGate, over: bool, judged: list[ServiceScore], report: Report) -> list[str]:
    if gate.service is not None and gate.service not in {s.name for s in report.services}:
        return [f"no service is named {gate.service!r}"]
    details = []
    for score in judged:
        if gate.service is not None and score.service != gate.service:
            continue
        value = _metric(score, gate.metric)
        if (value > gate.threshold) if over else (value < gate.threshold):
            details.append(f"{score.service}: {gate.metric} {value:g} {'>' if over else '<'} {gate.threshold:g}")
    return details


def _metric(score: ServiceScore, metric: str) -> float:
    if metric in ("benefit", "effort", "confidence"):
        return round(float(getattr(score, metric)), 2)
    return round(next((c.score for c in score.criteria if c.criterion.value == metric), 0.0), 2)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _listed(findings: list[Finding]) -> str:
    named = ", ".join(f"{f.rule} at {f.path}:{f.line}" for f in findings[:LISTED_PER_FAILURE])
    more = len(findings) - LISTED_PER_FAILURE
    return named + (f" and {more} more" if more > 0 else "")
