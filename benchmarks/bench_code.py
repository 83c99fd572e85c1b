"""Code pass against the inventory floor: MB/s and files/s, and their ratio, in one run.

    python benchmarks/bench_code.py [PATH] [--files N] [--jobs N]

Without PATH it generates a tree of N source files (default 3000) in six languages from
the demo services. The inventory alone runs with every code plugin disabled; the full
scan adds the code pass. Target: full scan at most 3x the inventory alone.
"""

from __future__ import annotations

import argparse
import io
import shutil
import tempfile
import time
from pathlib import Path

from readiness.cli import main

CODE_PLUGINS = ("concurrency", "shared_state", "blocking", "hot_paths", "memory_safety", "request_surface", "complexity")
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "services"
SEEDS = [p for p in sorted(DEMO.rglob("*")) if p.suffix in (".py", ".js", ".ts", ".java", ".go", ".cpp", ".rs")]


def generate(root: Path, files: int) -> None:
    for n in range(files):
        seed = SEEDS[n % len(SEEDS)]
        target = root / f"pkg{n // 100}" / f"{seed.stem}_{n}{seed.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(seed.read_bytes())


# Until the built-in language plugin is installed, classify by extension so the code pass has work.
_FALLBACK_CLASSIFIER = """
from readiness import hookimpl
from readiness.model import FileClass, FileKind
LANGS = {".py": "Python", ".js": "JavaScript", ".ts": "TypeScript", ".java": "Java", ".go": "Go", ".cpp": "C++", ".rs": "Rust"}
@hookimpl
def readiness_classify_file(path):
    language = LANGS.get(path[path.rfind("."):])
    return FileClass(language, FileKind.SOURCE, "extension") if language else None
"""


def classifier_args(workdir: Path) -> list[str]:
    try:
        import readiness_plugins.languages  # noqa: F401
    except ImportError:
        plugins = workdir / "plugins"
        plugins.mkdir()
        (plugins / "bench_languages.py").write_text(_FALLBACK_CLASSIFIER)
        return ["--plugins-dir", str(plugins)]
    return []


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    code = main(argv, out=io.StringIO(), err=io.StringIO())
    assert code == 0
    return time.perf_counter() - started


def main_bench() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?")
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="readiness-bench-"))
    if args.path:
        root = Path(args.path)
    else:
        root = workdir / "tree"
        generate(root, args.files)
    files = [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    common = ["scan", str(root), "--format", "json", "-q", *classifier_args(workdir)] + (["--jobs", str(args.jobs)] if args.jobs else [])
    disabled = [flag for name in CODE_PLUGINS for flag in ("--disable-plugin", name)]
    try:
        floor = min(timed(common + disabled) for _ in range(2))
        full = min(timed(common) for _ in range(2))
    finally:
        shutil.rmtree(workdir)
    for label, seconds in (("inventory only", floor), ("full code pass", full)):
        print(f"{label:15} {seconds:7.2f}s  {megabytes / seconds:7.2f} MB/s  {len(files) / seconds:8.0f} files/s")
    print(f"ratio full/inventory: {full / floor:.2f}x (target <= 3x); {len(files)} files, {megabytes:.1f} MB")


if __name__ == "__main__":
    main_bench()
