"""Which language every file is in, and whether it is source, test, vendored, generated, docs or data.

readiness counts only a repository's own code, so it must set aside what GitHub's language
bar sets aside: vendored dependencies, generated code, documentation and data. This plugin
decides both things the way GitHub Linguist does, so its answers can be checked against the
language bar a team already knows:

- the language, by Linguist's strategies in Linguist's order: modeline, file name, shebang,
  extension, XML header, then content heuristics for extensions that several languages share.
  Names are Linguist's canonical ones (``"C++"``, ``"TSX"``, ``"Go Module"``). Linguist's last
  resort, a statistical classifier, is not reproduced: where its rules cannot decide, the
  language is unknown (None);
- the kind, from ``.gitattributes`` overrides (``linguist-vendored``, ``linguist-generated``,
  ``linguist-documentation``, ``linguist-detectable``, ``linguist-language``), then Linguist's
  vendored, generated and documentation rules, then readiness's test rules; what is left is
  ``source`` if its language is a programming or markup one and ``data`` otherwise (a data
  file in a test directory stays data: only code counts).

Where readiness departs from Linguist: content is read from the first 8 KiB the inventory
passes (Linguist reads 50 KB); ``Dockerfile.prod`` is a Dockerfile; a ``linguist-language``
naming no known language leaves the choice to the rules instead of making it unknown; and
``data/kinds.json`` lists the rules readiness adds or leaves out.

The tables are data in ``data/languages.json`` and ``data/kinds.json``. Classification runs for
every file of the repository in worker processes, so tables load once per process, rules that
only look at a directory are evaluated once per directory, and ``.gitattributes`` files are
read once per directory.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from readiness import hookimpl
from readiness.model import FileClass, FileKind
from readiness.safefs import read_regular_file

_DATA = Path(__file__).with_name("data")

GITATTRIBUTES_LIMIT = 1 << 20
"""A ``.gitattributes`` larger than this is ignored: real ones are a few kilobytes."""

COMPLETE_HEAD = 8192
"""``head`` holds at most this many bytes; a shorter head is the whole file."""

_COUNTED_TYPES = frozenset({"programming", "markup"})
"""Linguist's ``DETECTABLE_TYPES``: the language types its language bar counts."""


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    type: str
    """``programming``, ``markup``, ``data`` or ``prose``, as in Linguist."""


def _load(name: str) -> dict:
    with open(_DATA / name, encoding="utf-8") as handle:
        return json.load(handle)


_LANGUAGE_DATA = _load("languages.json")
LANGUAGES: dict[str, Language] = {
    name: Language(name, entry["type"]) for name, entry in _LANGUAGE_DATA["languages"].items()
}


def _index(field: str, key: Callable[[str], str] = str) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name, entry in _LANGUAGE_DATA["languages"].items():
        for value in entry.get(field, ()):
            index.setdefault(key(value), []).append(name)
    return {value: tuple(names) for value, names in index.items()}


_BY_FILENAME = _index("filenames")
_BY_EXTENSION = _index("extensions", str.lower)
_BY_INTERPRETER = _index("interpreters")


def _alias_index() -> dict[str, str]:
    # Linguist's Language.find_by_alias: the lower-case name, the name with blanks turned into
    # dashes (the only spelling a .gitattributes value can hold), and the listed aliases.
    index: dict[str, str] = {}
    for name, entry in _LANGUAGE_DATA["languages"].items():
        for alias in (name, re.sub(r"\s", "-", name), *entry.get("aliases", ())):
            index.setdefault(alias.lower(), name)
    return index


_BY_ALIAS = _alias_index()


def find_by_alias(alias: str) -> str | None:
    """The canonical name for a name or alias as users write it (``cpp`` -> ``C++``), or None."""
    return _BY_ALIAS.get(alias.strip().lower())


# --- Language detection ------------------------------------------------------------------------


def _first_lines(data: bytes, count: int) -> list[bytes]:
    return data.split(b"\n", count)[:count]


_EMACS_MODELINE = re.compile(rb"-\*-(.*?)-\*-")
_VIM_MODELINE = re.compile(
    rb"(?:^|[ \t])(?:vi|vim|Vim|ex)(?:m[<=>]?\d+)?:[^\n]*?[ \t:](?:filetype|ft|syntax)[ \t]*=([\w+-]+)(?=$|\s|:)", re.M
)
_MODELINE_HINT = re.compile(rb"-\*-|vim?:|Vim:|ex:")


def _modeline_language(lines: Sequence[bytes]) -> str | None:
    for line in lines:
        if _MODELINE_HINT.search(line) is None:
            continue
        if (emacs := _EMACS_MODELINE.search(line)) is not None:
            content = emacs.group(1).decode("latin-1")
            if ":" not in content:
                mode = content.strip()
            else:
                mode = ""
                for setting in content.split(";"):
                    key, _, value = setting.partition(":")
                    if key.strip().lower() == "mode":
                        mode = value.strip()
            if mode and (language := find_by_alias(mode)):
                return language
        if (vim := _VIM_MODELINE.search(line)) is not None and (language := find_by_alias(vim.group(1).decode())):
            return language
    return None


def _by_modeline(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    # Linguist reads modelines in the first and the last five lines. Few files have any, so
    # first rule out the common case with one search near each end.
    top_end = -1
    for _ in range(5):
        top_end = head.find(b"\n", top_end + 1)
        if top_end < 0:
            top_end = len(head)
            break
    bottom_start = len(head)
    if len(head) < COMPLETE_HEAD:
        for _ in range(6):
            bottom_start = head.rfind(b"\n", 0, bottom_start)
            if bottom_start < 0:
                break
    if _MODELINE_HINT.search(head, 0, top_end) is None and _MODELINE_HINT.search(head, bottom_start + 1) is None:
        return ()
    language = _modeline_language((head[:top_end] + b"\n" + head[bottom_start + 1 :]).split(b"\n"))
    return (language,) if language else ()


def _by_filename(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    found = _BY_FILENAME.get(name, ())
    # Linguist only knows the bare names; "Dockerfile.prod" is a Dockerfile to everyone else.
    if not found and name.startswith(("Dockerfile.", "Containerfile.")):
        return ("Dockerfile",)
    return found


_SHEBANG_EXEC = re.compile(rb"exec (\w+)[\s'\"]+\$0[\s'\"]+\$@")


def interpreter(head: bytes) -> str | None:
    """The interpreter a ``#!`` line names, as Linguist reads it (``#!/usr/bin/env -S python3.11`` -> ``python3``)."""
    if not head.startswith(b"#!"):
        return None
    words = head[2:].split(b"\n", 1)[0].decode("latin-1").split()
    if not words:
        return None
    script, arguments = words[0].rsplit("/", 1)[-1], words[1:]
    if script == "env":
        # Skip env's options and VAR=value assignments to reach the command.
        while arguments and (arguments[0].startswith("-") or "=" in arguments[0]):
            arguments.pop(0)
        if not arguments:
            return None
        script = arguments[0].rsplit("/", 1)[-1]
    script = re.sub(r"\.\d+$", "", script)
    if script == "sh":
        # A polyglot header: "#!/bin/sh" then "exec tclsh "$0" "$@"" on one of the next lines.
        for line in _first_lines(head, 5):
            if (hack := _SHEBANG_EXEC.search(line)) is not None:
                return hack.group(1).decode("latin-1")
    return script


def _narrowed(found: Sequence[str], candidates: Sequence[str]) -> Sequence[str]:
    return [language for language in candidates if language in found] if candidates else found


def _by_shebang(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    script = interpreter(head)
    return _narrowed(_BY_INTERPRETER.get(script, ()), candidates) if script else ()


def extensions(name: str) -> list[str]:
    """A file name's extensions, longest first: ``a.pb.go`` -> ``[".pb.go", ".go"]`` (lower case)."""
    segments = name.lower().split(".")[1:]
    return ["." + ".".join(segments[index:]) for index in range(len(segments))]


def _by_extension(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    for extension in extensions(name):
        if extension in _BY_EXTENSION:
            return _narrowed(_BY_EXTENSION[extension], candidates)
    return ()


def _by_xml_header(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    if candidates:
        return candidates
    return ("XML",) if b"<?xml version=" in b"\n".join(_first_lines(head, 2)) else ()


_LEADING_BLANKS = re.compile(r"^(?:\\s\*|\[ \\t\]\*)")


def _top_level_alternatives(pattern: str) -> list[str]:
    """``a|(b|c)|d`` -> ``["a", "(b|c)", "d"]``."""
    alternatives, depth, start, index = [], 0, 0, 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            index += pattern.startswith("^", index + 1)
            index += pattern.startswith("]", index + 1)  # a "]" first in a class is a literal
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
        index += 1
    return [*alternatives, pattern[start:]]


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One of Linguist's heuristic patterns: found if any of its alternatives is found.

    Ruby's ``^`` and ``$`` match at line breaks, hence ``re.MULTILINE``. The expressions are
    rearranged for Python's regex engine, which is fast only when a match must begin with a
    literal: alternatives that start with ``^`` are searched together as ``\\n...`` in the
    data with a line break put in front, so the engine jumps from line break to line break,
    and blanks they allow at the start of the line are matched once for all of them (a match
    after blank lines is found at its own line); the others are searched one at a time.
    """

    at_line_start: tuple[re.Pattern[bytes], ...]
    anywhere: tuple[re.Pattern[bytes], ...]

    @classmethod
    def compile(cls, pattern: str | list[str]) -> _Pattern:
        alternatives = [
            a for p in ([pattern] if isinstance(pattern, str) else pattern) for a in _top_level_alternatives(p)
        ]
        indented: list[str] = []
        anchored: list[str] = []
        for alternative in alternatives:
            if alternative.startswith("^"):
                body = _LEADING_BLANKS.sub("", alternative[1:])
                (indented if body != alternative[1:] else anchored).append(body)
        line_starts = [(r"\n[ \t\r\f\v]*+", indented), (r"\n", anchored)]
        return cls(
            tuple(re.compile(f"{start}(?:{'|'.join(body)})".encode(), re.M) for start, body in line_starts if body),
            tuple(re.compile(p.encode(), re.M) for p in alternatives if not p.startswith("^")),
        )

    def found_in(self, data: bytes) -> bool:
        """Whether it occurs in ``data``, which must start with an added line break."""
        return any(p.search(data) for p in self.at_line_start) or any(p.search(data, 1) for p in self.anywhere)


@dataclass(frozen=True, slots=True)
class _Heuristic:
    language: str
    patterns: tuple[_Pattern, ...]
    """All must be found; none for a rule that always matches."""
    negative_patterns: tuple[_Pattern, ...]
    """None may be found."""

    def matches(self, data: bytes) -> bool:
        """Whether the rule holds for ``data``, which must start with an added line break."""
        return all(p.found_in(data) for p in self.patterns) and not any(
            p.found_in(data) for p in self.negative_patterns
        )


def _heuristic(rule: dict) -> _Heuristic:
    named = _LANGUAGE_DATA["named_patterns"]
    positive, negative = [], []
    for condition in rule.get("and", [rule]):
        if "pattern" in condition:
            positive.append(_Pattern.compile(condition["pattern"]))
        if "named_pattern" in condition:
            positive.append(_Pattern.compile(named[condition["named_pattern"]]))
        if "negative_pattern" in condition:
            negative.append(_Pattern.compile(condition["negative_pattern"]))
    return _Heuristic(rule["language"], tuple(positive), tuple(negative))


@functools.cache
def _heuristics(extension: str) -> tuple[_Heuristic, ...]:
    # Compiled on first use: most processes meet only a few ambiguous extensions.
    for block in _LANGUAGE_DATA["heuristics"]:
        if extension in block["extensions"]:
            return tuple(_heuristic(rule) for rule in block["rules"])
    return ()


def _by_heuristics(name: str, head: bytes, candidates: Sequence[str]) -> Sequence[str]:
    if len(candidates) < 2:
        return ()
    for extension in extensions(name):
        rules = _heuristics(extension)
        if rules:
            data = b"\n" + head
            for rule in rules:
                if rule.language in candidates and rule.matches(data):
                    return (rule.language,)
            return ()
    return ()


_STRATEGIES = (_by_modeline, _by_filename, _by_shebang, _by_extension, _by_xml_header, _by_heuristics)


def detect_language(name: str, head: bytes) -> str | None:
    """The language of a file called ``name`` (no directory) that starts with ``head``.

    As in Linguist, each strategy narrows the candidates the previous ones left; the first to
    leave exactly one decides, and several left at the end means "unknown".
    """
    candidates: Sequence[str] = ()
    for strategy in _STRATEGIES:
        found = strategy(name, head, candidates)
        if len(found) == 1:
            return found[0]
        if found:
            candidates = found
    return None


# --- .gitattributes ----------------------------------------------------------------------------

_LINGUIST_ATTRIBUTES = frozenset(
    {"linguist-vendored", "linguist-generated", "linguist-documentation", "linguist-language", "linguist-detectable"}
)

AttributeValue = bool | str
"""True when set (``attr``), False when unset (``-attr``), else the value of ``attr=value``."""


@dataclass(frozen=True, slots=True)
class _AttributeLine:
    pattern: re.Pattern[str]
    assignments: tuple[tuple[str, AttributeValue | None], ...]
    """In line order; None is ``!attr``, which takes back what earlier lines said."""

    def matches(self, relpath: str) -> bool:
        # gitignore semantics minus one rule: in .gitattributes a pattern that names a
        # directory says nothing about the files inside it ("vendor" does not match "vendor/x").
        match = self.pattern.match(relpath)
        if match is None:
            return False
        return match.groupdict().get("ps_d") is None or self.pattern.fullmatch(relpath) is not None


def _unquote(quoted: str) -> str:
    # C-style quoting, for patterns with blanks or odd bytes: "a b.txt", "caf\303\251.txt"
    escaped = quoted[1:-1].encode("utf-8").decode("unicode_escape", "replace")
    return escaped.encode("latin-1", "replace").decode("utf-8", "replace")


def _parse_attribute_line(line: str) -> _AttributeLine | None:
    line = line.strip()
    if not line or line.startswith("#") or line.startswith("[attr]"):
        return None
    if line.startswith('"'):
        quoted = re.match(r'"(?:[^"\\]|\\.)*"', line)
        if quoted is None:
            return None
        pattern, rest = _unquote(quoted.group()), line[quoted.end() :]
    else:
        pattern, _, rest = line.replace("\t", " ").partition(" ")
    # git ignores negative patterns in attribute files, with a warning.
    if not pattern or pattern.startswith("!"):
        return None
    assignments: list[tuple[str, AttributeValue | None]] = []
    for token in rest.split():
        value: AttributeValue | None
        if token.startswith("-"):
            name, value = token[1:], False
        elif token.startswith("!"):
            name, value = token[1:], None
        elif "=" in token:
            name, value = token.split("=", 1)
        else:
            name, value = token, True
        if name in _LINGUIST_ATTRIBUTES:
            assignments.append((name, value))
    if not assignments:
        return None
    try:
        compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns
    except ValueError:
        return None
    if not compiled or compiled[0].regex is None:
        return None
    return _AttributeLine(compiled[0].regex, tuple(assignments))


@functools.lru_cache(maxsize=16384)
def _attribute_file(root: Path, directory: str) -> tuple[_AttributeLine, ...]:
    """The linguist lines of ``directory/.gitattributes``; empty if it is missing or not a regular file."""
    relpath = f"{directory}/.gitattributes" if directory else ".gitattributes"
    data = read_regular_file(root, relpath, GITATTRIBUTES_LIMIT)
    if not data:
        return ()
    parsed = (_parse_attribute_line(line) for line in data.decode("utf-8", "replace").splitlines())
    return tuple(line for line in parsed if line is not None)


@functools.lru_cache(maxsize=16384)
def _attribute_chain(root: Path, directory: str) -> tuple[tuple[str, _AttributeLine], ...]:
    """Every linguist line that may apply below ``directory``, root first, with its file's directory."""
    if directory:
        parent = directory.rpartition("/")[0]
        inherited = _attribute_chain(root, parent)
    else:
        inherited = ()
    return inherited + tuple((directory, line) for line in _attribute_file(root, directory))


def attributes(root: Path, path: str) -> dict[str, AttributeValue]:
    """The linguist attributes ``.gitattributes`` files give ``path``: deeper files and later lines win."""
    found: dict[str, AttributeValue] = {}
    for base, line in _attribute_chain(root, path.rpartition("/")[0]):
        relpath = path[len(base) + 1 :] if base else path
        if line.matches(relpath):
            for name, value in line.assignments:
                if value is None:
                    found.pop(name, None)
                else:
                    found[name] = value
    return found


def _is_true(value: AttributeValue) -> bool:
    # Linguist's boolean_attribute: present and neither unset nor the string "false".
    return value is not False and value != "false"


# --- Kinds -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PathRules:
    """One kind's rules from ``data/kinds.json``."""

    kind: FileKind
    directories: tuple[re.Pattern[str], ...]
    files: tuple[str, ...]
    paths: tuple[str, ...]
    any_file: re.Pattern[str]
    """All ``files`` rules at once: a file that matches none costs one regex call, and the
    rules themselves are compiled only when one matches, to name it."""
    any_path: re.Pattern[str]
    """All ``paths`` rules at once, likewise."""
    any_directory: re.Pattern[str]
    """All ``directories`` rules at once, likewise."""

    @classmethod
    def load(cls, kind: FileKind, rules: dict) -> _PathRules:
        return cls(
            kind,
            tuple(re.compile(p) for p in rules["directories"]),
            tuple(rules["files"]),
            tuple(rules["paths"]),
            re.compile("|".join(f"(?:{p})" for p in rules["files"]) or r"(?!)"),
            re.compile("|".join(f"(?:{p})" for p in rules["paths"]) or r"(?!)"),
            re.compile("|".join(f"(?:{p})" for p in rules["directories"]) or r"(?!)"),
        )

    def directory_reason(self, directory: str) -> str | None:
        if self.any_directory.search(directory) is None:
            return None
        for rule in self.directories:
            if rule.search(directory):
                return f"{self.kind}: path matches {rule.pattern}"
        return None

    def file_reason(self, path: str, name: str) -> str | None:
        if self.any_file.fullmatch(name):
            for rule in self.files:
                if re.fullmatch(rule, name):
                    return f"{self.kind}: file name matches {rule}"
        if self.any_path.fullmatch(path):
            for rule in self.paths:
                if re.fullmatch(rule, path):
                    return f"{self.kind}: path matches {rule}"
        return None


_KIND_DATA = _load("kinds.json")
_VENDORED, _GENERATED, _DOCUMENTATION, _TEST = (
    _PathRules.load(kind, _KIND_DATA[kind.value])
    for kind in (FileKind.VENDORED, FileKind.GENERATED, FileKind.DOCUMENTATION, FileKind.TEST)
)
_PATH_RULES = (_VENDORED, _GENERATED, _DOCUMENTATION, _TEST)
_ANY_FILE_RULE = re.compile("|".join(rules.any_file.pattern for rules in _PATH_RULES))
_ANY_PATH_RULE = re.compile("|".join(rules.any_path.pattern for rules in _PATH_RULES))
"""Every kind's file and path rules at once: most files match none, and need no more."""


@functools.lru_cache(maxsize=65536)
def _directory_reasons(directory: str) -> tuple[str | None, ...]:
    """What each kind's directory rules say about the files of ``directory`` (one entry per kind)."""
    return tuple(rules.directory_reason(directory + "/" if directory else "") for rules in _PATH_RULES)


_HEADER_SCOPE = 40
"""Generated-code markers are looked for in this many first lines (Linguist's limit for Go)..."""
_HEADER_BYTES = 2048
"""... within this many first bytes."""

# Markers that code generators write at the top of their output: Linguist's (protoc, Thrift,
# grpc-tools, ts-proto, javah, Cython, gRPC C++, Dart, jOOQ, JFlex, GrammarKit, Haxe, Racc,
# PEG.js, Jison, CoffeeScript, roxygen2) and four conventions that many generators share.
_GENERATED_HEADERS = tuple(
    (re.compile(pattern.encode(), re.M), label)
    for pattern, label in (
        (r"Code generated .*DO NOT EDIT", "Code generated ... DO NOT EDIT"),
        (r"^\s*(?://|#|--|;|/?\*|<!--).*@generated\b", "@generated"),
        (r"<auto-generated", "<auto-generated>"),
        (r"(?i:this (?:file|code) (?:was|is|has been) (?:automatically |auto-?)?generated)", "this file was generated"),
        (r"Generated by the protocol buffer compiler", "protocol buffer compiler"),
        (r"Autogenerated by Thrift Compiler", "Thrift compiler"),
        (r"GENERATED CODE -- DO NOT EDIT!", "grpc-tools"),
        (r"DO NOT EDIT THIS FILE - it is machine generated", "javah"),
        (r"(?i:generated code\W{2,3}do not modify)", "generated code - do not modify"),
        (r"Generated by (?:Cython|Haxe|PEG\.js|the gRPC|roxygen2)", "generator banner"),
        (
            r"(?:code was generated by JFlex|generated by jison|This is a generated file\. Not intended)",
            "generator banner",
        ),
        (r"\A// Generated by CoffeeScript", "CoffeeScript"),
    )
)
_GO_GENERATED = re.compile(rb"^// Code generated ", re.M)
_SOURCE_MAP_REFERENCE = re.compile(rb"^/[*/][#@] source(?:Mapping)?URL|sourceURL=")
_SOURCE_MAP = re.compile(rb"\A(?:\{\"version\":\d+,|/\*\* Begin line maps\. \*\*/\{)")
MINIFIED_LINE_LENGTH = 110
"""Linguist's threshold: a JavaScript or CSS file whose average line is longer is minified."""


def _generated_by_content(name: str, head: bytes) -> str | None:
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension in ("js", "css") and head:
        newlines = head.count(b"\n")
        if (len(head) - newlines) // (newlines + 1) > MINIFIED_LINE_LENGTH:
            return f"generated: minified (average line over {MINIFIED_LINE_LENGTH} characters)"
        if len(head) < COMPLETE_HEAD and any(_SOURCE_MAP_REFERENCE.search(line) for line in head.rsplit(b"\n", 2)[-2:]):
            return "generated: compiled with a source map"
    if extension == "map" and _SOURCE_MAP.match(head):
        return "generated: source map"
    if head.find(b"enerated", 0, _HEADER_BYTES) < 0 and head.find(b"ENERATED", 0, _HEADER_BYTES) < 0:
        return None
    top = b"\n".join(_first_lines(head[:_HEADER_BYTES], _HEADER_SCOPE))
    if extension == "go" and _GO_GENERATED.search(top):
        return "generated: header says Code generated"
    for pattern, label in _GENERATED_HEADERS:
        if pattern.search(top):
            return f"generated: header says {label}"
    return None


def classify(path: str, head: bytes, root: Path) -> FileClass:
    """Language and kind of the file at repository-relative ``path`` that starts with ``head``."""
    directory, _, name = path.rpartition("/")
    found = attributes(root, path)
    override = found.get("linguist-language")
    language = (isinstance(override, str) and find_by_alias(override)) or detect_language(name, head)
    kind, reason = _kind(path, directory, name, head, language, found)
    return FileClass(language, kind, reason)


def _kind(
    path: str, directory: str, name: str, head: bytes, language: str | None, found: dict[str, AttributeValue]
) -> tuple[FileKind, str]:
    overridden = set()
    for rules in (_VENDORED, _GENERATED, _DOCUMENTATION):
        attribute = f"linguist-{rules.kind}"
        if attribute in found:
            if _is_true(found[attribute]):
                return rules.kind, f".gitattributes: {attribute}"
            overridden.add(rules.kind)
    directory_reasons = _directory_reasons(directory)
    by_name = _ANY_FILE_RULE.fullmatch(name) is not None or _ANY_PATH_RULE.fullmatch(path) is not None
    for rules, directory_reason in zip((_VENDORED, _GENERATED, _DOCUMENTATION), directory_reasons[:3], strict=True):
        if rules.kind in overridden:
            continue
        reason = directory_reason or (rules.file_reason(path, name) if by_name else None)
        if reason is None and rules is _GENERATED:
            reason = _generated_by_content(name, head)
        if reason:
            return rules.kind, reason
    if language is None:
        return FileKind.DATA, "data: unknown language"
    language_type = LANGUAGES[language].type
    if "linguist-detectable" in found:
        counted = _is_true(found["linguist-detectable"])
        type_reason = f".gitattributes: {'' if counted else '-'}linguist-detectable"
    else:
        counted = language_type in _COUNTED_TYPES
        type_reason = f"{'source' if counted else 'data'}: language type {language_type}"
    if not counted:
        return FileKind.DATA, type_reason
    test_reason = directory_reasons[3] or (_TEST.file_reason(path, name) if by_name else None)
    if test_reason:
        return FileKind.TEST, test_reason
    return FileKind.SOURCE, type_reason


@hookimpl
def readiness_classify_file(path: str, head: bytes, root: Path) -> FileClass:
    return classify(path, head, root)
