"""Malformed and hostile deployment files: a warning naming the file, and the scan goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from readiness.export import load_schema

PLUGINS = Path(__file__).parent / "plugins"

BILLION_LAUGHS = "x-a: &a [" + ",".join(["lol"] * 9) + "]\n" + "".join(
    f"x-{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
MANY_ALIASES = "x-a: &a {memory: 1g}\nx-b: [" + ",".join(["*a"] * 300) + "]\n"
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
MERGE_BOMB = MANIFEST + "a0: &a0 {k: 1}\n" + "".join(f"a{i}: &a{i}\n  <<: [*a{i - 1}, *a{i - 1}]\n  x{i}: 1\n" for i in range(1, 100))


def scan(run_cli, repo: Path, services: list[dict], monkeypatch, *extra: str) -> dict:
    monkeypatch.setenv("READINESS_TEST_SERVICES", json.dumps(services))
    code, out, err = run_cli("scan", repo, "--plugins-dir", PLUGINS, "--format", "json", *extra)
    assert code == 0, err
    report = json.loads(out)
    jsonschema.validate(report, load_schema())
    assert [e for e in report["errors"] if e["plugin"] in ("runtimes", "container_resources", "base_images")] == []
    return report


def warnings(report: dict) -> dict[str, str]:
    return {w["path"]: w["message"] for w in report["warnings"] if w["path"]}


def service(name: str, **fields) -> dict:
    return {"path": f"services/{name}", "name": name, "dockerfiles": [f"services/{name}/Dockerfile"], **fields}


GOOD_DOCKERFILE = 'FROM eclipse-temurin:21-jre\nENTRYPOINT ["java", "-Xmx512m", "-jar", "/app.jar"]\n'


def test_yaml_bombs_are_refused_and_the_rest_of_the_service_stands(make_repo, run_cli, monkeypatch):
    repo = make_repo(
        {
            "docker-compose.yml": MANY_ALIASES + "services:\n  api:\n    mem_limit: 1g\n",
            "deploy/laughs.yaml": MANIFEST + BILLION_LAUGHS,
            "deploy/api.yaml": MERGE_BOMB,
            "deploy/deep.yaml": MANIFEST + "a:\n" + "".join("  " * depth + f"- k{depth}:\n" for depth in range(1, 80)),
            "services/api/Dockerfile": GOOD_DOCKERFILE,
        }
    )
    deployments = [["compose", "docker-compose.yml", "api"], ["kubernetes", "deploy/api.yaml", "api"], ["kubernetes", "deploy/deep.yaml", "api"]]
    report = scan(run_cli, repo, [service("api", deployments=deployments)], monkeypatch)

    assert warnings(report) == {
        "docker-compose.yml": "not parsed: more than 256 YAML aliases",
        "deploy/laughs.yaml": "not parsed: more than 200000 nodes",
        "deploy/deep.yaml": "not parsed: nested deeper than 64 levels (or refers to itself)",
    }
    # deploy/laughs.yaml is read as a sibling of deploy/api.yaml, looking for autoscalers. The merge
    # chain parses in bounded time (it holds no workload), and the Dockerfile's evidence stands.
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [
        ("IMG101", "services/api/Dockerfile"),
        ("RUN101", "services/api/Dockerfile"),
        ("RUN103", "services/api/Dockerfile"),
        ("RUN107", "services/api/Dockerfile"),
    ]


def test_huge_manifests_are_not_read(make_repo, run_cli, monkeypatch):
    workload = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n"
    padding = "# " + "x" * 98 + "\n"
    ten_mib = workload + padding * (10 * (1 << 20) // len(padding))
    three_mib = workload + padding * (3 * (1 << 20) // len(padding))
    repo = make_repo({"deploy/api.yaml": ten_mib, "deploy/other.yaml": three_mib, "services/api/Dockerfile": GOOD_DOCKERFILE})
    deployments = [["kubernetes", "deploy/api.yaml", "api"], ["kubernetes", "deploy/other.yaml", "api"]]

    report = scan(run_cli, repo, [service("api", deployments=deployments)], monkeypatch)
    assert warnings(report) == {
        "deploy/api.yaml": f"not read: larger than max-file-size ({len(ten_mib):,} bytes)",
        "deploy/other.yaml": f"not read: larger than max-file-size ({len(three_mib):,} bytes)",
    }

    # Allowed past the inventory's limit, a file still meets the YAML loader's own.
    report = scan(run_cli, repo, [service("api", deployments=deployments)], monkeypatch, "--max-file-size", str(16 << 20))
    assert warnings(report) == {"deploy/api.yaml": "not parsed: larger than 2 MiB, not parsed", "deploy/other.yaml": "not parsed: larger than 2 MiB, not parsed"}
    assert "RUN101" in {f["rule"] for f in report["findings"]}


def test_a_templated_helm_chart_is_sized_from_its_values(make_repo, run_cli, monkeypatch):
    template = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-api\nspec:\n"
        "  replicas: {{ .Values.replicaCount }}\n"
        "---\n"
        "{{- if .Values.pdb.enabled }}\nkind: PodDisruptionBudget\n{{- end }}\n"
    )
    repo = make_repo(
        {
            "chart/Chart.yaml": "apiVersion: v2\nname: api\nversion: 1.0.0\n",
            "chart/values.yaml": "replicaCount: 3\n",
            "chart/values-prod.yaml": "replicaCount: 5\nresources:\n  limits: {memory: 256Mi}\n",
            "chart/templates/deployment.yaml": template,
            "services/api/Dockerfile": GOOD_DOCKERFILE,
        }
    )
    report = scan(run_cli, repo, [service("api", deployments=[["helm", "chart/templates/deployment.yaml", "api"]])], monkeypatch)

    # Templates are not YAML until rendered: they are not read for sizes, and not warned about.
    assert warnings(report) == {}
    replicas = [(f["path"], f["line"], f["facts"]["replicas"]) for f in report["findings"] if f["rule"] == "RES102"]
    assert replicas == [("chart/values-prod.yaml", 1, 5), ("chart/values.yaml", 1, 3)]
    resources = [(f["path"], f["line"], f["facts"]) for f in report["findings"] if f["rule"] == "RES101"]
    assert resources == [("chart/values-prod.yaml", 2, {"container": "api", "memory_limit_bytes": 256 << 20, "source": "helm"})]


@pytest.mark.parametrize(
    ("dockerfile", "warning"),
    [
        (b"\x00\xff\xfe garbage \x1b[31m\n\x7fELF\x02\x01", "not a Dockerfile: no FROM instruction"),
        (
            b"FROM python:3.12-slim\nRUN <<EOF\npip install x\nthis is not docker\nCMD [\"gunicorn\", \"-w\", \"4\"\n",
            "Dockerfile lines not understood: line 2: heredoc EOF is never closed (and 2 more)",
        ),
    ],
)
def test_broken_dockerfiles_warn_and_the_deployment_still_counts(make_repo, run_cli, monkeypatch, dockerfile, warning):
    repo = make_repo({"services/api/Dockerfile": dockerfile, "docker-compose.yml": "services:\n  api:\n    mem_limit: 512m\n"})
    report = scan(run_cli, repo, [service("api", deployments=[["compose", "docker-compose.yml", "api"]])], monkeypatch)
    assert warnings(report) == {"services/api/Dockerfile": warning}
    assert [f["facts"]["memory_limit_bytes"] for f in report["findings"] if f["rule"] == "RES101"] == [512 << 20]


def test_wrong_shapes_missing_files_and_links_never_crash(make_repo, run_cli, monkeypatch, tmp_path):
    outside = tmp_path / "outside.yml"
    outside.write_text("services:\n  api:\n    mem_limit: 64g\n")
    repo = make_repo(
        {
            "deploy/odd.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: many\n  template:\n    spec:\n"
                "      containers: [just-a-string, {name: api, resources: [1, 2], env: {GOGC: 50}, args: 7, "
                "livenessProbe: {initialDelaySeconds: -5}}]\n"
                "---\n- a list\n---\nkind: HorizontalPodAutoscaler\nspec: [1]\n---\nkind: 42\n---\nplain scalar\n"
            ),
            "deploy/sam.json": '{"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {"MemorySize": "huge"}}',
            "services/api/runtimeconfig.template.json": "{not json",
            "services/api/Dockerfile": GOOD_DOCKERFILE,
        },
        commit=False,
    )
    (repo / "docker-compose.yml").symlink_to(outside)
    os.chmod(repo / "deploy", 0o755)
    deployments = [
        ["kubernetes", "deploy/odd.yaml", "api"],
        ["kubernetes", "deploy/missing.yaml", "api"],
        ["compose", "docker-compose.yml", "api"],
        ["serverless", "deploy/sam.json", "Fn"],
        ["skaffold", "skaffold.yaml", "api"],
    ]
    report = scan(run_cli, repo, [service("api", deployments=deployments)], monkeypatch)
    assert warnings(report) == {
        "deploy/missing.yaml": "not in the repository's file list",
        "docker-compose.yml": "not read (symlink)",
        "deploy/sam.json": "not parsed: invalid JSON: Expecting ',' delimiter: line 1 column 97 (char 96)",
        "services/api/runtimeconfig.template.json": "not parsed: invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
    }
    # Of the odd manifest only the container named api stands: with no usable resources, its
    # footprint falls back to the heap the Dockerfile caps, and says so.
    assert [(f["rule"], f["path"], f["line"]) for f in report["findings"]] == [
        ("RES106", "deploy/odd.yaml", 8),
        ("IMG101", "services/api/Dockerfile", 1),
        ("RUN101", "services/api/Dockerfile", 2),
        ("RUN103", "services/api/Dockerfile", 2),
        ("RUN107", "services/api/Dockerfile", 2),
    ]
    [footprint] = [f["facts"] for f in report["findings"] if f["rule"] == "RES106"]
    assert (footprint["memory_basis"], footprint["memory_per_replica_bytes"], footprint["replicas_basis"]) == ("heap", 512 << 20, "one replica assumed")


def test_a_workload_restated_in_an_override_or_overlay_is_sized_once(make_repo, run_cli, monkeypatch):
    deployment = "apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: api}\\nspec:\\n  replicas: 2\\n  template:\\n    spec:\\n      containers:\\n        - name: api\\n"
    repo = make_repo(
        {
            "docker-compose.yml": "services:\n  api:\n    mem_limit: 512m\n",
            "docker-compose.override.yml": "services:\n  api:\n    ports: ['8080:8080']\n",
            "deploy/base/api.yaml": deployment.replace("\\n", "\n") + "          resources: {limits: {memory: 1Gi}}\n",
            "deploy/overlays/prod/api.yaml": deployment.replace("\\n", "\n").replace("replicas: 2", "replicas: 6") + "          resources: {limits: {memory: 2Gi}}\n",
            "deploy/overlays/prod/kustomization.yaml": "resources: [api.yaml]\nreplicas:\n  - {name: api, count: 9}\n",
            "services/api/Dockerfile": GOOD_DOCKERFILE,
        }
    )
    deployments = [
        ["compose", "docker-compose.yml", "api"],
        ["compose", "docker-compose.override.yml", "api"],
        ["kubernetes", "deploy/base/api.yaml", "api"],
        ["kubernetes", "deploy/overlays/prod/api.yaml", "api"],
    ]
    report = scan(run_cli, repo, [service("api", deployments=deployments)], monkeypatch)
    [footprint] = [f for f in report["findings"] if f["rule"] == "RES106"]
    # The overlay's 2 GiB x the kustomization's 9 replicas, not the sum of base and overlay.
    assert (footprint["path"], footprint["facts"]["footprint_bytes"], footprint["facts"]["replicas_max"]) == ("deploy/overlays/prod/api.yaml", 18 << 30, 9)
    assert footprint["facts"]["replicas_basis"] == "kustomize replicas"
