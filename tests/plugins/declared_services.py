"""A test-only service detector: the services named in ``$READINESS_TEST_SERVICES`` (JSON), nothing else.

It lets the runtime tests scan fixture repositories with known services without
depending on the real service detectors. Each entry gives ``path``, ``name`` and
optionally ``manifests``, ``dockerfiles`` and ``deployments`` (``[kind, path, name]``).
"""

from __future__ import annotations

import json
import os

from readiness import hookimpl
from readiness.model import Deployment, Evidence, ServiceCandidate

ENVIRONMENT_VARIABLE = "READINESS_TEST_SERVICES"


@hookimpl
def readiness_detect_services() -> list[ServiceCandidate]:
    declared = json.loads(os.environ.get(ENVIRONMENT_VARIABLE, "[]"))
    return [
        ServiceCandidate(
            path=entry["path"],
            name=entry["name"],
            evidence=Evidence(entry.get("evidence", entry["path"]), 1, "declared by the test"),
            role="backend",
            manifests=tuple(entry.get("manifests", ())),
            dockerfiles=tuple(entry.get("dockerfiles", ())),
            deployments=tuple(Deployment(kind, path, name, 1) for kind, path, name in entry.get("deployments", ())),
        )
        for entry in declared
    ]
