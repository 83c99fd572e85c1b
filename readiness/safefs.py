"""Reading files of an untrusted tree without following links out of it or hanging on it.

Only regular files are ever opened, and never through a symbolic link: a tracked path
whose directory was swapped for a link to ``/etc`` reads as nothing, and a FIFO or
device where a file should be is refused before it can block a read.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


@functools.lru_cache(maxsize=65536)
def _real_directories(root: str, directory: str) -> bool:
    """True when ``directory`` (relative to ``root``) and each directory above it are real directories.

    Cached per directory, so a file costs one lookup however deep it lies.
    """
    if not directory:
        return True
    parent, slash, name = directory.rpartition("/")
    if name in ("", ".", "..") or (slash and not parent) or not _real_directories(root, parent):
        return False
    try:
        return stat.S_ISDIR(os.lstat(os.path.join(root, directory)).st_mode)
    except OSError:
        return False


def inside_real_directories(root: Path, relpath: str) -> bool:
    """True when every directory between ``root`` and ``relpath`` is a real directory, not a link."""
    return _real_directories(str(root), relpath.rpartition("/")[0])


def open_regular_file(root: Path, relpath: str) -> tuple[int, os.stat_result] | None:
    """An open descriptor and its stat for a regular file below ``root``, or None.

    The caller closes the descriptor.
    """
    if not inside_real_directories(root, relpath):
        return None
    try:
        fd = os.open(os.path.join(root, relpath), _OPEN_FLAGS)
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return fd, info


def read_prefix(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes from the descriptor, in as few reads as the kernel allows."""
    chunks = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_regular_file(root: Path, relpath: str, limit: int) -> bytes | None:
    """The whole file if it is a regular file below ``root`` of at most ``limit`` bytes, else None."""
    opened = open_regular_file(root, relpath)
    if opened is None:
        return None
    fd, info = opened
    try:
        if info.st_size > limit:
            return None
        return read_prefix(fd, limit)
    finally:
        os.close(fd)
