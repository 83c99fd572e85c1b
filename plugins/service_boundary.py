"""Boundary (BND1xx): can the service be rewritten on its own, behind a contract that stays put?

A clear contract (a gRPC service defined in protobuf, an OpenAPI document, a queue topic)
lets traffic move piece by piece to the rewrite; a database other services also use, or
a cache they share, couples them through data no contract describes. Read from the
service graph (edges to shared infrastructure, gRPC and queue edges) and the files the
service owns. Change coupling in the history (HIST130) is the history plugin's rule,
which the scoring model adds to the same criterion.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.model import Contribution, Criterion, Edge, Evidence, Report, Rule, Service

DATABASE_KINDS = frozenset(
    {"postgres", "mysql", "mariadb", "mongodb", "sqlserver", "mssql", "oracle", "cassandra", "scylla", "cockroachdb", "couchdb", "dynamodb", "elasticsearch", "clickhouse"}
)
CACHE_KINDS = frozenset({"redis", "memcached", "valkey", "keydb", "dragonfly"})
QUEUE_PROTOCOLS = frozenset({"kafka", "amqp", "nats", "sqs", "sns", "pubsub", "eventbus"})
SHARED_DATABASE_POINTS = 25.0
SHARED_CACHE_POINTS = 6.0
GRPC_CONTRACT_POINTS = -10.0
OPENAPI_CONTRACT_POINTS = -10.0
GRAPHQL_CONTRACT_POINTS = -8.0
QUEUE_CONTRACT_POINTS = -5.0
"""Boundary points: coupling adds, a declared contract takes off (the criterion never goes below 0)."""
OPENAPI_FILE = re.compile(r"(?:^|/)(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$", re.I)
GRAPHQL_FILE = re.compile(r"\.(?:graphql|graphqls|gql)$", re.I)


def _doc(finds: str, why: str, example: str) -> str:
    return f"## What it finds\n{finds}\n\n## Why it matters for a Rust rewrite\n{why}\n\n## Example\n{example}\n"


SHARED_DATASTORE = Rule(
    "BND101",
    "shared-datastore",
    Criterion.BOUNDARY,
    _doc(
        f"A database the service uses together with other services ({SHARED_DATABASE_POINTS:g} boundary points), "
        f"or a cache it shares with them ({SHARED_CACHE_POINTS:g}), from the service graph's edges to infrastructure.",
        "Services that share tables are coupled through a schema no API describes: a "
        "rewrite must keep every query, transaction and migration compatible with the "
        "others, or move them all at once.",
        "```text\nservices/checkout-api: shares the postgres database with inventory, ledger\n```",
    ),
)
DECLARED_CONTRACT = Rule(
    "BND102",
    "declared-contract",
    Criterion.BOUNDARY,
    _doc(
        f"A contract the service is reached through: a gRPC service defined in protobuf "
        f"({GRPC_CONTRACT_POINTS:g} boundary points), an OpenAPI or Swagger document it owns "
        f"({OPENAPI_CONTRACT_POINTS:g}), a GraphQL schema ({GRAPHQL_CONTRACT_POINTS:g}), queue topics "
        f"({QUEUE_CONTRACT_POINTS:g}).",
        "A declared contract lets the rewrite be tested against the same interface and "
        "traffic be moved to it piece by piece (the strangler pattern), which is what makes "
        "a rewrite of one microservice safe.",
        "```text\nservices/inventory: called over gRPC (proto/inventory/v1/inventory.proto)\n```",
    ),
)

RULES = (SHARED_DATASTORE, DECLARED_CONTRACT)


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(RULES)


def _first(edge: Edge) -> Evidence:
    return edge.evidence[0] if edge.evidence else Evidence(".", 0, f"{edge.source} -> {edge.target}")


@hookimpl
def readiness_score_service(service: Service, report: Report) -> list[Contribution]:
    contributions = []
    kinds = {item.name: item.kind for item in report.infrastructure}
    users: dict[str, set[str]] = {}
    for edge in report.edges:
        if edge.target in kinds:
            users.setdefault(edge.target, set()).add(edge.source)
    shared: set[str] = set()
    for edge in report.edges:
        if edge.source != service.name or edge.target not in kinds or edge.target in shared:
            continue
        others = sorted(users[edge.target] - {service.name})
        kind = kinds[edge.target]
        if others and kind in DATABASE_KINDS | CACHE_KINDS:
            points = SHARED_DATABASE_POINTS if kind in DATABASE_KINDS else SHARED_CACHE_POINTS
            what = "database" if kind in DATABASE_KINDS else "cache"
            reason = f"shares the {edge.target} {what} with {', '.join(others)}"
            shared.add(edge.target)
            contributions.append(Contribution(Criterion.BOUNDARY, points, reason, rule=SHARED_DATASTORE.id, evidence=_first(edge)))
    grpc = next((e for e in report.edges if e.target == service.name and e.protocol == "grpc"), None)
    protos = [path for path in service.files if path.endswith(".proto")]
    if grpc is not None or protos:
        evidence = _first(grpc) if grpc is not None else Evidence(protos[0], 0, "protobuf definition")
        where = f"called over gRPC by {grpc.source}" if grpc is not None else f"defines its gRPC interface in {protos[0]}"
        contributions.append(Contribution(Criterion.BOUNDARY, GRPC_CONTRACT_POINTS, f"a gRPC contract: {where}", rule=DECLARED_CONTRACT.id, evidence=evidence))
    openapi = next((path for path in service.files if OPENAPI_FILE.search(path)), None)
    if openapi:
        contributions.append(Contribution(Criterion.BOUNDARY, OPENAPI_CONTRACT_POINTS, f"an OpenAPI contract: {openapi}", rule=DECLARED_CONTRACT.id,
                                          evidence=Evidence(openapi, 0, "OpenAPI document")))
    graphql = next((path for path in service.files if GRAPHQL_FILE.search(path)), None)
    if graphql:
        contributions.append(Contribution(Criterion.BOUNDARY, GRAPHQL_CONTRACT_POINTS, f"a GraphQL schema: {graphql}", rule=DECLARED_CONTRACT.id,
                                          evidence=Evidence(graphql, 0, "GraphQL schema")))
    queue = next((e for e in report.edges if service.name in (e.source, e.target) and e.protocol in QUEUE_PROTOCOLS), None)
    if queue is not None:
        contributions.append(Contribution(Criterion.BOUNDARY, QUEUE_CONTRACT_POINTS, f"talks through {queue.protocol} topics", rule=DECLARED_CONTRACT.id,
                                          evidence=_first(queue)))
    return contributions
