"""Services from Procfiles (Heroku, Dokku, foreman): one service per process type.

``web`` serves HTTP; ``worker``, ``clock`` and other process types run in the
background; ``release`` is a one-off deploy step, not a service. Process types share
their directory's code, so when a Procfile declares several, each is its own service
(its variant is the process type, its name ``<directory>-<type>``).
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Deployment, Diagnostic, Evidence, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, parent, read_text, role_of_command, service_name

_PROCESS = re.compile(r"^([A-Za-z0-9_-]+)\s*:\s*(.+)$")
ONE_OFF_TYPES = frozenset({"release", "postdeploy", "predeploy"})


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    warnings: list[Diagnostic] = []
    found: list[ServiceCandidate] = []
    for record in index_of(repo).named(lambda n: n == "Procfile" or n.startswith("Procfile.")):
        text = read_text(repo, record.path, warnings)
        if text is None:
            continue
        processes = []
        for number, line in enumerate(text.splitlines()[:200], 1):
            match = _PROCESS.match(line.strip())
            if match and match.group(1).lower() not in ONE_OFF_TYPES:
                processes.append((match.group(1), match.group(2), number))
        directory = parent(record.path)
        base = service_name(directory, repo.info.name)
        for kind, command, number in processes:
            role = "backend" if kind.lower() == "web" else role_of_command(command) or "worker"
            several = len(processes) > 1
            found.append(
                ServiceCandidate(
                    path=directory,
                    name=f"{base}-{kind}" if several else base,
                    evidence=Evidence(record.path, number, f"Procfile process {kind}: {command[:80]}"),
                    role=role,
                    deployments=(Deployment("procfile", record.path, kind, number),),
                    variant=kind if several else "",
                    named_by_deployment=several,
                )
            )
    return [*found, *warnings]
