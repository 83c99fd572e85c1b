"""What the build-manifest detectors share: one claim per package, and when a package is a library.

Not a plugin. A build manifest (go.mod, package.json, pom.xml, *.csproj, pyproject.toml,
Cargo.toml...) marks a service root when it shows a program with an entry point; a
package without one is a library when another package of the repository depends on
it, or when it lives where shared code lives (``libs/``, ``packages/``, ``shared/``).
Anything else is only a manifest: the service that deploys its directory lists it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.model import Evidence, ServiceCandidate
from readiness_plugins._layout import normalized, service_name

LIBRARY_DIRECTORIES = frozenset({"lib", "libs", "library", "libraries", "packages", "pkg", "shared", "common", "commons", "modules"})


@dataclass(frozen=True, slots=True)
class Package:
    """What a detector learnt from one manifest."""

    directory: str
    manifest: str
    name: str
    """The package's own name (module path, artifactId, package name), for dependency matching."""
    role: str | None
    """``backend``, ``worker``, ``frontend``, ``tooling``, ``load-generator`` for a program; None for no entry point."""
    line: int
    detail: str
    """Why: the entry point or framework that makes it a program."""
    depends_on: frozenset[str] = frozenset()
    """Normalized names of the packages it depends on."""


def in_library_directory(directory: str) -> bool:
    return any(part.lower() in LIBRARY_DIRECTORIES for part in directory.split("/"))


def candidates(packages: Iterable[Package], repository_name: str, kind: str) -> list[ServiceCandidate]:
    """A candidate per program, and per library something else depends on or that sits in a library directory."""
    packages = list(packages)
    wanted = {name for package in packages for name in package.depends_on}
    found = []
    for package in packages:
        name = service_name(package.directory, repository_name)
        if package.role is not None:
            evidence = Evidence(package.manifest, package.line, f"{kind}: {package.detail}")
            found.append(ServiceCandidate(package.directory, name, evidence, package.role, manifests=(package.manifest,)))
        elif normalized(package.name) in wanted or in_library_directory(package.directory):
            why = "other packages depend on it" if normalized(package.name) in wanted else "it lives with shared code"
            evidence = Evidence(package.manifest, package.line, f"{kind} {package.name!r} has no entry point and {why}")
            found.append(ServiceCandidate(package.directory, name, evidence, "library", manifests=(package.manifest,)))
    return found
