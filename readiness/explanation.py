"""``readiness explain SERVICE``: one service's verdict with every number behind it, as plain text.

Renders what the scoring stage recorded and never recomputes a score: each criterion with
its weight and every contribution (points, base, weight and the factors it is the product
of, rule, evidence file:line, reason), the service's factors with their evidence, the
arithmetic from criteria to benefit, effort, priority and confidence, and what would
change the verdict.
"""

from __future__ import annotations

from readiness.model import Contribution, CriterionScore, Report, ScoringParameters, Service, ServiceScore, Verdict


def find_service(report: Report, name: str) -> Service | None:
    """The service called ``name``, else the one whose name matches ignoring case, else the one at path ``name``."""
    for matches in (
        lambda s: s.name == name,
        lambda s: s.name.lower() == name.lower(),
        lambda s: s.path == name.strip("/"),
    ):
        found = next((s for s in report.services if matches(s)), None)
        if found is not None:
            return found
    return None


def _number(value: float) -> str:
    """Every digit the model keeps (weights have 4 decimals, points 2), without trailing zeros."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _where(contribution: Contribution) -> str:
    evidence = contribution.evidence
    if evidence is None:
        return "-"
    return f"{evidence.path}:{evidence.line}" if evidence.line else evidence.path


def _factors(contribution: Contribution) -> str:
    return ", ".join(f"x{_number(value)} {name}" for name, value in contribution.factors)


def _sum(parameters: ScoringParameters, score: ServiceScore, side: str) -> str:
    weights = dict(parameters.criterion_weights)
    terms = [f"{_number(weights[c.criterion])} x {c.criterion.value} {_number(c.score)}" for c in score.criteria if c.criterion.side == side]
    return f"min(100, {' + '.join(terms)})"


def _criterion(criterion: CriterionScore) -> list[str]:
    lines = [f"{criterion.criterion.value} {_number(criterion.score)} ({criterion.criterion.side}, weight {_number(criterion.weight)})"]
    if not criterion.contributions:
        lines.append("  no evidence")
        return lines
    lines.append(f"  {'points':>8}  {'base':>7}  {'weight':>7}  {'rule':<8}  evidence  reason")
    for c in criterion.contributions:
        base = _number(c.base) if c.base is not None else "-"
        lines.append(f"  {c.points:>+8.2f}  {base:>7}  {_number(c.weight):>7}  {c.rule or '-':<8}  {_where(c)}  {c.reason}")
        if c.factors:
            lines.append(f"  {'':>8}  {'':>7}  {'':>7}  {'':<8}  weight = {_factors(c)}")
    total = sum(c.points for c in criterion.contributions)
    if round(total, 2) != criterion.score:
        lines.append(f"  sum {_number(round(total, 2))}, held between 0 and 100")
    return lines


def render_explanation(report: Report, service: Service) -> str:
    score = next((s for s in report.scores if s.service == service.name), None)
    language = service.primary_language or "unknown language"
    head = f"{service.name} ({service.path}, {language}, {service.role})"
    if score is None:
        return f"{head}: not scored\n"
    ranked = sum(1 for s in report.scores if s.rank is not None)
    rank = f", rank {score.rank} of {ranked}" if score.rank is not None else ""
    lines = [f"{head}: {score.verdict.value}{rank}"]
    if score.verdict is Verdict.NOT_APPLICABLE:
        lines += [f"  {reason}" for reason in score.reasons]
        lines += ["", "What would change the verdict", *(f"  - {change}" for change in score.changes)]
        return "\n".join(lines) + "\n"
    lines.append(
        f"  benefit {_number(score.benefit)}, effort {_number(score.effort)}, priority {_number(score.priority)}, confidence {_number(score.confidence)}"
    )
    lines += ["", "Why", *(f"  - {reason}" for reason in score.reasons)]
    parameters = report.scoring
    if parameters is not None:
        lines += [
            "",
            "How the numbers add up",
            f"  benefit  {_number(score.benefit)} = {_sum(parameters, score, 'benefit')}",
            f"  effort   {_number(score.effort)} = {_sum(parameters, score, 'effort')}",
            f"  priority {_number(score.priority)} = benefit x (1 - {_number(parameters.effort_weight)} x effort / 100)",
            f"  confidence {_number(score.confidence)} = 1"
            + "".join(f" - {_number(loss.loss)} ({loss.reason})" for loss in score.confidence_losses),
            f"  verdict: strong candidate from priority {_number(parameters.strong_candidate)}, candidate from {_number(parameters.candidate)}, "
            f"keep as is below; inconclusive below confidence {_number(parameters.confidence_threshold)}",
        ]
    if score.factors:
        lines += ["", "What weighs its criteria"]
        for factor in score.factors:
            weighed = ", ".join(f"{c.value} x{_number(m)}" for c, m in factor.multipliers) or "no criterion"
            lines.append(f"  {factor.name}: {weighed}" + (f" ({factor.reason})" if factor.reason else ""))
            lines += [f"      {e.path}:{e.line}  {e.detail}" if e.line else f"      {e.path}  {e.detail}" for e in factor.evidence]
    for side in ("benefit", "effort"):
        lines += [""]
        for criterion in score.criteria:
            if criterion.criterion.side == side:
                lines += [*_criterion(criterion), ""]
        lines.pop()
    lines += ["", "What would change the verdict", *(f"  - {change}" for change in score.changes)]
    return "\n".join(lines) + "\n"

