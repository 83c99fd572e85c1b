"""Serverless services: Serverless Framework (``serverless.yml``), AWS SAM templates and CDK apps.

A ``serverless.yml`` is one service (its ``service:``) rooted at its directory, each
function a deployment. A SAM template's functions are grouped by their ``CodeUri``:
each code directory is a service. A CDK app (``cdk.json``) is read for the code assets
its Lambda functions are built from (``Code.fromAsset(...)``, ``entry: ...``), each a
service, and the CDK program itself is listed as a tool. Functions triggered by HTTP (API Gateway, function URLs, ALB) make a backend;
functions triggered only by queues, streams, schedules or storage events make a worker.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Deployment, Diagnostic, Evidence, Repository, ServiceCandidate
from readiness_plugins._layout import RepoIndex, index_of, join, key_line, mapping, parent, parse_or_warn, read_text, service_name
from readiness_plugins._safeload import load_yaml_documents

HTTP_EVENTS = frozenset({"http", "httpapi", "alb", "websocket", "api", "functionurl", "cloudfront"})
SAM_TRANSFORM = "AWS::Serverless"
MAX_CDK_FILES = 300
_CDK_ASSET = re.compile(r"""(?:fromAsset|from_asset|FromAsset)\(\s*(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?["'`]([^"'`]{1,300})["'`]|\bentry\s*[:=]\s*(?:path\.(?:join|resolve)\(\s*__dirname\s*,\s*)?["'`]([^"'`]{1,300})["'`]""")
_CDK_SOURCE = re.compile(r"\.(ts|js|py|java|cs|go)$")


def _role(events: list[str]) -> str:
    return "backend" if not events or any(e.lower() in HTTP_EVENTS for e in events) else "worker"


def _event_types(events: Any) -> list[str]:
    if isinstance(events, list):
        return [str(next(iter(e))) for e in events if isinstance(e, dict) and e]
    if isinstance(events, dict):
        return [str(v.get("Type", "")) for v in events.values() if isinstance(v, dict)]
    return []


def _serverless(repo: Repository, path: str, warnings: list[Diagnostic]) -> list[ServiceCandidate]:
    text = read_text(repo, path, warnings)
    documents = parse_or_warn(load_yaml_documents, text, path, warnings) if text is not None else None
    document = documents[0] if documents else None
    if not isinstance(document, dict) or not isinstance(document.get("functions"), dict):
        return []
    directory = parent(path)
    service = document.get("service")
    name = service.get("name") if isinstance(service, dict) else service
    name = str(name) if isinstance(name, str) and "${" not in name else service_name(directory, repo.info.name)
    functions = document["functions"]
    events = [e for f in functions.values() if isinstance(f, dict) for e in _event_types(f.get("events"))]
    deployments = tuple(Deployment("serverless", path, str(f), key_line(text or "", str(f))) for f in functions)
    evidence = Evidence(path, key_line(text or "", "functions"), f"Serverless service {name!r} with {len(functions)} function(s)")
    return [ServiceCandidate(directory, name, evidence, _role(events), deployments=deployments, named_by_deployment=True)]


def _sam(repo: Repository, index: RepoIndex, path: str, warnings: list[Diagnostic]) -> list[ServiceCandidate]:
    data = repo.read_bytes(path)
    if data is None or SAM_TRANSFORM.encode() not in data:
        return []
    text = data.decode("utf-8", errors="replace")
    documents = parse_or_warn(load_yaml_documents, text, path, warnings)
    document = documents[0] if documents else None
    if not isinstance(document, dict) or not isinstance(document.get("Resources"), dict):
        return []
    directory = parent(path)
    defaults = mapping(mapping(document.get("Globals")).get("Function"))
    by_code: dict[str, list[tuple[str, list[str]]]] = {}
    for logical_id, resource in document["Resources"].items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = mapping(resource.get("Properties"))
        code = properties.get("CodeUri", defaults.get("CodeUri", "."))
        code_path = join(directory, code) if isinstance(code, str) else None
        if code_path is None or not index.is_directory(code_path):
            code_path = parent(code_path) if code_path and index.exists(code_path) else directory
        by_code.setdefault(code_path, []).append((str(logical_id), _event_types(properties.get("Events"))))
    found = []
    for code_path, functions in sorted(by_code.items()):
        name = functions[0][0] if len(functions) == 1 else service_name(code_path, repo.info.name)
        deployments = tuple(Deployment("sam", path, f, key_line(text, f)) for f, _ in functions)
        evidence = Evidence(path, deployments[0].line, f"SAM function(s) {', '.join(f for f, _ in functions)} built from {code_path}")
        found.append(ServiceCandidate(code_path, name, evidence, _role([e for _, events in functions for e in events]), deployments=deployments, named_by_deployment=True))
    return found


def _cdk(repo: Repository, index: RepoIndex, path: str) -> list[ServiceCandidate]:
    app = parent(path)
    # The CDK program is infrastructure as code: listed as a tool, so its source is not
    # counted as the code of whatever service encloses it.
    found: dict[str, ServiceCandidate] = {
        app: ServiceCandidate(app, service_name(app, repo.info.name), Evidence(path, 1, "CDK app: infrastructure as code"), "tooling", manifests=(path,))
    }
    sources = [r for r in index.files_under(app) if _CDK_SOURCE.search(r.path) and "node_modules/" not in r.path and "cdk.out/" not in r.path]
    for record in sources[:MAX_CDK_FILES]:
        data = repo.read_bytes(record.path)
        if data is None or (b"aws-cdk" not in data and b"aws_cdk" not in data and b"Amazon.CDK" not in data):
            continue
        text = data.decode("utf-8", errors="replace")
        for match in _CDK_ASSET.finditer(text):
            asset = match.group(1) or match.group(2)
            base = parent(record.path) if "__dirname" in match.group(0) else app
            target = join(base, asset)
            if target is None:
                continue
            directory = target if index.is_directory(target) else parent(target) if index.exists(target) else None
            if directory is None or directory in found:
                continue
            line = text.count("\n", 0, match.start()) + 1
            evidence = Evidence(record.path, line, f"CDK Lambda function built from {directory}")
            deployment = Deployment("cdk", record.path, posixpath.basename(directory), line)
            found[directory] = ServiceCandidate(directory, service_name(directory, repo.info.name), evidence, deployments=(deployment,))
    return list(found.values())


@hookimpl
def readiness_detect_services(repo: Repository, settings: Settings) -> list[ServiceCandidate | Diagnostic]:
    index = index_of(repo)
    warnings: list[Diagnostic] = []
    found: list[ServiceCandidate] = []
    for record in index.named(lambda n: re.match(r"^serverless(\.[\w-]+)?\.ya?ml$", n) is not None):
        found += _serverless(repo, record.path, warnings)
    for record in index.named(lambda n: n.endswith((".yaml", ".yml")) and "template" in n.lower()):
        found += _sam(repo, index, record.path, warnings)
    for record in index.named(lambda n: n == "cdk.json"):
        found += _cdk(repo, index, record.path)
    return [*found, *warnings]
