"""Running git on an untrusted repository.

A scanned repository's own ``.git/config`` and ``.gitattributes`` can name programs
for git to run (fsmonitor, hooks, textconv, external diff, filters, pagers, askpass,
signature checks). Every git call readiness makes goes through :func:`run_git`, which
turns those off, ignores system and global configuration, never prompts, never takes
optional locks (so nothing is written into the repository), and has a timeout.

The environment is built from scratch rather than inherited: a ``GIT_DIR`` or
``GIT_INDEX_FILE`` set by a surrounding git hook must not point the scan elsewhere.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

DEFAULT_TIMEOUT = 60.0

_SAFE_CONFIG = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.untrackedCache", "false"),
    ("core.askPass", ""),
    ("core.sshCommand", "false"),
    ("core.gitProxy", ""),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("log.showSignature", "false"),
    ("protocol.allow", "never"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    ("submodule.recurse", "false"),
)

# Files git reads under .git before it can run; a FIFO there would block git until the
# timeout, so they are checked first.
_GIT_METADATA = ("config", "HEAD", "index", "packed-refs", "commondir", "info/exclude", "info/attributes", "shallow")


class GitError(Exception):
    """git failed, timed out or refused the repository; the message is one line."""


def _environment() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "LC_ALL": "C",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_ATTR_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_PAGER": "cat",
        "PAGER": "cat",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "GIT_LFS_SKIP_SMUDGE": "1",
    }


def git_command(root: Path, *args: str) -> list[str]:
    """The full command line for a hardened git call in ``root``."""
    command = ["git", "--no-pager", "--no-optional-locks", "-C", str(root)]
    for key, value in _SAFE_CONFIG:
        command += ["-c", f"{key}={value}"]
    return command + list(args)


def run_git(root: Path, *args: str, timeout: float = DEFAULT_TIMEOUT, ok_codes: tuple[int, ...] = (0,)) -> tuple[int, bytes]:
    """Run a hardened git command; return its exit code and standard output."""
    try:
        completed = subprocess.run(
            git_command(root, *args),
            env=_environment(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {timeout:g}s") from None
    except OSError as error:
        raise GitError(f"cannot run git: {error}") from None
    if completed.returncode not in ok_codes:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {message[0] if message else f'exit {completed.returncode}'}")
    return completed.returncode, completed.stdout


def popen_git(root: Path, *args: str) -> subprocess.Popen[bytes]:
    """A hardened git process whose standard output is read as a stream; the caller waits for it."""
    return subprocess.Popen(
        git_command(root, *args),
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def find_git_dir(root: Path) -> Path | None:
    """The ``.git`` entry that governs ``root`` (it or an ancestor's), ``root`` itself when it
    is a bare repository, or None outside git."""
    if (root / "objects").is_dir() and (root / "refs").is_dir() and (root / "HEAD").exists():
        return root
    for directory in (root, *root.parents):
        candidate = directory / ".git"
        try:
            os.lstat(candidate)
        except OSError:
            continue
        return candidate
    return None


def unsafe_git_metadata(git_dir: Path) -> str | None:
    """Why git must not be run on this ``.git``, or None when its metadata are plain files."""
    try:
        mode = os.lstat(git_dir).st_mode
    except OSError as error:
        return f"{git_dir} cannot be read: {error.strerror}"
    if stat.S_ISLNK(mode):
        return f"{git_dir} is a symbolic link"
    if stat.S_ISREG(mode):
        # A gitfile (worktree or submodule) points elsewhere; git checks the target itself.
        return None
    if not stat.S_ISDIR(mode):
        return f"{git_dir} is not a directory"
    for name in _GIT_METADATA:
        try:
            entry_mode = os.lstat(git_dir / name).st_mode
        except OSError:
            continue
        if not stat.S_ISREG(entry_mode):
            return f"{git_dir / name} is not a regular file"
    return None
