"""Services from PHP ``composer.json``: Laravel, Symfony, Slim, Laminas, CakePHP or Yii applications.

A project requiring an application framework (not a ``"type": "library"`` package) is a
backend; whether it also runs queue workers is for its deployment to say. A library
package another composer.json of the repository requires is a library.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, line_of, normalized, parent, parse_or_warn, read_text
from readiness_plugins._manifests import Package, candidates
from readiness_plugins._safeload import load_json

FRAMEWORKS = (
    "laravel/framework", "laravel/lumen-framework", "symfony/framework-bundle", "slim/slim", "laminas/laminas-mvc",
    "cakephp/cakephp", "yiisoft/yii2", "codeigniter4/framework", "spiral/framework", "hyperf/framework",
)


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    packages = []
    for record in index.named(lambda n: n == "composer.json"):
        text = read_text(repo, record.path, warnings)
        document = parse_or_warn(load_json, text, record.path, warnings) if text is not None else None
        if not isinstance(document, dict):
            continue
        directory = parent(record.path)
        required = set(document.get("require") or {}) if isinstance(document.get("require"), dict) else set()
        framework = next((f for f in FRAMEWORKS if f in required), None)
        name = str(document.get("name") or directory)
        role = "backend" if framework and document.get("type") != "library" else None
        line = line_of(text or "", re.escape(framework)) if framework else 1
        detail = f"{framework} application" if role else ""
        packages.append(Package(directory, record.path, name, role, line or 1, detail, frozenset(normalized(r) for r in required)))
    return [*candidates(packages, repo.info.name, "composer.json"), *warnings]
