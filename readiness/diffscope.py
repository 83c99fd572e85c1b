"""Judging only what a change touches: ``--diff REF`` for pull requests, ``readiness check FILES`` for pre-commit.

A touched service is judged as a whole (all its files analysed, its score computed as in
a full scan); the services no changed file touches are not analysed, and their findings
and scores are left out. A file touches the services that own it, and those whose
manifests, Dockerfiles or deployment files it is: a changed compose file touches every
service it deploys.

Changed files against a ref are found without asking git to read the working tree (which
could run a filter driver the repository configures): the blob ids ``git ls-tree`` gives
for the ref are compared with the blob ids of the bytes readiness read. A file git would
convert on checkout (``eol``, ``filter``) may so count as changed when it is not; never
the other way round.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from readiness.git import GitError, run_git
from readiness.model import FileRecord, Service

FILES_GIVEN = "files given"


class ScopeError(ValueError):
    """The ref or the files cannot define a scope; the message is one line."""


@dataclass(frozen=True, slots=True)
class ChangeScope:
    """What a scan should limit itself to, before the inventory tells which files changed."""

    base: str
    """The ref as given, or :data:`FILES_GIVEN`."""
    commit: str | None = None
    base_blobs: Mapping[str, str] | None = None
    """Blob ids by path at ``commit`` (relative to the scanned root); None when files are given."""
    files: tuple[str, ...] = field(default=())
    """The changed files, when given rather than found against a ref."""


def against_ref(root: Path, ref: str, timeout: float) -> ChangeScope:
    """The scope of everything changed since ``ref``: committed, staged, unstaged or untracked."""
    if not ref or ref.startswith("-"):
        raise ScopeError(f"--diff {ref!r}: not a git revision")
    try:
        code, out = run_git(root, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", timeout=timeout, ok_codes=(0, 1))
        if code != 0:
            raise ScopeError(f"--diff {ref}: no such commit in {root}")
        commit = out.decode().strip()
        # ls-tree lists paths relative to the current directory, the scanned root.
        _, listing = run_git(root, "ls-tree", "-r", "-z", commit, timeout=timeout)
    except GitError as error:
        raise ScopeError(f"--diff {ref}: {error}") from None
    blobs = {}
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        _mode, kind, blob = meta.split(b" ")
        if kind == b"blob":
            blobs[os.fsdecode(raw_path)] = blob.decode()
    return ChangeScope(base=ref, commit=commit, base_blobs=blobs)


def of_files(root: Path, files: Iterable[str], cwd: Path) -> ChangeScope:
    """The scope of files named on the command line, relative to ``cwd``, as paths relative to ``root``."""
    top = root.resolve()
    relative = []
    for name in files:
        absolute = Path(os.path.normpath(cwd / name))
        try:
            relative.append((absolute.parent.resolve() / absolute.name).relative_to(top).as_posix())
        except ValueError:
            raise ScopeError(f"{name}: not inside the repository {root}") from None
    return ChangeScope(base=FILES_GIVEN, files=tuple(sorted(set(relative))))


def changed_paths(scope: ChangeScope, files: tuple[FileRecord, ...]) -> tuple[str, ...]:
    """Paths added, modified or deleted since the base, sorted."""
    if scope.base_blobs is None:
        return scope.files
    # A tracked file deleted from the work tree is still listed (git's index has it), but missing.
    listed = {record.path: record.blob for record in files if record.reason != "missing"}
    changed = {path for path, blob in listed.items() if blob is None or scope.base_blobs.get(path) != blob}
    changed.update(path for path in scope.base_blobs if path not in listed)
    return tuple(sorted(changed))


def touched_services(changed: Iterable[str], services: tuple[Service, ...]) -> tuple[str, ...]:
    """Names of the services the changed paths touch, in report order."""
    changed = set(changed)
    touched: set[str] = set()
    owners: dict[str, list[str]] = {}
    for service in services:
        for path in service.files:
            owners.setdefault(path, []).append(service.name)
    for path in changed:
        if path in owners:
            touched.update(owners[path])
        else:
            # A deleted file belongs to the deepest services above it.
            above = [s for s in services if s.path == "." or path.startswith(s.path + "/")]
            deepest = max((len(s.path) for s in above if s.path != "."), default=None)
            touched.update(s.name for s in above if (len(s.path) == deepest if deepest is not None else s.path == "."))
    for service in services:
        declared = {*service.manifests, *service.dockerfiles, *(d.path for d in service.deployments), *(e.path for e in service.evidence)}
        if declared & changed:
            touched.add(service.name)
    return tuple(s.name for s in services if s.name in touched)
