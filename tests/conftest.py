"""Shared fixtures: repositories built from a dict, with fixed dates, and the CLI run in process."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from readiness.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXED_DATE = "2026-01-15T12:00:00+00:00"


def git(cwd: Path, *args: str) -> str:
    """Run git for building a test repository, never reading the developer's own config."""
    env = {
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Ada Lovelace",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada Lovelace",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
        "GIT_AUTHOR_DATE": FIXED_DATE,
        "GIT_COMMITTER_DATE": FIXED_DATE,
    }
    completed = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return completed.stdout.decode()


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a directory from {path: content}; with ``git=True`` (default) commit it with fixed dates."""
    counter = iter(range(1000))

    def factory(files: Mapping[str, str | bytes], *, git_init: bool = True, commit: bool = True) -> Path:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        write_tree(root, files)
        if git_init:
            git(root, "init", "-q", "-b", "main")
            if commit and files:
                git(root, "add", "-A")
                git(root, "commit", "-q", "-m", "initial")
        return root

    return factory


@pytest.fixture
def run_cli() -> Callable[..., tuple[int, str, str]]:
    """``main(argv)`` in process: (exit code, stdout, stderr)."""

    def run(*argv: str | Path) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main([str(arg) for arg in argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return run



@pytest.fixture(scope="session")
def demo_report():
    """The demo fixture scanned once by the real pipeline, for every report format to render."""
    from readiness.config import load_settings
    from readiness.pipeline import scan
    from readiness.plugin_host import PluginHost

    settings, _ = load_settings(FIXTURES / "demo", None)
    return scan(FIXTURES / "demo", settings, PluginHost())

