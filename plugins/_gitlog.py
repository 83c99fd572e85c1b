"""One streaming pass over ``git log``, hardened like every git call readiness makes.

GitPython is readiness's library for history, but not all of it is safe on an untrusted
repository run from an untrusted environment:

- ``Repo.iter_commits`` with ``Commit.stats`` runs one ``git diff`` per commit: fine for a
  hundred commits, minutes for ten thousand (``benchmarks/bench_history.py`` measures it).
- ``Git.execute``, and so every ``Repo`` and ``Git`` call, starts git from a copy of
  ``os.environ`` with GitPython's variables laid over it; it can add a variable, never
  remove one. A ``GIT_DIR``, ``GIT_WORK_TREE``, ``GIT_INDEX_FILE``,
  ``GIT_OBJECT_DIRECTORY`` or ``GIT_CONFIG_COUNT`` exported by a surrounding git hook or CI
  step would reach git and point the scan at another repository or inject configuration.
  ``Repo()`` itself reads ``GIT_WORK_TREE`` and ``GIT_OBJECT_DIRECTORY`` from the
  environment.

So git is started by :func:`readiness.git.popen_git` (environment built from scratch,
every setting that can run a program turned off, no pager, no prompt), with the extra
log options below, and GitPython supplies everything that spawns nothing: its
``Git.AutoInterrupt`` wraps the process (a failed exit becomes ``GitCommandError``, and git
is terminated should the reader be dropped unclosed), and each commit is parsed into
GitPython's own types: ``Actor`` for the author (after ``.mailmap``) and ``Stats`` for the
per-file insertions, deletions and change type, the very record ``Commit.stats`` returns,
from the ``--raw --numstat`` output ``Commit.stats`` itself asks git for, but for every
commit from one process.

The stream is read in fixed-size chunks and parsed one commit at a time, so memory holds
one commit, not the history.
"""

from __future__ import annotations

import enum
import os
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from git.cmd import Git
from git.exc import GitCommandError
from git.util import Actor, Stats

from readiness.git import popen_git, run_git

_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()
_CHUNK = 1 << 16
_MAX_TOKEN = 1 << 20
"""A path or subject longer than this is cut: git never needs one, a hostile history might."""
_STDERR_KEPT = 8192
BIG_FILE_THRESHOLD = "16m"
"""Larger blobs count as binary: their line counts are noise and diffing them costs the most."""

_FORMAT = "%x1e%H%x00%P%x00%at%x00%ct%x00{name}%x00{email}%x00%s"
_HEADER_FIELDS = 7

# Settings of the scanned repository that would change what git log prints or make it
# read a file the scan did not choose; readiness.git already turns off everything that
# can run a program.
_LOG_CONFIG = (
    "-c", "mailmap.file=",
    "-c", "mailmap.blob=",
    "-c", "log.showRoot=true",
    "-c", f"core.bigFileThreshold={BIG_FILE_THRESHOLD}",
)
_LOG_OPTIONS = (
    "--no-merges",
    "-z",
    "--raw",
    "--no-abbrev",
    "--no-color",
    "--no-decorate",
    "--no-notes",
    "--no-textconv",
    "--no-ext-diff",
    "--no-show-signature",
    # Authors are mapped by the %aN/%aE placeholders alone, so log.mailmap cannot matter.
    "--no-use-mailmap",
    "--encoding=UTF-8",
    "--diff-algorithm=myers",
    f"-O{os.devnull}",
    "--relative",
)


class Detail(enum.StrEnum):
    """How much git is asked per commit."""

    LINES = "lines"
    """``--raw --numstat``: each file's change type and lines added and removed."""
    FILES = "files"
    """``--raw`` only: each file's change type; needs no blob, so it works with blobs missing."""


class HistoryError(Exception):
    """git log failed or timed out; the message is one line."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass(frozen=True, slots=True)
class HistoryCommit:
    sha: str
    parents: tuple[str, ...]
    authored: int
    """Author time, seconds since the epoch: when the change was written."""
    committed: int
    author: Actor
    """Name and email after the repository's ``.mailmap``."""
    subject: str
    stats: Stats
    """Per file (current name, relative to the scanned root): insertions, deletions, lines, change_type.
    Binary files, and every file in :attr:`Detail.FILES` passes, count 0 lines."""
    renamed_from: Mapping[str, str]
    """New path -> old path, for the files this commit renamed."""


@dataclass(frozen=True, slots=True)
class LogRange:
    since: int | None
    """Oldest committer time to read, seconds since the epoch; None for all history."""
    max_commits: int
    subdirectory: bool = False
    """The scanned root is below the top of its work tree: read only the commits that touched it."""
    renames: bool = True
    mailmap: bool = True
    """Report authors as ``.mailmap`` maps them."""


@dataclass(frozen=True, slots=True)
class RepositoryState:
    head_committed: int
    bare: bool
    detached: bool
    shallow: bool
    subdirectory: bool
    toplevel: Path
    """The top of the work tree, where git reads ``.mailmap`` (the repository itself when bare)."""


def repository_state(root: Path, timeout: float) -> RepositoryState | None:
    """HEAD's commit time and how the checkout is shaped; None when there is no commit yet.

    Raises :class:`readiness.git.GitError` when git fails otherwise.
    """
    code, out = run_git(root, "log", "-1", "--no-show-signature", "--format=%ct", "HEAD", timeout=timeout, ok_codes=(0, 128))
    if code != 0 or not out.strip().isdigit():
        return None
    _, shape = run_git(root, "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--symbolic-full-name", "HEAD", timeout=timeout)
    bare, shallow, head_ref = (shape.decode("utf-8", "replace").split("\n") + ["", "", ""])[:3]
    toplevel, subdirectory = root, False
    if bare != "true":
        _, prefix = run_git(root, "rev-parse", "--show-prefix", timeout=timeout)
        _, top = run_git(root, "rev-parse", "--show-toplevel", timeout=timeout)
        toplevel, subdirectory = Path(os.fsdecode(top.removesuffix(b"\n"))), prefix.strip(b"\n") != b""
    return RepositoryState(
        head_committed=int(out.strip()),
        bare=bare == "true",
        detached=head_ref == "HEAD",
        shallow=shallow == "true",
        subdirectory=subdirectory,
        toplevel=toplevel,
    )


def log_arguments(log_range: LogRange, detail: Detail) -> list[str]:
    """The git arguments of one history pass (after readiness.git's own)."""
    names = ("%aN", "%aE") if log_range.mailmap else ("%an", "%ae")
    arguments = [*_LOG_CONFIG, "log", *_LOG_OPTIONS, f"--format={_FORMAT.format(name=names[0], email=names[1])}"]
    if detail is Detail.LINES:
        arguments.append("--numstat")
    if not log_range.renames:
        arguments.append("--no-renames")
    elif detail is Detail.LINES:
        arguments.append("-M")
    else:
        # Exact renames are found by object id; a similarity search would need the blobs.
        arguments.append("-M100%")
    if log_range.since is not None:
        arguments.append(f"--since={datetime.fromtimestamp(log_range.since, UTC).isoformat()}")
    arguments += [f"--max-count={log_range.max_commits}", "HEAD"]
    if log_range.subdirectory:
        arguments += ["--", "."]
    return arguments


def read_history(root: Path, log_range: LogRange, detail: Detail, timeout: float) -> Iterator[HistoryCommit]:
    """The commits of ``log_range``, newest first, as git streams them.

    Raises :class:`HistoryError` once the stream ends if git failed or ran past ``timeout``
    seconds; the commits already yielded were read in full.
    """
    yield from _parse(_stream(root, log_arguments(log_range, detail), timeout))


def _stream(root: Path, arguments: list[str], timeout: float) -> Iterator[bytes]:
    """git's NUL-separated output, token by token, in bounded memory."""
    try:
        process = Git.AutoInterrupt(popen_git(root, *arguments), ["git", *arguments])  # type: ignore[arg-type]
    except OSError as error:
        raise HistoryError(f"cannot run git: {error}") from None
    proc = process.proc
    assert proc is not None and proc.stdout is not None and proc.stderr is not None
    stderr = _Drain(proc.stderr)
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        proc.kill()

    watchdog = threading.Timer(timeout, kill)
    watchdog.daemon = True
    watchdog.start()
    finished = False
    try:
        yield from _nul_separated(proc.stdout)
        finished = True
    finally:
        watchdog.cancel()
        if not finished:
            proc.kill()
            proc.wait()
    captured = stderr.result()
    if timed_out.is_set():
        raise HistoryError(f"git log did not finish within {timeout:g}s", timed_out=True)
    try:
        process.wait(stderr=captured)
    except GitCommandError as error:
        lines = captured.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].removeprefix("fatal: ").removeprefix("error: ") if lines else f"exit {error.status}"
        raise HistoryError(f"git log failed: {reason}") from None


class _Drain:
    """Reads a stream to its end on a thread, keeping its first bytes, so git never blocks on a full pipe."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._kept = bytearray()
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: IO[bytes]) -> None:
        try:
            while chunk := stream.read(_CHUNK):
                if len(self._kept) < _STDERR_KEPT:
                    self._kept += chunk[: _STDERR_KEPT - len(self._kept)]
        except (OSError, ValueError):
            pass

    def result(self) -> bytes:
        self._thread.join()
        return bytes(self._kept)


def _nul_separated(stream: IO[bytes]) -> Iterator[bytes]:
    rest = b""
    while chunk := stream.read1(_CHUNK):  # type: ignore[attr-defined]
        tokens = (rest + chunk).split(b"\0")
        rest = tokens.pop()[:_MAX_TOKEN]
        yield from tokens
    if rest:
        yield rest


def _path(raw: bytes) -> str:
    """A path as the inventory spells it (``os.fsdecode``: undecodable bytes kept as surrogates)."""
    return raw.decode(_FS_ENCODING, _FS_ERRORS)


def _parse(tokens: Iterator[bytes]) -> Iterator[HistoryCommit]:
    """Commits from ``git log -z --raw [--numstat] --format=_FORMAT``.

    After each commit's header git writes its ``--raw`` entries (``:meta\\0path\\0``, two
    paths for a rename), then its ``--numstat`` entries (``added\\tremoved\\tpath\\0``, or
    ``added\\tremoved\\t\\0old\\0new\\0``). Paths are taken by position, never by content,
    so no file name can pass for a header.
    """
    header: list[bytes] | None = None
    files: dict[str, dict[str, int | str]] = {}
    renamed_from: dict[str, str] = {}
    for token in tokens:
        if token[:1] == b"\n":  # the line git puts between a commit's header and its changes
            token = token[1:]
        if not token:
            continue
        lead = token[:1]
        if lead == b"\x1e":
            if header is not None:
                yield _commit(header, files, renamed_from)
            header = [token[1:], *(next(tokens, b"") for _ in range(_HEADER_FIELDS - 1))]
            files, renamed_from = {}, {}
        elif lead == b":":
            status = token.rpartition(b" ")[2][:1]
            path = next(tokens, b"")
            if status in (b"R", b"C"):
                old, path = path, next(tokens, b"")
                renamed_from[_path(path)] = _path(old)
            files[_path(path)] = {"insertions": 0, "deletions": 0, "lines": 0, "change_type": status.decode("ascii", "replace")}
        else:
            added, _, remainder = token.partition(b"\t")
            removed, _, path = remainder.partition(b"\t")
            if not path:
                next(tokens, b"")
                path = next(tokens, b"")
            entry = files.setdefault(_path(path), {"insertions": 0, "deletions": 0, "lines": 0, "change_type": "M"})
            insertions = int(added) if added.isdigit() else 0
            deletions = int(removed) if removed.isdigit() else 0
            entry["insertions"], entry["deletions"], entry["lines"] = insertions, deletions, insertions + deletions
    if header is not None:
        yield _commit(header, files, renamed_from)


def _commit(header: list[bytes], files: dict[str, dict[str, int | str]], renamed_from: dict[str, str]) -> HistoryCommit:
    sha, parents, authored, committed, name, email, subject = (field.decode("utf-8", "replace") for field in header)
    insertions = deletions = 0
    for change in files.values():
        insertions += change["insertions"]  # type: ignore[operator]
        deletions += change["deletions"]  # type: ignore[operator]
    total = {"insertions": insertions, "deletions": deletions, "lines": insertions + deletions, "files": len(files)}
    return HistoryCommit(
        sha=sha,
        parents=tuple(parents.split()),
        authored=int(authored) if authored.isdigit() else 0,
        committed=int(committed) if committed.isdigit() else 0,
        author=Actor(name, email),
        subject=subject,
        stats=Stats(total, files),  # type: ignore[arg-type]
        renamed_from=renamed_from,
    )

