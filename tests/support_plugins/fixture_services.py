"""A stand-in service detector for history tests: every directory holding a file named SERVICE.

The real detectors look for deployment evidence (Dockerfiles, compose files, manifests);
history tests only need to say where services are, so their fixtures carry a marker no
real detector reads.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.model import Evidence, ServiceCandidate


@hookimpl
def readiness_detect_services(repo):
    candidates = []
    for record in repo.files:
        directory, _, name = record.path.rpartition("/")
        if name == "SERVICE" and directory.startswith("services/"):
            candidates.append(ServiceCandidate(directory, directory.rpartition("/")[2], Evidence(record.path, 1, "SERVICE marker")))
    return candidates
