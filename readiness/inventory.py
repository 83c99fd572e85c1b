"""The repository inventory: which files there are, what they are, and how many lines.

Files come from git (tracked, plus untracked files git does not ignore) when the root
is in a git work tree, else from a directory walk that honours ``.gitignore``. Each file
is read at most once, in worker processes, and classified and counted by plugins; only
per-file records come back, never file contents, so memory grows with the number of
files, not their size.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from readiness.config import Settings
from readiness.git import GitError, find_git_dir, run_git, unsafe_git_metadata
from readiness.model import (
    Diagnostic,
    Exclusion,
    FileClass,
    FileKind,
    FileRecord,
    LanguageTotals,
    ReadStatus,
    RepositoryInfo,
    git_blob_id,
)
from readiness.plugin_host import PluginHost
from readiness.safefs import inside_real_directories, read_prefix
from readiness.workers import Lost, Workers, worker_host

HEAD_SIZE = 8192
"""Bytes a classifier sees; also where binary detection looks for a NUL byte, as git does."""
BATCH_SIZE = 256
IN_PROCESS_BELOW = 2000
"""Smaller inventories are not worth starting worker processes for."""

_UNCLASSIFIED = FileClass(language=None, kind=FileKind.DATA, reason="no plugin classified it")

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``, called as work completes."""


@dataclass(frozen=True, slots=True)
class Listing:
    """The files to inventory, before any of them is opened."""

    info: RepositoryInfo
    entries: tuple[tuple[str, str | None], ...]
    """(repository-relative path, blob id in git's index or None)."""
    excluded: tuple[Exclusion, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    git_timeout: float = 60.0


@dataclass(slots=True)
class _Collector:
    """Accumulates what listing finds before it is frozen into a Listing."""

    excluded: Counter[tuple[str, str]] = field(default_factory=Counter)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def list_files(root: Path, settings: Settings, git_timeout: float = 60.0) -> Listing:
    """List the files under ``root``: from git when possible, else by walking the tree."""
    collector = _Collector()
    name = root.resolve().name or str(root)
    git_dir = find_git_dir(root)
    listed: tuple[RepositoryInfo, list[tuple[str, str | None]]] | None = None
    if git_dir is not None:
        problem = unsafe_git_metadata(git_dir)
        if problem is None:
            try:
                listed = _list_from_git(root, name, git_timeout, collector)
            except GitError as error:
                problem = str(error)
        if problem is not None:
            collector.diagnostics.append(Diagnostic("warning", f"git not used, files listed by walking the tree: {problem}"))
    if listed is None:
        listed = RepositoryInfo(name=name, vcs="none", head=None, dirty=None), _walk(root, collector)
    info, entries = listed
    entries = _apply_config_globs(entries, settings, collector)
    return Listing(
        info=info,
        entries=tuple(sorted(entries)),
        excluded=tuple(Exclusion(reason, rule, count) for (reason, rule), count in sorted(collector.excluded.items())),
        diagnostics=tuple(collector.diagnostics),
        git_timeout=git_timeout,
    )


def _list_from_git(root: Path, name: str, timeout: float, collector: _Collector) -> tuple[RepositoryInfo, list[tuple[str, str | None]]] | None:
    _, inside = run_git(root, "rev-parse", "--is-inside-work-tree", "--is-bare-repository", timeout=timeout)
    in_work_tree, bare = inside.decode().split()
    if bare == "true" or in_work_tree != "true":
        collector.diagnostics.append(Diagnostic("warning", "bare git repository: there is no working tree to inventory"))
        return RepositoryInfo(name=name, vcs="git", head=_head(root, timeout), dirty=None), []
    _, staged = run_git(root, "ls-files", "-z", "--stage", timeout=timeout)
    entries: dict[str, str | None] = {}
    for record in staged.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, blob, _stage = meta.split(b" ")
        path = os.fsdecode(raw_path)
        if mode == b"160000":
            collector.excluded["submodule", "git: submodule"] += 1
            continue
        entries[path] = blob.decode()
    _, untracked = run_git(root, "ls-files", "-z", "--others", "--exclude-standard", timeout=timeout)
    for raw_path in untracked.split(b"\0"):
        if raw_path:
            entries.setdefault(os.fsdecode(raw_path), None)
    head = _head(root, timeout)
    staged_changes = None
    if head is not None:
        code, _ = run_git(
            root, "diff-index", "--cached", "--quiet", "--no-ext-diff", "--no-textconv", "HEAD", "--", ".",
            timeout=timeout, ok_codes=(0, 1),
        )
        staged_changes = code == 1
    return RepositoryInfo(name=name, vcs="git", head=head, dirty=staged_changes), list(entries.items())


def _head(root: Path, timeout: float) -> str | None:
    code, out = run_git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", timeout=timeout, ok_codes=(0, 1))
    return out.decode().strip() if code == 0 else None


def _walk(root: Path, collector: _Collector) -> list[tuple[str, str | None]]:
    """Every file below root, honouring .gitignore files, never entering a linked directory."""
    entries: list[tuple[str, str | None]] = []
    ignore_stack: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def ignored(relpath: str, is_dir: bool) -> bool:
        verdict = False
        for base, spec in ignore_stack:
            result = spec.check_file(relpath[len(base):] + ("/" if is_dir else ""))
            if result.include is not None:
                verdict = result.include
        return verdict

    def visit(directory: str) -> None:
        full = os.path.join(root, directory)
        pushed = False
        gitignore = os.path.join(full, ".gitignore")
        try:
            if stat.S_ISREG(os.lstat(gitignore).st_mode):
                with open(gitignore, "rb") as handle:
                    lines = handle.read(1 << 20).decode("utf-8", "replace").splitlines()
                ignore_stack.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))
                pushed = True
        except OSError:
            pass
        try:
            with os.scandir(full) as listing:
                children = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            collector.diagnostics.append(Diagnostic("warning", f"cannot list directory: {error.strerror}", path=directory or "."))
            children = []
        for child in children:
            relpath = directory + child.name
            try:
                is_dir = child.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir and child.name == ".git":
                continue
            if ignored(relpath, is_dir):
                continue
            if is_dir:
                visit(relpath + "/")
            else:
                entries.append((relpath, None))
        if pushed:
            ignore_stack.pop()

    visit("")
    return entries


def _apply_config_globs(entries: list[tuple[str, str | None]], settings: Settings, collector: _Collector) -> list[tuple[str, str | None]]:
    if not settings.include and not settings.exclude:
        return entries
    include = pathspec.GitIgnoreSpec.from_lines(settings.include) if settings.include else None
    exclude = pathspec.GitIgnoreSpec.from_lines(settings.exclude) if settings.exclude else None
    kept = []
    for path, blob in entries:
        if include is not None and not include.match_file(path):
            collector.excluded["config", "include"] += 1
        elif exclude is not None and exclude.match_file(path):
            collector.excluded["config", "exclude"] += 1
        else:
            kept.append((path, blob))
    return kept


def inventory_file(root: Path, path: str, index_blob: str | None, host: PluginHost, max_size: int, recorded: FileRecord | None = None) -> FileRecord:
    """Read, classify and count one file; never follows a link or opens a non-regular file.

    ``recorded`` is this path's record from an earlier scan (the cache's): when the bytes
    read are the ones it was made from, it is returned as it is, unclassified and uncounted.
    """
    full = os.path.join(root, path)
    if not inside_real_directories(root, path):
        return FileRecord(path, 0, index_blob, ReadStatus.SYMLINK, None, FileKind.DATA, "in a linked directory")
    try:
        info = os.lstat(full)
    except OSError:
        return FileRecord(path, 0, index_blob, ReadStatus.UNREADABLE, None, FileKind.DATA, "missing")
    if stat.S_ISLNK(info.st_mode):
        return FileRecord(path, 0, index_blob, ReadStatus.SYMLINK, None, FileKind.DATA, "symbolic link")
    if not stat.S_ISREG(info.st_mode):
        return FileRecord(path, 0, index_blob, ReadStatus.NOT_REGULAR, None, FileKind.DATA, "not a regular file")
    try:
        fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return FileRecord(path, info.st_size, index_blob, ReadStatus.UNREADABLE, None, FileKind.DATA, "cannot open")
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            return FileRecord(path, 0, index_blob, ReadStatus.NOT_REGULAR, None, FileKind.DATA, "not a regular file")
        too_large = opened.st_size > max_size
        data = read_prefix(fd, HEAD_SIZE if too_large else max_size + 1)
    except OSError:
        return FileRecord(path, info.st_size, index_blob, ReadStatus.UNREADABLE, None, FileKind.DATA, "cannot read")
    finally:
        os.close(fd)
    if len(data) > max_size:
        too_large = True
    blob = None if too_large else git_blob_id(data)
    if recorded is not None and blob is not None and recorded.blob == blob and recorded.status in (ReadStatus.READ, ReadStatus.BINARY):
        return recorded
    head = data[:HEAD_SIZE]
    file_class: FileClass = host.call_first("readiness_classify_file", path=path, head=head, root=root) or _UNCLASSIFIED
    if blob is None:
        return FileRecord(path, opened.st_size, index_blob, ReadStatus.TOO_LARGE, file_class.language, file_class.kind, file_class.reason)
    if b"\0" in head:
        return FileRecord(path, len(data), blob, ReadStatus.BINARY, file_class.language, file_class.kind, file_class.reason)
    lines = None
    if file_class.language is not None:
        lines = host.call_first("readiness_count_lines", path=path, language=file_class.language, data=data)
    return FileRecord(path, len(data), blob, ReadStatus.READ, file_class.language, file_class.kind, file_class.reason, lines)


Entry = tuple[str, str | None, FileRecord | None]
"""A file to inventory: its path, its blob id in git's index, and its record from an earlier scan."""


def _inventory_batch(batch: list[Entry], root: Path, max_size: int) -> tuple[list[FileRecord], list[Diagnostic]]:
    host = worker_host()
    records = [inventory_file(root, path, blob, host, max_size, recorded) for path, blob, recorded in batch]
    return records, [error.diagnostic() for error in host.drain_errors()]


def _batches(entries: tuple[tuple[str, str | None], ...], recorded: Mapping[str, FileRecord]) -> list[list[Entry]]:
    items = [(path, blob, recorded.get(path)) for path, blob in entries]
    return [items[start : start + BATCH_SIZE] for start in range(0, len(items), BATCH_SIZE)]


def take_inventory(
    root: Path,
    listing: Listing,
    settings: Settings,
    host: PluginHost,
    progress: Progress | None = None,
    workers: Workers | None = None,
    recorded: Mapping[str, FileRecord] | None = None,
) -> tuple[tuple[FileRecord, ...], list[Diagnostic]]:
    """A record for every listed file, in path order, and the plugin errors met on the way.

    :param workers: the scan's worker processes, if it has some to share; else a pool is
        started (when the inventory is large enough to be worth one) and stopped here.
    :param recorded: records of earlier scans by path, reused for files whose bytes did not change.
    """
    recorded = recorded or {}
    total = len(listing.entries)
    jobs = settings.jobs or os.cpu_count() or 1
    records: list[FileRecord] = []
    diagnostics: list[Diagnostic] = []
    if jobs == 1 or total < IN_PROCESS_BELOW:
        # A crash in native code here ends the scan, as it would any program: this path
        # is taken only when asked for (--jobs 1), or for inventories too small to be
        # worth workers, where isolating the work would cost more than the work itself.
        for path, blob in listing.entries:
            records.append(inventory_file(root, path, blob, host, settings.max_file_size, recorded.get(path)))
            if progress and len(records) % BATCH_SIZE == 0:
                progress("inventory", len(records), total)
        diagnostics.extend(error.diagnostic() for error in host.drain_errors())
    else:
        with Workers(host, jobs) if workers is None else nullcontext(workers) as shared:
            for piece in shared.map(_inventory_batch, _batches(listing.entries, recorded), root, settings.max_file_size):
                if isinstance(piece, Lost):
                    path, blob, _ = piece.item
                    records.append(FileRecord(path, 0, blob, ReadStatus.UNREADABLE, None, FileKind.DATA, "worker process died"))
                    diagnostics.append(piece.warning(path, "taking the inventory of"))
                else:
                    batch_records, batch_errors = piece[1]
                    records.extend(batch_records)
                    diagnostics.extend(batch_errors)
                if progress:
                    progress("inventory", len(records), total)
    if progress:
        progress("inventory", total, total)
    return tuple(records), _dedupe(diagnostics)


def worktree_differs(listing: Listing, records: tuple[FileRecord, ...]) -> bool:
    """True when a tracked file's bytes are not what git's index holds, or it is gone."""
    for (_, index_blob), record in zip(listing.entries, records, strict=True):
        if index_blob is None:
            continue
        if record.status in (ReadStatus.READ, ReadStatus.BINARY) and record.blob != index_blob:
            return True
        if record.status is ReadStatus.UNREADABLE and record.reason == "missing":
            return True
    return False


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One line per distinct problem: a plugin failing on every file is reported once."""
    return list(dict.fromkeys(diagnostics))


def language_totals(records: Iterable[FileRecord]) -> tuple[LanguageTotals, ...]:
    """Per-language files, lines and bytes of the files that count (source and test)."""
    totals: dict[str, list[int]] = {}
    for record in records:
        if not record.counted or record.language is None:
            continue
        row = totals.setdefault(record.language, [0, 0, 0, 0, 0])
        row[0] += 1
        if record.lines is not None:
            row[1] += record.lines.code
            row[2] += record.lines.comment
            row[3] += record.lines.blank
        row[4] += record.size
    ordered = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))
    return tuple(LanguageTotals(language, *row) for language, row in ordered)


def exclusions(records: Iterable[FileRecord], listed: tuple[Exclusion, ...]) -> tuple[Exclusion, ...]:
    """How many files each rule kept out of the totals, including those excluded before reading."""
    counts: Counter[tuple[str, str]] = Counter({(e.reason, e.rule): e.files for e in listed})
    for record in records:
        if record.status is not ReadStatus.READ:
            counts[record.status.value, record.reason] += 1
        elif record.kind not in (FileKind.SOURCE, FileKind.TEST):
            counts[record.kind.value, record.reason] += 1
    return tuple(Exclusion(reason, rule, files) for (reason, rule), files in sorted(counts.items()))
