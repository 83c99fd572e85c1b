"""The cache of per-file results: rescans read only what changed, report exactly what a cold scan does,
never write inside the scanned repository, and survive corrupted files and concurrent runs."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import readiness.inventory
import readiness.pipeline
from readiness.cache import FORMAT, AnalysisCache, CachedFiles
from readiness.config import Settings
from readiness.inventory import list_files
from readiness.model import FileRecord, Repository

from cirepo import CI, two_services
from conftest import git, write_tree

HOUR_NS = 3600 * 10**9


def backdate(root: Path) -> None:
    """Make every file older than the racy window, as files are that were not written just before a scan."""
    past = time.time_ns() - HOUR_NS
    for directory, _, names in os.walk(root):
        if ".git" not in Path(directory).parts:
            for name in names:
                os.utime(os.path.join(directory, name), ns=(past, past))


@pytest.fixture
def inventoried(monkeypatch):
    """The paths each scan reads and inventories (the in-process inventory)."""
    paths: list[str] = []
    original = readiness.inventory.inventory_file

    def counting(root, path, *args):
        paths.append(path)
        return original(root, path, *args)

    monkeypatch.setattr(readiness.inventory, "inventory_file", counting)
    return paths


def scan(run_cli, repo, cache_dir, *args):
    code, out, err = run_cli("scan", repo, *CI, "--format", "json", "--files", "--cache-dir", cache_dir, *args)
    assert code == 0, err
    return out


def cache_files(cache_dir: Path) -> list[Path]:
    """The directories of shards, one per root and configuration."""
    return sorted(path for path in (cache_dir / f"v{FORMAT}").glob("*") if path.is_dir())


def shard_entries(text: str) -> dict[str, list]:
    return json.loads(text.partition("\n")[2])


def sealed(shard: dict[str, list]) -> str:
    """A shard of these entries whose digest is right, as the cache writes it."""
    body = json.dumps(shard, separators=(",", ":"))
    return json.dumps({"format": FORMAT, "digest": hashlib.blake2b(body.encode(), digest_size=16).hexdigest()}) + "\n" + body


def entries(cache: Path) -> dict[str, object]:
    return {path: entry for shard in sorted(cache.glob("*.json")) for path, entry in shard_entries(shard.read_text()).items()}


def test_a_rescan_reads_nothing_and_reports_what_a_cold_scan_does(make_repo, run_cli, tmp_path, inventoried):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    backdate(repo)
    cold = scan(run_cli, repo, tmp_path / "cache")
    assert sorted(inventoried) == ["services/api/Dockerfile", "services/api/app.py", "services/billing/Dockerfile", "services/billing/app.py"]
    inventoried.clear()
    assert scan(run_cli, repo, tmp_path / "cache") == cold
    assert inventoried == []
    assert scan(run_cli, repo, tmp_path / "other", "--no-cache") == cold
    assert not (tmp_path / "other").exists()


def test_an_edited_file_is_the_only_one_read_again(make_repo, run_cli, tmp_path, inventoried):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    backdate(repo)
    scan(run_cli, repo, tmp_path / "cache")
    write_tree(repo, {"services/billing/app.py": "sleep(1)\nlock(b)\n"})
    inventoried.clear()
    warm = scan(run_cli, repo, tmp_path / "cache")
    assert inventoried == ["services/billing/app.py"]
    assert warm == scan(run_cli, repo, tmp_path / "cold", "--no-cache")
    assert [(f["rule"], f["path"], f["line"]) for f in json.loads(warm)["findings"]][-1] == ("CIL101", "services/billing/app.py", 2)


def test_files_written_just_before_a_scan_are_read_again_next_time(make_repo, run_cli, tmp_path, inventoried):
    repo = make_repo(two_services())
    scan(run_cli, repo, tmp_path / "cache")
    inventoried.clear()
    scan(run_cli, repo, tmp_path / "cache")
    # Their mtime is within the racy window of the first scan: a later write in the same tick would not show.
    assert len(inventoried) == 4


def test_a_fresh_checkout_reads_every_file_but_classifies_none(make_repo, run_cli, tmp_path, monkeypatch):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    backdate(repo)
    first = scan(run_cli, repo, tmp_path / "cache")
    reused: list[tuple[str, bool]] = []
    original = readiness.inventory.inventory_file

    def watching(root, path, index_blob, host, max_size, recorded=None):
        record = original(root, path, index_blob, host, max_size, recorded)
        reused.append((path, record is recorded))
        return record

    monkeypatch.setattr(readiness.inventory, "inventory_file", watching)
    # A CI checkout restores the cache but writes every file anew: new stats, same bytes.
    past = time.time_ns() - HOUR_NS // 2
    for path in ("services/api/Dockerfile", "services/api/app.py", "services/billing/Dockerfile", "services/billing/app.py"):
        os.utime(repo / path, ns=(past, past))
    write_tree(repo, {"services/billing/app.py": "sleep(2)\n"})
    os.utime(repo / "services/billing/app.py", ns=(past, past))
    second = json.loads(scan(run_cli, repo, tmp_path / "cache"))
    assert sorted(reused) == [("services/api/Dockerfile", True), ("services/api/app.py", True), ("services/billing/Dockerfile", True), ("services/billing/app.py", False)]
    assert second == json.loads(scan(run_cli, repo, tmp_path / "cold", "--no-cache")) != json.loads(first)


def test_a_touched_file_with_the_same_bytes_keeps_its_findings(make_repo, run_cli, tmp_path, monkeypatch):
    repo = make_repo(two_services(api="lock(a)\n"))
    backdate(repo)
    first = scan(run_cli, repo, tmp_path / "cache")
    analysed: list[str] = []
    original = readiness.pipeline.start_analysis

    def counting(host, repo, *args, **kwargs):
        analysed.extend(record.path for record in repo.files if record.counted)
        return original(host, repo, *args, **kwargs)

    monkeypatch.setattr(readiness.pipeline, "start_analysis", counting)
    os.utime(repo / "services/api/app.py")
    assert scan(run_cli, repo, tmp_path / "cache") == first
    assert analysed == []


def _edit_findings(text: str) -> str:
    """Every finding's line moved, the digest left as it was: a shard changed since it was written."""
    header, _, _ = text.partition("\n")
    shard = shard_entries(text)
    for entry in shard.values():
        for finding in entry[8] or ():
            finding[2] += 1
    return header + "\n" + json.dumps(shard, separators=(",", ":"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "\0\xff garbage",
        _edit_findings,
        # A sealed shard that cannot be parsed is a bug in the writer: the shard is dropped, not the scan.
        lambda text: sealed({path: ["x"] * 10 for path in shard_entries(text)}),
        lambda text: sealed({path: [*entry[:8], [["CIL101", "nonsense", 1, 1, "m", None, "f", 1.0, {}]], {}] for path, entry in shard_entries(text).items()}),
        lambda text: json.dumps({"format": 99}),
    ],
    ids=["truncated", "garbage", "edited", "malformed-entries", "malformed-finding", "other-format"],
)
def test_a_corrupted_cache_is_ignored_and_rewritten(make_repo, run_cli, tmp_path, damage):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n"))
    backdate(repo)
    cold = scan(run_cli, repo, tmp_path / "cache")
    [cache] = cache_files(tmp_path / "cache")
    intact = {shard: shard.read_text() for shard in cache.glob("*.json")}
    for shard, text in intact.items():
        shard.write_text(damage(text), encoding="utf-8", errors="surrogateescape")
    assert scan(run_cli, repo, tmp_path / "cache") == cold
    assert {shard: shard_entries(shard.read_text()) for shard in intact} == {shard: shard_entries(text) for shard, text in intact.items()}


def test_concurrent_scans_share_a_cache_without_breaking_it(make_repo, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n", billing="sleep(1)\n", **{f"services/api/m{n}.py": f"lock({n})\n" for n in range(30)}))
    backdate(repo)
    command = [sys.executable, "-m", "readiness", "scan", str(repo), *CI, "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    [cache] = cache_files(tmp_path / "cache")
    assert len(entries(cache)) == 34
    assert not list(cache.glob(".tmp-*"))
    again = subprocess.run(command, capture_output=True, check=True)
    assert again.stdout == outputs[0][0]


def test_the_cache_is_never_inside_the_scanned_repository(make_repo, run_cli, monkeypatch):
    repo = make_repo(two_services(**{"services/api/sub/x.py": "x = 1\n"}))
    code, out, err = run_cli("scan", repo, "--cache-dir", repo / ".cache")
    assert (code, out) == (2, "")
    assert err == f"readiness: error: --cache-dir {repo / '.cache'}: inside the scanned repository, which readiness never writes to\n"
    # Scanning a subdirectory: the work tree around it is the repository too.
    assert run_cli("scan", repo / "services", "--cache-dir", repo / "cache")[0] == 2
    monkeypatch.setenv("XDG_CACHE_HOME", str(repo / "services/api/sub"))
    code, out, err = run_cli("scan", repo, "--format", "json")
    assert code == 0 and json.loads(out)
    assert err == f"readiness: warning: cache not used: {repo / 'services/api/sub/readiness'} is inside the scanned repository\n"
    assert git(repo, "status", "--porcelain", "--ignored") == ""


def test_the_default_cache_lives_in_the_user_cache_directory(make_repo, run_cli, tmp_path, monkeypatch):
    repo = make_repo(two_services())
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert run_cli("scan", repo)[0] == 0
    assert len(cache_files(tmp_path / "xdg" / "readiness")) == 1
    assert (tmp_path / "xdg" / "readiness" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert git(repo, "status", "--porcelain", "--ignored") == ""


def test_what_results_depend_on_keys_the_cache(make_repo, run_cli, tmp_path, inventoried):
    repo = make_repo(two_services(api="lock(a)\n"))
    backdate(repo)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "extra.py").write_text("X = 1\n")
    scan(run_cli, repo, tmp_path / "cache", "--plugins-dir", plugins)
    for change in (
        ("--plugins-dir", plugins, "--max-file-size", "1000"),
        ("--plugins-dir", plugins, "--config", _config(tmp_path, "[plugins.ci_markers]\nstrict = true\n")),
    ):
        inventoried.clear()
        scan(run_cli, repo, tmp_path / "cache", *change)
        assert len(inventoried) == 4, change
    (plugins / "extra.py").write_text("X = 2\n")
    inventoried.clear()
    scan(run_cli, repo, tmp_path / "cache", "--plugins-dir", plugins)
    assert len(inventoried) == 4
    assert len(cache_files(tmp_path / "cache")) == 4


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "readiness.toml"
    path.write_text(text)
    return path


def test_a_changed_gitattributes_reclassifies_cached_files(make_repo, tmp_path):
    repo = make_repo(two_services(api="lock(a)\n"))
    backdate(repo)
    # In separate processes: the languages plugin keeps .gitattributes it read for the life of a process.
    command = [sys.executable, "-m", "readiness", "scan", str(repo), *CI, "--format", "json", "--cache-dir", str(tmp_path / "cache")]
    before = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    assert [f["path"] for f in before["findings"]] == ["services/api/app.py"]
    write_tree(repo, {"services/api/.gitattributes": "app.py linguist-vendored\n"})
    after = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    assert after["findings"] == []
    assert {"reason": "vendored", "rule": ".gitattributes: linguist-vendored", "files": 1} in after["exclusions"]


def test_extracts_are_computed_once_per_content(make_repo, tmp_path):
    repo_root = make_repo({"a.py": "one\n", "b.py": "two\n"})
    backdate(repo_root)
    cache = AnalysisCache(tmp_path / "cache", {"plugins": []})
    calls: list[bytes] = []

    def lines(data: bytes) -> list[str]:
        calls.append(data)
        return data.decode().split()

    def run() -> list[object]:
        listing = list_files(repo_root, Settings())
        cached: CachedFiles = cache.open(repo_root, listing)
        known, unknown = cached.split(repo_root, listing)
        files = tuple(known.get(path) or FileRecord(path, 4, _blob(repo_root / path), readiness.model.ReadStatus.READ) for path, _ in listing.entries)
        repo = Repository(repo_root, listing.info, files, 1 << 20, memo=cached.memo(files))
        values = [repo.extract(path, "test/1", lines) for path in ("a.py", "b.py", "a.py")]
        cached.save(files, {}, set())
        return values

    assert run() == [["one"], ["two"], ["one"]] and len(calls) == 2
    assert run() == [["one"], ["two"], ["one"]] and len(calls) == 2
    write_tree(repo_root, {"b.py": "three\n"})
    backdate(repo_root)
    assert run() == [["one"], ["three"], ["one"]] and calls[-1] == b"three\n" and len(calls) == 3


def _blob(path: Path) -> str:
    return readiness.model.git_blob_id(path.read_bytes())


def test_a_file_two_services_share_is_recalled_for_each(make_repo, run_cli, tmp_path):
    # One Procfile, two process types: two services of one directory, sharing its files.
    repo = make_repo({"shop/Procfile": "web: python app.py\nworker: python app.py --jobs\n", "shop/app.py": "lock(a)\n"})
    backdate(repo)
    cold = scan(run_cli, repo, tmp_path / "cache")
    assert sorted((f["service"], f["rule"]) for f in json.loads(cold)["findings"] if f["rule"] == "CIL101") == [("shop-web", "CIL101"), ("shop-worker", "CIL101")]
    assert scan(run_cli, repo, tmp_path / "cache") == cold
