"""gRPC edges: which service implements each ``.proto`` service, and which services call it.

Every ``service X { rpc ... }`` of the repository's ``.proto`` files is looked for in
each service's own source (generated code is not counted, so stubs do not make a
service an implementer): ``RegisterXServer``, ``XServicer``, ``XImplBase``,
``X.XBase``, ``X::Service``, ``.X.service`` mark an implementation; ``NewXClient``,
``XStub``, ``XClient``, ``X::NewStub``, ``XGrpc.newStub`` a call. Each caller gets a
``grpc`` edge to each implementer, with the line that calls.
"""

from __future__ import annotations

import re
from collections import defaultdict

from readiness import hookimpl
from readiness.model import Edge, Evidence, Infrastructure, Repository, Service
from readiness_plugins._layout import NOT_PROGRAM_LANGUAGES, index_of

_SERVICE = re.compile(rb"^\s*service\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{", re.M)
MAX_SCANNED_BYTES = 512 * 1024
MAX_PROTO_SERVICES = 500
EVIDENCE_PER_CALL = 3
"""Call sites kept as evidence per calling service and proto service; the rest say nothing new."""


def _implementer_pattern(names: str) -> re.Pattern[str]:
    return re.compile(
        rf"\bRegister({names})(?:Server|Handler)\b|\bUnimplemented({names})Server\b|\badd_({names})Servicer_to_server\b"
        rf"|\b({names})Servicer\b|\b({names})ImplBase\b|\b({names})\.(?:{names})Base\b"
        rf"|\b({names})::(?:Service|AsyncService|CallbackService|WithAsyncMethod)\b|\.({names})\.service\b"
        rf"|\b({names})Server::new\b|\bimpl\s+(?:[\w:]+::)?({names})\s+for\b|\b({names})CoroutineImplBase\b"
    )


def _caller_pattern(names: str) -> re.Pattern[str]:
    return re.compile(
        rf"\bNew({names})Client\b|\b({names})(?:Blocking|Future|Async)?Stub\b|\b({names})Client\b"
        rf"|\b({names})::NewStub\b|\b({names})Grpc\.new\w*Stub\b|\b({names})CoroutineStub\b"
    )


_JS_CALLER = "new\\s+[\\w.]*\\b({names})\\s*\\("
"""Node's proto-loader makes a client with ``new pkg.X(address, credentials)``."""


def _named(match: re.Match[str]) -> str:
    return next(group for group in match.groups() if group)


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    index = index_of(repo)
    proto_services: set[str] = set()
    for path in index.paths:
        if path.endswith(".proto") and len(proto_services) < MAX_PROTO_SERVICES:
            data = repo.read_bytes(path)
            if data is not None:
                proto_services.update(name.decode() for name in _SERVICE.findall(data[:MAX_SCANNED_BYTES]))
    if not proto_services:
        return []
    names = "|".join(sorted(map(re.escape, proto_services), key=len, reverse=True))
    implementer, caller = _implementer_pattern(names), _caller_pattern(names)
    js_caller = re.compile(_JS_CALLER.format(names=names))
    implementers: dict[str, set[str]] = defaultdict(set)
    calls: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for service in services:
        for path in service.files:
            record = index.records.get(path)
            if record is None or not record.counted or record.language in NOT_PROGRAM_LANGUAGES or path.endswith(".proto"):
                continue
            data = repo.read_bytes(path)
            if data is None:
                continue
            text = data[:MAX_SCANNED_BYTES].decode("utf-8", errors="replace")
            for match in implementer.finditer(text):
                implementers[_named(match)].add(service.name)
            patterns = [caller, js_caller] if record.language in ("JavaScript", "TypeScript") else [caller]
            for pattern in patterns:
                for match in pattern.finditer(text):
                    found = calls[service.name, _named(match)]
                    if len(found) < EVIDENCE_PER_CALL:
                        line = text.count("\n", 0, match.start()) + 1
                        found.append(Evidence(path, line, f"calls gRPC service {_named(match)}: {match.group(0)}"))
    edges = []
    for (source, proto_service), evidence in sorted(calls.items()):
        for target in sorted(implementers.get(proto_service, ())):
            if target != source:
                edges.append(Edge(source, target, "grpc", tuple(evidence)))
    return edges
