"""How much the runtime evidence plugins add to a scan of a large synthetic monorepo.

Run: ``python benchmarks/bench_runtime_evidence.py [SERVICES]``. Builds a repository
with SERVICES services (each a Dockerfile, a compose entry, a Kubernetes Deployment
with an HPA, an entry script), scans it with the runtime plugins disabled (the
baseline) and enabled, and prints the ratio of the two times and the peak memory of
each, measured in the same run on the same machine.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from readiness.config import Settings
from readiness.pipeline import scan
from readiness.plugin_host import HostSpec, PluginHost

PLUGINS = Path(__file__).resolve().parent.parent / "tests" / "plugins"
RUNTIME_PLUGINS = ("runtimes", "container_resources", "base_images")


def build(root: Path, count: int) -> list[dict]:
    compose = ["services:"]
    services = []
    (root / "deploy").mkdir()
    for index in range(count):
        name = f"svc{index:04d}"
        directory = root / "services" / name
        directory.mkdir(parents=True)
        (directory / "Dockerfile").write_text(
            f"FROM eclipse-temurin:21-jre\nENV JAVA_OPTS=\"-Xmx{256 + index % 512}m -XX:+UseG1GC\"\n"
            'COPY app.jar /app.jar\nENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app.jar"]\n'
        )
        (directory / "entrypoint.sh").write_text("#!/bin/sh\nexport MALLOC_ARENA_MAX=2\nexec \"$@\"\n")
        (directory / "Main.java").write_text("class Main { public static void main(String[] a) {} }\n" * 20)
        compose += [f"  {name}:", f"    build: ./services/{name}", "    deploy:", "      resources:", "        limits: {cpus: '0.5', memory: 512M}"]
        (root / "deploy" / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 2\n  template:\n    spec:\n"
            f"      containers:\n        - name: {name}\n          resources:\n            requests: {{cpu: 250m, memory: 512Mi}}\n"
            f"            limits: {{cpu: '1', memory: 1Gi}}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
            f"metadata: {{name: {name}}}\nspec:\n  scaleTargetRef: {{name: {name}}}\n  minReplicas: 2\n  maxReplicas: 10\n"
        )
        services.append(
            {
                "path": f"services/{name}",
                "name": name,
                "dockerfiles": [f"services/{name}/Dockerfile"],
                "deployments": [["compose", "docker-compose.yml", name], ["kubernetes", f"deploy/{name}.yaml", name]],
            }
        )
    (root / "docker-compose.yml").write_text("\n".join(compose) + "\n")
    return services


def measure(root: Path, disabled: tuple[str, ...]) -> tuple[float, int, int]:
    """Seconds (best of three), peak traced memory (a separate run: tracing slows Python tenfold), findings."""
    def run() -> int:
        host = PluginHost(HostSpec(plugins_dirs=(str(PLUGINS),), disabled=disabled, autoload=False))
        return len(scan(root, Settings(jobs=1), host).findings)

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        findings = run()
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return min(timings), peak, findings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        os.environ["READINESS_TEST_SERVICES"] = json.dumps(build(root, count))
        base_time, base_peak, base_findings = measure(root, RUNTIME_PLUGINS)
        time_with, peak_with, findings = measure(root, ())
    print(f"{count} services; baseline (runtime plugins disabled): {base_time:.2f} s, peak {base_peak / 2**20:.0f} MiB, {base_findings} findings")
    print(f"with runtime plugins: {time_with:.2f} s ({time_with / base_time:.2f}x baseline), peak {peak_with / 2**20:.0f} MiB ({peak_with / base_peak:.2f}x), {findings} findings")


if __name__ == "__main__":
    main()
