"""Services from Ruby ``Gemfile``s: Rails, Sinatra, Hanami, Roda or Grape apps, and Sidekiq-style workers.

A Gemfile with a web framework and a ``config.ru`` (or ``bin/rails``) is a backend; one
whose only runtime is a job processor (Sidekiq, Resque, Shoryuken, Karafka...) is a
worker. A gem (``*.gemspec``) another Gemfile of the repository depends on is a library.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, normalized, parent, read_text
from readiness_plugins._manifests import Package, candidates

WEB_GEMS = ("rails", "sinatra", "hanami", "roda", "grape", "padrino", "puma", "rack")
WORKER_GEMS = ("sidekiq", "resque", "shoryuken", "karafka", "sneakers", "good_job", "que", "delayed_job", "racecar")
_GEM = re.compile(r"""^[ \t]*gem[ \t]+["']([\w.-]+)["']""", re.M)


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n == "Gemfile" or n.endswith(".gemspec")):
        text = read_text(repo, record.path, warnings)
        if text is None:
            continue
        directory = parent(record.path)
        prefix = "" if directory == "." else directory + "/"
        if record.path.endswith(".gemspec"):
            name = re.search(r"\.name\s*=\s*[\"']([\w.-]+)", text)
            packages.append(Package(directory, record.path, name.group(1) if name else directory, None, 1, ""))
            continue
        gems = _GEM.findall(text)
        depends_on = frozenset(normalized(g) for g in gems)
        web = next((g for g in WEB_GEMS if g in gems), None)
        worker = next((g for g in WORKER_GEMS if g in gems), None)
        rack_app = index.exists(f"{prefix}config.ru") or index.exists(f"{prefix}bin/rails")
        role, detail, gem = None, "", ""
        if web and rack_app:
            role, detail, gem = "backend", f"{web} app", web
        elif worker:
            role, detail, gem = "worker", f"{worker} worker", worker
        line = line_of(text, rf"""gem\s+["']{re.escape(gem)}["']""") if gem else 1
        packages.append(Package(directory, record.path, directory.rsplit("/", 1)[-1], role, line or 1, detail, depends_on))
    return [*candidates(packages, repo.info.name, "Gemfile"), *warnings]
