"""Services from Maven and Gradle builds: the modules of a (multi-module) build that are applications.

A module is an application when its build applies Spring Boot, Quarkus, Micronaut,
Ktor, Helidon, Jib or Gradle's ``application`` plugin, depends on a server starter, or
packages a ``war``; it is a worker when its only runtime is a broker listener or a
batch framework; Android apps are not services. Aggregator POMs (``<packaging>pom``) are
not services; their modules are. A module another module depends on, without an
application marker, is a library.

POMs are read with bounded regular expressions over the text, not an XML parser: the
few elements needed never nest in ways that matter here, and no entity is expanded.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, normalized, parent, read_text
from readiness_plugins._manifests import Package, candidates

APPLICATION_MARKERS = (
    "spring-boot-maven-plugin", "spring-boot-starter-web", "spring-boot-starter-webflux", "spring-boot-starter-parent",
    "org.springframework.boot", "quarkus", "micronaut", "io.ktor", "helidon", "dropwizard-core", "vertx-web",
    "jib-maven-plugin", "com.google.cloud.tools.jib", "grpc-netty", "grpc-netty-shaded", "javalin",
    "akka-http", "http4k", "mainClass",
)
WORKER_MARKERS = ("spring-kafka", "spring-rabbit", "spring-amqp", "spring-batch", "spring-cloud-stream", "kafka-streams")
WEB_MARKERS = ("spring-boot-starter-web", "spring-boot-starter-webflux", "quarkus-resteasy", "quarkus-rest", "micronaut-http-server", "io.ktor", "grpc-netty", "javalin")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PARENT = re.compile(r"<parent>.*?</parent>", re.S)
_ARTIFACT = re.compile(r"<artifactId>\s*([^<\s]+)\s*</artifactId>")
_GRADLE_APPLICATION = re.compile(r"\bid\s*\(?\s*[\"'](application|org\.springframework\.boot|io\.quarkus|io\.micronaut\.application|io\.ktor\.plugin|com\.google\.cloud\.tools\.jib)[\"']|apply\s+plugin\s*:\s*[\"'](application|org\.springframework\.boot)[\"']|\bmainClass(Name)?\s*[=(]")
_GRADLE_PROJECT = re.compile(r"project\s*\(\s*[\"']:([\w:.-]+)[\"']")


def _pom(path: str, text: str) -> Package | None:
    text = _COMMENT.sub("", text)
    own = _PARENT.sub("", text, count=1)
    packaging = re.search(r"<packaging>\s*(\w+)\s*</packaging>", own)
    if packaging and packaging.group(1) == "pom":
        return None
    artifacts = _ARTIFACT.findall(own)
    name = artifacts[0] if artifacts else parent(path)
    mentioned = set(_ARTIFACT.findall(text))
    if "<mainClass>" in own:
        mentioned.add("mainClass")
    dependencies = frozenset(normalized(a) for a in artifacts[1:])
    return _classify(path, text, name, mentioned, dependencies, packaging.group(1) if packaging else "jar")


def _gradle(path: str, text: str) -> Package | None:
    if re.search(r"com\.android\.(application|library)", text):
        return None
    coordinates = re.findall(r"[\"']([\w.-]+):([\w.-]+)", text)
    mentioned = {part for pair in coordinates for part in pair} | set(re.findall(r"\bid\s*\(?\s*[\"']([\w.-]+)[\"']", text))
    if _GRADLE_APPLICATION.search(text):
        mentioned.add("org.springframework.boot" if "springframework.boot" in text else "application")
    dependencies = frozenset(normalized(p.rsplit(":", 1)[-1]) for p in _GRADLE_PROJECT.findall(text))
    return _classify(path, text, parent(path).rsplit("/", 1)[-1], mentioned, dependencies, "war" if re.search(r"\bid\s*\(?\s*[\"']war[\"']|plugin\s*:\s*[\"']war", text) else "jar")


def _classify(path: str, text: str, name: str, mentioned: set[str], dependencies: frozenset[str], packaging: str) -> Package:
    directory = parent(path)
    found = next((m for m in APPLICATION_MARKERS if any(m == x or m in x for x in mentioned)), None)
    if found is None and "application" in mentioned:
        found = "application"
    web = any(m in x for m in WEB_MARKERS for x in mentioned)
    worker = next((m for m in WORKER_MARKERS if any(m in x for x in mentioned)), None)
    if found or packaging == "war":
        marker = found or "war packaging"
        role = "worker" if worker and not web and marker.startswith(("spring", "org.springframework")) else "backend"
        return Package(directory, path, name, role, line_of(text, re.escape(marker)) or 1, f"application ({marker})", dependencies)
    if worker:
        return Package(directory, path, name, "worker", line_of(text, re.escape(worker)) or 1, f"listener ({worker})", dependencies)
    return Package(directory, path, name, None, 1, "", dependencies)


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    builds = index.named(lambda n: n in ("pom.xml", "build.gradle", "build.gradle.kts"))
    seen: set[str] = set()
    for record in sorted(builds, key=lambda r: (parent(r.path), not r.path.endswith("pom.xml"))):
        directory = parent(record.path)
        if directory in seen:
            continue
        text = read_text(repo, record.path, warnings)
        if text is None:
            continue
        package = _pom(record.path, text) if record.path.endswith("pom.xml") else _gradle(record.path, text)
        if package is not None:
            seen.add(directory)
            packages.append(package)
    return [*candidates(packages, repo.info.name, "build"), *warnings]
