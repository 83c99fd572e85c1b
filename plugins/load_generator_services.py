"""Load generators: Locust, k6, JMeter, Gatling and Artillery scripts, wherever they live.

A load test is code in the repository, deployed or run on demand, that must never be
ranked as a service: it is listed with the role ``load-generator``. Its root is the
outermost directory above the scripts named for load testing (``loadtest/``,
``perf/``, ``k6/``...), else the scripts' own directory. Load tests under ``tests/``
count too; vendored and dependency trees do not.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Evidence, Repository, ServiceCandidate
from readiness_plugins._layout import index_of, parent, service_name

_LOAD_DIRECTORY = re.compile(r"(^|[-_.])(load|perf|performance|stress|bench|benchmark|soak)s?([-_.]|test|gen|$)|^(k6|locust|jmeter|gatling|artillery|vegeta)$")
"""A directory named for load testing (``loadtest``, ``load-tests``, ``perf``, ``k6``), not ``uploads`` or ``payload``."""
_IGNORED = frozenset({"node_modules", "vendor", "third_party", "site-packages", ".git"})
_SCRIPTS: tuple[tuple[re.Pattern[str], re.Pattern[bytes], str], ...] = (
    (re.compile(r"\.py$"), re.compile(rb"^[ \t]*(from[ \t]+locust\b|import[ \t]+locust\b)", re.M), "Locust"),
    (re.compile(r"\.(js|mjs|ts)$"), re.compile(rb"""(from\s+|require\(\s*)["']k6(/[\w/-]+)?["']"""), "k6"),
    (re.compile(r"\.jmx$"), re.compile(rb"<jmeterTestPlan\b"), "JMeter"),
    (re.compile(r"\.(scala|java|kt)$"), re.compile(rb"\bextends\s+Simulation\b|io\.gatling\."), "Gatling"),
    (re.compile(r"\.ya?ml$"), re.compile(rb"^scenarios:\s*$", re.M), "Artillery"),
)
MAX_FILES_CHECKED = 2000


class _Directories:
    """Whether each directory is vendored, or named for load testing (itself or above), judged once per directory."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[bool, bool]] = {"": (False, False)}

    def __call__(self, directory: str) -> tuple[bool, bool]:
        """(vendored, for load testing) of a directory path."""
        known = self._known.get(directory)
        if known is None:
            above, _, name = directory.rpartition("/")
            vendored, load = self(above)
            known = (vendored or name in _IGNORED, load or _is_load_directory(name))
            self._known[directory] = known
        return known


def _likely_name(name: str) -> bool:
    """A file named like a load test."""
    name = name.lower()
    return name.startswith("locustfile") or "k6" in name or name.endswith(".jmx")


def _is_load_directory(name: str) -> bool:
    return _LOAD_DIRECTORY.search(name.lower()) is not None


def _root(path: str) -> str:
    parts = parent(path).split("/") if parent(path) != "." else []
    for depth, part in enumerate(parts):
        if _is_load_directory(part):
            return "/".join(parts[: depth + 1])
    return parent(path)


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate]:
    index = index_of(repo)
    found: dict[str, ServiceCandidate] = {}
    checked = 0
    directories = _Directories()
    for path in index.paths:
        if checked >= MAX_FILES_CHECKED:
            break
        directory, _, name = path.rpartition("/")
        vendored, load = directories(directory)
        if vendored or name in _IGNORED or not (load or _likely_name(name)):
            continue
        for name_pattern, content_pattern, tool in _SCRIPTS:
            if not name_pattern.search(path):
                continue
            checked += 1
            data = repo.read_bytes(path) or b""
            match = content_pattern.search(data[:65536])
            if match is None:
                continue
            root = _root(path)
            line = data.count(b"\n", 0, match.start()) + 1
            found.setdefault(
                root,
                ServiceCandidate(root, service_name(root, repo.info.name), Evidence(path, line, f"{tool} load test"), "load-generator"),
            )
            break
    return list(found.values())
