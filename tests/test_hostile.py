"""Scanning repositories written to attack or break the scanner.

Each test builds the hostile repository itself, so what it attacks is plain to see.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from readiness.export import load_schema
from readiness.git import run_git

from conftest import git

HOOK_NAMES = ("pre-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc", "fsmonitor-watchman")


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every entry below root, .git included, with its mode and content hash (links by target)."""
    state = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory, name)
            info = path.lstat()
            if path.is_symlink():
                digest = os.readlink(path)
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest() + f"@{info.st_mtime_ns}"
            else:
                digest = ""
            state[str(path.relative_to(root))] = (info.st_mode, digest)
    return state


def scan_json(run_cli, root: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", root, "--format", "json", "--files", *extra)
    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    return report


def files_by_path(report: dict) -> dict[str, dict]:
    return {f["path"]: f for f in report["files"]}


@pytest.fixture
def hostile_repo(make_repo, tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose own config and attributes name a command for every way git can run one."""
    markers = tmp_path / "markers"
    markers.mkdir()
    repo = make_repo({"app.py": "print('hello')\n", "lib/util.py": "X = 1\n"})

    def touch(name: str) -> str:
        return f"touch {markers / name}; cat"

    (repo / ".gitattributes").write_text("* filter=evil diff=evil\n")
    git(repo, "add", ".gitattributes")
    # A staged change, a stat-dirty tracked file and an untracked file: the states in
    # which git compares the work tree with the index and would reach for filters.
    (repo / "lib/util.py").write_text("X = 2\n")
    git(repo, "add", "lib/util.py")
    (repo / "app.py").write_text("print('changed')\n")
    (repo / "new.py").write_text("Y = 3\n")
    # The hostile configuration comes last: the test's own git calls above must not trigger it.
    config = {
        "core.fsmonitor": touch("fsmonitor"),
        "core.pager": touch("core-pager"),
        "pager.ls-files": touch("pager-ls-files"),
        "diff.external": touch("diff-external"),
        "filter.evil.clean": touch("filter-clean"),
        "filter.evil.smudge": touch("filter-smudge"),
        "filter.evil.process": touch("filter-process"),
        "diff.evil.textconv": touch("textconv"),
        "diff.evil.command": touch("diff-command"),
        "log.showSignature": "true",
        "gpg.program": touch("gpg"),
        "credential.helper": f"!{touch('credential')}",
        "core.askPass": touch("askpass"),
        "core.sshCommand": touch("ssh"),
        "core.hooksPath": str(repo / "evil-hooks"),
    }
    for key, value in config.items():
        git(repo, "config", key, value)
    hooks = repo / "evil-hooks"
    hooks.mkdir()
    for hook in HOOK_NAMES:
        script = hooks / hook
        script.write_text(f"#!/bin/sh\ntouch {markers / ('hook-' + hook)}\n")
        script.chmod(0o755)
    return repo, markers


def test_repo_config_cannot_make_git_run_anything(hostile_repo, run_cli):
    repo, markers = hostile_repo
    report = scan_json(run_cli, repo)
    assert report["repository"]["vcs"] == "git"
    assert report["repository"]["dirty"] is True
    hooks = [f"evil-hooks/{hook}" for hook in HOOK_NAMES]
    assert sorted(files_by_path(report)) == sorted([".gitattributes", "app.py", "lib/util.py", "new.py", *hooks])
    assert list(markers.iterdir()) == []


def test_hardened_git_ignores_fsmonitor_and_pager_even_for_status(hostile_repo):
    repo, markers = hostile_repo
    git(repo, "config", "--unset", "filter.evil.clean")  # status would clean through a filter; readiness never runs it
    git(repo, "config", "--unset", "filter.evil.process")
    run_git(repo, "status", "--porcelain")
    run_git(repo, "log", "--oneline")
    assert list(markers.iterdir()) == []
    # The same command outside the hardened runner does run the repository's fsmonitor:
    # the check above would catch a runner that lost its hardening.
    subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, check=False)
    assert (markers / "fsmonitor").exists()


def test_scan_writes_nothing_into_the_repository(hostile_repo, run_cli):
    repo, _ = hostile_repo
    before = snapshot(repo)
    scan_json(run_cli, repo)
    run_cli("scan", repo)
    assert snapshot(repo) == before


@pytest.mark.parametrize("use_git", [True, False], ids=["git", "walk"])
def test_symlinks_are_never_followed(use_git, make_repo, tmp_path, run_cli):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("SECRET = 'do not read'\n" * 50)
    repo = make_repo({"app.py": "x = 1\n", "sub/inner.py": "y = 2\n"}, git_init=use_git)
    (repo / "link_to_file.py").symlink_to(outside / "secret.py")
    (repo / "link_to_dir").symlink_to(outside, target_is_directory=True)
    (repo / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    if use_git:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "links")
    # A tracked file whose directory is swapped for a link out of the repository.
    (repo / "sub/inner.py").unlink()
    (repo / "sub").rmdir()
    (repo / "sub").symlink_to(outside, target_is_directory=True)

    report = scan_json(run_cli, repo)

    files = files_by_path(report)
    assert files["app.py"]["status"] == "read"
    for link in ("link_to_file.py", "dangling.py"):
        assert files[link]["status"] == "symlink"
        assert files[link]["code"] is None
    assert not any(path.startswith("link_to_dir/") for path in files)
    if use_git:
        assert files["sub/inner.py"]["status"] == "symlink"
    assert "secret.py" not in json.dumps(report)
    assert report["summary"]["code"] == 1


def run_in_subprocess(*argv: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it, with a timeout so a hang fails the test instead of the CI job."""
    return subprocess.run(
        [sys.executable, "-m", "readiness", *map(str, argv)], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_fifos_and_devices_do_not_hang_the_scan(make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n"})
    os.mkfifo(repo / "pipe.py")
    os.mkfifo(repo / "pyproject.toml")
    os.mkfifo(repo / ".gitignore")
    # git itself blocks reading a FIFO named .gitignore; readiness gives up on git after
    # the timeout and walks the tree instead.
    completed = run_in_subprocess("scan", repo, "--format", "json", "--files", "--git-timeout", "2")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["repository"]["vcs"] == "none"
    assert [w["message"] for w in report["warnings"]] == [
        "git not used, files listed by walking the tree: git ls-files did not finish within 2s"
    ]
    files = files_by_path(report)
    assert files["pipe.py"]["status"] == "not-regular"
    assert files["app.py"]["status"] == "read"


def test_a_fifo_inside_dot_git_makes_readiness_walk_instead(make_repo):
    repo = make_repo({"app.py": "x = 1\n"})
    (repo / ".git/config").unlink()
    os.mkfifo(repo / ".git/config")
    completed = run_in_subprocess("scan", repo, "--format", "json")
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report["repository"]["vcs"] == "none"
    [warning] = report["warnings"]
    assert warning["message"].startswith("git not used, files listed by walking the tree: ")
    assert warning["message"].endswith(".git/config is not a regular file")
    assert report["summary"]["counted_files"] == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repository another owner")
def test_a_repository_git_refuses_falls_back_to_the_walk(make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n"})
    os.chown(repo, 12345, 12345)
    os.chown(repo / ".git", 12345, 12345)
    report = scan_json(run_cli, repo)
    assert report["repository"]["vcs"] == "none"
    assert "dubious ownership" in report["warnings"][0]["message"]
    assert report["summary"]["counted_files"] == 1


def test_a_broken_dot_git_falls_back_to_the_walk(make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n"}, git_init=False)
    (repo / ".git").mkdir()
    (repo / ".git/HEAD").write_text("garbage\n")
    report = scan_json(run_cli, repo)
    assert report["repository"]["vcs"] == "none"
    assert len(report["warnings"]) == 1
    assert report["summary"]["counted_files"] == 1


ODD_NAMES = ("with space.py", "ünïcödé.py", "new\nline.py", "-rf.py", "--help.py", "tab\there.py", "quote\"d.py", "back\\slash.py")


@pytest.mark.parametrize("use_git", [True, False], ids=["git", "walk"])
def test_binary_huge_undecodable_and_oddly_named_files(use_git, make_repo, run_cli):
    files: dict[str, str | bytes] = {name: "x = 1\n" for name in ODD_NAMES}
    files["image.png"] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))
    files["big.py"] = "x = 1\n" * 200_000
    files["latin1.py"] = b"# caf\xe9\nname = '\xff\xfe'\nprint(name)\n"
    files["empty.py"] = ""
    repo = make_repo(files, git_init=use_git)

    report = scan_json(run_cli, repo, "--max-file-size", "100000")

    by_path = files_by_path(report)
    assert set(by_path) == set(files)
    for name in ODD_NAMES:
        assert (by_path[name]["status"], by_path[name]["code"]) == ("read", 1), name
    assert by_path["image.png"]["status"] == "binary"
    assert (by_path["big.py"]["status"], by_path["big.py"]["size"]) == ("too-large", 1_200_000)
    assert (by_path["latin1.py"]["code"], by_path["latin1.py"]["comment"]) == (2, 1)
    assert (by_path["empty.py"]["code"], by_path["empty.py"]["blank"]) == (0, 0)
    reasons = {(e["reason"], e["files"]) for e in report["exclusions"]}
    assert {("binary", 1), ("too-large", 1)} <= reasons


def test_empty_repository_without_commits(make_repo, run_cli):
    repo = make_repo({})
    report = scan_json(run_cli, repo)
    assert report["repository"] == {"name": repo.name, "vcs": "git", "head": None, "dirty": None}
    assert report["summary"]["files"] == 0


def test_bare_repository(make_repo, tmp_path, run_cli):
    source = make_repo({"app.py": "x = 1\n"})
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(bare))
    report = scan_json(run_cli, bare)
    assert report["repository"]["vcs"] == "git"
    assert report["repository"]["head"] == git(source, "rev-parse", "HEAD").strip()
    assert [w["message"] for w in report["warnings"]] == ["bare git repository: there is no working tree to inventory"]
    assert report["files"] == []


def test_shallow_clone(make_repo, tmp_path, run_cli):
    source = make_repo({"app.py": "x = 1\n"})
    (source / "app.py").write_text("x = 2\n")
    git(source, "commit", "-qam", "second")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", str(shallow))
    report = scan_json(run_cli, shallow)
    assert (report["repository"]["head"], report["repository"]["dirty"]) == (git(source, "rev-parse", "HEAD").strip(), False)
    assert report["summary"]["counted_files"] == 1


def test_plain_directory_without_git(make_repo, run_cli):
    repo = make_repo({"main.go": "package main\n\nfunc main() {}\n"}, git_init=False)
    report = scan_json(run_cli, repo)
    assert report["repository"] == {"name": repo.name, "vcs": "none", "head": None, "dirty": None}
    assert report["languages"][0]["language"] == "Go"


SIGNED_COMMIT = """tree {tree}
parent {parent}
author Ada Lovelace <ada@example.com> 1768478400 +0000
committer Ada Lovelace <ada@example.com> 1768478400 +0000
gpgsig -----BEGIN PGP SIGNATURE-----
 iQEzBAABCAAdFiEEreadinessreadinessreadinessreadiness
 -----END PGP SIGNATURE-----

Change util behind a signature
"""


def test_history_runs_nothing_from_the_repository(hostile_repo, run_cli):
    from readiness_plugins._gitlog import Detail, LogRange, read_history

    repo, markers = hostile_repo
    # A signed commit with a diff, made with plumbing that runs neither filters nor hooks:
    # git log has a signature to verify (gpg.program) and a diff to textconv or hand to an
    # external diff, through the `* diff=evil` attribute.
    quiet = ("-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}", "-c", "filter.evil.process=", "-c", "filter.evil.clean=")
    tree = git(repo, *quiet, "write-tree").strip()
    parent = git(repo, *quiet, "rev-parse", "HEAD").strip()
    signed = subprocess.run(
        ["git", *quiet, "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo, input=SIGNED_COMMIT.format(tree=tree, parent=parent).encode(), capture_output=True, check=True,
    ).stdout.decode().strip()
    git(repo, *quiet, "update-ref", "--no-deref", "refs/heads/main", signed)
    # git runs gpg.program without a shell, so it must be a program of its own.
    gpg = repo / "evil-hooks" / "gpg"
    gpg.write_text(f"#!/bin/sh\ntouch {markers / 'gpg'}\n")
    gpg.chmod(0o755)
    git(repo, *quiet, "config", "gpg.program", str(gpg))

    report = scan_json(run_cli, repo)
    commits = list(read_history(repo, LogRange(None, 10), Detail.LINES, 30))

    assert [w for w in report["warnings"] if w["message"].startswith("history:")] == []
    assert [c.subject for c in commits] == ["Change util behind a signature", "initial"]
    assert sorted(commits[0].stats.files) == [".gitattributes", "lib/util.py"]
    assert list(markers.iterdir()) == []
    # Plain git log on the same repository verifies the signature and textconvs the diff:
    # the checks above would catch a history pass that lost its hardening.
    subprocess.run(["git", "log", "-p", "-2"], cwd=repo, capture_output=True, check=False)
    assert {"gpg", "textconv"} <= {marker.name for marker in markers.iterdir()}
