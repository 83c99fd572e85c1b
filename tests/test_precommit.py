"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a repository that uses this one as a hook repo.

pre-commit clones this repository at its HEAD commit and installs readiness from it into
an environment of its own (dependencies from the package index), so this test checks the
committed hooks and code, as a user of the hook repository would get them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cirepo import ONLY_MARKERS, PLUGINS, two_services
from conftest import FIXED_DATE, write_tree

SOURCE = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _head(repository: Path) -> str | None:
    completed = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=False)
    return completed.stdout.strip() if completed.returncode == 0 else None


def _committed(repository: Path, path: str, commit: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{commit}:{path}"], cwd=repository, capture_output=True, check=False).returncode == 0


@pytest.fixture(scope="module")
def hook_repository() -> tuple[Path, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    commit = _head(SOURCE)
    if commit is None or not _committed(SOURCE, ".pre-commit-hooks.yaml", commit):
        pytest.skip("this checkout has no commit with .pre-commit-hooks.yaml to serve as a hook repository")
    return SOURCE, commit


def _environment(tmp_path: Path) -> dict[str, str]:
    """The user's environment (pip needs its index configuration), without their git or pre-commit state."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    environment.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="Ada Lovelace",
        GIT_AUTHOR_EMAIL="ada@example.com",
        GIT_COMMITTER_NAME="Ada Lovelace",
        GIT_COMMITTER_EMAIL="ada@example.com",
        GIT_AUTHOR_DATE=FIXED_DATE,
        GIT_COMMITTER_DATE=FIXED_DATE,
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        XDG_CACHE_HOME=str(tmp_path / "xdg-cache"),
    )
    return environment


def test_the_hooks_pass_a_clean_commit_and_stop_one_that_breaks_a_gate(hook_repository, tmp_path):
    source, commit = hook_repository
    project = tmp_path / "project"
    project.mkdir()
    environment = _environment(tmp_path)

    def run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True, timeout=600, check=False)
        if check and completed.returncode != 0:
            raise AssertionError(f"{command} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
        return completed

    hook_args = ", ".join(["--plugins-dir", str(PLUGINS), *ONLY_MARKERS])
    write_tree(project, {
        **two_services(api="def handle():\n    return 1\n", billing="def pay():\n    lock(a)  # readiness: ignore[CIL101] held for microseconds\n"),
        # Configuration at the root, found although pre-commit passes files in subdirectories.
        "pyproject.toml": '[project]\nname = "shop"\n\n[tool.readiness.gate]\nfail-on-rule = ["CIL101"]\n',
        ".pre-commit-config.yaml": (
            f"repos:\n  - repo: {source}\n    rev: {commit}\n    hooks:\n"
            f"      - id: readiness\n        args: [{hook_args}]\n"
            f"      - id: readiness-full\n        args: [{hook_args}]\n"
        ),
    })
    run("git", "init", "-q", "-b", "main")
    run(sys.executable, "-m", "pre_commit", "install", "--hook-type", "pre-commit", "--hook-type", "pre-push")
    run("git", "add", "-A")
    passing = run("git", "commit", "-q", "-m", "two services, one known lock")
    assert "readiness (services the staged files touch)" in passing.stdout + passing.stderr
    assert _head(project) is not None

    write_tree(project, {"services/api/app.py": "def handle():\n    lock(b)\n    return 1\n"})
    run("git", "add", "-A")
    failing = run("git", "commit", "-q", "-m", "api takes a lock", check=False)
    output = failing.stdout + failing.stderr
    assert failing.returncode == 1, output
    assert "fail-on-rule CIL101: 1 finding: CIL101 at services/api/app.py:2" in output
    assert "Gate failed" in output
    assert run("git", "rev-list", "--count", "HEAD").stdout.strip() == "1"

    full = run(sys.executable, "-m", "pre_commit", "run", "readiness-full", "--hook-stage", "manual", check=False)
    assert full.returncode == 1 and "services/api/app.py:2" in full.stdout
    # Nothing of readiness's was written into the repository.
    assert run("git", "status", "--porcelain", "--ignored").stdout.splitlines() == ["M  services/api/app.py"]
