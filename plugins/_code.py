"""One parse per file, shared by every code-evidence rule: sites, scopes and names.

Not a plugin. The rule plugins (concurrency, hot paths, memory safety, request surface,
complexity) each call :func:`source_of` for the file they are given; the worker calls
them one after the other on the same file, so the parse is cached for the last file.

Everything is found by one tree-sitter query per language (see ``_dialects``), run in
C; Python only looks at what the query captured, so a word in a comment or a string is
never a site. Context (the enclosing function, loop depth, async, request handler) comes
from a sweep over the captured scopes, never from recursion over the tree, so deeply
nested code cannot exhaust the stack.
"""

from __future__ import annotations

import bisect
import functools
import importlib
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

import tree_sitter

from readiness.config import Settings
from readiness.model import Criterion, Diagnostic, Fact, FileRecord, Finding, Rule
from readiness_plugins._dialects import DIALECTS, Dialect

MINIFIED_LINE_BYTES = 2000
"""A file whose lines average more than this is a bundle, not source anyone rewrites."""
MINIFIED_MIN_BYTES = 16 << 10
PARSE_CHUNK = 64 << 10
MAX_QUERY_MATCHES = 2_000_000
"""Captures beyond this are not read: a bound on Python work for a pathological file."""
BUDGET_SECONDS = 2.0
BUDGET_SECONDS_PER_MB = 8.0
"""CPU time a file may take to parse and analyse: a base plus so much per MB (see :class:`Budget`)."""
MAX_QUALIFIED_PREFIX = 256

_SEPARATORS = re.compile(r"::|->|\?\.|!\.|\\")
_GENERICS = re.compile(r"<[^<>()]*>")
_SPACE = re.compile(rb"\s+")
_ASYNC_WORD = re.compile(rb"(?<![A-Za-z_])(?:async|suspend)(?![A-Za-z_])")
_ANNOTATION_NAME = re.compile(rb"[@#\[\s!]*([A-Za-z_][\w.:\\]*)")
_STRING_BODY = re.compile(r"""^[a-zA-Z]*(["'`]+)(.*?)\1$""", re.S)
_IMPORT_KEYWORD = re.compile(r"^(import|use|using)\s+(static\s+)?")
_IMPORT_RENAME = re.compile(r"\s*(?:=>|\bas\b)\s*")
_DOTTED_IMPORT = re.compile(r"^([\w.]+?)(?:\s+as\s+(\w+))?$")
_CSHARP_ALIAS = re.compile(r"using\s+(\w+)\s*=\s*([\w.]+)")
_GO_MAJOR_VERSION = re.compile(r"v\d+")
_SELF_PREFIXES = ("this.", "self.", "$this.", "@")


def supported(language: str | None) -> bool:
    return language in DIALECTS


class SkippedFile(Exception):
    """A file the code rules cannot analyse: it looks minified, or ran out of CPU time."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def diagnostic(self) -> Diagnostic:
        return Diagnostic("warning", f"not analysed: {self.reason}", path=self.path)


def analyzer(function: Callable[[FileRecord, str, Settings], list[Finding]]) -> Callable[[FileRecord, str, Settings], list[Finding | Diagnostic]]:
    """A rule plugin's ``readiness_analyze_file``, for which a file it cannot analyse is a warning naming it."""

    @functools.wraps(function)
    def analyze(file: FileRecord, text: str, settings: Settings) -> list[Finding | Diagnostic]:
        try:
            return list(function(file, text, settings))
        except SkippedFile as skipped:
            return [skipped.diagnostic()]

    return analyze


class Budget:
    """The CPU time one file may take to parse and analyse, counted on this thread.

    Real source parses at several MB/s, so only a pathological file (or a grammar's
    worst case, such as deeply nested C++ templates) runs out; it is then skipped with a
    warning naming it, and the scan goes on.
    """

    __slots__ = ("path", "seconds", "deadline", "_ticks")

    def __init__(self, size: int, path: str = "") -> None:
        self.path = path
        self.seconds = BUDGET_SECONDS + BUDGET_SECONDS_PER_MB * size / (1 << 20)
        self.deadline = time.thread_time() + self.seconds
        self._ticks = 0

    def spend(self) -> None:
        """A unit of work done: raise :class:`SkippedFile` once the time is up (checked every 256 units)."""
        self._ticks += 1
        if not self._ticks & 255:
            self.check()

    def check(self) -> None:
        if time.thread_time() > self.deadline:
            raise SkippedFile(self.path, f"analysis took over {self.seconds:.3g} s of CPU time")

    def parse_progress(self, _offset: int, _has_error: bool) -> bool:
        """tree-sitter's progress callback: True cancels the parse."""
        self._ticks += 1
        return not self._ticks & 255 and time.thread_time() > self.deadline


@dataclass(slots=True)
class Scope:
    """A function, loop or class, with what it inherits from the scopes around it."""

    node: tree_sitter.Node
    kind: str
    """``function``, ``loop`` or ``class``."""
    start: int
    end: int
    """The node's byte span, read once: sweeps and lookups compare it constantly."""
    name: str = ""
    parent: Scope | None = None
    function: Scope | None = None
    """The innermost function at or around this scope."""
    loop_depth: int = 0
    """For a loop, how many loops nest directly around it in its function, itself included."""
    outer_loop: Scope | None = None
    """For a loop, the outermost of those loops."""
    klass: Scope | None = None
    """The class this scope is, or is in without a function between."""
    is_async: bool = False
    handler: bool = False
    """This function, or one around it, handles requests."""
    qualified: str = ""
    complexity: int = 1

    @property
    def lines(self) -> int:
        return self.node.end_point[0] - self.node.start_point[0] + 1

    def nest(self) -> Iterator[Scope]:
        """For a loop, the loops nesting directly around it in its function, itself first."""
        scope: Scope | None = self
        while scope is not None and scope.kind == "loop":
            yield scope
            scope = scope.parent


_UNREAD = object()


@dataclass(slots=True)
class Site:
    """A node a rule may care about, with its resolved name."""

    kind: str
    """``call``, ``new``, ``typeref``, ``construct``, ``annotation`` or ``mutation``."""
    name: str
    node: tree_sitter.Node
    last: str = ""
    """The name's last dotted segment: what catalogues index patterns by."""
    start: int = -1
    """The node's first byte (sites are kept in this order)."""
    _args: object = _UNREAD

    @property
    def args(self) -> tree_sitter.Node | None:
        """A call's or object creation's argument list; looked up when first asked for, as few rules ask."""
        if self._args is _UNREAD:
            self._args = _arguments(self.node) if self.kind in ("call", "new") else None
        return self._args  # type: ignore[return-value]


@dataclass(slots=True)
class Source:
    file: FileRecord
    dialect: Dialect
    data: bytes
    tree: tree_sitter.Tree
    budget: Budget
    language: str
    """The dialect's language, read by every rule on every site."""
    sites: list[Site] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    branches: list[tree_sitter.Node] = field(default_factory=list)
    imports: list[tree_sitter.Node] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, list[tree_sitter.Node]] = field(default_factory=dict)
    """Captures no shared shape reads, by capture name, in document order (see ``_dialects``)."""
    _by_kind: dict[str, list[Site]] = field(default_factory=dict)
    _positions: list[int] = field(default_factory=list)
    """Where a scope begins or ends, in order; ``_innermost`` holds the scope from there on."""
    _innermost: list[Scope | None] = field(default_factory=list)
    _swept: bool = False

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def snippet(self, node: tree_sitter.Node) -> str:
        """The node's first line, whitespace-collapsed: what a fingerprint hashes."""
        end = self.data.find(b"\n", node.start_byte, node.end_byte)
        raw = self.data[node.start_byte : end if end >= 0 else node.end_byte][:200]
        return _SPACE.sub(b" ", raw).decode("utf-8", "replace").strip()

    def resolve(self, name: str) -> str:
        head, dot, rest = name.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return name
        return target + dot + rest

    def calls(self) -> list[Site]:
        return self.of_kind("call")

    def of_kind(self, kind: str) -> list[Site]:
        """The sites of one kind, in document order."""
        return self._by_kind.get(kind, [])

    def functions(self) -> list[Scope]:
        self.sweep()
        return [scope for scope in self.scopes if scope.kind == "function"]

    def mark_handlers(self, nodes: Iterable[tree_sitter.Node]) -> None:
        """Say which function nodes handle requests, before context is asked for."""
        wanted = {(node.start_byte, node.end_byte) for node in nodes}
        for scope in self.scopes:
            if scope.kind == "function" and (scope.start, scope.end) in wanted:
                scope.handler = True
        if self._swept:
            self._inherit_handlers()

    def _inherit_handlers(self) -> None:
        # Scopes are sorted by start, so a parent is always settled before its children.
        for scope in self.scopes:
            around = scope.parent.handler if scope.parent is not None and scope.parent.kind != "class" else False
            scope.handler = scope.handler or around

    def sweep(self) -> None:
        """Link each scope to its parent and inherit function, loops, async and handler.

        Also records where each scope begins and ends, so :meth:`scope_at` finds the
        innermost scope around a position by bisection, however deep the nesting.
        """
        if self._swept:
            return
        self._swept = True
        stack: list[Scope] = []
        positions, innermost = self._positions, self._innermost
        for index, scope in enumerate(self.scopes):
            if not index & 255:
                self.budget.check()
            start = scope.start
            while stack and stack[-1].end <= start:
                ended = stack.pop()
                positions.append(ended.end)
                innermost.append(stack[-1] if stack else None)
            parent = stack[-1] if stack else None
            scope.parent = parent
            if scope.kind == "function":
                scope.function = scope
                owner = parent.klass if parent is not None else None
                prefix = owner.qualified if owner else (parent.function.qualified if parent and parent.function else "")
                scope.qualified = _qualify(prefix, scope.name)
            elif scope.kind == "loop":
                scope.function = parent.function if parent else None
                nested = parent is not None and parent.kind == "loop"
                scope.loop_depth = parent.loop_depth + 1 if nested else 1  # type: ignore[union-attr]
                scope.outer_loop = parent.outer_loop if nested else scope  # type: ignore[union-attr]
                scope.klass = parent.klass if parent is not None else None
                scope.is_async = bool(scope.function and scope.function.is_async)
            else:
                owner = parent.klass if parent is not None else None
                scope.qualified = _qualify(owner.qualified if owner else "", scope.name)
                scope.klass = scope
            stack.append(scope)
            positions.append(start)
            innermost.append(scope)
        while stack:
            ended = stack.pop()
            positions.append(ended.end)
            innermost.append(stack[-1] if stack else None)
        self._inherit_handlers()
        for branch in self.branches:
            around = self.scope_at(branch)
            function = around.function if around else None
            if function is not None:
                function.complexity += 1

    def scope_at(self, node: tree_sitter.Node) -> Scope | None:
        """The innermost scope holding ``node`` (a scope does not hold itself)."""
        self.sweep()
        start = node.start_byte
        index = bisect.bisect_right(self._positions, start) - 1
        scope = self._innermost[index] if index >= 0 else None
        # The scope around ``start`` holds the node unless it is the node, or the node
        # reaches past its end; then look outwards (rarely more than a step).
        while scope is not None and not (scope.start <= start and node.end_byte <= scope.end and scope.node != node):
            scope = scope.parent
        return scope

    def function_at(self, node: tree_sitter.Node) -> Scope | None:
        scope = self.scope_at(node)
        return scope.function if scope else None

    def function_name(self, node: tree_sitter.Node) -> str | None:
        function = self.function_at(node)
        return function.qualified if function else None

    def loop_depth(self, node: tree_sitter.Node) -> int:
        scope = self.scope_at(node)
        return scope.loop_depth if scope is not None and scope.kind == "loop" else 0


def _qualify(prefix: str, name: str) -> str:
    if not prefix:
        return name
    if len(prefix) > MAX_QUALIFIED_PREFIX:
        # Only absurdly deep nesting gets here; keep names, and memory, bounded.
        prefix = "..." + prefix[-MAX_QUALIFIED_PREFIX:]
    return f"{prefix}.{name}"


@lru_cache(maxsize=None)
def _language(name: str) -> tuple[tree_sitter.Language, tree_sitter.Query]:
    dialect = DIALECTS[name]
    module, function = dialect.grammar
    language = tree_sitter.Language(getattr(importlib.import_module(module), function)())
    return language, tree_sitter.Query(language, dialect.query)


_last: tuple[tuple[str, str | None, int], Source | SkippedFile] | None = None


def source_of(file: FileRecord, text: str) -> Source | None:
    """The parsed, indexed file, or None when its language has no grammar here.

    Raises :class:`SkippedFile` for a file that looks minified. The last file's result is
    kept, so every rule plugin called on the same file shares one parse.
    """
    global _last
    if file.language not in DIALECTS:
        return None
    key = (file.path, file.blob, len(text))
    if _last is not None and _last[0] == key:
        cached = _last[1]
        if isinstance(cached, SkippedFile):
            raise cached
        return cached
    try:
        result: Source | SkippedFile = _index(file, text.encode("utf-8", "replace"))
    except SkippedFile as skipped:
        result = skipped
    _last = (key, result)
    if isinstance(result, SkippedFile):
        raise result
    return result


def parse(language: str, data: bytes, budget: Budget) -> tree_sitter.Tree:
    grammar, _ = _language(language)
    # A fresh parser each time: one whose parse was cancelled must not be reused as is.
    parser = tree_sitter.Parser(grammar)
    try:
        return parser.parse(lambda offset, _point: data[offset : offset + PARSE_CHUNK], progress_callback=budget.parse_progress)
    except ValueError:
        raise SkippedFile(budget.path, f"parsing took over {budget.seconds:.3g} s of CPU time") from None


def _index(file: FileRecord, data: bytes) -> Source:
    if len(data) >= MINIFIED_MIN_BYTES and len(data) / (data.count(b"\n") + 1) > MINIFIED_LINE_BYTES:
        raise SkippedFile(file.path, f"looks minified (lines average over {MINIFIED_LINE_BYTES} bytes)")
    dialect = DIALECTS[file.language or ""]
    budget = Budget(len(data), file.path)
    tree = parse(dialect.language, data, budget)
    source = Source(file=file, dialect=dialect, data=data, tree=tree, budget=budget, language=dialect.language)
    _, query = _language(dialect.language)
    kinds = _pattern_shapes.setdefault(dialect.language, {})
    # The query itself runs in C in time linear in the tree (the file size is capped);
    # tree-sitter's query progress callback is not used: it crashes py-tree-sitter 0.26.
    matches = tree_sitter.QueryCursor(query).matches(tree.root_node)
    for count, (pattern, captures) in enumerate(matches[:MAX_QUERY_MATCHES]):
        if not count & 255:
            budget.check()
        kind = kinds.get(pattern)
        if kind is None:
            kind = kinds[pattern] = next((name for name in _SHAPES if name in captures), "")
        _take(source, kind, captures)
    source.scopes.sort(key=_scope_order)
    for nodes in source.nodes.values():
        nodes.sort(key=lambda node: (node.start_byte, -node.end_byte))
    source.sites.sort(key=_site_order)
    _collect_aliases(source)
    resolve = source.resolve if source.aliases else None
    by_kind = source._by_kind
    for site in source.sites:
        if resolve is not None and site.kind in ("call", "new", "typeref"):
            site.name = resolve(site.name)
        site.last = site.name.rpartition(".")[2]
        by_kind.setdefault(site.kind, []).append(site)
    return source


def _scope_order(scope: Scope) -> tuple[int, int]:
    return scope.start, -scope.end


_site_order = attrgetter("start", "kind")
_SHAPES = ("call", "branch", "function", "typeref", "import", "loop", "class", "new", "construct", "annotation", "mutated")
"""The captures that name a match's shape (see ``_dialects``); a match has at most one."""
_pattern_shapes: dict[str, dict[int, str]] = {}
"""Per language, per query pattern, the shape of its matches: learnt from its first match."""


def _take(source: Source, kind: str, captures: dict[str, list[tree_sitter.Node]]) -> None:
    if kind == "call":
        call = captures["call"][0]
        callee = captures.get("callee")
        if callee is not None:
            raw = source.data[callee[0].start_byte : callee[0].end_byte]
        else:
            raw = source.data[call.start_byte : captures["callee_end"][0].end_byte]
        source.sites.append(Site("call", normalize(raw), call, start=call.start_byte))
    elif kind == "branch":
        source.branches.append(captures["branch"][0])
    elif kind == "function":
        node = captures["function"][0]
        source.scopes.append(Scope(node, "function", node.start_byte, node.end_byte, name=_function_name(source, node), is_async=_is_async(source, node)))
    elif kind == "typeref":
        node = captures["typeref"][0]
        source.sites.append(Site("typeref", normalize(source.data[node.start_byte : node.end_byte]), node, start=node.start_byte))
    elif kind == "import":
        source.imports.append(captures["import"][0])
    elif kind == "loop":
        node = captures["loop"][0]
        source.scopes.append(Scope(node, "loop", node.start_byte, node.end_byte))
    elif kind == "class":
        node = captures["class"][0]
        source.scopes.append(Scope(node, "class", node.start_byte, node.end_byte, name=_class_name(source, node)))
    elif kind == "new":
        node = captures["new"][0]
        type_ = captures["type"][0]
        source.sites.append(Site("new", normalize(source.data[type_.start_byte : type_.end_byte]), node, start=node.start_byte))
    elif kind == "construct":
        node = captures["construct"][0]
        source.sites.append(Site("construct", node.type if node.is_named else source.text(node), node, start=node.start_byte))
    elif kind == "annotation":
        node = captures["annotation"][0]
        source.sites.append(Site("annotation", _annotation_name(source, node), node, start=node.start_byte))
    elif kind == "mutated":
        node = captures["mutated"][0]
        source.sites.append(Site("mutation", source.text(node), node, start=node.start_byte))
    else:
        for name, nodes in captures.items():
            source.nodes.setdefault(name, []).extend(nodes)


_normalized: dict[bytes, str] = {}
_NORMALIZED_KEPT = 100_000
_NORMALIZED_KEY_BYTES = 256


def normalize(raw: bytes) -> str:
    """A callee or type as a dotted name: ``std::thread`` -> ``thread``, ``a?.b<T>`` -> ``a.b``."""
    if len(raw) > _NORMALIZED_KEY_BYTES:
        return _normalize(raw)
    name = _normalized.get(raw)
    if name is None:
        # The same callees recur across a repository's files: remember them, within a bound.
        if len(_normalized) >= _NORMALIZED_KEPT:
            _normalized.clear()
        name = _normalized[raw] = _normalize(raw)
    return name


def _normalize(raw: bytes) -> str:
    name = "".join(raw.decode("utf-8", "replace").split())
    name = _SEPARATORS.sub(".", name)
    for _ in range(3):
        stripped = _GENERICS.sub("", name)
        if stripped == name:
            break
        name = stripped
    cut = max(name.rfind(")"), name.rfind("]"))
    if cut >= 0:
        name = "()" + name[cut + 1 :]
    name = name.lstrip(".")
    for prefix in _SELF_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    name = name.replace("$", "")
    if name.startswith("std."):
        name = name[4:]
    return name


def _arguments(node: tree_sitter.Node) -> tree_sitter.Node | None:
    args = node.child_by_field_name("arguments")
    if args is not None:
        return args
    for child in node.named_children:
        if child.type in ("argument_list", "arguments", "value_arguments", "call_suffix"):
            return child
    return None


def _function_name(source: Source, node: tree_sitter.Node) -> str:
    name = node.child_by_field_name("name")
    if name is None and node.type == "function_definition":
        declarator = node.child_by_field_name("declarator")
        while declarator is not None and declarator.type not in ("identifier", "field_identifier", "qualified_identifier", "destructor_name", "operator_name"):
            declarator = declarator.child_by_field_name("declarator")
        name = declarator
    if name is None and node.type == "function_declaration":
        name = next((c for c in node.named_children if c.type in ("simple_identifier", "identifier")), None)
    if name is None and node.parent is not None and node.parent.type in ("variable_declarator", "assignment", "pair", "assignment_expression", "property_declaration"):
        target = node.parent.child_by_field_name("name") or node.parent.child_by_field_name("left") or node.parent.child_by_field_name("key")
        if target is not None and target.type in ("identifier", "property_identifier", "variable_name", "simple_identifier"):
            name = target
    if name is None:
        return "<lambda>" if node.type not in ("method", "singleton_method") else "<method>"
    return normalize(source.data[name.start_byte : name.end_byte])


def _class_name(source: Source, node: tree_sitter.Node) -> str:
    name = node.child_by_field_name("name") or node.child_by_field_name("type")
    if name is None:
        name = next((c for c in node.named_children if c.type in ("type_identifier", "identifier", "constant", "name", "simple_identifier")), None)
    return normalize(source.data[name.start_byte : name.end_byte]) if name is not None else "<class>"


def _is_async(source: Source, node: tree_sitter.Node) -> bool:
    head = source.data[node.start_byte : min(node.end_byte, node.start_byte + 400)]
    body = node.child_by_field_name("body")
    if body is not None and body.start_byte > node.start_byte:
        head = source.data[node.start_byte : body.start_byte]
    return _ASYNC_WORD.search(head) is not None


def _annotation_name(source: Source, node: tree_sitter.Node) -> str:
    text = source.data[node.start_byte : node.end_byte]
    match = _ANNOTATION_NAME.match(text)
    return normalize(match.group(1)) if match else ""


def string_value(source: Source, node: tree_sitter.Node | None) -> str | None:
    """The text of a plain string literal (no interpolation), else None."""
    if node is None:
        return None
    if node.type in ("argument", "value_argument", "attribute_argument") and node.named_child_count:
        node = node.named_children[-1]
    if node.type not in ("string", "string_literal", "interpreted_string_literal", "raw_string_literal", "encapsed_string", "template_string") :
        return None
    if any(child.type in ("interpolation", "template_substitution", "string_interpolation") for child in node.named_children):
        return None
    text = source.text(node)
    match = _STRING_BODY.match(text)
    return match.group(2) if match else None


def argument_nodes(site: Site) -> list[tree_sitter.Node]:
    if site.args is None:
        return []
    return [child for child in site.args.named_children if child.type not in ("comment", "line_comment", "block_comment")]


def _collect_aliases(source: Source) -> None:
    collect = _ALIAS_COLLECTORS.get(source.language)
    if collect is None:
        return
    for node in source.imports:
        for alias, target in collect(source, node):
            if alias and target:
                source.aliases[alias] = target


def _python_aliases(source: Source, node: tree_sitter.Node) -> Iterator[tuple[str, str]]:
    module = ""
    if node.type == "import_from_statement":
        module_node = node.child_by_field_name("module_name")
        module = source.text(module_node) if module_node else ""
    for child in node.children_by_field_name("name"):
        if child.type == "aliased_import":
            name, renamed = child.child_by_field_name("name"), child.child_by_field_name("alias")
            if name is None or renamed is None:
                continue
            target, alias = source.text(name), source.text(renamed)
        else:
            target = source.text(child)
            alias = target.split(".")[0] if not module else target
            if not module:
                target = alias
        yield alias, f"{module}.{target}" if module else target


def _js_aliases(source: Source, node: tree_sitter.Node) -> Iterator[tuple[str, str]]:
    if node.type == "variable_declarator":
        call = node.child_by_field_name("value")
        args = argument_nodes(Site("call", "", call)) if call else []
        module = string_value(source, args[0]) if args else None
        target = node.child_by_field_name("name")
        if module is None or target is None:
            return
        module = module.removeprefix("node:")
        if target.type == "identifier":
            yield source.text(target), module
        elif target.type == "object_pattern":
            for prop in target.named_children:
                if prop.type == "shorthand_property_identifier_pattern":
                    yield source.text(prop), f"{module}.{source.text(prop)}"
                elif prop.type == "pair_pattern":
                    key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                    if key is not None and value is not None:
                        yield source.text(value), f"{module}.{source.text(key)}"
        return
    module_node = node.child_by_field_name("source")
    module = (string_value(source, module_node) or "").removeprefix("node:")
    for clause in node.named_children:
        if clause.type != "import_clause":
            continue
        for part in clause.named_children:
            if part.type == "identifier":
                yield source.text(part), module
            elif part.type == "namespace_import":
                yield source.text(part.named_children[-1]), module
            elif part.type == "named_imports":
                for spec in part.named_children:
                    name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
                    if name is not None:
                        yield source.text(alias or name), f"{module}.{source.text(name)}"


@lru_cache(maxsize=4096)
def _dotted_import(text: str) -> tuple[tuple[str, str], ...]:
    """``a.b.C``, ``a.b.C as D``, ``a.b.{C => D, E}``, ``a::b::{C, D as E}`` -> (alias, target) pairs.

    Remembered: the same imports open file after file.
    """
    return tuple(_dotted_pairs(text))


def _dotted_pairs(text: str) -> Iterator[tuple[str, str]]:
    text = _SEPARATORS.sub(".", " ".join(text.split()))
    text = _IMPORT_KEYWORD.sub("", text).rstrip(";").strip()
    if "{" in text:
        base, _, group = text.partition("{")
        base = base.rstrip(".")
        for item in group.rstrip("}").split(","):
            parts = _IMPORT_RENAME.split(item.strip(), maxsplit=1)
            target = parts[0].strip()
            alias = parts[1].strip() if len(parts) > 1 else target.rsplit(".", 1)[-1]
            if target and target not in ("*", "_", "self"):
                yield alias, f"{base}.{target}"
        return
    match = _DOTTED_IMPORT.match(text)
    if not match:
        return
    target, alias = match.group(1), match.group(2)
    if target.endswith(".*") or target.endswith("._"):
        return
    yield alias or target.rsplit(".", 1)[-1], target


def _generic_aliases(source: Source, node: tree_sitter.Node) -> Iterator[tuple[str, str]]:
    text = source.text(node)
    if source.language == "C#":
        match = _CSHARP_ALIAS.match(text)
        if match:
            yield match.group(1), match.group(2)
        return
    if source.language == "PHP":
        name = node.named_children[0] if node.named_children else None
        alias = node.named_children[1] if node.named_child_count > 1 else None
        if name is not None:
            target = normalize(source.data[name.start_byte : name.end_byte])
            yield (source.text(alias) if alias else target.rsplit(".", 1)[-1]), target
        return
    yield from _dotted_import(text)


def _go_aliases(source: Source, node: tree_sitter.Node) -> Iterator[tuple[str, str]]:
    path_node = node.child_by_field_name("path")
    path = string_value(source, path_node) if path_node else None
    if not path:
        return
    name_node = node.child_by_field_name("name")
    if name_node is not None:
        yield source.text(name_node), path
        return
    parts = path.split("/")
    last = parts[-1]
    if _GO_MAJOR_VERSION.fullmatch(last) and len(parts) > 1:
        last = parts[-2]
    last = last.removesuffix("-go").removeprefix("go-").replace("-", "")
    yield last, path


_ALIAS_COLLECTORS = {
    "Python": _python_aliases,
    "JavaScript": _js_aliases,
    "TypeScript": _js_aliases,
    "TSX": _js_aliases,
    "Go": _go_aliases,
    "Java": _generic_aliases,
    "Kotlin": _generic_aliases,
    "Scala": _generic_aliases,
    "Rust": _generic_aliases,
    "C#": _generic_aliases,
    "PHP": _generic_aliases,
}


@dataclass(frozen=True, slots=True)
class Pattern:
    """A name a rule recognises: in these languages, on these kinds of site."""

    languages: frozenset[str]
    kinds: frozenset[str]
    name: str
    what: str
    """How the finding's message names it, e.g. ``"thread pool"``."""


Index = dict[str, dict[str, dict[str, list[tuple[Rule | None, Pattern]]]]]
"""language -> site kind -> last name segment -> candidates, in the order rules try them."""


class Catalog:
    """A rule's patterns, indexed by language, site kind and last name segment."""

    def __init__(self, entries: Iterable[tuple[str, str, str, str]]) -> None:
        self.patterns: list[Pattern] = []
        self.markers: dict[str, set[bytes]] = {}
        for languages, kinds, names, what in entries:
            for language in _expand(languages):
                for name in names.split():
                    self.patterns.append(Pattern(frozenset([language]), frozenset(kinds.split()), name, what))
                    self.markers.setdefault(language, set()).add(name.rsplit(".", 1)[-1].encode())
        self._index = _index_patterns([(None, self)])

    def match(self, source: Source, site: Site) -> Pattern | None:
        for _, pattern in _candidates(self._index, source, site):
            if names_match(site.name, pattern.name, source.dialect.bare_names):
                return pattern
        return None


class RuleCatalogs:
    """Several rules' catalogues merged into one index, built once per process.

    A site then costs one lookup for all of a plugin's rules, whatever their number;
    candidates keep the rules' order, and each rule's patterns their catalogue order.
    """

    def __init__(self, catalogs: dict[Rule, Catalog]) -> None:
        self.rules = list(catalogs)
        self._index = _index_patterns(list(catalogs.items()))

    def matches(self, source: Source, kinds: Collection[str] | None = None) -> list[tuple[Site, list[tuple[Rule, Pattern]]]]:
        """The file's sites (of ``kinds``, or all) that some rule matches, in document order,
        each with, per rule in rule order, the first of its patterns that matches."""
        by_kind = self._index.get(source.dialect.language)
        if by_kind is None:
            return []
        bare = source.dialect.bare_names
        found: list[tuple[Site, list[tuple[Rule, Pattern]]]] = []
        for site in source.sites:
            by_last = by_kind.get(site.kind)
            candidates = by_last.get(site.last) if by_last is not None else None
            if candidates is None or (kinds is not None and site.kind not in kinds):
                continue
            matched: list[tuple[Rule, Pattern]] = []
            for rule_, pattern in candidates:
                if rule_ is not None and (not matched or matched[-1][0] is not rule_) and names_match(site.name, pattern.name, bare):
                    matched.append((rule_, pattern))
            if matched:
                found.append((site, matched))
        return found


def _index_patterns(catalogs: list[tuple[Rule | None, Catalog]]) -> Index:
    index: Index = {}
    for rule_, catalog in catalogs:
        for pattern in catalog.patterns:
            last = pattern.name.rsplit(".", 1)[-1]
            for language in pattern.languages:
                for kind in pattern.kinds:
                    index.setdefault(language, {}).setdefault(kind, {}).setdefault(last, []).append((rule_, pattern))
    return index


_NO_CANDIDATES: list[tuple[Rule | None, Pattern]] = []


def _candidates(index: Index, source: Source, site: Site) -> list[tuple[Rule | None, Pattern]]:
    by_kind = index.get(source.dialect.language)
    by_last = by_kind.get(site.kind) if by_kind is not None else None
    return by_last.get(site.last, _NO_CANDIDATES) if by_last is not None else _NO_CANDIDATES


def names_match(name: str, pattern: str, bare: bool) -> bool:
    """``name`` is ``pattern``, or ends with it; with ``bare``, a class-like name may also be its unqualified tail."""
    if name == pattern or name.endswith("." + pattern):
        return True
    return bare and name[:1].isupper() and pattern.endswith("." + name)


LANGUAGE_GROUPS = {
    "JVM": ("Java", "Kotlin", "Scala"),
    "JS": ("JavaScript", "TypeScript", "TSX"),
    "CFAMILY": ("C", "C++"),
}


def _expand(languages: str) -> Iterator[str]:
    for word in languages.split():
        yield from LANGUAGE_GROUPS.get(word, (word,))


def rule(rule_id: str, title: str, criterion: Criterion, finds: str, why: str, example: str, level: str = "note") -> Rule:
    """A rule whose doc page has the three sections every rule documents."""
    doc = f"## What it finds\n{finds.strip()}\n\n## Why it matters for a Rust rewrite\n{why.strip()}\n\n## Example\n```\n{example.strip()}\n```\n"
    return Rule(rule_id, title, criterion, doc, level)


def finding(
    rule_: Rule,
    source: Source,
    node: tree_sitter.Node,
    message: str,
    confidence: float = 0.9,
    facts: dict[str, Fact] | None = None,
    function: str | None = None,
) -> Finding:
    return rule_.finding(
        source.file.path,
        node.start_point[0] + 1,
        message,
        column=node.start_point[1] + 1,
        function=function or source.function_name(node),
        snippet=source.snippet(node),
        confidence=confidence,
        facts=facts,
    )


def markers_for(*catalogs: Catalog, extra: dict[str, Iterable[bytes]] | None = None) -> dict[str, list[bytes]]:
    """The pre-filter markers of some catalogs: a file without any of these names cannot match them."""
    merged: dict[str, set[bytes]] = {}
    for catalog in catalogs:
        for language, names in catalog.markers.items():
            merged.setdefault(language, set()).update(names)
    for languages, extra_names in (extra or {}).items():
        for expanded in _expand(languages):
            merged.setdefault(expanded, set()).update(extra_names)
    return {language: sorted(names) for language, names in sorted(merged.items())}
