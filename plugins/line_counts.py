"""Code, comment and blank lines of every text file, close to what tokei, scc and cloc report.

A line is blank when it holds only whitespace (also inside a block comment or a string), a
comment line when everything else on it is inside comments, and code otherwise: a line with
code and a trailing comment is code. Comment markers inside string literals are code
(``"// not a comment"``); Python docstrings, triple-quoted strings that stand as statements,
are comments, as cloc counts them (tokei does with ``treat_doc_strings_as_comments``); block
comments nest where the language allows it (Rust, Swift, Kotlin, Scala, Dart, Haskell,
OCaml...); a ``#!`` line is a comment where ``#`` starts comments, as in tokei (cloc counts
it as code). Languages without comments (JSON, CSV, Text...) get code and blank lines.

This runs on every file of a repository, so it must cost little more than reading the file,
and nothing may look at a file byte by byte in Python. Two observations make that possible:

- a line comment decides a line's kind only when it is the first thing on the line: after
  code, the line is code anyway. So one C-speed regular expression pass over the buffer
  classifies every line start as blank, line comment, or other (comments and docstrings
  that close on their line count as line comments here);
- what that pass cannot see is what spans lines: block comments, docstrings, and strings
  that may hold line breaks (triple quotes, backquotes, C# verbatim strings). ``bytes.find``
  looks for what can open one, and only the lines where an opener appears are tokenised, by
  a compiled regular expression that skips code, one-line strings (so ``"/*"`` opens
  nothing) and comments that open and close after code on one line, and stops at the first
  span that matters. Python then corrects the counts for each such span. All repetitions in
  these expressions are possessive and alternatives begin on distinct bytes, so nothing
  backtracks: an unterminated comment or string costs one pass, however long the file.

The approximation this buys: ordinary string literals end at the end of their line. Where a
language lets them run on (shell, Ruby, Perl, PHP, Rust, here-documents), a later line of
such a string that starts with a comment marker counts as a comment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from readiness import hookimpl
from readiness.model import LineCounts

# One-line string literals: each matches as soon as its opening quote is seen (an unclosed
# one, or one continued with a backslash, runs to the end of its line), so the scanner never
# tries a position twice.
DQ = rb'"[^"\\\n]*+(?:\\[^\n][^"\\\n]*+)*+"?'
SQ = rb"'[^'\\\n]*+(?:\\[^\n][^'\\\n]*+)*+'?"
SQ_DOUBLED = rb"'[^'\n]*+(?:''[^'\n]*+)*+'?"
"""SQL and Pascal, where a quote inside a string is written twice."""
DQ_DOUBLED = rb'"[^"\n]*+(?:""[^"\n]*+)*+"?'
"""Visual Basic, Batchfile, Ada."""
CHAR = rb"'(?:[^'\\\n]|\\[^\n][^'\\\n]{0,9})'"
"""A character literal. Where it does not match (a Rust lifetime, a C++ digit separator) the quote is code."""
PY_DQ = rb'"(?!"")' + DQ[1:]
PY_SQ = rb"'(?!'')" + SQ[1:]
"""One-line strings of languages with triple-quoted ones, which the scanner must stop at."""

# Long strings, which may span lines; unclosed, they run to the end of the file (even when
# it ends in the middle of an escape).
TRIPLE_DQ = rb'"""[^"\\]*+(?:(?:\\[\s\S]?|"(?!""))[^"\\]*+)*+(?:"""|\Z)'
TRIPLE_SQ = rb"'''[^'\\]*+(?:(?:\\[\s\S]?|'(?!''))[^'\\]*+)*+(?:'''|\Z)"
BACKQUOTE = rb"`[^`\\]*+(?:\\[\s\S]?[^`\\]*+)*+(?:`|\Z)"
BACKQUOTE_RAW = rb"`[^`]*+(?:`|\Z)"
"""Go raw strings."""
VERBATIM = rb'@\$?"[^"]*+(?:""[^"]*+)*+(?:"|\Z)'
"""C# verbatim strings (``@"..."``, and ``$@"..."`` from its ``@``), where a quote inside is written twice."""
NIX_INDENTED = rb"''[^']*+(?:'(?!')[^']*+)*+(?:''|\Z)"

_CLOSED_ON_ITS_LINE = {
    TRIPLE_DQ: (b'"""', rb'[^"\\\n]*+(?:(?:\\[^\n]|"(?!""))[^"\\\n]*+)*+"""'),
    TRIPLE_SQ: (b"'''", rb"[^'\\\n]*+(?:(?:\\[^\n]|'(?!''))[^'\\\n]*+)*+'''"),
    BACKQUOTE: (b"`", rb"[^`\\\n]*+(?:\\[^\n][^`\\\n]*+)*+`"),
    BACKQUOTE_RAW: (b"`", rb"[^`\n]*+`"),
    VERBATIM: (rb'@\$?"', rb'[^"\n]*+(?:""[^"\n]*+)*+"'),
    NIX_INDENTED: (b"''", rb"[^'\n]*+(?:'(?!')[^'\n]*+)*+''"),
}
"""Each long string as it usually is, closed on the line it opens (opening, then the rest):
read with the code around it, it needs no span of its own (Go struct tags, for instance)."""


@dataclass(frozen=True, slots=True, eq=False)
class Syntax:
    """How a language writes comments and strings. Compared by identity: each is built once."""

    line: tuple[bytes, ...] = ()
    """Regular expressions for what starts a comment that runs to the end of the line."""
    block: tuple[tuple[bytes, bytes], ...] = ()
    """Literal open and close delimiters of block comments."""
    nested: tuple[tuple[bytes, bytes], ...] = ()
    """Block comments that may contain themselves."""
    special_blocks: tuple[tuple[bytes, bytes], ...] = ()
    """Block comments as (start, rest) regular expressions, for delimiters that vary (Lua's ``--[==[``)."""
    strings: tuple[bytes, ...] = ()
    """Regular expressions for one-line string and character literals, tried in order."""
    long_strings: tuple[bytes, ...] = ()
    """Regular expressions for strings that may span lines."""
    docstrings: bool = False
    """Python: a long string that stands as a statement is a comment."""
    markers: tuple[bytes, ...] = ()
    """Literal bytes to look for instead of the openers of the spans above, when these begin
    with no literal (Perl's POD). One that begins with a line break stands for its rest at a
    line start."""


def _literal_prefix(pattern: bytes) -> bytes:
    """The literal bytes a regular expression begins with, past any lookbehind (``(?<!\\$)#`` -> ``#``)."""
    pattern = re.sub(rb"^\(\?<[=!](?:[^()\\]|\\.|\[[^\]]*\]|\([^()]*\))*\)", b"", pattern)
    # Literal bytes, without the last one if a quantifier makes it optional or repeated.
    literal = re.match(rb"(?:(?:[^\\()\[\].*+?{}|^$]|\\[^A-Za-z0-9])(?![*+?{]))+", pattern)
    if literal is None:
        raise ValueError(f"{pattern!r} begins with no literal: give the syntax its markers")
    return re.sub(rb"\\(.)", rb"\1", literal.group())


def _block(open_: bytes, close: bytes, *, one_line: bool = False) -> bytes:
    """A block comment up to its close; or, unless ``one_line``, to the end of the file if unclosed."""
    head, tail = re.escape(close[:1]), re.escape(close[1:])
    other = b"[^" + head + (rb"\n" if one_line else b"") + b"]*+"
    not_close = head + (b"(?!" + tail + b")" if tail else b"(?!)")
    end = re.escape(close) if one_line else b"(?:" + re.escape(close) + rb"|\Z)"
    return re.escape(open_) + other + b"(?:" + not_close + other + b")*+" + end


_PY_STRING_PREFIX = rb"[rRuUbBfF]{0,2}"
_BLANKS = rb"[ \t\r\f\v]*+"


def _closed_comments(syntax: Syntax) -> list[tuple[bytes, bytes, bytes]]:
    """Block comments as they usually are, closed on their line: (opening, rest, guard).

    The guard keeps a comment from being read where an earlier kind of comment opens
    (``{{!--`` before ``{{!``), as the order of ``block`` says.
    """
    closed = []
    for index, (open_, close) in enumerate(syntax.block):
        guard = b"".join(b"(?!" + re.escape(other) + b")" for other, _ in syntax.block[:index])
        closed.append((re.escape(open_), _block(open_, close, one_line=True)[len(re.escape(open_)) :], guard))
    for open_, close in syntax.nested:
        # Closed on its line, with comments nested inside it one deep (``/* a /* b */ c */``):
        # deeper nesting on one line is rare enough to leave to the scanner.
        other = b"(?!" + re.escape(open_) + b"|" + re.escape(close) + rb")[^\n]"
        inner = re.escape(open_) + b"(?:" + other + b")*+" + re.escape(close)
        closed.append((re.escape(open_), b"(?:" + inner + b"|" + other + b")*+" + re.escape(close), b""))
    return closed


def _closed_comment(syntax: Syntax) -> bytes:
    return _alternatives([guard + opening + rest for opening, rest, guard in _closed_comments(syntax)])


def _alternatives(patterns: list[bytes]) -> bytes:
    return b"(?:" + b"|".join(patterns) + b")" if patterns else rb"(?!)"


def _closed_docstring(syntax: Syntax) -> bytes:
    """A docstring closed on its line (for syntaxes with docstrings)."""
    return _PY_STRING_PREFIX + _alternatives([b"".join(_CLOSED_ON_ITS_LINE[string]) for string in syntax.long_strings])


def line_starts(syntax: Syntax) -> re.Pattern[bytes]:
    """A line break followed by a blank line or by a line that holds only comments.

    A comment-only line is one that a line comment opens, or one made of comments closed on
    it, perhaps ending in a line comment. Spans that cross lines are left to the scanner, and
    so are docstrings, which are comments only where they stand as statements.
    ``findall`` gives ``\\n`` for each blank line and some opening for each comment line; breaks
    before other lines give nothing, which keeps the list short.
    """
    closed = _closed_comment(syntax)
    line = _alternatives(list(syntax.line))
    then_comments_only = _BLANKS + b"(?:" + closed + _BLANKS + rb")*+(?:\n|\Z|" + line + b")"
    comment_lines = [closed + then_comments_only]
    if syntax.docstrings:
        # A docstring closed on its line, first on it, is a comment like those above.
        comment_lines.append(_closed_docstring(syntax) + then_comments_only)
    return re.compile(rb"\n" + _BLANKS + rb"(?=(\n|" + line + b"|" + b"|".join(comment_lines) + b"))")


def _comment_only_rest(syntax: Syntax) -> bytes:
    closed = _closed_comment(syntax)
    return _BLANKS + b"(?:" + closed + _BLANKS + b")*+(?:" + _alternatives(list(syntax.line)) + rb"[^\n]*+)?"


def comment_only_rest(syntax: Syntax) -> re.Pattern[bytes]:
    """What may follow a comment on its line for the line to stay a comment line."""
    return re.compile(_comment_only_rest(syntax))


def docstring_line(syntax: Syntax) -> re.Pattern[bytes] | None:
    """From a line start outside any span, a line that holds a docstring closed on it and then only comments.

    The line-start pass judged it, but its closing quotes look like the opening of a long
    string left open, so the openers find it.
    """
    if not syntax.docstrings:
        return None
    return re.compile(_BLANKS + _closed_docstring(syntax) + _comment_only_rest(syntax) + rb"(?=\n|\Z)")


@dataclass(frozen=True, slots=True)
class _Opener:
    """How to find where a span that may cross lines opens: ``bytes.find`` for the literal it
    starts with, which skips text far faster than a regex search, then the regex from there."""

    literal: bytes
    search: Callable[[bytes, int], re.Match[bytes] | None] | None
    """Of an expression that begins with the literal; None when the literal says it all."""
    offset: int
    """1 when the literal starts with the line break before the opening."""

    def find(self, data: bytes, position: int) -> int:
        """Where the next opening starts at or after ``position``; past the end of ``data`` if nowhere."""
        if self.offset and position == 0 and data.startswith(self.literal[1:]):
            return 0  # the first line has no break before it
        found = data.find(self.literal, max(position - self.offset, 0))
        if found >= 0 and self.search is not None:
            match = self.search(data, found)
            found = match.start() if match is not None else -1
        return found + self.offset if found >= 0 else len(data) + 1


def openers(syntax: Syntax) -> list[_Opener]:
    """Where spans that may cross lines open. Comments and long strings closed on their line
    are not spans: the line-start pass and the scanner read them."""
    if syntax.markers:
        return [_Opener(marker, None, int(marker.startswith(b"\n"))) for marker in syntax.markers]
    found = [opening + b"(?!" + rest + b")" for opening, rest, _ in _closed_comments(syntax)]
    found += [start for start, _ in syntax.special_blocks]
    for string in syntax.long_strings:
        opening, rest = _CLOSED_ON_ITS_LINE[string]
        found.append(opening + b"(?!" + rest + b")")
    return [_Opener(_literal_prefix(pattern), re.compile(pattern).search, 0) for pattern in dict.fromkeys(found)]


def scanner(syntax: Syntax) -> re.Pattern[bytes]:
    """From a line start or the end of a span, the next span that matters for line counts.

    That is a comment or long string that the line starts with (after blanks and comments
    closed on the line; a docstring may have a prefix such as ``r``), or a block comment or
    long string that crosses into the next lines after code (its group name then starts with
    ``code_``), or else the line break, or the end of the file. Comments that begin and end
    after code on one line change nothing and are skipped with the code.
    """
    tokens: list[tuple[str, bytes]] = []
    stops: list[bytes] = []
    if syntax.line:
        start = b"(?:" + b"|".join(syntax.line) + b")"
        tokens.append(("line", start + rb"[^\n]*+"))
        stops.append(start)
    for index, (start, rest) in enumerate(syntax.special_blocks):
        tokens.append((f"special{index}", start + rest))
        stops.append(re.sub(rb"\(\?P<\w+>", b"(?:", start))
    for index, (open_, close) in enumerate(syntax.block):
        tokens.append((f"block{index}", _block(open_, close)))
        stops.append(re.escape(open_))
    for index, (open_, _) in enumerate(syntax.nested):
        tokens.append((f"nested{index}", re.escape(open_)))
        stops.append(re.escape(open_))
    if syntax.long_strings:
        tokens.append(("string", b"(?:" + b"|".join(syntax.long_strings) + b")"))
        stops += [re.escape(_literal_prefix(string)) for string in syntax.long_strings]
    # After code, a line comment and comments closed on their line are read with the code.
    inline = [stops[0] + rb"[^\n]*+"] if syntax.line else []
    inline += [guard + opening + rest for opening, rest, guard in _closed_comments(syntax)]
    starters = [*syntax.line, *stops[len(syntax.line) > 0 :], *syntax.strings]
    specials = re.escape(b"".join(dict.fromkeys(_literal_prefix(starter)[:1] for starter in starters)))
    closed_strings = [b"".join(_CLOSED_ON_ITS_LINE[string]) for string in syntax.long_strings]
    code = [b"[^" + specials + rb"\n]++", *closed_strings, *syntax.strings]
    lone = b"(?!" + b"|".join(stops) + b")[" + specials + b"]"

    def group(name: str, body: bytes) -> bytes:
        if name == "string" and syntax.docstrings:
            body = _PY_STRING_PREFIX + body
        elif name == "string":
            # Not a docstring, a long string closed on its line is just code.
            body = b"(?!" + b"|".join(closed_strings) + b")" + body
        return b"(?P<" + name.encode() + b">" + body + b")"

    at_line_start = [*(group(name, body) for name, body in tokens), rb"(?P<eol>\n)", rb"\Z"]
    # The same spans once more after code, under other names (also for their inner groups).
    after_code = [
        b"(?P<code_" + name.encode() + b">" + body.replace(b"(?P<", b"(?P<code_").replace(b"(?P=", b"(?P=code_") + b")"
        for name, body in tokens
        if name != "line"
    ]
    after_code += [rb"(?P<code_eol>\n)", rb"\Z"]
    code_then_span = (
        b"(?:"
        + b"|".join([*code, lone])
        + b")(?:"
        + b"|".join([*code, *inline, lone])
        + b")*+(?:"
        + b"|".join(after_code)
        + b")"
    )
    # Comments closed on their line at its start were counted by the line-start pass: skip them.
    lead = _BLANKS + b"(?:" + _closed_comment(syntax) + _BLANKS + b")*+"
    return re.compile(lead + b"(?:" + b"|".join(at_line_start) + b"|" + code_then_span + b")")


def _lines(*markers: bytes) -> tuple[bytes, ...]:
    return tuple(re.escape(marker) for marker in markers)


C_BLOCK = ((b"/*", b"*/"),)
XML_COMMENT = ((b"<!--", b"-->"),)
HASH = _lines(b"#")
SLASHES = _lines(b"//")

C_LIKE = Syntax(line=SLASHES, block=C_BLOCK, strings=(DQ, CHAR))
HASH_ONLY = Syntax(line=HASH)
JAVASCRIPT = Syntax(line=SLASHES, block=C_BLOCK, strings=(DQ, SQ), long_strings=(BACKQUOTE,))
NESTING_C = Syntax(line=SLASHES, nested=C_BLOCK, strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,))
"""Kotlin, Scala, Swift: block comments nest, and triple-quoted strings span lines."""
GROOVY = Syntax(line=SLASHES, block=C_BLOCK, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ))
SHELL = Syntax(line=(rb"(?<![^\s;&|()])#",))
SQL = Syntax(line=_lines(b"--"), block=C_BLOCK, strings=(SQ_DOUBLED, DQ))
XML = Syntax(block=XML_COMMENT)
WEB_COMPONENT = Syntax(line=SLASHES, block=XML_COMMENT + C_BLOCK, strings=(DQ, SQ), long_strings=(BACKQUOTE,))
CSS = Syntax(block=C_BLOCK, strings=(DQ, SQ))
CSS_WITH_LINES = Syntax(line=SLASHES, block=C_BLOCK, strings=(DQ, SQ))
INI = Syntax(line=_lines(b"#", b";"))
PYTHON = Syntax(line=HASH, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ), docstrings=True)
NO_COMMENTS = Syntax()

SYNTAX: dict[str, Syntax] = {
    "ANTLR": C_LIKE,
    "Ada": Syntax(line=_lines(b"--")),
    "ApacheConf": HASH_ONLY,
    "Apex": C_LIKE,
    "AsciiDoc": Syntax(line=(rb"//(?!//)",), block=((b"////", b"////"),)),
    "Assembly": Syntax(line=_lines(b";", b"#")),
    "Astro": WEB_COMPONENT,
    "Avro IDL": C_LIKE,
    "Awk": HASH_ONLY,
    "Batchfile": Syntax(line=(rb"@?(?:[Rr][Ee][Mm](?![^\s])|::)",)),
    "Bicep": Syntax(line=SLASHES, block=C_BLOCK, strings=(PY_SQ,), long_strings=(TRIPLE_SQ,)),
    "Browserslist": HASH_ONLY,
    "C": C_LIKE,
    "C#": Syntax(line=SLASHES, block=C_BLOCK, strings=(DQ, CHAR), long_strings=(VERBATIM,)),
    "C++": C_LIKE,
    "CMake": Syntax(
        line=(rb"#(?!\[=*\[)",),
        special_blocks=((rb"#\[(?P<cmake>=*)\[", rb"[\s\S]*?(?:\](?P=cmake)\]|\Z)"),),
        strings=(DQ,),
    ),
    "CODEOWNERS": HASH_ONLY,
    "COBOL": Syntax(line=_lines(b"*>", b"*")),
    "CSS": CSS,
    "CUE": Syntax(line=SLASHES, strings=(PY_DQ, SQ), long_strings=(TRIPLE_DQ,)),
    "Caddyfile": HASH_ONLY,
    "Clojure": Syntax(line=_lines(b";")),
    "CoffeeScript": Syntax(
        line=(rb"#(?!##)",), block=((b"###", b"###"),), strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ)
    ),
    "Common Lisp": Syntax(line=_lines(b";"), nested=((b"#|", b"|#"),), strings=(DQ,)),
    "Crystal": HASH_ONLY,
    "Cuda": C_LIKE,
    "Cython": PYTHON,
    "D": Syntax(
        line=SLASHES, block=C_BLOCK, nested=((b"/+", b"+/"),), strings=(DQ, CHAR), long_strings=(BACKQUOTE_RAW,)
    ),
    "Dart": Syntax(line=SLASHES, nested=C_BLOCK, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ)),
    "Dockerfile": HASH_ONLY,
    "Dotenv": HASH_ONLY,
    "EJS": Syntax(block=((b"<%#", b"%>"), *XML_COMMENT)),
    "EditorConfig": INI,
    "Elixir": Syntax(line=HASH, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ)),
    "Elm": Syntax(line=_lines(b"--"), nested=((b"{-", b"-}"),), strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,)),
    "Erlang": Syntax(line=_lines(b"%")),
    "F#": Syntax(line=SLASHES, block=((b"(*", b"*)"),), strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,)),
    "Fortran": Syntax(line=(rb"!", rb"(?<![^\n])[cC*]")),
    "Fortran Free Form": Syntax(line=_lines(b"!")),
    "GLSL": C_LIKE,
    "Gherkin": HASH_ONLY,
    "Git Attributes": HASH_ONLY,
    "Git Config": INI,
    "Git Revision List": HASH_ONLY,
    "Go": Syntax(line=SLASHES, block=C_BLOCK, strings=(DQ, CHAR), long_strings=(BACKQUOTE_RAW,)),
    "Go Module": Syntax(line=SLASHES),
    "Go Workspace": Syntax(line=SLASHES),
    "Gradle": GROOVY,
    "Gradle Kotlin DSL": NESTING_C,
    "GraphQL": Syntax(line=HASH, strings=(PY_DQ,), long_strings=(TRIPLE_DQ,)),
    "Groovy": GROOVY,
    "HCL": Syntax(line=_lines(b"#", b"//"), block=C_BLOCK, strings=(DQ,)),
    "HOCON": Syntax(line=_lines(b"#", b"//"), strings=(PY_DQ,), long_strings=(TRIPLE_DQ,)),
    "HTML": XML,
    "HTML+ERB": Syntax(block=((b"<%#", b"%>"), *XML_COMMENT)),
    "HTML+Razor": Syntax(block=((b"@*", b"*@"), *XML_COMMENT)),
    "HTTP": Syntax(line=_lines(b"#", b"//")),
    "Hack": Syntax(line=_lines(b"//", b"#"), block=C_BLOCK, strings=(DQ, SQ)),
    "Handlebars": Syntax(block=((b"{{!--", b"--}}"), (b"{{!", b"}}"), *XML_COMMENT)),
    "Haskell": Syntax(line=(rb"--(?![!#$%&*+./<=>?@\\^|~:])",), nested=((b"{-", b"-}"),), strings=(DQ, CHAR)),
    "Ignore List": HASH_ONLY,
    "INI": INI,
    "JSON with Comments": CSS_WITH_LINES,
    "JSON5": CSS_WITH_LINES,
    "Java": Syntax(line=SLASHES, block=C_BLOCK, strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,)),
    "Java Properties": Syntax(line=_lines(b"#", b"!")),
    "Java Server Pages": Syntax(block=((b"<%--", b"--%>"), *XML_COMMENT)),
    "JavaScript": JAVASCRIPT,
    "Jest Snapshot": JAVASCRIPT,
    "Jinja": Syntax(block=((b"{#", b"#}"), *XML_COMMENT)),
    "Jsonnet": Syntax(line=_lines(b"//", b"#"), block=C_BLOCK, strings=(DQ, SQ)),
    "Julia": Syntax(line=(rb"#(?!=)",), nested=((b"#=", b"=#"),), strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,)),
    "Just": HASH_ONLY,
    "Kotlin": NESTING_C,
    "Less": CSS_WITH_LINES,
    "Lex": C_LIKE,
    "Liquid": Syntax(special_blocks=((rb"\{%-?\s*comment\s*-?%\}", rb"[\s\S]*?(?:\{%-?\s*endcomment\s*-?%\}|\Z)"),)),
    "Lua": Syntax(
        line=(rb"--(?!\[=*\[)",),
        special_blocks=((rb"--\[(?P<lua>=*)\[", rb"[\s\S]*?(?:\](?P=lua)\]|\Z)"),),
        strings=(DQ, SQ),
    ),
    "MATLAB": Syntax(
        line=(rb"%(?!\{[ \t]*\r?\n)",),
        special_blocks=((rb"%\{(?=[ \t]*\r?\n)", rb"[\s\S]*?(?:\n[ \t]*%\}|\Z)"),),
        strings=(DQ,),
    ),
    "MDX": Syntax(block=(*XML_COMMENT, (b"{/*", b"*/}"))),
    "Makefile": HASH_ONLY,
    "Markdown": XML,
    "Maven POM": XML,
    "Meson": Syntax(line=HASH, strings=(PY_SQ,), long_strings=(TRIPLE_SQ,)),
    "Mustache": Syntax(block=((b"{{!", b"}}"), *XML_COMMENT)),
    "NPM Config": INI,
    "Nginx": HASH_ONLY,
    "Nim": Syntax(line=(rb"#(?!\[)",), nested=((b"#[", b"]#"),), strings=(PY_DQ, CHAR), long_strings=(TRIPLE_DQ,)),
    "Ninja": HASH_ONLY,
    "Nix": Syntax(line=HASH, block=C_BLOCK, strings=(DQ,), long_strings=(NIX_INDENTED,)),
    "OCaml": Syntax(nested=((b"(*", b"*)"),), strings=(DQ,)),
    "Objective-C": C_LIKE,
    "Objective-C++": C_LIKE,
    "Open Policy Agent": Syntax(line=HASH, strings=(DQ,), long_strings=(BACKQUOTE_RAW,)),
    "PHP": Syntax(line=(rb"//", rb"#(?!\[)"), block=C_BLOCK, strings=(DQ, SQ)),
    "PLSQL": SQL,
    "PLpgSQL": SQL,
    "Pascal": Syntax(line=SLASHES, block=((b"{", b"}"), (b"(*", b"*)")), strings=(SQ_DOUBLED,)),
    "Perl": Syntax(
        line=(rb"(?<!\$)#",),
        special_blocks=((rb"(?<![^\n])=[a-zA-Z]", rb"[\s\S]*?(?:\n=cut\b[^\n]*+|\Z)"),),
        strings=(DQ, SQ),
        markers=(b"\n=",),
    ),
    "Pip Requirements": HASH_ONLY,
    "PowerShell": Syntax(line=HASH, block=((b"<#", b"#>"),), strings=(DQ, SQ)),
    "Prisma": Syntax(line=SLASHES),
    "Procfile": HASH_ONLY,
    "Prolog": Syntax(line=_lines(b"%"), block=C_BLOCK, strings=(DQ, SQ)),
    "Protocol Buffer": C_LIKE,
    "Protocol Buffer Text Format": HASH_ONLY,
    "Pug": Syntax(line=SLASHES),
    "Puppet": Syntax(line=HASH, block=C_BLOCK, strings=(DQ, SQ)),
    "Python": PYTHON,
    "R": HASH_ONLY,
    "RPM Spec": HASH_ONLY,
    "Raku": Syntax(
        line=HASH, special_blocks=((rb"(?<![^\n])=begin\b", rb"[\s\S]*?(?:\n=end\b[^\n]*+|\Z)"),), strings=(DQ, SQ)
    ),
    "Rocq Prover": Syntax(nested=((b"(*", b"*)"),), strings=(DQ,)),
    "Ruby": Syntax(
        line=HASH, special_blocks=((rb"(?<![^\n])=begin\b", rb"[\s\S]*?(?:\n=end\b[^\n]*+|\Z)"),), strings=(DQ, SQ)
    ),
    "Rust": Syntax(line=SLASHES, nested=C_BLOCK, strings=(DQ, CHAR)),
    "SCSS": CSS_WITH_LINES,
    "SQL": SQL,
    "SQLPL": SQL,
    "SVG": XML,
    "Sass": CSS_WITH_LINES,
    "Scala": NESTING_C,
    "Shell": SHELL,
    "Solidity": C_LIKE,
    "Starlark": Syntax(line=HASH, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ)),
    "Svelte": WEB_COMPONENT,
    "Swift": NESTING_C,
    "SystemVerilog": C_LIKE,
    "TOML": Syntax(line=HASH, strings=(PY_DQ, PY_SQ), long_strings=(TRIPLE_DQ, TRIPLE_SQ)),
    "TSQL": SQL,
    "TSX": JAVASCRIPT,
    "Tcl": HASH_ONLY,
    "Tcsh": SHELL,
    "TeX": Syntax(line=(rb"(?<!\\)%",)),
    "Thrift": Syntax(line=_lines(b"//", b"#"), block=C_BLOCK, strings=(DQ, SQ)),
    "Twig": Syntax(block=((b"{#", b"#}"), *XML_COMMENT)),
    "TypeScript": JAVASCRIPT,
    "Unix Assembly": Syntax(line=_lines(b"#", b"//"), block=C_BLOCK, strings=(DQ,)),
    "VHDL": Syntax(line=_lines(b"--"), block=C_BLOCK, strings=(DQ,)),
    "Verilog": C_LIKE,
    "Visual Basic .NET": Syntax(line=(rb"'", rb"[Rr][Ee][Mm](?![^\s])")),
    "Vue": WEB_COMPONENT,
    "WebAssembly": Syntax(line=_lines(b";;"), nested=((b"(;", b";)"),), strings=(DQ,)),
    "XML": XML,
    "XML Property List": XML,
    "YAML": Syntax(line=HASH),
    "Yacc": C_LIKE,
    "Zig": Syntax(line=SLASHES),
    "fish": SHELL,
    "robots.txt": HASH_ONLY,
}
"""Comment syntax by Linguist language name. A language not listed (JSON, CSV, Text...) has no comments."""


_NOTHING, _COMMENT, _NESTED, _CODE_STRING, _DOCSTRING = range(5)
"""What a span the scanner stops at means for the counts."""


@dataclass(frozen=True, slots=True)
class _Counter:
    """A syntax's compiled expressions, prepared once per process on first use."""

    syntax: Syntax
    line_starts: Callable[..., list[bytes]]
    comment_only_rest: Callable[[bytes], re.Match[bytes] | None]
    openers: tuple[_Opener, ...]
    scan: Callable[[bytes, int], re.Match[bytes] | None] | None
    """None when nothing in the syntax crosses lines."""
    scan_mid_line: Callable[[bytes, int], re.Match[bytes] | None] | None
    """The same after a span on the same line, where no docstring can start: long strings
    closed on the line are read with the code, not one by one."""
    spans: dict[str, tuple[int, bool]]
    """Scanner group name -> what it means, and whether code came before it on its line."""
    nested_delimiters: tuple[re.Pattern[bytes], ...]
    """For each kind of nested comment, its opening or its close."""
    docstring_line: Callable[[bytes, int], re.Match[bytes] | None] | None
    """See :func:`docstring_line`; None without docstrings."""

    @classmethod
    def build(cls, syntax: Syntax) -> _Counter:
        spans: dict[str, tuple[int, bool]] = {"line": (_NOTHING, False), "eol": (_NOTHING, False)}
        spans["code_eol"] = (_NOTHING, True)
        for index in range(len(syntax.block)):
            spans[f"block{index}"], spans[f"code_block{index}"] = (_COMMENT, False), (_COMMENT, True)
        for index in range(len(syntax.special_blocks)):
            spans[f"special{index}"], spans[f"code_special{index}"] = (_COMMENT, False), (_COMMENT, True)
        for index in range(len(syntax.nested)):
            spans[f"nested{index}"], spans[f"code_nested{index}"] = (_NESTED, False), (_NESTED, True)
        spans["string"] = (_DOCSTRING if syntax.docstrings else _CODE_STRING, False)
        spans["code_string"] = (_CODE_STRING, True)
        found = openers(syntax)
        return cls(
            syntax,
            line_starts(syntax).findall,
            comment_only_rest(syntax).fullmatch,
            tuple(found),
            scanner(syntax).match if found else None,
            scanner(replace(syntax, docstrings=False)).match if found and syntax.docstrings else None,
            spans,
            tuple(re.compile(re.escape(open_) + b"|" + re.escape(close)) for open_, close in syntax.nested),
            docstrings.match if (docstrings := docstring_line(syntax)) else None,
        )


@functools.cache
def _counter(syntax: Syntax) -> _Counter:
    return _Counter.build(syntax)


def _span_correction(counter: _Counter, data: bytes) -> int:
    """What the spans that cross lines change in the line-start count of comment lines.

    The line-start pass counted a line as a comment when it holds only comments that close
    on it. Within a span that crosses lines this is not its business: inside a long string
    such a line is code; inside a block comment every line that is not blank is a comment. A
    comment span's first line is a comment line unless code comes before the span; its last
    line stays open until the next span on that line, or the end of the line, shows what
    follows it.
    """
    syntax, spans, scan, line_starts_in = counter.syntax, counter.spans, counter.scan, counter.line_starts
    if scan is None:
        return 0
    openers = counter.openers
    following = [opener.find(data, 0) for opener in openers]
    candidate = min(following)
    correction = 0
    open_from, open_has_code = -1, False  # where the last comment ended, on a line still open
    position, line_has_code = 0, False  # where the last span ended; code before it on its line?
    while candidate <= len(data):
        # Scan from the candidate's line start, unless the last span ended earlier on that line.
        line_break = data.rfind(b"\n", position, candidate)
        mid_line = line_break < 0 and position > 0 and data[position - 1] != ord("\n")
        if not mid_line:
            if open_from >= 0:
                correction += _settle(counter, data, open_from, open_has_code)
                open_from = -1
            position, line_has_code = line_break + 1 if line_break >= 0 else position, False
            # No opening comes before the candidate, so its line starts outside every span.
            judged = counter.docstring_line(data, position) if counter.docstring_line else None
            if judged is not None:
                position = judged.end()
                following = [found if found >= position else opener.find(data, position) for found, opener in zip(following, openers)]
                candidate = min(following)
                continue
        match = (counter.scan_mid_line or scan)(data, position) if mid_line else scan(data, position)
        if match is None or match.lastgroup is None:
            break
        what, after_code = spans[match.lastgroup]
        start, position = match.span(match.lastgroup)
        has_code = after_code or (mid_line and line_has_code)
        if what == _NESTED:
            index = int(match.lastgroup.rpartition("nested")[2])
            position = _nested_end(data, position, counter.nested_delimiters[index], syntax.nested[index][0])
        elif what == _DOCSTRING and (mid_line or after_code):
            what = _CODE_STRING  # a docstring is a statement: nothing comes before it on its line
        if has_code or what == _CODE_STRING:
            open_from = -1  # the line the last comment left open holds code after all
        if what == _CODE_STRING:
            if data.find(b"\n", start, position) >= 0:
                counted = line_starts_in(data, start, _line_end(data, position))
                correction -= len(counted) - counted.count(b"\n")
            line_has_code = True
        elif what != _NOTHING:
            end = position
            # Left open, a comment runs to the end of the file; the blank lines it ends on stay blank.
            while end > start and data[end - 1] in b" \t\r\n\f\v":
                end -= 1
            breaks = data.count(b"\n", start, end)
            if breaks:
                # Its first line, then the inner and last lines that are not blank, minus those
                # the line-start pass counted already; the last line is settled later.
                counted = line_starts_in(data, start, _line_end(data, end))
                correction += (not has_code) + breaks - 1 - len(counted)
                has_code = False
            open_from, open_has_code = end, has_code
            line_has_code = has_code
        for index, found in enumerate(following):
            if found < position:
                following[index] = openers[index].find(data, position)
        candidate = min(following)
    if open_from >= 0:
        correction += _settle(counter, data, open_from, open_has_code)
    return correction


def _line_end(data: bytes, position: int) -> int:
    """Where the line holding ``position`` ends: the line-start pass must see whole lines."""
    line_end = data.find(b"\n", position)
    return line_end if line_end >= 0 else len(data)


def _settle(counter: _Counter, data: bytes, open_from: int, has_code: bool) -> int:
    """1 if the line a comment left open at ``open_from`` is a comment line: no code before, none after."""
    rest = data[open_from : _line_end(data, open_from)]
    return int(not has_code and counter.comment_only_rest(rest) is not None)


def _nested_end(data: bytes, position: int, delimiters: re.Pattern[bytes], open_: bytes) -> int:
    """Where a nested comment whose opening ends at ``position`` closes; the end if it never does."""
    depth = 1
    for delimiter in delimiters.finditer(data, position):
        depth += 1 if delimiter.group() == open_ else -1
        if not depth:
            return delimiter.end()
    return len(data)


def count_lines(syntax: Syntax, data: bytes) -> LineCounts:
    """Code, comment and blank lines of ``data`` written with ``syntax``."""
    if not data:
        return LineCounts(0, 0, 0)
    counter = _counter(syntax)
    total = data.count(b"\n") + (not data.endswith(b"\n"))
    # The first line has no break before it: give it one.
    starts = counter.line_starts(b"\n" + data[: data.find(b"\n") + 1 or len(data)])
    starts += counter.line_starts(data)
    blank = starts.count(b"\n")
    comment = len(starts) - blank
    if not data.endswith(b"\n") and not data[data.rfind(b"\n") + 1 :].strip():
        blank += 1  # a blank last line with no break of its own
    comment += _span_correction(counter, data)
    return LineCounts(total - blank - comment, comment, blank)


def syntax_for(language: str) -> Syntax:
    return SYNTAX.get(language, NO_COMMENTS)


@hookimpl
def readiness_count_lines(path: str, language: str | None, data: bytes) -> LineCounts | None:
    if language is None:
        return None
    return count_lines(syntax_for(language), data)
