"""A stand-in service detector for history tests: every directory holding a file named SERVICE.

The real detectors look for deployment evidence (Dockerfiles, compose files, manifests);
history tests only need to say where services are, so their fixtures carry a marker no
real detector reads. It also classifies ``*.py`` as Python source and counts non-blank
lines as code, so hotspot weights do not depend on which language plugins are installed.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.model import Evidence, FileClass, FileKind, LineCounts, ServiceCandidate


@hookimpl
def readiness_detect_services(repo):
    return [
        ServiceCandidate(record.path.rpartition("/")[0], record.path.rpartition("/")[0].rpartition("/")[2], Evidence(record.path, 1, "SERVICE marker"))
        for record in repo.files
        if record.path.startswith("services/") and record.path.endswith("/SERVICE")
    ]


@hookimpl
def readiness_classify_file(path):
    if path.endswith(".py"):
        return FileClass("Python", FileKind.SOURCE, "fixture: *.py")
    return None


@hookimpl
def readiness_count_lines(path, data):
    if not path.endswith(".py"):
        return None
    text = data.decode("utf-8", "replace").splitlines()
    code = sum(1 for line in text if line.strip())
    return LineCounts(code=code, comment=0, blank=len(text) - code)
