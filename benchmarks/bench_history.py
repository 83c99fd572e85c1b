"""How fast is readiness's history pass, against git itself and against a naive GitPython loop?

    python benchmarks/bench_history.py                 # a generated history of 10,000 commits
    python benchmarks/bench_history.py --commits 30000
    python benchmarks/bench_history.py /path/to/a/clone

In one run, over the same range (the history window and commit cap readiness uses):

- floor: ``git log --no-merges --numstat`` with its output read and thrown away: what
  git itself needs to produce the numbers;
- readiness: the streaming pass (hardened ``git log --raw --numstat``, parsed into
  GitPython ``Stats``, folded into per-file and per-service tallies), then the whole
  ``readiness_analyze_repository`` hook, findings included;
- naive: ``Repo.iter_commits`` with ``commit.stats`` for each commit, one ``git diff`` per
  commit; timed on the first ``--naive-sample`` commits and scaled, since the full loop
  takes minutes.

Times are the best of ``--repeat`` interleaved rounds, wall time and CPU time (git's plus
Python's): on a shared machine wall time swings with the neighbours' load, CPU time much
less. Memory is measured in separate runs (tracemalloc
slows Python down): the pass's peak Python allocation over the newest half of the range
and over all of it, which should be about the same since tallies grow with files, not
commits. Target: readiness within 1.5x of the floor.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import git as gitpython

from readiness.config import Settings
from readiness.inventory import list_files, take_inventory
from readiness.model import Repository, Service
from readiness.plugin_host import PluginHost
from readiness_plugins import history
from readiness_plugins._gitlog import Detail, LogRange, read_history, repository_state
from readiness_plugins._history_metrics import DAY, HistoryTally

CLEAN_GIT_ENV = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
AUTHORS = [f"Dev {n} <dev{n}@example.com>" for n in range(30)]
SUBJECTS = [
    "Refactor {name}", "Add tests for {name}", "Fix p99 latency spike in {name}", "Fix race condition in {name}",
    "Update {name}", "Fix memory leak in {name}", "Improve logging in {name}", "Fix OOM in {name}",
    "Rename helpers in {name}", "Fix performance regression in {name}", "Tidy {name}", "Handle errors in {name}",
]


def generate(root: Path, commits: int, services: int = 20, files_per_service: int = 100, seed: int = 6) -> None:
    """A history of ``commits`` commits over one year, built with git fast-import in seconds."""
    rng = random.Random(seed)
    contents = {
        f"services/s{s:02}/mod{f:03}.py": [f"value_{s}_{f}_{n} = {n}\n" for n in range(rng.randint(20, 120))]
        for s in range(services)
        for f in range(files_per_service)
    }
    for s in range(services):
        contents[f"services/s{s:02}/SERVICE"] = []
    paths = sorted(contents)
    end = 1_768_478_400  # 2026-01-15T12:00:00Z
    step = 360 * DAY // commits

    def blob(lines: list[str]) -> bytes:
        data = "".join(lines).encode()
        return b"data %d\n%s\n" % (len(data), data)

    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=CLEAN_GIT_ENV)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE, env=CLEAN_GIT_ENV)
    assert importer.stdin is not None
    write = importer.stdin.write
    for n in range(commits):
        when = end - (commits - 1 - n) * step
        author = rng.choice(AUTHORS)
        if n == 0:
            changed, message = paths, "Initial import"
        else:
            changed = rng.sample([p for p in paths if p.endswith(".py")], rng.choice((1, 1, 2, 2, 3, 4)))
            message = rng.choice(SUBJECTS).format(name=changed[0].rsplit("/", 1)[-1])
        write(b"commit refs/heads/main\nmark :%d\n" % (n + 1))
        write(f"author {author} {when} +0000\ncommitter {author} {when} +0000\n".encode())
        write(blob([message]))
        if n:
            write(b"from :%d\n" % n)
        for path in changed:
            lines = contents[path]
            if n:
                for _ in range(rng.randint(1, 3)):
                    if lines:
                        lines[rng.randrange(len(lines))] = f"changed_{n}_{rng.randrange(1000)} = 1\n"
                lines.extend(f"added_{n}_{k} = {k}\n" for k in range(rng.randint(0, 2)))
            write(f"M 100644 inline {path}\n".encode())
            write(blob(lines))
        if n and n % 500 == 0:
            # Now and then a file moves, so the pass follows renames as it would in life.
            old = rng.choice([p for p in paths if p.endswith(".py")])
            new = old.replace(".py", f"_v{n}.py")
            write(f"R {old} {new}\n".encode())
            contents[new] = contents.pop(old)
            paths = sorted(contents)
        write(b"\n")
    importer.stdin.close()
    if importer.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True, env=CLEAN_GIT_ENV)


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for: git's work plus Python's."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best_of(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, tuple[float, float]]:
    """The best wall time and the best CPU time of each run over ``repeat`` rounds.

    Rounds interleave the runs, so a neighbour's burst of load hits them alike; on a
    shared machine wall time swings with that load, CPU time much less.
    """
    best = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), cpu_seconds()
            run()
            wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def floor(root: Path, log_range: LogRange) -> None:
    since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(log_range.since)) if log_range.since else "1970-01-01"
    command = ["git", "-C", str(root), "log", "--no-merges", "--numstat", "--format=%H %at %aN %s", f"--since={since}", f"--max-count={log_range.max_commits}", "HEAD"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=CLEAN_GIT_ENV) as process:
        assert process.stdout is not None
        while process.stdout.read(1 << 16):
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", nargs="?", type=Path, help="a clone to measure instead of a generated history")
    parser.add_argument("--commits", type=int, default=10_000, help="commits to generate (default 10000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=300, help="commits the naive GitPython loop is timed on")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--max-commits", type=int, default=history.HistorySettings().max_commits)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        root = args.repo
        if root is None:
            root = Path(scratch) / "generated"
            started = time.perf_counter()
            generate(root, args.commits)
            print(f"generated {args.commits:,} commits with git fast-import in {time.perf_counter() - started:.1f}s")
        root = root.resolve()
        state = repository_state(root, 600)
        if state is None:
            return print("no commits") or 1
        log_range = LogRange(since=state.head_committed - args.days * DAY, max_commits=args.max_commits, subdirectory=state.subdirectory)
        commits = sum(1 for _ in read_history(root, log_range, Detail.FILES, 600))
        print(f"range: {commits:,} commits (no merges) in the {args.days} days to HEAD, cap {args.max_commits:,}")

        host = PluginHost()
        settings = Settings(options={"history_days": args.days, "history_max_commits": args.max_commits, "git_timeout": 600})
        listing = list_files(root, settings)
        files, _ = take_inventory(root, listing, settings, host)
        repo = Repository(root=root, info=listing.info, files=files, max_file_size=settings.max_file_size)
        service_paths = sorted({f.path.rsplit("/", 1)[0] for f in files if f.path.startswith("services/") and f.path.count("/") == 2})
        services = tuple(
            Service(path.rsplit("/", 1)[1], path, "backend", (), None, (), files=tuple(f.path for f in files if f.path.startswith(path + "/")))
            for path in service_paths
        )

        def our_pass() -> HistoryTally:
            tally = HistoryTally(services, anchor=state.head_committed, window_days=args.days, cited_commits=20, coupling_max_files=50)
            for commit in read_history(root, log_range, Detail.LINES, 600):
                tally.add(commit)
            return tally

        def hook() -> None:
            history.readiness_analyze_repository(repo, services, settings)

        timed = best_of(args.repeat, {"floor": lambda: floor(root, log_range), "pass": our_pass, "hook": hook})
        floor_time, pass_time, hook_time = timed["floor"], timed["pass"], timed["hook"]

        sample = min(args.naive_sample, commits)
        since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(log_range.since))
        naive_repo = gitpython.Repo(root)

        def naive() -> None:
            for commit in naive_repo.iter_commits("HEAD", no_merges=True, since=since, max_count=sample):
                commit.stats  # noqa: B018 - the property is the work being timed

        naive_wall, naive_cpu = (seconds / sample * commits for seconds in best_of(1, {"naive": naive})["naive"])
        naive_repo.close()

        print(f"\n{'':34}{'wall s':>8}{'x floor':>9}{'CPU s':>8}{'x floor':>9}")
        rows = [
            ("floor: git log --numstat", floor_time),
            ("readiness: streaming pass", pass_time),
            ("readiness: whole history hook", hook_time),
            ("naive GitPython commit.stats", (naive_wall, naive_cpu)),
        ]
        for name, (wall, cpu) in rows:
            print(f"{name:34}{wall:8.2f}{wall / floor_time[0]:9.2f}{cpu:8.2f}{cpu / floor_time[1]:9.2f}")
        print(f"(naive timed on {sample} commits and scaled to {commits:,}; others best of {args.repeat})")

        def peak(max_commits: int) -> tuple[int, int]:
            tracemalloc.start()
            part = LogRange(since=log_range.since, max_commits=max_commits, subdirectory=log_range.subdirectory)
            tally = HistoryTally(services, anchor=state.head_committed, window_days=args.days, cited_commits=20, coupling_max_files=50)
            for commit in read_history(root, part, Detail.LINES, 600):
                tally.add(commit)
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            return top, len(tally.files)

        half, half_files = peak(max(1, commits // 2))
        full, full_files = peak(commits)
        print(f"\npeak Python memory of the pass: {half / 2**20:.1f} MiB over {commits // 2:,} commits ({half_files:,} files), "
              f"{full / 2**20:.1f} MiB over {commits:,} commits ({full_files:,} files)")
        for measure, ours, theirs in (("wall", pass_time[0], floor_time[0]), ("CPU", pass_time[1], floor_time[1])):
            verdict = "within" if ours <= 1.5 * theirs else "NOT within"
            print(f"target: streaming pass {verdict} 1.5x of git log --numstat in {measure} time ({ours / theirs:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
