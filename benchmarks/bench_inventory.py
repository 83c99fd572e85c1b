"""Inventory speed and memory against a walk-and-read floor, tokei and cloc, in one run.

    python benchmarks/bench_inventory.py                 # a generated tree of 50,000 files
    python benchmarks/bench_inventory.py --files 5000    # a smaller one
    python benchmarks/bench_inventory.py PATH [PATH...]  # real repositories as well

Each measurement runs in a fresh process, so peak memory is that process's own (and,
for readiness, its worker processes' largest). Targets (issue 2): inventory within 3x
the floor, at least 10x faster than cloc, under 400 MB peak for 50,000 files.

Python runs here as an installed package runs: with its bytecode cached. An environment
that sets PYTHONDONTWRITEBYTECODE would otherwise charge every run (and its fork server)
for compiling readiness from source, about 0.3 s each on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = """
import os, sys
total = 0
for directory, dirnames, filenames in os.walk(sys.argv[1]):
    dirnames[:] = [d for d in dirnames if d != ".git"]
    for name in filenames:
        with open(os.path.join(directory, name), "rb") as handle:
            total += len(handle.read())
print(total)
"""

READINESS = """
import sys
from pathlib import Path
from readiness.config import Settings
from readiness.inventory import list_files, take_inventory
from readiness.plugin_host import PluginHost
root = Path(sys.argv[1])
settings = Settings(jobs=int(sys.argv[2]))
listing = list_files(root, settings)
records, _ = take_inventory(root, listing, settings, PluginHost())
print(len(records))
"""

SAMPLES = {
    ".py": 'import os\n\n\ndef handler(request):\n    """Handle a request."""\n    # parse the body\n    data = request.json()\n    return {"ok": True, "n": len(data)}  # trailing comment\n\n',
    ".go": 'package svc\n\n// Handler serves requests.\nfunc Handler(w http.ResponseWriter, r *http.Request) {\n\t/* block\n\t   comment */\n\tw.Write([]byte("// not a comment"))\n}\n\n',
    ".java": 'package com.acme;\n\n/**\n * Javadoc.\n */\npublic class Svc {\n    private final Object lock = new Object(); // guard\n    public int run(int x) { return x * 2; }\n}\n\n',
    ".ts": 'import { Router } from "express";\n\n// routes\nexport const router = Router();\nrouter.get("/x", (req, res) => res.send("/* not comment */"));\n\n',
    ".c": '#include <string.h>\n\n/* copy */\nvoid copy(char *dst, const char *src) {\n    strcpy(dst, src); // unsafe\n}\n\n',
    ".rs": 'use std::sync::Arc;\n\n/// Docs.\nfn main() {\n    let x = Arc::new(1); // shared\n    /* nested /* comment */ still */\n    println!("{}", x);\n}\n\n',
    ".md": "# Title\n\nSome prose about the service.\n\n",
    ".yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n",
    ".json": '{"name": "svc", "version": "1.0.0"}\n',
}


def generate_tree(root: Path, count: int) -> None:
    """A deterministic tree: nested service folders, mixed languages, 0.5-20 KB files."""
    rng = random.Random(20261121)
    extensions = list(SAMPLES)
    weights = [20, 15, 15, 15, 8, 7, 8, 7, 5]
    for index in range(count):
        extension = rng.choices(extensions, weights)[0]
        depth = rng.randint(1, 5)
        directory = root.joinpath(*(f"d{rng.randint(0, 12)}" for _ in range(depth)))
        directory.mkdir(parents=True, exist_ok=True)
        body = SAMPLES[extension] * rng.randint(2, 80)
        (directory / f"f{index}{extension}").write_text(body)


_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, the measured process's own peak RSS in MB, and its stdout.

    readiness's workers are forked by a forkserver, not by the measured process, so
    their memory is not in this figure; they hold one batch of records at a time.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_ENVIRONMENT)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    return elapsed, usage.ru_maxrss / 1024, output.decode().strip()


def best_of(runs: int, command: list[str]) -> tuple[float, float, str]:
    """The best time of ``runs`` runs, after one that warms the page and bytecode caches."""
    measure(command)
    results = [measure(command) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[-1][2]


def bench(root: Path, runs: int) -> dict[str, object]:
    python = sys.executable
    rows: dict[str, object] = {"path": str(root)}
    floor, floor_mb, _ = best_of(runs, [python, "-c", FLOOR, str(root)])
    rows["floor_s"] = round(floor, 3)
    jobs = os.cpu_count() or 1
    for label, job_count in (("readiness", jobs), ("readiness_1job", 1)):
        seconds, peak, files = best_of(runs, [python, "-c", READINESS, str(root), str(job_count)])
        rows[f"{label}_s"] = round(seconds, 3)
        rows[f"{label}_ratio_to_floor"] = round(seconds / floor, 2)
        rows[f"{label}_peak_mb"] = round(peak, 1)
        rows["files"] = int(files)
    for tool, command in (("tokei", ["tokei", str(root)]), ("cloc", ["cloc", "--quiet", str(root)])):
        if shutil.which(tool):
            seconds, _, _ = best_of(1, command)
            rows[f"{tool}_s"] = round(seconds, 3)
            rows[f"{tool}_over_readiness"] = round(seconds / float(rows["readiness_s"]), 1)  # type: ignore[arg-type]
        else:
            rows[f"{tool}_s"] = "not installed"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="real repositories to measure as well")
    parser.add_argument("--files", type=int, default=50_000, help="files in the generated tree (0: none)")
    parser.add_argument("--runs", type=int, default=3, help="best of N runs")
    args = parser.parse_args()
    targets = list(args.paths)
    with tempfile.TemporaryDirectory(prefix="readiness-bench-") as scratch:
        if args.files:
            generated = Path(scratch) / "tree"
            started = time.perf_counter()
            generate_tree(generated, args.files)
            print(f"generated {args.files:,} files in {time.perf_counter() - started:.1f}s", file=sys.stderr)
            targets.insert(0, generated)
        for target in targets:
            print(json.dumps(bench(target, args.runs)))


if __name__ == "__main__":
    main()
