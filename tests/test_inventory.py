"""Listing files: from git with blob ids, or by a walk that honours .gitignore."""

from __future__ import annotations

import json

from conftest import git


def scan_files(run_cli, root, *extra):
    code, out, err = run_cli("scan", root, "--format", "json", "--files", *extra)
    assert code == 0, err
    return json.loads(out)


IGNORE_TREE = {
    ".gitignore": "*.log\nbuild/\n!keep.log\n/root-only.txt\n",
    "app.py": "x = 1\n",
    "debug.log": "noise\n",
    "keep.log": "kept\n",
    "build/out.py": "y = 1\n",
    "root-only.txt": "ignored at the root\n",
    "sub/root-only.txt": "not ignored below the root\n",
    "sub/.gitignore": "*.tmp\n!important.tmp\n",
    "sub/a.tmp": "tmp\n",
    "sub/important.tmp": "kept\n",
    "sub/deeper/b.tmp": "ignored by the parent directory's rule\n",
    "sub/deeper/code.go": "package deeper\n",
}
EXPECTED_AFTER_IGNORE = [
    ".gitignore", "app.py", "keep.log", "sub/.gitignore", "sub/deeper/code.go", "sub/important.tmp", "sub/root-only.txt",
]


def test_walk_honours_nested_gitignore_files(make_repo, run_cli):
    repo = make_repo(IGNORE_TREE, git_init=False)
    report = scan_files(run_cli, repo)
    assert report["repository"]["vcs"] == "none"
    assert [f["path"] for f in report["files"]] == EXPECTED_AFTER_IGNORE


def test_git_lists_tracked_and_untracked_but_not_ignored(make_repo, run_cli):
    repo = make_repo(IGNORE_TREE, commit=False)
    git(repo, "add", "app.py", ".gitignore")
    git(repo, "commit", "-q", "-m", "some")
    report = scan_files(run_cli, repo)
    assert report["repository"]["vcs"] == "git"
    assert [f["path"] for f in report["files"]] == EXPECTED_AFTER_IGNORE


def test_blob_ids_match_git_and_dirty_tracks_the_work_tree(make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n", "lib/b.py": "y = 2\n"})
    staged = dict(line.split("\t")[::-1] for line in git(repo, "ls-files", "-s").splitlines())
    report = scan_files(run_cli, repo)
    assert {f["path"]: f["blob"] for f in report["files"]} == {path: meta.split()[1] for path, meta in staged.items()}
    assert report["repository"]["dirty"] is False
    assert report["repository"]["head"] == git(repo, "rev-parse", "HEAD").strip()

    (repo / "app.py").write_text("x = 2\n")
    report = scan_files(run_cli, repo)
    assert report["repository"]["dirty"] is True
    assert {f["path"]: f["blob"] for f in report["files"]}["app.py"] == git(repo, "hash-object", "app.py").strip()


def test_staged_changes_make_the_repository_dirty(make_repo, run_cli):
    repo = make_repo({"app.py": "x = 1\n"})
    (repo / "new.py").write_text("y = 1\n")
    git(repo, "add", "new.py")
    assert scan_files(run_cli, repo)["repository"]["dirty"] is True


def test_scanning_a_subdirectory_gives_paths_relative_to_it(make_repo, run_cli):
    repo = make_repo({"services/api/main.py": "x = 1\n", "services/api/lib/db.py": "y = 1\n", "other/z.py": "z = 1\n"})
    report = scan_files(run_cli, repo / "services/api")
    assert report["repository"]["name"] == "api"
    assert [f["path"] for f in report["files"]] == ["lib/db.py", "main.py"]
