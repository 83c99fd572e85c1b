"""Per-file results kept between scans, so that a rescan reads and analyses only what changed.

A file's inventory record, its ``readiness_analyze_file`` findings and what whole-repository
plugins extract from it (:meth:`readiness.model.Repository.extract`) depend only on its
path, its bytes, the plugins and a few settings. They are kept by path with the file's
git blob id (the hash of its bytes, computed by readiness, so also outside git) in a
directory of JSON shards per scanned root and configuration, under the user's cache
directory (``$XDG_CACHE_HOME/readiness`` or ``~/.cache/readiness``), never inside the
scanned repository. The directory's name hashes the root and everything results depend
on: readiness's version and sources, every plugin's name, version and code, the settings
plugins see, and the repository's ``.gitattributes`` files.

A file whose stat (size, mtime, ctime, inode) is what was recorded is taken as unchanged
without being read, as git's index does. A change within one timestamp tick of the
recording would be missed, so files modified shortly before a scan started are recorded
without their stat and read again next time ("racy git"). A file read again whose blob
is the recorded one keeps its recorded findings.

Each shard is written to a temporary file renamed over the old one, so concurrent scans
never see half a shard (the last to finish wins; a scan only ever loses work, since an
entry is only used when the file's stat or blob says it is still right). A shard is a
header line, ``{"format": 2, "digest": ...}``, and the JSON of its entries; the digest
(BLAKE2b of those bytes) is checked before anything is parsed, so a truncated, damaged
or edited shard is ignored and rewritten, and an intact one is trusted without checking
every value of the hundreds of thousands of findings a large tree records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import readiness_plugins
from readiness import __version__
from readiness.git import find_git_dir
from readiness.inventory import Listing
from readiness.model import Criterion, FileKind, FileRecord, Finding, JSONData, LineCounts, ReadStatus, Repository, as_json_data, git_blob_id
from readiness.plugin_host import PluginHost
from readiness.safefs import read_regular_file

FORMAT = 2
RACY_WINDOW_NS = 2_000_000_000
"""Files modified less than this before a scan started are recorded without their stat (the
coarsest common file timestamp, FAT's, is 2 seconds)."""
ATTRIBUTES_LIMIT = 1 << 20
SHARDS = 32
"""Files of results per root and configuration: a change rewrites only the shards holding changed files."""
STALE_AFTER_S = 7 * 24 * 3600
"""A root's cache file for another configuration (older plugins, other settings) unused this long is deleted."""

Stat = tuple[int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode) of a regular file."""
Row = list[Any]
"""A finding as recorded: rule, criterion, line, column, message, function, fingerprint, confidence, facts."""


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "readiness"


def plugin_signature(host: PluginHost) -> list[tuple[str, str, str | None, str]]:
    """Every plugin's name, origin, version and a hash of its code.

    Built-in plugins hash readiness's own sources, so an edited checkout never reuses
    results of the code it replaced; other plugins hash their module's file.
    """
    signature = []
    for plugin in host.plugins():
        sources = _OWN_SOURCES if plugin.origin == "builtin" else (Path(plugin.location),)
        signature.append((plugin.name, plugin.origin, plugin.version, _digest(sources)))
    return signature


_OWN_SOURCES = tuple(
    sorted(path for package in (Path(__file__).parent, Path(readiness_plugins.__file__).parent) for path in package.rglob("*") if path.suffix in (".py", ".json"))
)


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def inside_repository(directory: Path, root: Path) -> bool:
    """Whether ``directory`` is in the scanned root or in the git work tree around it."""
    target = directory.resolve()
    tops = [root.resolve()]
    git_dir = find_git_dir(root)
    if git_dir is not None and git_dir.name == ".git":
        tops.append(git_dir.parent.resolve())
    return any(target == top or top in target.parents for top in tops)


@dataclass(frozen=True, slots=True)
class _Entry:
    blob: str | None
    stat: Stat | None
    """None when the file was modified too close to its recording for its stat to be trusted."""
    record: FileRecord
    findings: Sequence[Row] | None
    """None when the file was not analysed (not source, or outside a ``--diff`` scope)."""
    extracts: Mapping[str, Any]
    """:meth:`Repository.extract` results by key."""


class AnalysisCache:
    """Where per-file results are kept, for scans with one set of plugins and settings."""

    def __init__(self, directory: Path, signature: Mapping[str, Any]) -> None:
        self.directory = directory
        self.signature = dict(signature)

    def open(self, root: Path, listing: Listing) -> CachedFiles:
        """This root's recorded results, ready to be split from what must be read again.

        The file is named for the root, then for everything else results depend on, so
        that files a root no longer uses (older plugins, other settings) can be pruned.
        """
        configuration = json.dumps({"version": __version__, "attributes": _attributes_digest(root, listing), **self.signature}, sort_keys=True, default=str)
        directory = self.directory / f"v{FORMAT}" / f"{_hash(str(root.resolve()))}-{_hash(configuration)}"
        return CachedFiles(directory, _load(directory))


class CachedFiles:
    """One scan's view of the cache: what it can reuse, and what it will record."""

    def __init__(self, directory: Path, entries: dict[str, _Entry]) -> None:
        self.directory = directory
        self._entries = entries
        self._started_ns = time.time_ns()
        self._stats: dict[str, Stat] = {}
        self._extracts = CachedMemo(directory, {}, {})

    def split(self, root: Path, listing: Listing) -> tuple[dict[str, FileRecord], tuple[tuple[str, str | None], ...]]:
        """Records of files whose stat is the recorded one, and the listing entries that must be inventoried."""
        known: dict[str, FileRecord] = {}
        unknown: list[tuple[str, str | None]] = []
        stat_of = _Stats(root)
        for path, index_blob in listing.entries:
            current = stat_of(path)
            if current is not None:
                self._stats[path] = current
            entry = self._entries.get(path)
            if entry is not None and current is not None and entry.stat == current:
                known[path] = entry.record
            else:
                unknown.append((path, index_blob))
        return known, tuple(unknown)

    def recorded(self, entries: Iterable[tuple[str, str | None]]) -> dict[str, FileRecord]:
        """The recorded records of these files, for the inventory to reuse where their bytes are the same (a fresh checkout)."""
        return {path: entry.record for path, _ in entries if (entry := self._entries.get(path)) is not None}

    def memo(self, files: Iterable[FileRecord]) -> CachedMemo:
        """What :meth:`Repository.extract` remembers for these files, as they are now, and what :meth:`Repository.at_head` remembers."""
        recalled = {}
        blobs = {}
        for record in files:
            blobs[record.path] = record.blob
            entry = self._entries.get(record.path)
            if entry is not None and record.blob is not None and entry.blob == record.blob:
                recalled[record.path] = entry.extracts
        self._extracts = CachedMemo(self.directory, blobs, recalled)
        return self._extracts

    def findings(self, record: FileRecord) -> RecordedFindings | None:
        """The recorded findings of a file with these bytes, or None when they must be computed."""
        entry = self._entries.get(record.path)
        if entry is None or entry.findings is None or record.blob is None or entry.blob != record.blob:
            return None
        return RecordedFindings(record.path, entry.findings)

    def save(self, records: Iterable[FileRecord], findings: Mapping[str, tuple[Finding, ...]], skip: set[str]) -> str | None:
        """Record every file's results (those of ``skip`` excepted); the reason it could not be written, if any.

        Only the shards holding a changed entry are written, so a one-file change writes little.
        """
        entries: dict[str, _Entry] = {}
        changed: set[int] = set()
        computed = self._extracts.computed
        for record in records:
            path = record.path
            if path in skip:
                continue
            recorded = self._entries.get(path)
            trusted = self._trusted_stat(path)
            if recorded is not None and recorded.record is record and recorded.stat == trusted and path not in findings and path not in computed:
                # Recalled whole and nothing recomputed: the common case of a rescan, kept as is.
                entries[path] = recorded
                continue
            fresh = findings.get(path)
            found = None if fresh is None else [_row(finding) for finding in fresh]
            if found is None and recorded is not None and recorded.blob == record.blob:
                found = recorded.findings
            entry = _Entry(record.blob, trusted, record, found, self._extracts.used.get(path, {}))
            entries[path] = entry
            if recorded is None or _differs(entry, recorded):
                changed.add(_shard(path))
        changed.update(_shard(path) for path in self._entries.keys() - entries.keys())
        if not changed:
            return None
        shards: dict[int, dict[str, _Entry]] = {shard: {} for shard in changed}
        for path, entry in entries.items():
            shard = _shard(path)
            if shard in shards:
                shards[shard][path] = entry
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _tag(self.directory.parent.parent)
            for shard, shard_entries in sorted(shards.items()):
                _write_shard(self.directory / f"{shard:02x}.json", shard_entries)
        except OSError as error:
            return f"cache not written to {self.directory}: {error.strerror or error}"
        _prune(self.directory)
        self._entries = entries
        return None

    def _trusted_stat(self, path: str) -> Stat | None:
        current = self._stats.get(path)
        if current is None or current[1] >= self._started_ns - RACY_WINDOW_NS:
            return None
        return current


@dataclass(frozen=True, slots=True)
class RecordedFindings:
    """A file's findings as the cache recorded them, made into findings of the service they now belong to."""

    path: str
    rows: Sequence[Row]

    def of(self, service: str | None) -> list[Finding]:
        # Built here, once, with their service: a rescan recalls every finding of the tree,
        # and building each twice (without, then with its service) cost a second per 250,000.
        path = self.path
        return [
            Finding(rule, _CRITERIA[criterion], path, line, message, column, function, fingerprint, confidence, service, tuple(facts.items()))
            for rule, criterion, line, column, message, function, fingerprint, confidence, facts in self.rows
        ]


def _row(finding: Finding) -> Row:
    return [
        finding.rule, finding.criterion.value, finding.line, finding.column, finding.message,
        finding.function, finding.fingerprint, finding.confidence, dict(finding.facts),
    ]


def _differs(entry: _Entry, recorded: _Entry) -> bool:
    # Recalled results are the recorded objects themselves, so identity settles most comparisons.
    return (
        entry.blob != recorded.blob
        or entry.stat != recorded.stat
        or entry.record is not recorded.record
        or (entry.findings is not recorded.findings and entry.findings != recorded.findings)
        or entry.extracts != recorded.extracts
    )


def _shard(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % SHARDS


def _write_shard(path: Path, entries: dict[str, _Entry]) -> None:
    _write_sealed(path, {name: _dump(entry) for name, entry in entries.items()})


def _write_sealed(path: Path, document: Any) -> None:
    """Write a header with the digest of the document's JSON, then that JSON, through a
    temporary file renamed over ``path``, so no reader ever sees half of it."""
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        body = json.dumps(document, separators=(",", ":")).encode()
        with os.fdopen(handle, "wb") as stream:
            stream.write(json.dumps({"format": FORMAT, "digest": _seal(body)}).encode() + b"\n" + body)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _read_sealed(path: Path) -> Any:
    """The document :func:`_write_sealed` wrote, or None if it is missing, foreign, or not what its digest says."""
    try:
        header, _, body = path.read_bytes().partition(b"\n")
        head = json.loads(header)
        if type(head) is not dict or head.get("format") != FORMAT or head.get("digest") != _seal(body):
            return None
        return json.loads(body)
    except (OSError, ValueError):
        return None


def _seal(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _prune(written: Path) -> None:
    """Delete this root's caches for other configurations that no scan has written for a while; never fails."""
    root_prefix = written.name.split("-", 1)[0]
    stale_before = time.time() - STALE_AFTER_S
    for sibling in written.parent.glob(f"{root_prefix}-*"):
        try:
            if sibling != written and sibling.stat().st_mtime < stale_before:
                shutil.rmtree(sibling)
        except OSError:
            continue


class CachedMemo:
    """The :class:`readiness.model.Memo` of a scan with a cache: per-file results recalled for
    unchanged files and those used, and per-commit results kept one file per name."""

    def __init__(self, directory: Path, blobs: Mapping[str, str | None], recalled: Mapping[str, Mapping[str, Any]]) -> None:
        self._directory = directory
        self._blobs = blobs
        self._recalled = recalled
        self.used: dict[str, dict[str, Any]] = {}
        self.computed: set[str] = set()
        """Paths with a result computed in this scan, not recalled."""

    def extract(self, repo: Repository, path: str, key: str, function: Callable[[bytes], JSONData]) -> JSONData:
        used = self.used.get(path, {})
        known = self._recalled.get(path, {})
        if key in used:
            return used[key]
        if key in known:
            value = known[key]
        else:
            data = repo.read_bytes(path)
            if data is None:
                return None
            value = as_json_data(function(data))
            self.computed.add(path)
        if self._blobs.get(path) is not None:
            self.used.setdefault(path, {})[key] = value
        return value

    def at_head(self, head: str, name: str, inputs: JSONData, function: Callable[[], JSONData]) -> JSONData:
        path = self._directory / f"head-{_hash(name)}.json"
        inputs = as_json_data(inputs)
        kept = _read_sealed(path)
        if type(kept) is dict and kept.get("name") == name and kept.get("head") == head and kept.get("inputs") == inputs:
            return kept.get("value")
        value = as_json_data(function())
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _tag(path.parent.parent.parent)
            _write_sealed(path, {"name": name, "head": head, "inputs": inputs, "value": value})
        except OSError:
            pass  # the scan's own results are saved after this, and say why the directory cannot be written
        return value


class _Stats:
    """The stat of regular files below a root, never through a linked directory (as the inventory reads them)."""

    def __init__(self, root: Path) -> None:
        self._root = str(root)
        self._real_directories: dict[str, bool] = {"": True}

    def __call__(self, path: str) -> Stat | None:
        directory, _, _ = path.rpartition("/")
        if not self._real(directory):
            return None
        try:
            info = os.lstat(f"{self._root}/{path}")
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino

    def _real(self, directory: str) -> bool:
        known = self._real_directories.get(directory)
        if known is None:
            parent, _, name = directory.rpartition("/")
            known = name not in ("", ".", "..") and self._real(parent) and _is_directory(f"{self._root}/{directory}")
            self._real_directories[directory] = known
        return known


def _is_directory(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _attributes_digest(root: Path, listing: Listing) -> str:
    """A hash of every ``.gitattributes`` that can apply to a listed file: classification depends on them."""
    directories = {""}
    for path, _ in listing.entries:
        directory = path.rpartition("/")[0]
        while directory not in directories:
            directories.add(directory)
            directory = directory.rpartition("/")[0]
    digest = hashlib.sha256()
    top = str(root)
    for directory in sorted(directories):
        relpath = f"{directory}/.gitattributes" if directory else ".gitattributes"
        try:
            # A string path: pathlib costs more than the lstat itself, once per directory of the tree.
            os.lstat(f"{top}/{relpath}")
        except OSError:
            continue
        data = read_regular_file(root, relpath, ATTRIBUTES_LIMIT)
        if data is not None:
            digest.update(f"{directory}\0{git_blob_id(data)}\0".encode())
    return digest.hexdigest()


def _tag(directory: Path) -> None:
    """Mark the cache directory so backup tools skip it (https://bford.info/cachedir/)."""
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n# This is readiness's cache; it can be deleted at any time.\n", encoding="utf-8")


def _load(directory: Path) -> dict[str, _Entry]:
    """Every entry of every intact shard; a shard that cannot be read, or whose digest is not its content's, counts as empty."""
    entries: dict[str, _Entry] = {}
    for shard in range(SHARDS):
        document = _read_sealed(directory / f"{shard:02x}.json")
        if document is None:
            continue
        try:
            # The digest vouches for every value, as this module wrote it: a failure here is
            # a bug in _dump, and costs only the shard.
            entries.update({path: _parse(path, raw) for path, raw in document.items()})
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            continue
    return entries


def _dump(entry: _Entry) -> list[Any]:
    record = entry.record
    lines = [record.lines.code, record.lines.comment, record.lines.blank] if record.lines else None
    return [entry.blob, list(entry.stat) if entry.stat else None, record.size, record.status.value, record.language, record.kind.value, record.reason, lines, entry.findings, entry.extracts]


def _parse(path: str, raw: list[Any]) -> _Entry:
    blob, recorded_stat, size, status, language, kind, reason, lines, findings, extracts = raw
    record = FileRecord(path, size, blob, _STATUSES[status], language, _KINDS[kind], reason, LineCounts(*lines) if lines is not None else None)
    file_stat: Stat | None = tuple(recorded_stat) if recorded_stat is not None else None  # type: ignore[assignment]
    if findings is not None:
        # Only what RecordedFindings.of relies on, so that it cannot fail later, mid-scan.
        for _rule, criterion, _line, _column, _message, _function, _fingerprint, _confidence, facts in findings:
            if criterion not in _CRITERIA or type(facts) is not dict:
                raise ValueError("malformed finding")
    return _Entry(blob, file_stat, record, findings, extracts)


_STATUSES = {status.value: status for status in ReadStatus}
_KINDS = {kind.value: kind for kind in FileKind}
_CRITERIA = {criterion.value: criterion for criterion in Criterion}
