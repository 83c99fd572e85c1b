"""Loading YAML, JSON and TOML from an untrusted repository, with bounded time and memory.

Not a plugin: the manifest-reading plugins share it. Every loader returns plain Python
trees (dicts, lists, scalars) or raises :class:`UnsafeDocument` with a one-line reason
the caller turns into a warning naming the file.

YAML is where the danger is: aliases let a few hundred bytes describe billions of
nodes ("billion laughs"), an anchor can contain itself, and merge keys (``<<: [*a, *a]``)
double a mapping at every level. The loader lets libyaml (or PyYAML) only compose the
node graph, which is no larger than the text, counts the aliases in it, then builds each
document from its nodes itself, into a fresh tree under a node and depth budget,
resolving merge keys once per mapping, so no caller ever walks a shared or cyclic
structure and no merge chain costs more than the budget.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

MAX_DOCUMENT_BYTES = 2 << 20
MAX_ALIASES = 256
MAX_NODES = 200_000
MAX_DEPTH = 64

_CORE_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _CORE_TAG + "merge"
_STR_TAG = _CORE_TAG + "str"
_CORE_SCALARS = frozenset(_CORE_TAG + name for name in ("null", "bool", "int", "float", "str", "binary", "timestamp", "value"))
_CORE_COLLECTIONS = frozenset(_CORE_TAG + name for name in ("map", "seq", "omap", "pairs", "set"))

Path = tuple[str | int, ...]
"""Keys and indexes from a document's root to one of its nodes."""


class UnsafeDocument(ValueError):
    """The document is malformed, too large, or built to exhaust the reader."""


class _OverBudget(UnsafeDocument):
    """More nodes than the budget: the whole stream is refused, not just one document."""


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A YAML document as a plain tree, with the line each of its keys and items starts on."""

    tree: Any
    lines: Mapping[Path, int]
    """1-based line of each mapping key and sequence item, by its path from the root."""
    first_line: int = 1

    def line(self, *path: str | int) -> int:
        """The line of ``path``, or of its nearest ancestor that has one."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return self.first_line


_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it (many times faster), else PyYAML's own; both only compose nodes here."""


def _count_aliases(root: yaml.Node, seen: set[int], count: list[int]) -> None:
    """Count alias references in a composed document: every arrival at a node already reached is one.

    The walk visits each node once, so it costs the size of the text, not of the expansion.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            count[0] += 1
            if count[0] > MAX_ALIASES:
                raise UnsafeDocument(f"more than {MAX_ALIASES} YAML aliases")
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


class _TreeBuilder:
    """Builds one document's plain tree from its nodes, within the node and depth budget.

    Scalars with a core tag are constructed by PyYAML's safe constructor; a local tag
    (CloudFormation's ``!Ref``, GitLab's ``!reference``) keeps its plain content; any
    other global tag (``!!python/...``) is refused.
    """

    def __init__(self, loader: Any, budget: list[int], lines: dict[Path, int] | None) -> None:
        self.loader = loader
        self.budget = budget
        self.lines = lines
        self._merged: dict[int, list[tuple[Any, yaml.Node, yaml.Node]]] = {}
        self._merging: set[int] = set()

    def _spend(self, depth: int) -> None:
        _spend(self.budget, depth)

    def build(self, node: yaml.Node, path: Path = (), depth: int = 0) -> Any:
        self._spend(depth)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        _check_tag(node, _CORE_COLLECTIONS)
        if isinstance(node, yaml.MappingNode):
            result = {}
            for key, key_node, value_node in self._pairs(node, depth):
                child = (*path, key)
                if self.lines is not None:
                    self.lines[child] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                if self.lines is not None:
                    self.lines[child] = item.start_mark.line + 1
                items.append(self.build(item, child, depth + 1))
            return items
        raise UnsafeDocument(f"invalid YAML: unexpected node {type(node).__name__}")

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR_TAG or node.tag.startswith("!"):
            return node.value
        _check_tag(node, _CORE_SCALARS)
        return self.loader.construct_object(node)

    def _key(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return f"<{node.id} key on line {node.start_mark.line + 1}>"
        key = self._scalar(node)
        # YAML allows odd keys (binary, timestamps); nothing readiness reads uses them.
        return key if isinstance(key, (str, int, float, bool)) or key is None else str(key)

    def _pairs(self, node: yaml.MappingNode, depth: int) -> list[tuple[Any, yaml.Node, yaml.Node]]:
        """The mapping's entries with merge keys resolved: its own keys win, then earlier merged mappings."""
        known = self._merged.get(id(node))
        if known is not None:
            return known
        if id(node) in self._merging:
            raise UnsafeDocument("invalid YAML: a merge key refers to its own mapping")
        self._merging.add(id(node))
        entries: dict[Any, tuple[Any, yaml.Node, yaml.Node]] = {}
        sources: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources.extend(value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node])
                continue
            self._spend(depth)
            key = self._key(key_node)
            entries[key] = (key, key_node, value_node)
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise UnsafeDocument(f"invalid YAML: a merge key needs a mapping (line {source.start_mark.line + 1})")
            for entry in self._pairs(source, depth + 1):
                self._spend(depth)
                entries.setdefault(entry[0], entry)
        self._merging.discard(id(node))
        pairs = list(entries.values())
        self._merged[id(node)] = pairs
        return pairs


def _check_tag(node: yaml.Node, allowed: frozenset[str]) -> None:
    if not node.tag.startswith("!") and node.tag not in allowed:
        raise UnsafeDocument(f"invalid YAML: unsupported tag {node.tag[:80]!r} (line {node.start_mark.line + 1})")


def _spend(budget: list[int], depth: int) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise _OverBudget(f"more than {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise UnsafeDocument(f"nested deeper than {MAX_DEPTH} levels (or refers to itself)")


def _plain_copy(value: Any, budget: list[int], depth: int = 0) -> Any:
    """A tree copy of a JSON or TOML value within the node and depth budget."""
    _spend(budget, depth)
    if isinstance(value, dict):
        return {k: _plain_copy(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(item, budget, depth + 1) for item in value]
    return value


def _text(data: bytes | str) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsafeDocument(f"larger than {MAX_DOCUMENT_BYTES // (1 << 20)} MiB, not parsed")
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def _nodes(text: str, budget: list[int], with_lines: bool, line_offset: int = 0) -> Iterator[LocatedDocument]:
    loader = _Loader(text)
    # Counted over the whole stream, as the aliases of several documents add up.
    seen: set[int] = set()
    aliases = [0]
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None or (node.tag == _CORE_TAG + "null" and isinstance(node, yaml.ScalarNode)):
                continue
            _count_aliases(node, seen, aliases)
            lines: dict[Path, int] | None = {} if with_lines else None
            tree = _TreeBuilder(loader, budget, lines).build(node)
            if line_offset and lines is not None:
                lines = {path: line + line_offset for path, line in lines.items()}
            yield LocatedDocument(tree, lines or {}, node.start_mark.line + 1 + line_offset)
    except UnsafeDocument:
        raise
    except (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError, UnicodeError) as error:
        raise UnsafeDocument(f"invalid YAML: {_one_line(error)}") from None
    finally:
        loader.dispose()


def load_yaml_documents(data: bytes | str) -> list[Any]:
    """Every document of a YAML stream, as plain trees; empty documents are dropped."""
    return [document.tree for document in _nodes(_text(data), [MAX_NODES], with_lines=False)]


def load_located_yaml(data: bytes | str) -> list[LocatedDocument]:
    """Every document of a YAML stream with the line of each key and item, for findings that cite them."""
    return list(_nodes(_text(data), [MAX_NODES], with_lines=True))


def load_yaml_documents_leniently(data: bytes | str) -> tuple[list[Any], int]:
    """The documents of a stream that parse on their own, and how many did not.

    For Helm templates and other YAML with template directives: each ``---`` document
    is tried alone, so one unrendered ``{{ ... }}`` costs only its own document.
    """
    located, failed = load_located_yaml_leniently(data)
    return [document.tree for document in located], failed


def load_located_yaml_leniently(data: bytes | str) -> tuple[list[LocatedDocument], int]:
    """:func:`load_yaml_documents_leniently` with lines, counted from the start of the whole stream."""
    text = _text(data)
    parsed: list[LocatedDocument] = []
    failed = 0
    budget = [MAX_NODES]
    for offset, chunk in _split_documents(text):
        try:
            parsed.extend(_nodes(chunk, budget, with_lines=True, line_offset=offset))
        except _OverBudget:
            raise
        except UnsafeDocument:
            failed += 1
    return parsed, failed


def _split_documents(text: str) -> list[tuple[int, str]]:
    """Each ``---`` document with the number of lines before it."""
    chunks: list[tuple[int, list[str]]] = [(0, [])]
    for number, line in enumerate(text.splitlines()):
        if line.startswith("---"):
            chunks.append((number + 1, []))
        else:
            chunks[-1][1].append(line)
    return [(offset, "\n".join(lines)) for offset, lines in chunks if any(line.strip() for line in lines)]


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
