"""Services from Go modules: a ``go.mod`` whose module has a ``main`` package is a program.

``main`` packages are looked for where Go projects keep them (``main.go`` files, ``cmd/``
and the module root), never in nested modules, ``vendor`` or test data; the module root
is the service root, since every binary of a module shares its code. A module without
a ``main`` package that another module requires is a library.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Diagnostic, Repository, ServiceCandidate
from readiness_plugins._layout import RepoIndex, index_of, line_of, normalized, parent, read_text
from readiness_plugins._manifests import Package, candidates

_PACKAGE_MAIN = re.compile(rb"^package\s+main\b", re.M)
_REQUIRE = re.compile(r"^[ \t]*(?:require[ \t]+)?([\w.\-/~]+)[ \t]+v\d", re.M)
MAX_FILES_CHECKED = 200


def _main_packages(repo: Repository, index: RepoIndex, module: str, nested: set[str]) -> list[str]:
    """Directories of ``main`` packages in the module, looking at likely files first and a bounded number of them."""
    prefix = "" if module == "." else module + "/"
    likely = []
    for record in index.files_under(module):
        path = record.path
        if not path.endswith(".go") or path.endswith("_test.go") or "/vendor/" in "/" + path or "/testdata/" in "/" + path:
            continue
        relative = path[len(prefix):]
        likely_main = relative.endswith("main.go") or relative.startswith("cmd/") or "/" not in relative
        if likely_main and not any(path.startswith(n + "/") for n in nested):
            likely.append(path)
    found = []
    for path in likely[:MAX_FILES_CHECKED]:
        data = repo.read_bytes(path)
        if data is not None and _PACKAGE_MAIN.search(data[:8192]):
            found.append(parent(path))
    return sorted(set(found))


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    modules = {parent(r.path): r.path for r in index.named(lambda n: n == "go.mod")}
    packages = []
    for directory, manifest in sorted(modules.items()):
        text = read_text(repo, manifest, warnings)
        if text is None:
            continue
        module = re.search(r"^[ \t]*module[ \t]+(\S+)", text, re.M)
        name = module.group(1).strip("\"") if module else directory
        nested = {d for d in modules if d != directory and (directory == "." or d.startswith(directory + "/"))}
        mains = _main_packages(repo, index, directory, nested)
        requires = frozenset(normalized(r) for r in _REQUIRE.findall(text))
        if mains:
            shown = ", ".join(mains[:3]) + (f" and {len(mains) - 3} more" if len(mains) > 3 else "")
            packages.append(Package(directory, manifest, name, "backend", line_of(text, r"^\s*module\s"), f"main package in {shown}", requires))
        else:
            packages.append(Package(directory, manifest, name, None, line_of(text, r"^\s*module\s"), "", requires))
    return [*candidates(packages, repo.info.name, "go.mod"), *warnings]
