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


def _addresses_in(data: bytes) -> list[tuple[str, str, str, int]]:
    """Every address-like string in a file's bytes: (``address`` or ``variable``, the captured value, the text matched, its line)."""
    if not _MAYBE_ADDRESS.search(data, 0, MAX_SCANNED_BYTES):
        return []
    text = data[:MAX_SCANNED_BYTES].decode("utf-8", errors="replace")
    found = []
    for kind, pattern in (("address", _URL), ("address", _HOST_PORT), ("variable", _VARIABLE)):
        line, counted_to = 1, 0
        for match in pattern.finditer(text):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            found.append((kind, match.group(1), match.group(0), line))
    return found


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
            for kind, value, written, line in repo.extract(path, "address_edges/1", _addresses_in) or ():
                if kind == "address":
                    for address in addresses(value):
                        target = directory.resolve(address.host)
                        if target is not None and target != service.name:
                            _keep(evidence, service.name, target, directory.protocol(target, address.scheme), path, line, written)
                    continue
                target = _variable_targets(value, directory)
                if target is not None and target != service.name:
                    _keep(evidence, service.name, target, directory.protocol(target, None, written), path, line, written)
    return [Edge(source, target, protocol, tuple(found)) for (source, target, protocol), found in sorted(evidence.items())]


def _keep(evidence: dict[tuple[str, str, str], list[Evidence]], source: str, target: str, protocol: str, path: str, line: int, written: str) -> None:
    found = evidence[source, target, protocol]
    if len(found) < EVIDENCE_PER_EDGE:
        found.append(Evidence(path, line, f"code addresses {target}: {written.strip(chr(34) + chr(39) + '`')}"))
