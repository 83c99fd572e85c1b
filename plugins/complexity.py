"""Function complexity and length, and per-file totals.

Cyclomatic complexity is 1 plus the decision points of a function's own body (branches,
loops, case arms, catch clauses, conditional expressions, ``&&``/``||``), not counting
nested functions, which are measured on their own. Thresholds are configurable in
``[tool.readiness.plugins.complexity]``: ``max_complexity`` and ``max_lines``.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import analyzer, finding, rule, source_of

MAX_COMPLEXITY = 10
MAX_LINES = 80

COMPLEX = rule(
    "CPLX101", "complex-function", Criterion.SIZE,
    f"Functions whose cyclomatic complexity exceeds the threshold (default {MAX_COMPLEXITY}), with `complexity` and `length` as facts.",
    "Complex functions are the slowest to port and the likeliest to change behaviour in a rewrite; with history they point at the hotspots to port first or last.",
    "def price(cart):  # complexity 14: many branches over cart fields\n    if ...: ...\n    elif ...: ...",
)
LONG = rule(
    "CPLX102", "long-function", Criterion.SIZE,
    f"Functions longer than the threshold (default {MAX_LINES} lines), with `length` and `complexity` as facts.",
    "Long functions hold many behaviours at once; each must be reproduced and tested in the new code.",
    "func (d *Dispatcher) consume(ctx context.Context) error {  // 120 lines\n    ...\n}",
)
FILE_TOTALS = rule(
    "CPLX103", "file-complexity", Criterion.SIZE,
    "One note per source file with functions: `functions`, `complexity_total`, `complexity_max` and `longest_function` as facts, for per-service sums and history hotspots.",
    "Size and complexity are the effort side of a rewrite; summed per service they say how much code there is to port.",
    "services/checkout-api/app/main.py: 12 functions, total complexity 31, max 6",
)


def _limit(settings: Settings, key: str, default: int) -> int:
    value = settings.plugins.get("complexity", {}).get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


@hookimpl
def readiness_rules() -> list[Rule]:
    return [COMPLEX, LONG, FILE_TOTALS]


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    max_complexity = _limit(settings, "max_complexity", MAX_COMPLEXITY)
    max_lines = _limit(settings, "max_lines", MAX_LINES)
    functions = source.functions()
    made = []
    for function in functions:
        facts = {"complexity": function.complexity, "length": function.lines}
        if function.complexity > max_complexity:
            made.append(finding(COMPLEX, source, function.node, f"{function.qualified}: complexity {function.complexity} > {max_complexity}", confidence=1.0, facts=facts, function=function.qualified))
        if function.lines > max_lines:
            made.append(finding(LONG, source, function.node, f"{function.qualified}: {function.lines} lines > {max_lines}", confidence=1.0, facts=facts, function=function.qualified))
    if functions:
        totals = {
            "functions": len(functions),
            "complexity_total": sum(f.complexity for f in functions),
            "complexity_max": max(f.complexity for f in functions),
            "longest_function": max(f.lines for f in functions),
        }
        made.append(FILE_TOTALS.finding(source.file.path, 1, f"{len(functions)} functions, complexity {totals['complexity_total']} in all, {totals['complexity_max']} at most", snippet=source.file.path, facts=totals))
    return made
