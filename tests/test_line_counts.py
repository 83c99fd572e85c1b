"""Code, comment and blank lines: exact counts on tricky input, a slow reference, and cloc."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from readiness.model import LineCounts
from readiness_plugins.languages import LANGUAGES, classify
from readiness_plugins.line_counts import SYNTAX, Syntax, count_lines, readiness_count_lines, syntax_for


def counts(language: str, text: str | bytes) -> tuple[int, int, int]:
    """(code, comment, blank) of ``text`` in ``language``."""
    data = text.encode() if isinstance(text, str) else text
    result = count_lines(syntax_for(language), data)
    assert result.total == data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))
    return result.code, result.comment, result.blank


EXACT = [
    # Blank lines, line ends, empty files.
    ("C", "", (0, 0, 0)),
    ("C", "\n", (0, 0, 1)),
    ("C", "x", (1, 0, 0)),
    ("C", "  \n\t\n", (0, 0, 2)),
    ("C", "a;\r\n// b\r\n\r\n", (1, 1, 1)),
    ("C", "a;\n   ", (1, 0, 1)),
    ("Python", "# only a comment, no final newline", (0, 1, 0)),
    # Block comments: blank lines inside stay blank; code before or after makes a line code.
    ("C", "int a; /* start\n  still\n\n end */ int b;\n/* only */\n/* a */ /* b */\n  /* x */ y();\n", (3, 3, 1)),
    ("C", "/* a */ // b\n// x /* y\nz;\n", (1, 2, 0)),
    ("C", "a /* x */ b /* y\n z */ c\n", (2, 0, 0)),
    ("C", "x; /* a\n b */\n", (1, 1, 0)),
    ("C", "/* a */ /* b\n c */ d;\n", (1, 1, 0)),
    ("C", "/*\n// inside a block\n*/ x;\n", (1, 2, 0)),
    ("C", "/* never closed\n\n", (0, 1, 1)),
    # Comment markers inside strings are code; quotes inside comments do not open strings.
    ("C", 'char *s = "/*";\n// y\n', (1, 1, 0)),
    ("C", "char c = '\"';\n// it's fine\n", (1, 1, 0)),
    ("Java", 'String u = "http://x/*";\n/** doc */\nint y;\n', (2, 1, 0)),
    ("JavaScript", "let a = `\n// inside a template\n`;\n// real\n", (3, 1, 0)),
    ("Go", "x := `\n// inside a raw string\n`\n", (3, 0, 0)),
    ("Go", 'msg := "// no" // yes\n', (1, 0, 0)),
    ("C#", 'var p = @"C:\\dir\\";\n// c\nvar q = @"a\n// in a verbatim string\n";\n', (4, 1, 0)),
    # Nested comments, where the language allows them.
    ("Rust", 'fn main() {\n    /* outer /* inner */ still */\n    let s = "// no";\n}\n', (3, 1, 0)),
    ("Rust", "/* a /* b */\n c */ fn f() {}\n", (1, 1, 0)),
    ("Rust", "/* a /* b */ c */ /* d /* e /* f */ g */ h */\n/* i /* j */ k */ x();\n", (1, 1, 0)),
    ("C", "/* a /* b */ c */ x;\n", (1, 0, 0)),
    ("Haskell", "{- a {- b -} c -}\nx = 1 -- d\n-- e\n", (1, 2, 0)),
    ("OCaml", "(* a (* b *) c *)\nlet x = 1\n", (1, 1, 0)),
    ("Kotlin", '/* a /* b */ c */\nval s = """\n// in a raw string\n"""\n', (3, 1, 0)),
    # Python: docstrings are comments; other triple-quoted strings are code.
    ("Python", 'x = 1\n"""doc\n# not a line comment\n"""\ny = """\n# code\n"""\n', (4, 3, 0)),
    ("Python", 'def f():\n    r"""Doc.\n\n    More.\n    """\n    return 1\n', (2, 3, 1)),
    ("Python", "def f():\n    '''One line.'''\n", (1, 1, 0)),
    ("Python", 's = "# not a comment"  # a comment after code\n', (1, 0, 0)),
    ("Python", '"""never closed\n# in it\n', (0, 2, 0)),
    # A docstring closed on its line is judged with the line comments; its closing quotes,
    # or quotes in a comment after it, open nothing.
    ("Python", '    """Doc."""  # see """\nx = 1\n    \'\'\'One.\'\'\' + y\n', (2, 1, 0)),
    ("Python", 'x = \'"""\' ; s = """\n"""Doc."""\n"""\n', (3, 0, 0)),
    # Shell: a shebang is a comment, as in tokei; ${#x} and $# are code.
    ("Shell", '#!/bin/sh\n# c\necho "# no" # yes\nx=${#a}\n', (2, 2, 0)),
    # Other comment syntaxes.
    ("SQL", "-- a\nSELECT '--x' FROM t; -- b\n/* c\n d */\n", (1, 3, 0)),
    ("Lua", "--[[ a\nb ]] x = 1\n-- c\n--[==[\n]==]\n", (1, 4, 0)),
    ("Ruby", "=begin\nx\n=end\ny = 1 # z\n", (1, 3, 0)),
    ("Perl", "=pod\n\nx\n\n=cut\nmy $n = $#a; # c\n", (1, 3, 2)),
    ("HTML", "<!-- a\n-->\n<p>x</p> <!-- b -->\n", (1, 2, 0)),
    ("CMake", "#[[ a\nb ]]\nset(X 1) # c\n", (1, 2, 0)),
    ("YAML", "# a\nurl: http://x/#frag\n", (1, 1, 0)),
    ("Batchfile", "@REM a\n:: b\necho rem\n", (1, 2, 0)),
    ("JSON", '{\n\n  "a": "// no"\n}\n', (3, 0, 1)),
    ("Markdown", "# Title\n\n<!-- hidden -->\ntext\n", (2, 1, 1)),
    ("NoSuchLanguage", "# x\n\ny\n", (2, 0, 1)),
    # Cases the comparison with the slow reference below once caught.
    ("Java", "/*\n/**/--[[", (1, 1, 0)),
    ("C++", "*/*/\n/**/*/", (2, 0, 0)),
    ("HTML", "<!--\n<!----><!--", (0, 2, 0)),
    ("Handlebars", "{{!--}}{% endcomment %}", (0, 1, 0)),
    ("Python", "y'''", (1, 0, 0)),
    ("Python", "r\t'''", (1, 0, 0)),
    ("Python", "''''''r\"\"\"", (1, 0, 0)),
    ("MATLAB", "%{", (0, 1, 0)),
    ("Liquid", "{% comment %}", (0, 1, 0)),
    ("JavaScript", "``/*", (1, 0, 0)),
    ("C", '"\\\n/*', (1, 1, 0)),
]


@pytest.mark.parametrize(("language", "text", "expected"), EXACT)
def test_exact_counts(language: str, text: str, expected: tuple[int, int, int]) -> None:
    assert counts(language, text) == expected


def test_invalid_utf8_and_nul_bytes() -> None:
    assert counts("C", b"\xff\xfe int a;\n// \xc3\x28 comment\n\x00\n\n/* \x80\x81 */\n") == (2, 2, 1)


def test_unterminated_comment_and_strings_cost_one_pass() -> None:
    # A megabyte of openers: each would be quadratic with a backtracking scanner. The counts
    # come out right, and they come out at all.
    assert counts("C", b"/* " * 333_333) == (0, 1, 0)
    assert counts("C", b'"' * 1_000_000) == (1, 0, 0)
    assert counts("C", b'x = "' + b'\\"' * 300_000) == (1, 0, 0)
    assert counts("C", (b'x = "' + b"/" * 1000 + b"\n") * 300) == (300, 0, 0)
    assert counts("Python", b'"""' + b'\\"' * 300_000 + b"\n" + b"x\n" * 1000) == (0, 1001, 0)
    assert counts("Python", b'x = """' + b"\n" * 1000 + b"# in the string\n") == (2, 0, 999)
    assert counts("Rust", b"/* " * 333_333) == (0, 1, 0)
    assert counts("JavaScript", b"`" + b"\n// x" * 100_000) == (100_001, 0, 0)


def test_hook() -> None:
    assert readiness_count_lines(path="a.py", language=None, data=b"x\n") is None
    assert readiness_count_lines(path="a.py", language="Python", data=b"# a\nx\n") == LineCounts(1, 1, 0)
    assert readiness_count_lines(path="a.bin", language="Unlisted", data=b"\x00\x01\n\n") == LineCounts(1, 0, 1)


def test_syntaxes_are_for_known_languages() -> None:
    assert set(SYNTAX) - set(LANGUAGES) == set()


MIXED = b"""#!/bin/x
/* a */ // b -- c # d ; e % f ' g
x = "y" 'z' `w` \"\"\"v\"\"\" -- q
  (* r *) {- s -} <!-- t --> {# u #} #| v |# (; w ;)
"""


@pytest.mark.parametrize("language", sorted(SYNTAX))
def test_every_syntax_counts_every_line(language: str) -> None:
    code, comment, blank = counts(language, MIXED * 3 + b"\n\n")
    assert (code + comment, blank) == (12, 2)


# --- A slow reference: one byte at a time, straight from the definitions ----------------------


def reference(syntax: Syntax, data: bytes) -> tuple[int, int, int]:
    """What the counts should be: walk the text, marking each line as holding code or comments."""
    line_comment = re.compile(b"(?:" + b"|".join(syntax.line) + b")") if syntax.line else None
    special_starts = [(re.compile(start), re.compile(start + rest)) for start, rest in syntax.special_blocks]
    long_strings = [re.compile(s) for s in syntax.long_strings]
    strings = [re.compile(s) for s in syntax.strings]
    lines: list[tuple[bool, bool]] = []
    has_code = has_comment = False

    def mark(segment: bytes, as_code: bool) -> None:
        nonlocal has_code, has_comment
        for byte in segment:
            if byte == ord("\n"):
                lines.append((has_code, has_comment))
                has_code = has_comment = False
            elif byte not in b" \t\r\f\v":
                has_code, has_comment = has_code or as_code, has_comment or not as_code

    position = 0
    while position < len(data):
        end = _reference_comment_end(syntax, data, position, line_comment, special_starts)
        if end is not None:
            mark(data[position:end], as_code=False)
            position = end
            continue
        for pattern in long_strings:
            if match := pattern.match(data, position):
                before = data[data.rfind(b"\n", 0, position) + 1 : position].lstrip()
                docstring = syntax.docstrings and re.fullmatch(rb"[rRuUbBfF]{0,2}", before) is not None
                if docstring:
                    has_code = False  # a string prefix such as r was marked as code
                mark(match.group(), as_code=not docstring)
                position = match.end()
                break
        else:
            match = next((m for p in strings if (m := p.match(data, position))), None)
            end = match.end() if match else position + 1
            mark(data[position:end], as_code=True)
            position = end
    if data and not data.endswith(b"\n"):
        lines.append((has_code, has_comment))
    code = sum(1 for c, _ in lines if c)
    comment = sum(1 for c, m in lines if m and not c)
    return code, comment, len(lines) - code - comment


def _reference_comment_end(
    syntax: Syntax,
    data: bytes,
    position: int,
    line_comment: re.Pattern[bytes] | None,
    special_starts: list[tuple[re.Pattern[bytes], re.Pattern[bytes]]],
) -> int | None:
    """Where the comment that opens at ``position`` ends, if one does."""
    if line_comment is not None and line_comment.match(data, position):
        end = data.find(b"\n", position)
        return len(data) if end < 0 else end
    for start, whole in special_starts:
        if start.match(data, position):
            comment = whole.match(data, position)
            assert comment is not None
            return comment.end()
    for open_, close in syntax.block:
        if data.startswith(open_, position):
            end = data.find(close, position + len(open_))
            return len(data) if end < 0 else end + len(close)
    for open_, close in syntax.nested:
        if data.startswith(open_, position):
            depth, position = 1, position + len(open_)
            while depth and position < len(data):
                if data.startswith(close, position):
                    depth, position = depth - 1, position + len(close)
                elif data.startswith(open_, position):
                    depth, position = depth + 1, position + len(open_)
                else:
                    position += 1
            return position
    return None


COMMON_PIECES = [
    b"x = 1",
    b"y",
    b" ",
    b"\t",
    b"\n",
    b"\n",
    b"\r\n",
    b"\\",
    b'"',
    b"'",
    b"`",
    b'"""',
    b"'''",
    b'@"',
    b"''",
    b"r",
    b"$#",
    b"--[[",
    b"]]",
    b"--[==[",
    b"]==]",
    b"=begin",
    b"=end",
    b"=pod",
    b"=cut",
    b"#[[",
    b"]=]",
    b"%{",
    b"%}",
    b"{% comment %}",
    b"{% endcomment %}",
]


def pieces(syntax: Syntax) -> list[bytes]:
    """Fragments to build tricky text from: the syntax's own delimiters, and everyone else's."""
    own = [re.sub(rb"\\(.)", rb"\1", re.sub(rb"\(\?<?[=!][^)]*\)", b"", marker)) for marker in syntax.line]
    own += [delimiter for pair in syntax.block + syntax.nested for delimiter in pair]
    return COMMON_PIECES + own


@pytest.mark.parametrize("language", sorted(SYNTAX))
def test_agrees_with_the_slow_reference(language: str) -> None:
    syntax = syntax_for(language)
    fragments = pieces(syntax)
    rng = random.Random(f"readiness-{language}")
    for _ in range(200):
        data = b"".join(rng.choice(fragments) for _ in range(rng.randrange(1, 40)))
        result = count_lines(syntax, data)
        assert (result.code, result.comment, result.blank) == reference(syntax, data), data


# --- cloc ---------------------------------------------------------------------------------------

CLOC_SAMPLES = {
    "sample.py": '''"""Pricing rules.

Prices are in cents.
"""
import re  # regular expressions

URL = "http://example.com/#anchor"
PATTERN = '# not a comment'


def price(item):
    """Return the price of ``item``."""
    # Look the item up.
    total = item.base  # base price

    return total


class Cart:
    \'\'\'A cart.\'\'\'

    def __init__(self):
        self.items = []
''',
    "sample.c": r"""/*
 * Licence header.
 *
 * More licence.
 */
#include <stdio.h>

// A line comment.
static const char *s = "/* not a comment */";
static const char c = '"';

int main(void) {
    int x = 1; /* trailing block comment */
    int y = 2; // trailing line comment
    /* single line block */

    printf("%d // %d\n", x, y);
    return 0;
}
""",
    "Sample.java": """package com.acme;

import java.util.List;

/**
 * Javadoc for the class.
 *
 * @author someone
 */
public class Sample {
    // A field.
    private final String url = "http://example.com/*";

    /** One-line javadoc. */
    public int add(int a, int b) {
        return a + b; // sum
    }
}
""",
    "sample.go": """// Package sample does things.
package sample

import "fmt"

/*
Block comment
spanning lines.
*/

// Greet says hello.
func Greet(name string) string {
\tmsg := "// not a comment"
\traw := `raw string /* not a comment */`
\treturn fmt.Sprintf("%s %s %s", msg, raw, name) // trailing
}
""",
    "sample.js": """// Server entry point.
'use strict';

const express = require('express'); // web framework

/*
 * Routes.
 */
const url = "http://localhost:8080/"; // not // a comment start
const tpl = `value: ${url}`;

function handler(req, res) {
  /* inline block */
  res.send('/* not a comment */');
}

module.exports = handler;
""",
    "sample.rs": """//! Crate docs.

use std::collections::HashMap;

/// A ledger entry.
pub struct Entry {
    pub amount: i64, // cents
}

/* Block
   comment. */
fn main() {
    let s = "// not a comment";
    let c = '"';
    println!("{} {}", s, c);
}
""",
    "sample.rb": """# Ruby sample.
require 'json'

=begin
Block comment
in Ruby.
=end

class Thing
  # An attribute.
  attr_reader :name

  def initialize(name)
    @name = "#{name} # not a comment"
  end
end
""",
    "sample.sh": """# Deploy script.
set -euo pipefail

# Settings.
NAME="app # not a comment"
COUNT=${#NAME}

echo "$NAME" # trailing
""",
    "sample.sql": """-- Schema.
CREATE TABLE items (
    id INTEGER PRIMARY KEY, -- key
    name TEXT NOT NULL DEFAULT '-- not a comment'
);

/* Block
   comment. */
SELECT id FROM items;
""",
    "sample.yaml": """# Service config.
name: api
url: "http://example.com/#frag"

ports:
  - 8080 # http
""",
}


@pytest.fixture(scope="module")
def cloc_counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int, int]]:
    cloc = shutil.which("cloc")
    if cloc is None:
        pytest.skip("cloc is not installed (Debian: apt-get install cloc); the comparison with it needs it")
    directory = tmp_path_factory.mktemp("cloc")
    for name, text in CLOC_SAMPLES.items():
        (directory / name).write_text(text)
    output = subprocess.run(
        [cloc, "--quiet", "--by-file", "--csv", *sorted(CLOC_SAMPLES)],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    rows = [row for row in csv.reader(io.StringIO(output)) if len(row) >= 5 and row[1] in CLOC_SAMPLES]
    return {row[1]: (int(row[4]), int(row[3]), int(row[2])) for row in rows}


@pytest.mark.parametrize("name", sorted(CLOC_SAMPLES))
def test_agrees_with_cloc(name: str, cloc_counts: dict[str, tuple[int, int, int]]) -> None:
    data = CLOC_SAMPLES[name].encode()
    language = classify(name, data, Path("/nonexistent")).language
    assert language is not None
    result = count_lines(syntax_for(language), data)
    assert (result.code, result.comment, result.blank) == cloc_counts[name]
