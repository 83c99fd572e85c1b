"""Services from Elixir ``mix.exs`` projects: OTP applications with a start module, Phoenix apps.

A project whose ``application`` starts a module (``mod: {App.Application, []}``) is a
program: a backend with Phoenix or Plug, a worker with Broadway or Oban and no web
layer. Umbrella roots (``apps_path``) are not services: their apps are. An app other
apps depend on (``in_umbrella: true`` or a path dependency) without a start module is
a library.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, normalized, parent, read_text
from readiness_plugins._manifests import Package, candidates

WEB_DEPENDENCIES = ("phoenix", "plug_cowboy", "bandit", "cowboy", "absinthe_plug", "grpc")
WORKER_DEPENDENCIES = ("broadway", "oban", "gen_stage", "brod", "amqp", "exq")


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n == "mix.exs"):
        text = read_text(repo, record.path, warnings)
        if text is None or re.search(r"\bapps_path\s*:", text):
            continue
        directory = parent(record.path)
        app = re.search(r"\bapp\s*:\s*:(\w+)", text)
        dependencies = re.findall(r"\{\s*:(\w+)\s*,", text)
        start = re.search(r"\bmod\s*:\s*\{\s*([\w.]+)", text)
        web = next((d for d in WEB_DEPENDENCIES if d in dependencies), None)
        worker = next((d for d in WORKER_DEPENDENCIES if d in dependencies), None)
        role, detail = None, ""
        if start:
            role = "worker" if worker and not web else "backend"
            detail = f"OTP application started by {start.group(1)}" + (f" ({web or worker})" if web or worker else "")
        name = app.group(1) if app else directory
        line = line_of(text, r"\bmod\s*:") if start else 1
        packages.append(Package(directory, record.path, name, role, line or 1, detail, frozenset(normalized(d) for d in dependencies)))
    return [*candidates(packages, repo.info.name, "mix.exs"), *warnings]
