"""Memory-safety risks: unbounded string writes, raw copies, manual allocation, pointer
arithmetic, fixed-size buffers filled from input (C, C++), ``unsafe`` code (Rust, C#),
and native code reached through FFI from managed languages.
"""

from __future__ import annotations

import tree_sitter

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import Catalog, RuleCatalogs, Source, analyzer, argument_nodes, finding, markers_for, rule, source_of

S = Criterion.SECURITY

UNBOUNDED = rule(
    "MEM101", "unbounded-string-write", S,
    "C string and format functions that write without a length bound: `strcpy`, `strcat`, `sprintf`, `vsprintf`, `gets`, and the `scanf` family.",
    "These are the classic buffer-overflow sources. Rust's `String` and `format!` carry their length; the overflow cannot be written.",
    "char path[256];\nstrcpy(req.path, target);  // no length check",
    level="error",
)
RAW_COPY = rule(
    "MEM102", "raw-memory-copy", S,
    "Raw memory copies whose size the caller computes: `memcpy`, `memmove`, `strncpy`, `bcopy`, `CopyMemory`.",
    "A wrong size is an out-of-bounds read or write. Rust's `copy_from_slice` checks lengths, and slices carry theirs.",
    "std::memcpy(img.pixels().data(), data + sizeof(hdr), img.pixels().size());",
    level="warning",
)
MANUAL_MEMORY = rule(
    "MEM103", "manual-memory-management", S,
    "Manual allocation and release: `malloc`/`calloc`/`realloc`/`free`, C++ `new`/`new[]`/`delete`/`delete[]`.",
    "Every manual release is a chance of a leak, a double free or a use after free; Rust's ownership frees exactly once, at compile time.",
    "std::uint8_t* scratch = new std::uint8_t[dst.stride()];\n...\ndelete[] scratch;",
    level="warning",
)
POINTER_ARITHMETIC = rule(
    "MEM104", "pointer-arithmetic", S,
    "Arithmetic on variables declared as pointers: `p + n`, `p - q`, `p++`, `p += n`.",
    "Pointer arithmetic is unchecked indexing; one off-by-one reads or writes outside the buffer. Rust indexes slices with bounds checks.",
    "const std::uint8_t* p00 = r0 + wx[x].x0 * bpp;\n*out++ = value;",
    level="warning",
)
FIXED_BUFFER = rule(
    "MEM105", "fixed-buffer-filled-from-input", S,
    "A fixed-size array that a copy, format or read call writes into (`char buf[256]` then `sprintf(buf, ...)`, `recv(fd, head, ...)`, `strcpy(req.path, ...)`).",
    "Fixed buffers filled from input are where stack and heap overflows come from; in Rust the buffer is a slice or `Vec` whose length every write respects.",
    "char head[4096];\nssize_t got = recv(fd, head, sizeof(head) - 1, 0);",
    level="error",
)
UNSAFE = rule(
    "MEM106", "unsafe-code", S,
    "`unsafe` blocks, functions and impls in Rust; `unsafe` and `fixed` code in C#.",
    "Unsafe code is where the compiler's guarantees stop. In a Rust service it is evidence the team reaches below safe Rust; "
    "each block is a place to audit (or to remove) in the rewrite.",
    "pub fn as_str(&self) -> &str {\n    unsafe { std::str::from_utf8_unchecked(&self.0) }\n}",
    level="warning",
)
FFI = rule(
    "MEM107", "native-ffi", S,
    "Native code called from a managed language: `ctypes`/`cffi`, JNI `native` methods and `System.loadLibrary`, `[DllImport]`, cgo's `import \"C\"` and `unsafe.Pointer`, "
    "Node's `process.dlopen`/ffi, Ruby's FFI, PHP's FFI, Rust `extern` blocks.",
    "An FFI boundary brings C's memory-safety risks into a managed service; a Rust rewrite can replace the native part safely, or call it "
    "from one audited module.",
    "lib = ctypes.CDLL(\"libresize.so\")\nlib.resize(buf, len(buf))",
    level="warning",
)

CATALOG = {
    UNBOUNDED: Catalog([("CFAMILY", "call", "strcpy strcat sprintf vsprintf gets wcscpy wcscat stpcpy sscanf scanf fscanf vsscanf swprintf", "unbounded write")]),
    RAW_COPY: Catalog([("CFAMILY", "call", "memcpy memmove strncpy strncat bcopy CopyMemory RtlCopyMemory wmemcpy", "raw copy")]),
    MANUAL_MEMORY: Catalog([
        ("CFAMILY", "call", "malloc calloc realloc free aligned_alloc", "manual memory"),
        ("C++", "construct", "new_expression delete_expression", "manual memory"),
    ]),
    UNSAFE: Catalog([
        ("Rust", "construct", "unsafe_block unsafe", "unsafe code"),
        ("C#", "construct", "unsafe_statement fixed_statement unsafe", "unsafe code"),
    ]),
    FFI: Catalog([
        ("Python", "call", "ctypes.CDLL ctypes.cdll.LoadLibrary ctypes.WinDLL ctypes.PyDLL ctypes.CFUNCTYPE cffi.FFI", "native library loaded"),
        ("JVM", "call", "System.loadLibrary System.load Native.load Native.loadLibrary", "native library loaded"),
        ("Java", "construct", "native", "JNI native method"),
        ("C#", "annotation", "DllImport LibraryImport", "native import"),
        ("Go", "call", "unsafe.Pointer", "unsafe pointer conversion"),
        ("JS", "call", "process.dlopen ffi-napi.Library koffi.load", "native library loaded"),
        ("Ruby", "call", "ffi_lib Fiddle.dlopen", "native library loaded"),
        ("PHP", "call", "FFI.cdef FFI.load", "native library loaded"),
        ("Rust", "construct", "foreign_mod_item", "extern block"),
    ]),
}
CATALOGS = RuleCatalogs(CATALOG)

_WRITE_TARGETS = {
    **dict.fromkeys(("memcpy", "memmove", "strcpy", "strncpy", "strcat", "strncat", "sprintf", "snprintf", "vsprintf", "vsnprintf", "gets", "fgets", "fread", "wcscpy", "stpcpy"), (0,)),
    **dict.fromkeys(("read", "recv", "recvfrom", "pread"), (1,)),
    **dict.fromkeys(("sscanf", "fscanf"), (2, 3, 4, 5, 6)),
    "scanf": (1, 2, 3, 4, 5),
}


@hookimpl
def readiness_rules() -> list[Rule]:
    return [UNBOUNDED, RAW_COPY, MANUAL_MEMORY, POINTER_ARITHMETIC, FIXED_BUFFER, UNSAFE, FFI]


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    return markers_for(*CATALOG.values(), extra={"CFAMILY": [b"*", b"["], "Rust": [b"unsafe", b"extern"], "C#": [b"unsafe", b"fixed"], "Go": [b'"C"'], "Java": [b"native"]})


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    made: dict[tuple[str, int], Finding] = {}

    def keep(found: Finding) -> None:
        made.setdefault((found.rule, found.line), found)

    for site, matched in CATALOGS.matches(source):
        rule_, pattern = matched[0]
        label = site.name if site.kind != "construct" else source.snippet(site.node)[:60]
        keep(finding(rule_, source, site.node, f"{pattern.what}: {label}", confidence=0.95))
    if source.language == "Go":
        for node in source.imports:
            path = node.child_by_field_name("path")
            if path is not None and source.text(path) == '"C"':
                keep(finding(FFI, source, node, "cgo: import \"C\"", confidence=0.95))
    if source.language in ("C", "C++"):
        for found in _pointer_arithmetic(source):
            keep(found)
        for found in _fixed_buffers(source):
            keep(found)
    return list(made.values())


def _declarator_name(source: Source, declarator: tree_sitter.Node) -> str | None:
    node: tree_sitter.Node | None = declarator
    while node is not None and node.type not in ("identifier", "field_identifier"):
        node = node.child_by_field_name("declarator")
    return source.text(node) if node is not None else None


def _pointer_arithmetic(source: Source) -> list[Finding]:
    pointers = {name for node in source.nodes.get("pointer_declarator", ()) if (name := _declarator_name(source, node))}
    if not pointers:
        return []
    made = []
    for node in source.nodes.get("pointer_step", ()):
        target = None
        if node.type == "binary_expression" and node.child_count == 3 and node.children[1].type in ("+", "-"):
            target = next((side for side in (node.children[0], node.children[2]) if side.type == "identifier" and source.text(side) in pointers), None)
        elif node.type == "update_expression":
            argument = node.child_by_field_name("argument")
            target = argument if argument is not None and argument.type == "identifier" and source.text(argument) in pointers else None
        elif node.type == "assignment_expression" and node.child_count == 3 and node.children[1].type in ("+=", "-="):
            left = node.children[0]
            target = left if left.type == "identifier" and source.text(left) in pointers else None
        if target is not None and source.function_at(node) is not None:
            made.append(finding(POINTER_ARITHMETIC, source, node, f"pointer arithmetic on {source.text(target)}", confidence=0.8))
    return made


def _fixed_buffers(source: Source) -> list[Finding]:
    arrays: dict[str, list[tree_sitter.Node]] = {}
    for node in source.nodes.get("array_declarator", ()):
        name = _declarator_name(source, node)
        if name is not None:
            arrays.setdefault(name, []).append(node)
    filled: dict[int, tuple[tree_sitter.Node, str, str]] = {}
    for site in source.calls():
        positions = _WRITE_TARGETS.get(site.name)
        if positions is None:
            continue
        args = argument_nodes(site)
        caller = source.function_at(site.node)
        for position in positions:
            name = _buffer_name(source, args[position]) if position < len(args) else None
            for declaration in arrays.get(name or "", ()):
                source.budget.spend()
                owner = source.function_at(declaration)
                if owner is None or owner is caller:
                    filled.setdefault(declaration.start_byte, (declaration, name or "", site.name))
    made = []
    for declaration, name, call in filled.values():
        owner = declaration.parent if declaration.parent is not None else declaration
        made.append(finding(FIXED_BUFFER, source, owner, f"fixed-size buffer {name} filled by {call}", confidence=0.85))
    return made


def _buffer_name(source: Source, arg: tree_sitter.Node) -> str | None:
    """``buf``, ``req.path``, ``&hdr`` or ``buf + n`` -> the array's name."""
    node = arg
    for _ in range(4):
        if node.type in ("identifier", "field_identifier"):
            return source.text(node)
        if node.type == "field_expression":
            node = node.child_by_field_name("field") or node
        elif node.type in ("pointer_expression", "parenthesized_expression", "cast_expression", "binary_expression"):
            node = node.child_by_field_name("argument") or node.child_by_field_name("value") or node.child_by_field_name("left") or node.named_children[-1]
        else:
            return None
    return None
