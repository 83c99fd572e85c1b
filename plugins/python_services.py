"""Services from Python projects: ``pyproject.toml``, ``setup.py``/``setup.cfg``, ``Pipfile``, ``requirements*.txt``.

A project is a backend when it depends on a web or RPC framework (Flask, Django,
FastAPI, gRPC...) and has an entry point (``manage.py``, ``app.py``, ``main.py``,
``wsgi.py``, ``__main__.py``, console scripts); a worker when it depends on a task queue
(Celery, RQ, Dramatiq...) and on no web framework; a load generator when it is a Locust
project; a tool when its only entry points are console scripts. A project without an
entry point that another project of the repository depends on is a library.
"""

from __future__ import annotations

import re
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import RepoIndex, index_of, line_of, mapping, normalized, parent, parse_or_warn, read_text
from readiness_plugins._manifests import Package, candidates
from readiness_plugins._safeload import load_toml

WEB_FRAMEWORKS = (
    "django", "flask", "fastapi", "starlette", "aiohttp", "tornado", "sanic", "falcon", "pyramid", "bottle", "quart",
    "litestar", "connexion", "grpcio", "gunicorn", "uvicorn", "hypercorn", "waitress", "chalice", "twisted", "cherrypy",
    "streamlit", "dash", "gradio",
)
TASK_QUEUES = ("celery", "rq", "dramatiq", "huey", "arq", "faust-streaming", "faust", "taskiq")
LOAD_TOOLS = ("locust",)
ENTRY_FILES = ("manage.py", "app.py", "main.py", "wsgi.py", "asgi.py", "server.py", "__main__.py", "run.py", "application.py")
MANIFESTS = ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile")
_REQUIREMENT = re.compile(r"^[ \t]*([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)


def _requirement_names(text: str) -> list[str]:
    return [m.group(1) for m in _REQUIREMENT.finditer(text) if not m.group(1).startswith("-")]


def _pyproject(document: dict[str, Any]) -> tuple[str | None, list[str], bool]:
    """(name, dependency names, has console scripts) from PEP 621 or Poetry tables."""
    project = mapping(document.get("project"))
    poetry = mapping(mapping(document.get("tool")).get("poetry"))
    names: list[str] = []
    for spec in project.get("dependencies") or []:
        names.extend(_requirement_names(str(spec))[:1])
    for group in mapping(project.get("optional-dependencies")).values():
        for spec in group if isinstance(group, list) else []:
            names.extend(_requirement_names(str(spec))[:1])
    if isinstance(poetry.get("dependencies"), dict):
        names.extend(k for k in poetry["dependencies"] if k != "python")
    scripts = bool(project.get("scripts") or poetry.get("scripts"))
    name = project.get("name") or poetry.get("name")
    return (str(name) if name else None), names, scripts


def _entry_file(index: RepoIndex, directory: str) -> str | None:
    """An entry-point file in the project directory or one package below it."""
    prefix = "" if directory == "." else directory + "/"
    for record in index.files_under(directory):
        relative = record.path[len(prefix):]
        if relative.count("/") <= 1 and relative.rsplit("/", 1)[-1] in ENTRY_FILES and "test" not in relative.lower():
            return record.path
    return None


def _first(names: set[str], wanted: tuple[str, ...]) -> str | None:
    return next((name for name in wanted if name in names), None)


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    directories: dict[str, list[str]] = {}
    for record in index.named(lambda n: n in MANIFESTS or (n.startswith("requirements") and n.endswith((".txt", ".in")))):
        directories.setdefault(parent(record.path), []).append(record.path)
    packages = []
    for directory, manifests in sorted(directories.items()):
        manifests.sort(key=lambda p: (not p.endswith("pyproject.toml"), not p.endswith(("setup.py", "setup.cfg")), p))
        name: str | None = None
        dependencies: list[str] = []
        scripts = False
        texts: dict[str, str] = {}
        for manifest in manifests:
            text = read_text(repo, manifest, warnings)
            if text is None:
                continue
            texts[manifest] = text
            if manifest.endswith("pyproject.toml"):
                document = parse_or_warn(load_toml, text, manifest, warnings)
                if isinstance(document, dict):
                    found_name, found, scripts_here = _pyproject(document)
                    name, scripts = name or found_name, scripts or scripts_here
                    dependencies += found
            elif manifest.endswith((".txt", ".in", "Pipfile")):
                dependencies += _requirement_names(re.sub(r"^[ \t]*\[.*$", "", text, flags=re.M))
            else:
                setup_name = re.search(r"\bname\s*=\s*[\"']([^\"']+)", text)
                name = name or (setup_name.group(1) if setup_name else None)
                scripts = scripts or "console_scripts" in text or "entry_points" in text
                dependencies += re.findall(r"[\"']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:[<>=!~;\[].*?)?[\"']", text)
        if not texts:
            continue
        names = {normalized(d) for d in dependencies}
        manifest = next(iter(texts))
        text = texts[manifest]
        entry = _entry_file(index, directory)
        role, detail, pattern = None, "", r"^\s*\[project\]|^\s*name\s*="
        if framework := _first(names, LOAD_TOOLS):
            role, detail, pattern = "load-generator", "Locust load test", framework
        elif (framework := _first(names, WEB_FRAMEWORKS)) and (entry or scripts):
            role, detail, pattern = "backend", f"{framework} app" + (f" ({entry})" if entry else ""), framework
        elif (framework := _first(names, TASK_QUEUES)) and (entry or scripts):
            role, detail, pattern = "worker", f"{framework} worker", framework
        elif scripts and not _first(names, WEB_FRAMEWORKS):
            role, detail, pattern = "tooling", "console scripts only", r"scripts"
        package_name = name or directory.rsplit("/", 1)[-1]
        line = line_of(text, pattern) or 1
        packages.append(Package(directory, manifest, package_name, role, line, detail, frozenset(names)))
    return [*candidates(packages, repo.info.name, "Python project"), *warnings]
