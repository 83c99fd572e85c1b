"""Finding which service an address points at: URLs, ``host:port`` pairs, DSNs and broker lists.

Not a plugin. The compose, Kubernetes and source-code edge finders read configuration
values (``INVENTORY_ADDR=inventory:9090``, ``DATABASE_URL=postgres://...@postgres/shop``,
``KAFKA_BROKERS=kafka-0.kafka:9092,...``) and resolve each host to a service or
infrastructure name, with the protocol the scheme, the variable or the target's kind
implies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from readiness.model import Infrastructure, Service

UNKNOWN = "unknown"

_URL = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,30})://(?:[^@/\s\"'<>]{0,200}@)?(?P<hosts>[^/\s?#\"'<>]{1,500})")
_HOST_PORT = re.compile(r"^(?P<host>[A-Za-z][A-Za-z0-9.-]{0,252}):(?P<port>\d{1,5})$")
_BARE_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9.-]{0,252}$")
_HOST_VARIABLE = re.compile(r"(HOST|HOSTNAME|SERVER|ADDR|ADDRESS)$")

_SCHEMES = {
    "http": "http", "https": "http", "ws": "websocket", "wss": "websocket", "grpc": "grpc", "grpcs": "grpc",
    "redis": "redis", "rediss": "redis", "postgres": "sql", "postgresql": "sql", "mysql": "sql", "mariadb": "sql",
    "sqlserver": "sql", "mssql": "sql", "oracle": "sql", "cockroachdb": "sql", "mongodb": "mongodb",
    "mongodb+srv": "mongodb", "amqp": "amqp", "amqps": "amqp", "nats": "nats", "tls": "nats", "kafka": "kafka",
    "plaintext": "kafka", "sasl_plaintext": "kafka", "sasl_ssl": "kafka", "memcached": "memcached", "pulsar": "pulsar",
    "bolt": "neo4j", "neo4j": "neo4j", "cassandra": "cql", "s3": "s3", "sqs": "sqs",
}

KIND_PROTOCOLS = {
    "redis": "redis", "memcached": "memcached", "postgres": "sql", "mysql": "sql", "sqlserver": "sql", "oracle": "sql",
    "cockroachdb": "sql", "clickhouse": "sql", "mongodb": "mongodb", "cassandra": "cql", "couchdb": "http",
    "couchbase": "couchbase", "neo4j": "neo4j", "dynamodb": "dynamodb", "kafka": "kafka", "zookeeper": "zookeeper",
    "rabbitmq": "amqp", "activemq": "amqp", "nats": "nats", "nsq": "nsq", "pulsar": "pulsar", "elasticsearch": "http",
    "solr": "http", "meilisearch": "http", "typesense": "http", "influxdb": "http", "vector-db": "http",
    "object-storage": "s3", "aws-emulator": "aws", "etcd": "grpc", "consul": "http", "vault": "http",
    "identity": "http", "tracing": "otlp", "otel-collector": "otlp", "logging": "http", "mail": "smtp",
    "temporal": "grpc", "llm": "http", "proxy": "http",
}
"""The protocol a client speaks to each kind of infrastructure."""

_VARIABLE_PROTOCOLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"KAFKA|BROKERS|BOOTSTRAP"), "kafka"),
    (re.compile(r"GRPC"), "grpc"),
    (re.compile(r"AMQP|RABBIT"), "amqp"),
    (re.compile(r"NATS"), "nats"),
    (re.compile(r"REDIS"), "redis"),
    (re.compile(r"DATABASE|DATASOURCE|_DSN$|_DB_|POSTGRES|MYSQL"), "sql"),
    (re.compile(r"MONGO"), "mongodb"),
)


@dataclass(frozen=True, slots=True)
class Address:
    host: str
    port: int | None
    scheme: str | None


def addresses(value: str, variable: str = "") -> list[Address]:
    """Every host a configuration value names: in URLs (several hosts after ``://`` too), ``host:port``
    lists, and the bare host of a variable named for one (``DB_HOST=postgres``)."""
    value = value[:4096]
    found: list[Address] = []
    for match in _URL.finditer(value):
        scheme = match.group("scheme").lower()
        for part in match.group("hosts").split(","):
            host, _, port = part.strip().rpartition(":") if ":" in part else (part.strip(), "", "")
            found.append(Address(host.lower(), int(port) if port.isdigit() else None, scheme))
    if found:
        return found
    for part in re.split(r"[,;\s]+", value.strip()):
        pair = _HOST_PORT.match(part)
        if pair:
            found.append(Address(pair.group("host").lower(), int(pair.group("port")), None))
    if not found and _HOST_VARIABLE.search(variable.upper()) and _BARE_HOST.match(value.strip()):
        found.append(Address(value.strip().lower(), None, None))
    return found


_PUBLIC_LABELS = frozenset(
    {"com", "org", "net", "io", "dev", "app", "co", "ai", "cloud", "info", "biz", "me", "us", "uk", "de", "fr", "eu",
     "example", "test", "invalid", "localhost", "local", "internal", "corp", "lan", "tech", "site", "online"}
)


def host_names(host: str) -> list[str]:
    """The names a host may stand for: itself, a cluster-local name's service (``redis.ns.svc.cluster.local``),
    a StatefulSet pod's service (``kafka-0.kafka``), and a pod ordinal dropped (``kafka-0``). Public
    domain names stand only for themselves."""
    names = [host]
    labels = host.split(".")
    if len(labels) > 1 and (".svc" in host or host.endswith(".cluster.local")):
        names.append(labels[0])
    elif len(labels) == 2 and labels[1] not in _PUBLIC_LABELS:
        names += [labels[0], labels[1]]
    stripped = re.sub(r"-\d+$", "", labels[0])
    if stripped != labels[0]:
        names.append(stripped)
    return names


NOT_CALLED_ROLES = frozenset({"library", "tooling", "load-generator"})
"""Roles nothing calls over the network: a library is linked, a tool and a load generator only call others."""


class Directory:
    """Every name a callable service or infrastructure answers to, and what it is."""

    def __init__(self, services: Iterable[Service], infrastructure: Iterable[Infrastructure], aliases: Mapping[str, str] | None = None) -> None:
        self.kinds: dict[str, str | None] = {}
        self.names: dict[str, str] = {}
        self._normalized: dict[str, str] = {}
        for service in services:
            if service.role in NOT_CALLED_ROLES:
                continue
            self.kinds[service.name] = None
            self._add(service.name, service.name)
            for deployment in service.deployments:
                self._add(deployment.name, service.name)
        for item in infrastructure:
            self.kinds[item.name] = item.kind
            self._add(item.name, item.name)
            for deployment in item.deployments:
                self._add(deployment.name, item.name)
        for alias, name in (aliases or {}).items():
            self._add(alias, name)

    def _add(self, alias: str, name: str) -> None:
        self.names.setdefault(alias.lower(), name)

    def resolve(self, host: str) -> str | None:
        for candidate in host_names(host.lower()):
            if candidate in self.names:
                return self.names[candidate]
        return None

    def resolve_normalized(self, name: str) -> str | None:
        """The service or infrastructure whose name, separators ignored, is ``name`` (``PRODUCT_CATALOG_SERVICE``)."""
        if not self._normalized:
            for alias, target in self.names.items():
                self._normalized.setdefault(re.sub(r"[^a-z0-9]", "", alias), target)
        return self._normalized.get(re.sub(r"[^a-z0-9]", "", name.lower()))

    def protocol(self, target: str, scheme: str | None, variable: str = "") -> str:
        """The protocol of a connection to ``target``: the URL scheme, else the target's kind, else the variable's name."""
        if scheme and scheme in _SCHEMES:
            return _SCHEMES[scheme]
        kind = self.kinds.get(target)
        if kind in KIND_PROTOCOLS:
            return KIND_PROTOCOLS[kind]
        for pattern, protocol in _VARIABLE_PROTOCOLS:
            if pattern.search(variable.upper()):
                return protocol
        return UNKNOWN
