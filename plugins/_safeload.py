"""Loading YAML, JSON and TOML from an untrusted repository, with bounded time and memory.

Not a plugin: the manifest-reading plugins share it. Every loader returns plain Python
trees (dicts, lists, scalars) or raises :class:`UnsafeDocument` with a one-line reason
the caller turns into a warning naming the file.

YAML is where the danger is: aliases let a few hundred bytes describe billions of
nodes ("billion laughs"), and an anchor can contain itself. The loader counts aliases
while composing, and copies each document into a fresh tree under a node and depth
budget, so no caller ever walks a shared or cyclic structure.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

import yaml

MAX_DOCUMENT_BYTES = 2 << 20
MAX_ALIASES = 256
MAX_NODES = 200_000
MAX_DEPTH = 64


class UnsafeDocument(ValueError):
    """The document is malformed, too large, or built to exhaust the reader."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with more aliases than any real manifest uses."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases_seen = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.aliases_seen += 1
            if self.aliases_seen > MAX_ALIASES:
                raise UnsafeDocument(f"more than {MAX_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


def _untagged(loader: _BoundedLoader, _suffix: str, node: yaml.Node) -> Any:
    """A local tag's value without the tag: CloudFormation's ``!Ref x`` reads as ``x``."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


# Local tags (``!Ref``, ``!GetAtt``, ``!reference``) are data, never code; the tags that
# construct Python objects are ``tag:yaml.org,2002:python/...`` and stay refused.
_BoundedLoader.add_multi_constructor("!", _untagged)


def _plain_copy(value: Any, budget: list[int], depth: int = 0) -> Any:
    """A tree copy of ``value`` that shares no node, within the node and depth budget."""
    budget[0] -= 1
    if budget[0] < 0:
        raise UnsafeDocument(f"more than {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise UnsafeDocument(f"nested deeper than {MAX_DEPTH} levels (or refers to itself)")
    if isinstance(value, dict):
        return {_key(k): _plain_copy(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(item, budget, depth + 1) for item in value]
    return value


def _key(key: Any) -> Any:
    # YAML allows lists and maps as keys; nothing readiness reads uses them.
    return key if isinstance(key, (str, int, float, bool)) or key is None else str(key)


def _text(data: bytes | str) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsafeDocument(f"larger than {MAX_DOCUMENT_BYTES // (1 << 20)} MiB, not parsed")
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def load_yaml_documents(data: bytes | str) -> list[Any]:
    """Every document of a YAML stream, as plain trees; empty documents are dropped."""
    loader = _BoundedLoader(_text(data))
    budget = [MAX_NODES]
    documents = []
    try:
        while loader.check_data():
            document = loader.get_data()
            if document is not None:
                documents.append(_plain_copy(document, budget))
    except UnsafeDocument:
        raise
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as error:
        raise UnsafeDocument(f"invalid YAML: {_one_line(error)}") from None
    finally:
        loader.dispose()
    return documents


def load_yaml_documents_leniently(data: bytes | str) -> tuple[list[Any], int]:
    """The documents of a stream that parse on their own, and how many did not.

    For Helm templates and other YAML with template directives: each ``---`` document
    is tried alone, so one unrendered ``{{ ... }}`` costs only its own document.
    """
    text = _text(data)
    parsed: list[Any] = []
    failed = 0
    for chunk in _split_documents(text):
        try:
            parsed.extend(load_yaml_documents(chunk))
        except UnsafeDocument:
            failed += 1
    return parsed, failed


def _split_documents(text: str) -> list[str]:
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("---"):
            chunks.append([])
        else:
            chunks[-1].append(line)
    return ["\n".join(chunk) for chunk in chunks if any(line.strip() for line in chunk)]


def load_json(data: bytes | str) -> Any:
    try:
        return _plain_copy(json.loads(_text(data)), [MAX_NODES])
    except (ValueError, RecursionError) as error:
        if isinstance(error, UnsafeDocument):
            raise
        raise UnsafeDocument(f"invalid JSON: {_one_line(error)}") from None


def load_toml(data: bytes | str) -> dict[str, Any]:
    try:
        document: dict[str, Any] = _plain_copy(tomllib.loads(_text(data)), [MAX_NODES])
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise UnsafeDocument(f"invalid TOML: {_one_line(error)}") from None
    return document


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]
