"""Shared fixtures: repositories built from a dict, with fixed dates, and the CLI run in process."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from readiness.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXED_DATE = "2026-01-15T12:00:00+00:00"


ADA = "Ada Lovelace <ada@example.com>"


def git(cwd: Path, *args: str, date: str = FIXED_DATE, author: str = ADA) -> str:
    """Run git for building a test repository, never reading the developer's own config.

    ``date`` (ISO 8601) and ``author`` (``"Name <email>"``) are both the author's and the
    committer's, so commits made with them have the same ids on every run.
    """
    name, _, email = author.partition(" <")
    env = {
        "PATH": os.environ["PATH"],
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email.rstrip(">"),
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email.rstrip(">"),
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
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


@pytest.fixture(autouse=True)
def _cache_outside_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans in tests keep their cache of per-file results in a fresh temporary directory, never the developer's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


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


@dataclass(frozen=True)
class Commit:
    """One commit of a history built by ``make_history``."""

    date: str
    message: str
    files: Mapping[str, str | bytes | None] = field(default_factory=dict)
    """New contents by path; None deletes the file."""
    author: str = ADA
    renames: Mapping[str, str] = field(default_factory=dict)
    """Old path -> new path, moved with ``git mv`` before ``files`` are written."""


def lines(count: int, name: str = "x") -> str:
    """``count`` distinct lines of Python, each a line of code."""
    return "".join(f"{name}_{n} = {n}\n" for n in range(1, count + 1))


def commit(root: Path, change: Commit) -> None:
    for old, new in change.renames.items():
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", old, new)
    for relpath, content in change.files.items():
        if content is None:
            git(root, "rm", "-q", relpath)
        else:
            write_tree(root, {relpath: content})
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "--allow-empty-message", "-m", change.message, date=change.date, author=change.author)


@pytest.fixture
def make_history(tmp_path: Path) -> Callable[[Sequence[Commit]], Path]:
    """A git repository with these commits, oldest first, each with its own date and author."""
    counter = iter(range(1000))

    def factory(commits: Sequence[Commit]) -> Path:
        root = tmp_path / f"history{next(counter)}"
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        for change in commits:
            commit(root, change)
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


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def _find_chromium() -> str | None:
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def _install_chromium() -> str:
    """Install Debian's chromium where the test setup may (root, apt); the reason it could not otherwise."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not running as root, so `apt-get install chromium` is not possible"
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine to install chromium with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"]
    completed = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1200, check=False)
    if completed.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600, check=False)
        completed = subprocess.run(install, env=env, capture_output=True, text=True, timeout=1200, check=False)
    if completed.returncode != 0:
        return f"`apt-get install chromium` failed: {completed.stderr.strip()[-300:]}"
    return "installed, but no chromium binary on PATH"


@pytest.fixture(scope="session")
def chromium() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run headless Chromium (installed with apt when missing and possible) on a URL with extra flags."""
    binary = _find_chromium()
    if binary is None:
        reason = _install_chromium()
        binary = _find_chromium()
        if binary is None:
            pytest.skip(f"no headless Chromium: {reason}")
    profiles = iter(range(1000))

    def run(url: str, *flags: str, profile_root: Path) -> subprocess.CompletedProcess[str]:
        profile = profile_root / f"chromium-profile-{next(profiles)}"
        command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url]
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)

    return run
