"""The streaming git log reader: same answers as GitPython's Commit.stats, from one hardened process."""

from __future__ import annotations

import os

import git as gitpython
import pytest

from readiness_plugins import _gitlog
from readiness_plugins._gitlog import Detail, HistoryError, LogRange, read_history, repository_state

from conftest import Commit, git, lines

MESSY_HISTORY = [
    Commit("2025-01-01T10:00:00+00:00", "Initial", {"a.py": lines(50), "bin.dat": b"\0\1\2", "sub/s.go": "package s\n", "with space.py": "x = 1\n"}),
    Commit("2025-01-02T10:00:00+00:00", "Edit, delete, binary", {"a.py": lines(60).replace("_5 ", "_five "), "sub/s.go": None, "bin.dat": b"\0\3"}),
    Commit("2025-01-03T10:00:00+00:00", "Rename with an edit", {"b.py": lines(60).replace("_5 ", "_five ") + "more = 1\n"}, renames={"a.py": "b.py"}),
    Commit("2025-01-04T10:00:00+00:00", "Nothing changed"),
    Commit("2025-01-05T10:00:00+00:00", "", {"c.py": "y = 2\n"}),
]


def test_one_stream_gives_what_gitpython_commit_stats_gives(make_history):
    repo = make_history(MESSY_HISTORY)
    ours = {c.sha: c for c in read_history(repo, LogRange(None, 100, renames=False), Detail.LINES, 30)}
    theirs = list(gitpython.Repo(repo).iter_commits("HEAD"))
    assert [c.hexsha for c in theirs] == list(ours)
    for commit in theirs:
        mine = ours[commit.hexsha]
        assert (mine.stats.files, mine.stats.total) == (commit.stats.files, commit.stats.total), commit.summary
        assert (mine.subject, mine.author, mine.authored, mine.committed) == (
            commit.summary, commit.author, commit.authored_date, commit.committed_date
        )
        assert mine.parents == tuple(p.hexsha for p in commit.parents)


def test_renames_are_reported_with_their_old_path(make_history):
    repo = make_history(MESSY_HISTORY)
    renamed = next(c for c in read_history(repo, LogRange(None, 100), Detail.LINES, 30) if c.subject == "Rename with an edit")
    assert renamed.renamed_from == {"b.py": "a.py"}
    assert renamed.stats.files == {"b.py": {"insertions": 1, "deletions": 0, "lines": 1, "change_type": "R"}}


def test_the_window_and_the_cap_limit_what_is_read(make_history):
    repo = make_history(MESSY_HISTORY)
    since_jan_3 = 1735862400  # 2025-01-03T00:00:00Z
    assert [c.subject for c in read_history(repo, LogRange(since_jan_3, 100), Detail.LINES, 30)] == [
        "", "Nothing changed", "Rename with an edit"
    ]
    assert len(list(read_history(repo, LogRange(None, 2), Detail.LINES, 30))) == 2


def test_names_that_look_like_records_are_read_as_names(make_history):
    names = ["\x1efake header", ":100644 100644 raw", "1\t2\tnumstat", "new\nline", "ünï.py"]
    repo = make_history([Commit("2025-01-01T10:00:00+00:00", "odd names", {name: "x\n" for name in names})])
    [commit] = read_history(repo, LogRange(None, 10), Detail.LINES, 30)
    assert sorted(commit.stats.files) == sorted(names)
    assert {f["insertions"] for f in commit.stats.files.values()} == {1}


def test_the_surrounding_environment_cannot_point_git_elsewhere(make_history, monkeypatch, tmp_path):
    repo = make_history(MESSY_HISTORY)
    other = make_history([Commit("2025-06-01T10:00:00+00:00", "other repository", {"z.py": "z = 1\n"})])
    # What a git hook or CI step running readiness could have exported.
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git/index"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other / ".git/objects"))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "log.showRoot")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "false")
    subjects = [c.subject for c in read_history(repo, LogRange(None, 100), Detail.LINES, 30)]
    assert subjects == ["", "Nothing changed", "Rename with an edit", "Edit, delete, binary", "Initial"]
    state = repository_state(repo, 30)
    assert state is not None and state.toplevel == repo


def test_without_blobs_files_are_still_counted(make_history, tmp_path):
    source = make_history(MESSY_HISTORY)
    git(source, "config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial"
    git(tmp_path, "clone", "-q", "--filter=blob:none", "--no-local", f"file://{source}", str(partial))
    with pytest.raises(HistoryError, match="could not fetch .* from promisor remote"):
        list(read_history(partial, LogRange(None, 100), Detail.LINES, 30))
    commits = list(read_history(partial, LogRange(None, 100), Detail.FILES, 30))
    assert [sorted((path, f["change_type"]) for path, f in c.stats.files.items()) for c in commits] == [
        [("c.py", "A")],
        [],
        # Without blobs only exact renames are found; this one changed the file.
        [("a.py", "D"), ("b.py", "A")],
        [("a.py", "M"), ("bin.dat", "M"), ("sub/s.go", "D")],
        [("a.py", "A"), ("bin.dat", "A"), ("sub/s.go", "A"), ("with space.py", "A")],
    ]
    assert {f["lines"] for c in commits for f in c.stats.files.values()} == {0}


def test_a_fifo_mailmap_costs_the_timeout_not_the_scan(make_history):
    repo = make_history(MESSY_HISTORY[:1])
    os.mkfifo(repo / ".mailmap")
    with pytest.raises(HistoryError, match="did not finish within 1s") as raised:
        list(read_history(repo, LogRange(None, 10), Detail.LINES, 1))
    assert raised.value.timed_out
    [commit] = read_history(repo, LogRange(None, 10, mailmap=False), Detail.LINES, 5)
    assert commit.author.name == "Ada Lovelace"


def test_an_abandoned_stream_stops_and_reaps_git(make_history, monkeypatch):
    started = []

    def recording_popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    real_popen = _gitlog.popen_git
    monkeypatch.setattr(_gitlog, "popen_git", recording_popen)
    # More output than a pipe holds (about 115 bytes a file), so git is still writing when the reader stops.
    repo = make_history([
        Commit("2025-01-01T10:00:00+00:00", "big", {f"f{n:04}.py": "x\n" for n in range(1200)}),
        Commit("2025-01-02T10:00:00+00:00", "small", {"f0000.py": "y\n"}),
    ])
    stream = read_history(repo, LogRange(None, 100), Detail.LINES, 30)
    assert next(stream).subject == "small"
    stream.close()
    [process] = started
    assert process.returncode == -9


def test_a_subdirectory_reads_only_its_own_commits_with_relative_paths(make_history):
    repo = make_history([
        Commit("2025-01-01T10:00:00+00:00", "Both", {"services/a/x.py": "x = 1\n", "other/y.py": "y = 1\n"}),
        Commit("2025-01-02T10:00:00+00:00", "Other only", {"other/y.py": "y = 2\n"}),
        Commit("2025-01-03T10:00:00+00:00", "Services only", {"services/a/x.py": "x = 2\n"}),
    ])
    state = repository_state(repo / "services", 30)
    assert state is not None and (state.subdirectory, state.toplevel) == (True, repo)
    commits = list(read_history(repo / "services", LogRange(None, 10, subdirectory=True), Detail.LINES, 30))
    assert [(c.subject, sorted(c.stats.files)) for c in commits] == [("Services only", ["a/x.py"]), ("Both", ["a/x.py"])]
