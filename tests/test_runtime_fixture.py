"""The runtime plugins on fixtures/runtime/repo, one source at a time, with exact values.

End to end through the CLI: the services are the ones the detectors find (orders and
billing from their Kubernetes workloads, search from its Helm chart and compose file,
legacy-web and legacy-worker from one Procfile, thumbnails and reports from their
function templates...).
"""

from __future__ import annotations

import io
import json
import sys
from collections import Counter

import jsonschema
import pytest

from conftest import FIXTURES
from readiness.cli import main
from readiness.export import load_schema
from readiness.model import Repository

REPO = FIXTURES / "runtime" / "repo"
GIB, MIB = 1 << 30, 1 << 20
RUNTIME_PLUGINS = ("runtimes", "container_resources", "base_images")


@pytest.fixture(scope="module")
def report() -> dict:
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", str(REPO), "--format", "json"], out=out, err=err)
    assert code == 0, err.getvalue()
    document = json.loads(out.getvalue())
    jsonschema.validate(document, load_schema())
    return document


def found(report: dict, service: str, *rules: str) -> list[tuple[str, str, int, dict]]:
    """A service's findings from ``rules``, or from every runtime evidence rule (not the code rules)."""
    return [
        (f["rule"], f["path"], f["line"], f["facts"])
        for f in report["findings"]
        if f["service"] == service and (f["rule"] in rules if rules else f["rule"].startswith(("RUN", "RES", "IMG")))
    ]


def test_the_fixture_reads_cleanly(report):
    assert report["warnings"] == []
    assert report["errors"] == []
    assert {r["id"] for r in report["rules"] if r["plugin"] in RUNTIME_PLUGINS} == {
        "RUN101", "RUN102", "RUN103", "RUN104", "RUN105", "RUN106", "RUN107",
        "RES101", "RES102", "RES103", "RES104", "RES105", "RES106", "IMG101", "IMG102",
    }  # fmt: skip


def test_kubernetes_deployment_with_sidecar_hpa_budget_and_kustomize_override(report):
    assert found(report, "orders", "RES101", "RES102", "RES103", "RES104", "RES105", "RES106") == [
        ("RES102", "deploy/k8s/kustomization.yaml", 9, {"replicas": 4, "replicas_min": 4, "replicas_max": 4, "source": "kustomize"}),
        (
            "RES103",
            "deploy/k8s/orders-scaling.yaml",
            14,
            {"autoscaler": "hpa", "replicas_min": 2, "replicas_max": 8, "target_cpu_percent": 60, "target_memory_percent": 80},
        ),
        ("RES105", "deploy/k8s/orders-scaling.yaml", 27, {"budget": "orders-pdb", "min_available": "1"}),
        ("RES102", "deploy/k8s/orders.yaml", 6, {"replicas": 2, "replicas_min": 2, "replicas_max": 2, "source": "replicas"}),
        (
            "RES101",
            "deploy/k8s/orders.yaml",
            22,
            {
                "container": "orders",
                "cpu_request_millicores": 500,
                "memory_request_bytes": 768 * MIB,
                "cpu_limit_millicores": 2000,
                "memory_limit_bytes": 1536 * MIB,
                "source": "kubernetes",
            },
        ),
        (
            "RES106",
            "deploy/k8s/orders.yaml",
            22,
            {
                # orders (1536Mi) and its envoy sidecar (128M, decimal) per pod, times the HPA's maximum.
                "memory_per_replica_bytes": 1536 * MIB + 128_000_000,
                "replicas_min": 2,
                "replicas_max": 8,
                "footprint_bytes": 8 * (1536 * MIB + 128_000_000),
                "footprint_min_bytes": 2 * (1536 * MIB + 128_000_000),
                "cpu_per_replica_millicores": 2250,
                "cpu_footprint_millicores": 18000,
                "memory_basis": "limit",
                "replicas_basis": "HorizontalPodAutoscaler maximum",
                "source": "kubernetes",
            },
        ),
        ("RES104", "deploy/k8s/orders.yaml", 29, {"container": "orders", "probe": "startup", "startup_grace_seconds": 70}),
        ("RES101", "deploy/k8s/orders.yaml", 38, {"container": "envoy", "cpu_limit_millicores": 250, "memory_limit_bytes": 128_000_000, "source": "kubernetes"}),
    ]


def test_jvm_flags_in_the_manifest_win_and_a_percentage_heap_uses_its_own_container(report):
    assert found(report, "orders", "RUN101", "RUN102", "RUN103", "RUN107") == [
        ("RUN102", "deploy/k8s/orders.yaml", 21, {"gc": "ZGC", "runtime": "JVM"}),
        # 75% of the orders container's 1536 MiB, not of the envoy sidecar's 128 MiB.
        ("RUN103", "deploy/k8s/orders.yaml", 21, {"heap_max_ram_percent": 75, "heap_from_percent_bytes": 1152 * MIB, "runtime": "JVM"}),
        ("RUN101", "services/orders/Dockerfile", 18, {"runtime": "JVM", "gc": "ZGC", "gc_source": "flag", "garbage_collected": True}),
    ]  # no RUN107: the image starts with an application class-data archive


def test_multi_stage_jre_image(report):
    [(rule, path, line, facts)] = found(report, "orders", "IMG101", "IMG102")
    assert (rule, path, line) == ("IMG101", "services/orders/Dockerfile", 12)
    assert facts == {
        "image": "eclipse-temurin:21-jre-alpine",
        "image_family": "jre-alpine",
        "size_class": "medium",
        "runtime": "JVM",
        "stages": 2,
        "multi_stage": True,
        "runs_as_root": False,
        "healthcheck": True,
        "exposed_ports": "8080",
    }


def test_keda_scale_to_zero_jvm_with_small_limits_and_jvm_config(report):
    assert found(report, "billing") == [
        ("RES101", "deploy/k8s/billing.yaml", 15, {"container": "billing", "cpu_limit_millicores": 1000, "memory_limit_bytes": GIB, "source": "kubernetes"}),
        (
            "RES106",
            "deploy/k8s/billing.yaml",
            15,
            {
                "memory_per_replica_bytes": GIB,
                "replicas_min": 0,
                "replicas_max": 5,
                "footprint_bytes": 5 * GIB,
                "footprint_min_bytes": 0,
                "cpu_per_replica_millicores": 1000,
                "cpu_footprint_millicores": 5000,
                "memory_basis": "limit",
                "replicas_basis": "KEDA ScaledObject maximum",
                "source": "kubernetes",
            },
        ),
        ("RES104", "deploy/k8s/billing.yaml", 19, {"container": "billing", "probe": "liveness", "startup_grace_seconds": 45}),
        ("RES103", "deploy/k8s/billing.yaml", 27, {"autoscaler": "keda", "replicas_min": 0, "replicas_max": 5}),
        ("RUN106", "deploy/k8s/billing.yaml", 27, {"autoscaler": "keda", "replicas_min": 0, "replicas_max": 5, "runtime": "JVM", "slow_start": True}),
        (
            "IMG101",
            "services/billing/Dockerfile",
            1,
            {
                "image": "eclipse-temurin:17-jdk",
                "image_family": "jdk",
                "size_class": "heavy",
                "runtime": "JVM",
                "stages": 1,
                "multi_stage": False,
                "runs_as_root": True,
                "healthcheck": False,
            },
        ),
        (
            "IMG102",
            "services/billing/Dockerfile",
            1,
            {
                "image": "eclipse-temurin:17-jdk",
                "image_family": "jdk",
                "size_class": "heavy",
                "runtime": "JVM",
                "stages": 1,
                "multi_stage": False,
                "runs_as_root": True,
                "healthcheck": False,
                "reason": "a full JDK where a JRE or distroless Java image would run the service",
            },
        ),
        # One CPU is not "server class": the JVM picks Serial, not G1.
        ("RUN101", "services/billing/Dockerfile", 4, {"runtime": "JVM", "gc": "Serial", "gc_source": "default", "garbage_collected": True}),
        ("RUN107", "services/billing/Dockerfile", 4, {"runtime": "JVM", "startup_aids": "none", "autoscaled": True, "startup_grace_seconds": 45}),
        (
            "RUN103",
            "services/billing/jvm.config",
            2,
            {"heap_initial_bytes": 768 * MIB, "heap_max_bytes": 768 * MIB, "direct_memory_max_bytes": 256 * MIB, "runtime": "JVM"},
        ),
        ("RUN102", "services/billing/jvm.config", 4, {"max_gc_pause_ms": 50, "runtime": "JVM"}),
    ]


def test_helm_values_compose_and_package_json(report):
    assert found(report, "search", "RES101", "RES102", "RES103", "RES106", "RUN103") == [
        ("RES102", "charts/search/values.yaml", 5, {"replicas": 2, "replicas_min": 2, "replicas_max": 2, "source": "helm"}),
        ("RES103", "charts/search/values.yaml", 10, {"autoscaler": "helm", "replicas_min": 2, "replicas_max": 6, "target_cpu_percent": 75}),
        ("RUN103", "charts/search/values.yaml", 14, {"heap_max_bytes": 896 * MIB, "runtime": "Node.js"}),
        (
            "RES101",
            "charts/search/values.yaml",
            16,
            {"container": "search", "cpu_request_millicores": 250, "memory_request_bytes": 512 * MIB, "cpu_limit_millicores": 1000, "memory_limit_bytes": GIB, "source": "helm"},
        ),
        (
            "RES106",
            "charts/search/values.yaml",
            16,
            {
                # Helm values describe production better than the compose file.
                "memory_per_replica_bytes": GIB,
                "replicas_min": 2,
                "replicas_max": 6,
                "footprint_bytes": 6 * GIB,
                "footprint_min_bytes": 2 * GIB,
                "cpu_per_replica_millicores": 1000,
                "cpu_footprint_millicores": 6000,
                "memory_basis": "limit",
                "replicas_basis": "Helm autoscaling values maximum",
                "source": "helm",
            },
        ),
        # compose: mem_limit 1g is 2^30 bytes (Docker's units), cpus 1.5 is 1500 millicores.
        ("RES101", "docker-compose.yml", 21, {"container": "search", "cpu_limit_millicores": 1500, "memory_limit_bytes": GIB, "source": "compose"}),
        ("RES102", "docker-compose.yml", 25, {"replicas": 2, "replicas_min": 2, "replicas_max": 2, "source": "compose"}),
        ("RUN103", "docker-compose.yml", 26, {"heap_max_bytes": 768 * MIB, "runtime": "Node.js"}),
        ("RUN103", "services/search/package.json", 6, {"heap_max_bytes": 1536 * MIB, "runtime": "Node.js"}),
    ]


def test_compose_anchors_interpolation_entry_script_and_gunicorn_config(report):
    assert found(report, "api", "RES101", "RES102", "RES106", "RUN103", "RUN104") == [
        # Resources come through the x-small anchor's merge key, 768M through ${API_MEMORY:-768M}.
        ("RES101", "docker-compose.yml", 5, {"container": "api", "memory_request_bytes": 256 * MIB, "cpu_limit_millicores": 500, "memory_limit_bytes": 768 * MIB, "source": "compose"}),
        (
            "RES106",
            "docker-compose.yml",
            5,
            {
                "memory_per_replica_bytes": 768 * MIB,
                "replicas_min": 3,
                "replicas_max": 3,
                "footprint_bytes": 3 * 768 * MIB,
                "footprint_min_bytes": 3 * 768 * MIB,
                "cpu_per_replica_millicores": 500,
                "cpu_footprint_millicores": 1500,
                "memory_basis": "limit",
                "replicas_basis": "compose replicas",
                "source": "compose",
            },
        ),
        ("RES102", "docker-compose.yml", 11, {"replicas": 3, "replicas_min": 3, "replicas_max": 3, "source": "compose"}),
        ("RUN104", "docker-compose.yml", 18, {"server": "gunicorn", "workers": 5, "runtime": "CPython"}),
        ("RUN103", "services/api/docker-entrypoint.sh", 4, {"malloc_arena_max": 2, "runtime": "CPython"}),
        ("RUN104", "services/api/gunicorn.conf.py", 2, {"server": "gunicorn", "workers": 3, "threads": 4, "worker_class": "gthread", "runtime": "CPython"}),
    ]


def test_knative_go_service_on_scratch(report):
    assert found(report, "ingest", "RUN101", "RUN102", "RUN103", "RUN106", "RES103", "IMG101") == [
        ("RES103", "deploy/knative/ingest.yaml", 6, {"autoscaler": "knative", "replicas_min": 0, "replicas_max": 20}),
        ("RUN106", "deploy/knative/ingest.yaml", 6, {"autoscaler": "knative", "replicas_min": 0, "replicas_max": 20, "runtime": "Go", "slow_start": False}),
        ("RUN103", "deploy/knative/ingest.yaml", 15, {"go_memory_limit_bytes": 200 * MIB, "runtime": "Go"}),
        ("RUN102", "deploy/knative/ingest.yaml", 17, {"gogc": 200, "runtime": "Go"}),
        (
            "IMG101",
            "services/ingest/Dockerfile",
            6,
            {"image": "scratch", "image_family": "scratch", "size_class": "minimal", "runtime": "Go", "stages": 2, "multi_stage": True, "runs_as_root": True, "healthcheck": False},
        ),
        ("RUN101", "services/ingest/Dockerfile", 6, {"runtime": "Go", "gc": "concurrent mark-sweep", "gc_source": "default", "garbage_collected": True}),
    ]


def test_dotnet_project_runtimeconfig_and_environment(report):
    assert found(report, "pricing", "RUN101", "RUN102", "RUN103") == [
        ("RUN102", "services/pricing/Dockerfile", 9, {"dotnet_gen0_bytes": 64 * MIB, "runtime": ".NET"}),
        ("RUN101", "services/pricing/Dockerfile", 10, {"runtime": ".NET", "gc": "server GC", "gc_source": "flag", "garbage_collected": True}),
        ("RUN102", "services/pricing/Pricing.csproj", 4, {"dotnet_server_gc": True, "dotnet_concurrent_gc": False, "runtime": ".NET"}),
        ("RUN103", "services/pricing/runtimeconfig.template.json", 3, {"heap_max_bytes": 300 * MIB, "runtime": ".NET"}),
        ("RUN102", "services/pricing/runtimeconfig.template.json", 4, {"dotnet_retain_vm": True, "runtime": ".NET"}),
    ]


def test_one_procfile_two_processes(report):
    # Each process's runtime from the program its line starts; puma's config belongs to the web process.
    assert found(report, "legacy-web") == [
        ("RUN101", "services/legacy/Procfile", 1, {"runtime": "Ruby", "gc": "generational mark-sweep", "gc_source": "default", "garbage_collected": True}),
        ("RUN104", "services/legacy/config/puma.rb", 3, {"server": "puma", "workers": 3, "runtime": "Ruby"}),
    ]
    assert found(report, "legacy-worker") == [
        ("RUN101", "services/legacy/Procfile", 2, {"runtime": "Ruby", "gc": "generational mark-sweep", "gc_source": "default", "garbage_collected": True}),
        ("RUN104", "services/legacy/Procfile", 2, {"server": "sidekiq", "threads": 10, "runtime": "Ruby"}),
    ]


def test_serverless_framework_defaults_and_overrides(report):
    assert found(report, "thumbnails") == [
        (
            "RES106",
            "functions/thumbnails/serverless.yml",
            12,
            {
                "memory_per_replica_bytes": 3008 * MIB,
                "footprint_bytes": 3008 * MIB + 4 * 2048 * MIB,
                "memory_basis": "function memory",
                "replicas_basis": "concurrent invocations",
                "source": "serverless",
            },
        ),
        ("RUN101", "functions/thumbnails/serverless.yml", 12, {"runtime": "JVM", "gc": "G1", "gc_source": "default", "garbage_collected": True}),
        (
            "RUN105",
            "functions/thumbnails/serverless.yml",
            12,
            {
                "runtime": "JVM",
                "function_runtime": "java17",
                "memory_bytes": 3008 * MIB,
                "memory_default": False,
                "timeout_seconds": 20,
                "snap_start": True,
                "cold_start_sensitive": False,
            },
        ),
        (
            "RUN105",
            "functions/thumbnails/serverless.yml",
            16,
            {
                "runtime": "JVM",
                "function_runtime": "java17",
                "memory_bytes": 2048 * MIB,
                "memory_default": False,
                "timeout_seconds": 60,
                "reserved_concurrency": 4,
                "snap_start": False,
                "cold_start_sensitive": True,
            },
        ),
    ]


def test_sam_template_with_globals_and_cloudformation_tags(report):
    assert found(report, "reports", "RUN105") == [
        (
            "RUN105",
            "functions/reports/template.yaml",
            11,
            {
                "runtime": "CPython",
                "function_runtime": "python3.12",
                "memory_bytes": GIB,
                "memory_default": False,
                "timeout_seconds": 15,
                "reserved_concurrency": 5,
                "snap_start": False,
                "cold_start_sensitive": False,
            },
        ),
        (
            "RUN105",
            "functions/reports/template.yaml",
            21,
            {
                "runtime": "native",
                "function_runtime": "provided.al2023",
                "memory_bytes": 512 * MIB,
                "memory_default": False,
                "timeout_seconds": 900,
                "snap_start": False,
                "cold_start_sensitive": False,
            },
        ),
    ]


def test_messages_state_the_footprint_assumptions(report):
    [footprint] = [f for f in report["findings"] if f["service"] == "orders" and f["rule"] == "RES106"]
    assert footprint["message"] == (
        "footprint up to 13 GiB, 18 CPUs: 1.6 GiB memory limit per replica x 8 replicas "
        "(HorizontalPodAutoscaler maximum, deploy/k8s/orders.yaml); at least 3.2 GiB. "
        "Assumes every replica uses its full memory figure"
    )


def test_the_table_report_summarises_each_services_runtime(run_cli):
    code, out, _ = run_cli("scan", REPO)
    assert code == 0
    rows = {line.split("│")[1].strip(): [cell.strip() for cell in line.split("│")[2:-1]] for line in out.splitlines() if line.count("│") == 6}
    assert rows["orders"] == ["JVM (ZGC)", "jre-alpine, medium", "1.6 GiB x 2-8", "13 GiB"]
    assert rows["billing"] == ["JVM (Serial)", "jdk, heavy", "1 GiB x 0-5", "5 GiB"]
    assert rows["api"] == ["CPython (refcount + cycles)", "python-slim, small", "768 MiB x 3", "2.2 GiB"]
    assert rows["pricing"] == [".NET (server GC)", "dotnet-aspnet, medium", "-", "-"]
    assert rows["ingest"] == ["Go (concurrent mark-sweep)", "scratch, minimal", "256 MiB x 0-20", "5 GiB"]
    assert rows["thumbnails"] == ["JVM (G1)", "-", "-", "10.9 GiB"]


def test_the_runtime_plugins_read_each_file_once_per_scan(run_cli, monkeypatch):
    reads: Counter[str] = Counter()
    original = Repository.read_bytes

    def counting(self: Repository, path: str) -> bytes | None:
        if sys._getframe(1).f_code.co_filename.endswith("_runtime_evidence.py"):
            reads[path] += 1
        return original(self, path)

    monkeypatch.setattr(Repository, "read_bytes", counting)
    code, _, _ = run_cli("scan", REPO, "--format", "json")
    assert code == 0
    # docker-compose.yml serves two services and deploy/k8s/*.yaml are read as each other's siblings.
    assert {"docker-compose.yml", "deploy/k8s/orders.yaml", "deploy/k8s/kustomization.yaml", "services/legacy/Procfile"} <= set(reads)
    assert [path for path, count in reads.items() if count > 1] == []


def test_the_slow_start_threshold_is_configurable(run_cli, tmp_path):
    config = tmp_path / "readiness.toml"
    config.write_text("[plugins.container_resources]\nslow_start_seconds = 50\n")
    code, out, err = run_cli("scan", REPO, "--format", "json", "--config", config)
    assert code == 0, err
    slow = [(f["service"], f["facts"]["startup_grace_seconds"]) for f in json.loads(out)["findings"] if f["rule"] == "RES104"]
    assert slow == [("orders", 70)]  # billing's 45 s liveness delay is under the threshold now
