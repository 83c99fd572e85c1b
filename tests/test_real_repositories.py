"""Service detection on reconstructions of well-known public polyglot repositories.

fixtures/services/real-*/ rewrite the layout and deployment facts (file list, compose,
Kubernetes, Helm, skaffold, Aspire and build manifests) of three public repositories,
with a few-line source stub per service. The expected answer is each project's own
documented list of services, with the language and role its documentation gives.
"""

from __future__ import annotations

import functools
import io
import json

import jsonschema
import pytest

from readiness.cli import main
from readiness.export import load_schema

from conftest import FIXTURES

NOT_DEPLOYABLE = ("library", "tooling")
"""Listed by readiness but never claimed to be deployable services."""

DOCUMENTED = {
    # GoogleCloudPlatform/microservices-demo: README's service table, plus the optional
    # shopping-assistant kustomize component. Everything is deployed by skaffold/kubectl.
    "real-microservices-demo": {
        "adservice": ("Java", "backend"),
        "cartservice": ("C#", "backend"),
        "checkoutservice": ("Go", "backend"),
        "currencyservice": ("JavaScript", "backend"),
        "emailservice": ("Python", "backend"),
        "frontend": ("Go", "backend"),
        "loadgenerator": ("Python", "load-generator"),
        "paymentservice": ("JavaScript", "backend"),
        "productcatalogservice": ("Go", "backend"),
        "recommendationservice": ("Python", "backend"),
        "shippingservice": ("Go", "backend"),
        "shoppingassistantservice": ("Python", "backend"),
    },
    # dotnet/eShop: the resources its Aspire AppHost adds (no Dockerfile, compose file or manifest).
    "real-eshop": {
        "identity-api": ("C#", "backend"),
        "basket-api": ("C#", "backend"),
        "catalog-api": ("C#", "backend"),
        "ordering-api": ("C#", "backend"),
        "order-processor": ("C#", "worker"),
        "payment-processor": ("C#", "worker"),
        "webhooks-api": ("C#", "backend"),
        "mobile-bff": ("C#", "backend"),
        "webhooksclient": ("C#", "frontend"),
        "webapp": ("C#", "frontend"),
    },
    # dockersamples/example-voting-app: README's architecture, plus the seed-data load generator.
    "real-voting-app": {
        "vote": ("Python", "backend"),
        "result": ("JavaScript", "backend"),
        "worker": ("C#", "worker"),
        "seed": ("Python", "load-generator"),
    },
}
NOT_DEPLOYABLE_LISTED = {
    "real-microservices-demo": set(),
    "real-eshop": {
        ("eShop.AppHost", "tooling"), ("eShop.ServiceDefaults", "library"), ("EventBus", "library"),
        ("EventBusRabbitMQ", "library"), ("IntegrationEventLogEF", "library"), ("Ordering.Domain", "library"),
        ("Ordering.Infrastructure", "library"), ("WebAppComponents", "library"),
    },
    "real-voting-app": set(),
}
INFRASTRUCTURE = {
    "real-microservices-demo": {("redis-cart", "redis")},
    "real-eshop": {("redis", "redis"), ("eventbus", "rabbitmq"), ("postgres", "postgres")},
    "real-voting-app": {("redis", "redis"), ("db", "postgres")},
}
EDGES = {
    # The architecture diagram of microservices-demo, every call gRPC but the browser's.
    "real-microservices-demo": {
        *{("frontend", target, "grpc") for target in ("adservice", "cartservice", "checkoutservice", "currencyservice", "productcatalogservice", "recommendationservice", "shippingservice")},
        *{("checkoutservice", target, "grpc") for target in ("cartservice", "currencyservice", "emailservice", "paymentservice", "productcatalogservice", "shippingservice")},
        ("recommendationservice", "productcatalogservice", "grpc"),
        ("frontend", "shoppingassistantservice", "http"),
        ("cartservice", "redis-cart", "redis"),
        ("loadgenerator", "frontend", "http"),
    },
    "real-eshop": {
        ("identity-api", "postgres", "sql"),
        ("basket-api", "redis", "redis"), ("basket-api", "eventbus", "amqp"),
        ("catalog-api", "eventbus", "amqp"), ("catalog-api", "postgres", "sql"),
        ("ordering-api", "eventbus", "amqp"), ("ordering-api", "postgres", "sql"),
        ("order-processor", "eventbus", "amqp"), ("order-processor", "postgres", "sql"),
        ("payment-processor", "eventbus", "amqp"),
        ("webhooks-api", "eventbus", "amqp"), ("webhooks-api", "postgres", "sql"),
        ("mobile-bff", "catalog-api", "unknown"), ("mobile-bff", "ordering-api", "unknown"),
        ("mobile-bff", "basket-api", "unknown"), ("mobile-bff", "identity-api", "unknown"),
        ("webhooksclient", "webhooks-api", "http"),
        ("webapp", "basket-api", "grpc"), ("webapp", "catalog-api", "http"), ("webapp", "ordering-api", "http"),
        ("webapp", "eventbus", "amqp"),
    },
    "real-voting-app": {
        ("vote", "redis", "redis"), ("worker", "redis", "redis"), ("worker", "db", "sql"), ("result", "db", "sql"),
        ("seed", "vote", "http"),
    },
}


@functools.cache
def scan(fixture: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    assert main(["scan", str(FIXTURES / "services" / fixture), "--format", "json"], out=out, err=err) == 0, err.getvalue()
    report = json.loads(out.getvalue())
    jsonschema.validate(report, load_schema())
    return report


def recall_and_spurious(report: dict, documented: dict[str, tuple[str, str]]) -> tuple[float, float]:
    """The share of documented services found with the right language and role, and the share of
    deployable services found that are not documented."""
    deployable = {s["name"]: (s["primary_language"], s["role"]) for s in report["services"] if s["role"] not in NOT_DEPLOYABLE}
    right = sum(1 for name, answer in documented.items() if deployable.get(name) == answer)
    spurious = sum(1 for name in deployable if name not in documented)
    return right / len(documented), spurious / max(len(deployable), 1)


@pytest.mark.parametrize("fixture", sorted(DOCUMENTED))
def test_the_documented_services_and_only_them(fixture):
    report = scan(fixture)
    found = {s["name"]: s["role"] for s in report["services"]}
    assert {name: role for name, role in found.items() if role not in NOT_DEPLOYABLE} == {n: r for n, (_, r) in DOCUMENTED[fixture].items()}
    assert {(name, role) for name, role in found.items() if role in NOT_DEPLOYABLE} == NOT_DEPLOYABLE_LISTED[fixture]
    assert {(i["name"], i["kind"]) for i in report["infrastructure"]} == INFRASTRUCTURE[fixture]
    assert {(e["source"], e["target"], e["protocol"]) for e in report["edges"]} == EDGES[fixture]
    assert report["warnings"] == []


@pytest.mark.parametrize("fixture", sorted(DOCUMENTED))
def test_recall_and_spurious_rate_meet_the_bar(fixture):
    recall, spurious = recall_and_spurious(scan(fixture), DOCUMENTED[fixture])
    assert recall >= 0.95 and spurious < 0.05, (recall, spurious)
