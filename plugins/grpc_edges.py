"""gRPC edges: which service implements each ``.proto`` service, and which services call it.

Every ``service X { rpc ... }`` of the repository's ``.proto`` files is looked for in
each service's own source (generated code is not counted, so stubs do not make a
service an implementer): ``RegisterXServer``, ``XServicer``, ``XImplBase``,
``X.XBase``, ``X::Service``, ``.X.service`` mark an implementation; ``NewXClient``,
``XStub``, ``XClient``, ``X::NewStub``, ``XGrpc.newStub`` a call. Each caller gets a
``grpc`` edge to each implementer, with the line that calls.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from readiness import hookimpl
from readiness.model import Edge, Evidence, Infrastructure, Repository, Service
from readiness_plugins._layout import NOT_PROGRAM_LANGUAGES, index_of

_SERVICE = re.compile(rb"^[ \t]*service[ \t]+([A-Za-z_][A-Za-z0-9_]*)\s*\{", re.M)
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


def _proto_services_in(data: bytes) -> list[str]:
    return [name.decode() for name in _SERVICE.findall(data[:MAX_SCANNED_BYTES])]


def _uses_in(patterns: tuple[re.Pattern[str], ...], implementer: re.Pattern[str]) -> Callable[[bytes], dict[str, list[Any]]]:
    """A function of a file's bytes: the proto services it implements, and each call as (service, line, text)."""

    def uses(data: bytes) -> dict[str, list[Any]]:
        text = data[:MAX_SCANNED_BYTES].decode("utf-8", errors="replace")
        calls = []
        for pattern in patterns:
            line, counted_to = 1, 0
            for match in pattern.finditer(text):
                line += text.count("\n", counted_to, match.start())
                counted_to = match.start()
                calls.append((_named(match), line, match.group(0)))
        return {"implements": [_named(match) for match in implementer.finditer(text)], "calls": calls}

    return uses


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    index = index_of(repo)
    proto_services: set[str] = set()
    for path in index.paths:
        if path.endswith(".proto") and len(proto_services) < MAX_PROTO_SERVICES:
            proto_services.update(repo.extract(path, "grpc_edges/proto/1", _proto_services_in) or ())
    if not proto_services:
        return []
    names = "|".join(sorted(map(re.escape, proto_services), key=len, reverse=True))
    implementer, caller = _implementer_pattern(names), _caller_pattern(names)
    js_caller = re.compile(_JS_CALLER.format(names=names))
    # What a file uses depends on the proto services looked for, so they are part of the key.
    key = f"grpc_edges/1/{hashlib.sha256(names.encode()).hexdigest()[:16]}"
    uses_in = {False: _uses_in((caller,), implementer), True: _uses_in((caller, js_caller), implementer)}
    implementers: dict[str, set[str]] = defaultdict(set)
    calls: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for service in services:
        for path in service.files:
            record = index.records.get(path)
            if record is None or not record.counted or record.language in NOT_PROGRAM_LANGUAGES or path.endswith(".proto"):
                continue
            javascript = record.language in ("JavaScript", "TypeScript")
            uses = repo.extract(path, f"{key}/{'js' if javascript else 'any'}", uses_in[javascript])
            if uses is None:
                continue
            for proto_service in uses["implements"]:
                implementers[proto_service].add(service.name)
            for proto_service, line, written in uses["calls"]:
                found = calls[service.name, proto_service]
                if len(found) < EVIDENCE_PER_CALL:
                    found.append(Evidence(path, line, f"calls gRPC service {proto_service}: {written}"))
    edges = []
    for (source, proto_service), evidence in sorted(calls.items()):
        for target in sorted(implementers.get(proto_service, ())):
            if target != source:
                edges.append(Edge(source, target, "grpc", tuple(evidence)))
    return edges
