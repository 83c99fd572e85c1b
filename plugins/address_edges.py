"""Edges from service addresses written in code: URLs, ``host:port`` strings and address variables.

A service's own source (not its tests, not generated or vendored code) that writes
``"http://checkout-api:8000"``, ``"inventory:9090"`` or reads ``INVENTORY_ADDR`` /
``PRODUCT_CATALOG_SERVICE_ADDR`` / ``REDIS_URL`` (by string or ``process.env``) talks
to the service or infrastructure of that name. The URL scheme or the target's kind says
the protocol; a bare address says nothing more than that there is a connection.
"""

from __future__ import annotations

import re
from collections import defaultdict

from readiness import hookimpl
from readiness.model import Edge, Evidence, FileKind, Infrastructure, Repository, Service
from readiness_plugins._addresses import Directory, addresses
from readiness_plugins._layout import NOT_PROGRAM_LANGUAGES, index_of

MAX_SCANNED_BYTES = 512 * 1024
EVIDENCE_PER_EDGE = 3
_URL = re.compile(r"""["'`]([a-z][a-z0-9+.-]{1,20}://[^"'`\s]{1,300})["'`]""")
_HOST_PORT = re.compile(r"""["'`]([a-z][a-z0-9.-]{1,100}:\d{2,5})["'`]""")
_MAYBE_ADDRESS = re.compile(rb"://|[\"'`][a-z][a-z0-9.-]{0,100}:\d|_(?:ADDR|ADDRESS|URL|URI|HOST|HOSTNAME|ENDPOINT|BROKERS|BOOTSTRAP_SERVERS|DSN|CONNECTION_STRING)\b")
"""A cheap look for anything address-like, so files without one are not decoded and searched."""
_VARIABLE = re.compile(
    r"""(?:["'`]|process\.env\.|import\.meta\.env\.)([A-Z][A-Z0-9_]{1,80}?)_(?:ADDR|ADDRESS|URL|URI|HOST|HOSTNAME|ENDPOINT|BASE_URL|API_URL|BROKERS|BOOTSTRAP_SERVERS|DSN|CONNECTION_STRING)\b"""
)


def _variable_targets(prefix: str, directory: Directory) -> str | None:
    """The service an address variable's prefix names: ``PRODUCT_CATALOG_SERVICE`` -> productcatalogservice, ``CHECKOUT_API`` -> checkout-api."""
    for candidate in (prefix, re.sub(r"_(SERVICE|SVC|API|SERVER)$", "", prefix)):
        target = directory.resolve_normalized(candidate)
        if target is not None:
            return target
    return None


@hookimpl
def readiness_service_edges(services: tuple[Service, ...], infrastructure: tuple[Infrastructure, ...], repo: Repository) -> list[Edge]:
    index = index_of(repo)
    directory = Directory(services, infrastructure)
    evidence: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)
    for service in services:
        for path in service.files:
            record = index.records.get(path)
            if record is None or not record.counted or record.kind is not FileKind.SOURCE or record.language in NOT_PROGRAM_LANGUAGES:
                continue
            data = repo.read_bytes(path)
            if data is None or not _MAYBE_ADDRESS.search(data, 0, MAX_SCANNED_BYTES):
                continue
            text = data[:MAX_SCANNED_BYTES].decode("utf-8", errors="replace")
            for match in (*_URL.finditer(text), *_HOST_PORT.finditer(text)):
                for address in addresses(match.group(1)):
                    target = directory.resolve(address.host)
                    if target is not None and target != service.name:
                        _keep(evidence, service.name, target, directory.protocol(target, address.scheme), path, text, match)
            for match in _VARIABLE.finditer(text):
                target = _variable_targets(match.group(1), directory)
                if target is not None and target != service.name:
                    _keep(evidence, service.name, target, directory.protocol(target, None, match.group(0)), path, text, match)
    return [Edge(source, target, protocol, tuple(found)) for (source, target, protocol), found in sorted(evidence.items())]


def _keep(evidence: dict[tuple[str, str, str], list[Evidence]], source: str, target: str, protocol: str, path: str, text: str, match: re.Match[str]) -> None:
    found = evidence[source, target, protocol]
    if len(found) < EVIDENCE_PER_EDGE:
        line = text.count("\n", 0, match.start()) + 1
        found.append(Evidence(path, line, f"code addresses {target}: {match.group(0).strip(chr(34) + chr(39) + '`')}"))
