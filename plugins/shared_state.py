"""Shared mutable state: module, package, static and global variables that threads can all reach.

Python and Go: a module-level collection (dict, list, set, map, slice) that a function
writes to. Java and C#: a static field that is not final/readonly, or a static final
field holding a plain (not concurrent) mutable collection. C and C++: a global variable,
not const, written inside a function. Rust: ``static mut``. Collections only read after
they are built (lookup tables) are not findings.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import Source, analyzer, finding, rule, source_of

SHARED = rule(
    "CONC106", "shared-mutable-global", Criterion.CONCURRENCY,
    "Mutable state every thread of a process can reach: module-level collections written by functions (Python, Go), "
    "non-final static fields and static plain collections (Java, C#), non-const globals written by functions (C, C++), `static mut` (Rust).",
    "Globals shared by request threads are the classic source of data races and of locks added after the fact. "
    "Rust refuses unsynchronised global mutation outside `unsafe`, so this state must become explicit (`Mutex`, atomics, message passing).",
    "_QUOTE_CACHE: dict[str, dict] = {}\n\ndef cache_put(key, quote):\n    _QUOTE_CACHE[key] = quote",
    level="warning",
)

_PYTHON_COLLECTIONS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque", "collections.defaultdict", "collections.OrderedDict", "collections.Counter", "collections.deque"}
_PYTHON_MUTATORS = {"append", "extend", "insert", "pop", "popitem", "update", "setdefault", "clear", "add", "discard", "remove", "appendleft", "popleft"}
_JVM_PLAIN_COLLECTIONS = re.compile(r"\bnew\s+(HashMap|ArrayList|HashSet|LinkedList|TreeMap|LinkedHashMap|ArrayDeque|EnumMap|IdentityHashMap|WeakHashMap|Dictionary|List|HashSet|Queue|Stack|SortedDictionary)\s*<")
_C_SKIP_TYPES = re.compile(r"\b(mutex|atomic|once_flag|condition_variable|pthread_\w+_t|mtx_t|cnd_t)\b")


@hookimpl
def readiness_rules() -> list[Rule]:
    return [SHARED]


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    return {
        "Python": [b"{}", b"[]", b"dict(", b"list(", b"set(", b"{", b"defaultdict", b"deque", b"Counter", b"OrderedDict"],
        "Go": [b"map[", b"[]"],
        "Java": [b"static"],
        "C#": [b"static"],
        "C": [b"="],
        "C++": [b"="],
        "Rust": [b"static mut"],
    }


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    language = source.language
    if language == "Python":
        return _python(source)
    if language == "Go":
        return _go(source)
    if language in ("Java", "C#"):
        return _static_fields(source)
    if language in ("C", "C++"):
        return _c_globals(source)
    if language == "Rust":
        return [
            finding(SHARED, source, site.node, f"static mut: {source.snippet(site.node)[:60]}", confidence=0.95)
            for site in source.of_kind("construct")
            if site.name == "static_item" and any(child.type == "mutable_specifier" for child in site.node.children)
        ]
    return []


def _written_in_functions(source: Source) -> set[str]:
    """Names a function writes to: assigned by index, augmented, declared global, or mutated by method."""
    written = set()
    for site in source.sites:
        if site.kind == "mutation" and source.function_at(site.node) is not None:
            written.add(site.name)
        elif site.kind == "call" and source.language == "Python" and "." in site.name:
            owner, _, method = site.name.rpartition(".")
            if method in _PYTHON_MUTATORS and "." not in owner and source.function_at(site.node) is not None:
                written.add(owner)
        elif site.kind == "call" and source.language == "Go" and site.name == "delete" and site.args is not None and site.args.named_child_count:
            written.add(source.text(site.args.named_children[0]))
    return written


def _python(source: Source) -> list[Finding]:
    written = _written_in_functions(source)
    made = []
    for statement in source.root.named_children:
        assignment = statement.named_children[0] if statement.type == "expression_statement" and statement.named_child_count else None
        if assignment is None or assignment.type != "assignment":
            continue
        target, value = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if target is None or value is None or target.type != "identifier":
            continue
        name = source.text(target)
        is_collection = value.type in ("dictionary", "list", "set") or (
            value.type == "call" and source.resolve(source.text(value.child_by_field_name("function"))) in _PYTHON_COLLECTIONS
        )
        if is_collection and name in written:
            made.append(finding(SHARED, source, statement, f"module-level {value.type if value.type != 'call' else 'collection'} {name} is written by functions"))
    return made


def _go(source: Source) -> list[Finding]:
    written = _written_in_functions(source)
    made = []
    for declaration in source.root.named_children:
        if declaration.type != "var_declaration":
            continue
        specs = [c for c in declaration.named_children if c.type == "var_spec"]
        specs += [s for c in declaration.named_children if c.type == "var_spec_list" for s in c.named_children if s.type == "var_spec"]
        for spec in specs:
            text = source.text(spec)
            names = [source.text(n) for n in spec.children_by_field_name("name")]
            if not re.search(r"map\[|\[\]|make\(", text):
                continue
            for name in names:
                if name in written:
                    made.append(finding(SHARED, source, spec, f"package-level collection {name} is written by functions"))
    return made


def _static_fields(source: Source) -> list[Finding]:
    made = []
    for site in source.of_kind("construct"):
        if site.name != "field_declaration":
            continue
        text = source.text(site.node)
        header = text.split("=", 1)[0]
        immutable = re.search(r"\b(final|readonly|const)\b", header)
        if immutable and not _JVM_PLAIN_COLLECTIONS.search(text):
            continue
        if re.search(r"\b(Logger|Log|ILogger)\b", header):
            continue
        what = "static mutable collection" if immutable else "mutable static field"
        made.append(finding(SHARED, source, site.node, f"{what}: {source.snippet(site.node)[:80]}"))
    return made


def _c_globals(source: Source) -> list[Finding]:
    written = _written_in_functions(source)
    made = []
    pending = list(source.root.named_children)
    while pending:
        node = pending.pop(0)
        if node.type in ("namespace_definition", "linkage_specification"):
            body = node.child_by_field_name("body")
            if body is not None:
                pending.extend(body.named_children)
            continue
        if node.type != "declaration":
            continue
        text = source.text(node)
        head = text.split("=", 1)[0]
        if re.search(r"\b(const|constexpr|extern|typedef|thread_local|_Thread_local)\b", head) or _C_SKIP_TYPES.search(head):
            continue
        for declarator in node.children_by_field_name("declarator"):
            inner = declarator.child_by_field_name("declarator") if declarator.type == "init_declarator" else declarator
            if inner is None or inner.type == "function_declarator":
                continue
            while inner is not None and inner.type not in ("identifier",) and inner.child_by_field_name("declarator") is not None:
                inner = inner.child_by_field_name("declarator")
            if inner is not None and inner.type == "identifier" and source.text(inner) in written:
                made.append(finding(SHARED, source, node, f"global {source.text(inner)} is written by functions"))
    return made
