"""Runtime evidence on the demo monorepo (fixtures/demo), end to end: services as the detectors find them."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from conftest import FIXTURES
from readiness.cli import main
from readiness.export import load_schema

GIB, MIB = 1 << 30, 1 << 20


@pytest.fixture(scope="module")
def demo() -> dict:
    out, err = io.StringIO(), io.StringIO()
    code = main(["scan", str(FIXTURES / "demo"), "--format", "json"], out=out, err=err)
    assert code == 0, err.getvalue()
    report = json.loads(out.getvalue())
    jsonschema.validate(report, load_schema())
    assert report["warnings"] == []
    return report


def facts(report: dict, rule: str) -> dict[str, dict]:
    return {f["service"]: f["facts"] for f in report["findings"] if f["rule"] == rule}


def test_runtimes_and_collectors(demo):
    assert {service: (f["runtime"], f["gc"], f["gc_source"]) for service, f in facts(demo, "RUN101").items()} == {
        "checkout-api": ("CPython", "refcount + cycles", "default"),
        "gateway": ("Node.js", "V8 generational", "default"),
        "inventory": ("JVM", "G1", "flag"),
        "notifier": ("Go", "concurrent mark-sweep", "default"),
    }
    # media-codec (C++ on debian-slim), ledger (Rust on distroless) and storefront (nginx) collect no
    # garbage; the acme-common library, the admin tool and the locust load test run nothing readiness knows.
    assert {service: (f["runtime"], f["image_family"], f["size_class"]) for service, f in facts(demo, "IMG101").items()} == {
        "checkout-api": ("CPython", "python-full", "heavy"),
        "gateway": ("Node.js", "node-full", "heavy"),
        "inventory": ("JVM", "jdk", "heavy"),
        "notifier": ("Go", "distroless-static", "minimal"),
        "media-codec": ("native", "debian-slim", "small"),
        "ledger": ("native", "distroless-cc", "minimal"),
        "storefront": ("native", "nginx-alpine", "small"),
    }
    assert set(facts(demo, "IMG102")) == {"checkout-api", "gateway", "inventory"}


def test_gc_tuning_heap_and_workers(demo):
    tuned = sorted((f["service"], f["path"], f["line"], tuple(sorted(f["facts"].items()))) for f in demo["findings"] if f["rule"] == "RUN102")
    assert tuned == [
        ("inventory", "services/inventory/Dockerfile", 5, (("gc", "G1"), ("max_gc_pause_ms", 100), ("runtime", "JVM"))),
        ("notifier", "deploy/k8s/notifier.yaml", 27, (("gogc", 50), ("runtime", "Go"))),
        ("notifier", "services/notifier/Dockerfile", 13, (("gogc", 50), ("runtime", "Go"))),
    ]
    heaps = sorted((f["service"], f["path"], f["line"]) for f in demo["findings"] if f["rule"] == "RUN103")
    assert heaps == [
        ("gateway", "services/gateway/Dockerfile", 16),
        ("gateway", "services/gateway/package.json", 12),
        ("inventory", "deploy/k8s/inventory.yaml", 29),
        ("inventory", "services/inventory/Dockerfile", 5),
        ("notifier", "deploy/k8s/notifier.yaml", 29),
        ("notifier", "services/notifier/Dockerfile", 13),
    ]
    [percent] = [f["facts"] for f in demo["findings"] if f["rule"] == "RUN103" and f["path"] == "deploy/k8s/inventory.yaml"]
    assert percent == {"heap_max_ram_percent": 70.0, "heap_from_percent_bytes": int(3 * GIB * 0.7), "runtime": "JVM"}
    assert facts(demo, "RUN104")["checkout-api"] == {"server": "gunicorn", "workers": 4, "threads": 8, "runtime": "CPython"}
    assert facts(demo, "RUN107") == {"inventory": {"runtime": "JVM", "startup_aids": "none", "autoscaled": False, "startup_grace_seconds": 60}}


def test_resources_from_compose_and_kubernetes_in_their_own_units(demo):
    limits = sorted(
        (f["service"], f["path"], f["facts"].get("memory_limit_bytes"), f["facts"].get("cpu_limit_millicores"))
        for f in demo["findings"]
        if f["rule"] == "RES101"
    )
    assert limits == [
        ("checkout-api", "deploy/k8s/checkout-api.yaml", GIB, 2000),
        ("checkout-api", "docker-compose.yml", GIB, 1000),  # compose 1G is 2^30
        ("gateway", "deploy/k8s/gateway.yaml", GIB, 1000),
        ("gateway", "docker-compose.yml", 512 * MIB, 500),  # compose 512M, cpus '0.5'
        ("inventory", "deploy/k8s/inventory.yaml", 3 * GIB, 2000),
        ("inventory", "docker-compose.yml", 3 * GIB, None),  # mem_limit: 3g
        ("media-codec", "docker-compose.yml", GIB, 2000),
        ("notifier", "deploy/k8s/notifier.yaml", 512 * MIB, 2000),
        ("notifier", "docker-compose.yml", 512 * MIB, 250),
    ]


def test_footprints_rank_the_services(demo):
    footprints = {service: (f["footprint_bytes"], f["memory_per_replica_bytes"], f["replicas_max"], f["replicas_basis"]) for service, f in facts(demo, "RES106").items()}
    assert footprints == {
        "checkout-api": (12 * GIB, GIB, 12, "HorizontalPodAutoscaler maximum"),
        "gateway": (10 * GIB, GIB, 10, "HorizontalPodAutoscaler maximum"),
        "inventory": (9 * GIB, 3 * GIB, 3, "declared replicas"),
        "notifier": (GIB, 512 * MIB, 2, "declared replicas"),
        "media-codec": (GIB, GIB, 1, "one replica assumed"),
    }
