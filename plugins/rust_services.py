"""Services from ``Cargo.toml``: a crate with a binary target is a program.

A binary (``[[bin]]``, ``src/main.rs`` or ``src/bin/``) depending on a server framework
(axum, actix-web, warp, rocket, tonic, hyper...) is a backend; on a broker client and
no server, a worker; otherwise a program whose role its deployment decides. Workspace
roots without a package of their own are not services. A library crate another crate
of the repository depends on is a library.
"""

from __future__ import annotations

from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, normalized, parent, parse_or_warn, read_text
from readiness_plugins._manifests import Package, candidates
from readiness_plugins._safeload import load_toml

SERVER_CRATES = ("axum", "actix-web", "warp", "rocket", "tonic", "hyper", "poem", "salvo", "tide", "gotham", "pingora")
BROKER_CRATES = ("rdkafka", "lapin", "async-nats", "nats", "aws-sdk-sqs", "pulsar", "fe2o3-amqp")


def _dependencies(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "dev-dependencies", "build-dependencies"):
        if isinstance(document.get(key), dict):
            names.update(document[key])
    return names


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n == "Cargo.toml"):
        text = read_text(repo, record.path, warnings)
        document = parse_or_warn(load_toml, text, record.path, warnings) if text is not None else None
        if not isinstance(document, dict) or not isinstance(document.get("package"), dict):
            continue
        directory = parent(record.path)
        prefix = "" if directory == "." else directory + "/"
        name = str(document["package"].get("name") or directory)
        runtime = set(document["dependencies"]) if isinstance(document.get("dependencies"), dict) else set()
        binary = bool(document.get("bin")) or index.exists(f"{prefix}src/main.rs") or any(
            r.path.startswith(f"{prefix}src/bin/") for r in index.files_under(f"{prefix}src")
        )
        depends_on = frozenset(normalized(d) for d in _dependencies(document))
        role, detail, pattern = None, "", r"^\s*\[package\]"
        if binary:
            server = next((c for c in SERVER_CRATES if c in runtime), None)
            broker = next((c for c in BROKER_CRATES if c in runtime), None)
            if server:
                role, detail, pattern = "backend", f"binary crate serving with {server}", rf"^\s*{server}\s*="
            elif broker:
                role, detail, pattern = "worker", f"binary crate consuming with {broker}", rf"^\s*{broker}\s*="
            else:
                role, detail, pattern = "backend", "binary crate", r"^\s*\[\[bin\]\]|^\s*\[package\]"
        packages.append(Package(directory, record.path, name, role, line_of(text or "", pattern) or 1, detail, depends_on))
    return [*candidates(packages, repo.info.name, "Cargo.toml"), *warnings]
