"""Repositories for the CI tests: two services whose findings the ``ci_markers`` test plugin places exactly."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema

from readiness.export import load_schema
from readiness.plugin_host import PluginHost

from conftest import FIXTURES, git

PLUGINS = FIXTURES / "ci" / "plugins"
_ANALYSIS_HOOKS = {"readiness_analyze_file", "readiness_analyze_service", "readiness_analyze_repository"}
ONLY_MARKERS = tuple(
    option
    for plugin in PluginHost().plugins()
    if _ANALYSIS_HOOKS & set(plugin.hooks)
    for option in ("--disable-plugin", plugin.name)
)
"""Options that leave the ``ci_markers`` plugin the only source of findings, whatever detectors readiness grows."""
CI = ("--plugins-dir", str(PLUGINS), *ONLY_MARKERS)
SARIF_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
"""The OASIS schema of SARIF 2.1.0, which code scanning accepts."""
DOCKERFILE = 'FROM python:3.12\nCOPY . /app\nCMD ["python", "app.py"]\n'


def two_services(api: str = "def handle():\n    return 1\n", billing: str = "def pay():\n    return 2\n", **more: str) -> dict[str, str]:
    """``api`` and ``billing``, each a Dockerfile and an ``app.py`` with the given code."""
    return {
        "services/api/Dockerfile": DOCKERFILE,
        "services/api/app.py": api,
        "services/billing/Dockerfile": DOCKERFILE,
        "services/billing/app.py": billing,
        **more,
    }


def scan_json(run_cli: Callable[..., tuple[int, str, str]], repo: Path, *args: Any) -> tuple[int, dict[str, Any], str]:
    """``readiness scan --format json`` with the marker plugin and no cache; the report is checked against the schema."""
    code, out, err = run_cli("scan", repo, *CI, "--format", "json", "--no-cache", *args)
    assert out, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    return code, report, err


def located(findings: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["path"], f["line"]) for f in findings]


def validate_sarif(log: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER).validate(log)


def committed_copy(fixture: Path, root: Path) -> Path:
    """``fixture`` copied to ``root`` as a git repository of its own, on ``main``, all in one commit."""
    shutil.copytree(fixture, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", fixture.name)
    return root
