"""The order reports list services in, and the sizes they draw them by.

Reporters never recompute a score: they read ``Report.scores`` and sort by the rank
the scoring stage gave. Services without a rank follow, most telling verdict first.
"""

from __future__ import annotations

from dataclasses import dataclass

from readiness.model import Report, Service, ServiceScore, Verdict

FOOTPRINT_FACT = "footprint_bytes"
"""The fact a runtime finding carries for a service's peak memory (replicas x memory per replica)."""

_VERDICT_ORDER = {verdict: index for index, verdict in enumerate(Verdict)}


@dataclass(frozen=True, slots=True)
class Standing:
    """A service and its verdict, if the report scored it."""

    service: Service
    score: ServiceScore | None

    @property
    def code(self) -> int:
        return sum(totals.code for totals in self.service.languages)


def standings(report: Report) -> list[Standing]:
    """Every service: ranked ones by rank, then scored ones by verdict, then unscored ones; ties by name."""
    scores = {score.service: score for score in report.scores}

    def order(standing: Standing) -> tuple[int, int, int, str]:
        score = standing.score
        if score is None:
            return (2, 0, 0, standing.service.name)
        if score.rank is None:
            return (1, 0, _VERDICT_ORDER[score.verdict], standing.service.name)
        return (0, score.rank, 0, standing.service.name)

    return sorted((Standing(service, scores.get(service.name)) for service in report.services), key=order)


def figures(score: ServiceScore) -> tuple[str, str, str]:
    """Benefit, effort and confidence as reports print them; a service the model does not
    apply to (a library, a UI, a service already in Rust) has none, not zeros."""
    if score.verdict is Verdict.NOT_APPLICABLE:
        return "-", "-", "-"
    return f"{score.benefit:.0f}", f"{score.effort:.0f}", f"{score.confidence:.2f}"


def footprints(report: Report) -> dict[str, int]:
    """Each service's largest peak memory footprint in bytes, where a finding states one."""
    found: dict[str, int] = {}
    for finding in report.findings:
        value = finding.fact(FOOTPRINT_FACT)
        if finding.service is None or isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            continue
        found[finding.service] = max(found.get(finding.service, 0), int(value))
    return found
