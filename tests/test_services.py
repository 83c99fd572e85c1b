"""Service detection and the service graph, on fixture repositories whose answers are written down here.

Each fixture under fixtures/services/ holds one kind of deployment evidence; the demo
holds them all. Every scan goes through the CLI and its JSON is validated against the
published schema.
"""

from __future__ import annotations

import functools
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from readiness.cli import main
from readiness.export import load_schema

from conftest import FIXTURES

SERVICES = FIXTURES / "services"


def scan(run_cli, path: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", path, "--format", "json", *extra)
    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    return report


@functools.cache
def scanned(path: Path) -> dict:
    """A committed fixture's report, scanned once for all the tests that read it."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["scan", str(path), "--format", "json"], out=out, err=err) == 0, err.getvalue()
    report = json.loads(out.getvalue())
    jsonschema.validate(report, load_schema())
    return report


def services(report: dict) -> set[tuple[str, str, str]]:
    return {(s["name"], s["path"], s["role"]) for s in report["services"]}


def languages(report: dict) -> dict[str, str | None]:
    return {s["name"]: s["primary_language"] for s in report["services"]}


def infrastructure(report: dict) -> set[tuple[str, str]]:
    return {(i["name"], i["kind"]) for i in report["infrastructure"]}


def edges(report: dict) -> set[tuple[str, str, str]]:
    return {(e["source"], e["target"], e["protocol"]) for e in report["edges"]}


def warnings(report: dict) -> list[tuple[str, str]]:
    return [(w["path"], w["message"]) for w in report["warnings"]]


# --- the demo: every kind of evidence at once ---------------------------------------------

DEMO_SERVICES = {
    ("checkout-api", "services/checkout-api", "backend"),
    ("gateway", "services/gateway", "backend"),
    ("inventory", "services/inventory", "backend"),
    ("notifier", "services/notifier", "backend"),
    ("media-codec", "services/media-codec", "backend"),
    ("ledger", "services/ledger", "backend"),
    ("storefront", "web/storefront", "frontend"),
    ("acme-common", "libs/acme-common", "library"),
    ("admin", "tools/admin", "tooling"),
    ("loadtest", "loadtest", "load-generator"),
}
DEMO_LANGUAGES = {
    "checkout-api": "Python", "gateway": "JavaScript", "inventory": "Java", "notifier": "Go", "media-codec": "C++",
    "ledger": "Rust", "storefront": "TSX", "acme-common": "Python", "admin": "Python", "loadtest": "Python",
}
DEMO_INFRASTRUCTURE = {("redis", "redis"), ("postgres", "postgres"), ("kafka", "kafka")}
DEMO_EDGES = {
    ("gateway", "checkout-api", "http"),
    ("gateway", "inventory", "grpc"),
    ("gateway", "redis", "redis"),
    ("checkout-api", "inventory", "grpc"),
    ("checkout-api", "postgres", "sql"),
    ("checkout-api", "redis", "redis"),
    ("checkout-api", "kafka", "kafka"),
    ("inventory", "postgres", "sql"),
    ("inventory", "kafka", "kafka"),
    ("notifier", "kafka", "kafka"),
    ("notifier", "redis", "redis"),
    ("ledger", "postgres", "sql"),
    ("storefront", "gateway", "http"),
    ("loadtest", "gateway", "http"),
}


def test_demo_services_roles_infrastructure_and_edges():
    report = scanned(FIXTURES / "demo")
    assert services(report) == DEMO_SERVICES
    assert {s["name"] for s in report["services"] if s["ranked"]} == {"checkout-api", "gateway", "inventory", "notifier", "media-codec", "ledger"}
    assert infrastructure(report) == DEMO_INFRASTRUCTURE
    assert edges(report) == DEMO_EDGES
    assert warnings(report) == []
    used_by = {i["name"]: i["used_by"] for i in report["infrastructure"]}
    assert used_by == {"kafka": ["checkout-api", "inventory", "notifier"], "postgres": ["checkout-api", "inventory", "ledger"], "redis": ["checkout-api", "gateway", "notifier"]}


def test_demo_primary_languages():
    assert languages(scanned(FIXTURES / "demo")) == DEMO_LANGUAGES


def test_demo_evidence_names_every_file_that_said_so():
    report = scanned(FIXTURES / "demo")
    checkout = next(s for s in report["services"] if s["name"] == "checkout-api")
    assert [(e["path"], e["line"]) for e in checkout["evidence"]] == [
        ("deploy/k8s/checkout-api.yaml", 4),
        ("docker-compose.yml", 25),
        ("services/checkout-api/Dockerfile", 10),
        ("services/checkout-api/pyproject.toml", 11),
    ]
    assert checkout["manifests"] == ["services/checkout-api/pyproject.toml", "services/checkout-api/requirements.txt"]
    assert checkout["dockerfiles"] == ["services/checkout-api/Dockerfile"]
    assert [(d["kind"], d["path"], d["name"]) for d in checkout["deployments"]] == [
        ("kubernetes", "deploy/k8s/checkout-api.yaml", "checkout-api"),
        ("kubernetes", "deploy/k8s/checkout-api.yaml", "checkout-api"),
        ("kustomize", "deploy/k8s/kustomization.yaml", "checkout-api"),
        ("compose", "docker-compose.override.yml", "checkout-api"),
        ("compose", "docker-compose.yml", "checkout-api"),
    ]
    grpc = next(e for e in report["edges"] if (e["source"], e["target"]) == ("checkout-api", "inventory"))
    assert ("services/checkout-api/app/main.py", 50) in {(e["path"], e["line"]) for e in grpc["evidence"]}


def _continuation(lines: list[str]) -> list[str]:
    taken = []
    for line in lines:
        if not line.startswith("│ ") or line[2:3] != " ":
            break
        taken.append(line)
    return taken


def test_demo_table_shows_each_services_edges(run_cli):
    code, out, _ = run_cli("scan", FIXTURES / "demo", "--format", "table")
    assert code == 0
    lines = out[out.index("Service graph"):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("│ gateway "))
    # A row runs on while its first cell is blank.
    row = [lines[start], *(line for line in _continuation(lines[start + 1:]))]
    cells = [[cell.strip() for cell in line.strip("│").split("│")] for line in row]
    calls = {line[1] for line in cells} - {""}
    called_by = {line[2] for line in cells} - {""}
    assert calls == {"checkout-api (http)", "inventory (grpc)", "redis (redis)"}
    assert called_by == {"loadtest (http)", "storefront (http)"}
    assert "Infrastructure (not ranked)" in out
    assert "library (not ranked)" in out


# --- one fixture per kind of evidence -------------------------------------------------------

FIXTURE_ANSWERS = {
    "compose": (
        {("api", "api", "backend"), ("db-migrate", "api", "tooling"), ("web", "web", "frontend"), ("mailer", "mailer", "worker")},
        {"api": "Go", "db-migrate": "Go", "web": "TSX", "mailer": "JavaScript"},
        {("db", "postgres"), ("cache", "redis"), ("queue", "rabbitmq"), ("grafana", "grafana")},
        {
            ("api", "db", "sql"), ("api", "cache", "redis"), ("api", "queue", "amqp"), ("db-migrate", "db", "sql"),
            ("web", "api", "http"), ("mailer", "queue", "amqp"), ("mailer", "api", "http"),
        },
    ),
    "one-dockerfile": (
        {
            ("api", ".", "backend"), ("worker", ".", "worker"), ("beat", ".", "worker"), ("migrate", ".", "tooling"),
            ("billing", "services/billing", "backend"), ("shipping", "services/shipping", "backend"),
        },
        {"api": "Python", "worker": "Python", "beat": "Python", "migrate": "Python", "billing": "Go", "shipping": "Go"},
        {("broker", "redis")},
        # The four entry points ship the same code, so each gets the broker its code addresses.
        {("api", "broker", "redis"), ("worker", "broker", "redis"), ("beat", "broker", "redis"), ("migrate", "broker", "redis"), ("shipping", "billing", "http")},
    ),
    "kubernetes": (
        {
            ("orders", "services/orders", "backend"), ("orders-migrate", "services/orders", "tooling"),
            ("payments", "services/payments", "backend"), ("search", "services/search", "backend"),
            ("nightly-report", "services/reports", "worker"), ("thumbnailer", "services/thumbnailer", "backend"),
        },
        {"orders": "Java", "orders-migrate": "Java", "payments": "Python", "search": "Rust", "nightly-report": "Go", "thumbnailer": "Go"},
        {("postgres", "postgres")},
        {
            ("orders", "payments", "grpc"), ("orders", "search", "http"), ("orders", "postgres", "sql"),
            ("orders-migrate", "payments", "grpc"), ("orders-migrate", "postgres", "sql"), ("payments", "postgres", "sql"),
            ("nightly-report", "orders", "http"),
        },
    ),
    "helm": (
        {("storefront-api", "storefront-api", "backend"), ("order-worker", "order-worker", "worker")},
        {"storefront-api": "TypeScript", "order-worker": "Python"},
        {("redis", "redis"), ("postgresql", "postgres")},
        {("storefront-api", "redis", "redis"), ("storefront-api", "postgresql", "sql"), ("order-worker", "redis", "redis")},
    ),
    "aspire": (
        {
            ("catalog-api", "src/Catalog.Api", "backend"), ("ordering-worker", "src/Ordering.Worker", "worker"),
            ("web", "src/Shop.Web", "frontend"), ("admin-ui", "src/admin-ui", "frontend"), ("recommender", "src/recommender", "backend"),
            ("Shop.AppHost", "src/Shop.AppHost", "tooling"), ("Shop.ServiceDefaults", "src/Shop.ServiceDefaults", "library"),
        },
        {
            "catalog-api": "C#", "ordering-worker": "C#", "web": "C#", "admin-ui": "TypeScript", "recommender": "Python",
            "Shop.AppHost": "C#", "Shop.ServiceDefaults": "C#",
        },
        {("cache", "redis"), ("postgres", "postgres"), ("messaging", "rabbitmq"), ("mail", "mail")},
        {
            ("catalog-api", "postgres", "sql"), ("catalog-api", "cache", "redis"), ("ordering-worker", "messaging", "amqp"),
            ("ordering-worker", "mail", "smtp"), ("web", "catalog-api", "http"), ("admin-ui", "catalog-api", "http"),
            ("recommender", "cache", "redis"),
        },
    ),
    "platforms": (
        {
            ("platforms-web", ".", "backend"), ("platforms-worker", ".", "worker"), ("notifications", "functions/notifications", "backend"),
            ("ResizeFunction", "functions/thumbnails/resize", "worker"), ("ApiFunction", "functions/thumbnails/api", "backend"),
            ("webhook", "lambdas/webhook", "backend"), ("exporter", "lambdas/exporter", "backend"), ("infra", "infra", "tooling"),
        },
        {
            "platforms-web": "Python", "platforms-worker": "Python", "notifications": "JavaScript", "ResizeFunction": "Python",
            "ApiFunction": "Python", "webhook": "TypeScript", "exporter": "Python", "infra": "TypeScript",
        },
        set(),
        set(),
    ),
    "manifests": (
        {
            ("go-api", "go-api", "backend"), ("go-shared", "go-shared", "library"), ("node-api", "node-api", "backend"),
            ("orders-service", "java/orders-service", "backend"), ("common", "java/common", "library"),
            ("kotlin-api", "kotlin-api", "backend"), ("Billing.Api", "dotnet/Billing.Api", "backend"),
            ("Billing.Worker", "dotnet/Billing.Worker", "worker"), ("Billing.Core", "dotnet/Billing.Core", "library"),
            ("py-api", "py-api", "backend"), ("py-cli", "py-cli", "tooling"), ("gateway", "rust/gateway", "backend"),
            ("types", "rust/types", "library"), ("elixir-app", "elixir-app", "backend"), ("rails-app", "rails-app", "backend"),
            ("php-app", "php-app", "backend"),
        },
        {
            "go-api": "Go", "go-shared": "Go", "node-api": "JavaScript", "orders-service": "Java", "common": "Java",
            "kotlin-api": "Kotlin", "Billing.Api": "C#", "Billing.Worker": "C#", "Billing.Core": "C#", "py-api": "Python",
            "py-cli": "Python", "gateway": "Rust", "types": "Rust", "elixir-app": "Elixir", "rails-app": "Ruby", "php-app": "PHP",
        },
        set(),
        set(),
    ),
    "monolith": ({("monolith", ".", "backend")}, {"monolith": "Python"}, set(), set()),
}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_ANSWERS))
def test_fixture_services_infrastructure_and_edges(fixture):
    expected_services, _, expected_infrastructure, expected_edges = FIXTURE_ANSWERS[fixture]
    report = scanned(SERVICES / fixture)
    assert services(report) == expected_services
    assert infrastructure(report) == expected_infrastructure
    assert edges(report) == expected_edges
    assert warnings(report) == []


@pytest.mark.parametrize("fixture", sorted(FIXTURE_ANSWERS))
def test_fixture_primary_languages(fixture):
    assert languages(scanned(SERVICES / fixture)) == FIXTURE_ANSWERS[fixture][1]


def test_services_sharing_a_source_tree_own_the_same_files():
    report = scanned(SERVICES / "one-dockerfile")
    by_name = {s["name"]: s for s in report["services"]}
    assert by_name["api"]["languages"] == by_name["worker"]["languages"] == by_name["migrate"]["languages"]
    assert by_name["api"]["dockerfiles"] == ["Dockerfile"]
    assert by_name["billing"]["dockerfiles"] == ["docker/service.Dockerfile"]


CELERY_RULE = """
from readiness import hookimpl
from readiness.model import Criterion, Rule

CELERY = Rule("EXT101", "celery-task", Criterion.CONCURRENCY, "## What it finds\\n## Why it matters for a Rust rewrite\\n## Example\\n")

@hookimpl
def readiness_rules():
    return [CELERY]

@hookimpl
def readiness_analyze_file(file, text):
    return [CELERY.finding(file.path, n, "celery task", snippet=line) for n, line in enumerate(text.splitlines(), 1) if "@celery.task" in line]
"""


def test_a_finding_in_code_several_services_ship_belongs_to_each(run_cli, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "celery_rule.py").write_text(CELERY_RULE)
    report = scan(run_cli, SERVICES / "one-dockerfile", "--plugins-dir", plugins)
    found = sorted((f["service"], f["path"], f["line"]) for f in report["findings"] if f["rule"] == "EXT101")
    assert found == [(service, "shop/tasks.py", line) for service in ("api", "beat", "migrate", "worker") for line in (8, 13)]


def test_the_dotnet_solution_is_a_manifest_of_its_projects():
    report = scanned(SERVICES / "manifests")
    api = next(s for s in report["services"] if s["name"] == "Billing.Api")
    assert api["manifests"] == ["dotnet/Billing.Api/Billing.Api.csproj", "dotnet/Billing.sln"]


def test_commented_out_aspire_resources_do_not_count():
    report = scanned(SERVICES / "aspire")
    deployments = {d["name"] for s in report["services"] for d in s["deployments"]}
    assert not {"legacy-api", "legacy-api-too"} & deployments


# --- hostile input --------------------------------------------------------------------------

HOSTILE_WARNINGS = {
    ("broken-py/pyproject.toml", "not parsed: invalid TOML"),
    ("broken-rust/Cargo.toml", "not parsed: invalid TOML"),
    ("garbage/package.json", "not parsed: invalid JSON"),
    ("charts/evil/values.yaml", "not parsed: more than 200000 nodes"),
    ("deploy/bomb.yaml", "not parsed: more than 200000 nodes"),
    ("compose.yaml", "not parsed: more than 200000 nodes"),
    ("deploy/mixed.yaml", "1 YAML document(s) not parsed"),
    ("deploy/self-reference.yaml", "not parsed: nested deeper than 64 levels"),
    ("nofrom/Dockerfile", "not a Dockerfile: no FROM instruction"),
    ("docker-compose.yml", "not parsed: invalid YAML"),
}


def _warning_prefixes(report: dict) -> set[tuple[str, str]]:
    found = set()
    for path, message in warnings(report):
        prefix = next((p for (wanted_path, p) in HOSTILE_WARNINGS if wanted_path == path and message.startswith(p)), message)
        found.add((path, prefix))
    return found


def test_malformed_and_hostile_manifests_warn_naming_the_file_and_the_scan_goes_on():
    report = scanned(SERVICES / "hostile")
    assert _warning_prefixes(report) == HOSTILE_WARNINGS
    assert all("\n" not in message for _, message in warnings(report))
    assert [e for e in report["errors"] if e["hook"] != "import"] == []
    assert ("survivor", "survivor", "worker") in services(report)


def test_ten_megabyte_manifests_are_reported_not_read(run_cli, tmp_path):
    repo = tmp_path / "hostile"
    shutil.copytree(SERVICES / "hostile", repo)
    padding = "# " + "x" * 98 + "\n"
    huge = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: huge\n" + padding * 100_000
    (repo / "deploy" / "huge.yaml").write_text(huge)
    (repo / "docker-compose.override.yml").write_text("services:\n  survivor:\n    ports: ['80:80']\n" + padding * 100_000)
    (repo / "survivor" / "package.json").write_text('{"name": "x", "scripts": {"start": "node ."}, "padding": "' + "y" * 3_000_000 + '"}')
    report = scan(run_cli, repo, "--max-file-size", str(8 << 20))
    messages = dict(warnings(report))
    assert messages["deploy/huge.yaml"] == f"not read: larger than max-file-size ({len(huge):,} bytes)"
    assert messages["docker-compose.override.yml"].startswith("not read: larger than max-file-size")
    assert messages["survivor/package.json"] == "not parsed: larger than 2 MiB, not parsed"
    assert ("survivor", "survivor", "worker") in services(report)


def test_a_detector_returning_garbage_is_that_plugins_error(run_cli, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "sloppy.py").write_text(
        "from readiness import hookimpl\n\n"
        "@hookimpl\ndef readiness_detect_services(repo):\n    return ['services/gateway']\n\n"
        "@hookimpl\ndef readiness_service_edges(services):\n    raise RuntimeError('graph broke')\n"
    )
    report = scan(run_cli, FIXTURES / "demo", "--plugins-dir", plugins)
    errors = {(e["plugin"], e["hook"]): e["message"] for e in report["errors"] if e["hook"] != "import"}
    assert errors == {
        ("sloppy", "readiness_detect_services"): "plugin 'sloppy' failed in readiness_detect_services: TypeError: returned a str, not a ServiceCandidate or Infrastructure or Diagnostic",
        ("sloppy", "readiness_service_edges"): "plugin 'sloppy' failed in readiness_service_edges: RuntimeError: graph broke",
    }
    assert services(report) == DEMO_SERVICES
    assert edges(report) == DEMO_EDGES


# --- configuration: name, merge, split, re-role, ignore ----------------------------------------


def test_configuration_renames_merges_splits_reroles_and_ignores(make_repo, run_cli):
    demo = make_repo({})
    shutil.copytree(FIXTURES / "demo", demo, dirs_exist_ok=True)
    (demo / "readiness.toml").write_text(
        "[services]\n"
        'ignore = ["loadtest", "redis"]\n'
        "[services.paths]\n"
        '"services/checkout-api" = "checkout"\n'
        '"services/ledger" = "payments"\n'
        '"services/media-codec" = "payments"\n'
        '"services/inventory/src/main/java/com/acme/inventory/Inventory*.java" = "stock-api"\n'
        "[services.roles]\n"
        '"tools/*" = "worker"\n'
    )
    report = scan(run_cli, demo)
    by_name = {s["name"]: s for s in report["services"]}
    assert set(by_name) == {"checkout", "gateway", "inventory", "stock-api", "notifier", "payments", "storefront", "acme-common", "admin"}
    assert by_name["payments"]["path"] == "services/ledger"
    assert {t["language"] for t in by_name["payments"]["languages"]} == {"Rust", "C++", "CMake", "Dockerfile"}
    assert by_name["stock-api"]["path"] == "services/inventory/src/main/java/com/acme/inventory"
    assert by_name["stock-api"]["languages"][0]["files"] == 3
    assert by_name["inventory"]["languages"][0]["files"] == 4
    assert by_name["admin"]["role"] == "worker"
    assert "redis" not in {i["name"] for i in report["infrastructure"]}
    assert ("gateway", "checkout", "http") in edges(report)


def test_unknown_service_configuration_keys_are_errors(make_repo, run_cli):
    repo = make_repo({"readiness.toml": '[services]\nrename = {"a" = "b"}\n', "app.py": "x = 1\n"})
    code, _, err = run_cli("scan", repo)
    assert (code, err) == (2, "readiness: error: readiness.toml:2: unknown key 'rename' in [tool.readiness.services] (known: ignore, paths, roles)\n")
    repo = make_repo({"readiness.toml": '[services.roles]\n"tools/*" = "admin"\n', "app.py": "x = 1\n"})
    code, _, err = run_cli("scan", repo)
    assert code == 2 and err.startswith("readiness: error: readiness.toml:2: unknown role 'admin' for 'tools/*'")


def test_dockerfile_read_as_buildkit_does_names_the_copied_service(make_repo, run_cli):
    # One ARG line declaring two build arguments, and a "<<" inside quotes that starts no
    # heredoc: the COPY after it still counts, and SERVICE resolves to the directory.
    repo = make_repo(
        {
            "Dockerfile": (
                "ARG PYTHON=3.12 SERVICE=cart\n"
                "FROM python:${PYTHON}-slim\n"
                'RUN echo "usage: serve <<PORT>>" > /usage.txt\n'
                "COPY services/${SERVICE} /app\n"
                'CMD ["python", "/app/main.py"]\n'
            ),
            "services/cart/pyproject.toml": '[project]\nname = "cart"\n',
            "services/cart/main.py": "print('cart')\n",
            "services/orders/pyproject.toml": '[project]\nname = "orders"\n',
            "services/orders/main.py": "print('orders')\n",
        }
    )
    report = scan(run_cli, repo)
    assert services(report) == {("cart", "services/cart", "backend")}
    [cart] = report["services"]
    assert cart["dockerfiles"] == ["Dockerfile"]
    assert cart["evidence"] == [{"path": "Dockerfile", "line": 4, "detail": "Dockerfile builds an image from services/cart"}]
