"""Code evidence rules: exact findings on per-rule fixtures, the labelled corpus, the demo, hostile input."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from readiness.config import Settings
from readiness.model import Diagnostic, FileKind, FileRecord, Finding, ReadStatus
from readiness.plugin_host import PluginHost
from readiness_plugins import _code

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = yaml.safe_load((FIXTURES / "code" / "rules.yaml").read_text(encoding="utf-8"))
CODE_PLUGINS = {"concurrency", "shared_state", "blocking", "hot_paths", "memory_safety", "request_surface", "complexity"}
FAMILIES = ("CONC", "PERF", "MEM", "API", "CPLX")
EXTENSIONS = {
    ".py": "Python", ".js": "JavaScript", ".ts": "TypeScript", ".tsx": "TSX", ".java": "Java", ".go": "Go",
    ".rs": "Rust", ".c": "C", ".h": "C++", ".cpp": "C++", ".cs": "C#", ".rb": "Ruby", ".php": "PHP", ".kt": "Kotlin", ".scala": "Scala",
}
COMMENT = {"Python": "# ", "Ruby": "# "}
_counter = iter(range(1_000_000))


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost()


def analyze(
    host: PluginHost, language: str, code: str, path: str | None = None, plugins: set[str] = CODE_PLUGINS, warnings: list[Diagnostic] | None = None
) -> list[Finding]:
    """The code plugins' findings on one snippet; their warnings go to ``warnings`` (must be none when not given)."""
    path = path or f"snippet{next(_counter)}.{language}"
    record = FileRecord(path, len(code), _code.__name__ + path, ReadStatus.READ, language, FileKind.SOURCE)
    found: list[Finding] = []
    met: list[Diagnostic] = []
    for plugin, produced in host.call_each("readiness_analyze_file", only=plugins, file=record, text=code, settings=Settings()):
        found.extend(item for item in produced if isinstance(item, Finding))
        met.extend(item for item in produced if isinstance(item, Diagnostic))
    if warnings is None:
        assert met == []
    else:
        warnings.extend(met)
    assert host.errors == []
    return found


def case_code(case: dict) -> str:
    if "lines" in case:
        return case["code"] + "  x = 1;\n" * case["lines"] + "}\n"
    return case["code"]


def all_cases() -> list[tuple[str, int, dict]]:
    return [(rule_id, n, case) for rule_id, cases in CASES.items() for n, case in enumerate(cases)]


@pytest.mark.parametrize("rule_id, n, case", all_cases(), ids=[f"{r}-{n}-{c['language']}" for r, n, c in all_cases()])
def test_rule_fixture_gives_exact_lines(host, rule_id, n, case):
    found = analyze(host, case["language"], case_code(case))
    assert sorted(f.line for f in found if f.rule == rule_id) == case["expect"]


def test_every_code_rule_is_documented_and_has_positive_and_negative_fixtures(host, run_cli):
    ours = [rule for rule in host.rules.values() if rule.plugin in CODE_PLUGINS]
    assert len(ours) >= 30
    for rule in ours:
        for section in ("## What it finds", "## Why it matters for a Rust rewrite", "## Example"):
            assert section in rule.doc, (rule.id, section)
        cases = CASES.get(rule.id)
        assert cases, f"{rule.id} has no fixture"
        assert any(c["expect"] for c in cases) and any(not c["expect"] for c in cases), f"{rule.id} needs positive and negative cases"
    code, out, _ = run_cli("explain", "CONC103")
    assert code == 0 and "## Why it matters for a Rust rewrite" in out


def _hidden(language: str, code: str, how: str) -> str:
    """The snippet turned into a comment or a string: it must then match nothing."""
    lines = code.splitlines()
    if how == "comment":
        prefix = COMMENT.get(language, "// ")
        return "".join(f"{prefix}{line}\n" for line in lines)
    escaped = code.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if language == "Python":
        return f'TEXT = "{escaped}"\n'
    if language == "Ruby":
        return f'TEXT = "{escaped}"\n'.replace("#", "\\#")
    if language == "PHP":
        return f'<?php\n$text = "{escaped}";\n'.replace("$", "\\$").replace("\\$text", "$text")
    if language == "Go":
        return f'package p\nvar text = "{escaped}"\n'
    if language in ("Java", "C#", "Scala", "Kotlin"):
        return f'class T {{ String text = "{escaped}"; }}\n'.replace("String", "string" if language == "C#" else "String")
    if language == "Rust":
        return f'const TEXT: &str = "{escaped}";\n'
    if language in ("C", "C++"):
        return f'const char *text = "{escaped}";\n'
    return f'const text = "{escaped}";\n'


def test_labelled_corpus_precision_and_recall_per_family(host, capsys):
    expected: dict[str, set[tuple[int, str, int]]] = defaultdict(set)
    reported: dict[str, set[tuple[int, str, int]]] = defaultdict(set)
    snippets = 0
    for rule_id, cases in CASES.items():
        for case in cases:
            variants = [(case_code(case), {rule_id}, case["expect"])]
            if case["expect"] and case["language"] != "PHP":
                variants += [(_hidden(case["language"], case_code(case), how), None, []) for how in ("comment", "string")]
            for code, labelled, lines in variants:
                snippets += 1
                family = rule_id.rstrip("0123456789")
                for line in lines if rule_id != "CPLX103" else ():
                    expected[family].add((snippets, rule_id, line))
                for f in analyze(host, case["language"], code):
                    if f.rule == "CPLX103":
                        continue
                    if labelled is None or f.rule in labelled:
                        reported[f.rule.rstrip("0123456789")].add((snippets, f.rule, f.line))
    assert snippets >= 180
    failures = []
    with capsys.disabled():
        print(f"\ncode-evidence corpus: {snippets} snippets")
        for family in FAMILIES:
            hits = len(expected[family] & reported[family])
            precision = hits / len(reported[family]) if reported[family] else 1.0
            recall = hits / len(expected[family]) if expected[family] else 1.0
            print(f"  {family:5} precision {precision:6.1%}  recall {recall:6.1%}  ({hits} of {len(expected[family])} expected, {len(reported[family])} reported)")
            if precision < 0.90 or recall < 0.85:
                failures.append(family)
    assert not failures


DEMO = FIXTURES / "demo"
DEMO_EXPECTED = {
    ("services/checkout-api/app/main.py", "CONC106", 37), ("services/checkout-api/app/main.py", "CONC103", 38),
    ("services/checkout-api/app/main.py", "CONC102", 41), ("services/checkout-api/app/main.py", "PERF101", 96),
    ("services/checkout-api/app/main.py", "PERF104", 130), ("services/checkout-api/app/main.py", "PERF103", 143),
    ("services/checkout-api/app/main.py", "API101", 135), ("services/checkout-api/app/pricing.py", "PERF102", 62),
    ("services/checkout-api/app/pricing.py", "PERF107", 61), ("services/checkout-api/app/signing.py", "PERF103", 31),
    ("services/gateway/src/server.js", "CONC109", 26), ("services/gateway/src/auth.js", "PERF103", 39),
    ("services/gateway/src/auth.js", "PERF103", 51), ("services/gateway/src/routes.js", "API101", 33),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC106", 29),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC104", 34),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC104", 35),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC103", 37),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC102", 39),
    ("services/inventory/src/main/java/com/acme/inventory/StockReservationService.java", "CONC103", 84),
    ("services/inventory/src/main/java/com/acme/inventory/InventoryController.java", "API101", 42),
    ("services/inventory/src/main/java/com/acme/inventory/InventoryGrpcService.java", "API102", 37),
    ("services/notifier/internal/dispatch/dispatcher.go", "CONC103", 38), ("services/notifier/internal/dispatch/dispatcher.go", "CONC105", 75),
    ("services/notifier/internal/dispatch/dispatcher.go", "CONC108", 100), ("services/notifier/internal/dispatch/dispatcher.go", "CONC108", 128),
    ("services/notifier/internal/dispatch/dispatcher.go", "CONC108", 91), ("services/notifier/cmd/notifier/main.go", "CONC108", 109),
    ("services/media-codec/src/server.cpp", "MEM101", 59), ("services/media-codec/src/server.cpp", "MEM101", 35),
    ("services/media-codec/src/server.cpp", "MEM105", 83), ("services/media-codec/src/server.cpp", "MEM102", 113),
    ("services/media-codec/src/server.cpp", "CONC101", 164), ("services/media-codec/src/buffer.h", "MEM103", 33),
    ("services/media-codec/src/resize.cpp", "MEM103", 30), ("services/media-codec/src/resize.cpp", "MEM104", 68),
    ("services/media-codec/src/resize.cpp", "PERF106", 51), ("services/media-codec/src/resize.cpp", "CONC103", 19),
    ("services/ledger/src/ledger.rs", "MEM106", 25), ("services/ledger/src/ledger.rs", "CONC107", 91),
    ("services/ledger/src/ledger.rs", "CONC103", 93), ("services/ledger/src/ledger.rs", "CONC108", 90),
    ("services/ledger/src/main.rs", "CONC107", 73), ("services/ledger/src/main.rs", "API101", 91),
}


def demo_findings(host: PluginHost) -> set[tuple[str, str, int]]:
    found = set()
    for path in sorted(DEMO.rglob("*")):
        language = EXTENSIONS.get(path.suffix)
        if language and path.is_file():
            relative = path.relative_to(DEMO).as_posix()
            found |= {(f.path, f.rule, f.line) for f in analyze(host, language, path.read_text(encoding="utf-8"), relative)}
    return found


def test_demo_code_yields_the_findings_it_really_has(host):
    found = demo_findings(host)
    assert DEMO_EXPECTED <= found, sorted(DEMO_EXPECTED - found)
    assert {(p, line) for p, rule, line in found if rule == "MEM106"} == {("services/ledger/src/ledger.rs", 25)}
    python_unsafe = {(p, r) for p, r, _ in found if p.endswith(".py") and r.startswith("MEM")}
    assert python_unsafe == set()
    assert not any(r == "CONC106" and p.endswith("pricing.py") for p, r, _ in found), "TAX_RATES is only read"


def test_scan_json_carries_code_findings_and_validates(run_cli, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    code, out, err = run_cli("scan", DEMO, "--format", "json", "--jobs", "1")
    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, json.loads(run_cli("schema")[1]))
    rules = {f["rule"] for f in report["findings"]}
    assert {"MEM106", "CONC108", "API101"} <= rules
    unsafe = [(f["path"], f["line"]) for f in report["findings"] if f["rule"] == "MEM106"]
    assert unsafe == [("services/ledger/src/ledger.rs", 25)]


def test_deeply_nested_code_is_analysed_without_recursion(host):
    depth = 3000
    c_code = "void f(void) {\n" + "{" * depth + "memcpy(a, b, n);" + "}" * depth + "\n}\n"
    assert [(f.rule, f.line) for f in analyze(host, "C", c_code) if f.rule == "MEM102"] == [("MEM102", 2)]
    # One bracket per line: on a single line the file would be skipped as minified.
    js_code = "const x = " + "[\n" * 20000 + "]\n" * 20000 + ";\nconst c = require('cluster');\nc.fork();\n"
    assert [(f.rule, f.line) for f in analyze(host, "JavaScript", js_code) if f.rule == "CONC109"] == [("CONC109", 40003)]
    python_code = "".join("    " * i + f"if a{i}:\n" for i in range(400)) + "    " * 400 + "pass\n"
    [summary] = [f for f in analyze(host, "Python", "def f():\n" + "".join("    " + line + "\n" for line in python_code.splitlines())) if f.rule == "CPLX101"]
    assert summary.fact("complexity") == 401


def test_minified_bundle_is_skipped_with_a_warning(host):
    bundle = "var a=1;" * 20000
    record = FileRecord("dist/app.js", len(bundle), "b1", ReadStatus.READ, "JavaScript", FileKind.SOURCE)
    with pytest.raises(_code.SkippedFile, match="looks minified"):
        _code.source_of(record, bundle)
    warning = Diagnostic("warning", "not analysed: looks minified (lines average over 2000 bytes)", path="dist/app.js")
    assert host.call_each("readiness_analyze_file", only={"concurrency"}, file=record, text=bundle, settings=Settings()) == [("concurrency", [warning])]


def test_a_file_never_inherits_an_earlier_files_routes(host):
    # A file the pre-filter keeps from the route plugins is still parsed (for complexity);
    # the file after it must not be taken for the last one whose routes were found.
    grpc = "class S extends InventoryGrpc.InventoryImplBase {\n  public void getStock(Req r, StreamObserver<Res> o) {}\n}\n"
    plain = "fn main() {\n    let x = Server::bind();\n}\n"
    leaked = []
    for n in range(40):
        assert [f.rule for f in analyze(host, "Java", grpc, f"S{n}.java") if f.rule.startswith("API")] == ["API102"]
        analyze(host, "Rust", plain, f"p{n}.rs", plugins={"complexity"})
        leaked += [f for f in analyze(host, "Rust", plain, f"q{n}.rs") if f.rule.startswith("API")]
    assert leaked == []


def test_a_parse_that_runs_out_of_cpu_budget_is_a_warning(host, monkeypatch):
    # Nested C++ templates are tree-sitter's worst case: seconds for 60 KB.
    monkeypatch.setattr(_code, "BUDGET_SECONDS", 0.05)
    monkeypatch.setattr(_code, "BUDGET_SECONDS_PER_MB", 0.0)
    templates = "A" + "<A" * 30000 + ">" * 30000 + " x;\n" + "void f() { memcpy(a, b, n); }\n"
    warnings: list[Diagnostic] = []
    assert analyze(host, "C++", templates.replace("<", "\n<"), path="t.cpp", warnings=warnings) == []
    assert set(warnings) == {Diagnostic("warning", "not analysed: parsing took over 0.05 s of CPU time", path="t.cpp")}
    assert len(warnings) == len(CODE_PLUGINS)
    assert [f.rule for f in analyze(host, "C++", "void f() { memcpy(a, b, n); }\n") if f.rule == "MEM102"] == ["MEM102"]


def test_deep_nesting_keeps_loop_depths_and_names_bounded(host):
    depth = 3000
    loops = "void f(int *out, int *a, int n) {\n" + "for (i = 0; i < n; i++)\n" * depth + "out[i] = a[i] * 2;\n}\n"
    [nest] = [f for f in analyze(host, "C", loops) if f.rule == "PERF106"]
    assert (nest.line, nest.fact("depth")) == (2, depth)
    functions = "x = " + "function () {\n" * 2000 + "JSON.parse(a);\n" + "}\n" * 2000 + ";\n"
    names = [f.function or "" for f in analyze(host, "JavaScript", functions) if f.rule == "CPLX103" or f.function]
    assert names and max(len(name) for name in names) <= _code.MAX_QUALIFIED_PREFIX + 20
