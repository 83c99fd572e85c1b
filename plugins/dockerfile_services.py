"""Services from Dockerfiles: each image is built from a source tree, and that tree is a service.

A Dockerfile is read for what it copies from its build context (its own directory, or
the repository root when that is where the copied paths exist), which names the
service's source root; its base image and command say what the image is for. A
Dockerfile that only configures a datastore or proxy image (``FROM postgres`` plus init
scripts) is infrastructure, not a service. Compose files and Kubernetes manifests that
name a build context are read by their own detectors; this one covers every Dockerfile,
deployed or not.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Infrastructure, Repository, ServiceCandidate
from readiness_plugins import _dockerfile
from readiness_plugins._dockerfile_syntax import parse_dockerfile
from readiness_plugins._layout import in_non_service_directory, index_of, read_text


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Infrastructure | Diagnostic]:
    index = index_of(repo)
    found: list[ServiceCandidate | Infrastructure | Diagnostic] = []
    warnings: list[Diagnostic] = []
    for record in index.named(_dockerfile.is_dockerfile):
        if in_non_service_directory(record.path):
            continue
        text = read_text(repo, record.path, warnings)
        if text is None:
            continue
        dockerfile = parse_dockerfile(text)
        if not dockerfile.stages:
            warnings.append(Diagnostic("warning", "not a Dockerfile: no FROM instruction", path=record.path))
            continue
        context = _dockerfile.guess_context(index, record.path, dockerfile)
        described = _dockerfile.describe(index, repo.info.name, record.path, dockerfile, context, None, {})
        if isinstance(described, Infrastructure) and described.kind == "other":
            # No program source and no known image: a template other builds fill in
            # (``COPY services/${SERVICE}``), or scripts in a base image; a compose
            # file or manifest that deploys it says what it is.
            continue
        if isinstance(described, ServiceCandidate) and record.path.rsplit("/", 1)[-1] not in ("Dockerfile", "Containerfile"):
            # Dockerfile.worker next to Dockerfile: one source tree, and this file's command
            # says nothing about the service the plain Dockerfile builds.
            described = ServiceCandidate(described.path, described.name, described.evidence, dockerfiles=described.dockerfiles)
        found.append(described)
    return found + warnings
