"""What the service detectors share: the repository's file tree, paths, names and images.

Not a plugin. Detectors see the repository as an index of its inventory (built once per
scan), resolve the relative paths manifests write against it, name services after their
directories, and tell a datastore or broker image from a service's own.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from readiness.model import Diagnostic, FileRecord, ReadStatus, Repository, ServiceCandidate
from readiness_plugins._safeload import UnsafeDocument

NOT_SERVICE_DIRECTORIES = frozenset(
    {
        "node_modules", "bower_components", "vendor", "third_party", "third-party", "external", "__pycache__",
        "venv", "site-packages", "testdata", "test-data", "fixtures", "__fixtures__", "test", "tests", "__tests__",
        "spec", "e2e", "integration-tests", "examples", "example", "samples", "sample", "docs", "doc",
    }
)
"""Directories whose manifests and Dockerfiles describe tests, samples, docs or vendored code, not services."""

NOT_PROGRAM_LANGUAGES = frozenset(
    {
        "Shell", "PowerShell", "Batchfile", "Dockerfile", "Makefile", "SQL", "PLpgSQL", "PLSQL", "TSQL", "Nginx",
        "HCL", "Starlark", "Jsonnet", "Mustache", "Handlebars", "CMake", "Nix",
    }
)
"""Languages of configuration, init scripts and glue: a datastore image built with them is still a datastore."""

GENERIC_DIRECTORY_NAMES = frozenset({"src", "source", "sources", "code", "main"})
"""Directory names that say nothing about the service: ``src/cartservice/src`` is ``cartservice``."""

MANIFEST_NAMES = frozenset(
    {
        "go.mod", "package.json", "pom.xml", "build.gradle", "build.gradle.kts", "pyproject.toml", "requirements.txt",
        "setup.py", "Pipfile", "Cargo.toml", "mix.exs", "Gemfile", "composer.json", "CMakeLists.txt", "Makefile",
    }
)
"""Files that make a directory look like a buildable unit when a deployment names it."""


@dataclass(slots=True)
class RepoIndex:
    """The inventory as a tree: sorted paths for prefix queries, and every directory that holds a file."""

    records: dict[str, FileRecord]
    paths: list[str]
    directories: set[str] = field(default_factory=set)
    service_files: dict[str, list[str]] = field(default_factory=dict)
    """Base name to the paths, in order, of every file outside test, sample, docs and vendored trees."""

    @classmethod
    def of(cls, files: Iterable[FileRecord]) -> RepoIndex:
        records = {record.path: record for record in files}
        index = cls(records, sorted(records))
        for path in index.paths:
            if not in_non_service_directory(path):
                index.service_files.setdefault(posixpath.basename(path), []).append(path)
        for path in index.paths:
            directory = parent(path)
            while directory not in index.directories:
                index.directories.add(directory)
                if directory == ".":
                    break
                directory = parent(directory)
        return index

    def exists(self, path: str) -> bool:
        return path in self.records

    def is_directory(self, path: str) -> bool:
        return path in self.directories

    def files_under(self, directory: str) -> list[FileRecord]:
        if directory == ".":
            return [self.records[p] for p in self.paths]
        prefix = directory + "/"
        start = bisect.bisect_left(self.paths, prefix)
        end = bisect.bisect_left(self.paths, prefix + "\U0010ffff")
        return [self.records[p] for p in self.paths[start:end]]

    def source_files_under(self, directory: str) -> list[FileRecord]:
        """The counted files below ``directory`` in a language readiness knows."""
        return [record for record in self.files_under(directory) if record.counted and record.language]

    def program_files_under(self, directory: str) -> list[FileRecord]:
        """Source files below ``directory`` in a programming language, not scripts, SQL or configuration."""
        return [record for record in self.source_files_under(directory) if record.language not in NOT_PROGRAM_LANGUAGES]

    def named(self, predicate: Callable[[str], bool]) -> list[FileRecord]:
        """Files whose base name satisfies ``predicate``, outside test, sample, docs and vendored trees."""
        # A predicate per distinct name, not per file: some twenty detectors ask, and a tree
        # of 50,000 files has far fewer names.
        paths = [path for name, paths in self.service_files.items() if predicate(name) for path in paths]
        return [self.records[path] for path in sorted(paths)]


_index_cache: list[tuple[Repository, RepoIndex]] = []


def index_of(repo: Repository) -> RepoIndex:
    """The repository's index, built once per scan and shared by every detector."""
    if _index_cache and _index_cache[0][0] is repo:
        return _index_cache[0][1]
    index = RepoIndex.of(repo.files)
    _index_cache[:] = [(repo, index)]
    return index


def parent(path: str) -> str:
    directory = posixpath.dirname(path)
    return directory or "."


def join(base: str, relative: str) -> str | None:
    """``relative`` (as a manifest wrote it) resolved against directory ``base``; None if it leaves the repository."""
    relative = relative.strip().replace("\\", "/")
    if not relative or relative.startswith("/") or re.match(r"^[A-Za-z]:/|^[a-z][a-z0-9+.-]*://|^git@", relative):
        return None
    joined = posixpath.normpath(posixpath.join("" if base == "." else base, relative))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def in_non_service_directory(path: str) -> bool:
    """True for paths inside hidden, test, sample, docs or vendored directories."""
    return any(part.startswith(".") or part.lower() in NOT_SERVICE_DIRECTORIES for part in path.split("/")[:-1])


def service_name(path: str, repository_name: str) -> str:
    """A service's name from its directory, skipping names like ``src`` that say nothing."""
    parts = [] if path == "." else path.split("/")
    while parts and parts[-1].lower() in GENERIC_DIRECTORY_NAMES:
        parts.pop()
    return parts[-1] if parts else repository_name


def normalized(name: str) -> str:
    """A name with case and separators gone: ``Basket.API``, ``basket-api`` and ``basket_api`` agree."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def read_text(repo: Repository, path: str, warnings: list[Diagnostic]) -> str | None:
    """A manifest's text, or None: with a warning naming the file when it is too large to read.

    Links, FIFOs and devices are not read either; the inventory already reports them.
    """
    data = repo.read_bytes(path)
    if data is None:
        record = index_of(repo).records.get(path)
        if record is not None and record.status is ReadStatus.TOO_LARGE:
            warnings.append(Diagnostic("warning", f"not read: larger than max-file-size ({record.size:,} bytes)", path=path))
        return None
    return data.decode("utf-8", errors="replace")


def parse_or_warn(loader: Callable[[str], Any], text: str, path: str, warnings: list[Diagnostic]) -> Any:
    """``loader(text)``, or None with a one-line warning naming the file when the document is unsafe or malformed."""
    try:
        return loader(text)
    except UnsafeDocument as error:
        warnings.append(Diagnostic("warning", f"not parsed: {error}", path=path))
        return None


def line_of(text: str, pattern: str, start: int = 1) -> int:
    """The 1-based line of the first match of ``pattern`` (a regex over one line) at or after line ``start``; 0 if none."""
    compiled = re.compile(pattern)
    for number, line in enumerate(text.splitlines()[start - 1 :], start):
        if compiled.search(line):
            return number
    return 0


def key_line(text: str, key: str, start: int = 1) -> int:
    """The line where YAML key ``key`` is written, at or after line ``start``; 0 if not found."""
    return line_of(text, rf"^\s*-?\s*[\"']?{re.escape(key)}[\"']?\s*:", start)


def with_variants(found: Iterable[tuple[str, tuple[str, ...], ServiceCandidate]]) -> list[ServiceCandidate]:
    """Candidates that share a source root but run different things each get a variant: their deployment's name.

    ``found`` holds (deployment name, what it runs, candidate). Deployments of one root that
    run the same thing (a Deployment in two overlays) share the variant of the first name.
    """
    by_path: dict[str, list[tuple[str, tuple[str, ...], ServiceCandidate]]] = {}
    for entry in found:
        by_path.setdefault(entry[2].path, []).append(entry)
    result = []
    for members in by_path.values():
        variants: dict[tuple[str, ...], str] = {}
        for name, signature, _ in sorted(members, key=lambda m: m[0]):
            variants.setdefault(signature, name)
        for _, signature, candidate in members:
            if len(variants) > 1:
                variant = variants[signature]
                candidate = replace(candidate, name=variant, variant=variant, named_by_deployment=True)
            result.append(candidate)
    return result


# --- images ---------------------------------------------------------------------------

_INFRASTRUCTURE_KINDS: tuple[tuple[str, str], ...] = (
    ("kafka-ui", "kafka-ui"), ("schema-registry", "kafka-schema-registry"), ("kafka-connect", "kafka-connect"),
    ("kafka", "kafka"), ("redpanda", "kafka"), ("zookeeper", "zookeeper"), ("rabbitmq", "rabbitmq"),
    ("activemq", "activemq"), ("artemis", "activemq"), ("nats", "nats"), ("nsq", "nsq"), ("pulsar", "pulsar"),
    ("redis", "redis"), ("valkey", "redis"), ("keydb", "redis"), ("dragonfly", "redis"), ("garnet", "redis"),
    ("memcached", "memcached"), ("postgres", "postgres"), ("postgresql", "postgres"), ("pgvector", "postgres"),
    ("postgis", "postgres"), ("timescaledb", "postgres"), ("mysql", "mysql"), ("mariadb", "mysql"),
    ("mssql", "sqlserver"), ("sqlserver", "sqlserver"), ("oracle", "oracle"), ("cockroach", "cockroachdb"),
    ("mongo", "mongodb"), ("mongodb", "mongodb"), ("cassandra", "cassandra"), ("scylla", "cassandra"),
    ("couchdb", "couchdb"), ("couchbase", "couchbase"), ("neo4j", "neo4j"), ("dynamodb", "dynamodb"),
    ("elasticsearch", "elasticsearch"), ("opensearch", "elasticsearch"), ("solr", "solr"), ("meilisearch", "meilisearch"),
    ("typesense", "typesense"), ("clickhouse", "clickhouse"), ("influxdb", "influxdb"), ("qdrant", "vector-db"),
    ("milvus", "vector-db"), ("weaviate", "vector-db"), ("chroma", "vector-db"), ("minio", "object-storage"),
    ("azurite", "object-storage"), ("localstack", "aws-emulator"), ("etcd", "etcd"), ("consul", "consul"),
    ("vault", "vault"), ("keycloak", "identity"), ("jaeger", "tracing"), ("zipkin", "tracing"), ("tempo", "tracing"),
    ("otel", "otel-collector"), ("opentelemetry", "otel-collector"), ("prometheus", "prometheus"), ("grafana", "grafana"),
    ("loki", "logging"), ("kibana", "kibana"), ("logstash", "logging"), ("fluentd", "logging"), ("fluent-bit", "logging"),
    ("seq", "logging"), ("mailhog", "mail"), ("mailpit", "mail"), ("smtp4dev", "mail"), ("temporal", "temporal"),
    ("ollama", "llm"), ("nginx", "proxy"), ("envoy", "proxy"), ("traefik", "proxy"), ("haproxy", "proxy"),
    ("caddy", "proxy"), ("kong", "proxy"), ("pgadmin", "admin-ui"), ("pgadmin4", "admin-ui"), ("adminer", "admin-ui"),
    ("phpmyadmin", "admin-ui"), ("mongo-express", "admin-ui"), ("redis-commander", "admin-ui"),
)

_LOAD_GENERATOR_IMAGES = frozenset({"locust", "k6", "jmeter", "artillery", "gatling", "vegeta", "wrk", "wrk2", "hey", "siege"})
RUNTIME_IMAGES = frozenset(
    {
        "python", "pypy", "node", "bun", "deno", "golang", "go", "openjdk", "eclipse-temurin", "amazoncorretto", "java",
        "maven", "gradle", "ruby", "php", "rust", "elixir", "erlang", "dotnet", "aspnet", "sdk", "runtime", "mono",
        "swift", "dart", "perl", "scala", "sbt", "clojure",
    }
)
"""Language images that run whatever code is mounted into them."""


def image_repository(image: str) -> str:
    """``registry:5000/team/redis:7@sha256:...`` -> ``team/redis``, lower case, without registry, tag or digest."""
    image = image.strip().lower().split("@", 1)[0]
    parts = image.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    repository = "/".join(parts)
    last = repository.rsplit("/", 1)[-1]
    if ":" in last:
        repository = repository[: len(repository) - len(last)] + last.split(":", 1)[0]
    return repository


def image_basename(image: str) -> str:
    return image_repository(image).rsplit("/", 1)[-1]


def _image_words(image: str) -> list[str]:
    return [word for word in re.split(r"[/_.:-]", image_repository(image)) if word]


def infrastructure_kind(image: str) -> str | None:
    """What a third-party image is (``redis``, ``postgres``, ``kafka``...), or None for anything else."""
    basename = image_basename(image)
    for name, kind in _INFRASTRUCTURE_KINDS:
        if basename == name:
            return kind
    words = _image_words(image)
    for name, kind in _INFRASTRUCTURE_KINDS:
        if "-" in name and name in basename:
            return kind
        if name in words:
            return kind
    return None


def is_load_generator_image(image: str) -> bool:
    return any(word in _LOAD_GENERATOR_IMAGES for word in _image_words(image))


def is_runtime_image(image: str) -> bool:
    return image_basename(image) in RUNTIME_IMAGES or image_repository(image).startswith("dotnet/")


# --- what a command line says about a service ------------------------------------------

_COMMAND_ROLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\blocust\b|\bk6\s+run\b|\bjmeter\b|\bartillery\s+run\b|\bgatling\b|\bvegeta\s+attack\b|\bwrk2?\s+-|\bab\s+-[nc]\b|\bhey\s+-"), "load-generator"),
    (re.compile(r"\bmigrat(e|ion|ions)\b|\balembic\s+upgrade\b|\bflyway\b|\bliquibase\b|\bdb:(migrate|seed|setup)\b|\bseed(er|ing)?\b"), "tooling"),
    (re.compile(r"\bcelery\b[^\n]*\b(worker|beat)\b|\brq\s+worker\b|\bdramatiq\b|\bsidekiq\b|\bhuey_consumer\b|\barq\b|\bqueue:work\b|\bjobs:work\b|\bfaust\b[^\n]*\bworker\b|(^|[\s/\"'])(worker|consumer|scheduler)($|[\s\"'])"), "worker"),
)


def role_of_command(command: str) -> str | None:
    """``load-generator``, ``tooling`` or ``worker`` when a container's command says so, else None."""
    command = command.lower()[:4096]
    for pattern, role in _COMMAND_ROLES:
        if pattern.search(command):
            return role
    return None


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when a parsed document holds a mapping there, else an empty one: manifests are untrusted."""
    return value if isinstance(value, dict) else {}


def command_text(value: Any) -> str:
    """A compose or Kubernetes command (string or list) as one line."""
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return str(value) if value is not None else ""
