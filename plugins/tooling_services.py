"""Tools: admin, ops and migration programs kept in the repository's tool directories.

Programs under a top-level ``tools/``, ``scripts/``, ``admin/``, ``ops/``, ``hack/``,
``migrations/`` or ``cli/`` directory are run by people or one-off jobs, not deployed
as services: each is listed with the role ``tooling`` and never ranked. A tool is the
directory below the tool directory (``tools/admin``), or the tool directory itself for
scripts kept directly in it. Shell, SQL and other glue languages do not make a tool;
a program language does.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Evidence, Repository, ServiceCandidate
from readiness_plugins._layout import NOT_PROGRAM_LANGUAGES, index_of, service_name

TOOL_DIRECTORIES = frozenset({"tools", "tool", "tooling", "scripts", "script", "admin", "ops", "hack", "migrations", "migration", "cli", "devtools"})


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate]:
    found: dict[str, ServiceCandidate] = {}
    for record in index_of(repo).records.values():
        parts = record.path.split("/")
        if len(parts) < 2 or parts[0].lower() not in TOOL_DIRECTORIES or not record.counted:
            continue
        if record.language is None or record.language in NOT_PROGRAM_LANGUAGES:
            continue
        root = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        if root not in found or record.path < found[root].evidence.path:
            evidence = Evidence(record.path, 1, f"{record.language} program in the {parts[0]}/ directory")
            found[root] = ServiceCandidate(root, service_name(root, repo.info.name), evidence, "tooling")
    return [found[root] for root in sorted(found)]
